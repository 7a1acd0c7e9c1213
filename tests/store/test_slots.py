"""The slot index (store/slots.py) against the whole-log fold it replaces, on a real run's log
(tests/fixtures/runs/slots-demo: twelve slots of a 3,000-persona template run, six of them
refilled after an attempt rejected as a near-duplicate): cut at every point a crash could leave it, caught up line by line,
rewritten, damaged, with a line still being written, and without a usable database."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from conftest import ROOT
from hachimi.errors import HachimiError
from hachimi.store.slots import FILE, SlotIndex
from hachimi.store.state import load_state

DEMO = ROOT / "tests" / "fixtures" / "runs" / "slots-demo"
LINES = (DEMO / "attempts.jsonl").read_bytes().splitlines(keepends=True)


def reference(lines: list[bytes], accepted: set[str]) -> tuple[dict, Counter]:
    """The resume state as load_state computed it before the index: every line of the log read."""
    slots, counts, disposed = {}, Counter(), set()
    for raw in lines:
        e = json.loads(raw)
        if e["type"] == "outcome":
            s = slots.setdefault(e["persona"], {"next": 0, "candidate": None})
            s["next"] = max(s["next"], e["attempt"] + 1)
            counts["attempts"] += 1
            counts["first_pass_valid"] += bool(e.get("first_pass_valid"))
            for k in ("calls", "tokens", "rounds"):
                counts[k] += e.get(k, 0)
            counts["engine_seconds"] += e.get("seconds", 0.0)
            counts["outside_stratum"] += e.get("reason", "").startswith("outside its stratum")
            counts["engine_errors"] += e.get("reason", "").startswith("engine error")
            if e.get("accepted") and "candidate" in e and e["persona"] not in accepted:
                s["candidate"] = (e["candidate"], e["attempt"])
        elif e["type"] == "near_duplicate":
            counts["near_duplicates"] += 1
            disposed.add((e["persona"], e["attempt"]))
    for pid, s in slots.items():
        if s["candidate"] and (pid in accepted or (pid, s["candidate"][1]) in disposed):
            s["candidate"] = None
    return slots, counts


def state_of(folder) -> tuple[dict, Counter]:
    st = load_state(folder)
    slots = {pid: {"next": s.next_attempt, "candidate": s.candidate} for pid, s in st.slots.items()}
    return slots, Counter({k: v for k, v in st.counts.items() if v})


def _run(tmp_path, lines: list[bytes], personas: bool = True):
    folder = tmp_path / "run"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "attempts.jsonl").write_bytes(b"".join(lines))
    if personas:
        shutil.copy(DEMO / "personas.jsonl", folder / "personas.jsonl")
    return folder


def _accepted() -> set[str]:
    return {json.loads(x)["id"] for x in (DEMO / "personas.jsonl").read_text().splitlines()}


def _same(got, want):
    gs, gc = got
    ws, wc = want
    assert gs == ws
    assert set(gc) == {k for k, v in wc.items() if v}
    for k, v in wc.items():
        assert gc.get(k, 0) == pytest.approx(v)


def test_the_demo_log_holds_what_the_index_must_get_right():
    kinds = Counter(json.loads(x)["type"] for x in LINES)
    assert kinds["near_duplicate"] == 6 and kinds["outcome"] == 18 and kinds["call"] > 50  # refilled slots


def test_caught_up_at_every_cut_the_index_equals_reading_the_whole_log(tmp_path):
    """A run appends; the loop catches the index up now and then; a resume after any cut sees what
    a whole read sees, with no personas committed (candidates kept) or all of them (none kept)."""
    accepted = _accepted()
    folder = _run(tmp_path, [], personas=False)
    for k in range(0, len(LINES) + 1, 7):
        (folder / "attempts.jsonl").write_bytes(b"".join(LINES[:k]))
        _same(state_of(folder), reference(LINES[:k], set()))
    (folder / "attempts.jsonl").write_bytes(b"".join(LINES))
    shutil.copy(DEMO / "personas.jsonl", folder / "personas.jsonl")
    _same(state_of(folder), reference(LINES, accepted))
    candidates = [s for s in reference(LINES, set())[0].values() if s["candidate"]]
    assert len(candidates) == 12  # before personas.jsonl has them; all dropped once it does
    fresh = _run(tmp_path / "fresh", LINES)
    assert state_of(fresh) == state_of(folder)


def test_a_resume_reads_only_the_lines_appended_since(tmp_path, monkeypatch):
    import hachimi.jsonio as jsonio

    folder = _run(tmp_path, LINES[:100])
    load_state(folder)
    parsed = []
    real = jsonio.parse_line
    monkeypatch.setattr(jsonio, "parse_line", lambda raw: parsed.append(raw) or real(raw))
    with open(folder / "attempts.jsonl", "ab") as fh:
        fh.write(b"".join(LINES[100:]))
    _same(state_of(folder), reference(LINES, _accepted()))
    assert len(parsed) == len(LINES) - 100  # the tail, not the 100 lines indexed before
    parsed.clear()
    state_of(folder)
    assert parsed == []


def test_a_rewritten_log_rebuilds_the_index(tmp_path):
    folder = _run(tmp_path, LINES)
    load_state(folder)
    rest = LINES[40:]  # the same length or more would fit the old offset: the head hash tells
    (folder / "attempts.jsonl").write_bytes(b"".join(rest + rest))
    _same(state_of(folder), reference(rest + rest, _accepted()))


def test_a_line_being_written_is_left_for_the_next_catch_up(tmp_path):
    folder = _run(tmp_path, LINES[:50])
    half = LINES[50][: len(LINES[50]) // 2]
    with open(folder / "attempts.jsonl", "ab") as fh:
        fh.write(half)
    assert SlotIndex(folder).catch_up(strict=False) is None
    import sqlite3

    con = sqlite3.connect(folder / FILE)
    offset = int(dict(con.execute("SELECT key, value FROM meta"))["offset"])
    con.close()
    assert offset == sum(len(x) for x in LINES[:50])
    with open(folder / "attempts.jsonl", "ab") as fh:
        fh.write(LINES[50][len(half) :] + b"".join(LINES[51:]))
    _same(state_of(folder), reference(LINES, _accepted()))


def test_a_damaged_line_is_named_by_a_resume(tmp_path):
    folder = _run(tmp_path, LINES[:30] + [b'{"type": "outcome", "attempt": 0}\n'] + LINES[30:])
    with pytest.raises(HachimiError, match=r"attempts.jsonl:31: an outcome without its persona id"):
        load_state(folder)
    folder = _run(tmp_path / "b", LINES[:10] + [b"not json\n"] + LINES[10:])
    with pytest.raises(HachimiError, match=r"attempts.jsonl:11: not JSON"):
        load_state(folder)


def test_without_a_usable_database_the_log_is_folded_in_memory(tmp_path):
    folder = _run(tmp_path, LINES)
    (folder / FILE).mkdir()  # in the way: cannot be opened, cannot be removed
    (folder / FILE / "x").write_text("")
    _same(state_of(folder), reference(LINES, _accepted()))
    other = _run(tmp_path / "c", LINES)
    (other / FILE).write_bytes(b"garbage, not a database" * 100)
    _same(state_of(other), reference(LINES, _accepted()))
    assert (other / FILE).read_bytes()[:15] == b"SQLite format 3"  # rebuilt

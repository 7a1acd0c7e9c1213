"""The survey reads its personas in passes, never holding the corpus: ids checked with their lines,
a seeded bottom-k sample, a stream into administer that asks the same blocks in the same order as a
list, and `administer --sample` from the command line."""

from __future__ import annotations

import json
import random
import tracemalloc

import pytest

from conftest import ROOT
from hachimi.generate.filler import template_engine
from hachimi.survey.administer import Settings, administer
from hachimi.survey.answers import persona_hash
from hachimi.survey.instrument import load
from hachimi.survey.source import scan

RUN = ROOT / "examples" / "run-balanced-16"


def _personas():
    return [json.loads(x) for x in (RUN / "personas.jsonl").read_text().splitlines()]


def _write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_ids_are_checked_with_their_lines_and_the_rest_is_kept(tmp_path):
    ps = _personas()[:3]
    f = _write(tmp_path / "p.jsonl", [ps[0], {"name": "no id"}, "{torn", ps[1], ps[0], {"id": "  "}, ps[2]])
    src = scan(f)
    assert list(src.hashes) == [p["id"] for p in ps] and src.identified == 3
    assert src.hashes[ps[1]["id"]] == persona_hash(ps[1])
    assert [n for n, _ in src.problems] == [2, 3, 5, 6]
    assert "appears again" in dict(src.problems)[5] and "no id" in dict(src.problems)[2]
    assert [p["id"] for p in src.personas()] == [p["id"] for p in ps]


def _many(n: int) -> list[dict]:
    base = _personas()[0]
    return [dict(base, id=f"s{i:05d}") for i in range(n)]


def test_a_sample_is_seeded_in_file_order_and_a_grown_file_only_displaces(tmp_path):
    rows = _many(200)
    f = _write(tmp_path / "p.jsonl", rows)
    a, b, other = scan(f, 20, seed=1), scan(f, 20, seed=1), scan(f, 20, seed=2)
    assert list(a.hashes) == list(b.hashes) and len(a.hashes) == 20 and set(a.hashes) != set(other.hashes)
    order = [r["id"] for r in rows]
    assert list(a.hashes) == sorted(a.hashes, key=order.index)  # file order
    grown = scan(_write(tmp_path / "g.jsonl", rows + _many(400)[200:]), 20, seed=1)
    old = set(order)
    assert {i for i in grown.hashes if i in old} <= set(a.hashes)  # never one left out before
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    assert set(scan(_write(tmp_path / "s.jsonl", shuffled), 20, seed=1).hashes) == set(a.hashes)  # ids, not lines


def test_a_scan_holds_the_sample_not_the_corpus(tmp_path):
    rows = _many(6000)  # ~20 MB of personas
    f = _write(tmp_path / "big.jsonl", rows)
    size = f.stat().st_size
    del rows
    tracemalloc.start()
    src = scan(f, 10, seed=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(src.hashes) == 10 and size > 15_000_000
    assert peak < size / 10, (peak, size)  # the ids seen, not the personas


def test_a_stream_asks_what_a_list_asks_byte_for_byte(tmp_path, theory):
    inst = load("pisa2022-student")
    s = Settings("pisa2022-student", "short", seed=3)
    ps = _personas()[:5]
    administer(ps, inst, s, template_engine(None), tmp_path / "list", concurrency=3, theory=theory)
    src = scan(_write(tmp_path / "p.jsonl", ps))
    seen = []
    administer(
        src.personas(),
        inst,
        s,
        template_engine(None),
        tmp_path / "stream",
        concurrency=3,
        progress=lambda done, total: seen.append((done, total)),
        theory=theory,
        hashes=src.hashes,
    )
    assert (tmp_path / "list" / "answers.jsonl").read_bytes() == (tmp_path / "stream" / "answers.jsonl").read_bytes()
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.fixture
def survey(cli):
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)
    return lambda *a: cli("survey", *a)


def test_administer_sample_asks_that_many_and_is_part_of_the_identity(tmp_path, survey):
    people = _write(tmp_path / "people.jsonl", _personas()[:6])
    out = tmp_path / "survey"
    args = ["administer", str(people), "--model", "template", "--form", "short", "--out", str(out)]
    r = survey(*args, "--sample", "3", "--format", "json")
    assert r.exit_code == 0, r.output
    asked = {json.loads(x)["persona"] for x in (out / "answers.jsonl").read_text().splitlines()}
    assert len(asked) == 3 and asked <= {p["id"] for p in _personas()[:6]}
    assert json.loads((out / "survey.json").read_text())["identity"]["settings"]["sample"] == 3
    again = survey(*args, "--sample", "4")
    assert again.exit_code == 2 and "other settings" in again.stderr
    scored = survey("score", str(out), "--format", "json")
    assert scored.exit_code == 0, scored.output
    assert set(json.loads(scored.stdout)["personas"]) == asked

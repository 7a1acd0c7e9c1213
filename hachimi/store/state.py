"""A run folder -> what is already done: accepted personas (in slot order), per slot the next
attempt number and any candidate the validator accepted that was not yet committed, and the
counters summed over every attempt ever logged (so they are cumulative across sessions); the
slots and counters come from the slot index (slots.py: RUN/slots.sqlite and the log's tail). Torn last
lines (a crash mid-write) are cut off first. Also the identity check: a folder made with other
settings is refused before any model loads."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HachimiError
from .slots import SlotIndex, SlotState  # noqa: F401  (SlotState: the type of State.slots' values)


@dataclass
class State:
    accepted: set[str] = field(default_factory=set)  # ids only: the personas themselves are streamed
    slots: dict[str, SlotState] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    torn: int = 0  # torn last lines cut off (one per file at most)
    wall_seconds: float = 0.0  # spent by earlier sessions

    def slot(self, pid: str) -> SlotState:
        return self.slots.setdefault(pid, SlotState())


def repair_torn(path: Path) -> int:
    """Cut a last line that has no newline (a write cut short); returns bytes removed. Reads the
    file's end backwards in 1 MiB blocks, never the whole file."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        end = size
        while end > 0:
            start = max(0, end - (1 << 20))
            fh.seek(start)
            block = fh.read(end - start)
            if (k := block.rfind(b"\n")) >= 0:
                keep = start + k + 1
                break
            end = start
        else:
            keep = 0
        fh.truncate(keep)
    return size - keep


def check_identity(folder: Path, identity: dict) -> None:
    """Refuse a folder whose run.json names other output-changing settings (keys it lacks pass)."""
    manifest = Path(folder) / "run.json"
    if not manifest.exists():
        return
    try:
        old = json.loads(manifest.read_text(encoding="utf-8")).get("identity", {})
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise HachimiError(f"{manifest}: unreadable ({e}); restore it or choose another --out") from None
    old = _upgraded(old)
    diff = [
        f"{k}: folder has {json.dumps(old.get(k))}, command has {json.dumps(identity.get(k))}"
        for k in sorted(identity)
        if k in old and old.get(k) != identity.get(k)
    ]
    if diff:
        raise HachimiError(
            f"{folder} was made by a different run ({'; '.join(diff)}); resume it with the same "
            "settings, or choose another --out"
        )


def _upgraded(old: dict) -> dict:
    """An identity written before settings.scaffold (true/false) became settings.narrative: true is
    today's "scaffold"; false (free narratives with lexicon words) is no style of today's, so a
    folder made with it stays refused."""
    settings = old.get("settings")
    if isinstance(settings, dict) and "scaffold" in settings and "narrative" not in settings:
        settings = dict(settings)
        was = settings.pop("scaffold")
        settings["narrative"] = "scaffold" if was is True else "no-scaffold (before --narrative)"
        old = {**old, "settings": settings}
    return old


def run_records(path: Path):
    """The records of a run file (after repair_torn): any line that cannot be read stops the resume."""
    from ..jsonio import LineError, records

    if not path.exists():
        return
    for n, obj in records(path):
        if isinstance(obj, LineError):
            raise HachimiError(
                f"{path}:{n}: {obj}; this folder was edited or damaged "
                "(only a torn last line is repaired automatically)"
            )
        yield obj


def load_state(folder: Path) -> State:
    """What the folder holds, read in one pass over each file: memory grows with the ids and the
    slots' counters, not with the corpus (a committed slot's candidate is not kept)."""
    folder = Path(folder)
    st = State()
    for name in ("personas.jsonl", "attempts.jsonl"):
        st.torn += repair_torn(folder / name) > 0
    p = folder / "personas.jsonl"
    for obj in run_records(p):
        if obj["id"] in st.accepted:
            raise HachimiError(f"{p}: id {obj['id']} appears twice; this folder was edited by hand")
        st.accepted.add(obj["id"])
    index = SlotIndex(folder)
    st.slots, counts, disposed = index.load()  # the index and the log's tail, not the whole log
    st.counts.update(counts)
    for pid, s in st.slots.items():  # a valid candidate neither committed nor rejected as a near-duplicate
        if s.candidate_at and pid not in st.accepted and (pid, s.candidate_at[0]) not in disposed:
            s.candidate = (index.candidate(s.candidate_at[1]), s.candidate_at[0])
    manifest = folder / "run.json"
    if manifest.exists():
        try:
            st.wall_seconds = float(json.loads(manifest.read_text(encoding="utf-8")).get("wall_seconds", 0.0))
        except (json.JSONDecodeError, ValueError, TypeError):
            pass
    return st

"""A run folder -> what is already done: accepted ids, attempts used per slot; torn last lines
(a crash mid-write) are cut off first. Refuses a folder made with another plan, seed or model."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HachimiError

IDENTITY = ("seed", "n", "plan_hash", "model_name", "theory_hash")


@dataclass
class State:
    accepted: set[str] = field(default_factory=set)
    attempts: Counter = field(default_factory=Counter)
    personas: list[dict] = field(default_factory=list)
    torn: int = 0


def repair_torn(path: Path) -> int:
    """Cut a last line that has no newline (a write cut short); returns bytes removed."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    data = path.read_bytes()
    if data.endswith(b"\n"):
        return 0
    keep = data.rfind(b"\n") + 1
    with open(path, "r+b") as fh:
        fh.truncate(keep)
    return len(data) - keep


def check_identity(folder: Path, identity: dict) -> None:
    manifest = folder / "run.json"
    if not manifest.exists():
        return
    old = json.loads(manifest.read_text(encoding="utf-8")).get("identity", {})
    diff = [f"{k}: folder has {old.get(k)!r}, command has {identity.get(k)!r}" for k in IDENTITY
            if k in old and old.get(k) != identity.get(k)]
    if diff:
        raise HachimiError(f"{folder} was made by a different run ({'; '.join(diff)}); resume it with the same "
                           "plan, seed, n and model, or choose another --out")


def load_state(folder: Path) -> State:
    st = State()
    for name in ("personas.jsonl", "attempts.jsonl"):
        st.torn += repair_torn(folder / name)
    p = folder / "personas.jsonl"
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            if obj["id"] in st.accepted:
                raise HachimiError(f"{p}: id {obj['id']} appears twice; this folder was edited by hand")
            st.accepted.add(obj["id"])
            st.personas.append(obj)
    a = folder / "attempts.jsonl"
    if a.exists():
        for line in a.read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            if e.get("type") in ("outcome", "near_duplicate"):
                st.attempts[e["persona"]] += e.get("type") == "outcome"
    return st

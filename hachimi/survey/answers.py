"""answers.jsonl <-> the personas that gave them, by content.

Every answered block records the hash of the persona it answered (`persona_hash`: its JSON content,
keys sorted). An answer counts for a persona only while that persona exists with the same content:
regenerate a run with the same ids and its answers no longer belong to anyone (administer asks the
changed personas again and says how many; score and compare leave the old answers out and say how
many). A record that cannot be used (not JSON, a torn last line, a field missing or of the wrong
type, an item the instrument does not have) is named by its line and left out; the rest is used."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

ANSWERS = "answers.jsonl"
KINDS = ("main", "reversed")


def persona_hash(persona: dict) -> str:
    """The persona's content, as every copy of it serialises (keys sorted, UTF-8)."""
    text = json.dumps(persona, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Read:
    records: list[dict] = field(default_factory=list)  # usable records, in file order
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, why) of the rest


def _why_unusable(r: dict, items: set[str] | None) -> str | None:
    if not isinstance(r.get("persona"), str) or not r["persona"]:
        return "no persona id"
    if r.get("kind") not in KINDS:
        return f"kind {r.get('kind')!r} is not one of {', '.join(KINDS)}"
    if not isinstance(r.get("block"), int) or isinstance(r.get("block"), bool):
        return "block is not a number"
    if r.get("error"):
        return None  # an engine error: asked again, never scored
    if not isinstance(r.get("items"), list) or not isinstance(r.get("scores"), dict):
        return "items or scores missing"
    if not isinstance(r.get("refused", []), list):
        return "refused is not a list"
    if any(not (v is None or isinstance(v, (int, float))) or isinstance(v, bool) for v in r["scores"].values()):
        return "a score is not a number"
    if set(r["scores"]) != set(r["items"]):
        return "scores do not match items"
    if items is not None and (unknown := [i for i in r["items"] if i not in items]):
        return f"item {unknown[0]} is not in the instrument"
    return None


def read(folder: Path, items: set[str] | None = None) -> Read:
    """The usable answer records of a survey folder, and the lines left out with why."""
    from ..jsonio import read_records

    path = folder / ANSWERS
    out = Read()
    if not path.is_file():
        return out
    records, problems = read_records(path)
    out.problems.extend(problems)
    for n, r in records:
        why = _why_unusable(r, items)
        if why:
            out.problems.append((n, why))
        else:
            out.records.append(r)
    out.problems.sort()
    return out


@dataclass
class Bound:
    """The answers that belong to the personas as they are now (the last answer of each block)."""

    records: list[dict]
    missing: int = 0  # answered blocks of personas that no longer exist
    changed: int = 0  # answered blocks of personas whose content changed since (or with no hash)
    superseded: int = 0  # old answers of blocks answered again since (left out, nothing lost)
    changed_personas: set[str] = field(default_factory=set)
    missing_personas: set[str] = field(default_factory=set)

    def summary(self) -> str | None:
        """One sentence for a user, None when every answer belongs."""
        parts = []
        if self.changed:
            parts.append(
                f"{self.changed} answered block(s) of {len(self.changed_personas)} persona(s) whose content "
                "changed since they answered (or that record no persona hash)"
            )
        if self.missing:
            parts.append(f"{self.missing} of {len(self.missing_personas)} persona(s) that no longer exist")
        return "; ".join(parts) or None


def bind(records: list[dict], personas: list[dict] | dict[str, str]) -> Bound:
    """Keep the records whose persona exists with the content it had when it answered; of a block
    answered more than once, the last. Engine errors are not answers and are left out. An old
    answer of a block answered again since (administer re-asked its changed persona) is
    `superseded`, not counted as changed. `personas`: the personas, or their id -> content hash."""
    now = personas if isinstance(personas, dict) else {p["id"]: persona_hash(p) for p in personas}
    kept: dict[tuple, dict] = {}
    stale: list[dict] = []
    out = Bound([])
    for r in records:
        if r.get("error"):
            continue
        pid = r["persona"]
        if pid not in now:
            out.missing += 1
            out.missing_personas.add(pid)
        elif r.get("persona_hash") != now[pid]:
            stale.append(r)
        else:
            kept[(pid, r["kind"], r["block"])] = r
    for r in stale:
        if (r["persona"], r["kind"], r["block"]) in kept:
            out.superseded += 1
        else:
            out.changed += 1
            out.changed_personas.add(r["persona"])
    out.records = list(kept.values())
    return out

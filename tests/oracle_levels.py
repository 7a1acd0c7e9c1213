"""Persona values -> instance counts of the k12 narrative-level rules L1-L3 and the anchors against
pessimism A4-A6, in plain Python (test oracle, part of tests/oracle_k12.py).

A4-A6 are re-implemented from their rule texts. L1-L3 take what the prose states from the level
reader itself (hachimi.text.reader.read), which tests/text/ tests on its own against hand-labelled
English and Chinese prose (tests/text/data/) and the original authors' paragraphs: the oracle
re-implements the rules (a trusted reading that excludes the structured level is L1, a mention with
no trusted reading, unless a loose one allows the level, is L2/L3; one instance per structured
field), not the reader."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hachimi.facts.levels import vocabulary_of
from hachimi.plugins.k12.schema import K12
from hachimi.plugins.k12 import enums as E
from hachimi.text.reader import read

THEORY_DIR = Path(__file__).resolve().parents[1] / "constraints" / "k12"
_CFG = tomllib.loads((THEORY_DIR / "theory.toml").read_text(encoding="utf-8"))["features"]["levels"]
_VOCAB = vocabulary_of(THEORY_DIR / _CFG["vocabulary"], K12)
_LOW_TAIL = ("low", "fairly_low")


def _key(part: str, d: str) -> str:
    return f"{part}.levels.{d}" if part in ("values", "creativity") else f"mental_health.{d}"


def check(vals: dict) -> dict[str, int]:
    out: dict[str, int] = {}

    def add(rule: str, n: int = 1) -> None:
        if n:
            out[rule] = out.get(rule, 0) + n

    # L1-L3: one instance per structured field the prose contradicts / mentions without a level
    for field, part in _CFG["fields"].items():
        text = vals.get(field)
        if not isinstance(text, str):
            continue
        reading = read(text, _VOCAB.parts[part], _VOCAB)
        for d in _VOCAB.parts[part]:
            have = vals.get(_key(part, d))
            trusted = [r for r in reading.of(d) if r.trusted and r.steps]
            loose = [r for r in reading.of(d) if r.steps]
            if have is not None and any(have not in r.steps for r in trusted):
                add("narrative-level")
            mentioned = d in reading.mentioned() or d in reading.hedged or reading.of(d)
            agrees = loose and have is not None and all(have in r.steps for r in loose)
            if mentioned and not trusted and not agrees:
                add("mh-level-unstated" if part == "mental_health" else "narrative-level-unstated")

    # A4-A6: a high target level is not uniformly pessimistic
    if vals.get("slot.academic_level") == "high":
        if sum(vals.get(f"values.levels.{d}") in _LOW_TAIL for d in E.VALUE_DIMENSIONS) > 2:
            add("anchor-high-values")
        if sum(vals.get(f"creativity.levels.{d}") in _LOW_TAIL for d in E.CREATIVITY_DIMENSIONS) > 3:
            add("anchor-high-creativity")
        if vals.get("mental_health.overall_state") in _LOW_TAIL and vals.get("mental_health.happiness") in _LOW_TAIL:
            add("anchor-high-mental-health")
        if vals.get("mental_health.depression_risk") == "high" and vals.get("mental_health.anxiety_risk") == "high":
            add("anchor-high-mental-health")
    return out

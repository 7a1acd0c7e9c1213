"""Persona values -> instance counts of the k12 readable-prose rules T1-T6 (test oracle, part of
tests/oracle_k12.py). What the prose is (real-word share, run-ons, language ...) comes from the reader
itself (hachimi.facts.readable, tested against hand-picked clean and junk text in
tests/facts/test_readable.py); the oracle re-implements the rules: one instance per field and kind."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hachimi.plugins.k12.schema import K12
from hachimi.facts import readable

THEORY_DIR = Path(__file__).resolve().parents[1] / "constraints" / "k12"
_TABLE = tomllib.loads((THEORY_DIR / "theory.toml").read_text(encoding="utf-8"))["features"]["readable"]
_CFG = readable.configure(_TABLE, THEORY_DIR, "theory.toml", K12)
RULE_OF_KIND = {
    "unknown_words": "gibberish",
    "weak_words": "weak-prose",
    "run_on": "run-on-words",
    "glued_name": "glued-names",
    "wrong_language": "wrong-language",
    "name_only": "personality-not-described",
    "bad_trait": "trait-form",
}


def check(vals: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    flags = {f.rest for f in readable.facts(vals, _CFG) if f.pred == "unreadable"}
    for rest in flags:  # ',"<field>",<kind>'
        rule = RULE_OF_KIND[rest.rsplit(",", 1)[1]]
        out[rule] = out.get(rule, 0) + 1
    return out

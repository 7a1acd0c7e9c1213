"""The hand-labelled natural-prose set (tests/text/data/) scored against the text reader: used by
tests/text/test_labelled.py and benchmarks/text_bench.py.

A statement row's label is the set of steps a careful reader takes for each dimension it mentions
([] = no readable level). For a dimension of a correct row the reader's outcome is
- exact: its trusted readings allow exactly the labelled set (or, for [], it trusts no reading);
- agree: they allow the true level, but another set ("strong" read as fairly high or high where the
  label says high): no error, and no warning;
- unread: no trusted reading (a warning, never an error);
- wrong: a trusted reading excludes the true level: a false L1 error. Must never happen.
For the changed dimension of a wrong-level twin: caught (a trusted reading excludes the true level:
L1 fires) or missed."""

from __future__ import annotations

import json
from pathlib import Path

from hachimi.facts.levels import vocabulary_of
from hachimi.plugins.k12.schema import K12
from hachimi.resources import CONSTRAINTS
from hachimi.text.reader import read

DATA = Path(__file__).resolve().parent / "data"
VOCAB = vocabulary_of(CONSTRAINTS / "k12" / "vocab" / "levels.toml", K12)


def rows(lang: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / f"levels_{lang}.jsonl").read_text(encoding="utf-8").splitlines() if x]


def personas(lang: str, kind: str = "personas") -> list[dict]:
    return [json.loads(x) for x in (DATA / f"{kind}_{lang}.jsonl").read_text(encoding="utf-8").splitlines() if x]


def outcomes(row: dict) -> list[tuple[str, str, str]]:
    """(dimension, outcome, what the reader took) for each labelled dimension of a row."""
    reading = read(row["text"], VOCAB.parts[row["part"]], VOCAB, row["lang"])
    out = []
    for d, label in row["labels"].items():
        truth = row["truth"].get(d)
        trusted = [r for r in reading.of(d) if r.trusted and r.steps]
        took = " & ".join(f"{r.expression}={'/'.join(sorted(r.steps))}" for r in reading.of(d)) or "-"
        if not trusted:
            took += " (loose)" if reading.of(d) else ""
        excludes = truth is not None and any(truth not in r.steps for r in trusted)
        if row.get("twin_of") and truth not in label:
            out.append((d, "caught" if excludes else "missed", took))
            continue
        if excludes:
            out.append((d, "wrong", took))
        elif not trusted:
            out.append((d, "exact" if not label else "unread", took))
        elif frozenset.intersection(*(r.steps for r in trusted)) == frozenset(label) and all(
            r.steps == frozenset(label) for r in trusted
        ):
            out.append((d, "exact", took))
        else:
            out.append((d, "agree", took))
    return out


def twin_verdicts(lang: str, theory=None) -> list[tuple[dict, list[dict], bool]]:
    """(twin, its violations, caught): caught when a violation of the expected rule (by ref) fires."""
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load
    from hachimi.validate import Validator

    theory = theory or load(locate("k12"))
    twins = personas(lang, "twins")
    results = Validator(theory, explain=False, repair=False).validate_objects([t["persona"] for t in twins])
    out = []
    for t, r in zip(twins, results):
        vs = [v.to_dict() for v in r.violations]
        out.append((t, vs, any(v["ref"] == t["expected_rule"] for v in vs)))
    return out

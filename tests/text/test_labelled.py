"""The hand-labelled natural-prose set (tests/text/data/, written independently of the reader, in
several voices, en and zh): the reader never reads a level that contradicts a correct statement,
catches wrong-level twins, and the whole personas are kept while their single-defect twins are
caught by the expected rule. Per-construction figures: benchmarks/text_bench.py."""

from __future__ import annotations

import collections

import pytest

from labelled import outcomes, personas, rows, twin_verdicts

LANGS = ("en", "zh")


def tally(lang: str) -> collections.Counter:
    out = collections.Counter()
    for row in rows(lang):
        for _, outcome, _ in outcomes(row):
            out[outcome] += 1
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_no_correct_statement_is_read_as_a_contradiction(lang):
    wrong = [(row["id"], d, took) for row in rows(lang) for d, o, took in outcomes(row) if o == "wrong"]
    assert wrong == []


@pytest.mark.parametrize("lang, read_share, caught_share", [("en", 0.88, 0.85), ("zh", 0.90, 0.80)])
def test_statements_are_read_and_twins_caught(lang, read_share, caught_share):
    n = tally(lang)
    read = n["exact"] + n["agree"]
    assert read / (read + n["unread"]) >= read_share, n
    assert n["caught"] / (n["caught"] + n["missed"]) >= caught_share, n


def test_the_set_is_as_large_and_varied_as_promised():
    en, zh = rows("en"), rows("zh")
    assert sum(not r["twin_of"] for r in en) >= 300 and sum(not r["twin_of"] for r in zh) >= 150
    for lang_rows in (en, zh):
        assert len({r["construction"] for r in lang_rows}) >= 12
        assert len({r["voice"] for r in lang_rows}) >= 4
        assert any(r["twin_of"] for r in lang_rows)


@pytest.mark.parametrize("lang", LANGS)
def test_honest_personas_in_natural_prose_are_valid(lang, theory):
    from hachimi.validate import Validator

    results = list(Validator(theory, explain=False, repair=False).validate_objects(personas(lang)))
    invalid = [(r.id, [v.message for v in r.violations if v.severity == "error"]) for r in results if not r.valid]
    assert invalid == []


def test_single_defect_twins_are_caught_by_the_expected_rule(theory):
    verdicts = [v for lang in LANGS for v in twin_verdicts(lang, theory)]
    caught = sum(c for _, _, c in verdicts)
    assert caught / len(verdicts) >= 0.95, [t["id"] for t, _, c in verdicts if not c]
    by_rule = collections.Counter(t["expected_rule"] for t, _, c in verdicts if c)
    assert by_rule["L1"] >= 40 and by_rule["R12"] >= 15 and by_rule["T6"] >= 12 and by_rule["C3"] >= 12

"""Scoring against hand-computed values: keyed item means (reverse keys flipped, refusals and the
option-order repeats left out), z over the sample, cohorts and their bootstrap intervals."""

from __future__ import annotations

import math

import pytest

from hachimi.survey.cohorts import placement
from hachimi.survey.instrument import load
from hachimi.survey.score import bootstrap_mean, score

INSTRUMENT = """
[instrument]
name = "tiny"
languages = ["en"]
refusal = { en = "no answer" }
[scales.a4]
values = [1, 2, 3, 4]
labels.en = ["sd", "d", "a", "sa"]
stem.en = "Agree?"
[constructs.JOY]
name = "Joy"
scale = "a4"
higher = "more joy"
[[item]]
id = "J1"
construct = "JOY"
wording = "a test item"
codes = "ascending"
text.en = "I am happy"
[[item]]
id = "J2"
construct = "JOY"
wording = "a test item"
codes = "ascending"
text.en = "I smile"
[[item]]
id = "J3"
construct = "JOY"
wording = "a test item"
codes = "ascending"
reverse = true
text.en = "I am sad"
"""


@pytest.fixture
def tiny(tmp_path):
    (tmp_path / "instrument.toml").write_text(INSTRUMENT)
    return load(str(tmp_path))


def _persona(pid, tier, gender, dep="low"):
    return {
        "id": pid,
        "slot": {"grade": 9, "gender": gender, "academic_level": tier},
        "enrollment": {"grade": 9, "gender": gender},
        "mental_health": {"depression_risk": dep, "anxiety_risk": "low"},
    }


def _answers(pid, j1, j2, j3_label_index, kind="main"):
    # scores as administer writes them: keyed (J3 reversed: label index 3 "sa" -> 1)
    j3 = None if j3_label_index is None else 4 + 1 - (j3_label_index + 1)
    return {
        "persona": pid,
        "kind": kind,
        "block": 0,
        "items": ["J1", "J2", "J3"],
        "scores": {"J1": j1, "J2": j2, "J3": j3},
        "refused": [] if j3 is not None else ["J3"],
        "error": None,
    }


def test_reverse_key(tiny):
    j3 = next(i for i in tiny.items if i.id == "J3")
    assert [tiny.score(j3, k) for k in range(4)] == [4, 3, 2, 1]
    j1 = next(i for i in tiny.items if i.id == "J1")
    assert [tiny.score(j1, k) for k in range(4)] == [1, 2, 3, 4]


def test_scores_by_hand(tiny, theory):
    personas = [
        _persona("a", "high", "female"),
        _persona("b", "poor", "male", dep="high"),
        _persona("c", "poor", "female"),
    ]
    answers = [
        _answers("a", 4, 3, 0),  # J3 "sd" -> keyed 4: mean (4 + 3 + 4) / 3 = 11/3
        _answers("b", 1, 2, 3),  # J3 "sa" -> keyed 1: mean 4/3
        _answers("c", 2, 3, None),  # J3 refused: mean of J1, J2 = 2.5
        _answers("c", 4, 4, 0, kind="reversed"),  # the option-order repeat is not scored
    ]
    s = score(personas, answers, tiny, placement(theory))
    raw = {p: s.personas[p]["raw"]["JOY"] for p in "abc"}
    assert raw == pytest.approx({"a": 11 / 3, "b": 4 / 3, "c": 2.5})
    mu = (11 / 3 + 4 / 3 + 2.5) / 3
    sd = math.sqrt(sum((v - mu) ** 2 for v in raw.values()) / 3)
    assert s.personas["a"]["z"]["JOY"] == pytest.approx((11 / 3 - mu) / sd)
    assert s.personas["b"]["risk"] == "high" and s.personas["a"]["risk"] == "low"
    poor = next(c for c in s.cohorts if c["kind"] == "tier" and c["key"] == "poor")
    assert poor["n"] == 2 and poor["mean_raw"] == pytest.approx((4 / 3 + 2.5) / 2)
    cohort = next(c for c in s.cohorts if c["kind"] == "cohort" and c["key"] == "poor/male/high")
    assert cohort["n"] == 1 and math.isnan(cohort["ci_low"])  # one persona: no interval
    assert s.variables == ["tier", "gender", "risk"]
    assert [c["kind"] for c in s.cohorts if c["construct"] == "JOY"] == [
        *["cohort"] * 3,
        "band",
        *["tier"] * 2,
        *["gender"] * 2,
        *["risk"] * 2,
    ]


def test_risk_from_the_plan_strata(theory):
    strata = {
        "risk": {
            "low": [{"mental_health.depression_risk": ["low", "mild"]}],
            "high": [{"mental_health.depression_risk": ["moderate", "high"]}],
        }
    }
    where = placement(theory)
    assert where.of(_persona("x", "low", "male", dep="mild"), strata)["risk"] == "low"
    assert where.of(_persona("x", "low", "male", dep="high"), strata)["risk"] == "high"
    assert where.of(_persona("x", "low", "male"), strata)["band"] == "7-9"
    assert where.of({"mental_health": {"depression_risk": "severe"}}, strata)["risk"] == "unknown"


def test_bootstrap_interval_holds_the_mean_and_is_seeded():
    vals = [0.1, 0.5, -0.2, 0.9, 0.4, -0.1]
    lo, hi = bootstrap_mean(vals, 3)
    assert lo < sum(vals) / len(vals) < hi
    assert bootstrap_mean(vals, 3) == (lo, hi)

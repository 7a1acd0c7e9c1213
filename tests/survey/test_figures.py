"""Each published figure beside the personas' estimate, computed by hand on a tiny sample: shares
and means on the items' own values, gaps and trends on z, verdicts by what the figure can test."""

from __future__ import annotations

import math

import pytest

from conftest import ROOT
from hachimi.survey.figures import estimates
from hachimi.survey.instrument import load
from hachimi.survey.score import Scored

MINI = ROOT / "tests" / "fixtures" / "instruments" / "mini"


def _block(pid, scores):
    return {"persona": pid, "kind": "main", "block": 0, "items": list(scores), "scores": scores, "refused": []}


@pytest.fixture
def case():
    inst = load(str(MINI))
    # four personas: B1/B2 raw answers; J3 is reverse keyed (keyed 4 = raw 1)
    answers = [
        _block("a", {"B1": 3, "B2": 1, "J1": 4, "J2": 4, "J3": 4}),  # bullied monthly (B1 = 3)
        _block("b", {"B1": 1, "B2": 2, "J1": 3, "J2": 3, "J3": 3}),
        _block("c", {"B1": 1, "B2": 1, "J1": 2, "J2": 2, "J3": 2}),
        _block("d", {"B1": 4, "B2": None, "J1": 1, "J2": 1, "J3": 1}),  # B2 refused
        {**_block("d", {"B1": 1}), "kind": "reversed"},  # the option-order check is not counted
    ]
    z = {"a": 1.5, "b": 0.5, "c": -0.5, "d": -1.5}
    people = {
        "a": ("female", "high"),
        "b": ("female", "medium"),
        "c": ("male", "low"),
        "d": ("male", "poor"),
    }
    scored = Scored(
        {
            p: {"gender": g, "tier": t, "risk": "low", "band": "7-9", "raw": {}, "z": {"JOY": z[p]}}
            for p, (g, t) in people.items()
        },
        ["JOY", "BULL"],
        variables=["tier", "gender", "risk"],
    )
    return inst, scored, answers


def test_estimates_by_hand(case):
    inst, scored, answers = case
    got = {f["id"]: f for f in estimates(inst, scored, answers, seed=3)}
    share = got["bullied-monthly"]
    assert share["estimate"] == pytest.approx(0.5) and share["n"] == 4  # a and d
    assert share["ci"][0] <= 0.2 <= share["ci"][1] and share["verdict"] == "agrees"
    mean = got["joy-mean"]  # keyed means: 4, 3, 2, 1
    assert mean["estimate"] == pytest.approx(2.5) and mean["verdict"] in ("agrees", "lower")
    gap = got["joy-girls"]
    assert gap["estimate"] == pytest.approx(2.0) and gap["n"] == 4  # (1.5 + 0.5)/2 - (-0.5 - 1.5)/2
    assert gap["verdict"] in ("same direction", "sign only")
    trend = got["joy-tier"]
    assert trend["estimate"] == pytest.approx(1.0) and trend["verdict"] in ("same direction", "sign only")
    ctx = got["joy-index-system"]
    assert ctx["estimate"] is None and ctx["verdict"] == "not comparable"
    for f in got.values():  # every figure carries what it is and what it can test
        assert f["source"] and f["checked"] and f["can_test"] and f["cannot_test"] and f["year"] == 2022


def test_verdicts_follow_what_a_figure_can_test(case):
    inst, scored, answers = case
    share = next(f for f in inst.figures if f.id == "bullied-monthly")
    gap = next(f for f in inst.figures if f.id == "joy-girls")
    from hachimi.survey.figures import verdict

    assert verdict(share, 0.5, (0.4, 0.6), 30) == "higher"
    assert verdict(share, 0.1, (0.05, 0.15), 30) == "lower"
    assert verdict(gap, 0.4, (0.1, 0.7), 30) == "same direction"
    assert verdict(gap, 0.1, (-0.2, 0.4), 30) == "sign only"
    assert verdict(gap, -0.4, (-0.7, -0.1), 30) == "opposite"
    assert verdict(gap, None, (math.nan, math.nan), 0) == "too few"


def test_where_restricts_the_personas(case):
    inst, scored, answers = case
    fig = next(f for f in inst.figures if f.id == "bullied-monthly")
    fig = fig.model_copy(update={"where": {"gender": "female"}})
    inst.figures = [fig]
    [only] = estimates(inst, scored, answers)
    assert only["n"] == 2 and only["estimate"] == pytest.approx(0.5)
    inst.figures = [fig.model_copy(update={"where": {"band": "10-12"}})]
    [none] = estimates(inst, scored, answers)
    assert none["n"] == 0 and none["verdict"] == "too few"

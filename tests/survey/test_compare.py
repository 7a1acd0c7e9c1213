"""Agent vs human: correlations with intervals on constructed cohorts, hypotheses' verdicts, and
the pitfall metrics on answers built by hand."""

from __future__ import annotations

import math

import pytest

from hachimi.survey.compare import correlations, fisher_ci, hypotheses, pitfalls, read_reference, spearman
from hachimi.survey.instrument import load
from hachimi.survey.score import Scored


def _scored(values: dict[tuple, float], construct="MATHEFF") -> Scored:
    cohorts = [
        {
            "kind": "cohort",
            "key": "/".join(k),
            "construct": construct,
            "n": 1,
            "mean_z": v,
            "ci_low": 0,
            "ci_high": 0,
            "mean_raw": v,
        }
        for k, v in values.items()
    ]
    return Scored({}, [construct], cohorts)


def test_correlation_of_cohort_means(tmp_path):
    tiers, genders, risks = ("poor", "low", "medium", "high"), ("female", "male"), ("low", "high")
    keys = [(t, g, r) for t in tiers for g in genders for r in risks]
    human = {k: i * 0.1 for i, k in enumerate(keys)}
    agent = {k: 2 * v + 1 for k, v in human.items()}  # a perfect linear relation
    ref = tmp_path / "human.csv"
    ref.write_text(
        "construct,tier,gender,risk,mean,sd,n\n"
        + "".join(f"MATHEFF,{t},{g},{r},{human[(t, g, r)]},1,10\n" for t, g, r in keys)
    )
    [c] = correlations(_scored(agent), read_reference(ref))
    assert c["n_cohorts"] == 16 and c["pearson_r"] == pytest.approx(1.0) and c["spearman_rho"] == pytest.approx(1.0)
    lo, hi = fisher_ci(0.5, 16)
    assert lo < 0.5 < hi and lo == pytest.approx(math.tanh(math.atanh(0.5) - 1.96 / math.sqrt(13)))
    assert spearman([1, 2, 3, 4], [10, 20, 15, 30]) == pytest.approx(0.8)


def test_reference_file_errors(tmp_path):
    from hachimi.errors import HachimiError

    bad = tmp_path / "bad.csv"
    bad.write_text("construct,tier,mean\nMATHEFF,high,1\n")
    with pytest.raises(HachimiError, match="missing column"):
        read_reference(bad)
    bad.write_text("construct,tier,gender,risk,mean\nMATHEFF,high,male,low,lots\n")
    with pytest.raises(HachimiError, match=r"bad.csv:2: mean must be a number, got .lots."):
        read_reference(bad)


def test_hypotheses_verdicts():
    inst = load("pisa2022-student")
    personas = {}
    for i in range(40):
        tier = ("poor", "low", "medium", "high")[(i // 2) % 4]  # both genders in every tier
        gender = ("female", "male")[i % 2]
        z = {"MATHEFF": (i // 2) % 4 + 0.01 * i, "ANXMAT": (1.0 if gender == "female" else -1.0) + 0.1 * (i // 8)}
        personas[f"p{i}"] = {"tier": tier, "gender": gender, "risk": "low", "band": "7-9", "raw": {}, "z": z}
    out = {h["id"]: h for h in hypotheses(Scored(personas, list(inst.constructs)), inst)}
    assert out["efficacy-tier"]["verdict"] == "pass" and out["efficacy-tier"]["value"] > 0.9
    assert out["anxiety-girls"]["verdict"] == "pass" and out["anxiety-girls"]["value"] > 1
    assert out["anxiety-tier"]["verdict"] != "pass"  # anxiety does not depend on tier here
    assert out["lifesat-risk"]["verdict"] == "too few"  # one risk stratum only


def test_pitfalls_by_hand():
    inst = load("pisa2022-student")
    # BELONG: ST034Q03TA positive, ST034Q01TA reverse-keyed. Persona a agrees with both (raw 3
    # and 4: keyed 3 and 1): acquiescent. Persona b agrees with the positive one only.
    main = [
        {
            "persona": "a",
            "kind": "main",
            "block": 0,
            "items": ["ST034Q03TA", "ST034Q01TA"],
            "scores": {"ST034Q03TA": 3, "ST034Q01TA": 1},
            "refused": [],
            "error": None,
        },
        {
            "persona": "b",
            "kind": "main",
            "block": 0,
            "items": ["ST034Q03TA", "ST034Q01TA"],
            "scores": {"ST034Q03TA": 4, "ST034Q01TA": 4},
            "refused": [],
            "error": None,
        },
        {
            "persona": "c",
            "kind": "main",
            "block": 0,
            "items": ["ST034Q03TA", "ST034Q01TA"],
            "scores": {"ST034Q03TA": None, "ST034Q01TA": 2},
            "refused": ["ST034Q03TA"],
            "error": None,
        },
        {
            "persona": "a",
            "kind": "reversed",
            "block": 1,
            "items": ["ST034Q03TA"],
            "scores": {"ST034Q03TA": 1},
            "refused": [],
            "error": None,
        },
    ]
    scored = Scored({"a": {"raw": {"BELONG": 2.0}}, "b": {"raw": {"BELONG": 4.0}}}, list(inst.constructs))
    ref = [{"construct": "BELONG", "tier": "all", "gender": "all", "risk": "all", "mean": 2.5, "sd": 2.0}]
    belong = next(p for p in pitfalls(main, inst, ref, scored) if p["construct"] == "BELONG")
    assert belong["refusal_rate"] == pytest.approx(1 / 6)
    assert belong["acquiescence"] == pytest.approx(1 / 2) and belong["acquiescence_n"] == 2  # c answered one item
    assert belong["order_signed_change"] == pytest.approx(-2) and belong["order_n"] == 1
    assert belong["agent_sd_raw"] == pytest.approx(1.0) and belong["sd_ratio"] == pytest.approx(0.5)

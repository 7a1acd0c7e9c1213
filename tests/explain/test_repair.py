"""Repairs: minimal, never touch the slot, and re-validation removes what they claim to fix."""

from hachimi.explain.apply import apply_repair
from conftest import set_path


def _fixed_refs(before, after):
    return {v.ref for v in before.violations} - {v.ref for v in after.violations}


def test_repair_then_revalidate(validate_one, base):
    set_path(base, "enrollment.grade", 11)
    set_path(base, "enrollment.stages.kohlberg", "postconventional")
    set_path(base, "academic.weak_subjects", ["english", "math"])
    before = validate_one(base)
    assert {v.rule for v in before.violations} == {"age-grade", "slot-match", "stage-age", "subjects-disjoint"}
    rep = before.repair
    after = validate_one(apply_repair(base, rep["changes"]))
    assert after.valid and after.violations == []
    assert set(rep["fixes"]) == _fixed_refs(before, after) == {"R1", "R2", "R3", "S1"}
    assert not any(c["field"].startswith("slot.") for c in rep["changes"])


def test_weights_prefer_the_cheap_field(validate_one, base):
    # age 17 in grade 8 (slot 8): change the age (weight 2), not grade (3) + slot mismatch
    set_path(base, "enrollment.age", 17)
    set_path(base, "enrollment.stages.kohlberg", "postconventional")
    r = validate_one(base)
    fields = {c["field"] for c in r.repair["changes"]}
    assert "enrollment.age" in fields and "enrollment.grade" not in fields
    assert validate_one(apply_repair(base, r.repair["changes"])).valid


def test_text_rules_are_unfixable(validate_one, base):
    set_path(base, "mental_health.background", "She takes medication every day.")
    r = validate_one(base)
    assert r.repair == {"changes": [], "fixes": [], "unfixable": ["R12"]}


def test_r5_fixed_by_lowering_the_rating(validate_one, base):
    set_path(base, "values.levels.physical_mental_health", "high")
    set_path(base, "values.levels.moral_cultivation", "medium")
    narrative = base["values"]["narrative"].replace("moral cultivation is fairly high", "moral cultivation is medium")
    set_path(base, "values.narrative", narrative.replace("health is medium", "health is high"))
    set_path(base, "mental_health.narrative", "She had panic attacks in spring; her depression risk is mild.")
    r = validate_one(base)
    assert {v.rule for v in r.violations} == {"health-text"}
    c, text = r.repair["changes"]
    assert c["field"] == "values.levels.physical_mental_health" and c["to"] in (
        "upper_middle",
        "medium",
        "fairly_low",
        "low",
    )
    # the prose stated the old level: the repair rewrites that expression, and only it
    assert text["field"] == "values.narrative"
    word = {"upper_middle": "upper-middle", "fairly_low": "fairly low"}.get(c["to"], c["to"])
    assert text["to"] == text["from"].replace("health is high", f"health is {word}")
    assert r.repair["fixes"] == ["R5"] and r.repair["unfixable"] == []
    after = validate_one(apply_repair(base, r.repair["changes"]))
    assert after.valid and not [v for v in after.violations if v.rule == "narrative-level"]


def test_anchor_repair_is_minimal(validate_one, base):
    set_path(base, "mental_health.depression_risk", "low")  # A3: both risks low for a low target
    r = validate_one(base)
    # the narrative already says "her depression risk is mild": the one change fixes A3 and that L1 too
    assert len(r.repair["changes"]) == 1 and r.repair["fixes"] == ["A3", "L1"]

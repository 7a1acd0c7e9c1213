"""Cores are minimal: with the rule they force the violation; without any one fact they do not."""

import pytest

from hachimi.explain.core import CoreFinder
from hachimi.facts.reader import read
from hachimi.authoring.fixtures import load_cases


@pytest.fixture(scope="module")
def finder(theory):
    return CoreFinder(theory)


def _check_minimal(finder, present, rule, key_text):
    lits = finder.core_literals(present, rule, key_text)
    assert lits is not None, f"no core for {rule} {key_text}"
    target = finder.target(rule, key_text)
    assert finder._unsat(list(lits), target), f"{rule}: core does not force the violation"
    for x in lits:
        rest = [y for y in lits if y != x]
        assert not finder._unsat(rest, target), f"{rule}: core without {finder.fact_of[abs(x)]} still forces it"
    return lits


def test_every_failing_fixture_has_minimal_cores(theory, finder):
    from hachimi.solve.batch import detect

    cases = [c for c in load_cases(theory) if c.expect == "fail"]
    recs = [read(c.persona, theory.text) for c in cases]
    checked = 0
    for case, rec, hits in zip(cases, recs, detect(theory, recs)):
        present = {f.atom(0) for f in rec.facts}
        for h in hits:
            _check_minimal(finder, present, h.rule, h.key_text)
            checked += 1
    assert checked >= len(cases)


def test_age_grade_core_is_exactly_age_and_grade(validate_one, base):
    base["enrollment"]["grade"] = base["slot"]["grade"] = 11
    [v] = [v for v in validate_one(base).violations if v.rule == "age-grade"]
    assert v.core == ["enrollment.age=13", "enrollment.grade=11"]
    assert v.message == "Age 13 does not fit grade 11: expected 15-18."


def test_absence_rule_core_names_the_absent_mention(validate_one, base):
    base["values"]["narrative"] = base["values"]["narrative"].replace("rule of law", "fairness")
    [v] = validate_one(base).violations
    assert v.rule == "values-mentions" and v.severity == "warning"
    assert "values.narrative does not mention rule_of_law" in v.core


def test_cached_core_is_reused_and_still_valid(theory, finder, base):
    p1 = dict(base, enrollment=dict(base["enrollment"], age=17))
    p2 = dict(base, enrollment=dict(base["enrollment"], age=17, name="Li Hao"))
    for p in (p1, p2):
        present = {f.atom(0) for f in read(p, theory.text).facts}
        _check_minimal(finder, present, "age-grade", "none")
    assert finder.stats["cache_hits"] >= 1


def test_anchor_core_has_slot_level_and_the_non_lowish_dimensions(validate_one, base):
    levels = {
        "moral_cultivation": "fairly_high",
        "physical_mental_health": "upper_middle",
        "rule_of_law": "high",
        "social_responsibility": "fairly_low",
        "political_identity": "upper_middle",
        "cultural_literacy": "upper_middle",
        "family_orientation": "high",
    }
    base["values"]["levels"] = levels
    [v] = [v for v in validate_one(base).violations if v.rule == "anchor-values"]
    # low target needs 2 lowish; 1 is: the core is the slot level plus the six non-lowish dimensions
    assert "slot.academic_level=low" in v.core and len(v.core) == 7
    assert "values.levels.social_responsibility=fairly_low" not in v.core


def test_leaving_out_unrelated_fields_changes_no_core(theory):
    """Cores are computed over the literals the violation can depend on (its dependency cone, whole
    scalar fields, constraint-tied fields); over all literals (slower) the deletion keeps the same."""
    from hachimi.solve.batch import detect

    cases = [c for c in load_cases(theory) if c.expect == "fail"]
    recs = [read(c.persona, theory.text) for c in cases]
    fast, slow = CoreFinder(theory), CoreFinder(theory)
    everything = frozenset(f.field for f in slow.fact_of.values())
    slow.engine.relevant_fields = lambda atom: everything
    for rec, hits in zip(recs, detect(theory, recs)):
        present = {f.atom(0) for f in rec.facts}
        for h in hits:
            assert fast.core_literals(present, h.rule, h.key_text) == slow.core_literals(present, h.rule, h.key_text)


def test_health_consistency_core_is_the_two_fields_that_cannot_hold(validate_one, base):
    """A field a numeric rule reads but does not need is not in its core (it was: the completion
    let a dropped field become absent, and an absent field made the tabulated rule vacuous)."""
    base["values"]["levels"]["physical_mental_health"] = "fairly_high"
    mh = base["mental_health"]
    mh["overall_state"], mh["depression_risk"], mh["anxiety_risk"] = "fairly_high", "high", "mild"
    [v] = [v for v in validate_one(base).violations if v.rule == "health-consistency"]
    assert v.core == ["mental_health.depression_risk=high", "values.levels.physical_mental_health=fairly_high"]


def _z3_forces(rule, values: dict) -> bool:
    """Independent of the tabulation: Z3 says no values of the other fields satisfy the rule."""
    import z3

    from hachimi.plugins.k12.schema import BY_PATH

    decls = "\n".join(f"(declare-const {f} Int)" for f in rule.fields)
    formula = z3.parse_smt2_string(f"{decls}\n(assert {rule.text})")[0]
    s = z3.Solver()
    s.add(formula)
    for f in rule.fields:
        spec, var = BY_PATH[f], z3.Int(f)
        code = (lambda v: v) if spec.kind in ("int", "count") else spec.domain.index
        if f in values:
            s.add(var == code(values[f]))
        else:
            s.add(z3.Or([var == code(v) for v in spec.domain]))
    return s.check() == z3.unsat


@pytest.mark.parametrize("rule_id", ["age-grade", "health-consistency"])
def test_numeric_cores_are_minimal_on_random_violating_assignments(theory, validate_one, base, rule_id):
    """Property: for random assignments that break a numeric rule, the core forces the violation
    and drops no field it could do without, by Z3 on the rule's own formula."""
    import copy
    import random

    from hachimi.plugins.k12.schema import BY_PATH

    rule = next(r for r in theory.smt_rules if r.id == rule_id)
    rng = random.Random(11)
    for bad in rng.sample(rule.bad, min(25, len(rule.bad))):
        p = copy.deepcopy(base)
        for path, value in zip(rule.fields, bad):
            node = p
            *parents, last = path.split(".")
            for k in parents:
                node = node[k]
            node[last] = value
            if path == "enrollment.grade":
                p["slot"]["grade"] = value
        [v] = [v for v in validate_one(p).violations if v.rule == rule_id]
        core = dict(c.split("=", 1) for c in v.core)
        values = {f: (int(x) if BY_PATH[f].kind in ("int", "count") else x) for f, x in core.items()}
        assert set(values) <= set(rule.fields), v.core
        assert _z3_forces(rule, values), (bad, v.core)
        for f in values:
            assert not _z3_forces(rule, {k: x for k, x in values.items() if k != f}), (bad, v.core, f)

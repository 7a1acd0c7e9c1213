"""Z3 numeric rules: the tabulated violations equal the arithmetic they state."""

from hachimi.schema import enums as E


def test_age_grade_table_is_the_r1_arithmetic(theory):
    rule = next(r for r in theory.smt_rules if r.id == "age-grade")
    expected = {(a, g) for a in range(E.AGE_MIN, E.AGE_MAX + 1) for g in E.GRADES if not g + 4 <= a <= g + 7}
    assert rule.fields == ["enrollment.age", "enrollment.grade"]
    assert set(rule.bad) == expected


def test_health_table_uses_ordinal_encoding(theory):
    rule = next(r for r in theory.smt_rules if r.id == "health-consistency")
    L, R = E.LEVELS, E.RISKS
    expected = {
        (p, o, d, a)
        for p in L
        for o in L
        for d in R
        for a in R
        if L.index(p) >= 4 and not (L.index(o) >= 2 and R.index(d) <= 2 and R.index(a) <= 2)
    }
    assert set(rule.bad) == expected


def test_health_rule_needs_only_two_fields_to_break(theory):
    """Its minimal falsifying partial assignments: a high health rating with a low overall state,
    or with a high depression risk, or with a high anxiety risk (the other fields free)."""
    rule = next(r for r in theory.smt_rules if r.id == "health-consistency")
    got = {(tuple(rule.fields[i] for i in idx), values) for idx, values in rule.partial}
    pmh, o, d, a = rule.fields
    expected = {((pmh, o), (p, x)) for p in ("fairly_high", "high") for x in ("low", "fairly_low")}
    expected |= {((pmh, f), (p, "high")) for p in ("fairly_high", "high") for f in (d, a)}
    assert got == expected


def test_age_grade_partials_are_its_full_table(theory):
    rule = next(r for r in theory.smt_rules if r.id == "age-grade")
    assert sorted(v for _, v in rule.partial) == sorted(rule.bad)

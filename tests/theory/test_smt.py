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

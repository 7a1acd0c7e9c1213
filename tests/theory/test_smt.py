"""Z3 numeric rules: the tabulated violations equal the arithmetic they state."""

from hachimi.plugins.k12 import enums as E


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


def test_an_ordinal_or_int_declared_real_is_refused_with_file_and_line(theory_copy):
    """Declared Real, the constant is another variable than the tabulated Int one: the rule would
    silently become another rule. Lint (and every load) names the declaration."""
    from hachimi.authoring.lint import lint

    smt = theory_copy / "numeric" / "mental_health.smt2"
    text = smt.read_text()
    line = text[: text.index("(declare-const mental_health.overall_state Int)")].count("\n") + 1
    smt.write_text(
        text.replace(
            "(declare-const mental_health.overall_state Int)", "(declare-const mental_health.overall_state Real)"
        )
    )
    [f] = lint(theory_copy)
    assert (f.file, f.line, f.severity) == (str(smt), line, "error")
    assert (
        "'mental_health.overall_state' is declared Real" in f.message and "enum field on the level scale" in f.message
    )
    assert "(declare-const mental_health.overall_state Int)" in f.message
    smt.write_text(text)
    age = theory_copy / "numeric" / "age_grade.smt2"
    age.write_text(
        age.read_text().replace("(declare-const enrollment.age Int)", "(declare-fun enrollment.age () Real)")
    )
    [f] = lint(theory_copy)
    assert (
        f.file == str(age) and f.line == 3 and "'enrollment.age' is declared Real, but it is an int field" in f.message
    )

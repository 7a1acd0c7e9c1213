"""`theory test`: each rule's pass/fail fixtures; gaps and wrong expectations are caught."""

from hachimi.authoring.fixtures import apply_patch, run
from hachimi.theory.pack import load


def test_k12_fixtures_all_pass(theory):
    outcomes, gaps = run(theory)
    assert gaps == []
    assert [o.detail for o in outcomes if not o.ok] == []
    assert {o.case.rule for o in outcomes} == set(theory.rules)


def test_base_fixture_has_no_violation_at_all(theory, validate_one, base):
    r = validate_one(base)
    assert r.valid and r.violations == []


def test_wrong_expectation_fails(theory_copy):
    p = theory_copy / "fixtures" / "cases.toml"
    p.write_text(p.read_text().replace('set = { "enrollment.age" = 12 }', 'set = { "enrollment.age" = 17 }'))
    outcomes, _ = run(load(theory_copy))
    bad = [o for o in outcomes if not o.ok]
    assert len(bad) == 1 and bad[0].case.rule == "age-grade" and "age-grade fired" in bad[0].detail


def test_coverage_gap_reported(theory_copy):
    p = theory_copy / "fixtures" / "cases.toml"
    text = p.read_text()
    start = text.index("# R15")
    end = text.index("# A1")
    p.write_text(text[:start] + text[end:])
    _, gaps = run(load(theory_copy))
    assert gaps == ["academic-level-value: no 'pass' case", "academic-level-value: no 'fail' case"]


def test_apply_patch():
    out = apply_patch({"a": {"b": 1, "c": 2}}, {"a.b": 5, "x.y": 1}, ["a.c"])
    assert out == {"a": {"b": 5}, "x": {"y": 1}}


def test_an_unknown_case_field_path_is_refused_where_it_is_written(theory_copy, cli):
    import pytest

    from hachimi.errors import TheoryError
    from hachimi.authoring.fixtures import load_cases

    p = theory_copy / "fixtures" / "cases.toml"
    text = p.read_text()
    p.write_text(text.replace('set = { "enrollment.age" = 12 }', 'set = { "enrollment.agee" = 12 }', 1))
    line = text[: text.index('set = { "enrollment.age" = 12 }')].count("\n") + 1
    with pytest.raises(TheoryError) as e:
        load_cases(load(theory_copy))
    assert e.value.file == str(p) and e.value.line == line and e.value.rule == "age-grade"
    assert "set names 'enrollment.agee', which is no field" in e.value.message and "'enrollment.age'" in e.value.message
    r = cli("theory", "lint", theory_copy)
    assert r.exit_code == 1 and f"cases.toml:{line}:" in r.output and "enrollment.agee" in r.output
    p.write_text(text.replace('set = { "enrollment.age" = 12 }', 'unset = ["academic.levle"]', 1))
    r = cli("theory", "test", theory_copy)
    assert r.exit_code == 2 and "unset names 'academic.levle'" in r.output and "expected" not in r.output

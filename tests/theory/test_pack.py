"""Loading a theory folder: errors name the file, line and rule."""

import pytest

from hachimi.errors import TheoryError
from hachimi.theory.pack import load


def test_k12_loads(theory):
    assert len(theory.rules) == 42
    refs = {r.ref for r in theory.rules.values()}
    assert refs >= {f"R{i}" for i in range(1, 16)} | {f"A{i}" for i in range(1, 7)} | {"S0", "S1"}
    assert refs >= {"L1", "L2", "L3"} | {f"T{i}" for i in range(1, 7)} | {f"C{i}" for i in range(1, 5)}
    assert set(theory.text.checks) == {"levels", "readable", "coherence"}
    assert all(r.citation for r in theory.rules.values())


def test_no_theory_toml(tmp_path):
    with pytest.raises(TheoryError, match="no theory.toml"):
        load(tmp_path)


def test_toml_syntax_error_has_line(theory_copy):
    p = theory_copy / "theory.toml"
    p.write_text(p.read_text() + "\n[[rule]\nid = 'x'\n")
    with pytest.raises(TheoryError) as e:
        load(theory_copy)
    assert e.value.line and "theory.toml" in str(e.value)


def test_bad_metadata_names_rule_and_line(theory_copy):
    p = theory_copy / "theory.toml"
    text = p.read_text().replace(
        'severity = "error"\nfields = ["enrollment.age", "enrollment.grade"]',
        'severity = "fatal"\nfields = ["enrollment.age", "enrollment.grade"]',
        1,
    )
    p.write_text(text)
    with pytest.raises(TheoryError) as e:
        load(theory_copy)
    assert e.value.rule == "age-grade" and e.value.line == text[: text.index('"age-grade"')].count("\n") + 1
    assert "severity 'fatal'" in str(e.value)


def test_unknown_field_in_metadata(theory_copy):
    p = theory_copy / "theory.toml"
    p.write_text(p.read_text().replace('fields = ["enrollment.agent_name"]', 'fields = ["enrollment.nick"]'))
    with pytest.raises(TheoryError, match="unknown field"):
        load(theory_copy)


def test_smt_syntax_error_has_line(theory_copy):
    f = theory_copy / "numeric" / "age_grade.smt2"
    f.write_text(
        f.read_text().replace(
            "(<= enrollment.age (+ enrollment.grade 7))", "(<= enrollment.age (plus enrollment.grade 7))"
        )
    )
    with pytest.raises(TheoryError) as e:
        load(theory_copy)
    assert e.value.file.endswith("age_grade.smt2") and e.value.line == 6 and e.value.rule == "age-grade"  # the bad line
    assert "unknown constant plus" in str(e.value) and e.value.column > 1


def test_smt_declaring_a_non_field(theory_copy):
    f = theory_copy / "numeric" / "age_grade.smt2"
    f.write_text(f.read_text().replace("(declare-const enrollment.grade Int)", "(declare-const grade Int)"))
    with pytest.raises(TheoryError, match="'grade' is not a numeric or enum persona field"):
        load(theory_copy)


def test_smt_rule_without_metadata(theory_copy):
    (theory_copy / "numeric" / "extra.smt2").write_text(
        "(declare-const enrollment.age Int)\n(assert (! (< enrollment.age 19) :named too-old))\n"
    )
    with pytest.raises(TheoryError) as e:
        load(theory_copy)
    assert e.value.rule == "too-old" and e.value.line == 2


def test_repair_weights(theory):
    assert theory.weight("enrollment.grade") == 3
    assert theory.weight("values.levels.rule_of_law") == 1

"""`theory lint`: syntax, unsafe variables, unknown predicates, metadata consistency."""

from hachimi.theory.lint import lint


def _add(folder, text, name="extra.lp"):
    (folder / "rules" / name).write_text(text)


def test_k12_is_clean(theory):
    assert lint(theory.root) == []


def test_syntax_error_has_file_line_column(theory_copy):
    _add(theory_copy, '% ok\nviolation(P,"age-grade",none) :- age(P,A) A > 3.\n')
    [f] = lint(theory_copy)
    assert f.file.endswith("extra.lp") and f.line == 2 and f.column > 0 and "syntax error" in f.message


def test_unsafe_variable(theory_copy):
    _add(theory_copy, 'violation(P,"age-grade",X) :- age(P,A).\n')
    [f] = lint(theory_copy)
    assert f.line == 1 and "unsafe" in f.message


def test_unknown_predicate_with_suggestion(theory_copy):
    _add(theory_copy, 'violation(P,"age-grade",none) :- agee(P,A), A > 30.\n')
    [f] = lint(theory_copy)
    assert "unknown predicate agee/2" in f.message and "did you mean age/2" in f.message and f.line == 1


def test_violation_without_metadata(theory_copy):
    _add(theory_copy, 'violation(P,"no-such-rule",none) :- age(P,5).\n')
    [f] = lint(theory_copy)
    assert f.rule == "no-such-rule" and "no [[rule]] entry" in f.message


def test_metadata_without_rule(theory_copy):
    p = theory_copy / "theory.toml"
    p.write_text(
        p.read_text() + '\n[[rule]]\nid = "ghost"\nref = "X1"\nowner = "values"\nseverity = "error"\n'
        'fields = ["values.narrative"]\nmessage = "m"\ncitation = "c"\n'
    )
    [f] = lint(theory_copy)
    assert f.rule == "ghost" and "no .lp or .smt2 rule derives" in f.message and f.line > 1


def test_unknown_placeholder(theory_copy):
    p = theory_copy / "theory.toml"
    p.write_text(p.read_text().replace("Subject {key} is both", "Subject {subjekt} is both"))
    [f] = lint(theory_copy)
    assert f.rule == "subjects-disjoint" and "{subjekt}" in f.message

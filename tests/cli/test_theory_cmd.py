"""`hachimi theory ...` and `hachimi schema ...` as a theory author runs them."""


def test_lint_clean(cli):
    r = cli("theory", "lint", "k12")
    assert r.exit_code == 0 and "k12: clean" in r.output


def test_lint_reports_location(cli, theory_copy):
    (theory_copy / "rules" / "extra.lp").write_text('violation(P,"age-grade",none) :- agee(P,A).\n')
    r = cli("theory", "lint", theory_copy)
    assert r.exit_code == 1 and "extra.lp:1:" in r.output and "unknown predicate agee/2" in r.output


def test_theory_test(cli):
    r = cli("theory", "test", "k12")
    assert r.exit_code == 0 and "0 failed; 0 coverage gap(s)" in r.output


def test_theory_check(cli):
    r = cli("theory", "check", "k12")
    assert r.exit_code == 0 and "contradictions: 0; values no persona can have: 0; dead rules: 0 -> clean" in r.output


def test_vocab_lists_fields(cli):
    r = cli("theory", "vocab")
    assert "age(P, V)" in r.output and "% enrollment.age" in r.output


def test_schema_check(cli):
    assert cli("schema", "check").exit_code == 0


def test_unknown_theory_name(cli):
    r = cli("theory", "lint", "no-such-theory")
    assert r.exit_code == 2 and "no theory folder" in r.output

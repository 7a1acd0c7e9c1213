"""`theory lint`: syntax, unsafe variables, unknown predicates, metadata consistency."""

from hachimi.authoring.lint import lint
from hachimi.theory.pack import load


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


def test_a_placeholder_with_a_format_or_no_detail_is_named(theory_copy):
    p = theory_copy / "theory.toml"
    text = p.read_text()
    p.write_text(text.replace("Subject {key} is both", "Subject {key!r} is both"))
    [f] = lint(theory_copy)
    assert f.rule == "subjects-disjoint" and "{key!r} is not filled in" in f.message
    # a numeric rule derives no details: {ceiling} in its message would be shown as "{ceiling}"
    smt_rule = next(r for r in load(theory_copy).rules.values() if r.id == "health-consistency")
    p.write_text(text.replace(smt_rule.message, smt_rule.message + " ({ceiling})"))
    [f] = lint(theory_copy)
    assert f.rule == "health-consistency" and "{ceiling} is not a field path, {key}, or a detail" in f.message
    assert 'detail(P, "health-consistency", Key, ceiling, Value)' in f.message and f.file.endswith("theory.toml")


def _motivation(tmp_path):
    import shutil

    from conftest import ROOT

    pack = tmp_path / "mot"
    shutil.copytree(ROOT / "constraints" / "k12-motivation", pack)
    return pack


def test_an_unknown_anchors_key_is_named_with_file_and_line(tmp_path):
    pack = _motivation(tmp_path)
    anchors = pack / "prompts" / "en" / "anchors.toml"
    anchors.write_text(anchors.read_text() + '\n[motivaton]\nhigh = "x"\n\n[motivation2]\n')
    anchors.write_text(anchors.read_text().replace("\nmedium = ", "\nmedum = ", 1))
    found = {(f.line, f.message) for f in lint(pack) if f.file == str(anchors)}
    lines = anchors.read_text().splitlines()
    assert any("[motivaton]: no prompt reads this key (did you mean motivation?)" in m for _, m in found), found
    assert any("[motivation] medum: not a value of slot.academic_level" in m for _, m in found), found
    assert {lines[n - 1].split()[0] for n, _ in found} == {"[motivaton]", "medum", "[motivation2]"}


def test_an_unknown_level_vocabulary_key_is_named(theory_copy):
    vocab = theory_copy / "vocab" / "levels.toml"
    text = vocab.read_text()
    vocab.write_text(text.replace("[en.level]", "[en.levle]", 1))
    [f] = lint(theory_copy)
    assert f.file == str(vocab) and "[en.levle]: not a key of a language table" in f.message
    vocab.write_text(text.replace("[en.names]", '[en.names]\nfluencey = ["fluency"]', 1))
    [f] = lint(theory_copy)
    assert "[en.names] fluencey: not a dimension of [scales]" in f.message

"""Broken theory packs (made from copies of k12) are answered with one clear error naming the file,
line and rule, by every command that loads them, never a traceback or a silent pass."""

import json
import re

import pytest

from hachimi.errors import TheoryError
from hachimi.authoring.lint import lint
from hachimi.theory.pack import load


def _edit(folder, rel, old, new, count=1):
    p = folder / rel
    text = p.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    p.write_text(text.replace(old, new, count), encoding="utf-8")


def _append(folder, rel, text):
    with open(folder / rel, "a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")


CASES = {
    # name: (break it, message fragment, file it names)
    "asp-syntax": (lambda f: _append(f, "rules/text.lp", "foo(X) :- ."), "unsafe variables", "rules/text.lp:"),
    "asp-parse": (
        lambda f: _append(f, "rules/text.lp", 'violation(P, "x" :- person(P).'),
        "syntax error",
        "rules/text.lp:",
    ),
    "no-answer-set": (lambda f: _append(f, "rules/text.lp", ":- person(P)."), "no answer set", "rules"),
    "script": (
        lambda f: _append(f, "rules/text.lp", "#script (python)\nimport os\n#end."),
        "#script blocks",
        "rules/text.lp:",
    ),
    "message-not-text": (
        lambda f: _edit(f, "theory.toml", 'message = "', 'message = 42 # "'),
        "message: must be text, not 42",
        "theory.toml:",
    ),
    "min-chars-text": (
        lambda f: _edit(f, "theory.toml", "min_chars = 20", 'min_chars = "20"'),
        "features.min_chars: must be a whole number, not '20'",
        "theory.toml:15",
    ),
    "fields-a-string": (
        lambda f: (f / "theory.toml").write_text(
            re.sub(
                r'fields = \["enrollment.age", "enrollment.grade"\]',
                'fields = "enrollment.age"',
                (f / "theory.toml").read_text(),
                count=1,
            )
        ),
        "fields: must be a list, not 'enrollment.age'",
        "theory.toml:",
    ),
    "unbalanced-brace": (
        lambda f: (f / "theory.toml").write_text(
            re.sub(
                r'message = "Age \{enrollment.age\}',
                'message = "Age {enrollment.age',
                (f / "theory.toml").read_text(),
                count=1,
            )
        ),
        "unexpected '{' in field name",
        "theory.toml:",
    ),
    "non-utf8": (
        lambda f: (f / "theory.toml").write_bytes((f / "theory.toml").read_bytes().replace(b"K-12", b"K-\xff12", 1)),
        "not UTF-8 (byte",
        "theory.toml:11",
    ),
    "unknown-owner": (
        lambda f: _edit(f, "theory.toml", 'owner = "enrollment"', 'owner = "registrar"'),
        "owner 'registrar' is not one of",
        "theory.toml:",
    ),
    "rule-without-metadata": (
        lambda f: _append(f, "rules/text.lp", 'violation(P, "made-up-rule", "enrollment.age") :- person(P).'),
        "violation of rule 'made-up-rule' which has no [[rule]] entry in theory.toml",
        "rules/text.lp:",
    ),
    "z3-unknown-constant": (
        lambda f: _edit(f, "numeric/age_grade.smt2", "(+ enrollment.grade 7)", "(+ enrollment.grde 7)"),
        "unknown constant enrollment.grde",
        "numeric/age_grade.smt2:6:",
    ),
}


def _load_and_use(folder):
    """Load the pack and build a solver on it: the files are checked when loaded, the programs
    (syntax, unsafe variables, an answer set) before the solver first uses them."""
    from hachimi.solve.program import control

    control(theory := load(folder))
    return theory


@pytest.mark.parametrize("name", sorted(CASES))
def test_load_and_lint_name_the_place(theory_copy, name):
    breaker, fragment, where = CASES[name]
    breaker(theory_copy)
    with pytest.raises(TheoryError) as e:
        _load_and_use(theory_copy)
    assert fragment in str(e.value) and where in str(e.value)
    findings = lint(theory_copy)
    assert findings and findings[0].severity == "error"
    assert fragment in str(findings[0]) and where in str(findings[0])
    tag = f"[{findings[0].rule}]"
    assert str(findings[0]).count(tag) <= 1  # the rule id is printed once


@pytest.mark.parametrize("name", ["asp-syntax", "no-answer-set", "message-not-text", "rule-without-metadata"])
def test_every_command_refuses_with_exit_2(cli, theory_copy, tmp_path, base, name):
    CASES[name][0](theory_copy)
    (tmp_path / "p.jsonl").write_text(json.dumps(base) + "\n")
    for args in (
        ("validate", tmp_path / "p.jsonl", "--theory", theory_copy, "-j", 1),
        ("theory", "test", theory_copy),
        ("theory", "check", theory_copy),
    ):
        r = cli(*args)
        assert r.exit_code == 2 and CASES[name][1] in r.output and "Traceback" not in r.output, (args, r.output)


def test_broken_or_missing_base_fixture(cli, theory_copy):
    (theory_copy / "fixtures" / "base.json").write_text("{oops")
    r = cli("theory", "test", theory_copy)
    assert r.exit_code == 2 and "fixtures/base.json:1:2: not JSON" in r.output
    (theory_copy / "fixtures" / "base.json").unlink()
    r = cli("theory", "test", theory_copy)
    assert r.exit_code == 2 and "missing fixture file" in r.output


def test_check_reports_a_rule_that_removes_a_whole_grade(cli, theory_copy):
    _append(theory_copy, "rules/enrollment.lp", 'violation(P, "age-grade", 3) :- grade(P, 3).')
    r = cli("theory", "check", theory_copy, "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["blocked"] == {"grade": {"3": ["age-grade"]}} and not doc["clean"]


def test_json_formats(cli):
    lint_doc = json.loads(cli("theory", "lint", "k12", "--format", "json").stdout)
    assert lint_doc["clean"] and lint_doc["findings"] == []
    test_doc = json.loads(cli("theory", "test", "k12", "--format", "json").stdout)
    assert test_doc["failed"] == 0 and test_doc["cases"] == len(test_doc["outcomes"]) > 50
    check_doc = json.loads(cli("theory", "check", "k12", "--format", "json").stdout)
    assert check_doc["clean"] and check_doc["checked"] == 12 * 2 * 4 * 15

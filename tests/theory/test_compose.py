"""A theory that extends another: what it inherits, what it adds, and conflicts explained."""

from __future__ import annotations

import pytest

from hachimi.errors import TheoryError
from hachimi.theory.pack import load


@pytest.fixture
def child(tmp_path, cli):
    r = cli("theory", "new", tmp_path / "child")
    assert r.exit_code == 0, r.output
    return tmp_path / "child"


def test_a_new_pack_inherits_everything(child, theory):
    t = load(child)
    assert t.parent is not None and t.parent.name == "k12"
    assert set(t.rules) == set(theory.rules)
    assert [p.name for p in t.lp_files] == [p.name for p in theory.lp_files] + ["child.lp"]
    assert [r.id for r in t.smt_rules] == [r.id for r in theory.smt_rules]
    assert t.schema.by_path.keys() == theory.schema.by_path.keys()
    assert t.text.checks.keys() == theory.text.checks.keys()  # data files found in k12's folder
    assert t.hash != theory.hash


def test_a_features_table_is_replaced_whole_and_read_from_the_childs_folder(child):
    (child / "theory.toml").write_text(
        (child / "theory.toml").read_text()
        + '\n[features.lexicons.mine]\nfields = ["values.narrative"]\nfile = "mine.toml"\n'
    )
    (child / "mine.toml").write_text('[terms]\nen = ["frobnicate"]\n')
    t = load(child)
    assert set(t.text.lexicons) == {"mine"}  # k12's lexicons table replaced by this one
    assert t.text.lexicons["mine"][1] == ("frobnicate",)


def test_an_extends_cycle_is_refused(tmp_path, cli):
    for a, b in (("a", "b"), ("b", "a")):
        cli("theory", "new", tmp_path / a)
        toml = tmp_path / a / "theory.toml"
        toml.write_text(toml.read_text().replace('extends = "k12"', f'extends = "../{b}"'))
    with pytest.raises(TheoryError) as e:
        load(tmp_path / "a")
    assert "makes a cycle" in str(e.value) and "theory.toml:" in str(e.value)


@pytest.mark.parametrize(
    "file,text,fragment",
    [
        (
            "schema.toml",
            '[[field]]\npath = "enrollment.age"\nkind = "int"\nrange = [5, 19]\npred = "age2"\n',
            "field 'enrollment.age'",
        ),
        ("schema.toml", '[parts]\nacademic = { title = "Acad" }\n', "part 'academic'"),
        ("schema.toml", '[[agent]]\nkey = "values"\nparts = ["x"]\n[parts]\nx = { title = "X" }\n', "agent 'values'"),
        ("schema.toml", '[scales]\nlevel = { values = ["a"] }\n', "scale 'level'"),
        (
            "theory.toml",
            '[[rule]]\nid = "age-grade"\nref = "X"\nowner = "enrollment"\nseverity = "error"\n'
            'fields = ["enrollment.age"]\nmessage = "m"\ncitation = "c"\n',
            "rule id already used by the theory this one extends",
        ),
    ],
)
def test_redefining_what_the_parent_has_is_a_conflict_naming_both_places(child, cli, file, text, fragment):
    (child / file).write_text((child / file).read_text() + "\n" + text)
    r = cli("theory", "lint", child)
    assert r.exit_code == 1 and fragment in r.output, r.output
    assert f"{file}:" in r.output and "k12" in r.output


def test_a_new_pack_is_clean_and_refuses_an_existing_folder(child, cli):
    for cmd in ("lint", "test", "check"):
        r = cli("theory", cmd, child)
        assert r.exit_code == 0, (cmd, r.output)
    r = cli("theory", "new", child)
    assert r.exit_code == 2 and "not empty" in r.output
    for name in ("theory.toml", "schema.toml", "fixtures/cases.toml", "prompts/README.md"):
        assert (child / name).read_text().lstrip().startswith(("#", "Prompts")), name  # documented


def test_prompt_lint_names_unknown_placeholders_and_missing_prompts(tmp_path, cli):
    import shutil

    from conftest import ROOT

    pack = tmp_path / "mot"
    shutil.copytree(ROOT / "constraints" / "k12-motivation", pack)
    en = pack / "prompts" / "en" / "motivation.txt"
    en.write_text(en.read_text().replace("$needs_count", "$needz_count"))
    (pack / "prompts" / "zh" / "motivation.txt").unlink()
    r = cli("theory", "lint", pack)
    assert r.exit_code == 1
    assert (
        "prompts/en/motivation.txt:3:" in r.output
        and "$needz_count is not filled in; did you mean $needs_count?" in r.output
    )
    assert "agent 'motivation' has no zh prompt" in r.output

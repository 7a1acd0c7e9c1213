"""A theory that extends another: what it inherits, what it adds, and conflicts explained."""

from __future__ import annotations

import copy
import json
from pathlib import Path

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


def _add(child, text: str) -> None:
    (child / "theory.toml").write_text((child / "theory.toml").read_text() + "\n" + text)


def test_a_new_lexicon_adds_to_the_parents_and_reads_its_file_from_the_childs_folder(child, theory):
    _add(child, '[features.lexicons.mine]\nfields = ["values.narrative"]\nfile = "mine.toml"\n')
    (child / "mine.toml").write_text('[terms]\nen = ["frobnicate"]\n')
    t = load(child)
    assert set(t.text.lexicons) == {"clinical", "severe", "mine"}  # k12's stay in force
    assert t.text.lexicons["mine"][1] == ("frobnicate",)
    assert t.text.lexicons["clinical"] == theory.text.lexicons["clinical"]  # its file still read from k12
    assert t.feature_root("lexicons", "mine") == child
    assert t.feature_root("lexicons", "clinical") == theory.root.resolve()


def test_replace_true_replaces_a_table_whole(child):
    _add(child, '[features.lexicons]\nreplace = true\n[features.lexicons.mine]\nterms = ["frobnicate"]\n')
    t = load(child)
    assert set(t.text.lexicons) == {"mine"}
    dropped = {c.path: c for c in t.composition.changes}
    assert dropped[("lexicons", "severe")].by == ("lexicons",) and dropped[("lexicons",)].action == "replaced"


def test_remove_drops_entries_and_names_a_missing_one(child):
    _add(child, '[features.lexicons]\nremove = ["severe"]\n')
    assert set(load(child).text.lexicons) == {"clinical"}
    (child / "theory.toml").write_text((child / "theory.toml").read_text().replace('"severe"', '"sever"'))
    with pytest.raises(TheoryError) as e:
        load(child)
    assert "remove = ['sever']" in str(e.value) and "it has clinical, severe" in str(e.value)


def test_append_adds_to_a_parents_list_and_replace_a_key_changes_a_scalar(child, theory):
    _add(
        child,
        '[features]\nreplace = ["min_chars"]\nmin_chars = 30\n'
        '[features.lexicons.severe]\nappend = ["terms"]\nterms = ["self-injury"]\n',
    )
    t = load(child)
    assert t.text.min_chars == 30 and t.text.max_chars == theory.text.max_chars
    assert t.text.lexicons["severe"][1] == (*theory.text.lexicons["severe"][1], "self-injury")


@pytest.mark.parametrize(
    "text,fragment,key",
    [
        ('[features.lexicons.severe]\nterms = ["x"]', "[features.lexicons.severe] is already declared by", "severe"),
        ("[features]\nmin_chars = 30", "[features] min_chars = 30, but", "min_chars"),
        ('[features.readable]\nforeign = ["nl"]', "[features.readable] foreign is a list", "foreign"),
        (
            '[features.levels]\nvocabulary = "vocab/mine.toml"',
            "[features.levels] vocabulary = 'vocab/mine.toml', but",
            "vocabulary",
        ),
    ],
)
def test_a_clash_names_both_files_and_lines_and_what_to_write(child, theory, text, fragment, key):
    _add(child, text)
    with pytest.raises(TheoryError) as e:
        load(child)
    msg = str(e.value)
    assert fragment in msg, msg
    assert msg.startswith(f"{child / 'theory.toml'}:") and e.value.line > 15  # the child's line
    assert "k12/theory.toml:" in msg and ("replace" in msg or "append" in msg)
    k12_line = int(msg.split("k12/theory.toml:")[1].split()[0].rstrip(";"))
    assert key in (theory.root / "theory.toml").read_text().splitlines()[k12_line - 1]  # the parent's line


def test_a_directive_of_the_wrong_type_is_refused(child):
    _add(child, '[features.lexicons]\nremove = "severe"\n')
    with pytest.raises(TheoryError) as e:
        load(child)
    assert "remove = 'severe': expected a list of key names" in str(e.value)


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


BULLYING = """
[features.lexicons.bullying]       # a lexicon of this pack's own; k12's clinical and severe stay
fields = ["social.relationships"]
terms = ["bullied", "picked on"]
"""


def _personas(tmp_path, base) -> Path:
    severe, medication = copy.deepcopy(base), copy.deepcopy(base)
    severe["id"], medication["id"] = "severe", "medication"
    severe["values"]["levels"]["physical_mental_health"] = "high"
    severe["mental_health"]["narrative"] = (
        "She has felt suicidal before exams and talks with her homeroom teacher; her depression risk is mild."
    )
    medication["mental_health"]["background"] = "She takes medication daily and lives with her parents."
    path = tmp_path / "personas.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in (severe, medication)) + "\n")
    return path


def test_a_pack_that_adds_one_lexicon_still_fires_k12s_r5_and_r12(child, cli, base, tmp_path):
    _add(child, BULLYING)
    r = cli("validate", "--theory", child, _personas(tmp_path, base), "--format", "jsonl", "-j", "1")
    fired = {
        (d := json.loads(line))["id"]: {v["ref"] for v in d["violations"]}
        for line in r.output.splitlines()
        if line.startswith("{")
    }
    assert "R5" in fired["severe"] and "R12" in fired["medication"], fired
    assert r.exit_code == 1
    r = cli("theory", "check", child)
    assert r.exit_code == 0 and "inherited from k12: 42 rules, 42 can still fire" in r.output, r.output

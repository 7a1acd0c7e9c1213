"""`hachimi survey ...` as a user runs it (template engine): administer, score and compare with
--format json and a reference file; bad input is a one-line error with exit 2, never a traceback."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT


@pytest.fixture
def survey(cli):
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)
    return lambda *a: cli("survey", *a)


def test_administer_score_compare_as_json(survey, tmp_path):
    out = tmp_path / "sv"
    run = ROOT / "examples" / "run-balanced-16"
    # the example run's pack has changed since it was made: --theory says which to read it with
    r = survey(
        "administer", run, "--model", "template", "--form", "short", "--out", out, "--theory", "k12", "--format", "json"
    )
    assert r.exit_code == 0, r.output
    assert json.loads((out / "survey.json").read_text())["theory"] == "k12"  # score and compare read it
    assert json.loads(r.stdout)["errors"] == 0
    r = survey("score", out, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert len(doc["personas"]) == 16 and (out / "cohorts.csv").is_file()
    ref = tmp_path / "human.csv"
    rows = ["construct,tier,gender,risk,mean,sd,n"]
    for k, (t, g, rk) in enumerate(
        (t, g, rk) for t in ("high", "medium", "low", "poor") for g in ("female", "male") for rk in ("low", "high")
    ):
        rows.append(f"MATHEFF,{t},{g},{rk},{k / 10},1,50")
    ref.write_text("\n".join(rows) + "\n")
    r = survey("compare", out, "--reference", ref, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    matheff = next(c for c in doc["correlations"] if c["construct"] == "MATHEFF")
    assert matheff["n_cohorts"] >= 8 and len(doc["hypotheses"]) == 6 and len(doc["pitfalls"]) == 9
    assert (out / "report" / "index.html").is_file() and (out / "compare.json").is_file()
    r = survey("compare", out, "--format", "json")  # no reference: hypotheses and pitfalls only
    assert r.exit_code == 0 and json.loads(r.stdout)["correlations"] == []


@pytest.mark.parametrize(
    "args,fragment",
    [
        (("score", "{tmp}"), "not a survey folder"),
        (("compare", "{tmp}"), "not a survey folder"),
        (("administer", "{tmp}", "--model", "template", "--out", "{tmp}/o"), "no personas at"),
        (("administer", "{run}", "--model", "template", "--out", "{tmp}/o", "--form", "long"), "has no form 'long'"),
        (
            ("administer", "{run}", "--model", "template", "--out", "{tmp}/o", "--instrument", "nope"),
            "no instrument 'nope'",
        ),
    ],
)
def test_bad_input_is_one_clear_line(survey, tmp_path, args, fragment):
    run = ROOT / "examples" / "run-balanced-16"
    r = survey(*[a.format(tmp=tmp_path, run=run) for a in args])
    assert r.exit_code == 2 and fragment in r.output and "Traceback" not in r.output, r.output


def test_a_theory_that_does_not_say_who_a_persona_is_stops_before_the_model(survey, tmp_path):
    import shutil

    from hachimi.resources import DATA

    pack = tmp_path / "pack"
    shutil.copytree(DATA / "constraints" / "k12", pack, ignore=shutil.ignore_patterns("survey.toml"))
    run = ROOT / "examples" / "run-balanced-16"
    r = survey("administer", run, "--model", "template", "--out", tmp_path / "o", "--theory", pack)
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert f"does not say who a persona is in a survey in en: write {pack}/prompts/en/survey.toml" in r.output
    assert not (tmp_path / "o" / "answers.jsonl").exists()

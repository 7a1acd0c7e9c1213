"""Instruments as files: the bundled PISA 2022 one loads and lints; broken files are refused with
the file, the line and the item or key."""

from __future__ import annotations

import shutil

import pytest

from hachimi.errors import HachimiError
from hachimi.survey.instrument import INSTRUMENTS, load


def test_the_pisa_instrument(cli):
    inst = load("pisa2022-student")
    assert set(inst.constructs) == {
        "MATHEFF",
        "ANXMAT",
        "CURIOAGR",
        "GROSAGR",
        "BELONG",
        "DISCLIM",
        "FEELSAFE",
        "BULLIED",
        "LIFESAT",
    }
    assert all(i.text["en"] and i.text["zh"] for i in inst.items)
    assert len(inst.form("short")) == 20
    reverse = {i.id for i in inst.items if i.reverse}
    assert {"ST034Q01TA", "ST301Q08JA", "ST263Q02JA"} <= reverse and "ST034Q03TA" not in reverse
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)
    r = cli("survey", "lint", "pisa2022-student")
    assert r.exit_code == 0 and "clean (38 items, 9 constructs" in r.output


BAD = {
    "unknown-construct": (
        'construct = "ANXMAT"\ntext.en = "I often worry',
        'construct = "ANXIETY"\ntext.en = "I often worry',
        "construct 'ANXIETY' is not declared",
    ),
    "labels-count": (
        'labels.en = ["strongly disagree", "disagree", "agree", "strongly agree"]',
        'labels.en = ["disagree", "agree"]',
        "4 values but 2 en labels",
    ),
    "duplicate-item": ('id = "ST290Q02WA"', 'id = "ST290Q01WA"', "item ST290Q01WA appears twice"),
    "missing-zh": ('text.zh = "我常常担心数学课对我来说会很难"\n', "", "item ST292Q01JA: no zh text"),
    "unknown-scale": ('scale = "confident4"', 'scale = "sure4"', "scale 'sure4' is not one of"),
    "wrong-type": (
        'reverse = true\ntext.en = "At school',
        'reverse = "yes"\ntext.en = "At school',
        "[[item]] ST034Q01TA reverse",
    ),
    "form-unknown-item": ('"ST016Q01NA",\n]', '"ST999Q01XX",\n]', "form short: unknown item(s) ST999Q01XX"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_instrument_files_are_refused_clearly(tmp_path, name):
    old, new, fragment = BAD[name]
    folder = tmp_path / "inst"
    shutil.copytree(INSTRUMENTS / "pisa2022-student", folder)
    path = folder / "instrument.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(HachimiError) as e:
        load(str(folder))
    assert fragment in str(e.value) and "instrument.toml:" in str(e.value), str(e.value)


@pytest.mark.parametrize(
    "by,expect,fragment",
    [
        ("shoe size", "increasing", "hypothesis x: by = 'shoe size'; use tier, gender, risk"),
        ("gender", "increasing", "hypothesis x: increasing needs an ordered cohort variable (tier), not 'gender'"),
        ("tier", "top > poor", "hypothesis x: 'top' is not a tier (poor, low, medium, high)"),
        ("tier", "better", "hypothesis x: expect = 'better'"),
    ],
)
def test_a_bad_hypothesis_names_its_line(tmp_path, by, expect, fragment):
    """`by` is one of the survey's cohort variables (survey/prompts/cohorts.toml), a trend runs
    along an ordered one, 'A > B' compares two of its categories."""
    folder = tmp_path / "inst"
    shutil.copytree(INSTRUMENTS / "pisa2022-student", folder)
    (folder / "hypotheses.toml").write_text(
        f'[[hypothesis]]\nid = "x"\nconstruct = "MATHEFF"\nby = "{by}"\nexpect = "{expect}"\ncitation = "c"\n'
    )
    with pytest.raises(HachimiError, match=r"hypotheses.toml:2: ") as e:
        load(str(folder))
    assert fragment in str(e.value)

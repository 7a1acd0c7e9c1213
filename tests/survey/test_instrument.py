"""Instruments as files: the bundled PISA 2022 one loads and lints; broken files are refused with
the file, the line and the item or key."""

from __future__ import annotations

import shutil

import pytest

from conftest import ROOT
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
        "OVERALL_LIFESAT",  # ST016Q01NA, the overall 0-10 item: not the 2022 LIFESAT index
    }
    assert all(i.text["en"] and i.text["zh"] for i in inst.items)
    assert len(inst.items) == 38 and len(inst.form("short")) == 20
    reverse = {i.id for i in inst.items if i.reverse}
    assert {"ST034Q01TA", "ST301Q08JA", "ST263Q02JA"} <= reverse and "ST034Q03TA" not in reverse
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)
    r = cli("survey", "lint", "pisa2022-student")
    assert r.exit_code == 0 and "clean (38 items, 9 constructs" in r.output


def test_every_pisa_item_says_what_it_is_in_the_2022_file():
    """Each item: the student file's variable, a paraphrase of its 2022 wording, the response
    format (its scale) and the file's code direction. ST034, ST292 and ST265 are coded 1 = strongly
    agree in the 2022 student file; CURIOAGR is asked on PISA 2022's 5-point scale."""
    inst = load("pisa2022-student")
    for it in inst.items:
        assert it.variable == it.id and len(it.wording) > 10 and it.codes in ("ascending", "descending"), it
        assert inst.scale_of(it).format, it.construct
    descending = {it.id[:5] for it in inst.items if it.codes == "descending"}
    assert descending == {"ST034", "ST292", "ST265"}
    assert inst.scales[inst.constructs["CURIOAGR"].scale].values == [1, 2, 3, 4, 5]
    by_id = {it.id: it for it in inst.items}
    assert "6x" in by_id["ST290Q05WA"].wording and "curious about many" in by_id["ST301Q01JA"].wording.lower()
    assert "tax" in by_id["ST290Q02WA"].wording and "table" in by_id["ST290Q04WA"].wording
    assert "overall" in inst.constructs["OVERALL_LIFESAT"].name.lower()
    for h in inst.hypotheses:
        assert "2023), PISA 2022 Results Vol. I" not in h.citation and "Technical Report (2023" not in h.citation
    assert inst.figures and all(f.source and f.checked for f in inst.figures)


MINI = ROOT / "tests" / "fixtures" / "instruments" / "mini"

# (file, old, new, fragment): each a mistake that would change scores or crash a command, refused at
# load (so by `survey lint`, administer, score and compare alike) with file:line.
BAD = {
    "unknown-construct": (
        "instrument.toml",
        'id = "J2"\nconstruct = "JOY"',
        'id = "J2"\nconstruct = "FUN"',
        "construct 'FUN' is not declared",
    ),
    "labels-count": (
        "instrument.toml",
        'labels.en = ["strongly disagree", "disagree", "agree", "strongly agree"]',
        'labels.en = ["disagree", "agree"]',
        "4 values but 2 en labels",
    ),
    "duplicate-item": ("instrument.toml", 'id = "J2"', 'id = "J1"', "item J1 appears twice"),
    "missing-zh": ("instrument.toml", 'text.zh = "我在学校常常微笑"\n', "", "item J2: no zh text"),
    "unknown-scale": ("instrument.toml", 'scale = "times4"', 'scale = "often4"', "scale 'often4' is not one of"),
    "wrong-type": ("instrument.toml", "reverse = true", 'reverse = "yes"', "[[item]] J3 reverse"),
    "no-wording": ("instrument.toml", 'wording = "Smiling at school"\n', "", "[[item]] J2 wording: Field required"),
    "no-codes": (
        "instrument.toml",
        'wording = "Smiling at school"\ncodes = "ascending"\n',
        'wording = "Smiling at school"\n',
        "[[item]] J2 codes: Field required",
    ),
    "bad-codes": ("instrument.toml", 'codes = "descending"', 'codes = "downwards"', "[[item]] J1 codes"),
    # values written high -> low under labels listed low -> high: every JOY score flipped
    "values-high-to-low": (
        "instrument.toml",
        'values = [1, 2, 3, 4]\nlabels.en = ["strongly',
        'values = [4, 3, 2, 1]\nlabels.en = ["strongly',
        "scale agree4: values [4, 3, 2, 1] do not rise",
    ),
    "descending-that-rises": (
        "instrument.toml",
        "[scales.agree4]\n",
        '[scales.agree4]\ndirection = "descending"\n',
        'direction = "descending" but values [1, 2, 3, 4] do not fall',
    ),
    # a refusal worded like an answer: every "agree" would be read as a refusal
    "refusal-like-an-answer": (
        "instrument.toml",
        'refusal = { en = "no answer"',
        'refusal = { en = "Agree"',
        "the en refusal 'Agree' reads like the answer 'agree' of scale agree4",
    ),
    "refusal-within-an-answer-zh": (
        "instrument.toml",
        'zh = "不回答" }',
        'zh = "同意" }',
        "the zh refusal '同意' reads like the answer",
    ),
    "refusal-once-a-week": (
        "instrument.toml",
        'refusal = { en = "no answer"',
        'refusal = { en = "once a week"',
        "reads like the answer 'once a week or more'",
    ),
    "duplicate-labels": (
        "instrument.toml",
        '"a few times a month", "once',
        '"A few times a year ", "once',
        "scale times4: the en labels 'a few times a year' and 'A few times a year ' are one option twice",
    ),
    "figure-unknown-construct": (
        "figures.toml",
        'construct = "BULL"',
        'construct = "BULLIED"',
        "figure bullied-monthly: unknown construct 'BULLIED'",
    ),
    "figure-unknown-item": (
        "figures.toml",
        "at_least = 3",
        'at_least = 3\nitems = ["B9"]',
        "figure bullied-monthly: unknown item(s) B9",
    ),
    "figure-share-without-cut": ("figures.toml", "at_least = 3\n", "", "a share needs one of at_least or at_most"),
    "figure-bad-group": (
        "figures.toml",
        'expect = "female > male"',
        'expect = "girls > boys"',
        "figure joy-girls: 'girls' is not a gender",
    ),
    "figure-trend-by-gender": (
        "figures.toml",
        'by = "tier"',
        'by = "gender"',
        "figure joy-tier: increasing needs an ordered cohort variable",
    ),
    "figure-where": ("figures.toml", 'rule = "any"', 'rule = "any"\nwhere = { tier = "top" }', "where tier = 'top'"),
    "figure-no-source": (
        "figures.toml",
        'source = "test"\nchecked = "a test figure"\ntests = "value"\ncan_test = "the share"',
        'checked = "a test figure"\ntests = "value"\ncan_test = "the share"',
        "[[figure]] bullied-monthly source: Field required",
    ),
    "figure-twice": (
        "figures.toml",
        'id = "joy-mean"',
        'id = "bullied-monthly"',
        "figure bullied-monthly appears twice",
    ),
    "form-unknown-item": (
        "instrument.toml",
        'short = ["J1", "B1"]',
        'short = ["J1", "B9"]',
        "form short: unknown item(s) B9",
    ),
    "form-item-twice": (
        "instrument.toml",
        'short = ["J1", "B1"]',
        'short = ["J1", "B1", "J1"]',
        "form short: item J1 listed twice",
    ),
    "hypothesis-unknown-construct": (
        "hypotheses.toml",
        'construct = "JOY"',
        'construct = "GLEE"',
        "hypothesis joy-tier: unknown construct 'GLEE'",
    ),
}


def test_the_mini_instrument_loads_with_its_metadata():
    inst = load(str(MINI))
    j1 = next(i for i in inst.items if i.id == "J1")
    assert (j1.variable, j1.wording, j1.codes) == ("SRC_J1", "Being happy at school", "descending")
    assert inst.file_mapping(j1) == {4: 1, 3: 2, 2: 3, 1: 4}  # code 1 is "strongly agree"
    b1 = next(i for i in inst.items if i.id == "B1")
    assert b1.variable == "B1" and inst.file_mapping(b1) == {1: 1, 2: 2, 3: 3, 4: 4}
    assert [f.id for f in inst.figures] == ["bullied-monthly", "joy-mean", "joy-girls", "joy-tier", "joy-index-system"]


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_instrument_files_are_refused_clearly(tmp_path, name, cli):
    file, old, new, fragment = BAD[name]
    folder = tmp_path / "inst"
    shutil.copytree(MINI, folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text, name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(HachimiError) as e:
        load(str(folder))
    assert fragment in str(e.value) and f"{file}:" in str(e.value), str(e.value)
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)
    r = cli("survey", "lint", folder)  # lint refuses it too, with the same line
    assert r.exit_code == 1 and fragment in r.output and "Traceback" not in r.output, r.output


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

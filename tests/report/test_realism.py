"""realism.toml: k12's measures, the nearest file of a theory's chain wins, and every mistake is an
error naming the file, the line and the key."""

from __future__ import annotations

import shutil

import pytest

from hachimi.errors import TheoryError
from hachimi.report.realism import load, read

GOOD = """by = "academic.level"
[[measure]]
key = "risky"
label = "elevated risk"
fields = ["mental_health.depression_risk"]
values = ["high"]
count = "any"
direction = "increases"
high_max = 0.3
phrase = "{p} at high risk"
"""


def test_k12_declares_its_six_measures_along_the_academic_level(theory):
    spec = load(theory)
    assert spec.by == "academic.level" and spec.levels == ("high", "medium", "low", "poor")
    assert spec.variable == "academic_level" and spec.label == "academic level"
    assert [(m.key, m.unit, m.high_max) for m in spec.measures] == [
        ("values_lowish", "cells", 0.5),
        ("values_mostly_lowish", "personas", 0.5),
        ("creativity_lowish", "cells", 0.5),
        ("creativity_mostly_lowish", "personas", 0.5),
        ("elevated_risk", "personas", 0.4),
        ("low_wellbeing", "personas", 0.5),
    ]
    values = spec.measures[0]
    assert values.fields == tuple(f"values.levels.{d}" for d in theory.schema.dimensions_of("values"))
    assert spec.split.field == "enrollment.gender" and spec.split.values == ("female", "male")
    assert spec.direction(values) == "increases from high to poor"


def test_a_persona_scores_by_count(theory):
    m = {x.key: x for x in load(theory).measures}
    p = {
        "values": {"levels": {"moral_cultivation": "low", "rule_of_law": "high", "family_orientation": "weird"}},
        "mental_health": {"overall_state": "high", "happiness": "fairly_low", "depression_risk": "low"},
    }
    assert m["values_lowish"].score(p) == (1, 2)  # an unknown value is left out
    assert m["values_mostly_lowish"].score(p) == (0, 1)  # one of two is not more than half
    assert m["low_wellbeing"].score(p) == (1, 1) and m["elevated_risk"].score(p) == (0, 1)
    assert m["creativity_lowish"].score(p) is None  # no creativity level at all


def _pack(tmp_path, theory, text: str):
    pack = tmp_path / "pack"
    shutil.copytree(theory.root, pack, ignore=shutil.ignore_patterns("realism.toml"))
    (pack / "realism.toml").write_text(text)
    from hachimi.theory.pack import load as load_theory

    return load_theory(pack)


def test_a_pack_of_its_own_wins_over_the_one_it_extends(tmp_path, cli, theory):
    child = tmp_path / "child"
    assert cli("theory", "new", child).exit_code == 0
    from hachimi.theory.pack import load as load_theory

    assert [m.key for m in load(load_theory(child)).measures][0] == "values_lowish"  # k12's, inherited
    (child / "realism.toml").write_text(GOOD)
    spec = load(load_theory(child))
    assert (
        [m.key for m in spec.measures] == ["risky"] and spec.split is None and spec.file == str(child / "realism.toml")
    )
    assert spec.who == "{value}" and spec.label == "academic level"


@pytest.mark.parametrize(
    "text,line,fragment",
    [
        (GOOD.replace('count = "any"', 'count = "any"\ncolour = "red"'), 8, "[[measure]] risky colour: Extra inputs"),
        ("sort = 1\n" + GOOD, 1, "sort: Extra inputs are not permitted"),
        (
            GOOD + '[split]\nfield = "enrollment.gender"\nmeasure = "risky"\nshape = 2\n',
            14,
            "split.shape: Extra inputs",
        ),
        (GOOD.replace('"any"', '"all"'), 7, "[[measure]] risky count: Input should be 'cells', 'most' or 'any'"),
        (GOOD.replace("0.3", '"0.3"'), 9, "[[measure]] risky high_max: Input should be a valid number"),
        (
            GOOD.replace('"academic.level"', '"academic.strong_subjects"'),
            1,
            "by = 'academic.strong_subjects': needs an enum",
        ),
        (
            GOOD.replace('"mental_health.depression_risk"', '"mental_health.mood"'),
            3,
            "'mental_health.mood' names no enum",
        ),
        (
            GOOD.replace('["high"]', '["severe"]'),
            3,
            "values: 'severe' is not a value of the fields' scale (low, mild, moderate, high)",
        ),
        (
            GOOD.replace(
                '["mental_health.depression_risk"]', '["mental_health.depression_risk", "mental_health.happiness"]'
            ),
            3,
            "do not share one scale",
        ),
        (GOOD.replace("{p} at", "{share} at"), 3, "phrase: only {p}"),
        (
            GOOD + '[split]\nfield = "enrollment.gender"\nmeasure = "calm"\n',
            11,
            "[split] measure = 'calm': not a [[measure]] key (risky)",
        ),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path, theory, text, line, fragment):
    path = tmp_path / "realism.toml"
    path.write_text(text)
    with pytest.raises(TheoryError) as e:
        read(path, theory.schema)
    assert e.value.file == str(path) and e.value.line == line, str(e.value)
    assert fragment in e.value.message


def test_the_report_of_a_pack_with_a_bad_realism_toml_stops_with_the_error(tmp_path, theory):
    from hachimi.report.population import table

    bad = _pack(tmp_path, theory, GOOD.replace('phrase = "{p} at high risk"', ""))
    with pytest.raises(TheoryError, match=r"pack/realism.toml:2: \[\[measure\]\] risky phrase: Field required"):
        table([], bad)

"""The survey's cohorts (survey/prompts/cohorts.toml) and where a theory puts a persona in them
(its pack's prompts/survey.toml; by name without one); mistakes name the file, line and key."""

from __future__ import annotations

import shutil

import pytest

from hachimi.errors import TheoryError
from hachimi.survey.cohorts import placement, vocabulary
from hachimi.theory.pack import load


def test_the_survey_declares_tier_gender_and_risk():
    v = vocabulary()
    assert v.names == ("tier", "gender", "risk") and v.ordered == ("tier",)
    assert v.variables["tier"] == ("poor", "low", "medium", "high") and v.labels["tier"] == "academic tier"
    assert v.sources["pisa2022"]["gender"]["column"] == "ST004D01T"


def test_k12_places_a_persona_by_its_slot_its_fields_and_its_risk(theory):
    where = placement(theory)
    assert where.variables == ("tier", "gender", "risk")
    p = {
        "slot": {"academic_level": "low", "gender": "male"},
        "enrollment": {"grade": 10, "gender": "male"},
        "academic": {"level": "low"},
        "mental_health": {"depression_risk": "mild", "anxiety_risk": "moderate"},
    }
    assert where.of(p) == {"tier": "low", "gender": "male", "risk": "high", "band": "10-12"}
    no_slot = {"enrollment": {"grade": 3, "gender": "female"}, "academic": {"level": "high"}}
    assert where.of(no_slot) == {"tier": "high", "gender": "female", "risk": "low", "band": "1-3"}
    assert where.of({}) == {"tier": "unknown", "gender": "unknown", "risk": "low", "band": "unknown"}
    plan = {"risk": {"calm": [{"mental_health.anxiety_risk": ["low"]}]}}  # a run's plan stratum wins
    assert where.of(p, plan)["risk"] == "unknown"


def _pack(tmp_path, theory, text: str | None):
    pack = tmp_path / "pack"
    shutil.copytree(theory.root, pack, ignore=shutil.ignore_patterns("realism.toml"))
    if text is None:
        (pack / "prompts" / "survey.toml").unlink()
    else:
        (pack / "prompts" / "survey.toml").write_text(text)
    return load(pack)


def test_without_a_placement_variables_are_read_by_name(tmp_path, theory):
    where = placement(_pack(tmp_path, theory, None))
    p = {"slot": {"gender": "female"}, "enrollment": {"grade": 5}, "mental_health": {"anxiety_risk": "high"}}
    assert where.of(p) == {"tier": "unknown", "gender": "female", "risk": "unknown", "band": "unknown"}
    assert where.of(p, {"risk": {"high": [{"mental_health.anxiety_risk": ["high"]}]}})["risk"] == "high"


def test_map_renames_the_theorys_values(tmp_path, theory):
    text = '[cohort.tier]\nfield = "academic.level"\nmap = { high = "top", poor = "bottom" }\n'
    where = placement(_pack(tmp_path, theory, text))
    assert where.of({"academic": {"level": "poor"}})["tier"] == "bottom"
    assert where.of({"academic": {"level": "low"}})["tier"] == "low"


@pytest.mark.parametrize(
    "text,line,fragment",
    [
        ('[cohort.tier]\nvariable = "academic_level"\ncolour = "red"\n', 3, "cohort.tier.colour: Extra inputs"),
        ('[band]\nfield = "enrollment.grade"\nbands = { a = [1, 3] }\nwidth = 2\n', 4, "band.width: Extra inputs"),
        ('[cohort.shoe]\nvariable = "grade"\n', 1, "[cohort.shoe]: the survey has no cohort variable 'shoe'"),
        ('[cohort.tier]\nvariable = "level"\n', 1, "variable = 'level': not a [slot] variable of schema.toml"),
        ('[cohort.tier]\nfield = "academic.rank"\n', 1, "field = 'academic.rank': not a field of schema.toml"),
        ('[cohort.tier]\nvariable = "grade"\nfield = "academic.level"\n', 1, "give one of variable, field or stratum"),
        (
            '[cohort.risk]\nfield = "mental_health.anxiety_risk"\n[cohort.risk.otherwise]\nhigh = [{}]\n',
            1,
            "otherwise: only a stratum",
        ),
        (
            '[cohort.risk]\nstratum = "risk"\n[cohort.risk.otherwise]\nhigh = [{ "mood" = ["low"] }]\n',
            4,
            "'mood' is not a field",
        ),
        ('[band]\nfield = "enrollment.grade"\nbands = { a = [3, 1] }\n', 3, "bands: 'a' needs [lo, hi]"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path, theory, text, line, fragment):
    with pytest.raises(TheoryError) as e:
        placement(_pack(tmp_path, theory, text))
    assert e.value.file.endswith("pack/prompts/survey.toml") and e.value.line == line, str(e.value)
    assert fragment in e.value.message

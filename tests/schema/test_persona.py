"""The strict pydantic models and the checked-in JSON Schemas."""

import pytest
from pydantic import ValidationError

from hachimi.schema.export import schemas, stale
from hachimi.plugins.k12.schema import K12
from hachimi.plugins.k12.persona import Persona, PART_MODELS
from conftest import ROOT, set_path


def test_golden_persona_fits_the_strict_model(base):
    assert Persona.model_validate(base).enrollment.age == 13


@pytest.mark.parametrize(
    "path,value",
    [
        ("enrollment.age", 25),
        ("enrollment.gender", "other"),
        ("enrollment.agent_name", "Chen Yutong"),
        ("academic.level", "excellent"),
        ("values.levels.rule_of_law", "very_high"),
        ("social.relationships", "one\n\ntwo"),
        ("mental_health.traits", ["only one"]),
        ("academic.strong_subjects", ["alchemy"]),
    ],
)
def test_strict_model_rejects(base, path, value):
    with pytest.raises(ValidationError):
        Persona.model_validate(set_path(base, path, value))


def test_unknown_keys_are_rejected(base):
    base["enrollment"]["nickname"] = "Tong"
    with pytest.raises(ValidationError):
        Persona.model_validate(base)


def test_checked_in_grammars_are_current():
    assert stale(ROOT / "grammars", K12) == [], "run: hachimi schema export"


def test_one_schema_per_part_plus_persona():
    names = set(schemas(K12))
    assert names == {f"{p}.schema.json" for p in PART_MODELS} | {"persona.schema.json"}


def test_stale_detects_an_edit(tmp_path):
    from hachimi.schema.export import export

    export(tmp_path, K12)
    (tmp_path / "academic.schema.json").write_text("{}")
    assert stale(tmp_path, K12) == ["academic.schema.json"]

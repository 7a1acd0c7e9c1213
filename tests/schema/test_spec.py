"""schema.toml -> PersonaSchema: k12's format as data, and bad files refused with file, line and key."""

from __future__ import annotations

import pytest

from hachimi.errors import TheoryError
from hachimi.schema.spec import load_schema

MINIMAL = """
[scales]
mood = { values = ["low", "high"], ordinal = true }
[[agent]]
key = "writer"
parts = ["diary"]
[parts]
diary = { title = "Diary" }
[[field]]
path = "diary.mood"
kind = "enum"
scale = "mood"
pred = "mood"
"""


def test_k12_format_is_the_v1_table(theory):
    s = theory.schema
    assert len(s.fields) == 46 and list(s.parts)[0] == "slot"
    assert [a.key for a in s.agents] == ["enrollment", "academic", "values", "social_creativity", "mental_health"]
    age = s.by_path["enrollment.age"]
    assert (age.pred, age.kind, age.domain[0], age.domain[-1]) == ("age", "int", 5, 19)
    lvl = s.by_path["values.levels.rule_of_law"]
    assert (lvl.pred, lvl.extra, lvl.owner) == ("level", ("values", "rule_of_law"), "values")
    assert s.by_path["creativity.levels.novelty"].owner == "social_creativity"
    assert s.tagged("mh_text") == (
        "mental_health.traits",
        "mental_health.background",
        "mental_health.supports",
        "mental_health.narrative",
    )
    assert s.display_name("physical_mental_health") == "physical and mental health"


def test_a_minimal_format_gives_models_and_facts(tmp_path):
    from hachimi.schema.models import persona_model

    (tmp_path / "schema.toml").write_text(MINIMAL)
    s = load_schema(tmp_path / "schema.toml")
    assert "rank(mood,high,1)." in s.vocabulary_program() and 'field("diary.mood").' in s.vocabulary_program()
    model = persona_model(s)
    assert model.model_validate({"diary": {"mood": "low"}}).diary.mood == "low"
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        model.model_validate({"diary": {"mood": "sad"}})


BAD = {
    "unknown-kind": ('kind = "enum"', 'kind = "list"', "kind: Input should be", 11),
    "unknown-scale": ('scale = "mood"', 'scale = "feeling"', "needs scale = one of mood", 10),
    "no-pred": ('pred = "mood"', "", "needs pred = an ASP predicate name", 10),
    "part-not-declared": (
        'parts = ["diary"]',
        'parts = ["journal"]',
        "writes part 'journal', which [parts] does not",
        5,
    ),
    "bad-value": (
        'values = ["low", "high"]',
        'values = ["low", "Very High"]',
        "values are lower-case ASP constants",
        0,
    ),
    "unknown-key": ('kind = "enum"', 'kind = "enum"\ncolour = "red"', "Extra inputs are not permitted", 0),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_schema_files_name_the_place(tmp_path, name):
    old, new, fragment, line = BAD[name]
    (tmp_path / "schema.toml").write_text(MINIMAL.replace(old, new, 1))
    with pytest.raises(TheoryError) as e:
        load_schema(tmp_path / "schema.toml")
    assert fragment in str(e.value) and "schema.toml" in str(e.value)
    if line:  # the key's line, or the line of the field's path
        assert e.value.line == line, str(e.value)

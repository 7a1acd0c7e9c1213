"""Prompts: dimension lists and counts come from the schema; a pack's prompt files win over the
built-in ones for its agents, and a template's unknown $word is a clear error."""

from __future__ import annotations

import pytest

from hachimi.errors import HachimiError
from hachimi.theory.prompts import render, schema_words

SLOT = {"grade": 4, "gender": "male", "academic_level": "poor"}


def test_k12_prompts_state_the_schemas_dimensions(theory):
    words = schema_words("en", theory.schema)
    assert words["values_count"] == "seven" and words["creativity_count"] == "eight"
    assert words["values_dimensions"].startswith("moral cultivation, physical and mental health, rule of law")
    text = render("en", "values", SLOT, {}, {}, spec=theory.schema, dirs=tuple(theory.prompt_dirs)).messages[1][
        "content"
    ]
    assert "Rate the seven value dimensions (moral cultivation, physical and mental health," in text


def test_a_packs_prompt_overrides_and_adds(tmp_path, theory):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "values.txt").write_text("Only $values_count things. $slot $allowed $anchor")
    (tmp_path / "en" / "anchors.toml").write_text('[values]\npoor = "Be modest."\n')
    r = render("en", "values", SLOT, {}, {}, spec=theory.schema, dirs=(tmp_path, *theory.prompt_dirs))
    assert r.messages[1]["content"].startswith("Only seven things.") and r.messages[1]["content"].endswith("Be modest.")
    academic = render("en", "academic", SLOT, {}, {}, spec=theory.schema, dirs=(tmp_path, *theory.prompt_dirs))
    assert academic.template_id == "en/academic"  # the theory's own


def test_an_unknown_placeholder_names_the_file(tmp_path, theory):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "values.txt").write_text("$slot $valuez_count")
    with pytest.raises(HachimiError) as e:
        render("en", "values", SLOT, {}, {}, spec=theory.schema, dirs=(tmp_path, *theory.prompt_dirs))
    assert "values.txt uses $valuez_count, which is not provided" in str(e.value)

"""Who a persona is in a survey: the pack's prompts/<language>/survey.toml read with the theory's
[person] roles, [slot] variables and fields; mistakes name the file and the key."""

from __future__ import annotations

import pytest

from hachimi.errors import HachimiError, TheoryError
from hachimi.survey.administer import system_prompt
from hachimi.survey.persona import student
from hachimi.theory.pack import load

PERSONA = {
    "slot": {"grade": 8, "gender": "female", "academic_level": "poor"},
    "enrollment": {"name": "Chen Yutong", "age": 13, "gender": "female", "grade": 8},
    "values": {"personality": "Quiet and careful."},
    "social": {"relationships": "Close to her grandmother."},
    "mental_health": {"narrative": "She worries before tests."},
}

# A pack whose person is written by an agent of its own: the name and gender [person] names are
# not k12's enrollment fields.
SCHEMA = """
[scales]
sex = { values = ["girl", "boy"] }
[[agent]]
key = "family"
parts = ["family"]
[parts]
family = { title = "Family" }
[[field]]
path = "family.called"
kind = "text"
[[field]]
path = "family.sex"
kind = "enum"
scale = "sex"
pred = "sex"
[person]
name = "family.called"
gender = "family.sex"
"""


@pytest.fixture
def child(tmp_path, cli):
    assert cli("theory", "new", tmp_path / "child").exit_code == 0
    return tmp_path / "child"


def test_k12s_student_in_english_and_chinese(theory):
    en, zh = system_prompt(PERSONA, "en", theory), system_prompt(PERSONA, "zh", theory)
    assert en.startswith(
        "You are Chen Yutong, a 13-year-old female student in grade 8. At school you are in the bottom half "
        "of your school. Quiet and careful. Close to her grandmother. She worries before tests.\n"
    )
    assert zh.startswith("你是Chen Yutong，13岁，女生，8年级学生。在学校里你的学业水平：全校后50%。")
    assert system_prompt({}, "en", theory).startswith("You are a student, a -year-old  student in grade . ")


def test_the_person_is_read_where_the_theorys_schema_puts_it(child):
    (child / "schema.toml").write_text((child / "schema.toml").read_text() + SCHEMA)
    (child / "prompts" / "en").mkdir(parents=True, exist_ok=True)
    (child / "prompts" / "en" / "survey.toml").write_text(
        'persona = "You are $name, a $gender aged $age in a $academic_level group."\n'
        '[words.gender]\nboy = "boy"\ngirl = "girl"\n[missing]\nage = "unknown years"\n'
    )
    theory = load(child)
    assert theory.schema.person.gender == "family.sex" and theory.schema.person.name == "family.called"
    p = {**PERSONA, "family": {"called": "Li Lei", "sex": "boy"}}
    p["enrollment"] = {k: v for k, v in p["enrollment"].items() if k != "age"}
    assert system_prompt(p, "en", theory).startswith("You are Li Lei, a boy aged unknown years in a poor group.\n")
    # k12's Chinese wording, inherited, reads the child's [person] fields too
    assert system_prompt(p, "zh", theory).startswith("你是Li Lei，岁，boy，8年级学生。")


def test_a_theory_without_a_wording_is_told_where_to_write_it(theory):
    with pytest.raises(
        HachimiError, match=r"does not say who a persona is in a survey in fr: write .*prompts/fr/survey.toml"
    ):
        student(theory, "fr")


@pytest.mark.parametrize(
    "text,fragment",
    [
        ('persona = "You are $nickname."\n', "persona: $nickname is neither a [person] role nor a [slot] variable"),
        ('persona = "You are ${enrollment.nick}."\n', "$enrollment.nick is neither"),
        ('persona = "You cost $5."\n', "a lone $"),
        ('persona = "You are $name."\ncolour = "red"\n', "colour: Extra inputs are not permitted"),
        ('persona = "You are $name."\n[words.gender]\nfemale = "f"\n', "gender: the persona template has no $gender"),
    ],
)
def test_mistakes_name_the_file_and_key(child, text, fragment):
    (child / "prompts" / "en").mkdir(parents=True, exist_ok=True)
    (child / "prompts" / "en" / "survey.toml").write_text(text)
    with pytest.raises(TheoryError) as e:
        student(load(child), "en")
    assert e.value.file == str(child / "prompts" / "en" / "survey.toml") and fragment in e.value.message

"""Lenient reading: rule problems become facts, type problems become precise input errors."""

from hachimi.facts.reader import read
from conftest import set_path


def test_missing_and_empty_become_missing_facts(base, theory):
    del base["social"]["relationships"]
    base["enrollment"]["name"] = "  "
    rec = read(base, theory.text)
    assert rec.problems == []
    assert {"social.relationships", "enrollment.name"} <= set(rec.missing)


def test_wrong_types_name_the_field(base, theory):
    set_path(base, "enrollment.age", "thirteen")
    set_path(base, "academic.strong_subjects", "math")
    rec = read(base, theory.text)
    assert any(p.startswith("enrollment.age: expected an integer") for p in rec.problems)
    assert any(p.startswith("academic.strong_subjects: expected a list") for p in rec.problems)


def test_out_of_domain_and_unknown_enum(base, theory):
    set_path(base, "enrollment.age", 42)
    set_path(base, "enrollment.stages.piaget", "sensorimotor")
    probs = read(base, theory.text).problems
    assert "enrollment.age: 42 is outside 5-19" in probs
    assert any("enrollment.stages.piaget: 'sensorimotor' is not one of" in p for p in probs)


def test_unknown_academic_level_is_a_fact_for_r15(base, theory):
    set_path(base, "academic.level", "excellent")
    rec = read(base, theory.text)
    assert rec.problems == [] and rec.invalid == ["academic.level"]
    assert any(f.pred == "invalid_value" for f in rec.facts)


def test_not_an_object(theory):
    assert read([1, 2], theory.text).problems == ["expected a JSON object (one persona per line), got a list"]


def test_booleans_are_not_integers(base, theory):
    set_path(base, "enrollment.grade", True)
    assert read(base, theory.text).problems


def test_duplicate_subjects_give_dup_facts(base, theory):
    set_path(base, "academic.strong_subjects", ["math", "math"])
    facts = read(base, theory.text).facts
    assert [f.value for f in facts if f.pred == "dup"] == ["math"]

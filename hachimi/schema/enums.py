"""Closed vocabularies of the v1 persona format (DESIGN.md), ordinal scales low -> high."""

from __future__ import annotations

GENDERS = ("female", "male")
ACADEMIC_LEVELS = ("high", "medium", "low", "poor")
PIAGET = ("preoperational", "concrete_operational", "formal_operational")
ERIKSON = ("initiative_vs_guilt", "industry_vs_inferiority", "identity_vs_role_confusion")
KOHLBERG = ("preconventional", "conventional", "postconventional")
STAGES = {"piaget": PIAGET, "erikson": ERIKSON, "kohlberg": KOHLBERG}
SUBJECTS = (
    "chinese",
    "math",
    "english",
    "physics",
    "chemistry",
    "biology",
    "history",
    "geography",
    "politics",
    "science",
    "music",
    "art",
    "pe",
    "it",
    "calligraphy",
    "morality_and_law",
    "labor",
)
LEVELS = ("low", "fairly_low", "medium", "upper_middle", "fairly_high", "high")
LOWISH = ("low", "fairly_low", "medium")
RISKS = ("low", "mild", "moderate", "high")
CONDITIONS = ("none_observed", "tendency")
VALUE_DIMENSIONS = (
    "moral_cultivation",
    "physical_mental_health",
    "rule_of_law",
    "social_responsibility",
    "political_identity",
    "cultural_literacy",
    "family_orientation",
)
CREATIVITY_DIMENSIONS = (
    "fluency",
    "novelty",
    "flexibility",
    "feasibility",
    "problem_finding",
    "problem_analysis",
    "solution_generation",
    "solution_refinement",
)
GRADES = tuple(range(1, 13))
AGE_MIN, AGE_MAX = 5, 19
AGENT_NAME_PATTERN = r"^(?:[a-z]+[1-5]){1,2}_(?:[a-z]+[1-5]){1,3}$"


def display_name(dimension: str) -> str:
    """How narratives mention a dimension: 'physical_mental_health' -> 'physical and mental health'."""
    special = {"physical_mental_health": "physical and mental health"}
    return special.get(dimension, dimension.replace("_", " "))

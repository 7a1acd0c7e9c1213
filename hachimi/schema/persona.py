"""Pydantic v2 models of the v1 persona: one model per agent's part, plus the whole persona.

These are the strict models used for grammars and generation. The validator reads personas
leniently (hachimi.facts.reader) so that rule-level problems become violations, not crashes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from . import enums as E

Gender = Literal[E.GENDERS]
AcademicLevel = Literal[E.ACADEMIC_LEVELS]
Subject = Literal[E.SUBJECTS]
Level = Literal[E.LEVELS]
Risk = Literal[E.RISKS]
Condition = Literal[E.CONDITIONS]

# A single paragraph: no newline at all (so no blank line); list markers are caught by rule R14.
PARAGRAPH = r"^[^\n\r]+$"
NAME_MAX, SHORT_MAX, PARA_MAX = 40, 240, 900


def _text(max_length: int, description: str):
    return Field(min_length=1, max_length=max_length, pattern=PARAGRAPH, description=description)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Slot(_Strict):
    grade: int = Field(ge=1, le=12)
    gender: Gender
    academic_level: AcademicLevel
    subject_bias: list[Subject] = Field(default_factory=list, max_length=3)


class Stages(_Strict):
    piaget: Literal[E.PIAGET]
    erikson: Literal[E.ERIKSON]
    kohlberg: Literal[E.KOHLBERG]


class Enrollment(_Strict):
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=PARAGRAPH)
    agent_name: str = Field(pattern=E.AGENT_NAME_PATTERN, max_length=40)
    age: int = Field(ge=E.AGE_MIN, le=E.AGE_MAX)
    gender: Gender
    grade: int = Field(ge=1, le=12)
    stages: Stages


class Academic(_Strict):
    strong_subjects: list[Subject] = Field(min_length=1, max_length=4)
    weak_subjects: list[Subject] = Field(min_length=1, max_length=4)
    level: AcademicLevel


ValueLevels = create_model("ValueLevels", __base__=_Strict, **{d: (Level, ...) for d in E.VALUE_DIMENSIONS})
CreativityLevels = create_model(
    "CreativityLevels", __base__=_Strict, **{d: (Level, ...) for d in E.CREATIVITY_DIMENSIONS}
)


class Values(_Strict):
    personality: str = _text(SHORT_MAX, "two or three sentences on temperament")
    levels: ValueLevels  # type: ignore[valid-type]
    narrative: str = _text(PARA_MAX, "one paragraph that states a level for each of the seven dimensions")


class Social(_Strict):
    relationships: str = _text(PARA_MAX, "one paragraph: background, a key event, its impact")


class Creativity(_Strict):
    levels: CreativityLevels  # type: ignore[valid-type]
    narrative: str = _text(PARA_MAX, "one paragraph")
    radar_summary: str = _text(SHORT_MAX, "strengths and weak spots in one or two sentences")


class MentalHealth(_Strict):
    overall_state: Level
    happiness: Level
    depression_risk: Risk
    anxiety_risk: Risk
    traits: list[str] = Field(min_length=2, max_length=5)
    condition: Condition
    background: str = _text(SHORT_MAX, "family and school background")
    supports: str = _text(SHORT_MAX, "who and what supports the student")
    narrative: str = _text(PARA_MAX, "one paragraph, non-diagnostic")


class Persona(_Strict):
    id: str = Field(min_length=1)
    slot: Slot | None = None
    enrollment: Enrollment
    academic: Academic
    values: Values
    social: Social
    creativity: Creativity
    mental_health: MentalHealth


# The five agents in the original order, each owning one or two parts of the persona.
AGENT_PARTS: dict[str, tuple[str, ...]] = {
    "enrollment": ("enrollment",),
    "academic": ("academic",),
    "values": ("values",),
    "social_creativity": ("social", "creativity"),
    "mental_health": ("mental_health",),
}
PART_MODELS: dict[str, type[BaseModel]] = {
    "enrollment": Enrollment,
    "academic": Academic,
    "values": Values,
    "social": Social,
    "creativity": Creativity,
    "mental_health": MentalHealth,
}

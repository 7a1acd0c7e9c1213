"""The k12 persona format's closed vocabularies (ordinal scales low -> high), read from the bundled
constraints/k12/schema.toml: one definition. Code that works on any theory uses theory.schema."""

from __future__ import annotations

from .schema import K12 as _K12

_S = {n: s.values for n, s in _K12.scales.items()}
GENDERS = _S["gender"]
ACADEMIC_LEVELS = _S["academic_level"]
PIAGET, ERIKSON, KOHLBERG = _S["piaget"], _S["erikson"], _S["kohlberg"]
STAGES = {s: _S[s] for s in _S["stage_system"]}
SUBJECTS = _S["subject"]
LEVELS = _S["level"]
LOWISH = LEVELS[: LEVELS.index("medium") + 1]
RISKS = _S["risk"]
CONDITIONS = _S["condition"]
VALUE_DIMENSIONS = _K12.dimensions_of("values")
CREATIVITY_DIMENSIONS = _K12.dimensions_of("creativity")
GRADES = _K12.by_path["enrollment.grade"].domain
AGE_MIN, AGE_MAX = _K12.range_of("enrollment.age")
AGENT_NAME_PATTERN = _K12.by_path["enrollment.agent_name"].pattern


def display_name(dimension: str) -> str:
    """How narratives mention a dimension: 'physical_mental_health' -> 'physical and mental health'."""
    return _K12.display_name(dimension)

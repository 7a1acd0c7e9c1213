"""The one mapping table: persona field path <-> ASP predicate, kind, domain and owner agent."""

from __future__ import annotations

from dataclasses import dataclass

from ..schema import enums as E


@dataclass(frozen=True)
class FieldSpec:
    path: str  # JSON path, e.g. "enrollment.age" (also the name used in ASP strings)
    pred: str  # ASP predicate, e.g. "age" -> age(P, 13)
    extra: tuple = ()  # constant arguments after P, e.g. ("piaget",) -> stage(P, piaget, V)
    kind: str = "enum"  # int | enum | set | count | text | id
    domain: tuple = ()  # allowed values (int, enum, set); () for text
    owner: str = ""  # agent that owns the field
    required: bool = True
    unknown_as_fact: bool = False  # unknown enum value -> invalid_value fact instead of an error
    narrative: bool = False  # prose checked by R13/R14

    @property
    def structured(self) -> bool:
        return self.kind in ("int", "enum", "set", "count")

    @property
    def scalar(self) -> bool:
        return self.kind in ("int", "enum", "count")


def _levels(part: str, dims: tuple[str, ...]) -> list[FieldSpec]:
    return [FieldSpec(f"{part}.levels.{d}", "level", (part, d), "enum", E.LEVELS, part) for d in dims]


def _text(path: str, owner: str, narrative: bool = False) -> FieldSpec:
    return FieldSpec(path, "", (), "text", (), owner, narrative=narrative)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "", (), "id", (), "enrollment"),
    FieldSpec("slot.grade", "slot_grade", (), "int", E.GRADES, "enrollment", required=False),
    FieldSpec("slot.gender", "slot_gender", (), "enum", E.GENDERS, "enrollment", required=False),
    FieldSpec("slot.academic_level", "slot_level", (), "enum", E.ACADEMIC_LEVELS, "academic", required=False),
    FieldSpec("slot.subject_bias", "slot_bias", (), "set", E.SUBJECTS, "academic", required=False),
    _text("enrollment.name", "enrollment"),
    _text("enrollment.agent_name", "enrollment"),
    FieldSpec("enrollment.age", "age", (), "int", tuple(range(E.AGE_MIN, E.AGE_MAX + 1)), "enrollment"),
    FieldSpec("enrollment.gender", "gender", (), "enum", E.GENDERS, "enrollment"),
    FieldSpec("enrollment.grade", "grade", (), "int", E.GRADES, "enrollment"),
    *[FieldSpec(f"enrollment.stages.{s}", "stage", (s,), "enum", vals, "enrollment") for s, vals in E.STAGES.items()],
    FieldSpec("academic.strong_subjects", "strong", (), "set", E.SUBJECTS, "academic"),
    FieldSpec("academic.weak_subjects", "weak", (), "set", E.SUBJECTS, "academic"),
    FieldSpec("academic.level", "academic_level", (), "enum", E.ACADEMIC_LEVELS, "academic", unknown_as_fact=True),
    _text("values.personality", "values"),
    *_levels("values", E.VALUE_DIMENSIONS),
    _text("values.narrative", "values", narrative=True),
    _text("social.relationships", "social_creativity", narrative=True),
    *_levels("creativity", E.CREATIVITY_DIMENSIONS),
    _text("creativity.narrative", "social_creativity", narrative=True),
    _text("creativity.radar_summary", "social_creativity"),
    FieldSpec("mental_health.overall_state", "mh", ("overall_state",), "enum", E.LEVELS, "mental_health"),
    FieldSpec("mental_health.happiness", "mh", ("happiness",), "enum", E.LEVELS, "mental_health"),
    FieldSpec("mental_health.depression_risk", "mh", ("depression_risk",), "enum", E.RISKS, "mental_health"),
    FieldSpec("mental_health.anxiety_risk", "mh", ("anxiety_risk",), "enum", E.RISKS, "mental_health"),
    FieldSpec("mental_health.traits", "traits", (), "count", tuple(range(0, 11)), "mental_health"),
    FieldSpec("mental_health.condition", "mh", ("condition",), "enum", E.CONDITIONS, "mental_health"),
    _text("mental_health.background", "mental_health"),
    _text("mental_health.supports", "mental_health"),
    _text("mental_health.narrative", "mental_health", narrative=True),
)
# creativity levels are owned by the social & creativity agent
FIELDS = tuple(
    FieldSpec(
        f.path, f.pred, f.extra, f.kind, f.domain, "social_creativity", f.required, f.unknown_as_fact, f.narrative
    )
    if f.path.startswith("creativity.")
    else f
    for f in FIELDS
)

BY_PATH: dict[str, FieldSpec] = {f.path: f for f in FIELDS}
BY_ATOM: dict[tuple, FieldSpec] = {(f.pred, f.extra): f for f in FIELDS if f.structured}
TEXT_FIELDS = tuple(f.path for f in FIELDS if f.kind == "text")
NARRATIVE_FIELDS = tuple(f.path for f in FIELDS if f.narrative)
# Mental-health text (R5, R12): narratives and the trait list
MH_TEXT_FIELDS = (
    "mental_health.background",
    "mental_health.supports",
    "mental_health.narrative",
    "mental_health.traits",
)
SCALES = {"level": E.LEVELS, "risk": E.RISKS}
PARTS = ("enrollment", "academic", "values", "social", "creativity", "mental_health")


def owner_of(path: str) -> str:
    """Owner agent of a field path (or of the part it lives in)."""
    if path in BY_PATH:
        return BY_PATH[path].owner
    part = path.split(".", 1)[0]
    return {"social": "social_creativity", "creativity": "social_creativity", "slot": "enrollment"}.get(part, part)


def vocabulary_program() -> str:
    """ASP facts every theory may use: domains, scale ranks, field names and owners."""
    lines = []
    for name, scale in SCALES.items():
        lines += [f"rank({name},{v},{i})." for i, v in enumerate(scale)]
    lines += [f"subject({s})." for s in E.SUBJECTS]
    lines += [f"value_dimension({d})." for d in E.VALUE_DIMENSIONS]
    lines += [f"creativity_dimension({d})." for d in E.CREATIVITY_DIMENSIONS]
    lines += [f"stage_system({s})." for s in E.STAGES]
    lines += [f'field("{f.path}").' for f in FIELDS if f.kind != "id"]
    lines += [f'required("{f.path}").' for f in FIELDS if f.required and f.kind != "id"]
    lines += [f'narrative("{p}").' for p in NARRATIVE_FIELDS]
    lines += [f'mh_text("{p}").' for p in MH_TEXT_FIELDS]
    return "\n".join(lines) + "\n"

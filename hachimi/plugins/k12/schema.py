"""The k12 persona format (its schema.toml) as module constants, for the k12 plug-in itself (the
converter, the template prose), tests and benchmarks. Generic code never imports this: it takes the
theory it was given (`theory.schema`)."""

from __future__ import annotations

from ...schema.spec import FieldSpec, PersonaSchema, load_schema  # noqa: F401  (FieldSpec re-exported)
from ...resources import CONSTRAINTS

K12: PersonaSchema = load_schema(CONSTRAINTS / "k12" / "schema.toml")

FIELDS: tuple[FieldSpec, ...] = K12.fields
BY_PATH: dict[str, FieldSpec] = K12.by_path
BY_ATOM: dict[tuple, FieldSpec] = K12.by_atom
TEXT_FIELDS = K12.text_fields
NARRATIVE_FIELDS = K12.narrative_fields
MH_TEXT_FIELDS = K12.tagged("mh_text")  # mental-health text (R5, R12): narratives and the trait list
SCALES = {n: s.values for n, s in K12.scales.items() if s.ordinal}
PARTS = tuple(p for p in K12.parts if p != "slot")


def owner_of(path: str) -> str:
    """Owner agent of a field path (or of the part it lives in), in k12."""
    return K12.owner_of(path)


def vocabulary_program() -> str:
    """ASP facts every k12 rule may use: domains, scale ranks, field names and owners."""
    return K12.vocabulary_program()

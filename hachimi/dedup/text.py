"""Persona -> the text near-duplicate detection and the diversity metrics compare: the fields its
theory tags `compare` in schema.toml (its narratives), joined in schema order."""

from __future__ import annotations

from ..jsonio import get_path

TAG = "compare"


def compared_fields(schema) -> tuple[str, ...]:
    """The fields a theory's personas are compared by (schema.toml tags = ["compare"])."""
    return schema.tagged(TAG)


def narrative_text(p: dict, fields: tuple[str, ...]) -> str:
    out = []
    for path in fields:
        node = get_path(p, path)
        if isinstance(node, str):
            out.append(node)
    return " ".join(out)

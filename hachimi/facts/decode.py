"""Facts -> structured field values (the inverse of the reader for structured fields)."""

from __future__ import annotations

from typing import Any

from .reader import Fact


def values_of(facts: list[Fact], schema) -> dict[str, Any]:
    """path -> value for every structured fact (sets as lists in fact order, counts as ints)."""
    out: dict[str, Any] = {}
    for f in facts:
        spec = schema.by_path.get(f.field)
        if spec is None or not spec.structured or f.pred != spec.pred:
            continue
        if spec.kind == "set":
            out.setdefault(f.field, []).append(f.value)
        else:
            out[f.field] = f.value
    return out

"""Persona -> the narrative text that near-duplicate detection compares."""

from __future__ import annotations

NARRATIVES = (
    "values.personality",
    "values.narrative",
    "social.relationships",
    "creativity.narrative",
    "mental_health.background",
    "mental_health.supports",
    "mental_health.narrative",
)


def narrative_text(p: dict) -> str:
    out = []
    for path in NARRATIVES:
        node = p
        for k in path.split("."):
            node = node.get(k) if isinstance(node, dict) else None
        if isinstance(node, str):
            out.append(node)
    return " ".join(out)

"""grammars/<part>.schema.json + a Box + text budgets -> the JSON Schema one agent decodes under.

Structured fields become enums of the box's allowed values (or const); set fields become anyOf
over sorted combinations, so items never repeat (llguidance refuses uniqueItems); free text gets
the model's length budget and the single-paragraph pattern; whitespace is fixed (", " and ": ")."""

from __future__ import annotations

import copy
import itertools
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..facts.table import BY_PATH, FIELDS
from .narrow import Box

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars"
WHITESPACE = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}
SET_SIZES = (1, 2, 3)
TRAIT_MAX_CHARS = 40
SHORT_TEXT = {"enrollment.name", "values.personality", "creativity.radar_summary",
              "mental_health.background", "mental_health.supports"}


@lru_cache(maxsize=None)
def base_schema(part: str) -> dict:
    """The checked-in schema of a part with every $ref inlined."""
    raw = json.loads((GRAMMARS / f"{part}.schema.json").read_text(encoding="utf-8"))
    defs = raw.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(copy.deepcopy(defs[node["$ref"].split("/")[-1]]))
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(x) for x in node]
        return node
    return inline(raw)


def _node(schema: dict, rel: list[str]) -> dict:
    for key in rel:
        schema = schema["properties"][key]
    return schema


def _set_schema(values: list[str], sizes=SET_SIZES) -> dict:
    combos = [list(c) for k in sizes for c in itertools.combinations(values, k)]
    return {"anyOf": [{"const": c} for c in combos]}


def build(part: str, box: Box | None, max_text: int, max_short: int) -> dict:
    """The decoding schema for one part; box None = the base schema with only the text budgets."""
    schema = copy.deepcopy(base_schema(part))
    schema["x-guidance"] = dict(WHITESPACE)
    for spec in FIELDS:
        if not spec.path.startswith(part + "."):
            continue
        rel = spec.path.split(".")[1:]
        node = _node(schema, rel)
        if spec.kind == "text":
            if spec.path != "enrollment.agent_name":
                node["maxLength"] = max_short if spec.path in SHORT_TEXT else max_text
            continue
        if spec.kind == "count":          # the trait list: bounded count, short items
            node["items"] = {"type": "string", "minLength": 1, "maxLength": TRAIT_MAX_CHARS,
                             "pattern": r"^[^\n\r,;]+$"}
            if box is not None:
                ok = [n for n in box.allowed[spec.path] if n <= node.get("maxItems", 5)]
                node["minItems"], node["maxItems"] = min(ok), max(ok)
            continue
        if box is None:
            continue
        allowed = box.allowed[spec.path]
        if spec.kind == "set":
            parent = _node(schema, rel[:-1])
            parent["properties"][rel[-1]] = _set_schema(allowed)
        else:
            for k in ("minimum", "maximum", "enum", "const", "type"):
                node.pop(k, None)
            node["enum"] = list(allowed)
    return schema


def text_budget(schema: dict) -> int:
    """Upper bound on the JSON characters a schema admits (for sizing max_new_tokens)."""
    if "anyOf" in schema:
        return max(text_budget(s) for s in schema["anyOf"])
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    t = schema.get("type")
    if t == "object":
        return 2 + sum(len(k) + 6 + text_budget(v) for k, v in schema.get("properties", {}).items())
    if t == "array":
        return 2 + schema.get("maxItems", 4) * (2 + text_budget(schema.get("items", {})))
    if t == "string":
        return 2 + schema.get("maxLength", 200) * (2 if schema.get("pattern") is None else 1)
    return 12


__all__ = ["build", "base_schema", "text_budget", "BY_PATH"]

"""A PersonaSchema -> strict pydantic v2 models: one per part (and per nested object), plus the
whole persona. These are the models used for grammars and generation; the validator reads personas
leniently (hachimi.facts.reader) so that rule-level problems become violations, not crashes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from .spec import PARAGRAPH, FieldSpec, PersonaSchema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _annotation(f: FieldSpec) -> tuple[Any, Any]:
    """(type, default) of one leaf field."""
    if f.kind == "int":
        return int, Field(ge=f.domain[0], le=f.domain[-1])
    if f.kind == "enum":
        return Literal[f.domain], ...
    if f.kind in ("set", "count"):
        item = Literal[f.domain] if f.kind == "set" else str
        lo, hi = f.items or (None, None)
        kw = {"max_length": hi} if hi is not None else {}
        if lo:
            kw["min_length"] = lo
        else:
            kw["default_factory"] = list
        return list[item], Field(**kw)
    kw: dict[str, Any] = {}
    if f.min_chars:
        kw["min_length"] = f.min_chars
    if f.max_chars is not None:
        kw["max_length"] = f.max_chars
    kw["pattern"] = f.pattern or PARAGRAPH
    if f.description:
        kw["description"] = f.description
    if not f.needed_in_part:  # a text that may be left out (min_chars = 0)
        return str | None, Field(default=None, **kw)
    return str, Field(**kw)


def _tree(fields: list[FieldSpec], depth: int) -> dict[str, Any]:
    """Nested dict of leaf specs by the path's components from `depth` on, in order."""
    tree: dict[str, Any] = {}
    for f in fields:
        node = tree
        keys = f.path.split(".")[depth:]
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = f
    return tree


def _model(schema: PersonaSchema, title: str, prefix: str, tree: dict[str, Any]) -> type[BaseModel]:
    spec: dict[str, Any] = {}
    for key, node in tree.items():
        path = f"{prefix}.{key}"
        if isinstance(node, dict):
            name = schema.objects.get(path) or "".join(w.capitalize() for w in path.replace(".", "_").split("_"))
            spec[key] = (_model(schema, name, path, node), ...)
        else:
            spec[key] = _annotation(node)
    return create_model(title, __base__=_Strict, **spec)


def part_models(schema: PersonaSchema) -> dict[str, type[BaseModel]]:
    """part -> its model, in persona order (the optional plan slot included)."""
    return {
        part: _model(schema, meta["title"], part, _tree([f for f in schema.fields if f.path.split(".")[0] == part], 1))
        for part, meta in schema.parts.items()
    }


def persona_model(schema: PersonaSchema, parts: dict[str, type[BaseModel]] | None = None) -> type[BaseModel]:
    parts = parts or part_models(schema)
    spec: dict[str, Any] = {}
    if "id" in schema.by_path:
        spec["id"] = (str, Field(min_length=1))
    for part, meta in schema.parts.items():
        spec[part] = (parts[part] | None, None) if meta["optional"] else (parts[part], ...)
    return create_model("Persona", __base__=_Strict, **spec)

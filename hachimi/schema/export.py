"""Pydantic models -> JSON Schema files in grammars/ (one per agent part plus the persona)."""

from __future__ import annotations

import json
from pathlib import Path

from .persona import PART_MODELS, Persona

SCHEMA_VERSION = "v1"


def schemas() -> dict[str, dict]:
    """File name -> JSON Schema, deterministic."""
    out = {f"{name}.schema.json": model.model_json_schema() for name, model in PART_MODELS.items()}
    out["persona.schema.json"] = Persona.model_json_schema()
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"  # field order = decoding order


def export(folder: Path) -> list[Path]:
    """Write every schema into folder; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def stale(folder: Path) -> list[str]:
    """Names of schema files in folder that are missing or differ from the models."""
    return [
        name
        for name, schema in schemas().items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != render(schema)
    ]

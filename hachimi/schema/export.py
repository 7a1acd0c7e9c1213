"""A persona format -> JSON Schema files (one per agent part plus the persona): `hachimi schema
export --theory T` for any theory (grammars/ holds the bundled k12's)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .spec import PersonaSchema

SCHEMA_VERSION = "v1"


def schemas(spec: PersonaSchema) -> dict[str, dict]:
    """File name -> JSON Schema, deterministic."""
    from .models import part_models, persona_model

    parts = part_models(spec)
    out = {f"{name}.schema.json": model.model_json_schema() for name, model in parts.items() if name != "slot"}
    out["persona.schema.json"] = persona_model(spec, parts).model_json_schema()
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"  # field order = decoding order


def schema_hash(spec: PersonaSchema) -> str:
    """Hash of the exported files, in file-name order (for k12: of grammars/*.schema.json)."""
    h = hashlib.sha256()
    for name, schema in sorted(schemas(spec).items()):
        h.update(render(schema).encode("utf-8"))
    return h.hexdigest()[:16]


def export(folder: Path, spec: PersonaSchema) -> list[Path]:
    """Write every schema into folder; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas(spec).items():
        path = folder / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


def stale(folder: Path, spec: PersonaSchema) -> list[str]:
    """Names of schema files in folder that are missing or differ from the models."""
    return [
        name
        for name, schema in schemas(spec).items()
        if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != render(schema)
    ]

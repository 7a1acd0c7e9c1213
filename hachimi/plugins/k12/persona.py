"""The k12 persona's strict pydantic models (the v1 format of DESIGN.md), built from the bundled
constraints/k12/schema.toml by hachimi/schema/models.py. Any theory's models: models.part_models(
theory.schema) and models.persona_model(theory.schema)."""

from __future__ import annotations

from pydantic import BaseModel

from .schema import K12
from ...schema.models import part_models, persona_model

_ALL = part_models(K12)
PART_MODELS: dict[str, type[BaseModel]] = {p: m for p, m in _ALL.items() if p != "slot"}
Slot = _ALL["slot"]
Persona = persona_model(K12, _ALL)
# The agents in order, each owning one or two parts of the persona.
AGENT_PARTS: dict[str, tuple[str, ...]] = {a.key: a.parts for a in K12.agents}

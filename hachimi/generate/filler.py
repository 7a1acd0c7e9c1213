"""An agent's schema + seed -> that agent's part(s) of a clean persona, with structured values drawn
(seeded) from the schema's enums and template prose: what the template engine answers with (no
language model; smoke tests of plans, resume and reports, and CI; never for data)."""

from __future__ import annotations

import random

from ..facts.table import FIELDS
from ..testing.personas import persona
from .agents import BY_KEY


def _values_from_schema(agent_key: str, schema: dict, rng: random.Random) -> dict:
    values = {f.path: (f.domain[0] if f.kind != "set" else [f.domain[0]]) for f in FIELDS if f.structured}
    values["mental_health.traits"] = 2
    agent = BY_KEY[agent_key]
    for f in FIELDS:
        part = f.path.split(".")[0]
        if part not in agent.parts or not f.structured:
            continue
        node = schema if len(agent.parts) == 1 else schema["properties"][part]
        for key in f.path.split(".")[1:]:
            node = node["properties"][key]
        if "anyOf" in node:
            values[f.path] = rng.choice(node["anyOf"])["const"]
        elif "enum" in node:
            values[f.path] = rng.choice(node["enum"])
        elif f.kind == "count":
            values[f.path] = node.get("minItems", 2)
        elif f.kind == "set":
            values[f.path] = rng.sample(node.get("items", {}).get("enum", list(f.domain)), 2)
    return values


def clean_part(agent_key: str, schema: dict, seed: int) -> dict:
    """The agent's part(s) of a clean persona whose structured values come from the schema."""
    rng = random.Random(seed)
    p = persona(_values_from_schema(agent_key, schema, rng), seed % 10**6)
    agent = BY_KEY[agent_key]
    return p[agent.parts[0]] if len(agent.parts) == 1 else {k: p[k] for k in agent.parts}

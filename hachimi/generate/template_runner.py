"""A model without a model: answers each agent's schema with values drawn (seeded) from its
enums and clean template prose. For smoke tests of plans, resume and reports, and CI; not for data.
Set HACHIMI_TEMPLATE_DELAY (seconds per call) to slow it down, e.g. to test interrupts."""

from __future__ import annotations

import json
import os
import random
import time

from ..facts.table import FIELDS
from ..testing.personas import persona
from .agents import BY_KEY
from .runner import Output


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


class TemplateRunner:
    name = "template"

    def __init__(self, spec=None):
        self.spec = spec
        self.delay = float(os.environ.get("HACHIMI_TEMPLATE_DELAY", "0") or 0)

    def __call__(self, messages: list, schema: dict | None, seed: int, max_new_tokens: int,
                 banned: tuple[str, ...] = ()) -> Output:
        if self.delay:
            time.sleep(self.delay)
        text = json.dumps(clean_part((schema or {}).get("title", ""), schema or {}, seed))
        return Output(text, max(1, len(text) // 4), self.delay, False)

"""A scripted model for loop tests: reads the allowed values out of the agent's schema and
answers with a clean part (prose from hachimi.testing.personas), optionally tampered with."""

from __future__ import annotations

import json
import random

from hachimi.facts.table import FIELDS
from hachimi.generate.agents import BY_KEY
from hachimi.testing.personas import persona


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
    return values


def clean_part(agent_key: str, schema: dict, seed: int) -> dict:
    rng = random.Random(seed)
    p = persona(_values_from_schema(agent_key, schema, rng), seed % 10**6)
    agent = BY_KEY[agent_key]
    return p[agent.parts[0]] if len(agent.parts) == 1 else {k: p[k] for k in agent.parts}


def script(tamper=None):
    """script(agent, messages, schema, seed) for ScriptedRunner; tamper(agent, part, call_no) may edit."""
    counter: dict[str, int] = {}

    def run(agent, messages, schema, seed):
        counter[agent] = counter.get(agent, 0) + 1
        part = clean_part(agent, schema, seed)
        if tamper:
            out = tamper(agent, part, counter[agent])
            if isinstance(out, str):
                return out
            part = out if out is not None else part
        return json.dumps(part)
    return run

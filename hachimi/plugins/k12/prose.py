"""The template engine's k12 parts: an agent's schema + seed -> that agent's part(s) of a clean k12
persona, structured values drawn (seeded) from the schema's enums and template prose; a narrative
the schema puts on a scaffold is written on it. The k12 plug-in's `template_part` (theory.toml
[theory] plugin); agents it does not know are filled from their schema by the generic filler."""

from __future__ import annotations

import random

from .personas import persona
from .schema import FIELDS, K12

AGENT_PARTS = {a.key: a.parts for a in K12.agents}


def _values_from_schema(agent_key: str, schema: dict, rng: random.Random) -> dict:
    values = {f.path: (f.domain[0] if f.kind != "set" else [f.domain[0]]) for f in FIELDS if f.structured}
    values["mental_health.traits"] = 2
    parts = AGENT_PARTS[agent_key]
    for f in FIELDS:
        part = f.path.split(".")[0]
        if part not in parts or not f.structured:
            continue
        node = schema if len(parts) == 1 else schema["properties"][part]
        for key in f.path.split(".")[1:]:
            node = node.get("properties", {}).get(key)
            if node is None:
                break
        if node is None:  # a field the schema leaves to a scaffolded narrative
            continue
        if "anyOf" in node:
            values[f.path] = rng.choice(node["anyOf"])["const"]
        elif "enum" in node:
            values[f.path] = rng.choice(node["enum"])
        elif f.kind == "count":
            values[f.path] = node.get("minItems", 2)
        elif f.kind == "set":
            values[f.path] = rng.sample(node.get("items", {}).get("enum", list(f.domain)), 2)
    return values


CLAUSES = {
    "en": [
        "{he} keeps {his} word to friends",
        "teachers noticed this during the class project",
        "it shows in how {he} uses {his} free time",
        "{his} class teacher says so in every report",
        "{he} is still working on it this term",
        "friends often ask {him} for help with it",
    ],
    "zh": ["这在班级活动中看得出来", "老师在评语里也提到了这一点", "{he}这学期还在努力", "同学们也常这样评价{him}"],
}
PRONOUNS = {  # the scaffold's possessive -> the clause's pronouns
    "Her": {"he": "she", "his": "her", "him": "her"},
    "His": {"he": "he", "his": "his", "him": "him"},
    "Their": {"he": "they", "his": "their", "him": "them"},
    "她": {"he": "她", "his": "她的", "him": "她"},
    "他": {"he": "他", "his": "他的", "him": "他"},
}


def _clause(rng: random.Random, lang: str, who: str) -> str:
    return rng.choice(CLAUSES.get(lang, CLAUSES["en"])).format(**PRONOUNS.get(who, PRONOUNS["Their"]))


def _scaffold_text(meta: dict, rng: random.Random) -> str:
    """A narrative on its scaffold (generate/scaffold.py): levels drawn from the allowed ones, the
    clauses k12's."""
    from ...facts.levels import vocabulary_of
    from ...generate.filler import scaffold_text
    from ...resources import CONSTRAINTS

    vocab = vocabulary_of(CONSTRAINTS / "k12" / "vocab" / "levels.toml", K12)
    return scaffold_text(meta, rng, vocab, _clause)


def template_part(agent_key: str, schema: dict, seed: int) -> dict | None:
    """The agent's part(s) of a clean persona whose structured values come from the schema; a
    narrative the schema puts on a scaffold is written on it (its levels are read back later).
    None for an agent k12 does not have (one a pack adds: the generic filler fills it)."""
    if agent_key not in AGENT_PARTS:
        return None
    rng = random.Random(seed)
    p = persona(_values_from_schema(agent_key, schema, rng), seed % 10**6)
    agent_parts = AGENT_PARTS[agent_key]
    parts = {k: p[k] for k in agent_parts}
    for part in agent_parts:
        node = schema if len(agent_parts) == 1 else schema["properties"][part]
        props = node.get("properties", {})
        for key in [k for k in parts[part] if k not in props]:  # fields the scaffold states
            del parts[part][key]
        for key, sub in props.items():
            if "x-scaffold" in sub:
                parts[part][key] = _scaffold_text(sub["x-scaffold"], rng)
    return parts[agent_parts[0]] if len(agent_parts) == 1 else parts

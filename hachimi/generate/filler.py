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


def _scaffold_text(meta: dict, rng: random.Random) -> str:
    """A narrative on its scaffold (generate/scaffold.py): levels drawn from the allowed ones."""
    from ..facts.levels import vocabulary_of
    from ..facts.table import K12
    from ..resources import CONSTRAINTS

    vocab = vocabulary_of(CONSTRAINTS / "k12" / "vocab" / "levels.toml", K12)
    lang, who, out = meta["language"], meta["who"], []
    for key, dim, allowed, literal in meta["lines"]:
        if literal is not None:
            out.append(literal)
            continue
        word = vocab.word(lang, vocab.scales[dim], rng.choice(allowed))
        clause = rng.choice(CLAUSES.get(lang, CLAUSES["en"])).format(**PRONOUNS.get(who, PRONOUNS["Their"]))
        if lang == "zh":
            out.append(f"{who}的{vocab.names[lang][dim][0]}{word}；{clause}。")
        else:
            out.append(f"{who} {vocab.names[lang][dim][0]} is {word}: {clause}.")
    return ("" if lang == "zh" else " ").join(out)


def clean_part(agent_key: str, schema: dict, seed: int) -> dict:
    """The agent's part(s) of a clean persona whose structured values come from the schema; a
    narrative the schema puts on a scaffold is written on it (its levels are read back later)."""
    rng = random.Random(seed)
    if agent_key not in BY_KEY:  # an agent a theory pack adds: filled from its schema alone
        return fill(schema, rng)
    p = persona(_values_from_schema(agent_key, schema, rng), seed % 10**6)
    agent = BY_KEY[agent_key]
    parts = {k: p[k] for k in agent.parts}
    for part in agent.parts:
        node = schema if len(agent.parts) == 1 else schema["properties"][part]
        props = node.get("properties", {})
        for key in [k for k in parts[part] if k not in props]:  # fields the scaffold states
            del parts[part][key]
        for key, sub in props.items():
            if "x-scaffold" in sub:
                parts[part][key] = _scaffold_text(sub["x-scaffold"], rng)
    return parts[agent.parts[0]] if len(agent.parts) == 1 else parts


GENERIC_SENTENCE = "The student works with friends at school."


def fill(node: dict, rng: random.Random):
    """A seeded value of any decoding schema (grammar.build's output): an enum or const value, an
    integer in range, a list of the allowed size, a scaffolded or plain sentence, an object of
    filled properties. How the template engine answers an agent it has no persona prose for."""
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return rng.choice(node["enum"])
    if "anyOf" in node:
        return fill(rng.choice(node["anyOf"]), rng)
    kind = node.get("type")
    if kind == "object":
        return {k: fill(v, rng) for k, v in node.get("properties", {}).items()}
    if kind == "integer":
        return rng.randint(node.get("minimum", 0), node.get("maximum", node.get("minimum", 0) + 9))
    if kind == "array":
        n = rng.randint(node.get("minItems", 1), node.get("maxItems", node.get("minItems", 1) + 2))
        item = node.get("items", {})
        if "enum" in item:
            return rng.sample(item["enum"], min(n, len(item["enum"])))
        return [fill(item, rng) for _ in range(n)]
    if kind == "string":
        if "x-scaffold" in node:
            return _scaffold_text(node["x-scaffold"], rng)
        return GENERIC_SENTENCE
    return None

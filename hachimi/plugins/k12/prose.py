"""The template engine's k12 parts: an agent's schema + seed -> that agent's part(s) of a clean k12
persona, structured values drawn (seeded) from the schema's enums; a narrative the schema puts on a
scaffold is written on it, and its clauses and the short texts (personality, relationships,
background, supports, radar summary) come from phrases.py, varied enough for runs of 100k. The
k12 plug-in's `template_part` (theory.toml [theory] plugin); agents it does not know are filled
from their schema by the generic filler."""

from __future__ import annotations

import random

from . import phrases as PH
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


TEXTS = {  # short text fields -> the phrase bank they are written from (phrases.py)
    "values.personality": PH.PERSONALITY,
    "creativity.radar_summary": PH.RADAR,
    "mental_health.background": PH.BACKGROUND,
    "mental_health.supports": PH.SUPPORTS,
}
SENTENCE_CHARS = 151  # generate/grammar.EN_SENTENCE_CHARS + 1: a text field's budget per sentence


def _who(parts: dict[str, dict]) -> tuple[str | None, str]:
    """The scaffold's possessive and language in this agent's schema (None, "en" without one)."""
    for node in parts.values():
        for sub in node.get("properties", {}).values():
            meta = sub.get("x-scaffold")
            if meta:
                return meta["who"], meta["language"]
    return None, "en"


CLAUSES = {lang: PH.sample(lang, 200) for lang in ("en", "zh")}  # a sample, pronouns as {he} {his} {him}


def _scaffold_text(meta: dict, rng: random.Random, writer: PH.Writer | None = None) -> str:
    """A narrative on its scaffold (generate/scaffold.py): levels drawn from the allowed ones, the
    clauses k12's (phrases.py; `writer`: the call's, else one of its own)."""
    writer = writer or PH.Writer(rng, meta["who"])
    from ...facts.levels import vocabulary_of
    from ...generate.filler import scaffold_text
    from ...resources import CONSTRAINTS

    vocab = vocabulary_of(CONSTRAINTS / "k12" / "vocab" / "levels.toml", K12)
    return scaffold_text(
        meta, rng, vocab, lambda _r, lang, _who: writer.zh_clause() if lang == "zh" else writer.clause()
    )


def _text(path: str, node: dict, writer: PH.Writer) -> str | None:
    """An English short text for `path` within its schema's sentence budget, None for a field
    without a bank."""
    sentences = max(1, node.get("x-max-chars", 2 * SENTENCE_CHARS) // SENTENCE_CHARS)
    if path == "social.relationships":
        return writer.relationships(sentences)
    return writer.text(TEXTS[path]) if path in TEXTS else None


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
    nodes = {part: schema if len(agent_parts) == 1 else schema["properties"][part] for part in agent_parts}
    who, lang = _who(nodes)
    writer = PH.Writer(rng, who)
    for part, node in nodes.items():
        props = node.get("properties", {})
        for key in [k for k in parts[part] if k not in props]:  # fields the scaffold states
            del parts[part][key]
        for key, sub in props.items():
            if "x-scaffold" in sub:
                parts[part][key] = _scaffold_text(sub["x-scaffold"], rng, writer)
            elif lang == "en" and (text := _text(f"{part}.{key}", sub, writer)) is not None:
                parts[part][key] = text
    return parts[agent_parts[0]] if len(agent_parts) == 1 else parts

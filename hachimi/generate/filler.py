"""The template engine's writer: an agent's decoding schema + seed -> a seeded value of that schema
(no language model: smoke tests of plans, resume and reports, and CI; never for data). A theory's
plug-in may write its own agents' parts (`template_part(agent, schema, seed)`, e.g. k12's clean
prose); every other agent is filled from its schema alone."""

from __future__ import annotations

import random
from typing import Callable


def writer(theory) -> Callable[[dict, int], object]:
    """The template engine's writer for a theory: its plug-in's parts where it has them."""
    part = getattr(theory.plugin, "template_part", None) if theory is not None else None
    check = theory.text.checks.get("levels") if theory is not None else None
    vocab = check[1].vocabulary if check else None

    def write(schema: dict, seed: int):
        out = part(schema.get("title", ""), schema, seed) if part else None
        return out if out is not None else fill(schema, random.Random(seed), vocab)

    return write


def template_engine(theory, spec=None):
    """A TemplateEngine that writes this theory's parts (hachimi/engines/template.py)."""
    from ..engines.template import TemplateEngine

    return TemplateEngine(spec, writer=writer(theory))


GENERIC_SENTENCE = "The student works with friends at school."
GENERIC_CLAUSE = {"en": "it shows at school", "zh": "这在学校里看得出来"}


def scaffold_text(meta: dict, rng: random.Random, vocab, clause: Callable | None = None) -> str:
    """A narrative on its scaffold (generate/scaffold.py): levels drawn from the allowed ones, each
    sentence in the scaffold's shape; its clause from `clause(rng, language, who)` (a plug-in's
    prose), else a plain one."""
    lang, who, out = meta["language"], meta["who"], []
    for _, dim, allowed, literal in meta["lines"]:
        if literal is not None:
            out.append(literal)
            continue
        word = vocab.word(lang, vocab.scales[dim], rng.choice(allowed))
        name = vocab.names[lang][dim][0]
        clause_text = clause(rng, lang, who) if clause else GENERIC_CLAUSE.get(lang, GENERIC_CLAUSE["en"])
        out.append(
            f"{who}的{name}{word}；{clause_text}。" if lang == "zh" else f"{who} {name} is {word}: {clause_text}."
        )
    return ("" if lang == "zh" else " ").join(out)


def fill(node: dict, rng: random.Random, vocab=None):
    """A seeded value of any decoding schema (grammar.build's output): an enum or const value, an
    integer in range, a list of the allowed size, a scaffolded or plain sentence, an object of
    filled properties. How the template engine answers an agent it has no persona prose for."""
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return rng.choice(node["enum"])
    if "anyOf" in node:
        return fill(rng.choice(node["anyOf"]), rng, vocab)
    kind = node.get("type")
    if kind == "object":
        return {k: fill(v, rng, vocab) for k, v in node.get("properties", {}).items()}
    if kind == "integer":
        return rng.randint(node.get("minimum", 0), node.get("maximum", node.get("minimum", 0) + 9))
    if kind == "array":
        n = rng.randint(node.get("minItems", 1), node.get("maxItems", node.get("minItems", 1) + 2))
        item = node.get("items", {})
        if "enum" in item:
            return rng.sample(item["enum"], min(n, len(item["enum"])))
        return [fill(item, rng, vocab) for _ in range(n)]
    if kind == "string":
        if "x-scaffold" in node and vocab is not None:
            return scaffold_text(node["x-scaffold"], rng, vocab)
        return GENERIC_SENTENCE
    return None

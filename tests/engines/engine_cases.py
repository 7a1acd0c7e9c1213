"""Requests the engine tests send to every engine (plain data: also imported by _vllm_probe.py,
which runs inside .venv-vllm without pytest)."""

from __future__ import annotations

import json

# One system prompt for all (long enough to fill a few KV-cache blocks, so prefix caching shows).
SYSTEM = (
    "You write short, realistic descriptions of school students for a research data set. "
    "Answer with one JSON object only, no prose before or after it. Keep every text field "
    "brief and plain. Students are between 6 and 18 years old and attend grades 1 to 12. "
    "Use ordinary first names. Never mention illnesses, medication or hospitals. "
    "Describe habits, interests and classroom behaviour in neutral, respectful words. "
) * 3

SCHEMAS: dict[str, dict] = {
    "profile": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "grade", "gender"],
        "properties": {
            "name": {"type": "string", "minLength": 2, "maxLength": 24},
            "grade": {"type": "integer", "minimum": 1, "maximum": 12},
            "gender": {"enum": ["female", "male"]},
        },
    },
    "subjects": {
        "type": "object",
        "additionalProperties": False,
        "required": ["strong", "weak"],
        "properties": {
            "strong": {
                "type": "array",
                "minItems": 1,
                "maxItems": 2,
                "items": {"enum": ["math", "english", "physics", "art", "music"]},
            },
            "weak": {
                "type": "array",
                "minItems": 1,
                "maxItems": 2,
                "items": {"enum": ["chemistry", "history", "pe", "biology"]},
            },
        },
    },
    "mood": {
        "type": "object",
        "additionalProperties": False,
        "required": ["happiness", "calm", "score"],
        "properties": {
            "happiness": {"enum": ["low", "fairly_low", "medium", "upper_middle", "fairly_high", "high"]},
            "calm": {"type": "boolean"},
            "score": {"type": "number", "minimum": 0, "maximum": 10},
        },
    },
    "summary": {
        "type": "object",
        "additionalProperties": False,
        "required": ["summary", "risk"],
        "properties": {
            "summary": {"type": "string", "minLength": 10, "maxLength": 80},
            "risk": {"enum": ["low", "mild", "moderate", "high"]},
        },
    },
    "agent_name": {
        "type": "object",
        "additionalProperties": False,
        "required": ["agent_name"],
        "properties": {"agent_name": {"type": "string", "pattern": "^[a-z]{2,6}[1-5]_[a-z]{2,6}[1-5]$"}},
    },
}
# Whitespace fixed as in every grammar the product sends (generate/grammar.WHITESPACE): with
# flexible whitespace a small model can pad a value with spaces until its token budget runs out.
for _s in SCHEMAS.values():
    _s["x-guidance"] = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}

ASK = {
    "profile": "Give the student's name, grade and gender.",
    "subjects": "Which subjects is the student strong and weak in?",
    "mood": "How happy and calm is the student (score 0-10)?",
    "summary": "Summarise the student in one sentence and rate their anxiety risk.",
    "agent_name": "Write the student's name in pinyin with tone digits, like zhang1_wei3.",
}


def messages(kind: str) -> list[dict]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": ASK[kind]}]


def cases(n_per_schema: int = 2, seed0: int = 100, max_new_tokens: int = 96):
    """[(kind, Request)] covering every schema, each with its own seed."""
    from hachimi.engines.base import Request

    out = []
    for i in range(n_per_schema):
        for j, kind in enumerate(SCHEMAS):
            out.append(
                (
                    kind,
                    Request(
                        messages(kind), SCHEMAS[kind], seed=seed0 + 10 * i + j, max_new_tokens=max_new_tokens, tag=kind
                    ),
                )
            )
    return out


def check_schema(text: str, schema: dict) -> str | None:
    """None if text is JSON matching schema, else why not."""
    import jsonschema

    try:
        value = json.loads(text)
    except ValueError as e:
        return f"not JSON ({e}): {text[:120]!r}"
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as e:
        return f"does not match: {e.message}"
    return None

"""An independent checker of OpenAI's strict Structured Outputs rules, written from the guide's
"Supported schemas" section (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas),
not from hachimi/engines/strict.py, so the tests do not grade the converter by its own reading.

No maintained PyPI package checks a schema against these rules: the openai SDK converts pydantic
models (openai.lib._pydantic.to_strict_json_schema, a private helper that checks no limit), and
the schema-lint packages found target other profiles. So a small checker lives here, rule by rule."""

from __future__ import annotations

import re

TYPES = {"string", "number", "boolean", "integer", "object", "array", "null"}
COMMON = {"type", "description", "enum", "anyOf", "$ref", "$defs", "const"}
BY_TYPE = {
    "string": {"pattern", "format"},
    "number": {"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"},
    "integer": {"multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"},
    "array": {"items", "minItems", "maxItems"},
    "object": {"properties", "required", "additionalProperties"},
    "boolean": set(),
    "null": set(),
}
FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # response_format json_schema.name (API reference)
PATTERN_MAX = 1000  # not a documented limit: the brief's "no multi-kilobyte regexes"


def problems(schema: dict) -> list[str]:
    """Every rule the schema breaks (empty: it is a strict schema within the limits)."""
    out: list[str] = []
    if schema.get("type") != "object" or "anyOf" in schema:
        out.append("root: must be an object, not anyOf")
    tally = {"properties": 0, "chars": 0, "enums": 0, "depth": 0}

    def visit(node, where: str, depth: int) -> None:
        if not isinstance(node, dict):
            out.append(f"{where}: not a schema object")
            return
        for key in node:
            if key.startswith("x-"):
                out.append(f"{where}: extension key {key}")
        kinds = node.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        if not kinds and "anyOf" not in node and "$ref" not in node:
            out.append(f"{where}: no type")
        for k in kinds:
            if k not in TYPES:
                out.append(f"{where}: type {k!r} unsupported")
        allowed = set(COMMON).union(*(BY_TYPE.get(k, set()) for k in kinds))
        for key in node:
            if key not in allowed and not key.startswith("x-"):
                out.append(f"{where}: keyword {key!r} not supported for {kinds or 'this schema'}")
        if "format" in node and node["format"] not in FORMATS:
            out.append(f"{where}: format {node['format']!r} unsupported")
        if "pattern" in node:
            if len(node["pattern"]) > PATTERN_MAX:
                out.append(f"{where}: pattern of {len(node['pattern'])} characters")
            try:
                re.compile(node["pattern"])
            except re.error as e:
                out.append(f"{where}: pattern does not compile ({e})")
        for values in ([node["const"]] if "const" in node else [], node.get("enum") or []):
            tally["chars"] += sum(len(v) for v in values if isinstance(v, str))
        if "enum" in node:
            values = node["enum"]
            tally["enums"] += len(values)
            strings = sum(len(v) for v in values if isinstance(v, str))
            if len(values) > 250 and strings > 15_000:
                out.append(f"{where}: {len(values)} enum values of {strings} characters")
        if "object" in kinds or "array" in kinds:
            depth += 1
            tally["depth"] = max(tally["depth"], depth)
        if "object" in kinds:
            props = node.get("properties", {})
            if node.get("additionalProperties") is not False:
                out.append(f"{where}: additionalProperties must be false")
            if sorted(node.get("required", [])) != sorted(props):
                out.append(f"{where}: required must list every property")
            for name, sub in props.items():
                tally["properties"] += 1
                tally["chars"] += len(name)
                visit(sub, f"{where}.{name}", depth)
        if "items" in node:
            visit(node["items"], f"{where}[]", depth)
        for i, branch in enumerate(node.get("anyOf", [])):
            visit(branch, f"{where}|{i}", depth)
        for name, sub in node.get("$defs", {}).items():
            tally["chars"] += len(name)
            visit(sub, f"{where}$defs.{name}", depth)

    visit(schema, "root", 0)
    if tally["properties"] > 5000:
        out.append(f"{tally['properties']} object properties (at most 5000)")
    if tally["depth"] > 10:
        out.append(f"{tally['depth']} levels of nesting (at most 10)")
    if tally["chars"] > 120_000:
        out.append(f"{tally['chars']} characters of names and enum/const values (at most 120,000)")
    if tally["enums"] > 1000:
        out.append(f"{tally['enums']} enum values (at most 1000)")
    return out


def body_problems(body: dict) -> list[str]:
    """A chat-completions request body for a hosted API: response_format json_schema, strict, a
    valid name and a strict schema; no vLLM-only fields; no x- key anywhere."""
    out = []
    fmt = body.get("response_format") or {}
    js = fmt.get("json_schema") or {}
    if fmt.get("type") != "json_schema" or js.get("strict") is not True:
        out.append("response_format is not json_schema with strict: true")
    if not NAME.match(js.get("name", "")):
        out.append(f"json_schema.name {js.get('name')!r} is not 1-64 of [a-zA-Z0-9_-]")
    for key in ("structured_outputs", "guided_json", "bad_words", "repetition_penalty"):
        if key in body:
            out.append(f"vLLM-only field {key}")
    out += [f"an extension key {k} in the body" for k in sorted(set(keys(body))) if k.startswith("x-")]
    return out + problems(js.get("schema") or {})


def keys(obj):
    """Every dict key at any depth."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k
            yield from keys(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from keys(v)

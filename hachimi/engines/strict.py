"""A decoding schema (the JSON Schema with llguidance extensions that generate/grammar.py writes)
-> the strict JSON Schema a hosted OpenAI-compatible API accepts (response_format json_schema,
strict: true). vLLM servers keep the full llguidance schema (engines/openai.py).

The subset and its limits, from OpenAI's Structured Outputs guide, section "Supported schemas"
(https://platform.openai.com/docs/guides/structured-outputs#supported-schemas):
- types string, number, boolean, integer, object, array, enum and anyOf; the root is an object and
  not anyOf; each anyOf branch is itself a schema of the subset;
- beside the type: for strings pattern and format (date-time, time, date, duration, email,
  hostname, ipv4, ipv6, uuid); for numbers multipleOf, maximum, exclusiveMaximum, minimum,
  exclusiveMinimum; for arrays minItems, maxItems; description anywhere. minLength and maxLength
  are not in that list: a length goes into the description, and the request's max_tokens bounds
  the answer. allOf, not, dependentRequired, dependentSchemas, if, then, else are refused;
- every object has additionalProperties: false and every property in required (an optional field
  is a union with null);
- at most 5000 object properties in all, 10 levels of nesting, 120,000 characters of property
  names, definition names, enum values and const values, 1000 enum values, and 15,000 characters
  for one string enum of more than 250 values.
The guide bounds no pattern: MAX_PATTERN is ours (the scaffold's and the lexicon's regexes run to
tens of kilobytes, which no hosted API takes); a field may name a short stand-in, x-strict-pattern.
Everything else is dropped: x- keys, title, default, uniqueItems, the length keywords."""

from __future__ import annotations

from ..errors import HachimiError

STRING_FORMATS = ("date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid")
NUMBER_KEYS = ("multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum")
ARRAY_KEYS = ("minItems", "maxItems")
REFUSED = ("allOf", "not", "dependentRequired", "dependentSchemas", "if", "then", "else", "$ref")
MAX_PROPERTIES = 5000
MAX_DEPTH = 10
MAX_STRING_CHARS = 120_000
MAX_ENUM_VALUES = 1000
BIG_ENUM, BIG_ENUM_CHARS = 250, 15_000
MAX_PATTERN = 1000  # ours, not the guide's
FIX = 'decode with narrative = "free" (hachimi generate --narrative free), whose grammars fit'


class StrictSchemaError(HachimiError):
    """A decoding schema that has no strict form within the documented limits."""


def strict_schema(schema: dict) -> dict:
    """The strict form of a decoding schema; StrictSchemaError names the field that cannot have one."""
    if schema.get("type") != "object" or "anyOf" in schema:
        raise StrictSchemaError("a strict schema's root must be an object (not anyOf)")
    out = _convert(schema, "")
    _check_limits(out)
    return out


def _where(path: str) -> str:
    return f"field {path}" if path else "the root"


def _kind(v) -> str | None:
    if v is None:
        return "null"
    for t, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string")):
        if isinstance(v, t):
            return name
    return None


def _type_of(values: list, path: str) -> str | list[str]:
    """The JSON type(s) of enum values (a narrowed enum carries no type; strict mode wants one)."""
    kinds: list[str] = []
    for v in values:
        k = _kind(v)
        if k is None:
            raise StrictSchemaError(f"{_where(path)}: enum/const value {v!r} is not a string, number or boolean")
        if k not in kinds:
            kinds.append(k)
    if set(kinds) == {"integer", "number"}:
        kinds = ["number"]
    return kinds[0] if len(kinds) == 1 else kinds


def _length_note(node: dict) -> str:
    """A string's length bounds in words (strict mode has no minLength/maxLength)."""
    hi = node.get("maxLength", node.get("x-max-chars"))
    lo = node.get("minLength", 0)
    if hi is None:
        return f"at least {lo} characters" if lo > 1 else ""
    return f"{lo}-{hi} characters" if lo > 1 else f"at most {hi} characters"


def _convert(node: dict, path: str) -> dict:
    for key in REFUSED:
        if key in node:
            raise StrictSchemaError(f"{_where(path)}: {key} has no strict form")
    out: dict = {}
    if "anyOf" in node:
        branches = node["anyOf"]
        if branches and all(set(b) == {"const"} and isinstance(b["const"], list) for b in branches):
            return _set_field(branches, path)  # grammar._set_schema: combinations of a set field
        out["anyOf"] = [_convert(b, path) for b in branches]
        return out
    values = [node["const"]] if "const" in node else node.get("enum")
    if values is not None:
        out["type"] = node.get("type") or _type_of(values, path)
        out["enum"] = list(values)
        if "description" in node:
            out["description"] = node["description"]
        return out
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        required = set(node.get("required", ()))
        out["type"] = "object"
        out["properties"] = {
            k: _nullable(_convert(v, f"{path}.{k}".lstrip(".")), k not in required) for k, v in props.items()
        }
        out["required"] = list(props)
        out["additionalProperties"] = False
    elif kind == "array":
        out["type"] = "array"
        if "items" in node:
            out["items"] = _convert(node["items"], f"{path}[]")
        out.update({k: node[k] for k in ARRAY_KEYS if k in node})
    elif kind in ("integer", "number"):
        out["type"] = kind
        out.update({k: node[k] for k in NUMBER_KEYS if k in node})
    elif kind == "string":
        out["type"] = "string"
        pattern = node.get("x-strict-pattern", node.get("pattern"))
        if pattern is not None:
            if len(pattern) > MAX_PATTERN:
                raise StrictSchemaError(
                    f"{_where(path)}: a pattern of {len(pattern):,} characters, over the {MAX_PATTERN:,} a "
                    f"hosted API is sent; {FIX}"
                )
            out["pattern"] = pattern
        if node.get("format") in STRING_FORMATS:
            out["format"] = node["format"]
    elif kind == "boolean":
        out["type"] = "boolean"
    else:
        raise StrictSchemaError(f"{_where(path)}: type {kind!r} has no strict form")
    text, length = node.get("description", ""), _length_note(node) if kind == "string" else ""
    if text or length:
        out["description"] = f"{text} ({length})" if text and length else text or length.capitalize()
    return out


def _set_field(branches: list[dict], path: str) -> dict:
    """anyOf over const lists (a set field's allowed combinations) -> an array of the values they
    use, of the sizes they have: hundreds of consts would not fit the limits; a repeated or
    unsorted item is then the validator's to report."""
    combos = [b["const"] for b in branches]
    values = list(dict.fromkeys(x for c in combos for x in c))
    sizes = [len(c) for c in combos]
    return {
        "type": "array",
        "items": {"type": _type_of(values, path), "enum": values},
        "minItems": min(sizes),
        "maxItems": max(sizes),
    }


def _nullable(node: dict, optional: bool) -> dict:
    return {"anyOf": [node, {"type": "null"}]} if optional else node


def _check_limits(schema: dict) -> None:
    counts = {"properties": 0, "chars": 0, "enum": 0}

    def walk(node: dict, depth: int, path: str) -> None:
        if node.get("type") in ("object", "array"):
            depth += 1
            if depth > MAX_DEPTH:
                raise StrictSchemaError(f"{_where(path)}: nested deeper than {MAX_DEPTH} levels")
        for k, v in node.get("properties", {}).items():
            counts["properties"] += 1
            counts["chars"] += len(k)
            walk(v, depth, f"{path}.{k}".lstrip("."))
        if "enum" in node:
            values = node["enum"]
            counts["enum"] += len(values)
            chars = sum(len(str(v)) for v in values)
            counts["chars"] += chars
            if len(values) > BIG_ENUM and chars > BIG_ENUM_CHARS:
                raise StrictSchemaError(
                    f"{_where(path)}: {len(values)} enum values of {chars:,} characters in all (over "
                    f"{BIG_ENUM} values, strict mode allows {BIG_ENUM_CHARS:,}); use a vLLM server"
                )
        if "items" in node:
            walk(node["items"], depth, f"{path}[]")
        for b in node.get("anyOf", ()):
            walk(b, depth, path)

    walk(schema, 0, "")
    for what, n, limit in (
        ("object properties", counts["properties"], MAX_PROPERTIES),
        ("characters of property names and enum values", counts["chars"], MAX_STRING_CHARS),
        ("enum values", counts["enum"], MAX_ENUM_VALUES),
    ):
        if n > limit:
            raise StrictSchemaError(
                f"the schema has {n:,} {what}, over the {limit:,} strict mode allows; use a vLLM server "
                '([openai] server = "vllm"), which takes the full grammar'
            )

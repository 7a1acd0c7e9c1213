"""grammars/<part>.schema.json + a Box + text budgets -> the JSON Schema one agent decodes under.

Structured fields become enums of the box's allowed values (or const); set fields become anyOf
over sorted combinations, so items never repeat (llguidance refuses uniqueItems); free text gets
the model's length budget and the single-paragraph pattern; whitespace is fixed (", " and ": ").
Narrative style (models.NARRATIVES): "scaffold" writes English text from the frequent-word lexicon
and rated narratives on their scaffold; "free" bounds text by length and paragraph form only."""

from __future__ import annotations

import copy
import itertools
import json
import re
from functools import lru_cache
from typing import Any

import orjson

from ..facts.text import TextConfig
from ..schema.spec import PersonaSchema
from .narrow import Box

WHITESPACE = {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "}
TRAIT_MAX_CHARS = 40
SHORT_MAX = 240  # a text field of at most this many characters gets the model's short budget
_BASE: dict[int, tuple[PersonaSchema, dict[str, dict]]] = {}
_BASE_BYTES: dict[tuple[int, str], tuple[PersonaSchema, bytes]] = {}  # (schema id, part) -> its base schema, serialised


def base_schema(part: str, spec: PersonaSchema) -> dict:
    """The JSON Schema of a part (from the theory's schema.toml, as `hachimi schema export`
    writes it) with every $ref inlined."""
    if id(spec) not in _BASE:  # the schema is kept with its grammars, so its id is not reused
        from ..schema.models import part_models

        _BASE[id(spec)] = (spec, {p: _inlined(m.model_json_schema()) for p, m in part_models(spec).items()})
    return _BASE[id(spec)][1][part]


def _fresh_base(part: str, spec: PersonaSchema) -> dict:
    """A private copy of the part's base schema to fill in (a JSON round trip: the schema is plain
    JSON, and orjson copies it ~10x faster than copy.deepcopy, once per agent call)."""
    key = (id(spec), part)
    if key not in _BASE_BYTES:
        _BASE_BYTES[key] = (spec, orjson.dumps(base_schema(part, spec)))
    return orjson.loads(_BASE_BYTES[key][1])


def _inlined(raw: dict) -> dict:
    raw = copy.deepcopy(raw)
    defs = raw.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(copy.deepcopy(defs[node["$ref"].split("/")[-1]]))
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(x) for x in node]
        return node

    return inline(raw)


def _node(schema: dict, rel: list[str]) -> dict:
    for key in rel:
        schema = schema["properties"][key]
    return schema


def set_sizes(field) -> range:
    """The list lengths a set field's grammar allows: its `items` bound in schema.toml (the one
    bound the models, the sampler and the strict schemas read), at least one member."""
    lo, hi = field.items or (1, len(field.domain))
    return range(max(1, lo), hi + 1)


def _set_schema(values: list[str], sizes) -> dict:
    combos = [list(c) for k in sizes for c in itertools.combinations(values, k)]
    return {"anyOf": [{"const": c} for c in combos]}


# Prose shapes per language: English prose starts with a capital and never contains the
# underscores, braces or markup a small model falls into; names are "Family Given".
MARKUP = r"_{}<>#*\\|"  # characters no prose field may contain
PROSE = {"en": rf"[A-Z][^\n\r{MARKUP}]*", "zh": rf"[^\n\r{MARKUP}]+"}
NAME = {"en": r"^[A-Z][a-z]+ [A-Z][a-z]+$", "zh": r"^[^\n\r_0-9]{2,4}$"}
TRAIT = {"en": r"^[a-z][a-z '-]*$", "zh": r"^[^\n\r,;，；]+$"}
CHAR = rf"[^\n\r{MARKUP}]"
# English free text is written as sentences of short lower-case words (REFERENCE.md §6: with
# unbounded gaps the bundled model stops emitting spaces and runs words together); a sentence opens
# with a capital and has 3-12 words; traits are 1-3 short words.
EN_SENTENCE_CHARS = 6 + 11 * 13 + 1


def excluded_words(text: TextConfig | None, language: str) -> frozenset[str]:
    """The theory's level words (kept out of every English clause, so one word regex serves all
    fields and no free text states a level): from its [features.levels] vocabulary, if it has one."""
    from .scaffold import level_words

    check = (text.checks.get("levels") if text else None) or (None, None)
    return level_words(getattr(check[1], "vocabulary", None), language)


def en_sentence(exclude: frozenset[str] = frozenset()) -> str:
    """An opener from a closed list, then 2-11 frequent words (generate/lexicon.py), then . or !"""
    from .lexicon import OPENERS, word_regex

    return f"(?:{'|'.join(OPENERS)})(?:,? {word_regex(exclude)}){{2,11}}[.!]"


TRAIT_MODIFIERS = (
    "very",
    "quite",
    "rather",
    "a bit",
    "a little",
    "easily",
    "often",
    "sometimes",
    "slightly",
    "somewhat",
)


def en_trait(exclude: frozenset[str] = frozenset(), traits=None) -> str:
    """A trait on the scaffold: with the theory's trait lexicon (text/traits.py), an optional
    modifier and one or two of its frequent trait words ("easily worried", "calm and careful"), so
    T6 holds by construction; without one, 1-3 frequent words."""
    from .lexicon import trie_regex, word_regex

    if traits is None:
        w = word_regex(exclude)
        return f"^{w}(?: {w}){{0,2}}$"
    t = trie_regex(frequent_traits(traits, exclude))
    return f"^(?:(?:{'|'.join(TRAIT_MODIFIERS)}) )?{t}(?: (?:and|but) {t})?$"


@lru_cache(maxsize=4)
def frequent_traits(traits, exclude: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The trait lexicon's single words among wordfreq's 10,000 most frequent English words (a small
    trie: llguidance's lexer budget also carries the clause lexicon), level words left out."""
    import wordfreq

    top = set(wordfreq.top_n_list("en", 10_000))
    return tuple(sorted(w for w in traits.words if w in top and w not in exclude and re.fullmatch(r"[a-z]{3,12}", w)))


def en_prose(max_chars: int, exclude: frozenset[str] = frozenset()) -> tuple[str, int]:
    """Pattern for English free text of about max_chars: 1 sentence per 80 characters (at least 1)."""
    n, sentence = max(1, max_chars // 80), en_sentence(exclude)
    return rf"^{sentence}(?: {sentence}){{0,{n - 1}}}$", n * (EN_SENTENCE_CHARS + 1)


def paragraph(language: str) -> str:
    """One paragraph of plain prose ("free" narratives): one line, words separated by single
    spaces, no markup, and no list marker the validator's R14 reads (a leading "1." / "-" / "•",
    or an inline "1. ... 2. ..."): no bullet at all, a first character that cannot open a list,
    and never " 1. " or " 1) ". Built as the regex of the automaton that avoids those, so it is
    short (about 200 characters) and works with maxLength in llguidance and in strict mode."""
    bad = rf"\s{MARKUP}•\x00-\x1f"
    word = rf"[^{bad}]"  # any character but a space
    first = "[A-Z]" if language == "en" else rf"[^{bad}·\d-]"
    # after " 1" (spaces and ones between words): "1." or "1)" then a non-space, or "1" then
    # anything but . and ), or any other character
    step = rf"(?:1[.)]{word}|1[^{bad}.)]|[^{bad}1])"
    return rf"^{first}(?:{word}* (?:1 )*{step})*{word}*(?: (?:1 )*1[.)]?)?$"


def _mention_pattern(language: str, names: list[str], gap: int) -> str:
    """Prose that names every dimension, in order (R8/R9 by construction). Gaps are bounded in the
    regex itself: llguidance cannot intersect such a regex with maxLength."""
    inner = f"{CHAR}{{0,{gap}}}".join(re.escape(n) for n in names)
    head = "[A-Z]" if language == "en" else ""
    return f"^{head}{CHAR}{{0,{gap}}}{inner}{CHAR}{{0,{gap}}}[.!?。]$"


def build(
    part: str,
    box: Box | None,
    max_text: int,
    max_short: int,
    text: TextConfig | None = None,
    language: str = "en",
    scaffold: dict[str, dict] | None = None,
    spec: PersonaSchema | None = None,
    narrative: str = "scaffold",
) -> dict:
    """The decoding schema for one part; box None = the base schema with only the text budgets.
    `scaffold`: narrative field -> {"pattern", "max_chars", "derived", "meta"} (generate/scaffold.py):
    the narrative is decoded on the scaffold and the structured fields it states are not decoded
    at all (they are read back from the prose). `narrative` "free": text fields are bounded by
    their budget and paragraph() only (no lexicon, no mention pattern)."""
    free = narrative == "free"
    if spec is None:
        raise TypeError("grammar.build needs the theory's schema (spec=theory.schema)")
    schema = _fresh_base(part, spec)
    schema["x-guidance"] = dict(WHITESPACE)
    for field in spec.fields:
        if not field.path.startswith(part + "."):
            continue
        rel = field.path.split(".")[1:]
        node = _node(schema, rel)
        if field.kind == "text":
            _text_node(node, field, max_text, max_short, text, language, free, spec)
            continue
        if field.kind == "count":  # the trait list: bounded count, short items
            node["items"] = {
                "type": "string",
                "minLength": 2,
                "maxLength": TRAIT_MAX_CHARS,
                "pattern": TRAIT.get(language, TRAIT["zh"]),
            }
            if language == "en" and not free:
                readable = (text.checks.get("readable") if text else None) or (None, None)
                node["items"] = {
                    "type": "string",
                    "pattern": en_trait(excluded_words(text, language), getattr(readable[1], "traits", None)),
                    "x-max-chars": 32,
                }
            if box is not None:
                ok = [n for n in box.allowed[field.path] if n <= node.get("maxItems", n)]
                node["minItems"], node["maxItems"] = min(ok), max(ok)
            continue
        if box is None:
            continue
        allowed = box.allowed[field.path]
        if field.kind == "set":
            parent = _node(schema, rel[:-1])
            parent["properties"][rel[-1]] = _set_schema(allowed, set_sizes(field))
        else:
            for k in ("minimum", "maximum", "enum", "const", "type"):
                node.pop(k, None)
            node["enum"] = list(allowed)
    for path, sc in (scaffold or {}).items():
        if not path.startswith(part + "."):
            continue
        if sc.get("drop"):  # derived from another field after decoding (e.g. the name)
            _drop(schema, path.split(".")[1:])
            continue
        node = _node(schema, path.split(".")[1:])
        node.clear()
        node.update(
            {"type": "string", "pattern": sc["pattern"], "x-max-chars": sc["max_chars"], "x-scaffold": sc["meta"]}
        )
        for key in sc["derived"]:
            _drop(schema, key.split(".")[1:])
    return schema


def _drop(schema: dict, rel: list[str]) -> None:
    """Remove a property (and its parent object once it has none left)."""
    parent = _node(schema, rel[:-1])
    parent["properties"].pop(rel[-1], None)
    if rel[-1] in parent.get("required", []):
        parent["required"].remove(rel[-1])
    if not parent["properties"] and len(rel) > 1:
        _drop(schema, rel[:-1])


def name_rules(text: TextConfig | None):
    """The theory's name rules ([features.coherence] names, facts/coherence.Names), or None."""
    check = text.checks.get("coherence") if text else None
    return getattr(check[1], "names", None) if check else None


def _text_node(
    node: dict,
    field,
    max_text: int,
    max_short: int,
    text: TextConfig | None,
    language: str,
    free: bool = False,
    spec: PersonaSchema | None = None,
) -> None:
    path, who, names = field.path, spec.person if spec else None, name_rules(text)
    if who and path == who.agent_name and names:  # narrower than the rule's shape: the pack's name rules
        node["pattern"] = names.agent_name_pattern()
        node.pop("maxLength", None)
        node["x-max-chars"] = 40
        rule = [rx.pattern for f, rx in (text.patterns.values() if text and free else ()) if f == path]
        if rule:  # the theory's own shape (R6), for APIs that take short patterns only (engines/strict.py)
            node["x-strict-pattern"] = rule[0]
        return
    if who and path == who.name:
        node["pattern"], node["maxLength"] = NAME.get(language, NAME["zh"]), field.max_chars or 40
        return
    short = field.max_chars is not None and field.max_chars <= SHORT_MAX
    node["maxLength"] = max_short if short else max_text
    node["pattern"] = f"^{PROSE.get(language, PROSE['zh'])}$"
    if free:
        node["pattern"] = paragraph(language)
        return
    if language == "en":
        node["pattern"], node["x-max-chars"] = en_prose(node.pop("maxLength"), excluded_words(text, language))
    dims = (text.mentions.get(path) if text else None) or ()
    if dims:
        name = text.schema.display_name
        names = [name(d) if language == "en" else (text.aliases.get(d) or (name(d),))[0] for d in dims]
        gap = max(8, max_text // (len(names) + 1))
        node["pattern"] = _mention_pattern(language, names, gap)
        node.pop("maxLength", None)
        node["x-max-chars"] = 2 + gap * (len(names) + 1) + sum(map(len, names))  # for text_budget


def text_budget(schema: dict) -> int:
    """Upper bound on the JSON characters a schema admits (for sizing max_new_tokens)."""
    if "anyOf" in schema:
        return max(text_budget(s) for s in schema["anyOf"])
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    t = schema.get("type")
    if t == "object":
        return 2 + sum(len(k) + 6 + text_budget(v) for k, v in schema.get("properties", {}).items())
    if t == "array":
        return 2 + schema.get("maxItems", 4) * (2 + text_budget(schema.get("items", {})))
    if t == "string":
        return 2 + schema.get("maxLength", schema.get("x-max-chars", 200))
    return 12


__all__ = ["build", "base_schema", "text_budget"]

"""A theory's level vocabulary file + the language grammars -> Vocabulary: the one source of
dimension names (the schema's display names, the ids, and the names people use), of what each level
expression means (a set of scale steps) and of the modifiers, negators and hedges that change it.

The pack's file ([features.levels] vocabulary = "vocab/levels.toml"):
    [scales]            dimension -> scale (a scale of schema.toml, listed low -> high)
    [parts]             part -> the dimensions its narrative rates
    [<lang>.names]      dimension -> names (the first is the one the scaffold writes)
    [<lang>.groups]     phrase -> dimensions it names at once ("depression and anxiety risk")
    [<lang>.<scale>]    expression -> the steps it allows: "fairly_high", ["fairly_high", "high"],
                        or [] / "" (a level word with no step on this scale: never guessed)
    [<lang>.modifiers]  end / middle / keep = [...]  (added to the language's own, text/data/<lang>.toml)
    [<lang>.negators]   words = [...] (plain), strong / mild / litotes = [...];  [<lang>.hedges] words = [...]
    [<lang>.possessive] gender value -> the possessive the scaffold opens a sentence with ("Her"),
                        "*" -> the one for a persona of no or another gender ("Their")
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import TheoryError

MODIFIER_KINDS = ("end", "middle", "keep")
GRAMMARS = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Language:
    """What one language's prose uses: names, groups, expressions, modifiers, negators, hedges."""

    names: dict[str, tuple[str, ...]]  # dimension -> names, canonical first
    groups: dict[str, tuple[str, ...]]  # phrase -> dimensions
    expressions: dict[str, dict[str, frozenset[str]]]  # scale -> phrase -> steps (empty: no step)
    modifiers: dict[str, str]  # phrase -> end | middle | keep
    negators: dict[str, str]  # phrase -> how far it negates (text/steps.py NEGATIONS)
    hedges: frozenset[str]
    grammar: dict = field(default_factory=dict)  # text/data/<lang>.toml (construction words)
    possessive: dict[str, str] = field(default_factory=dict)  # gender value ("*": any other) -> "Her"


@dataclass(frozen=True)
class Vocabulary:
    scales: dict[str, str]  # dimension -> scale
    orders: dict[str, tuple[str, ...]]  # scale -> steps, low -> high
    parts: dict[str, tuple[str, ...]]  # part -> dimensions
    languages: dict[str, Language]
    source: str = ""

    @property
    def names(self) -> dict[str, dict[str, tuple[str, ...]]]:
        return {lang: v.names for lang, v in self.languages.items()}

    @property
    def groups(self) -> dict[str, dict[str, tuple[str, ...]]]:
        return {lang: v.groups for lang, v in self.languages.items()}

    @property
    def words(self) -> dict[str, dict[str, dict[str, frozenset[str]]]]:
        """language -> scale -> expression -> steps."""
        return {lang: v.expressions for lang, v in self.languages.items()}

    def word(self, language: str, scale: str, value: str) -> str:
        """The phrase the scaffold and repairs write for a step: the first expression meaning
        exactly that step."""
        table = self.languages[language].expressions[scale]
        return next(p for p, s in table.items() if s == frozenset((value,)))

    def dimensions(self) -> tuple[str, ...]:
        return tuple(self.scales)


def grammar(language: str) -> dict:
    """The construction words of a language (text/data/<lang>.toml); {} for a language without one."""
    return dict(_grammar(language))


@lru_cache(maxsize=8)
def _grammar(language: str) -> dict:
    path = GRAMMARS / f"{language}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def load_vocabulary(path: str | Path, schema: Any, display: dict[str, str] | None = None) -> Vocabulary:
    """Read a vocabulary file; `schema` gives the scales' orders (its .scales: name -> Scale with
    .values); `display`: dimension -> the schema's English display name (added to the English
    names). Raises TheoryError naming the file and the entry."""
    orders = tuple((n, tuple(s.values)) for n, s in schema.scales.items())
    shown = tuple(sorted((display or {}).items()))
    return _load(str(path), orders, shown)


@lru_cache(maxsize=16)
def _load(path: str, orders_t: tuple, shown: tuple) -> Vocabulary:
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise TheoryError(f"level vocabulary: {e}", str(p)) from None
    orders = dict(orders_t)

    def fail(msg: str) -> TheoryError:
        return TheoryError(msg, str(p))

    try:
        scales = {str(d): str(s) for d, s in raw.pop("scales").items()}
        parts = {str(k): tuple(v) for k, v in raw.pop("parts").items()}
    except (KeyError, AttributeError, TypeError) as e:
        raise fail(f"level vocabulary lacks or mistypes {e}: it needs [scales] and [parts]") from None
    for d, s in scales.items():
        if s not in orders:
            raise fail(f"[scales] {d} = {s!r}: not a scale of schema.toml ({', '.join(orders)})")
    for part, ds in parts.items():
        if bad := [d for d in ds if d not in scales]:
            raise fail(f"[parts] {part} names dimension(s) without a scale: {', '.join(bad)}")
    if unrated := [d for d in scales if not any(d in ds for ds in parts.values())]:
        raise fail(f"[scales] {unrated[0]}: no entry of [parts] rates this dimension; add it to a part or drop it")
    display = dict(shown)
    languages = {}
    for lang, table in raw.items():
        if not isinstance(table, dict):
            raise fail(f"{lang} = ...: expected a table per language such as [en.names]")
        _known_keys(lang, table, scales, fail)
        languages[lang] = _language(lang, table, scales, orders, display if lang == "en" else {}, fail)
    return Vocabulary(scales, {s: orders[s] for s in set(scales.values())}, parts, languages, str(p))


LANGUAGE_KEYS = ("names", "groups", "modifiers", "negators", "hedges", "possessive")  # besides one table per scale
NEGATOR_KEYS = ("words", "strong", "mild", "litotes")


def _known_keys(lang: str, t: dict, scales: dict, fail) -> None:
    """A key the reader never looks at (a misspelt scale, a name for a dimension [scales] lacks) is
    an error naming it, not wording silently ignored."""
    used = sorted(set(scales.values()))
    for key in t:
        if key not in LANGUAGE_KEYS and key not in used:
            raise fail(
                f"[{lang}.{key}]: not a key of a language table ({', '.join(LANGUAGE_KEYS)}, or a scale "
                f"a dimension of [scales] uses: {', '.join(used)})"
            )
    for d in t.get("names", {}):
        if d not in scales:
            raise fail(f"[{lang}.names] {d}: not a dimension of [scales] ({', '.join(scales)})")
    for key, allowed in (("negators", NEGATOR_KEYS), ("hedges", ("words",))):
        if bad := sorted(set(t.get(key, {})) - set(allowed)):
            raise fail(f"[{lang}.{key}] {', '.join(bad)}: {key} has only {', '.join(allowed)}")


def _language(lang: str, t: dict, scales: dict, orders: dict, display: dict, fail) -> Language:
    names_t = t.get("names", {})
    names: dict[str, tuple[str, ...]] = {}
    for d in scales:
        given = names_t.get(d)
        if not given:
            raise fail(f"[{lang}.names] has no name for {d}")
        extra = [display[d]] if d in display else []
        if lang == "en":
            extra.append(d.replace("_", " "))
        names[d] = tuple(dict.fromkeys([*given, *extra]))
    groups = {}
    for g, ds in t.get("groups", {}).items():
        if bad := [d for d in ds if d not in scales]:
            raise fail(f"[{lang}.groups] {g!r} names unknown dimension(s) {', '.join(bad)}")
        groups[g] = tuple(ds)
    expressions = {}
    for scale in sorted(set(scales.values())):
        table = t.get(scale)
        if table is None:
            raise fail(f"[{lang}.{scale}] is missing: every scale needs its expressions")
        out = {}
        for phrase, steps in table.items():
            steps = [steps] if isinstance(steps, str) else steps
            if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
                raise fail(f'[{lang}.{scale}] "{phrase}": expected a step or a list of steps')
            steps = [s for s in steps if s]
            if bad := [s for s in steps if s not in orders[scale]]:
                raise fail(
                    f'[{lang}.{scale}] "{phrase}" = {bad[0]!r}: not a step of the {scale} scale '
                    f"({', '.join(orders[scale])})"
                )
            out[phrase.lower()] = frozenset(steps)
        expressions[scale] = out
    base = _grammar(lang).get("defaults", {})
    mods_t, own = t.get("modifiers", {}), {}
    for kind in MODIFIER_KINDS:
        for w in [*base.get(kind, ()), *mods_t.get(kind, ())]:
            own[w] = kind
    if bad := set(mods_t) - set(MODIFIER_KINDS):
        raise fail(f"[{lang}.modifiers] {', '.join(sorted(bad))}: modifiers are end, middle or keep")
    negators = {w: "plain" for w in [*base.get("negators", ()), *t.get("negators", {}).get("words", ())]}
    for tier in ("strong", "mild", "litotes"):
        negators.update({w: tier for w in [*base.get(f"negators_{tier}", ()), *t.get("negators", {}).get(tier, ())]})
    hedges = frozenset([*base.get("hedges", ()), *t.get("hedges", {}).get("words", ())])
    possessive = t.get("possessive", {})
    if not isinstance(possessive, dict) or not all(isinstance(v, str) and v for v in possessive.values()):
        raise fail(f'[{lang}.possessive]: expected gender value = "word" entries')
    return Language(names, groups, expressions, own, negators, hedges, _grammar(lang), dict(possessive))

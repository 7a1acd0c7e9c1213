"""Narrative text -> the level it states for each dimension it describes: the narrative-level
agreement check (facts `stated/4`, `unstated/3`), and the one reader of levels in prose that
`hachimi convert` and the generator's scaffold use too.

The vocabulary (dimension names per language, scales, level words and graded phrases, names of
coordinated dimensions) is a file in the theory pack, [features.levels] vocabulary = "vocab/...".
English is read by `levels_en`, Chinese by `levels_zh` (dimension-anchored spans in both); which
one follows from the text's script. A dimension is *stated* at a level when one of its mentions
carries a level phrase with a value on its scale; *unstated* when it is mentioned but no mention
does (a hedge, no level word, or a word with no value on the scale). Conflicting statements give
one `stated` fact each, so any that disagrees with the structured level is a violation."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import TheoryError
from .reader import Fact, _q

_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    vocabulary: str
    fields: dict[str, str]  # narrative field -> part (a key of [parts] in the vocabulary)


@dataclass(frozen=True)
class Vocabulary:
    scales: dict[str, str]  # dimension -> scale name
    parts: dict[str, tuple[str, ...]]  # part -> dimensions
    names: dict[str, dict[str, tuple[str, ...]]]  # language -> dimension -> names (first = canonical)
    groups: dict[str, dict[str, tuple[str, ...]]]  # language -> phrase -> dimensions
    words: dict[str, dict[str, dict[str, str]]]  # language -> scale -> phrase -> value ("" = no value)
    hedges: dict[str, frozenset[str]] = field(default_factory=dict)

    def word(self, language: str, scale: str, value: str) -> str:
        """The phrase the scaffold writes for a value (the first phrase mapped to it)."""
        return next(p for p, v in self.words[language][scale].items() if v == value)


@dataclass
class Reading:
    """What a narrative says about one dimension."""

    dimension: str
    values: list[str] = field(default_factory=list)  # distinct values stated, in text order
    mentioned: bool = False
    reason: str = ""  # why no value: hedged / no level word / word with no value on the scale


@dataclass(frozen=True)
class Config:
    vocabulary: Vocabulary
    fields: dict[str, str]  # narrative field -> part
    schema: Any = None  # the theory's PersonaSchema


@lru_cache(maxsize=8)
def load_vocabulary(path: str) -> Vocabulary:
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise TheoryError(f"level vocabulary: {e}", str(p)) from None
    try:
        scales, parts = dict(raw.pop("scales")), {k: tuple(v) for k, v in raw.pop("parts").items()}
        langs = {k: v for k, v in raw.items() if isinstance(v, dict)}
        names = {lang: {d: tuple(n) for d, n in t["names"].items()} for lang, t in langs.items()}
        groups = {lang: {g: tuple(ds) for g, ds in t.get("groups", {}).items()} for lang, t in langs.items()}
        words = {lang: {s: dict(t[s]) for s in set(scales.values())} for lang, t in langs.items()}
        hedges = {lang: frozenset(t.get("hedges", {}).get("words", ())) for lang, t in langs.items()}
    except (KeyError, TypeError, AttributeError) as e:
        raise TheoryError(
            f"level vocabulary lacks or mistypes {e}: needs [scales], [parts], [<lang>.names], "
            "[<lang>.<scale>] for every scale",
            str(p),
        ) from None
    for lang in names:
        for d in scales:
            if d not in names[lang]:
                raise TheoryError(f"[{lang}.names] has no name for {d}", str(p))
        for g, ds in groups[lang].items():
            if bad := [d for d in ds if d not in scales]:
                raise TheoryError(f"[{lang}.groups] {g!r} names unknown dimension(s) {', '.join(bad)}", str(p))
    for part, ds in parts.items():
        if bad := [d for d in ds if d not in scales]:
            raise TheoryError(f"[parts] {part} names dimension(s) without a scale: {', '.join(bad)}", str(p))
    return Vocabulary(scales, parts, names, groups, words, hedges)


def language_of(text: str) -> str:
    """'zh' if the text has more CJK characters than Latin letters, else 'en'."""
    return "zh" if len(_CJK.findall(text)) > len(_LATIN.findall(text)) else "en"


def read(text: str, dims: tuple[str, ...], vocab: Vocabulary, language: str | None = None) -> dict[str, Reading]:
    """dimension -> Reading for the dimensions `dims` in `text` (language from the script if None)."""
    lang = language or language_of(text)
    if lang not in vocab.names:
        lang = "en"
    names = {d: list(vocab.names[lang][d]) for d in dims}
    groups = {f"group:{g}": list(ds) for g, ds in vocab.groups[lang].items() if set(ds) <= set(dims)}
    scale_of = {d: vocab.scales[d] for d in dims}
    table = {d: vocab.words[lang][scale_of[d]] for d in dims}
    all_words = {w for s in vocab.words[lang].values() for w in s}
    if lang == "zh":
        from .levels_zh import find_level_words

        by_name = {n: d for d in dims for n in names[d]} | {g[6:]: g for g in groups}
        found = find_level_words(text, list(by_name), all_words)
        raw = {}
        for n, f in found.items():
            key = by_name[n]
            raw.setdefault(key, []).append((list(f.words), list(f.spans), False))
    else:
        from .levels_en import find_levels

        found = find_levels(
            text, {**names, **{g: [g[6:]] for g in groups}}, all_words, vocab.hedges.get(lang, frozenset())
        )
        raw = {k: [(f.phrases, f.spans, f.hedged)] for k, f in found.items()}
    out = {d: Reading(d) for d in dims}
    for key, entries in raw.items():
        targets = groups.get(key, [key])
        for words, spans, hedged in entries:
            for d in targets:
                r = out[d]
                r.mentioned |= bool(spans)
                for w in words:
                    v = table[d].get(w)
                    if v:
                        if v not in r.values:
                            r.values.append(v)
                    elif not r.reason:
                        r.reason = f"'{w}' has no value on the {scale_of[d]} scale"
                if spans and hedged and not r.reason:
                    r.reason = "hedged"
    for r in out.values():
        if r.mentioned and not r.values and not r.reason:
            r.reason = "no level word"
    return out


# ---- the check (hachimi/facts/checks.py) ----------------------------------------------------------


def configure(table: dict, root: Path, file: str, schema) -> Config:
    try:
        t = _Table.model_validate(table)
    except ValidationError as e:
        err = e.errors()[0]
        raise TheoryError(f"[features.levels] {'.'.join(map(str, err['loc']))}: {err['msg']}", file) from None
    vocab = load_vocabulary(str(root / t.vocabulary))
    for f, part in t.fields.items():
        if part not in vocab.parts:
            raise TheoryError(f"[features.levels.fields] {f} = {part!r}: not a part of the vocabulary's [parts]", file)
        if f not in schema.by_path:
            raise TheoryError(f"[features.levels.fields] {f}: not a field of schema.toml", file)
    for part, dims in vocab.parts.items():
        for d in dims:
            key_of(part, d, schema, file)
    return Config(vocab, dict(t.fields), schema)


def key_of(part: str, dimension: str, schema, file: str | None = None) -> str:
    """The structured field a narrative's dimension describes: values.levels.<d>, mental_health.<d>."""
    for path in (f"{part}.levels.{dimension}", f"{part}.{dimension}"):
        if path in schema.by_path:
            return path
    raise TheoryError(
        f"the level vocabulary's dimension {dimension} of part {part} has no structured field "
        f"({part}.levels.{dimension} or {part}.{dimension}) in schema.toml",
        file,
    )


def facts(values: dict[str, Any], cfg: Config) -> list[Fact]:
    """stated(P, Field, Key, Part, Dimension, Value) for each level the narrative states, and
    unstated(P, Field, Key) for a dimension it mentions without one (Key: the structured field)."""
    out = []
    for path, part in cfg.fields.items():
        text = values.get(path)
        if not isinstance(text, str):
            continue
        for d, r in read(text, cfg.vocabulary.parts[part], cfg.vocabulary).items():
            key = _q(key_of(part, d, cfg.schema))
            for v in r.values:
                out.append(Fact("stated", f",{_q(path)},{key},{part},{d},{v}", path, v))
            if r.mentioned and not r.values:
                out.append(Fact("unstated", f",{_q(path)},{key}", path, d))
    return out


def domain(cfg: Config) -> list[Fact]:
    out = []
    for path, part in cfg.fields.items():
        for d in cfg.vocabulary.parts[part]:
            key, scale = _q(key_of(part, d, cfg.schema)), cfg.vocabulary.scales[d]
            vals = dict.fromkeys(v for lang in cfg.vocabulary.words.values() for v in lang[scale].values() if v)
            out += [Fact("stated", f",{_q(path)},{key},{part},{d},{v}", path, v) for v in vals]
            out.append(Fact("unstated", f",{_q(path)},{key}", path, d))
    return out

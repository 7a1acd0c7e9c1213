"""Text field -> boolean features (paragraphs, list markers, lengths, mentions, lexicon terms, patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from .table import K12

_BLANK_LINE = re.compile(r"\n\s*\n")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d+[.)、]|[-*•·])\s+|(?:^|\s)1[.)]\s.+\s2[.)]\s")
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]?")
_MARKER_START = re.compile(r"\s*(?:\d+[.)、]|[-*•·])\s")
_NORMALISE = re.compile(r"[_\-\s]+")


def normalise(text: str) -> str:
    """Lower-case, '_' and '-' as spaces, whitespace collapsed (how display names are matched)."""
    return _NORMALISE.sub(" ", text.casefold())


@dataclass
class TextConfig:
    """Feature settings a theory declares in its theory.toml [features] table."""

    min_chars: int = 0
    max_chars: int = 10**9
    patterns: dict[str, tuple[str, re.Pattern]] = field(default_factory=dict)  # name -> (field, regex)
    mentions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> dimensions
    lexicons: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )  # name -> (fields, terms)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # dimension -> other names
    checks: dict[str, tuple] = field(default_factory=dict)  # whole-persona checks: name -> (module, config)
    lexicon_allow: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lexicon -> phrases masked first
    schema: object = field(
        default_factory=lambda: K12
    )  # the theory's PersonaSchema (hachimi/schema/spec.py): fields, dimensions, names

    @cached_property
    def mention_names(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """field -> (dimension, normalised names: display name, id, aliases)."""
        return {
            f: [
                (d, tuple(normalise(n) for n in (self.schema.display_name(d), d, *self.aliases.get(d, ()))))
                for d in dims
            ]
            for f, dims in self.mentions.items()
        }

    @cached_property
    def lexicon_folded(self) -> dict[str, tuple[tuple[str, ...], FoldedTerms]]:
        """lexicon -> (fields, (folded term, term) pairs, carrying its allowed phrases) for
        case-insensitive substring search."""
        return {
            name: (fields, FoldedTerms(((t.casefold(), t) for t in terms), self.lexicon_allow.get(name, ())))
            for name, (fields, terms) in self.lexicons.items()
        }


class FoldedTerms(tuple):
    """(folded term, term) pairs plus the lexicon's allowed phrases (folded), masked before matching."""

    def __new__(cls, pairs, allow: tuple[str, ...] = ()):
        out = super().__new__(cls, pairs)
        out.allow = tuple(a.casefold() for a in allow)
        return out


def narrative_flags(text: str, cfg: TextConfig) -> list[str]:
    """Names of the prose problems present in one narrative text."""
    flags = []
    if "\n" in text:
        if _BLANK_LINE.search(text):
            flags.append("multi_paragraph")
        if _LIST_MARKER.search(text):
            flags.append("list_marker")
    elif (_MARKER_START.match(text) or "1." in text or "1)" in text) and _LIST_MARKER.search(text):
        flags.append("list_marker")
    n = len(text.strip())
    if n < cfg.min_chars:
        flags.append("too_short")
    if n > cfg.max_chars:
        flags.append("too_long")
    sentences = [s for s in (normalise(x).strip() for x in _SENTENCE.findall(text)) if len(s) > 12]
    if len(sentences) != len(set(sentences)):
        flags.append("repeated_sentence")
    return flags


def mentioned(text: str, names: list[tuple[str, tuple[str, ...]]]) -> list[str]:
    """Dimensions whose display name, id or an alias appears in the text."""
    norm = normalise(text)
    return [d for d, forms in names if any(n in norm for n in forms)]


def terms_in(text: str, terms: tuple[tuple[str, str], ...]) -> list[str]:
    """Lexicon terms that occur in the text (case-insensitive substring), in lexicon spelling. The
    lexicon's allowed phrases (FoldedTerms.allow, e.g. "depression risk") are masked first, in
    order, so a term inside one does not count."""
    folded = text.casefold()
    for phrase in getattr(terms, "allow", ()):
        folded = folded.replace(phrase, "\0" * len(phrase))
    return [term for key, term in terms if key in folded]

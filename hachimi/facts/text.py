"""Text field -> boolean features (paragraphs, list markers, lengths, mentions, lexicon terms, patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..schema.enums import display_name

_BLANK_LINE = re.compile(r"\n\s*\n")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d+[.)、]|[-*•·])\s+|(?:^|\s)1[.)]\s.+\s2[.)]\s")
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]?")
_NORMALISE = re.compile(r"[_\-\s]+")


def normalise(text: str) -> str:
    """Lower-case, '_' and '-' as spaces, whitespace collapsed (how display names are matched)."""
    return _NORMALISE.sub(" ", text.casefold())


@dataclass
class TextConfig:
    """Feature settings a theory declares in its theory.toml [features] table."""
    min_chars: int = 0
    max_chars: int = 10**9
    patterns: dict[str, tuple[str, re.Pattern]] = field(default_factory=dict)   # name -> (field, regex)
    mentions: dict[str, tuple[str, ...]] = field(default_factory=dict)          # field -> dimensions
    lexicons: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)  # name -> (fields, terms)

    def mention_names(self, dims: tuple[str, ...]) -> list[tuple[str, str]]:
        return [(d, normalise(display_name(d))) for d in dims]


def narrative_flags(text: str, cfg: TextConfig) -> list[str]:
    """Names of the prose problems present in one narrative text."""
    flags = []
    if _BLANK_LINE.search(text):
        flags.append("multi_paragraph")
    if _LIST_MARKER.search(text):
        flags.append("list_marker")
    n = len(text.strip())
    if n < cfg.min_chars:
        flags.append("too_short")
    if n > cfg.max_chars:
        flags.append("too_long")
    sentences = [normalise(s).strip() for s in _SENTENCE.findall(text)]
    sentences = [s for s in sentences if len(s) > 12]
    if len(sentences) != len(set(sentences)):
        flags.append("repeated_sentence")
    return flags


def mentioned(text: str, dims: tuple[str, ...]) -> list[str]:
    """Dimensions whose display name (or id) appears in the text."""
    norm = normalise(text)
    return [d for d in dims if normalise(display_name(d)) in norm or normalise(d) in norm]


def terms_in(text: str, terms: tuple[str, ...]) -> list[str]:
    """Lexicon terms that occur in the text (case-insensitive substring)."""
    folded = text.casefold()
    return [t for t in terms if t.casefold() in folded]

"""Text field -> boolean features (paragraphs, list markers, lengths, mentions, lexicon terms, patterns)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property


_BLANK_LINE = re.compile(r"\n\s*\n")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d+[.)、]|[-*•·])\s+|(?:^|\s)1[.)]\s.+\s2[.)]\s")
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]?")
_MARKER_START = re.compile(r"\s*(?:\d+[.)、]|[-*•·])\s")
_NORMALISE = re.compile(r"[_\-\s]+")
_WORDS = re.compile(r"[a-z0-9']+")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")


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
    checks: dict[str, tuple] = field(default_factory=dict)  # whole-persona checks: name -> (module, config)
    lexicon_allow: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lexicon -> phrases masked first
    schema: object = None  # the theory's PersonaSchema (schema/spec.py); what names dimensions

    @property
    def vocabulary(self):
        """The theory's level vocabulary (hachimi/text/vocab.py), if it has a [features.levels] table:
        the one source of the names prose uses for its dimensions."""
        check = self.checks.get("levels")
        return check[1].vocabulary if check else None

    def dimension_names(self, language: str = "en") -> dict[str, tuple[str, ...]]:
        """dimension -> the names prose uses for it in `language`: the level vocabulary's (they
        include the schema's display name and id), else the display name and the id."""
        vocab = self.vocabulary
        if vocab is not None and language in vocab.languages:
            return vocab.languages[language].names
        dims = [d for g in self.schema.groups.values() for d in g.names]
        return {d: (self.schema.display_name(d), d.replace("_", " ")) for d in dims}

    @property
    def aliases(self) -> dict[str, tuple[str, ...]]:
        """dimension -> its Chinese names (kept for callers that name dimensions in Chinese prose)."""
        return self.dimension_names("zh")

    @cached_property
    def mention_names(self) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """field -> (dimension, normalised names) for theories without a level vocabulary."""
        names = self.dimension_names("en")
        return {
            f: [(d, tuple(normalise(n) for n in names.get(d, (d,)))) for d in dims] for f, dims in self.mentions.items()
        }

    def mentioned(self, path: str, text: str) -> set[str]:
        """The dimensions of `path`'s mention list that the text names (R8/R9): read by the text
        reader when the theory has a level vocabulary, else by display name and id."""
        dims = self.mentions[path]
        vocab = self.vocabulary
        if vocab is not None:
            from ..text.reader import read

            return read(text, dims, vocab).mentioned()
        return set(mentioned(text, self.mention_names[path]))

    @cached_property
    def lexicon_folded(self) -> dict[str, tuple[tuple[str, ...], Terms]]:
        """lexicon -> (fields, its compiled Terms)."""
        return {
            name: (fields, Terms(terms, self.lexicon_allow.get(name, ())))
            for name, (fields, terms) in self.lexicons.items()
        }


def term_pattern(term: str) -> str:
    """One lexicon term as a regex on case-folded text. English: at word boundaries (a letter or
    digit may not touch either end), a space or hyphen inside matching a space, a hyphen or nothing,
    a trailing * a stem (any letters may follow), else the word and its regular inflections (-s,
    -es, -ed, -d, -ing, 's). Chinese (a term with a non-ASCII letter): a substring."""
    if not term.isascii():
        return re.escape(term.casefold())
    stem = term.endswith("*")
    parts = [p for p in re.split(r"[\s-]+", term.rstrip("*").casefold()) if p]
    body = r"[\s-]?".join(re.escape(p) for p in parts)
    tail = "[a-z]*" if stem else "(?:s|es|ed|d|ing|'s)?"
    return rf"(?<![a-z0-9]){body}{tail}(?![a-z0-9])"


class Terms:
    """A lexicon's terms compiled. Most texts hold none, so candidates come first from the text's
    words: an English term is tried only if some word of the text is its longest word (or an
    inflection of it, or, for a stem, starts with it; glued multi-word terms by their letters);
    Chinese terms only in text with Han characters. Each candidate's own pattern then decides.
    Allowed phrases are masked first, longest first."""

    def __init__(self, terms, allow: tuple[str, ...] = ()):
        self.terms = tuple(terms)
        self.allow = tuple(sorted((a.casefold() for a in allow), key=len, reverse=True))
        self.patterns: dict[int, re.Pattern] = {}  # compiled on first use (a text rarely needs any)
        self.first: dict[str, list[int]] = {}  # a word a term must contain (its longest) -> the terms
        self.stems: dict[str, list[int]] = {}  # a stem (prefix of a word) -> the terms
        self.han: list[int] = []
        for i, t in enumerate(self.terms):
            if not t.isascii():
                self.han.append(i)
                continue
            parts = [p for p in re.split(r"[\s-]+", t.rstrip("*").casefold()) if p]
            rarest = max(range(len(parts)), key=lambda j: (len(parts[j]), j))  # its most telling word
            keys = [(parts[rarest], rarest == len(parts) - 1)] + ([("".join(parts), True)] if len(parts) > 1 else [])
            for k, last in keys:
                if t.endswith("*") and last:
                    self.stems.setdefault(k, []).append(i)
                else:
                    self.first.setdefault(k, []).append(i)
        for k in list(self.first):  # inflected forms look up directly
            for form in (k + "s", k + "es", k + "ed", k + "d", k + "ing", k + "'s"):
                self.first.setdefault(form, []).extend(self.first[k])
        self._stem_screen: re.Pattern | None = None

    @property
    def stem_screen(self) -> re.Pattern | None:
        if self._stem_screen is None and self.stems:
            from ..text.patterns import trie_regex

            self._stem_screen = re.compile(r"(?<![a-z0-9])" + trie_regex(sorted(self.stems)))
        return self._stem_screen

    def _candidates(self, folded: str) -> set[int]:
        out: set[int] = set()
        first = self.first
        for w in set(_WORDS.findall(folded)):
            if (hit := first.get(w)) is not None:
                out.update(hit)
        if (screen := self.stem_screen) is not None:
            for m in screen.finditer(folded):
                w = _WORDS.match(folded, m.start()).group()
                for n in range(3, len(w) + 1):
                    if (s := self.stems.get(w[:n])) is not None:
                        out.update(s)
        if self.han and _HAN_CHAR.search(folded):
            out.update(self.han)
        return out

    def found(self, text: str) -> list[str]:
        if not self.terms:
            return []
        folded = text.casefold().replace("\u2019", "'")
        if not self._candidates(folded):
            return []  # the usual case: no word of the text is a term's
        for phrase in self.allow:
            if phrase in folded:
                folded = folded.replace(phrase, "\0" * len(phrase))
        candidates = self._candidates(folded)
        if not candidates:
            return []
        out, taken = [], []  # a word two terms match ("medication": medicat* and medication) counts once
        for i in sorted(candidates, key=lambda i: -len(self.terms[i].rstrip("*"))):
            t, p = self.terms[i], self._pattern(i)
            spans = [m.span() for m in p.finditer(folded)]
            if spans and not all(any(a <= x and y <= b for a, b in taken) for x, y in spans):
                out.append(t)
                taken += spans
        return [t for t in self.terms if t in out]

    def _pattern(self, i: int) -> re.Pattern:
        p = self.patterns.get(i)
        if p is None:
            p = self.patterns[i] = re.compile(term_pattern(self.terms[i]))
        return p

    def words(self, text: str, term: str) -> str:
        """The words of `text` that `term` matched ("hospitalized" for hospitali*), for messages."""
        folded = text.casefold().replace("\u2019", "'")
        pattern = self._pattern(self.terms.index(term)) if term in self.terms else None
        m = pattern.search(folded) if pattern is not None else None
        return text[m.start() : m.end()] if m and len(folded) == len(text) else term.rstrip("*")


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


def terms_in(text: str, terms: Terms) -> list[str]:
    """Lexicon terms that occur in the text (Terms.found), in lexicon spelling."""
    return terms.found(text)

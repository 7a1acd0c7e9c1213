"""A trait lexicon file (a theory pack's personality-trait vocabulary) -> is a trait phrase a
personality trait? English: at least one of its words is an entry, as written or after removing a
regular inflection or derivation (-s, -es, -ed, -ing, -ly, -ness, -ity, -ism, -ist), or it contains a
listed phrase; Chinese: it contains an entry. Objects, places, colours and days ("door", "pink card
color", 星期二) are not; "perseverant", "easily discouraged", "sensitive to criticism", 容易紧张 are."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import TheoryError

_WORD = re.compile(r"[a-z]+(?:[-'][a-z]+)*")
_SUFFIXES = ("ness", "ity", "ism", "ist", "ing", "ed", "ly", "es", "s", "d")


@dataclass(frozen=True)
class Traits:
    words: frozenset[str]
    phrases: tuple[str, ...]
    zh: tuple[str, ...]
    source: str = ""

    @property
    def _phrases(self) -> re.Pattern:
        return _phrase_pattern(self.phrases)

    def is_trait(self, trait: str, language: str) -> bool:
        if language == "zh" or not trait.isascii():
            return any(e in trait for e in self.zh)
        words = _WORD.findall(trait.lower().replace("\u2019", "'"))
        if any(self._word(w) for w in words):
            return True
        return self._phrases.search(" " + " ".join(words) + " ") is not None

    def _word(self, w: str) -> bool:
        if w in self.words:
            return True
        if "-" in w and any(p in self.words for p in w.split("-") if len(p) > 3):
            return True
        for suf in _SUFFIXES:
            if w.endswith(suf) and len(w) - len(suf) >= 3:
                stem = w[: -len(suf)]
                if (
                    stem in self.words
                    or stem + "e" in self.words
                    or (stem.endswith("i") and stem[:-1] + "y" in self.words)
                ):
                    return True
        return False


@lru_cache(maxsize=8)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(" (?:" + "|".join(re.escape(p) for p in phrases) + ") ") if phrases else re.compile("(?!x)x")


@lru_cache(maxsize=8)
def load_traits(path: str) -> Traits:
    p = Path(path)
    try:
        raw = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TheoryError("trait lexicon: no such file in the theory folder", str(p)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise TheoryError(f"trait lexicon: not a readable TOML file ({e})", str(p)) from None
    en, zh = raw.get("en", {}), raw.get("zh", {})
    bad = [f"[{lang}] {k}" for lang, t in (("en", en), ("zh", zh)) for k, v in t.items() if not isinstance(v, list)]
    if bad or not isinstance(en, dict) or not isinstance(zh, dict):
        raise TheoryError(
            f"trait lexicon: {', '.join(bad) or 'tables'}: expected [en] and [zh] tables of lists", str(p)
        )
    entries = [e.lower().strip() for v in en.values() for e in v if isinstance(e, str)]
    words = frozenset(e for e in entries if " " not in e)
    phrases = tuple(sorted({e for e in entries if " " in e}, key=len, reverse=True))
    return Traits(words, phrases, tuple(sorted({e for v in zh.values() for e in v}, key=len, reverse=True)), str(p))

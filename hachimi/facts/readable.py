"""Prose fields -> readability flags (R13, error for gibberish, warning for weak prose): the share of
real words, run-on concatenations, dimension names glued to their neighbours, text in the wrong
language, a `personality` that is only a name, traits that are not short descriptive phrases.

The lexicon is `wordfreq` (Speer 2022, v3, doi 10.5281/zenodo.7199437), for English and Chinese
alike: its word lists merge many independent sources (Wikipedia, subtitles, news, books, web text,
Reddit, Twitter) into one frequency per word, so a word is "real" when people write it, not when
one dictionary lists it; its data is a snapshot frozen in 2021, before LLM text flooded the web,
so model-made junk did not become "words" by being published; one API covers both languages (the
Chinese list is segmented with jieba, shipped with wordfreq), and it needs no network or model.

Thresholds (the [features.readable] table; the reasons, measured on the lists):
- a token is a real word when its Zipf frequency (log10 of occurrences per 10^9 words) is at least
  `min_zipf` = 1.5. The English list bottoms out at Zipf 1.0; the 1.0-1.5 band is half of its
  321k entries and mixes rare words with typos and foreign or pinyin tokens ('anyhting', 'chuch',
  'limiteds' 1.38, 'yutong' 1.04); from 1.5 up sampled entries are real words and names. Words
  the model glues together ('growphysical', 'healthinorder') are not listed at all (Zipf 0).
  A few real but rare words fall below ('overthinks' 1.27, 'gaokao' 1.35): the share rules
  tolerate them, and only unlisted tokens (Zipf 0) can be run-ons.
- share of real words: below `error_share` an error, below `warn_share` a warning, and only with
  at least `min_unknown` unknown tokens (one odd word in a short field is no evidence).
- a run-on: a token wordfreq does not list at all that is `max_word_chars` letters or longer,
  camel-cased, or (lower-case, `run_on_min_chars`+) spelled by two or more common words (Zipf >=
  `run_on_part_zipf` = 3); `min_run_ons` of them flag a field, since one may be a compound the
  lists lack ('deskmate' = desk + mate), while junk fields have many.
- a glued dimension name: a display name (the [dimensions] of schema.toml) inside a token that is no word
  ('aboutmoral', 'responsibilitys'; 'inflexibility' is a word).
- a foreign word (English personas): at least 10^`foreign_margin` (100) times more frequent in one
  of `foreign` (French, Italian, Spanish, German, Portuguese: where the small model drifts; their
  'small' lists, Zipf >= 3) than in English, and rarer than Zipf 4 in English ('vous', 'allez'),
  or an accented token that is no English word ('développer'). A field is flagged for
  `min_foreign` (2) of them in a row (words as common in English as abroad, such as 'le', do not
  break a run; capitalised words, names or not, count for neither side): single loanwords
  ('rapport', 'in lieu of', 'tai chi') and names ('Mia', 'Han') stay English. Letters of another
  script (Han, Cyrillic look-alikes such as 'thаn') and mojibake ('rÃ©') flag a field alone.
  Chinese personas: `latin_run_words` (3) or more Latin words in a row.

The persona's language: Chinese if Han characters make up a good part of its name and prose (one
Han character, about half a Chinese word, weighs as much as three Latin letters), else English.
Speed (the validator reads thousands of personas): the lists become sets once per process
(~0.7 s, wordfreq and jieba load on first use); an ASCII English persona whose words are all real
and none foreign is cleared by one set difference over its prose (~40 us) and only the others are
read word by word.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import TheoryError
from .reader import Fact, _q

# flag kinds: every prose field may get these; the personality and trait fields one more each
KINDS = ("unknown_words", "weak_words", "run_on", "glued_name", "wrong_language")
PERSONALITY_KIND, TRAIT_KIND = "name_only", "bad_trait"


class Settings(BaseModel):
    """[features.readable] in theory.toml."""

    model_config = ConfigDict(extra="forbid", strict=True)

    fields: list[str]  # prose fields to check
    personality: str  # the field that must describe a personality
    traits: str  # the list of short trait phrases
    name: str  # the persona's name (its words are not unknown words; decides the language too)
    trait_lexicon: str | None = None  # a personality-trait vocabulary (hachimi/text/traits.py): a trait must use one
    min_zipf: float = Field(1.5, ge=0, le=8)
    error_share: float = Field(0.8, ge=0, le=1)
    warn_share: float = Field(0.9, ge=0, le=1)
    min_unknown: int = Field(2, ge=1)
    run_on_min_chars: int = Field(5, ge=2)
    run_on_part_zipf: float = Field(3.0, ge=0, le=8)
    max_word_chars: int = Field(20, ge=5)
    min_run_ons: int = Field(2, ge=1)
    foreign: list[str] = Field(default_factory=lambda: ["fr", "it", "es", "de", "pt"])
    foreign_margin: float = Field(2.0, ge=0)
    foreign_min_zipf: float = Field(3.0, ge=0, le=8)
    foreign_max_en_zipf: float = Field(4.0, ge=0, le=8)
    min_foreign: int = Field(2, ge=1)
    latin_run_words: int = Field(3, ge=1)
    max_trait_words: int = Field(4, ge=1)
    max_listed: int = Field(6, ge=1)

    @model_validator(mode="after")
    def _order(self):
        if self.warn_share < self.error_share:
            raise ValueError(f"warn_share {self.warn_share} is below error_share {self.error_share}")
        if bad := [lang for lang in self.foreign if not re.fullmatch(r"[a-z]{2,3}", lang) or lang in ("en", "zh")]:
            raise ValueError(f"foreign: {', '.join(map(repr, bad))} are not other language codes such as 'fr'")
        return self


@dataclass
class Config:
    s: Settings
    glued: re.Pattern  # any dimension display name, case-insensitive
    latin_run: re.Pattern  # zh: latin_run_words Latin words in a row
    traits: Any = None  # text.traits.Traits, or None: traits need only be real words
    zh: dict = field(default_factory=dict)  # Chinese token -> real word (memo)
    run_ons: dict = field(default_factory=dict)  # token -> is a run-on (memo)

    @cached_property
    def en(self) -> Lexicon:
        s = self.s
        return _english(
            s.min_zipf,
            s.run_on_part_zipf,
            tuple(s.foreign),
            s.foreign_margin,
            s.foreign_min_zipf,
            s.foreign_max_en_zipf,
        )


def configure(table: dict, root: Path, file: str, schema) -> Config:
    try:
        s = Settings.model_validate(table)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(map(str, err["loc"]))
        raise TheoryError(f"[features.readable] {where + ': ' if where else ''}{err['msg']}", file) from None
    for path in (*s.fields, s.personality, s.traits, s.name):
        spec = schema.by_path.get(path)
        if spec is None or spec.kind not in ("text", "count"):
            raise TheoryError(f"[features.readable] {path!r} is not a text field of the persona", file)
    names = sorted((n for g in schema.groups.values() for n in g.names.values()), key=len, reverse=True)
    glued = re.compile("|".join(r"[\s_-]+".join(map(re.escape, n.split())) for n in names), re.I)
    latin_run = re.compile(r"[A-Za-z]+(?:[\s,.;:'’-]+[A-Za-z]+){%d,}" % (s.latin_run_words - 1))
    traits = None
    if s.trait_lexicon:
        from ..text.traits import load_traits

        traits = load_traits(str(root / s.trait_lexicon))
    return Config(s, glued, latin_run, traits)


# --- the lexicon ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")  # on text with ’ made '
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_OTHER_SCRIPT = re.compile(r"[^\u0000-\u024f]")  # beyond Latin (with accents): Han, Cyrillic, Greek...
_MOJIBAKE_CHAR = re.compile("[ÃÂ]")
_MOJIBAKE = re.compile(r"[ÃÂ][\u0080-\u00bf]|â€")  # UTF-8 read as Latin-1: 'Ã©' for 'é', 'â€™' for '’'
_ASCII_WORD = re.compile(r"[a-z']+")
# ASCII text -> lower-case words split at everything but letters (the quick screen of `_clean`)
_SPLIT = bytes(c if chr(c).isascii() and chr(c).isalpha() else 32 for c in range(128)).lower() + bytes(range(128, 256))


def _zipf_freq(z: float) -> float:
    return 10 ** (z - 9)


class Lexicon:
    """English words from wordfreq: the real words and the foreign ones (kept in the user's cache,
    hachimi/cache.py: building them reads wordfreq's lists, about a second), and, for the slow path
    of a text that is not clean, the frequencies themselves (loaded on first use)."""

    def __init__(self, known: frozenset, foreign: frozenset, params: tuple):
        self.known, self.foreign, self._params = known, foreign, params

    @cached_property
    def freq(self) -> dict:
        from wordfreq import get_frequency_dict

        return get_frequency_dict("en", "large")

    @cached_property
    def abroad(self) -> dict:
        """word -> its highest frequency in the languages the model drifts into (common words only)."""
        from wordfreq import get_frequency_dict

        _, _, foreign, _, foreign_min, _ = self._params
        out: dict[str, float] = {}
        for lang in foreign:
            for w, f in get_frequency_dict(lang, "small").items():
                if f >= _zipf_freq(foreign_min) and f > out.get(w, 0.0):
                    out[w] = f
        return out

    @property
    def part_min(self) -> float:
        """Frequency of a common word (run-on segments)."""
        return _zipf_freq(self._params[1])


@lru_cache(maxsize=4)
def _english(min_zipf, part_zipf, foreign, margin, foreign_min, max_en) -> Lexicon:
    from ..cache import cached

    params = (min_zipf, part_zipf, foreign, margin, foreign_min, max_en)
    known, bad = cached("wordfreq-en", ("wordfreq",), params, lambda: _word_sets(*params))
    return Lexicon(frozenset(known), frozenset(bad), params)


def _word_sets(min_zipf, part_zipf, foreign, margin, foreign_min, max_en) -> tuple[frozenset, frozenset]:
    """(the real English words, the foreign ones): Zipf >= min_zipf; at least 10^margin times more
    frequent in one of `foreign` (Zipf >= foreign_min there) than in English and rarer than max_en."""
    lex = Lexicon(frozenset(), frozenset(), (min_zipf, part_zipf, foreign, margin, foreign_min, max_en))
    freq, abroad = lex.freq, lex.abroad
    lo = _zipf_freq(min_zipf)
    known = frozenset(w for w, f in freq.items() if f >= lo)
    top, ratio = _zipf_freq(max_en), 10**margin
    bad = frozenset(w for w, f in abroad.items() if (en := freq.get(w, 0.0)) < top and f >= en * ratio)
    return known, bad


def _known_en(word: str, lex: Lexicon) -> bool:
    """A real word, or one written with apostrophes whose every part is ("she's", "don't")."""
    return word in lex.known or ("'" in word and all(p in lex.known for p in word.split("'") if p))


def _known_zh(token: str, cfg: Config) -> bool:
    hit = cfg.zh.get(token)
    if hit is None:
        from wordfreq import zipf_frequency

        hit = cfg.zh[token] = zipf_frequency(token, "zh") >= cfg.s.min_zipf
    return hit


def _segments(word: str, lex: Lexicon) -> int:
    """Fewest common words (>= 2 letters) that spell `word`; 0 if none."""
    n, none, freq = len(word), len(word) + 1, lex.freq
    best = [0] + [none] * n  # best[i]: fewest words spelling word[:i]
    for i in range(2, n + 1):
        for j in range(max(0, i - 24), i - 1):
            if best[j] + 1 < best[i] and freq.get(word[j:i], 0.0) >= lex.part_min:
                best[i] = best[j] + 1
    return best[n] if best[n] < none else 0


def _run_on(token: str, word: str, cfg: Config) -> bool:
    """An English token that is no listed word but words run together: very long, camel-cased, or
    (lower-case) spelled by two or more common words. Capitalised tokens are spared that last test
    (names such as 'Zhaoxin' = zhao + xin)."""
    hit = cfg.run_ons.get(token)
    if hit is None:
        s, lex = cfg.s, cfg.en
        camel = any(a.islower() and b.isupper() for a, b in zip(token, token[1:]))
        hit = word not in lex.freq and (
            len(word) >= s.max_word_chars
            or (
                len(word) >= s.run_on_min_chars
                and _ASCII_WORD.fullmatch(word) is not None
                and (camel or not token[0].isupper())
                and _segments(word.replace("'", ""), lex) >= 2
            )
        )
        cfg.run_ons[token] = hit
    return hit


# --- features of one text --------------------------------------------------------------------------


@dataclass
class Reading:
    """What one text contains: counted tokens, the unknown, run-on, glued and foreign ones."""

    tokens: int = 0
    unknown: list[str] = field(default_factory=list)
    run_on: list[str] = field(default_factory=list)
    glued: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)  # what makes the text another language
    abroad: list[str] = field(default_factory=list)  # every foreign-looking word, alone or not

    @property
    def share(self) -> float:
        return 1.0 - len(self.unknown) / self.tokens if self.tokens else 1.0


def language(values: dict[str, Any], cfg: Config) -> str:
    """'zh' if Han characters weigh at least as much as Latin letters / 3 in the name and prose."""
    texts = [t for t in (values.get(p) for p in (cfg.s.name, *cfg.s.fields)) if isinstance(t, str)]
    joined = "\n".join(texts)
    if joined.isascii():
        return "en"
    han = len(_HAN.findall(joined))
    return "zh" if han and han * 3 >= len(_LATIN.findall(joined)) else "en"


def _words(ascii_text: str) -> list[str]:
    """Lower-case words of ASCII text, split at everything but letters (apostrophes too)."""
    return ascii_text.encode().translate(_SPLIT).decode().split()


def _clean(texts: list[str], lex: Lexicon, skip: frozenset[str]) -> bool:
    """Quick screen of ASCII English text: every word real, none foreign (then no field is flagged:
    `read_en` would find no unknown, run-on, glued or foreign word either)."""
    joined = "\n".join(texts).replace("’", "'")
    if not joined.isascii():
        return False
    words = set(_words(joined))
    return not (words - lex.known - skip) and words.isdisjoint(lex.foreign)


def read_en(text: str, cfg: Config, skip: frozenset[str] = frozenset()) -> Reading:
    r, lex = Reading(), cfg.en
    text = text.replace("’", "'")
    run: list[str] = []  # foreign words in a row (words common to English and them do not break it)
    for token in _TOKEN.findall(text) + [""]:
        word = token.casefold()
        if word in skip or word.partition("'")[0] in skip:  # the persona's name ("Yutong's")
            continue
        if not word.isascii() and _OTHER_SCRIPT.search(word):
            r.foreign.append(token)  # Han, Cyrillic (look-alikes too), ...: another script
            continue
        known = _known_en(word, lex) if word else True
        if token[:1].isupper() or _MOJIBAKE_CHAR.search(token):
            pass  # a name ('Mia', 'Han') or a sentence start: neither foreign nor English evidence
        elif word in lex.foreign or (not known and not word.isascii()):  # accented and no English word
            run.append(token)
        elif not word or known and lex.abroad.get(word, 0.0) < lex.freq.get(word, 0.0):
            if len(run) >= cfg.s.min_foreign:
                r.foreign += run
            r.abroad += run
            run = []
        if not word:
            break
        r.tokens += 1
        if not known:
            r.unknown.append(token)
            if _run_on(token, word, cfg):
                r.run_on.append(token)
    r.foreign += [_word_around(text, m.start()) for m in _MOJIBAKE.finditer(text)]
    for m in cfg.glued.finditer(text):
        for at, step in ((m.start(), -1), (m.end() - 1, 1)):
            if (step < 0 and at > 0 and text[at - 1].isalpha()) or (
                step > 0 and at + 1 < len(text) and text[at + 1].isalpha()
            ):
                word = _word_at(text, at)
                if not _known_en(word.casefold(), lex):
                    r.glued.append(word)
    return r


def _word_around(text: str, i: int) -> str:
    a, b = text.rfind(" ", 0, i) + 1, text.find(" ", i)
    return text[a : b if b >= 0 else len(text)].strip(".,;:!?\"'()[]")


def _word_at(text: str, i: int) -> str:
    a = b = i
    while a > 0 and text[a - 1].isalpha():
        a -= 1
    while b < len(text) and text[b].isalpha():
        b += 1
    return text[a:b]


def read_zh(text: str, cfg: Config, skip: frozenset[str] = frozenset()) -> Reading:
    import jieba  # wordfreq segments Chinese with it; keep its start-up chatter off stderr
    from wordfreq import tokenize

    jieba.setLogLevel(logging.WARNING)

    r = Reading()
    for token in tokenize(text, "zh"):
        if token in skip or not _HAN.search(token):
            continue
        r.tokens += 1
        if not _known_zh(token, cfg):
            r.unknown.append(token)
    r.foreign = [m.group(0) for m in cfg.latin_run.finditer(text)]
    return r


def read(text: str, lang: str, cfg: Config, skip: frozenset[str] = frozenset()) -> Reading:
    return (read_zh if lang == "zh" else read_en)(text, cfg, skip)


def name_only(text: str, lang: str, cfg: Config, name_words: frozenset[str]) -> bool:
    """The text names someone instead of describing: only the persona's name, or (English) only
    capitalised words, two or more of them or one that is no English word."""
    if lang == "zh":
        bare = re.sub(r"[\W_]+", "", text)
        return bool(bare) and all(c in "".join(name_words) for c in bare)
    tokens = _TOKEN.findall(text.replace("’", "'"))
    if not tokens:
        return False
    words = [t.casefold() for t in tokens]
    if all(w in name_words for w in words):
        return True
    if not all(t[0].isupper() for t in tokens):
        return False
    return len(tokens) >= 2 or not _known_en(words[0], cfg.en)


def bad_traits(traits: list[str], lang: str, cfg: Config) -> list[str]:
    """Traits longer than max_trait_words words, with a word that is no real word, or (with a trait
    lexicon) that names no personality trait ("door", "pink card color")."""
    out, lex = [], cfg.en if lang == "en" else None
    for trait in traits:
        if cfg.traits is not None and not cfg.traits.is_trait(trait, lang):
            out.append(trait.strip())
            continue
        if lex is not None and trait.isascii():  # quick: a few real English words
            words = [w for w in _words(trait) if not (cfg.traits and cfg.traits.is_trait(w, lang))] or ["a"]
            if 0 < len(words) <= cfg.s.max_trait_words and lex.known.issuperset(words):
                if lex.foreign.isdisjoint(words):
                    continue
        r = read(trait, lang, cfg)
        unknown = [w for w in r.unknown if not (cfg.traits and cfg.traits.is_trait(w.casefold(), lang))]
        if r.tokens == 0 or r.tokens > cfg.s.max_trait_words or unknown or r.foreign or r.abroad:
            out.append(trait.strip())
    return out


# --- facts -------------------------------------------------------------------------------------------


def _listed(words: list[str], cfg: Config) -> str:
    seen = list(dict.fromkeys(w.strip() for w in words))
    n = cfg.s.max_listed
    more = f" (+{len(seen) - n} more)" if len(seen) > n else ""
    return ", ".join(w if len(w) <= 60 else w[:57] + "..." for w in seen[:n]) + more


def _flag(path: str, kind: str, words: list[str] | None, cfg: Config) -> list[Fact]:
    qp = _q(path)
    out = [Fact("unreadable", f",{qp},{kind}", path, kind)]
    if words is not None:
        text = _listed(words, cfg)
        out.append(Fact("unreadable_words", f",{qp},{kind},{_q(text)}", path, text))
    return out


def facts(values: dict[str, Any], cfg: Config) -> list[Fact]:
    s = cfg.s
    lang = language(values, cfg)
    name = values.get(s.name)
    name_words = frozenset(w.casefold() for w in (_TOKEN.findall(name) if isinstance(name, str) else ()))
    if lang == "zh" and isinstance(name, str):
        name_words |= {re.sub(r"[\W_]+", "", name)}
    texts = {p: t for p in s.fields if isinstance(t := values.get(p), str)}
    clean = lang == "en" and _clean(list(texts.values()), cfg.en, name_words)
    out: list[Fact] = []
    for path, text in texts.items():
        if not clean:
            out += _field_flags(path, read(text, lang, cfg, name_words), cfg)
        if path == s.personality and name_only(text, lang, cfg, name_words):
            out += _flag(path, PERSONALITY_KIND, [text.strip()], cfg)
    traits = values.get(s.traits)
    if isinstance(traits, list) and (bad := bad_traits(traits, lang, cfg)):
        out += _flag(s.traits, TRAIT_KIND, bad, cfg)
    if out:
        out.append(Fact("prose_language", f",{lang}", s.name, lang))
    return out


def _field_flags(path: str, r: Reading, cfg: Config) -> list[Fact]:
    s, out = cfg.s, []
    if len(r.unknown) >= s.min_unknown and r.share < s.warn_share:
        out += _flag(path, "unknown_words" if r.share < s.error_share else "weak_words", r.unknown, cfg)
        pct = int(r.share * 100)
        out.append(Fact("real_word_share", f",{_q(path)},{pct}", path, pct))
    if len(r.run_on) >= s.min_run_ons or any(len(w) >= s.max_word_chars for w in r.run_on):
        out += _flag(path, "run_on", r.run_on, cfg)
    if r.glued:
        out += _flag(path, "glued_name", r.glued, cfg)
    if r.foreign:
        out += _flag(path, "wrong_language", r.foreign, cfg)
    return out


# facts emitted only to fill messages (no violation depends on them; not in the domain): name -> arity
MESSAGE_FACTS = {"unreadable_words": 4, "real_word_share": 3, "prose_language": 2}


def domain(cfg: Config) -> list[Fact]:
    """Every flag facts() can emit; the words, shares and language are details only (no rule's
    violation depends on them), so they are left out and the domain stays finite."""
    s = cfg.s
    out = [f for path in s.fields for kind in KINDS for f in _flag(path, kind, None, cfg)]
    out += _flag(s.personality, PERSONALITY_KIND, None, cfg) + _flag(s.traits, TRAIT_KIND, None, cfg)
    return out

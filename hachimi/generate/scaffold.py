"""Agreement by construction: a narrative that rates dimensions is decoded as one sentence per
dimension whose head and level are fixed by the grammar and whose clause is free but bounded,

    en: "Her moral cultivation is fairly high: she keeps every promise she makes."
    zh: "她的道德修养较高；她答应别人的事一定做到。"

and the structured levels are then read back from the prose with the validator's own reader
(hachimi/text/), so prose and levels cannot disagree. The model chooses each level among
the narrowed box's values (any combination of which satisfies every error rule) while it writes.

Clauses are short runs of frequent English words (REFERENCE.md §6: unbounded gaps make the bundled
model run words together; generate/lexicon.py), none of them a level word, so no clause can state
a second level.
A revision keeps the sentences nobody objected to verbatim and rewrites the others; a sentence
whose level was changed by a direct repair is rewritten with the repaired level fixed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import TheoryError
from ..facts.levels import Config, key_of
from ..text.reader import read, resolve
from ..text.vocab import Vocabulary

from .lexicon import WORD_MAX  # noqa: E402  (letters per clause word)

CLAUSE_WORDS = (3, 9)  # words per clause
ZH_CLAUSE = r"[^\x00-\x7f。；！？：，、\n\r]{2,14}(?:，[^\x00-\x7f。；！？：，、\n\r]{2,14}){0,2}"


@dataclass(frozen=True)
class Line:
    """One sentence of a scaffold: a dimension and the levels it may state, or kept verbatim."""

    key: str  # structured field, e.g. values.levels.moral_cultivation
    dimension: str
    allowed: tuple[str, ...]
    literal: str | None = None


def fields_of(cfg: Config | None, parts: tuple[str, ...]) -> dict[str, str]:
    """Narrative field -> part, for the scaffolded narratives among an agent's parts."""
    if cfg is None:
        return {}
    return {f: p for f, p in cfg.fields.items() if f.split(".")[0] in parts}


_MEMO: dict[tuple[str, int, str], tuple[object, object]] = {}  # (what, id(vocab), language) -> (vocab, value)


def _memo(what: str, vocab, language: str, make):
    """A value computed once per loaded vocabulary and language (a vocabulary is not changed after
    it is loaded; it is held here, so its id cannot be reused by another object)."""
    key = (what, id(vocab), language)
    hit = _MEMO.get(key)
    if hit is None or hit[0] is not vocab:
        if len(_MEMO) > 256:
            _MEMO.clear()
        hit = _MEMO[key] = (vocab, make())
    return hit[1]


def level_words(vocab: Vocabulary | None, language: str) -> frozenset[str]:
    """Every word a clause may not contain, from the theory's level vocabulary: each one-word level
    expression ("high", "average", "strong"), and the parts of a hyphenated one that are words of
    the scale's own step names ("upper-middle" -> upper, middle; "sky-high" -> high; "run-of-the-
    mill" gives none), so no clause can state a level of its own."""
    if vocab is None:
        return frozenset()
    return _memo("level_words", vocab, language, lambda: _level_words(vocab, language))


def _level_words(vocab: Vocabulary, language: str) -> frozenset[str]:
    out: set[str] = set()
    steps = {w for order in vocab.orders.values() for v in order for w in v.split("_")}
    for table in vocab.words.get(language, {}).values():
        for phrase in table:
            if " " in phrase:
                continue
            parts = phrase.split("-")
            out.update(parts if len(parts) == 1 else [p for p in parts if p in steps or p in ("lower", "mid")])
    return frozenset(w for w in out if re.fullmatch(r"[a-z]+", w))


def clause_pattern(vocab: Vocabulary, language: str) -> str:
    if language == "zh":
        return ZH_CLAUSE
    from .lexicon import word_regex

    def make() -> str:
        w = word_regex(level_words(vocab, language))
        lo, hi = CLAUSE_WORDS
        return f"{w}(?:,? {w}){{{lo - 1},{hi - 1}}}"

    return _memo("clause_pattern", vocab, language, make)


def head(vocab: Vocabulary, language: str, dimension: str, pronoun: str) -> str:
    name = vocab.names[language][dimension][0]
    return f"{pronoun}的{name}" if language == "zh" else f"{pronoun} {name} is "


def pronoun(vocab: Vocabulary, language: str, gender: str | None) -> str:
    """The possessive the scaffold opens each sentence with for a persona of this gender value
    (the vocabulary's [<lang>.possessive]; "*" for none or another)."""
    table = vocab.languages[language].possessive
    if gender in table or "*" in table:
        return table.get(gender) or table["*"]
    raise TheoryError(f'{vocab.source}: [{language}.possessive] has no entry for {gender!r} (nor "*")')


def sentence_pattern(line: Line, vocab: Vocabulary, language: str, who: str) -> str:
    if line.literal is not None:
        return re.escape(line.literal)
    scale = vocab.scales[line.dimension]
    levels = "|".join(re.escape(vocab.word(language, scale, v)) for v in line.allowed)
    if language == "zh":
        return (
            f"{re.escape(head(vocab, language, line.dimension, who))}(?:{levels})；{clause_pattern(vocab, language)}。"
        )
    return f"{re.escape(head(vocab, language, line.dimension, who))}(?:{levels}): {clause_pattern(vocab, language)}\\."


def pattern(lines: list[Line], vocab: Vocabulary, language: str, who: str) -> str:
    sep = "" if language == "zh" else " "
    return "^" + sep.join(sentence_pattern(x, vocab, language, who) for x in lines) + "$"


def max_chars(lines: list[Line], vocab: Vocabulary, language: str, who: str) -> int:
    """Upper bound on the text's characters (for the token budget)."""
    lo, hi = CLAUSE_WORDS
    clause = 3 * 16 + 2 if language == "zh" else hi * (WORD_MAX + 2)
    total = 0
    for x in lines:
        if x.literal is not None:
            total += len(x.literal) + 1
            continue
        scale = vocab.scales[x.dimension]
        word = max(len(vocab.word(language, scale, v)) for v in x.allowed)
        total += len(head(vocab, language, x.dimension, who)) + word + clause + 4
    return total


def sentences(text: str, dims: tuple[str, ...], vocab: Vocabulary, language: str, who: str) -> dict[str, str] | None:
    """dimension -> its sentence, for a text written on the scaffold (None if it is not)."""
    heads = [(d, head(vocab, language, d, who)) for d in dims]
    starts = []
    for d, h in heads:
        i = text.find(h)
        if i < 0:
            return None
        starts.append((i, d))
    starts.sort()
    out = {}
    for n, (i, d) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        out[d] = text[i:end].strip()
    return out


def plan(
    part: str,
    dims: tuple[str, ...],
    allowed: dict[str, list],
    current: dict | None = None,
    previous_text: str | None = None,
    rewrite: set[str] | None = None,
    fixed: set[str] | None = None,
    vocab: Vocabulary | None = None,
    language: str = "en",
    who: str = "Her",
    schema=None,
) -> list[Line]:
    """The lines of one narrative. A proposal: every level free within `allowed`. A revision
    (`previous_text` given): sentences of dimensions in `rewrite` are rewritten, those in `fixed`
    with their current structured level (a repaired level the prose must now state), the others
    free within `allowed`; every other sentence is kept verbatim."""
    old = sentences(previous_text, dims, vocab, language, who) if previous_text and vocab else None
    lines = []
    for d in dims:
        key = key_of(part, d, schema)
        free = tuple(allowed.get(key) or ())
        if old is not None and rewrite is not None and d not in rewrite:
            lines.append(Line(key, d, free, old[d]))
        elif fixed and d in fixed and current and current.get(key):
            lines.append(Line(key, d, (current[key],)))
        else:
            lines.append(Line(key, d, free))
    return lines


def levels_from(text: str, part: str, vocab: Vocabulary, language: str, schema) -> dict[str, str]:
    """The structured levels a scaffolded narrative states (key -> value); a dimension the reader
    does not read as exactly one step is left out, so the validator reports it."""
    reading = read(text, vocab.parts[part], vocab, language)
    out = {}
    for d in vocab.parts[part]:
        value, _ = resolve(reading, d, vocab)
        if value is not None:
            out[key_of(part, d, schema)] = value
    return out

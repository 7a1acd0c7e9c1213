"""Text + the dimensions it may rate + a Vocabulary -> TextReading: the one entry point of the
level reader (English: text/en.py, Chinese: text/zh.py; the language from text/lang.py)."""

from __future__ import annotations

from . import steps as S
from .lang import language_of
from .reading import TextReading
from .vocab import Vocabulary


_MEMO: dict[tuple, TextReading] = {}
MEMO = 32  # readings kept: the checks of one persona read the same narrative more than once


def read(text: str, dims: tuple[str, ...], vocab: Vocabulary, language: str | None = None) -> TextReading:
    """What `text` says about `dims` (its language from its script unless given)."""
    key = (text, dims, id(vocab), language)
    hit = _MEMO.get(key)
    if hit is None:
        if len(_MEMO) >= MEMO:
            del _MEMO[next(iter(_MEMO))]
        hit = _MEMO[key] = _read(text, dims, vocab, language)
    return hit


def _read(text: str, dims: tuple[str, ...], vocab: Vocabulary, language: str | None) -> TextReading:
    lang = language or language_of(text)
    if lang not in vocab.languages:
        lang = "en"
    if lang == "zh":
        from .zh import read as read_zh

        return read_zh(text, dims, vocab)
    from .en import read as read_en

    return read_en(text, dims, vocab)


def resolve(
    reading: TextReading, dimension: str, vocab: Vocabulary, name: str = "", source: str = ""
) -> tuple[str | None, str]:
    """The one step a text states for a dimension, or None and why (for code that needs one value:
    the converter, the scaffold's read-back). Only trusted readings count; several readings must
    agree on exactly one step."""
    name = name or dimension
    where = f" in {source}" if source else ""
    rs = reading.of(dimension)
    trusted = [r for r in rs if r.trusted]
    if not trusted:
        if dimension in reading.hedged:
            return None, f"the level of {name}{where} is hedged, not stated"
        if rs:
            quoted = " / ".join(f"'{r.expression}'" for r in rs)
            return None, f"no level read with confidence for {name}{where} (loosely: {quoted})"
        if dimension in reading.mentioned():
            return None, f"no level word found after {name}{where}"
        return None, f"{name} not mentioned{where}"
    if any(not r.steps for r in trusted):
        bad = next(r for r in trusted if not r.steps)
        return None, f"level word {bad.expression} for {name}{where} has no v1 value"
    common = frozenset.intersection(*(r.steps for r in trusted))
    order = vocab.orders[vocab.scales[dimension]]
    if len(common) == 1:
        return next(iter(common)), ""
    words = "、".join(dict.fromkeys(r.expression for r in trusted))
    if not common:
        return None, f"conflicting level words {words} for {name}{where}"
    return None, f"{words} for {name}{where} allows {S.phrase(common, order)}: not one v1 value"

"""A narrative + a dimension + a new level -> the narrative with the level expressions the reader
bound to that dimension replaced by the vocabulary's phrase for the new level, or None when that
cannot be done safely: the expression is shared with another dimension ("X and Y are both medium"),
negated apart from it ("is not, as they say, high"), or the rewritten text does not read as the new
level. Used by repairs, so a repaired level never leaves prose that states the old one."""

from __future__ import annotations

from .reader import read
from .vocab import Vocabulary

_VOWEL_SOUND = tuple("aeiou")


def rewrite(text: str, dims: tuple[str, ...], dimension: str, value: str, vocab: Vocabulary) -> str | None:
    """The text with `dimension` stated at `value`; the text itself if it states no level for it."""
    reading = read(text, dims, vocab)
    targets = [r for r in reading.of(dimension) if r.steps]
    if not targets:
        return text
    if any(not r.rewritable for r in targets):
        return None
    lang = reading.language
    phrase = vocab.word(lang, vocab.scales[dimension], value)
    out = text
    for r in sorted(targets, key=lambda r: r.span[0], reverse=True):
        a, b = r.span
        new = phrase[0].upper() + phrase[1:] if out[a : a + 1].isupper() and lang != "zh" else phrase
        out = out[:a] + new + out[b:]
        if lang != "zh":
            out = _article(out, a, new)
    check = read(out, dims, vocab)
    if any(value not in r.steps for r in check.of(dimension) if r.trusted) or not any(
        r.trusted and r.steps == frozenset((value,)) for r in check.of(dimension)
    ):
        return None
    return out


def _article(text: str, at: int, word: str) -> str:
    """'a' / 'an' right before a replaced phrase agrees with its first sound ('an upper-middle')."""
    head = text[:at].rstrip()
    for old in ("a", "an", "A", "An"):
        if head.endswith(" " + old) or head == old:
            start = len(head) - len(old)
            want = "an" if word[:1].lower() in _VOWEL_SOUND else "a"
            want = want.capitalize() if old[0].isupper() else want
            return text[:start] + want + text[len(head) :]
    return text

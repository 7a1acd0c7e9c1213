"""Text -> sentences as (start, end) offsets: the one sentence splitter of the text layer.

A sentence ends at . ! ? (and runs of them) followed by a space, a closing quote or bracket, or the
end; at ; and at a line break; in Chinese at 。！？；. A full stop after a common abbreviation
(Mr., Dr., e.g., i.e., etc., vs., No.) or inside a number (3.5) ends nothing. Clauses are found by
the readers themselves (hachimi/text/en.py, zh.py), which know which words join or part them."""

from __future__ import annotations

import re

_END = re.compile(r"[.!?…]+(?=[\s\"'”’)\]]|$)|[;；\n。！？]+")
_ABBREV = frozenset("mr mrs ms dr prof st vs etc e.g i.e eg ie no approx jr sr mt cf al".split())
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding spaces; the end excludes the mark."""
    out, start = [], 0
    for m in _END.finditer(text):
        if m.group()[0] == ".":
            before = _WORD_BEFORE.search(text, 0, m.start())
            if before and before.group(1).lower().rstrip(".") in _ABBREV:
                continue
        _add(out, text, start, m.start())
        start = m.end()
    _add(out, text, start, len(text))
    return out


def _add(out: list, text: str, a: int, b: int) -> None:
    while a < b and text[a] in " \t\r\"'”’)]":
        a += 1
    while b > a and text[b - 1] in " \t\r":
        b -= 1
    if a < b:
        out.append((a, b))


def sentence_texts(text: str) -> list[str]:
    return [text[a:b] for a, b in sentences(text)]

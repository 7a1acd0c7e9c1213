"""Word lists -> fast regexes: a trie alternation writes shared prefixes once, so the regex engine
decides at each character instead of trying every word in turn (Python's `re` does not build a
trie for `a|b|c` itself). Used for clause lexicons, lexicon screens and person-word lists."""

from __future__ import annotations

import re

_MEMO: dict[tuple[str, ...], str] = {}
MEMO = 64  # word lists kept: grammars ask for the same trait lexicon's regex on every call


def trie_regex(words) -> str:
    """A regex matching exactly the given strings (any characters, escaped). A pure function of the
    words, so the regex of a list seen before is returned as built then."""
    key = tuple(words)
    hit = _MEMO.get(key)
    if hit is None:
        if len(_MEMO) >= MEMO:
            del _MEMO[next(iter(_MEMO))]
        hit = _MEMO[key] = _trie_regex(key)
    return hit


def _trie_regex(words: tuple[str, ...]) -> str:
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def rx(node: dict) -> str:
        alts = [re.escape(k) + rx(node[k]) for k in sorted(x for x in node if x != "")]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else "(?:" + "|".join(alts) + ")"
        return body + ("?" if "" in node else "")

    return rx(trie)

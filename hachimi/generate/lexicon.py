"""Word lists -> regexes for grammars: English clauses and short texts are written with the most
frequent English words only (wordfreq's top list, the lexicon the readable-prose rules check words
against), so every word the model writes is a real word and none can be glued to the next.

Measured on the bundled model's tokenizer: a values narrative whose seven clauses are built on the
~2,800-word list compiles in llguidance in about 1 s and costs about 5 ms per token for the mask."""

from __future__ import annotations

import re
from functools import lru_cache

from ..text.patterns import trie_regex  # noqa: F401  (re-exported: grammars build word regexes with it)

TOP_WORDS = 3000  # wordfreq's most frequent English words (Zipf >= ~3.5; the rules accept >= 1.5)
WORD_MAX = 10  # letters per word
# sentence openers for English free text (a capitalised word from a short closed list)
OPENERS = (
    "She",
    "He",
    "They",
    "Her",
    "His",
    "Their",
    "The",
    "A",
    "At",
    "In",
    "On",
    "When",
    "After",
    "Since",
    "With",
    "Every",
    "Most",
    "Some",
    "This",
    "It",
    "As",
    "Once",
    "Last",
    "Each",
    "Both",
)


@lru_cache(maxsize=4)
def word_regex(exclude: frozenset[str] = frozenset()) -> str:
    """Regex for one frequent English word of 1..WORD_MAX lower-case letters, none of `exclude`
    (the theory's level words: generate/scaffold.level_words). Every English field of a grammar
    uses the same regex: distinct huge regexes in one grammar exceed llguidance's lexer budget."""
    import wordfreq

    words = [
        w
        for w in wordfreq.top_n_list("en", TOP_WORDS)
        if re.fullmatch(rf"[a-z]{{1,{WORD_MAX}}}", w) and w not in exclude
    ]
    return trie_regex(sorted(set(words)))

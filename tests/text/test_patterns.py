"""trie_regex: a regex matching exactly its words; remembered per word list, the same as built fresh."""

import re

from hachimi.text import patterns


def test_matches_exactly_the_words():
    words = ["calm", "careful", "care", "a.b", "x"]
    rx = re.compile(patterns.trie_regex(words))
    assert all(rx.fullmatch(w) for w in words)
    assert not any(rx.fullmatch(w) for w in ["ca", "calms", "a-b", "", "carefull"])


def test_remembered_regex_equals_a_fresh_one_and_keys_on_the_words():
    patterns._MEMO.clear()
    a = patterns.trie_regex(["calm", "careful"])
    assert a == patterns._trie_regex(("calm", "careful"))
    assert patterns.trie_regex(iter(["calm", "careful"])) is a  # any iterable, same words: a hit
    b = patterns.trie_regex(["calm", "careless"])
    assert b != a and b == patterns._trie_regex(("calm", "careless"))


def test_memo_is_bounded():
    patterns._MEMO.clear()
    for i in range(patterns.MEMO + 10):
        patterns.trie_regex([f"w{i}"])
    assert len(patterns._MEMO) == patterns.MEMO

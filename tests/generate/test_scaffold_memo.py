"""scaffold.level_words and clause_pattern are computed once per loaded vocabulary: the memo gives
what a fresh computation gives, and another vocabulary object gets its own."""

import copy

from hachimi.generate import scaffold
from hachimi.theory.locate import locate
from hachimi.theory.pack import load


def test_memoised_values_equal_fresh_ones_per_vocabulary():
    vocab = load(locate("k12")).text.checks["levels"][1].vocabulary
    first = scaffold.level_words(vocab, "en")
    assert first == scaffold._level_words(vocab, "en") and "high" in first
    assert scaffold.level_words(vocab, "en") is first  # memoised
    assert scaffold.clause_pattern(vocab, "en") is scaffold.clause_pattern(vocab, "en")
    other = copy.deepcopy(vocab)
    other.words["en"] = {k: dict(v) for k, v in other.words["en"].items()}
    for table in other.words["en"].values():
        table["stratospheric"] = table.get(next(iter(table)), None)
    assert "stratospheric" in scaffold.level_words(other, "en") and "stratospheric" not in first

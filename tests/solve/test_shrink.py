"""The one shrink: on monotone questions (a superset of a bad set is bad) it returns a bad subset
that is minimal, the same one deleting items front to back one question at a time would leave."""

import random

from hachimi.solve.shrink import shrink


def _one_by_one(items, bad):
    """The definition: drop each item, front to back, if the rest is still bad."""
    kept = list(items)
    for x in list(items):
        trial = [y for y in kept if y != x]
        if bad(trial):
            kept = trial
    return kept


def test_minimal_and_equal_to_one_by_one_deletion():
    rng = random.Random(7)
    for _ in range(300):
        items = list(range(rng.randint(1, 30)))
        cores = [set(rng.sample(items, rng.randint(1, min(4, len(items))))) for _ in range(rng.randint(1, 4))]

        def bad(xs, cores=cores):
            return any(c <= set(xs) for c in cores)

        got = shrink(items, bad)
        assert bad(got) and all(not bad([y for y in got if y != x]) for x in got)
        assert got == _one_by_one(items, bad)


def test_asks_few_questions():
    items, asked = list(range(1000)), []

    def bad(xs):
        asked.append(1)
        return {3, 500, 999} <= set(xs)

    assert shrink(items, bad) == [3, 500, 999] and len(asked) < 60  # bisection, not 1000 questions

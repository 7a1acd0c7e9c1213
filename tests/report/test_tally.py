"""The report's one pass (report/tally.py): Distinct-n exact then sketched, the seeded reservoir,
the population table and the bootstrap at 50k personas without per-persona matrices."""

from __future__ import annotations

import random
import tracemalloc

import pytest

from hachimi.report.metrics import distinct
from hachimi.report.population import LARGE, _share, cluster_bootstrap
from hachimi.report.tally import Distinct, Reservoir, Tokens

WORDS = "river frog maths art friend teacher quiet loud brave kind curious tired school home".split()


def _texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) + str(rng.randrange(400)) for _ in range(30)) for _ in range(n)]


def _exact(texts: list[str], n: int) -> float:
    grams = [tuple(t.split()[i : i + n]) for t in texts for i in range(len(t.split()) - n + 1)]
    return len(set(grams)) / len(grams)


def test_distinct_is_exact_below_the_cap():
    texts = _texts(300)
    for n in (1, 2):
        assert distinct(texts, n)[0] == pytest.approx(_exact(texts, n), abs=1e-12)
    assert distinct(["a a b"], 1) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert distinct([], 2) == (0.0, 0.0)


def test_beyond_the_cap_the_sketch_estimates_within_one_percent():
    texts = _texts(3000, seed=1)
    d, tokens = Distinct(2, exact_max=5_000), Tokens()  # forces the switch early
    for t in texts:
        d.add(tokens(t.split()))
    assert d.estimated and d.seen is None
    exact = _exact(texts, 2)
    assert d.corpus() == pytest.approx(exact, rel=0.01)
    assert d.per_record() == pytest.approx(distinct(texts, 2)[1])


def _reference_hashes(ids: list[int], n: int) -> list[int]:
    """The n-gram hashes as defined one Python step at a time (the implementation before numpy)."""
    m = (1 << 64) - 1

    def _mix(x: int) -> int:  # splitmix64's finaliser
        x ^= x >> 30
        x = (x * 0xBF58476D1CE4E5B9) & m
        x ^= x >> 27
        x = (x * 0x94D049BB133111EB) & m
        return x ^ (x >> 31)

    if n == 1:
        return [_mix(x) for x in ids]
    out = []
    for i in range(len(ids) - n + 1):
        h = 0
        for x in ids[i : i + n]:
            h = (h * 0x9E3779B97F4A7C15 + x) & m
        out.append(_mix(h))
    return out


def test_vectorised_hashes_and_registers_equal_the_one_at_a_time_definitions():
    from pathlib import Path

    from datasketch import HyperLogLogPlusPlus

    fixtures = Path(__file__).resolve().parents[2] / "constraints" / "k12" / "fixtures"
    texts = [line for f in sorted(fixtures.glob("cases*.toml")) for line in f.read_text(encoding="utf-8").splitlines()]
    texts += _texts(200, seed=4) + ["", "one", "two words"]
    tokens = Tokens()
    for n in (1, 2, 3):
        d = Distinct(n)
        for t in texts:
            ids = tokens(t.split())
            assert d.hashes(ids).tolist() == _reference_hashes(ids, n)
    d, ref = Distinct(2, exact_max=0), HyperLogLogPlusPlus(p=16, hashfunc=lambda x: x)
    for t in texts:
        ids = tokens(t.split())
        d.add(ids)
        for h in _reference_hashes(ids, 2):
            ref.update(h)
    assert d.estimated and (d.sketch.reg == ref.reg).all() and d.sketch.count() == ref.count()


def test_the_reservoir_is_seeded_uniform_and_whole_when_small():
    small = Reservoir(10, seed=3)
    for i in range(7):
        small.add(i)
    assert small.items == list(range(7))
    draws = []
    for seed in range(400):
        r = Reservoir(5, seed=seed)
        for i in range(50):
            r.add(i)
        assert len(r.items) == 5 and r.seen == 50
        draws += r.items
    again = Reservoir(5, seed=399)
    for i in range(50):
        again.add(i)
    assert again.items == r.items  # the same seed, the same sample
    late = sum(x >= 25 for x in draws) / len(draws)
    assert 0.45 < late < 0.55  # the second half of the stream is as likely as the first


def test_fifty_thousand_personas_bootstrap_by_distinct_scores_in_bounded_memory():
    from collections import Counter

    rng = random.Random(4)
    drawn = [rng.randrange(8) for _ in range(50_000)]
    scores = Counter((k, 7) for k in drawn)
    assert sum(scores.values()) > LARGE
    tracemalloc.start()
    s = _share(scores, "cells")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 60e6  # a 2,000 x 50,000 resample matrix would be 800 MB
    assert s.n == 50_000 and s.lo < s.share < s.hi and s.hi - s.lo < 0.02
    # up to LARGE personas the per-persona resample (sorted scores: order-free), beyond it the
    # multinomial draw: the same law
    ks = sorted(drawn[:LARGE])
    lo, hi = cluster_bootstrap(ks, [7] * len(ks))
    small = _share(Counter((k, 7) for k in ks), "cells")
    assert (small.lo, small.hi) == (lo, hi)
    assert abs((s.hi - s.lo) - (hi - lo) * (LARGE / 50_000) ** 0.5) < 0.002  # width shrinks as 1/sqrt(n)


def test_self_bleu_is_sacrebleus_sentence_bleu_against_the_rest_of_the_sample():
    from sacrebleu.metrics import BLEU

    from hachimi.report.tally import self_bleu

    texts = _texts(40, seed=6)
    got = self_bleu(texts, hypotheses=5)
    pick = set(random.Random(0).sample(range(40), 5))
    rest = [t for k, t in enumerate(texts) if k not in pick]
    want = [BLEU(effective_order=True).sentence_score(texts[k], rest).score for k in sorted(pick)]
    assert got == pytest.approx(sum(want) / 5)
    assert self_bleu(texts[:1]) is None and self_bleu(texts[:2]) is not None
    same = ["one two three four five six"] * 10
    assert self_bleu(same) == pytest.approx(100.0)

"""Near-duplicate detection at scale: SimHash + banded LSH on 10k, 100k and 1M synthetic narratives
(1% planted near-duplicates), time per record; and the original HACHIMI's linear scan (every new
fingerprint against every accepted one) on the 10k set, in the same run.

    python benchmarks/dedup_bench.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import random
import time

from hachimi.dedup.simhash import SimHashIndex, distance, fingerprint


def _vocabulary(size: int = 20000, seed: int = 1) -> list[str]:
    """Pseudo-words from syllables: a vocabulary as varied as real narratives' (a tiny vocabulary
    makes every SimHash alike and is not what a persona corpus looks like)."""
    rng = random.Random(seed)
    syll = [c + v for c in "bcdfghjklmnpqrstvwxyz" for v in "aeiou"]
    return ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(size)]


WORDS = _vocabulary()


def narratives(n: int, seed: int = 0):
    """Texts of 40-70 words drawn around a per-text topic; 1% are one-word edits of an earlier text."""
    rng = random.Random(seed)
    bases: list[str] = []
    for _ in range(n):
        if bases and rng.random() < 0.01:
            words = rng.choice(bases).split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            yield " ".join(words)
            continue
        topic = rng.randrange(len(WORDS) - 400)
        text = " ".join(
            WORDS[topic + rng.randrange(400)] if rng.random() < 0.7 else rng.choice(WORDS)
            for _ in range(rng.randint(40, 70))
        )
        if rng.random() < 0.01:
            bases.append(text)
        yield text


def lsh(n: int) -> tuple[float, int, float]:
    """(seconds, records with a near-duplicate, candidate comparisons per record)."""
    ix, found = SimHashIndex(), 0
    start = time.perf_counter()
    for i, text in enumerate(narratives(n)):
        fp = fingerprint(text)
        found += bool(ix.near(fp))
        ix.add(str(i), fp)
    return time.perf_counter() - start, found, ix.comparisons / n


def linear(n: int) -> tuple[float, int]:
    accepted, found = [], 0
    start = time.perf_counter()
    for text in narratives(n):
        fp = fingerprint(text)
        found += any(distance(fp, other) <= 3 for other in accepted)
        accepted.append(fp)
    return time.perf_counter() - start, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    a = ap.parse_args()
    print(f"{'records':>10}{'seconds':>10}{'us/record':>11}{'near-dups':>11}{'comparisons/record':>20}")
    first = None
    for n in a.sizes:
        t, found, comp = lsh(n)
        first = first or (n, t, found)
        print(f"{n:>10}{t:>10.2f}{t / n * 1e6:>11.1f}{found:>11}{comp:>20.2f}")
    n, t_lsh, f_lsh = first
    t_lin, f_lin = linear(n)
    print(
        f"original linear scan on {n}: {t_lin:.2f} s ({t_lin / n * 1e6:.1f} us/record), {f_lin} near-dups; "
        f"LSH is {t_lin / t_lsh:.1f}x faster on the same set and finds {'the same' if f_lin == f_lsh else 'DIFFERENT'} count"
    )


if __name__ == "__main__":
    main()

"""Banded LSH finds exactly the near-duplicate pairs a linear scan finds; fingerprints behave."""

import random

from hachimi.dedup.simhash import SimHashIndex, distance, fingerprint


def test_lsh_equals_linear_scan():
    rng = random.Random(0)
    prints = [rng.getrandbits(64) for _ in range(3000)]
    for i in range(0, 3000, 10):  # plant near-duplicates at distance 1-3
        fp = prints[i]
        for b in rng.sample(range(64), rng.randint(1, 3)):
            fp ^= 1 << b
        prints.append(fp)
    ix, lsh = SimHashIndex(), set()
    for k, fp in enumerate(prints):
        lsh |= {(j, k) for j in ix.near(fp)}
        ix.add(k, fp)
    scan = {(j, k) for k in range(len(prints)) for j in range(k) if distance(prints[j], prints[k]) <= 3}
    assert lsh == scan and len(scan) >= 300
    assert ix.comparisons < len(prints) * 50  # far fewer than the n^2/2 of a scan


def test_fingerprint_properties():
    a = "She has two close friends from primary school; a quarrel in grade seven taught her to speak up. " * 3
    assert fingerprint(a) == fingerprint(a.replace(" ", "  "))  # whitespace removed
    assert distance(fingerprint(a), fingerprint(a + "!")) <= 3
    assert distance(fingerprint(a), fingerprint("Completely different words about chess clubs and music.")) > 10
    assert fingerprint("ab") == 0

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
        lsh |= {(int(j), k) for j in ix.near(fp)}
        ix.add(str(k), fp)
    scan = {(j, k) for k in range(len(prints)) for j in range(k) if distance(prints[j], prints[k]) <= 3}
    assert lsh == scan and len(scan) >= 300
    assert ix.comparisons < len(prints) * 50  # far fewer than the n^2/2 of a scan


def test_fingerprint_properties():
    a = "She has two close friends from primary school; a quarrel in grade seven taught her to speak up. " * 3
    assert fingerprint(a) == fingerprint(a.replace(" ", "  "))  # whitespace removed
    assert distance(fingerprint(a), fingerprint(a + "!")) <= 3
    assert distance(fingerprint(a), fingerprint("Completely different words about chess clubs and music.")) > 10
    assert fingerprint("ab") == 0


def test_strata_are_kept_apart_and_lsh_still_equals_a_scan_within_each():
    rng = random.Random(1)
    rows = []  # (stratum, fingerprint)
    for i in range(4000):
        if i % 7 == 0 and rows:  # a near-duplicate of an earlier row, in its stratum or another
            s, fp = rows[rng.randrange(len(rows))]
            for b in rng.sample(range(64), rng.randint(0, 3)):
                fp ^= 1 << b
            rows.append((rng.choice([s, f"s{rng.randrange(5)}"]), fp))
        else:
            rows.append((f"s{rng.randrange(5)}", rng.getrandbits(64)))
    ix, lsh = SimHashIndex(), set()
    for k, (s, fp) in enumerate(rows):
        lsh |= {(int(j), k) for j in ix.near(fp, s)}
        ix.add(str(k), fp, s)
    scan = {
        (j, k)
        for k in range(len(rows))
        for j in range(k)
        if rows[j][0] == rows[k][0] and distance(rows[j][1], rows[k][1]) <= 3
    }
    across = {
        (j, k)
        for k in range(len(rows))
        for j in range(k)
        if rows[j][0] != rows[k][0] and distance(rows[j][1], rows[k][1]) <= 3
    }
    assert lsh == scan and len(scan) >= 100 and len(across) >= 100  # found within, never across
    assert ix.near(rows[0][1], "a stratum never seen") == []
    assert [ix.key(r) for r in range(3)] == ["0", "1", "2"] and len(ix) == len(rows)


def test_an_entry_costs_tens_of_bytes_not_hundreds():
    import tracemalloc

    tracemalloc.start()
    ix = SimHashIndex()
    rng = random.Random(2)
    for k in range(50_000):
        ix.add(f"g{k % 12:02d}-female-medium-{k:07d}", rng.getrandbits(64), f"cell{k % 192}")
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert used / 50_000 < 120, used / 50_000


def test_fingerprint_equals_the_bit_by_bit_definition_on_real_prose():
    """Each bit is set when more than half the shingles' hashes have it (the broadcast formula)."""
    from pathlib import Path

    import numpy as np

    from hachimi.dedup.simhash import _WS, _mix

    bit = np.array([1 << i for i in range(64)], dtype=np.uint64)

    def reference(text: str) -> int:
        cps = np.frombuffer(_WS.sub("", text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        if len(cps) < 3:
            return 0
        h = _mix((cps[:-2] << np.uint64(42)) ^ (cps[1:-1] << np.uint64(21)) ^ cps[2:])
        ones = ((h[:, None] & bit) != 0).sum(axis=0)
        return int(((ones * 2 > len(h)).astype(np.uint64) * bit).sum())

    fixtures = Path(__file__).resolve().parents[2] / "constraints" / "k12" / "fixtures"
    texts = [t for f in sorted(fixtures.glob("cases*.toml")) for t in f.read_text(encoding="utf-8").split("\n\n")]
    texts += ["ab", "abc", "李雨桐喜欢画画，也喜欢和同学一起踢球。", "x" * 5000]
    assert len(texts) > 50
    assert [fingerprint(t) for t in texts] == [reference(t) for t in texts]

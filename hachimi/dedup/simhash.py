"""Texts -> 64-bit SimHash fingerprints (the original's scheme: whitespace removed, character
3-grams, 64 bits; near-duplicate at Hamming distance <= 3), vectorised with numpy; and an index
with banded LSH: by the pigeonhole principle two fingerprints within distance 3 agree exactly on
at least one of 4 bands of 16 bits, so bucket lookups find every near-duplicate without a scan."""

from __future__ import annotations

import re

import numpy as np

BITS, BANDS, MAX_DISTANCE = 64, 4, 3
_WS = re.compile(r"\s+")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_BIT = np.array([1 << i for i in range(64)], dtype=np.uint64)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a well-distributed 64-bit hash of each integer."""
    x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK
    x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK
    x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK
    return x ^ (x >> np.uint64(31))


def fingerprint(text: str) -> int:
    """SimHash of one text (0 for texts shorter than one shingle)."""
    cps = np.frombuffer(_WS.sub("", text).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(cps) < 3:
        return 0
    shingles = (cps[:-2] << np.uint64(42)) ^ (cps[1:-1] << np.uint64(21)) ^ cps[2:]
    h = _mix(shingles)
    ones = ((h[:, None] & _BIT) != 0).sum(axis=0)
    return int(((ones * 2 > len(h)).astype(np.uint64) * _BIT).sum())


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class SimHashIndex:
    """Fingerprints by key, with banded buckets; `near(fp)` returns keys within MAX_DISTANCE."""

    def __init__(self, max_distance: int = MAX_DISTANCE):
        self.max_distance = max_distance
        self.bands = max_distance + 1
        self.width = BITS // self.bands
        self.buckets: list[dict[int, list]] = [dict() for _ in range(self.bands)]
        self.prints: dict = {}
        self.comparisons = 0

    def _parts(self, fp: int):
        mask = (1 << self.width) - 1
        return [(fp >> (i * self.width)) & mask for i in range(self.bands)]

    def near(self, fp: int) -> list:
        seen, out = set(), []
        for band, part in zip(self.buckets, self._parts(fp)):
            for key in band.get(part, ()):
                if key not in seen:
                    seen.add(key)
                    self.comparisons += 1
                    if distance(fp, self.prints[key]) <= self.max_distance:
                        out.append(key)
        return out

    def add(self, key, fp: int) -> None:
        self.prints[key] = fp
        for band, part in zip(self.buckets, self._parts(fp)):
            band.setdefault(part, []).append(key)

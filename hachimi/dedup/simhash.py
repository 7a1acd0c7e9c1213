"""Texts -> 64-bit SimHash fingerprints (the original's scheme: whitespace removed, character
3-grams, 64 bits; near-duplicate at Hamming distance <= 3), vectorised with numpy; and an index
with banded LSH: by the pigeonhole principle two fingerprints within distance 3 agree exactly on
at least one of 4 bands of 16 bits, so bucket lookups find every near-duplicate without a scan."""

from __future__ import annotations

import re
from array import array

import numpy as np

BITS, BANDS, MAX_DISTANCE = 64, 4, 3
_WS = re.compile(r"\s+")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


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
    # each bit's count of ones over the shingles: the hashes' bytes unpacked (bit i of byte j is
    # bit 8j+i of the little-endian hash), a uint8 matrix rather than a 64-wide uint64 one
    ones = np.unpackbits(h.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little").sum(
        axis=0, dtype=np.int64
    )
    return int.from_bytes(np.packbits(ones * 2 > len(h), bitorder="little").tobytes(), "little")


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class SimHashIndex:
    """Fingerprints by key, over strata, in flat arrays: `near(fp, stratum)` returns the keys of the
    stratum within MAX_DISTANCE. Each band keeps, per value of its bits, the last row with that
    value, and each row the previous row with the same value (a chain), so an entry costs its
    fingerprint, four links, its stratum and its key's bytes: ~60 bytes, where dicts of lists took
    ~500 (a million accepted personas: ~60 MB, not ~500; rows up to 2^31). Rows are numbered in the order added."""

    def __init__(self, max_distance: int = MAX_DISTANCE):
        self.max_distance = max_distance
        self.bands = max_distance + 1
        self.width = BITS // self.bands
        # one head per value of a band's bits when that is affordable (16 bits: 256 KB a band)
        self._dense = self.width <= 20
        self.heads = [array("i", [-1]) * (1 << self.width) if self._dense else {} for _ in range(self.bands)]
        self.chains = [array("i") for _ in range(self.bands)]
        self.prints = array("Q")
        self.strata = array("I")
        self._stratum: dict[str, int] = {}
        self._salts: list[int] = []
        self._key_bytes = bytearray()
        self._key_ends = array("Q")
        self.comparisons = 0

    def __len__(self) -> int:
        return len(self.prints)

    def _parts(self, fp: int, code: int):
        """The band values of fp, each salted with its stratum: similar texts of many strata (which
        share band values) then fall into different chains, as they would in an index per stratum."""
        mask = (1 << self.width) - 1
        salt = self._salts[code]
        return [((fp ^ salt) >> (i * self.width)) & mask for i in range(self.bands)]

    def key(self, row: int) -> str:
        start = self._key_ends[row - 1] if row else 0
        return self._key_bytes[start : self._key_ends[row]].decode("utf-8")

    def near_rows(self, fp: int, stratum: str = "") -> list[int]:
        """Rows of the stratum within max_distance of fp, in the order they were added."""
        code = self._stratum.get(stratum)
        if code is None:
            return []
        seen, out = set(), []
        for heads, chain, part in zip(self.heads, self.chains, self._parts(fp, code)):
            row = heads[part] if self._dense else heads.get(part, -1)
            while row >= 0:
                if row not in seen and self.strata[row] == code:
                    seen.add(row)
                    self.comparisons += 1
                    if (fp ^ self.prints[row]).bit_count() <= self.max_distance:
                        out.append(row)
                row = chain[row]
        return sorted(out)

    def near(self, fp: int, stratum: str = "") -> list[str]:
        return [self.key(r) for r in self.near_rows(fp, stratum)]

    def add(self, key: str, fp: int, stratum: str = "") -> int:
        """Adds an entry; returns its row."""
        row = len(self.prints)
        code = self._stratum.get(stratum)
        if code is None:
            code = self._stratum[stratum] = len(self._salts)
            self._salts.append(int(_mix(np.array([code], dtype=np.uint64))[0]) if code else 0)
        self.prints.append(fp)
        self.strata.append(code)
        self._key_bytes += key.encode("utf-8")
        self._key_ends.append(len(self._key_bytes))
        for heads, chain, part in zip(self.heads, self.chains, self._parts(fp, code)):
            chain.append(heads[part] if self._dense else heads.get(part, -1))
            heads[part] = row
        return row

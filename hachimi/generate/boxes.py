"""Narrowed boxes remembered compactly, by need. A box is a pure function of (theory, slot, box
seed, restrict) (generate/narrow.py), and the loop shares a slot's box seeds between its attempts
(loop.box_seed), so a run of n attempts over s distinct slots narrows at most s x variants boxes,
however large n is: each is grown once and answered from here after.

A box is kept as a short array of value indices (its allowed lists, in order, against tables of the
values seen) rather than as Python lists, so a plan's every box fits: a few hundred bytes each, where
the objects took ~3 KB. What comes back is a new Box with the same allowed lists and checks (the
point it was grown from is not kept: nothing after narrowing reads it)."""

from __future__ import annotations

import hashlib
from array import array
from collections import OrderedDict

from .narrow import Box

BOXES_KEPT = 1 << 16  # boxes remembered (least recently used go first); k12-balanced at 16 box
# seeds has ~50,000 keys, so a run of any size narrows each once (~500 bytes each: ~25 MB)
_NONE = b""  # a slot the theory allows no persona for: remembered too


def key(slot: dict, seed: int, restrict: dict | None) -> bytes:
    """The need's key: the same values in any key order give the same key."""
    import orjson

    raw = orjson.dumps([slot, seed, restrict], option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.blake2b(raw, digest_size=16).digest()


class Boxes:
    def __init__(self, kept: int | None = None):
        self.kept = BOXES_KEPT if kept is None else kept
        self._boxes: OrderedDict[bytes, bytes] = OrderedDict()
        self._orders: list[tuple[str, ...]] = []  # the path orders seen (one, in practice)
        self._order_ids: dict[tuple[str, ...], int] = {}
        self._values: dict[str, list] = {}  # path -> values seen, in the order first seen
        self._ids: dict[str, dict] = {}  # path -> (type, value) -> index in _values[path]
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._boxes)

    def get(self, k: bytes) -> tuple[bool, Box | None]:
        """(found, box): a found box is a new object, so its users may not share state."""
        raw = self._boxes.get(k)
        if raw is None:
            self.misses += 1
            return False, None
        self._boxes.move_to_end(k)
        self.hits += 1
        return True, self._decode(raw)

    def put(self, k: bytes, box: Box | None) -> None:
        if self.kept <= 0:
            return
        self._boxes[k] = _NONE if box is None else self._encode(box)
        self._boxes.move_to_end(k)
        while len(self._boxes) > self.kept:
            self._boxes.popitem(last=False)

    def stats(self) -> dict:
        asked = self.hits + self.misses
        return {
            "kept": len(self._boxes),
            "reused": self.hits,
            "grown": self.misses,
            "reuse_rate": round(self.hits / asked, 4) if asked else 0.0,
        }

    def _index(self, path: str, value) -> int:
        ids = self._ids.setdefault(path, {})
        tag = (type(value), value)  # True and 1 are equal keys in a dict: keep them apart
        i = ids.get(tag)
        if i is None:
            table = self._values.setdefault(path, [])
            i = ids[tag] = len(table)
            table.append(value)
        return i

    def _encode(self, box: Box) -> bytes:
        order = tuple(box.allowed)
        oid = self._order_ids.get(order)
        if oid is None:
            oid = self._order_ids[order] = len(self._orders)
            self._orders.append(order)
        out = array("H", [oid, box.checks >> 16, box.checks & 0xFFFF])
        for path, vals in box.allowed.items():
            out.append(len(vals))
            out.extend(self._index(path, v) for v in vals)
        return out.tobytes()

    def _decode(self, raw: bytes) -> Box | None:
        if raw == _NONE:
            return None
        a = array("H")
        a.frombytes(raw)
        allowed: dict[str, list] = {}
        pos = 3
        for path in self._orders[a[0]]:
            n = a[pos]
            table = self._values[path]
            allowed[path] = [table[i] for i in a[pos + 1 : pos + 1 + n]]
            pos += 1 + n
        return Box(allowed=allowed, checks=a[1] << 16 | a[2])

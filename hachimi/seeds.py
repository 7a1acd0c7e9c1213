"""Run seed + labels -> derived 63-bit seeds (stable across Python versions and processes)."""

from __future__ import annotations

import hashlib


def derive(seed: int, *labels) -> int:
    h = hashlib.blake2b(repr((seed, *labels)).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") >> 1

"""An ordered list whose whole is "bad" (unsatisfiable, forces a violation) -> the minimal bad subset
that deleting items one by one, front to back, would leave: an item is dropped if the items kept so
far and those after it are still bad. The next item to keep is found by bisection over the suffixes
(a shorter suffix is never worse). Decided on yes/no answers only (never a solver's own cores), so
the result is a function of the order and the answers: what a solver learned before cannot change
it. The one shrink of the project: cores (explain/core.py), blocking rules (authoring/consistency.py)."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def shrink(items: Sequence[T], bad: Callable[[list[T]], bool]) -> list[T]:
    """The minimal subset of `items` (in their order) for which `bad` holds; `bad(list(items))`
    must hold. Each call of `bad` is one question (e.g. one solve under assumptions)."""
    kept: list[T] = []
    rest = list(items)
    while True:
        lo, hi = 0, len(rest)  # kept + rest[lo:] is bad; find the largest such lo
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if bad(kept + rest[mid:]):
                lo = mid
            else:
                hi = mid - 1
        if lo == len(rest):
            return kept
        kept.append(rest[lo])
        rest = rest[lo + 1 :]

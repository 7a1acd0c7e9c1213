"""Sets of scale steps and what modifiers and negation do to them.

An expression means a set of steps ("strong" -> {fairly_high, high}); a modifier moves it:
`end` one step away from the scale's middle ("very strong" -> {high}), `middle` an extreme step one
step inwards ("relatively high" -> {fairly_high}; a set of several steps is left as it is: "relatively
weak" stays {fairly_low, low}), `keep` leaves it. Negation reads the other side of the set, as far as
its words say: `plain` ("not high") every step on the other side, `strong` ("far from high",
"anything but weak", "not strong at all") the other half of the scale, `mild` ("not quite high",
"not exactly medium") the two steps next to it, `litotes` ("not very strong", "not particularly
strong") the three steps next to it. A set at the middle ("not medium") becomes its complement."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def _index(steps: Iterable[str], order: tuple[str, ...]) -> list[int]:
    return sorted(order.index(s) for s in steps)


def end(steps: frozenset[str], order: tuple[str, ...]) -> frozenset[str]:
    idx = _index(steps, order)
    if not idx:
        return steps
    mid = (len(order) - 1) / 2
    mean = sum(idx) / len(idx)
    if mean == mid:
        return steps
    d = 1 if mean > mid else -1
    return frozenset(order[min(len(order) - 1, max(0, i + d))] for i in idx)


def middle(steps: frozenset[str], order: tuple[str, ...]) -> frozenset[str]:
    idx = _index(steps, order)
    if len(idx) != 1 or idx[0] not in (0, len(order) - 1):
        return steps
    return frozenset((order[1] if idx[0] == 0 else order[-2],))


def complement(steps: frozenset[str], order: tuple[str, ...]) -> frozenset[str]:
    return frozenset(s for s in order if s not in steps) if steps else steps


def between(a: frozenset[str], b: frozenset[str], order: tuple[str, ...]) -> frozenset[str]:
    """'low to medium', 'between medium and fairly high': every step from the lower to the higher."""
    idx = _index(a | b, order)
    return frozenset(order[idx[0] : idx[-1] + 1]) if idx else a


NEGATIONS = ("plain", "strong", "mild", "litotes")


def negate(steps: frozenset[str], order: tuple[str, ...], tier: str) -> frozenset[str]:
    idx = _index(steps, order)
    if not idx or not tier:
        return steps
    lo, hi, mid = idx[0], idx[-1], (len(order) - 1) / 2
    mean = sum(idx) / len(idx)
    if abs(mean - mid) <= 0.5:  # at the middle ("not medium", "not at the expected level"): any other step
        return complement(steps, order)
    reach = {"plain": len(order), "strong": len(order), "mild": 2, "litotes": 3}[tier]
    if mean > mid:
        keep = [i for i in range(lo) if lo - i <= reach and (tier != "strong" or i < mid)]
    else:
        keep = [i for i in range(hi + 1, len(order)) if i - hi <= reach and (tier != "strong" or i > mid)]
    return frozenset(order[i] for i in keep)


def combine(a: str, b: str) -> str:
    """Two negations in one statement cancel ("not lacking"); one stays as it is."""
    return "" if a and b else a or b


def apply(steps: frozenset[str], order: tuple[str, ...], modifiers: list[str], negation: str) -> frozenset[str]:
    """Modifiers (nearest the expression first), then negation ('' for none)."""
    if not modifiers and not negation:
        return steps
    return _apply(steps, order, tuple(modifiers), negation)


@lru_cache(maxsize=4096)
def _apply(steps: frozenset[str], order: tuple[str, ...], modifiers: tuple[str, ...], negation: str) -> frozenset[str]:
    for kind in modifiers:
        if kind == "end":
            steps = end(steps, order)
        elif kind == "middle":
            steps = middle(steps, order)
    return negate(steps, order, negation)


def phrase(steps: frozenset[str], order: tuple[str, ...]) -> str:
    """'fairly high or high' (steps in scale order, underscores as spaces)."""
    names = [s.replace("_", " ") for s in order if s in steps]
    if len(names) <= 2:
        return " or ".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]

"""Personas -> the population-realism table: lowish values / creativity, elevated risk and low
wellbeing by academic level (risk also by level x gender), with 95% intervals and trend verdicts.

Intervals. A persona-level share (a persona has most values lowish, is at elevated risk, ...) is a
count of independent personas, so it gets a 95% Wilson score interval. A share over persona x
dimension cells (lowish on 54 of 84 value levels) does not: the seven value levels of one persona
are written together and move together (the example run has personas with all seven `low`), so a
Wilson interval over 84 cells would pretend to 84 independent draws when there are 12 and come out
far too narrow. Those shares get a persona-level cluster bootstrap instead: resample the personas
of a level with replacement, recompute (lowish cells) / (cells), take the 2.5 and 97.5 percentiles
of BOOTSTRAP resamples. The generator is seeded (SEED) afresh for every group, so the table is the
same on every run and independent of the order in which it is computed.

Verdicts (THRESHOLDS below are heuristics, not published norms; they say "look at this corpus",
not "this corpus is wrong"). Only levels with at least MIN_N personas are judged; fewer than two
judged levels and nothing over the cap is "too few to judge". A measure is implausible when
- high achievers are above the measure's cap (lowish on more than half their value dimensions), or
- the trend runs the wrong way end to end (first judged level above the last: high > poor), or
- one step between adjacent judged levels goes the wrong way with disjoint 95% intervals.
A wrong-way step whose intervals overlap is listed but does not condemn the measure: with a dozen
personas per level such steps are within noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from ..plugins.k12 import enums as E  # TODO(issue 18): realism measures from the pack

Z95 = 1.959963984540054
MIN_N = 5  # personas a level needs before it is judged
BOOTSTRAP = 2000  # cluster-bootstrap resamples for shares over persona x dimension cells
SEED = 0
ELEVATED = E.RISKS[E.RISKS.index("moderate") :]  # moderate, high
INCREASES = "increases from high to poor"
DECREASES = "decreases from high to poor"
_SIGN = {INCREASES: 1, DECREASES: -1}

# The expected trends as data. high_max: the heuristic cap on the share for high achievers (a floor
# for a measure that decreases).
# phrase: how a message states the share ({p}) for a level's achievers.
EXPECTED = (
    # measure, label, unit, direction, high_max, phrase
    ("values_lowish", "lowish value levels", "cells", INCREASES, 0.5, "lowish on {p} of value dimensions"),
    ("values_mostly_lowish", "personas with most values lowish", "personas", INCREASES, 0.5,
     "{p} with most value dimensions lowish"),
    ("creativity_lowish", "lowish creativity levels", "cells", INCREASES, 0.5, "lowish on {p} of creativity dimensions"),
    ("creativity_mostly_lowish", "personas with most creativity lowish", "personas", INCREASES, 0.5,
     "{p} with most creativity dimensions lowish"),
    ("elevated_risk", "depression or anxiety risk moderate/high", "personas", INCREASES, 0.4,
     "{p} at moderate or high depression or anxiety risk"),
    ("low_wellbeing", "overall state or happiness lowish", "personas", INCREASES, 0.5,
     "{p} with overall state or happiness lowish"),
)  # fmt: skip
THRESHOLDS = {"min_n": MIN_N, "high_max": {m[0]: m[4] for m in EXPECTED}}

OVER_CAP = "{level} achievers {phrase}, {side} the {cap:.0%} heuristic {bound}"
REVERSED = "{level} achievers {phrase} vs {other:.0%} for {last} (expected: share {direction})"
STEP = "{a} {sa:.0%} {op} {b} {sb:.0%}"
STEP_SIGNIFICANT = "{a} {sa:.0%} {op} {b} {sb:.0%} with disjoint 95% intervals"
TOO_FEW = "too few to judge (levels with at least {min_n} personas: {judged})"
CI_NOTE = (
    "95% intervals: Wilson for shares of personas; for shares of persona x dimension cells a "
    f"persona-level cluster bootstrap ({BOOTSTRAP} resamples, seed {SEED}), since the cells of one "
    "persona are not independent"
)


@dataclass(frozen=True)
class Share:
    n: int  # personas counted
    k: int  # personas (or cells) that count
    d: int  # personas (or cells) in the denominator
    share: float
    lo: float
    hi: float

    @property
    def judged(self) -> bool:
        return self.n >= MIN_N

    def to_dict(self) -> dict:
        return {
            "n": self.n,
            "k": self.k,
            "of": self.d,
            "share": self.share,
            "ci": [self.lo, self.hi],
            "judged": self.judged,
        }


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials ((0, 1) when n is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def cluster_bootstrap(ks: list[int], ds: list[int], reps: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float]:
    """95% percentile interval of sum(k) / sum(d) when whole personas (k of d cells) are resampled."""
    import numpy as np

    n = len(ks)
    if n == 0:
        return 0.0, 1.0
    k, d = np.asarray(ks, dtype=float), np.asarray(ds, dtype=float)
    rng = np.random.default_rng(seed)
    rows = max(1, 2_000_000 // n)  # bounded memory on large runs
    out = []
    for start in range(0, reps, rows):
        idx = rng.integers(0, n, size=(min(rows, reps - start), n))
        out.append(k[idx].sum(axis=1) / d[idx].sum(axis=1))
    lo, hi = np.percentile(np.concatenate(out), [2.5, 97.5])
    return float(lo), float(hi)


def _share(scores: list[tuple[int, int]], unit: str) -> Share:
    scores = sorted(scores)  # the interval depends on the personas, not on their order in the file
    ks, ds = [s[0] for s in scores], [s[1] for s in scores]
    k, d = sum(ks), sum(ds)
    lo, hi = cluster_bootstrap(ks, ds) if unit == "cells" else wilson(k, d)
    return Share(len(scores), k, d, k / d if d else 0.0, lo, hi)


# --- per-persona scores: (count, out of) or None when the persona lacks the fields ---------------


def _lowish(p: dict, part: str, dims: tuple[str, ...]) -> tuple[int, int] | None:
    levels = (p.get(part) or {}).get("levels") or {}
    known = [levels.get(d) for d in dims if levels.get(d) in E.LEVELS]
    return (sum(v in E.LOWISH for v in known), len(known)) if known else None


def _mostly(score: tuple[int, int] | None) -> tuple[int, int] | None:
    return None if score is None else (int(score[0] > score[1] / 2), 1)


def _any_of(p: dict, fields: tuple[str, ...], scale: tuple[str, ...], bad: tuple[str, ...]):
    mh = p.get("mental_health") or {}
    known = [mh.get(f) for f in fields if mh.get(f) in scale]
    return (int(any(v in bad for v in known)), 1) if known else None


SCORES: dict[str, Callable[[dict], tuple[int, int] | None]] = {
    "values_lowish": lambda p: _lowish(p, "values", E.VALUE_DIMENSIONS),
    "values_mostly_lowish": lambda p: _mostly(_lowish(p, "values", E.VALUE_DIMENSIONS)),
    "creativity_lowish": lambda p: _lowish(p, "creativity", E.CREATIVITY_DIMENSIONS),
    "creativity_mostly_lowish": lambda p: _mostly(_lowish(p, "creativity", E.CREATIVITY_DIMENSIONS)),
    "elevated_risk": lambda p: _any_of(p, ("depression_risk", "anxiety_risk"), E.RISKS, ELEVATED),
    "low_wellbeing": lambda p: _any_of(p, ("overall_state", "happiness"), E.LEVELS, E.LOWISH),
}


def _level(p: dict) -> str | None:
    lv = (p.get("academic") or {}).get("level")
    return lv if lv in E.ACADEMIC_LEVELS else None


def _by(personas: list[dict], measure: str, unit: str, key: Callable[[dict], object], keys) -> dict:
    groups: dict = {k: [] for k in keys}
    for p in personas:
        g, s = key(p), SCORES[measure](p)
        if g in groups and s is not None:
            groups[g].append(s)
    return {g: _share(scores, unit) for g, scores in groups.items()}


def verdict(by_level: dict[str, Share], direction: str, high_max: float, phrase: str) -> dict:
    """{'verdict', 'message', 'breaks'} for one measure's shares by academic level."""
    sign = _SIGN[direction]
    judged = [lv for lv in E.ACADEMIC_LEVELS if by_level[lv].judged]
    problems, breaks = [], []
    top = E.ACADEMIC_LEVELS[0]
    if by_level[top].judged and sign * by_level[top].share > sign * high_max:
        said = phrase.format(p=f"{by_level[top].share:.0%}")
        side, bound = ("above", "cap") if sign > 0 else ("below", "floor")
        problems.append(OVER_CAP.format(level=top, phrase=said, side=side, cap=high_max, bound=bound))
    for a, b in zip(judged, judged[1:]):
        sa, sb = by_level[a], by_level[b]
        if sign * (sb.share - sa.share) < 0:
            disjoint = sb.hi < sa.lo if sign > 0 else sb.lo > sa.hi
            step = (STEP_SIGNIFICANT if disjoint else STEP).format(
                a=a, sa=sa.share, op=">" if sign > 0 else "<", b=b, sb=sb.share
            )
            breaks.append(step)
            if disjoint:
                problems.append(breaks[-1])
    if len(judged) >= 2:
        first, last = by_level[judged[0]], by_level[judged[-1]]
        if sign * (last.share - first.share) < 0:
            said = phrase.format(p=f"{first.share:.0%}")
            problems.insert(
                0, REVERSED.format(level=judged[0], phrase=said, other=last.share, last=judged[-1], direction=direction)
            )
    noise = [b for b in breaks if b not in problems]
    tail = f" (steps out of order, within noise: {'; '.join(noise)})" if noise else ""
    if problems:
        return {"verdict": "implausible", "message": "implausible: " + "; ".join(problems) + tail, "breaks": breaks}
    if len(judged) < 2:
        msg = TOO_FEW.format(min_n=MIN_N, judged=", ".join(judged) or "none")
        return {"verdict": "too few to judge", "message": msg, "breaks": breaks}
    return {"verdict": "plausible", "message": "plausible" + tail, "breaks": breaks}


def table(personas: list[dict]) -> dict:
    """The population-realism table (JSON-ready): every measure by academic level with its verdict,
    elevated risk by level x gender, and how many personas had no known academic level."""
    measures = {}
    for key, label, unit, direction, high_max, phrase in EXPECTED:
        by_level = _by(personas, key, unit, _level, E.ACADEMIC_LEVELS)
        measures[key] = {
            "label": label,
            "unit": unit,
            "direction": direction,
            "high_max": high_max,
            "by_level": {lv: s.to_dict() for lv, s in by_level.items()},
            **verdict(by_level, direction, high_max, phrase),
        }
    cells = [(lv, g) for lv in E.ACADEMIC_LEVELS for g in E.GENDERS]
    gender_of = lambda p: (_level(p), (p.get("enrollment") or {}).get("gender"))  # noqa: E731
    risk = _by(personas, "elevated_risk", "personas", gender_of, cells)
    return {
        "personas": len(personas),
        "unplaced": sum(_level(p) is None for p in personas),
        "ci": CI_NOTE,
        "thresholds": THRESHOLDS,
        "expected": [{"measure": m[0], "direction": m[3]} for m in EXPECTED],
        "measures": measures,
        "risk_by_level_gender": {lv: {g: risk[(lv, g)].to_dict() for g in E.GENDERS} for lv in E.ACADEMIC_LEVELS},
    }

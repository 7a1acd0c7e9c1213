"""Personas -> the population-realism table: the measures the theory's realism.toml declares (k12:
lowish values / creativity, elevated risk and low wellbeing), each by the values of its `by` field
(k12: academic level), one of them also by a second field (k12: risk by level x gender), with 95%
intervals and trend verdicts. A theory without realism.toml gets a note instead of a table.

Intervals. A persona-level share (a persona has most values lowish, is at elevated risk, ...) is a
count of independent personas, so it gets a 95% Wilson score interval. A share over persona x
dimension cells (lowish on 54 of 84 value levels) does not: the seven value levels of one persona
are written together and move together (the example run has personas with all seven `low`), so a
Wilson interval over 84 cells would pretend to 84 independent draws when there are 12 and come out
far too narrow. Those shares get a persona-level cluster bootstrap instead: resample the personas
of a level with replacement, recompute (lowish cells) / (cells), take the 2.5 and 97.5 percentiles
of BOOTSTRAP resamples (beyond LARGE personas a resample is drawn as how many personas of each
distinct score it holds, a multinomial: the same distribution at a cost by distinct scores, not
personas). The generator is seeded (SEED) afresh for every group, so the table is the
same on every run and independent of the order in which it is computed.

Verdicts (the caps in realism.toml are heuristics, not published norms; they say "look at this
corpus", not "this corpus is wrong"). Only levels with at least MIN_N personas are judged; fewer
than two judged levels and nothing over the cap is "too few to judge". A measure is implausible when
- the personas at the first (top) level are above the measure's cap (k12: high achievers lowish on
  more than half their value dimensions), or
- the trend runs the wrong way end to end (first judged level above the last: high > poor), or
- one step between adjacent judged levels goes the wrong way with disjoint 95% intervals.
A wrong-way step whose intervals overlap is listed but does not condemn the measure: with a dozen
personas per level such steps are within noise.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

from ..jsonio import get_path

Z95 = 1.959963984540054
MIN_N = 5  # personas a level needs before it is judged
BOOTSTRAP = 2000  # cluster-bootstrap resamples for shares over persona x dimension cells
SEED = 0
LARGE = 20_000  # personas in a group beyond which the bootstrap draws counts per distinct score

OVER_CAP = "{who} {phrase}, {side} the {cap:.0%} heuristic {bound}"
REVERSED = "{who} {phrase} vs {other:.0%} for {last} (expected: share {direction})"
STEP = "{a} {sa:.0%} {op} {b} {sb:.0%}"
STEP_SIGNIFICANT = "{a} {sa:.0%} {op} {b} {sb:.0%} with disjoint 95% intervals"
TOO_FEW = "too few to judge (levels with at least {min_n} personas: {judged})"
NO_MEASURES = (
    "not measured: the theory {theory} declares no population-realism measures "
    "(no realism.toml in its folder or in those of the theories it extends)"
)
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
    if n > LARGE:  # draw how many personas of each distinct score a resample holds: the same law
        pairs, counts = np.unique(np.stack([k, d], axis=1), axis=0, return_counts=True)
        draws = rng.multinomial(n, counts / n, size=reps)  # reps x distinct scores, not reps x n
        lo, hi = np.percentile((draws @ pairs[:, 0]) / (draws @ pairs[:, 1]), [2.5, 97.5])
        return float(lo), float(hi)
    rows = max(1, 2_000_000 // n)  # bounded memory on large runs
    out = []
    for start in range(0, reps, rows):
        idx = rng.integers(0, n, size=(min(rows, reps - start), n))
        out.append(k[idx].sum(axis=1) / d[idx].sum(axis=1))
    lo, hi = np.percentile(np.concatenate(out), [2.5, 97.5])
    return float(lo), float(hi)


def _share(scores: "Counter[tuple[int, int]]", unit: str) -> Share:
    """One group's share from its personas' (k, d) scores, counted (memory by distinct scores, not
    personas); the interval depends on the personas, not on their order in the file."""
    import numpy as np

    pairs = sorted(scores.items())
    ks = np.repeat(np.asarray([p[0][0] for p in pairs], dtype=np.int64), [p[1] for p in pairs])
    ds = np.repeat(np.asarray([p[0][1] for p in pairs], dtype=np.int64), [p[1] for p in pairs])
    k, d = int(ks.sum()), int(ds.sum())
    lo, hi = cluster_bootstrap(ks.tolist(), ds.tolist()) if unit == "cells" else wilson(k, d)
    return Share(len(ks), k, d, k / d if d else 0.0, lo, hi)


class _By:
    """Scores of one measure by group, tallied persona by persona."""

    def __init__(self, score, unit: str, key: Callable[[dict], object], keys):
        self.score, self.unit, self.key = score, unit, key
        self.groups: dict = {k: Counter() for k in keys}

    def add(self, p: dict) -> None:
        g = self.key(p)
        if g in self.groups and (s := self.score(p)) is not None:
            self.groups[g][tuple(s)] += 1

    def shares(self) -> dict:
        return {g: _share(scores, self.unit) for g, scores in self.groups.items()}


def verdict(by_level: dict[str, Share], sign: int, high_max: float, phrase: str, direction: str, who: str) -> dict:
    """{'verdict', 'message', 'breaks'} for one measure's shares by level (`by_level` in the order
    of the `by` scale, its first level the top); sign 1: the share should increase along it, -1:
    decrease; `who` names the personas at a level ("{value} achievers")."""
    levels = list(by_level)
    judged = [lv for lv in levels if by_level[lv].judged]
    problems, breaks = [], []
    top = levels[0]
    if by_level[top].judged and sign * by_level[top].share > sign * high_max:
        said = phrase.format(p=f"{by_level[top].share:.0%}")
        side, bound = ("above", "cap") if sign > 0 else ("below", "floor")
        problems.append(OVER_CAP.format(who=who.format(value=top), phrase=said, side=side, cap=high_max, bound=bound))
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
                0,
                REVERSED.format(
                    who=who.format(value=judged[0]), phrase=said, other=last.share, last=judged[-1], direction=direction
                ),
            )
    noise = [b for b in breaks if b not in problems]
    tail = f" (steps out of order, within noise: {'; '.join(noise)})" if noise else ""
    if problems:
        return {"verdict": "implausible", "message": "implausible: " + "; ".join(problems) + tail, "breaks": breaks}
    if len(judged) < 2:
        msg = TOO_FEW.format(min_n=MIN_N, judged=", ".join(judged) or "none")
        return {"verdict": "too few to judge", "message": msg, "breaks": breaks}
    return {"verdict": "plausible", "message": "plausible" + tail, "breaks": breaks}


def table(personas: Iterable[dict], theory) -> dict:
    """The population-realism table (JSON-ready) of the theory's realism.toml (realism.py), or a
    note saying that the theory declares none."""
    t = Tally(theory)
    for p in personas:
        t.add(p)
    return t.table()


def measure(personas: Iterable[dict], spec) -> dict:
    t = Tally(None, spec)
    for p in personas:
        t.add(p)
    return t.table()


class Tally:
    """The table gathered persona by persona (the report's one pass over personas.jsonl): memory
    by groups and distinct scores, never by personas."""

    def __init__(self, theory, spec=None):
        from .realism import load

        self.spec = spec if spec is not None else load(theory)
        self.theory_name = theory.name if theory is not None else ""
        self.n = self.unplaced = 0
        if self.spec is None:
            return
        spec = self.spec
        self.by = {m.key: _By(m.score, m.unit, spec.level, spec.levels) for m in spec.measures}
        self.split = None
        if s := spec.split:
            m = next(m for m in spec.measures if m.key == s.measure)
            cells = [(lv, g) for lv in spec.levels for g in s.values]
            self.split = _By(m.score, m.unit, lambda p: (spec.level(p), get_path(p, s.field)), cells)

    def add(self, p: dict) -> None:
        self.n += 1
        if self.spec is None:
            return
        self.unplaced += self.spec.level(p) is None
        for b in self.by.values():
            b.add(p)
        if self.split is not None:
            self.split.add(p)

    def table(self) -> dict:
        """Every measure by the levels of `by` with its verdict, the split measure by level x the
        split field, how many personas had no known level, and what the renderers name them with
        (`by`, `split`)."""
        spec = self.spec
        if spec is None:
            return {"personas": self.n, "note": NO_MEASURES.format(theory=self.theory_name)}
        measures = {}
        for m in spec.measures:
            by_level = self.by[m.key].shares()
            direction = spec.direction(m)
            measures[m.key] = {
                "label": m.label,
                "unit": m.unit,
                "direction": direction,
                "high_max": m.high_max,
                "by_level": {lv: s.to_dict() for lv, s in by_level.items()},
                **verdict(by_level, m.sign, m.high_max, m.phrase, direction, spec.who),
            }
        out = {
            "personas": self.n,
            "unplaced": self.unplaced,
            "ci": CI_NOTE,
            "thresholds": {"min_n": MIN_N, "high_max": {m.key: m.high_max for m in spec.measures}},
            "expected": [{"measure": m.key, "direction": spec.direction(m)} for m in spec.measures],
            "measures": measures,
            "by": {"field": spec.by, "label": spec.label, "variable": spec.variable, "values": list(spec.levels)},
        }
        if s := spec.split:
            shares = self.split.shares()
            out[s.name] = {lv: {g: shares[(lv, g)].to_dict() for g in s.values} for lv in spec.levels}
            out["split"] = {"field": s.field, "label": s.label, "measure": s.measure, "table": s.name}
        return out

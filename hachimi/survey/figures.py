"""Published human figures (an instrument's figures.toml) beside the personas' own estimate of each.

Each figure says what it is (construct, population, statistic, value, unit, year, source, how the
number was checked) and what the personas' estimate can test: the number itself (`value`: a share
or a mean on the item's own scale), only its direction (`direction`: a gap between two groups, a
trend over tiers, on other units than the human index), or nothing (`none`: context such as a
system's index value). The estimate comes from the answers that belong to the personas:
- share: the share of personas whose answer (an option's value, before reverse keying) to any of
  the items (`rule = "any"`), or whose mean over them (`"mean"`), is at or above `at_least` (or at or
  below `at_most`);
- mean: the mean over personas of their keyed item mean (the construct's raw score over the items);
- gap: the difference of mean z between the two groups of `expect` (A - B, in the sample's SD);
- trend: Spearman's rho of z along the ordered cohort variable (tier poor -> high).
Intervals are 95% percentile bootstraps over personas, seeded from the survey's seed."""

from __future__ import annotations

import math
import random
import statistics

from ..seeds import derive
from .cohorts import vocabulary
from .compare import spearman, spearman_ci
from .instrument import FigureEntry, Instrument
from .score import Scored

BOOT = 1000
NAN = float("nan")


def _answers_by_persona(answers: list[dict], inst: Instrument) -> dict[str, dict[str, tuple[float, float]]]:
    """persona -> item -> (the option's value before reverse keying, its keyed score); main blocks."""
    by_id = {i.id: i for i in inst.items}
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for r in answers:
        if r.get("error") or r["kind"] != "main":
            continue
        for iid, v in r["scores"].items():
            if v is None:
                continue
            it = by_id[iid]
            values = inst.scale_of(it).values
            raw = (min(values) + max(values) - v) if it.reverse else v
            out.setdefault(r["persona"], {})[iid] = (raw, v)
    return out


def _boot(values: list[float], stat, seed: int) -> tuple[float, float]:
    if len(values) < 2:
        return NAN, NAN
    rng = random.Random(seed)
    xs = sorted(stat(rng.choices(values, k=len(values))) for _ in range(BOOT))
    return xs[int(0.025 * BOOT)], xs[int(0.975 * BOOT) - 1]


def _members(f: FigureEntry, scored: Scored) -> dict[str, dict]:
    return {p: r for p, r in scored.personas.items() if all(r.get(k) == v for k, v in f.where.items())}


def estimate(f: FigureEntry, inst: Instrument, scored: Scored, answers: list[dict], seed: int) -> dict:
    """The personas' estimate of one figure: estimate, ci, n, verdict (and what was measured)."""
    out = {
        "id": f.id,
        "construct": f.construct_,
        "statistic": f.statistic,
        "population": f.population,
        "value": f.value,
        "unit": f.unit,
        "year": f.year,
        "source": f.source,
        "url": f.url,
        "checked": f.checked,
        "tests": f.tests,
        "can_test": f.can_test,
        "cannot_test": f.cannot_test,
        "where": dict(f.where),
        "estimate": None,
        "ci": (NAN, NAN),
        "n": 0,
    }
    members = _members(f, scored)
    s = derive(seed, "figure", f.id)
    if f.statistic in ("share", "mean"):
        items = f.items or [i.id for i in inst.items if i.construct == f.construct_]
        per = _answers_by_persona(answers, inst)
        xs: list[float] = []
        for pid in members:
            got = [per.get(pid, {}).get(i) for i in items]
            got = [g for g in got if g is not None]
            if not got:
                continue
            if f.statistic == "mean":
                xs.append(statistics.fmean(k for _, k in got))
                continue
            raws = [raw for raw, _ in got]
            cut = (lambda x: x >= f.at_least) if f.at_least is not None else (lambda x: x <= f.at_most)
            hit = any(cut(x) for x in raws) if f.rule == "any" else cut(statistics.fmean(raws))
            xs.append(1.0 if hit else 0.0)
        if xs:
            out.update(estimate=statistics.fmean(xs), ci=_boot(xs, statistics.fmean, s), n=len(xs))
    elif f.statistic == "gap":
        a, b = (x.strip() for x in f.expect.split(">"))
        c = f.construct_
        ga = [r["z"][c] for r in members.values() if c in r["z"] and r.get(f.by) == a]
        gb = [r["z"][c] for r in members.values() if c in r["z"] and r.get(f.by) == b]
        if len(ga) >= 2 and len(gb) >= 2:
            rng, diffs = random.Random(s), []
            for _ in range(BOOT):
                diffs.append(
                    statistics.fmean(rng.choices(ga, k=len(ga))) - statistics.fmean(rng.choices(gb, k=len(gb)))
                )
            diffs.sort()
            est = statistics.fmean(ga) - statistics.fmean(gb)
            out.update(estimate=est, ci=(diffs[int(0.025 * BOOT)], diffs[int(0.975 * BOOT) - 1]), n=len(ga) + len(gb))
    elif f.statistic == "trend":
        order = vocabulary().variables[f.by]
        have = [r for r in members.values() if f.construct_ in r["z"] and r.get(f.by) in order]
        xs_, ys = [order.index(r[f.by]) for r in have], [r["z"][f.construct_] for r in have]
        rho = spearman(xs_, ys)
        if not math.isnan(rho):
            out.update(estimate=rho, ci=spearman_ci(xs_, ys, s), n=len(have))
    out["verdict"] = verdict(f, out["estimate"], out["ci"], out["n"])
    return out


def _expected_sign(f: FigureEntry) -> int:
    if f.statistic == "trend":
        return 1 if f.expect == "increasing" else -1
    if f.statistic == "gap":
        return 1  # the estimate is A - B of "A > B"
    return 1 if f.value >= 0 else -1


def verdict(f: FigureEntry, est: float | None, ci: tuple[float, float], n: int) -> str:
    """agrees | higher | lower (value); same direction | sign only | opposite (direction);
    not comparable (none); too few (no estimate)."""
    if f.tests == "none":
        return "not comparable"
    if est is None or math.isnan(est) or n < 2:
        return "too few"
    lo, hi = ci
    if f.tests == "value":
        if math.isnan(lo):
            return "too few"
        return "agrees" if lo <= f.value <= hi else ("higher" if lo > f.value else "lower")
    sign = _expected_sign(f)
    if not math.isnan(lo) and (lo if sign > 0 else -hi) > 0:
        return "same direction"  # the interval excludes zero on the published side
    return "sign only" if sign * est > 0 else "opposite"


def estimates(inst: Instrument, scored: Scored, answers: list[dict], seed: int = 0) -> list[dict]:
    return [estimate(f, inst, scored, answers, seed) for f in inst.figures]

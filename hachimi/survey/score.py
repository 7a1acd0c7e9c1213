"""A survey folder -> construct scores per persona and cohort means with bootstrap intervals.

A persona's construct score is the mean of its keyed item scores (reverse keys already flipped;
refusals left out; the option-order check's repeats left out), then standardised over the sample
(z). Cohorts are those of the survey's reference data (cohorts.py: HACHIMI's 16 = academic tier x
gender x risk stratum), each variable alone, and bands; where a persona falls is its theory's
(prompts/survey.toml of the pack: k12 reads tier and gender from the plan slot, the risk stratum
from the plan's [strata.risk] or, without a plan, from its depression and anxiety risk)."""

from __future__ import annotations

import random
import statistics
from typing import Iterable
from dataclasses import dataclass, field

from ..seeds import derive
from .instrument import Instrument

BOOT = 1000


@dataclass
class Scored:
    personas: dict[str, dict]  # id -> {<cohort variable>: category, ..., "band", "raw": {c: mean}, "z": {c: z}}
    constructs: list[str]
    cohorts: list[dict] = field(default_factory=list)  # one row per (kind, key, construct)
    variables: list[str] = field(default_factory=list)  # the cohort variables, in the survey's order


def persona_scores(answers: list[dict], inst: Instrument) -> dict[str, dict[str, float]]:
    """persona -> construct -> mean keyed score (main blocks only)."""
    construct_of = {i.id: i.construct for i in inst.items}
    acc: dict[str, dict[str, list[float]]] = {}
    for r in answers:
        if r.get("error") or r["kind"] != "main":
            continue
        for iid, v in r["scores"].items():
            if v is not None:
                acc.setdefault(r["persona"], {}).setdefault(construct_of[iid], []).append(v)
    return {p: {c: sum(v) / len(v) for c, v in cs.items()} for p, cs in acc.items()}


def standardise(raw: dict[str, dict[str, float]], constructs: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {p: {} for p in raw}
    for c in constructs:
        vals = [cs[c] for cs in raw.values() if c in cs]
        if len(vals) < 2:
            continue
        mu, sd = statistics.fmean(vals), statistics.pstdev(vals)
        for p, cs in raw.items():
            if c in cs:
                out[p][c] = (cs[c] - mu) / sd if sd > 0 else 0.0
    return out


def bootstrap_mean(values: list[float], seed: int, n: int = BOOT) -> tuple[float, float]:
    """Percentile 95% interval of the mean (nan, nan with fewer than 2 values)."""
    if len(values) < 2:
        return float("nan"), float("nan")
    rng = random.Random(seed)
    means = sorted(statistics.fmean(rng.choices(values, k=len(values))) for _ in range(n))
    return means[int(0.025 * n)], means[int(0.975 * n) - 1]


def score(
    personas: Iterable[dict],
    answers: list[dict],
    inst: Instrument,
    placement,
    strata: dict | None = None,
    seed: int = 0,
) -> Scored:
    """`personas`: read once (a stream will do); those without answers are passed over. `placement`: where the personas' theory puts a persona in the cohorts (cohorts.placement);
    `strata`: the run plan's strata, if any."""
    constructs = list(inst.constructs)
    raw = persona_scores(answers, inst)
    z = standardise(raw, constructs)
    variables = list(placement.variables)
    out = Scored({}, constructs, variables=variables)
    for p in personas:
        if p["id"] in raw:
            out.personas[p["id"]] = {**placement.of(p, strata), "raw": raw[p["id"]], "z": z[p["id"]]}
    groupings = {
        "cohort": lambda r: "/".join(r[v] for v in variables),
        "band": lambda r: r["band"],
        **{v: (lambda r, v=v: r[v]) for v in variables},
    }
    for kind, key_of in groupings.items():
        keys = sorted({key_of(r) for r in out.personas.values()})
        for key in keys:
            members = [r for r in out.personas.values() if key_of(r) == key]
            for c in constructs:
                zs = [r["z"][c] for r in members if c in r["z"]]
                raws = [r["raw"][c] for r in members if c in r["raw"]]
                if not zs:
                    continue
                lo, hi = bootstrap_mean(zs, derive(seed, "boot", kind, key, c))
                out.cohorts.append(
                    {
                        "kind": kind,
                        "key": key,
                        "construct": c,
                        "n": len(zs),
                        "mean_z": statistics.fmean(zs),
                        "ci_low": lo,
                        "ci_high": hi,
                        "mean_raw": statistics.fmean(raws),
                    }
                )
    return out

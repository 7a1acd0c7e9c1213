"""A survey folder -> construct scores per persona and cohort means with bootstrap intervals.

A persona's construct score is the mean of its keyed item scores (reverse keys already flipped;
refusals left out; the option-order check's repeats left out), then standardised over the sample
(z). Cohorts are the paper's 16 (academic tier x gender x risk stratum) and grade bands; a
persona's tier and gender come from its plan slot, its risk stratum from the plan's [strata.risk]
(or, without a plan, from its depression and anxiety risk: moderate or high on either is "high")."""

from __future__ import annotations

import json
import random
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from ..generate.seeds import derive
from .instrument import Instrument
from ..jsonio import get_path as _get

TIERS = ("poor", "low", "medium", "high")  # low -> high achievement
BANDS = {"1-3": range(1, 4), "4-6": range(4, 7), "7-9": range(7, 10), "10-12": range(10, 13)}
BOOT = 1000


@dataclass
class Scored:
    personas: dict[str, dict]  # id -> {"tier", "gender", "risk", "band", "raw": {c: mean}, "z": {c: z}}
    constructs: list[str]
    cohorts: list[dict] = field(default_factory=list)  # one row per (kind, key, construct)


def risk_of(persona: dict, strata: dict | None) -> str:
    mh = persona.get("mental_health", {})
    if strata and "risk" in strata:
        for value, alternatives in strata["risk"].items():
            if any(all(_get(persona, path) in allowed for path, allowed in alt.items()) for alt in alternatives):
                return value
        return "unknown"
    elevated = {"moderate", "high"}
    return "high" if mh.get("depression_risk") in elevated or mh.get("anxiety_risk") in elevated else "low"


def cohort_of(persona: dict, strata: dict | None) -> dict:
    slot = persona.get("slot") or {}
    grade = persona.get("enrollment", {}).get("grade")
    band = next((b for b, r in BANDS.items() if grade in r), "unknown")
    return {
        "tier": slot.get("academic_level") or persona.get("academic", {}).get("level", "unknown"),
        "gender": slot.get("gender") or persona.get("enrollment", {}).get("gender", "unknown"),
        "risk": risk_of(persona, strata),
        "band": band,
    }


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
    personas: list[dict], answers: list[dict], inst: Instrument, strata: dict | None = None, seed: int = 0
) -> Scored:
    constructs = list(inst.constructs)
    raw = persona_scores(answers, inst)
    z = standardise(raw, constructs)
    out = Scored({}, constructs)
    for p in personas:
        if p["id"] in raw:
            out.personas[p["id"]] = {**cohort_of(p, strata), "raw": raw[p["id"]], "z": z[p["id"]]}
    groupings = {
        "cohort": lambda r: f"{r['tier']}/{r['gender']}/{r['risk']}",
        "band": lambda r: r["band"],
        "tier": lambda r: r["tier"],
        "gender": lambda r: r["gender"],
        "risk": lambda r: r["risk"],
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


def load_answers(folder: Path) -> list[dict]:
    path = folder / "answers.jsonl"
    if not path.is_file():
        return []
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]

"""Agent cohort means vs human cohort means per construct (Pearson r with a Fisher-z interval,
Spearman rho with a bootstrap interval over cohorts, n), the instrument's directional hypotheses
(effect size, bootstrap interval, pass/fail), and the pitfall controls of LLM respondents."""

from __future__ import annotations

import csv
import math
import random
import statistics
from pathlib import Path

from ..errors import HachimiError
from ..seeds import derive
from .cohorts import vocabulary
from .instrument import Instrument
from .score import Scored, bootstrap_mean

ALL = "all"  # a reference row over every cohort (its sd: the overall spread)


def reference_columns() -> tuple[str, ...]:
    """The columns a human cohort file needs: construct, one per cohort variable, mean."""
    return ("construct", *vocabulary().names, "mean")


def read_reference(path: Path) -> list[dict]:
    """A human cohort file: construct, a column per cohort variable (tier, gender, risk), mean (and
    optionally sd, n)."""
    columns = reference_columns()
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise HachimiError(f"no reference file {path}") from None
    except UnicodeDecodeError as e:
        raise HachimiError(f"{path}: not a UTF-8 CSV file (byte {e.start + 1})") from None
    except csv.Error as e:
        raise HachimiError(f"{path}: not a readable CSV file ({e})") from None
    if not rows:
        raise HachimiError(f"{path}: no rows (needs a header {', '.join(columns)} and one row per cohort)")
    if missing := [c for c in columns if c not in rows[0]]:
        raise HachimiError(f"{path}: missing column(s) {', '.join(missing)} (needs {', '.join(columns)})")
    out = []
    for i, r in enumerate(rows, start=2):
        for key in ("mean", "sd"):
            v = r.get(key)
            if key == "sd" and v in (None, ""):
                r[key] = None
                continue
            try:
                r[key] = float(v)
            except (TypeError, ValueError):
                raise HachimiError(f"{path}:{i}: {key} must be a number, got {v!r}") from None
            if math.isnan(r[key]) or math.isinf(r[key]):
                raise HachimiError(f"{path}:{i}: {key} must be a finite number, got {v!r}") from None
        out.append(r)
    return out


def _ranks(xs: list[float]) -> list[float]:
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    ranks = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def pearson(x: list[float], y: list[float]) -> float:
    if len(x) < 3 or statistics.pstdev(x) == 0 or statistics.pstdev(y) == 0:
        return float("nan")
    return statistics.correlation(x, y)


def spearman(x: list[float], y: list[float]) -> float:
    return pearson(_ranks(x), _ranks(y))


def fisher_ci(r: float, n: int) -> tuple[float, float]:
    if math.isnan(r) or n < 4 or abs(r) >= 1:
        return float("nan"), float("nan")
    z, se = math.atanh(r), 1 / math.sqrt(n - 3)
    return math.tanh(z - 1.96 * se), math.tanh(z + 1.96 * se)


def spearman_ci(x: list[float], y: list[float], seed: int, n: int = 1000) -> tuple[float, float]:
    if len(x) < 4:
        return float("nan"), float("nan")
    rng, vals = random.Random(seed), []
    idx = range(len(x))
    for _ in range(n):
        pick = rng.choices(idx, k=len(x))
        v = spearman([x[i] for i in pick], [y[i] for i in pick])
        if not math.isnan(v):
            vals.append(v)
    if len(vals) < n // 2:
        return float("nan"), float("nan")
    vals.sort()
    return vals[int(0.025 * len(vals))], vals[int(0.975 * len(vals)) - 1]


def correlations(scored: Scored, reference: list[dict], seed: int = 0) -> list[dict]:
    agent = {(c["key"], c["construct"]): c["mean_z"] for c in scored.cohorts if c["kind"] == "cohort"}
    variables = scored.variables or vocabulary().names
    out = []
    for construct in scored.constructs:
        pairs = []
        for r in reference:
            if r["construct"] != construct:
                continue
            key = "/".join(str(r.get(v)) for v in variables)
            if (key, construct) in agent:
                pairs.append((agent[(key, construct)], r["mean"], key))
        x, y = [p[0] for p in pairs], [p[1] for p in pairs]
        r = pearson(x, y)
        rho = spearman(x, y)
        out.append(
            {
                "construct": construct,
                "n_cohorts": len(pairs),
                "pearson_r": r,
                "r_ci": fisher_ci(r, len(pairs)),
                "spearman_rho": rho,
                "rho_ci": spearman_ci(x, y, derive(seed, "rho", construct)),
                "pairs": [{"cohort": k, "agent": a, "human": h} for a, h, k in pairs],
            }
        )
    return out


def hypotheses(scored: Scored, inst: Instrument, seed: int = 0) -> list[dict]:
    """Each directional hypothesis on the agents' persona-level z scores: effect size (Cohen's d
    for two groups, Spearman rho along the ordered categories of `by` for a trend: tiers poor ->
    high), a bootstrap interval, pass/fail."""
    categories = vocabulary().variables
    out = []
    rows = list(scored.personas.values())
    for h in inst.hypotheses:
        c = h.construct_
        have = [r for r in rows if c in r["z"]]
        res = {"id": h.id, "construct": c, "by": h.by, "expect": h.expect, "citation": h.citation}
        if h.expect in ("increasing", "decreasing"):
            order = categories.get(h.by, ())
            xs = [order.index(r.get(h.by)) for r in have if r.get(h.by) in order]
            ys = [r["z"][c] for r in have if r.get(h.by) in order]
            rho = spearman(xs, ys)
            lo, hi = spearman_ci(xs, ys, derive(seed, "hyp", h.id))
            sign = 1 if h.expect == "increasing" else -1
            res.update(effect="spearman_rho", value=rho, ci=(lo, hi), n=len(xs))
        else:
            a, b = (s.strip() for s in h.expect.split(">"))
            ga = [r["z"][c] for r in have if r.get(h.by) == a]
            gb = [r["z"][c] for r in have if r.get(h.by) == b]
            if len(ga) < 2 or len(gb) < 2:
                res.update(effect="cohens_d", value=float("nan"), ci=(float("nan"), float("nan")), n=len(ga) + len(gb))
                res["verdict"] = "too few"
                out.append(res)
                continue
            pooled = math.sqrt(
                (statistics.variance(ga) * (len(ga) - 1) + statistics.variance(gb) * (len(gb) - 1))
                / (len(ga) + len(gb) - 2)
            )
            d = (statistics.fmean(ga) - statistics.fmean(gb)) / pooled if pooled > 0 else float("nan")
            rng, diffs = random.Random(derive(seed, "hyp", h.id)), []
            for _ in range(1000):
                diffs.append(
                    statistics.fmean(rng.choices(ga, k=len(ga))) - statistics.fmean(rng.choices(gb, k=len(gb)))
                )
            diffs.sort()
            res.update(
                effect="cohens_d",
                value=d,
                ci=(diffs[25], diffs[974]),
                n=len(ga) + len(gb),
                ci_of="difference of mean z",
            )
            sign = 1
        v, (lo, hi) = res["value"], res["ci"]
        if math.isnan(v):
            res["verdict"] = "too few"
        elif (lo if sign > 0 else -hi) > 0:
            res["verdict"] = "pass"  # the interval excludes zero in the expected direction
        elif sign * v > 0:
            res["verdict"] = "direction only"  # right sign, interval includes zero
        else:
            res["verdict"] = "fail"
        out.append(res)
    for r in out:  # named as the figures name theirs: estimate, ci, verdict
        r["estimate"] = r["value"]
    return out


def pitfalls(answers: list[dict], inst: Instrument, reference: list[dict] | None, scored: Scored) -> list[dict]:
    """Per construct: refusal rate; acquiescence (respondents agreeing with both a positively and a
    reverse-keyed item of the construct); option-order effect (items asked again with options
    reversed: mean absolute and signed change of the keyed score); response SD vs human SD."""
    by_id = {i.id: i for i in inst.items}
    out = []
    main = [r for r in answers if not r.get("error") and r["kind"] == "main"]
    checks = [r for r in answers if not r.get("error") and r["kind"] == "reversed"]
    first = {(r["persona"], i): r["scores"][i] for r in main for i in r["items"]}
    for c in inst.constructs:
        items = [i for i in inst.items if i.construct == c]
        asked = refused = 0
        agree: dict[str, dict[bool, list[bool]]] = {}
        for r in main:
            for iid in r["items"]:
                it = by_id[iid]
                if it.construct != c:
                    continue
                asked += 1
                if iid in r["refused"]:
                    refused += 1
                    continue
                values = inst.scale_of(it).values
                raw = r["scores"][iid] if not it.reverse else min(values) + max(values) - r["scores"][iid]
                mid = (min(values) + max(values)) / 2
                agree.setdefault(r["persona"], {True: [], False: []})[it.reverse].append(raw > mid)
        both = [p for p, d in agree.items() if d[True] and d[False]]
        contradict = [p for p in both if any(agree[p][True]) and any(agree[p][False])]
        diffs = []
        for r in checks:
            for iid in r["items"]:
                if (
                    by_id[iid].construct == c
                    and r["scores"][iid] is not None
                    and first.get((r["persona"], iid)) is not None
                ):
                    diffs.append(r["scores"][iid] - first[(r["persona"], iid)])
        raws = [s["raw"][c] for s in scored.personas.values() if c in s["raw"]]
        human_sd = next((r["sd"] for r in reference or [] if r["construct"] == c and _overall(r) and r.get("sd")), None)
        agent_sd = statistics.pstdev(raws) if len(raws) > 1 else float("nan")
        out.append(
            {
                "construct": c,
                "items": len(items),
                "answers": asked,
                "refusal_rate": refused / asked if asked else float("nan"),
                "acquiescence": len(contradict) / len(both) if both else None,
                "acquiescence_n": len(both),
                "order_abs_change": statistics.fmean(abs(d) for d in diffs) if diffs else None,
                "order_signed_change": statistics.fmean(diffs) if diffs else None,
                "order_n": len(diffs),
                "agent_sd_raw": agent_sd,
                "human_sd_raw": human_sd,
                "sd_ratio": agent_sd / human_sd if human_sd else None,  # < 1: agents more alike than students
            }
        )
    return out


def _overall(row: dict) -> bool:
    """A reference row over every cohort (reference.py writes "all" in each cohort column)."""
    return all(row.get(v) == ALL for v in vocabulary().names)


__all__ = ["read_reference", "correlations", "hypotheses", "pitfalls", "pearson", "spearman", "bootstrap_mean"]

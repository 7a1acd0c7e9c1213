"""What the report gathered + manifest -> the metrics of a run (validity, rules, quotas, diversity, cost)."""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"\w+", re.UNICODE)


def distinct(texts: list[str], n: int) -> tuple[float, float]:
    """(corpus-level distinct-n, the original's mean per-record distinct-n) of a list of texts
    (the report counts them in its one pass: tally.Distinct)."""
    from .tally import Distinct, Tokens

    d, tokens = Distinct(n), Tokens()
    for t in texts:
        d.add(tokens(_WORD.findall(t.lower())))
    return d.corpus(), d.per_record()


def kl(realised: dict, planned: dict) -> float:
    """KL(realised || planned) over cells, in nats (0 = exact)."""
    R, P = sum(realised.values()), sum(planned.values())
    if not R or not P:
        return 0.0
    return sum((r / R) * math.log((r / R) / (planned[c] / P)) for c, r in realised.items() if r and planned.get(c))


class Validation:
    """The accepted personas validated again (the report's second pass, in worker processes on a
    large run): how many are valid, and the share of them on which each rule fired."""

    def __init__(self):
        self.n = self.valid = 0
        self.fired: Counter = Counter()

    def add(self, result) -> None:
        self.n += 1
        self.valid += bool(result.valid)
        for ref in {f"{v.ref} {v.rule}" for v in result.violations}:
            self.fired[ref] += 1

    def rule_rates(self) -> dict[str, float]:
        """rule ref -> share of validations in which it fired (errors and warnings)."""
        return {k: self.fired[k] / self.n for k in sorted(self.fired)} if self.n else {}


class AttemptStats:
    """What the report needs of attempts.jsonl, gathered line by line (the file is never held:
    it grows ~10 KB per slot): first-pass validations (valid, the rules that fired), attempts'
    outcomes (calls, tokens, engine seconds) and near-duplicate rejections."""

    def __init__(self):
        self.first = 0
        self.first_valid = 0
        self.fired: Counter = Counter()
        self.outcomes = 0
        self.totals = {"calls": 0, "tokens": 0, "seconds": 0.0}
        self.rejected_near_duplicates = 0

    def add(self, e: dict) -> None:
        t = e.get("type")
        if t == "validation" and e.get("stage") == "proposal":
            self.first += 1
            self.first_valid += bool(e.get("valid"))
            for ref in {f"{x.get('ref')} {x.get('rule')}" for x in e.get("violations") or () if isinstance(x, dict)}:
                self.fired[ref] += 1
        elif t == "outcome":
            self.outcomes += 1
            for k in self.totals:
                v = e.get(k, 0)
                self.totals[k] += v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0
        elif t == "near_duplicate":
            self.rejected_near_duplicates += 1

    def rule_rates(self) -> dict[str, float]:
        return {k: self.fired[k] / self.first for k in sorted(self.fired)} if self.first else {}

    @classmethod
    def of(cls, attempts) -> "AttemptStats":
        s = cls()
        for e in attempts:
            s.add(e)
        return s


def compute(corpus: dict, validation: Validation, stats: AttemptStats, manifest: dict) -> dict:
    """The run's metrics from what the report gathered: `corpus` (tally.Tally.result() of the
    accepted personas), their re-validation and the attempts' statistics."""
    cells = manifest.get("cells", {})
    counts = manifest.get("counts", {})
    n_acc = max(1, corpus["personas"])
    return {
        **corpus,
        "theory_valid": validation.valid / n_acc,
        "first_pass_valid": stats.first_valid / max(1, stats.first),
        "rule_rates_first_pass": stats.rule_rates(),
        "rule_rates_accepted": validation.rule_rates(),
        "quota": {
            "cells": cells,
            "exact_cells": sum(c["planned"] == c["realised"] for c in cells.values()),
            "kl": kl({k: c["realised"] for k, c in cells.items()}, {k: c["planned"] for k, c in cells.items()}),
            "shortfall": sum(c["shortfall"] for c in cells.values()),
        },
        "attempts": stats.outcomes,
        # valid attempts rejected as near-duplicates; their slots were refilled only while attempts remained
        "near_duplicates_rejected": max(counts.get("near_duplicates", 0), stats.rejected_near_duplicates),
        **cost(stats.totals, manifest, n_acc),
    }


def cost(total: dict, manifest: dict, n_accepted: int) -> dict:
    """LLM calls, tokens, engine-seconds (summed over every attempt logged) and wall-seconds (all
    sessions) per accepted persona."""
    wall = manifest.get("wall_seconds", manifest.get("seconds", 0.0))
    return {
        "llm_calls_per_accepted": total["calls"] / n_accepted,
        "tokens_per_accepted": total["tokens"] / n_accepted,
        "engine_seconds_per_accepted": total["seconds"] / n_accepted,
        "wall_seconds_per_accepted": wall / n_accepted,
        "concurrency": manifest.get("concurrency", 1),
    }

"""Personas + attempts + manifest -> the metrics of a run (validity, rules, quotas, diversity, cost)."""

from __future__ import annotations

import math
import random
import re
from collections import Counter

from ..dedup.text import compared_fields, narrative_text

_WORD = re.compile(r"\w+", re.UNICODE)


def distinct(texts: list[str], n: int) -> tuple[float, float]:
    """(corpus-level distinct-n, the original's mean per-record distinct-n)."""
    grams_all, per = [], []
    for t in texts:
        toks = _WORD.findall(t.lower())
        grams = [tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)]
        grams_all += grams
        if grams:
            per.append(len(set(grams)) / len(grams))
    corpus = len(set(grams_all)) / len(grams_all) if grams_all else 0.0
    return corpus, (sum(per) / len(per) if per else 0.0)


def self_bleu(texts: list[str], sample: int = 100, seed: int = 0) -> float | None:
    """Mean BLEU of each sampled text against all others (sacrebleu); lower = more diverse."""
    try:
        from sacrebleu.metrics import BLEU
    except ImportError:
        return None
    if len(texts) < 2:
        return None
    bleu = BLEU(effective_order=True)
    idx = random.Random(seed).sample(range(len(texts)), min(sample, len(texts)))
    scores = [bleu.sentence_score(texts[i], texts[:i] + texts[i + 1 :]).score for i in idx]
    return sum(scores) / len(scores)


def near_duplicates(personas: list[dict], stratum, fields: tuple[str, ...]) -> dict:
    """Near-duplicate clusters (dedup/clusters.py: one pass, no pairs) and the embedding diversity
    (mean pairwise cosine distance, from the vector sum: no N x N matrix)."""
    from ..dedup.clusters import Lexical, Semantic, summary
    from ..dedup.text import narrative_text

    lexical = Lexical()
    texts = [(p["id"], stratum(p), narrative_text(p, fields)) for p in personas]
    for pid, key, text in texts:
        lexical.add(pid, key, text)
    out = {k: v for k, v in summary(list(lexical.clusters.values())).items() if k.startswith("lexical")}
    try:
        sem = Semantic(0.95)
        for pid, key, text in texts:
            sem.add(pid, key, text)
        sem.flush()
        out |= {k: v for k, v in summary(list(sem.clusters.values())).items() if k.startswith("semantic")}
        if (d := sem.diversity()) is not None:
            out["embedding_diversity"] = d
    except Exception as e:  # the population extra is optional: say why it is missing
        out["semantic_clusters"] = out["semantic_duplicates"] = None
        out["semantic_note"] = str(e)
    return out


def kl(realised: dict, planned: dict) -> float:
    """KL(realised || planned) over cells, in nats (0 = exact)."""
    R, P = sum(realised.values()), sum(planned.values())
    if not R or not P:
        return 0.0
    return sum((r / R) * math.log((r / R) / (planned[c] / P)) for c, r in realised.items() if r and planned.get(c))


def rule_rates(validations: list[dict]) -> dict[str, float]:
    """rule ref -> share of validations in which it fired (errors and warnings)."""
    fired = Counter()
    for v in validations:
        for ref in {x["ref"] + " " + x["rule"] for x in v["violations"]}:
            fired[ref] += 1
    return {k: fired[k] / len(validations) for k in sorted(fired)} if validations else {}


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


def compute(personas: list[dict], attempts, manifest: dict, validator) -> dict:
    """`attempts`: the run's attempt records (any iterable; read once) or their AttemptStats."""
    from pydantic import ValidationError
    from ..schema.models import persona_model

    Persona = persona_model(validator.theory.schema)  # the run's theory's format, not k12's
    schema_ok = 0
    for p in personas:
        try:
            Persona.model_validate(p)
            schema_ok += 1
        except ValidationError:
            pass
    results = list(validator.validate_objects(personas))
    stats = attempts if isinstance(attempts, AttemptStats) else AttemptStats.of(attempts)
    cells = manifest.get("cells", {})
    schema = validator.theory.schema
    fields = compared_fields(schema)
    texts = [narrative_text(p, fields) for p in personas]
    d1, d1r = distinct(texts, 1)
    d2, d2r = distinct(texts, 2)
    counts = manifest.get("counts", {})
    n_acc = max(1, len(personas))
    return {
        "personas": len(personas),
        "schema_valid": schema_ok / n_acc,
        "theory_valid": sum(r.valid for r in results) / n_acc,
        "first_pass_valid": stats.first_valid / max(1, stats.first),
        "rule_rates_first_pass": stats.rule_rates(),
        "rule_rates_accepted": rule_rates([r.to_dict() for r in results]),
        "quota": {
            "cells": cells,
            "exact_cells": sum(c["planned"] == c["realised"] for c in cells.values()),
            "kl": kl({k: c["realised"] for k, c in cells.items()}, {k: c["planned"] for k, c in cells.items()}),
            "shortfall": sum(c["shortfall"] for c in cells.values()),
        },
        "distinct_1": d1,
        "distinct_2": d2,
        "distinct_1_per_record": d1r,
        "distinct_2_per_record": d2r,
        "self_bleu": self_bleu(texts),
        **near_duplicates(personas, schema.slot.key if schema.slot else (lambda p: ""), fields),
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

"""N personas (a share of them invalid through one realistic mutation each) -> a JSONL file.

Valid bases are drawn from solver models of the theory (hachimi.solve.sample), then varied in
their prose; invalid ones get one of the mutations below. Usage:
    python benchmarks/make_personas.py OUT.jsonl --n 20000 --invalid 0.5 --bases 400 --seed 1
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
from pathlib import Path

from hachimi.plugins.k12 import enums as E
from hachimi.solve.sample import Sampler
from hachimi.plugins.k12.personas import persona
from hachimi.theory.locate import locate
from hachimi.theory.pack import load


def _set(p: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for k in parents:
        p = p[k]
    p[last] = value


MUTATIONS = [
    lambda p, r: _set(
        p,
        "enrollment.age",
        r.choice(
            [
                a
                for a in range(E.AGE_MIN, E.AGE_MAX + 1)
                if not p["enrollment"]["grade"] + 4 <= a <= p["enrollment"]["grade"] + 7
            ]
        ),
    ),
    lambda p, r: _set(p, "enrollment.stages.piaget", r.choice(E.PIAGET)),
    lambda p, r: _set(p, "enrollment.stages.kohlberg", "postconventional"),
    lambda p, r: p["academic"]["weak_subjects"].append(p["academic"]["strong_subjects"][0]),
    lambda p, r: _set(p, "academic.weak_subjects", []),
    lambda p, r: _set(p, "creativity.levels", {d: "medium" for d in E.CREATIVITY_DIMENSIONS}),
    lambda p, r: (
        _set(p, "creativity.levels.feasibility", "low") or _set(p, "creativity.levels.solution_generation", "high")
    ),
    lambda p, r: _set(p, "enrollment.agent_name", "Student" + str(r.randint(1, 99))),
    lambda p, r: _set(
        p, "mental_health.narrative", p["mental_health"]["narrative"] + " She was hospitalized last spring."
    ),
    lambda p, r: (
        _set(p, "values.levels.physical_mental_health", "high") or _set(p, "mental_health.overall_state", "low")
    ),
    lambda p, r: _set(p, "social.relationships", p["social"]["relationships"] + "\n\n1. a second paragraph"),
    lambda p, r: _set(p, "academic.level", r.choice(["excellent", "average", "top"])),
    lambda p, r: _set(p, "mental_health.depression_risk", "low") or _set(p, "mental_health.anxiety_risk", "low"),
    lambda p, r: _set(p, "enrollment.gender", "male" if p["enrollment"]["gender"] == "female" else "female"),
    lambda p, r: p["values"].pop("narrative"),
]


def make(theory_dir: str, n: int, invalid: float, bases: int, seed: int) -> list[dict]:
    theory = load(locate(theory_dir))
    sampler, rng = Sampler(theory), random.Random(seed)
    pool = []
    for i in range(bases):
        slot = {
            "grade": rng.randint(1, 12),
            "gender": rng.choice(E.GENDERS),
            "academic_level": rng.choice(E.ACADEMIC_LEVELS),
        }
        values = sampler.sample(seed * 1_000_003 + i, slot)
        if values:
            pool.append(values)
    out = []
    for k in range(n):
        p = persona(rng.choice(pool), rng.randrange(10**9), pid=f"bench-{k:07d}")
        if rng.random() < invalid:
            p = copy.deepcopy(p)
            rng.choice(MUTATIONS)(p, rng)
        out.append(p)
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--invalid", type=float, default=0.5)
    ap.add_argument("--bases", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--theory", default="k12")
    a = ap.parse_args(argv)
    rows = make(a.theory, a.n, a.invalid, a.bases, a.seed)
    with open(a.out, "w", encoding="utf-8") as fh:
        for p in rows:
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} personas to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

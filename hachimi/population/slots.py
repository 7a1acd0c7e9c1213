"""Allocation (or n and a seed) -> the ordered list of planned slots: ids, slot fields, the field
restrictions of their strata. Cells are interleaved so that any prefix of a run is balanced."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..schema import enums as E
from ..generate.seeds import derive
from .plan import Plan


@dataclass
class PlannedSlot:
    id: str
    index: int
    cell: str  # cell label, e.g. grade=8,gender=female,...
    slot: dict
    restricts: list[dict] = field(default_factory=lambda: [{}])


def _bias(seed: int, i: int, k: int, pool: list[str] | None = None) -> list[str]:
    """k subjects drawn for slot i, from `pool` (those the slot's grade offers) or all subjects."""
    rng = random.Random(derive(seed, "bias", i))
    pool = list(pool) if pool is not None else list(E.SUBJECTS)
    return sorted(rng.sample(pool, min(k, len(pool))), key=E.SUBJECTS.index)


def make_id(slot: dict, i: int) -> str:
    return f"g{slot['grade']:02d}-{slot['gender']}-{slot['academic_level']}-{i:06d}"


def from_plan(
    plan: Plan,
    counts: dict[tuple, int],
    seed: int,
    alternatives: dict[tuple, list[dict]],
    subjects: dict[int, list[str]] | None = None,
) -> list[PlannedSlot]:
    """`subjects`: grade -> the subjects a slot of that grade may lean to (Feasibility.subjects)."""
    cells = [c for c in counts if counts[c] > 0]
    out, i = [], 0
    for r in range(max(counts.values(), default=0)):
        for c in cells:
            if r < counts[c]:
                cell_slot = plan.cell_slot(c)
                pool = (subjects or {}).get(cell_slot.get("grade"))
                slot = dict(cell_slot, subject_bias=_bias(seed, i, plan.subject_bias, pool))
                out.append(PlannedSlot(make_id(slot, i), i, plan.cell_label(c), slot, alternatives.get(c, [{}])))
                i += 1
    return out


def uniform(n: int, seed: int) -> list[PlannedSlot]:
    """Without a plan: grade, gender and level drawn uniformly per slot from the seed."""
    out = []
    for i in range(n):
        rng = random.Random(derive(seed, "slot", i))
        slot = {
            "grade": rng.randint(1, 12),
            "gender": rng.choice(E.GENDERS),
            "academic_level": rng.choice(E.ACADEMIC_LEVELS),
        }
        slot["subject_bias"] = _bias(seed, i, rng.choice((0, 1, 2)))
        out.append(
            PlannedSlot(make_id(slot, i), i, ",".join(f"{k}={v}" for k, v in slot.items() if k != "subject_bias"), slot)
        )
    return out

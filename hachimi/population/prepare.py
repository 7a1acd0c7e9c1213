"""A run's slots, one way for every caller (generate, report, benchmarks): with a plan, its exact
allocation over the cells the theory allows (impossible cells get none) and each slot's bias drawn
from what the theory allows the slot; without one, n slots drawn uniformly from the seed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .feasibility import Feasibility
from .plan import Plan
from .slots import Slots


@dataclass
class Prepared:
    slots: Slots  # made on demand (population/slots.py)
    plan: Plan | None = None
    counts: dict[tuple, int] = field(default_factory=dict)
    feasibility: Feasibility | None = None


def prepare(plan_path: str | Path, n: int, seed: int, theory) -> tuple[Plan, dict, Feasibility]:
    """(plan, counts, feasibility): the plan checked against the theory, its cells proved feasible or
    not, n allocated exactly over the feasible ones."""
    from .allocate import allocate
    from .feasibility import check
    from .plan import load

    plan = load(plan_path, theory.schema)
    feas = check(plan, theory)
    counts = allocate(plan, n, seed, impossible=set(feas.impossible))
    return plan, counts, feas


def planned_slots(theory, n: int, seed: int, plan_path: str | Path | None = None) -> Prepared:
    """The ordered slots of a run (with its plan, counts and feasibility when there is a plan)."""
    from .slots import from_plan, uniform

    if plan_path is None:
        return Prepared(uniform(n, seed, theory.schema))
    plan, counts, feas = prepare(plan_path, n, seed, theory)
    slots = from_plan(plan, counts, seed, feas.alternatives, theory.schema, feas.pools)
    return Prepared(slots, plan, counts, feas)

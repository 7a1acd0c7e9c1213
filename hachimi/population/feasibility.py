"""Plan + theory -> which cells (and stratum alternatives) admit a valid persona; for each that
does not, the minimal set of rules that blocks it (cores over rule guards). Runs before any model."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..theory.pack import Theory
from ..schema.spec import CELL
from .plan import Plan
from .slots import bias_key


@dataclass
class Feasibility:
    impossible: dict[tuple, list[str]] = field(default_factory=dict)  # cell -> blocking rules
    alternatives: dict[tuple, list[dict]] = field(default_factory=dict)  # cell -> feasible restrictions
    pools: dict[tuple, list] = field(default_factory=dict)  # bias key -> values a slot's bias is drawn from
    checked: int = 0


def restrictions(plan: Plan, cell: tuple) -> list[dict]:
    """The field restrictions a cell's strata impose, one dict per alternative (product of strata)."""
    out = [{}]
    for var, value in zip(plan.variables, cell):
        if var in plan.strata:
            out = [dict(r, **alt) for r in out for alt in plan.strata[var][value]]
    return out


def _atom(path: str, value, by_path: dict) -> str:
    spec = by_path[path]
    return f"{spec.pred}({','.join(['0', *spec.extra, str(value)])})"


def _atoms(slot: dict, restrict: dict, by_path: dict) -> list[tuple[str, bool]]:
    """The slot's values (true) and the values its strata exclude (false), as ground atoms."""
    atoms = [(_atom(f"slot.{k}", v, by_path), True) for k, v in slot.items() if not isinstance(v, list) and k != CELL]
    for path, allowed in restrict.items():
        atoms += [(_atom(path, v, by_path), False) for v in by_path[path].domain if v not in allowed]
    return atoms


def bias_pool(sampler, schema, slot: dict) -> list:
    """The values a valid persona of this slot (its `by` variables) can hold in the field the bias
    draws from ([slot] bias of schema.toml; in k12 a grade-2 student has no physics among strong
    subjects under the curriculum rule): what a slot's bias is drawn from."""
    spec = schema.slot
    lits = [(f.value, lit) for f, lit in sampler.values if f.field == spec.bias_draws]
    base = sampler.slot_assumptions({v: slot[v] for v in spec.bias_by if v in slot})
    return [s for s, lit in lits if sampler.satisfiable(base + [lit])]


def check(plan: Plan, theory: Theory) -> Feasibility:
    from ..solve.sample import Sampler
    from ..authoring.consistency import Checker

    sampler, checker, out = Sampler(theory), None, Feasibility()
    for cell, w in plan.weights.items():
        if w == 0:
            continue
        slot = plan.cell_slot(cell)
        ok = []
        for restrict in restrictions(plan, cell):
            out.checked += 1
            if sampler.feasible(slot, restrict):
                ok.append(restrict)
        if ok:
            out.alternatives[cell] = ok
            spec = theory.schema.slot
            if spec.bias and all(v in slot for v in spec.bias_by):
                key = bias_key(theory.schema, slot)
                if key not in out.pools:
                    out.pools[key] = bias_pool(sampler, theory.schema, slot)
        else:
            checker = checker or Checker(theory)
            # a complete persona (nothing missing or invalid, clean prose): the cores name real conflicts
            atoms = _atoms(slot, restrictions(plan, cell)[0], theory.schema.by_path) + sampler.clean_atoms()
            rules = checker.blocking(atoms) or ["(no single rule set)"]
            out.impossible[cell] = rules
    return out

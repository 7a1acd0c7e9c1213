"""Allocation (or n and a seed) -> the ordered list of planned slots: ids, slot variables, the slot's
bias, the field restrictions of their strata. Cells are interleaved so that any prefix of a run is
balanced. What a slot holds is the theory's [slot] table (schema.toml)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..seeds import derive
from ..schema.spec import CELL
from .plan import Plan


@dataclass
class PlannedSlot:
    id: str
    index: int
    cell: str  # cell label, e.g. grade=8,gender=female,...
    slot: dict
    restricts: list[dict] = field(default_factory=lambda: [{}])


def _bias(seed: int, i: int, k: int, pool: list, order: tuple) -> list:
    """k values drawn for slot i from `pool` (those the theory allows the slot), in scale order."""
    rng = random.Random(derive(seed, "bias", i))
    return sorted(rng.sample(list(pool), min(k, len(pool))), key=order.index)


def bias_key(schema, slot: dict) -> tuple:
    """The slot variables the bias pool depends on ([slot] bias `by`), as a key."""
    return tuple(slot.get(v) for v in schema.slot.bias_by)


def from_plan(
    plan: Plan,
    counts: dict[tuple, int],
    seed: int,
    alternatives: dict[tuple, list[dict]],
    schema,
    pools: dict[tuple, list] | None = None,
) -> list[PlannedSlot]:
    """`pools`: bias_key -> the values a slot may lean to (Feasibility.pools); all values without."""
    spec = schema.slot
    order = tuple(schema.slot_domain(spec.bias)) if spec.bias else ()
    cells = [c for c in counts if counts[c] > 0]
    out, i = [], 0
    for r in range(max(counts.values(), default=0)):
        for c in cells:
            if r < counts[c]:
                slot = _complete(plan.cell_slot(c), schema, seed, i)
                if spec.bias:
                    pool = (pools or {}).get(bias_key(schema, slot), order)
                    slot[spec.bias] = _bias(seed, i, plan.bias, pool, order)
                if spec.cell:
                    slot[CELL] = plan.cell_label(c)
                out.append(PlannedSlot(spec.make_id(slot, i), i, plan.cell_label(c), slot, alternatives.get(c, [{}])))
                i += 1
    return out


def _draw(schema, variable: str, rng: random.Random):
    """A value of a slot variable, uniformly: an integer from its range, a value from its scale."""
    domain = schema.slot_domain(variable)
    kind = schema.by_path[schema.slot.field(variable)].kind
    return rng.randint(min(domain), max(domain)) if kind == "int" else rng.choice(list(domain))


def _complete(slot: dict, schema, seed: int, i: int) -> dict:
    """A plan's cell with every slot variable: one the plan does not stratify on is drawn uniformly
    for each slot from the seed (a persona is always generated for a whole slot)."""
    for v in schema.slot.variables:
        if v not in slot:
            slot[v] = _draw(schema, v, random.Random(derive(seed, "slot", v, i)))
    return {v: slot[v] for v in schema.slot.variables}


def uniform(n: int, seed: int, schema) -> list[PlannedSlot]:
    """Without a plan: each slot variable drawn uniformly per slot from the seed (an integer from its
    range, a value from its scale), and a bias of 0 to its items bound."""
    spec = schema.slot
    if spec is None:
        raise ValueError(f"{schema.source} has no [slot]: a run needs a plan or a theory with a [slot] table")
    order = tuple(schema.slot_domain(spec.bias)) if spec.bias else ()
    items = schema.by_path[spec.field(spec.bias)].items if spec.bias else None
    sizes = tuple(range(0, (items[1] if items else len(order)) + 1))
    out = []
    for i in range(n):
        rng = random.Random(derive(seed, "slot", i))
        slot = {}
        for v in spec.variables:
            slot[v] = _draw(schema, v, rng)
        if spec.bias:
            slot[spec.bias] = _bias(seed, i, rng.choice(sizes), order, order)
        if spec.cell:
            slot[CELL] = spec.label(slot)
        out.append(PlannedSlot(spec.make_id(slot, i), i, spec.label(slot), slot))
    return out

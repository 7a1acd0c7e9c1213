"""Allocation (or n and a seed) -> the ordered planned slots: ids, slot variables, the slot's bias,
the field restrictions of their strata. Cells are interleaved so that any prefix of a run is
balanced. What a slot holds is the theory's [slot] table (schema.toml).

Every slot is a pure function of (plan, counts, seed, index), so the run's slots are a sequence made
on demand (Slots): a million-slot run keeps two bytes per slot (its cell), not a list of objects
(~730 bytes a slot, 73 MB and half a minute to build at 100k)."""

from __future__ import annotations

import random
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

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


class Slots(Sequence):
    """The planned slots in run order, each made when asked (`make(index, cell)`); the cell of each
    is kept (an index into `labels`), so counting cells and finding a cell need no slot made."""

    def __init__(self, make: Callable[[int, int], PlannedSlot], cells: array, labels: list[str]):
        self._make, self._cells, self.labels = make, cells, labels

    @classmethod
    def of(cls, slots) -> "Slots":
        """Slots already made (a list: tests, benchmarks), behind the same interface."""
        if isinstance(slots, Slots):
            return slots
        items = list(slots)
        labels = list(dict.fromkeys(ps.cell for ps in items))
        code = {c: j for j, c in enumerate(labels)}
        cells = _codes(len(labels))
        cells.extend(code[ps.cell] for ps in items)
        return cls(lambda i, _j: items[i], cells, labels)

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"slot {i} of {len(self)}")
        return self._make(i, self._cells[i])

    def cell_counts(self) -> Counter:
        """Planned slots per cell label."""
        n = Counter(self._cells)
        return Counter({self.labels[c]: k for c, k in n.items()})

    def cells_of(self, ids) -> dict[str, str]:
        """id -> cell for the given ids: slots are made in order until every id is found (a resume
        finds its accepted ids among the slots up to where it stopped)."""
        want, out = set(ids), {}
        for i in range(len(self)):
            if not want:
                break
            ps = self[i]
            if ps.id in want:
                want.discard(ps.id)
                out[ps.id] = ps.cell
        return out


def _codes(n: int) -> array:
    """An array for n cell codes (two bytes each while there are fewer than 65,536 cells)."""
    return array("H" if n < 1 << 16 else "I")


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
    labels = [plan.cell_label(c) for c in cells]
    codes = _codes(len(cells))
    for r in range(max(counts.values(), default=0)):
        codes.extend(j for j, c in enumerate(cells) if r < counts[c])

    def make(i: int, j: int) -> PlannedSlot:
        c = cells[j]
        slot = _complete(plan.cell_slot(c), schema, seed, i)
        if spec.bias:
            pool = (pools or {}).get(bias_key(schema, slot), order)
            slot[spec.bias] = _bias(seed, i, plan.bias, pool, order)
        if spec.cell:
            slot[CELL] = labels[j]
        return PlannedSlot(spec.make_id(slot, i), i, labels[j], slot, alternatives.get(c, [{}]))

    return Slots(make, codes, labels)


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


def uniform(n: int, seed: int, schema) -> Slots:
    """Without a plan: each slot variable drawn uniformly per slot from the seed (an integer from its
    range, a value from its scale), and a bias of 0 to its items bound. The cells are known only by
    drawing the slots: one pass here keeps each slot's cell, not the slot."""
    spec = schema.slot
    if spec is None:
        raise ValueError(f"{schema.source} has no [slot]: a run needs a plan or a theory with a [slot] table")
    order = tuple(schema.slot_domain(spec.bias)) if spec.bias else ()
    items = schema.by_path[spec.field(spec.bias)].items if spec.bias else None
    sizes = tuple(range(0, (items[1] if items else len(order)) + 1))

    def make(i: int, _cell: int = 0) -> PlannedSlot:
        rng = random.Random(derive(seed, "slot", i))
        slot = {}
        for v in spec.variables:
            slot[v] = _draw(schema, v, rng)
        if spec.bias:
            slot[spec.bias] = _bias(seed, i, rng.choice(sizes), order, order)
        if spec.cell:
            slot[CELL] = spec.label(slot)
        return PlannedSlot(spec.make_id(slot, i), i, spec.label(slot), slot)

    labels: list[str] = []
    code: dict[str, int] = {}
    cells = _codes(1 << 16)  # the number of cells is not known before the pass
    for i in range(n):
        cell = make(i).cell
        if cell not in code:
            code[cell] = len(labels)
            labels.append(cell)
        cells.append(code[cell])
    return Slots(make, cells, labels)

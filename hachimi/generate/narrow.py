"""Theory + slot + seed -> a box: for each structured field a set of allowed values such that EVERY
combination inside the box satisfies every error rule (proved by clingo: no violating assignment
exists in the box). Grown greedily, in seeded random order, around a solver-drawn valid point.

The grammars built from the box make the structured fields valid by construction; the model still
chooses among the allowed values."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..facts.domain import domain
from ..facts.table import BY_PATH
from ..solve.sample import SIZES, Sampler
from ..theory.pack import Theory

MAX_SET_CHOICES = 6     # subjects a set field may draw from (keeps the combination grammar small)


@dataclass
class Box:
    allowed: dict[str, list] = field(default_factory=dict)   # path -> allowed values (domain order)
    point: dict[str, Any] = field(default_factory=dict)      # the valid point it was grown from
    checks: int = 0                                          # solver calls spent


class Narrower:
    def __init__(self, theory: Theory):
        from ..solve.program import completion_program, control, literal_map
        self.theory = theory
        self.sampler = Sampler(theory)
        dom = domain(theory.text)
        errors = "".join(f'error_rule("{r.id}").\n' for r in theory.rules.values() if r.severity == "error")
        self.ctl = control(theory, completion_program(dom) + errors + SIZES +
                           "bad :- violation(0,R,_), error_rule(R).\n:- not bad.\n")
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.values: dict[str, list[tuple[Any, int]]] = {}
        for f, _ in self.sampler.values:
            if not f.field.startswith("slot."):
                self.values.setdefault(f.field, []).append((f.value, self.lits[f.atom(0)]))
        self.clean = [self.lits[a] if yes else -self.lits[a] for a, yes in self.sampler.clean_atoms() if a in self.lits]
        self.slot_lits = {(f.field, f.value): self.lits[f.atom(0)] for f, _ in self.sampler.values
                          if f.field.startswith("slot.")}

    def _violable(self, box: dict[str, list], fixed: list[int]) -> bool:
        """True if some assignment inside the box violates an error rule."""
        out = list(fixed)
        for path, vals in self.values.items():
            allowed = set(map(str, box[path]))
            out += [-lit for v, lit in vals if str(v) not in allowed]
        return self.ctl.solve(assumptions=out).satisfiable

    def box(self, slot: dict[str, Any], seed: int, restrict: dict[str, list] | None = None) -> Box | None:
        """The box for one slot attempt (values outside `restrict` never enter it); None if the
        theory allows no persona for this slot."""
        point = self.sampler.sample(seed, slot, restrict)
        if point is None:
            return None
        rng = random.Random(seed ^ 0x5EED)
        fixed = list(self.clean)
        for k, v in slot.items():
            for x in (v if isinstance(v, list) else [v]):
                fixed.append(self.slot_lits[(f"slot.{k}", x)])
        if "subject_bias" not in slot:
            fixed += [-lit for (path, _), lit in self.slot_lits.items() if path == "slot.subject_bias"]
        box = {p: (list(point.get(p, [])) if BY_PATH[p].kind == "set" else [point[p]]) for p in self.values}
        out = Box(point=point)
        order = list(self.values)
        rng.shuffle(order)
        for path in order:
            candidates = [v for v, _ in self.values[path] if v not in box[path]
                          and (restrict is None or path not in restrict or v in restrict[path])]
            rng.shuffle(candidates)
            for v in candidates:
                if BY_PATH[path].kind == "set" and len(box[path]) >= MAX_SET_CHOICES:
                    break
                box[path].append(v)
                out.checks += 1
                if self._violable(box, fixed):
                    box[path].pop()
        for path, vals in box.items():
            order_ = [v for v, _ in self.values[path]]
            out.allowed[path] = sorted(vals, key=order_.index)
        return out

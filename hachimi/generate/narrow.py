"""Theory + slot + seed -> a box: for each structured field a set of allowed values such that EVERY
combination inside the box satisfies every error rule (proved by clingo: no violating assignment
exists in the box). Grown greedily, in seeded random order, around a solver-drawn valid point.

Every decision is a SAT/UNSAT answer (or follows from one), so a box is a pure function of
(theory, slot, seed, restrict): a narrower that served other slots before gives the same box as a
fresh one. The grammars built from the box make the structured fields valid by construction; the
model still chooses among the allowed values."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..schema.spec import CELL
from ..solve.sample import Sampler
from ..theory.pack import Theory

MAX_SET_CHOICES = 6  # subjects a set field may draw from (keeps the combination grammar small)


@dataclass
class Box:
    allowed: dict[str, list] = field(default_factory=dict)  # path -> allowed values (domain order)
    point: dict[str, Any] = field(default_factory=dict)  # the valid point it was grown from
    checks: int = 0  # violability checks spent growing it


class Narrower:
    def __init__(self, theory: Theory):
        self.theory = theory
        self.sampler = Sampler(theory)  # one ground program answers both kinds of question
        self.values: dict[str, list[tuple[Any, int]]] = {}
        for f, lit in self.sampler.values:
            if not f.field.startswith("slot."):
                self.values.setdefault(f.field, []).append((f.value, lit))
        self.rank = {path: {v: i for i, (v, _) in enumerate(vals)} for path, vals in self.values.items()}
        self.slot_lits = {(f.field, f.value): lit for f, lit in self.sampler.values if f.field.startswith("slot.")}

    def _violable(self, excluded: dict[str, list[int]], fixed: list[int], on_model=None) -> bool:
        """True if some assignment inside the box (every value not excluded) violates an error rule."""
        out = list(fixed)
        for lits in excluded.values():
            out += lits
        return self.sampler.satisfiable(out, narrow=True, on_model=on_model)

    def box(self, slot: dict[str, Any], seed: int, restrict: dict[str, list] | None = None) -> Box | None:
        """The box for one slot attempt (values outside `restrict` never enter it); None if the
        theory allows no persona for this slot."""
        point = self.sampler.sample(seed, slot, restrict)
        if point is None:
            return None
        rng = random.Random(seed ^ 0x5EED)
        fixed = []
        for k, v in slot.items():
            if k == CELL:
                continue
            for x in v if isinstance(v, list) else [v]:
                fixed.append(self.slot_lits[(f"slot.{k}", x)])
        spec = self.theory.schema.slot
        bias = spec.field(spec.bias) if spec and spec.bias and spec.bias not in slot else None
        if bias:  # a slot without its bias: no bias at all
            fixed += [-lit for (path, _), lit in self.slot_lits.items() if path == bias]
        unsafe = self._unsafe_alone(fixed)
        box = {
            p: (list(point.get(p, [])) if self.theory.schema.by_path[p].kind == "set" else [point[p]])
            for p in self.values
        }
        excluded = {p: self._excluded(p, box[p]) for p in self.values}
        out = Box(point=point)
        order = list(self.values)
        rng.shuffle(order)
        if bias and point.get(bias):
            out.checks += 1  # the point was drawn with a bias the slot lacks: is it safe without?
            if self._violable(excluded, fixed):
                order = []  # no: nothing can be added (the one-by-one pass would drop all)
        for path in order:
            candidates = [
                v
                for v, lit in self.values[path]
                if v not in box[path]
                and (restrict is None or path not in restrict or v in restrict[path])
                and self.sampler.possible(lit)  # a value no persona can have (e.g. a list size
                # outside the schema's items bound) is vacuously safe: never offered
            ]
            rng.shuffle(candidates)
            if self.theory.schema.by_path[path].kind == "set":
                self._grow_set(path, candidates, box, excluded, fixed, out)
            else:
                self._grow_scalar(path, candidates, box, excluded, fixed, out, unsafe)
        for path, vals in box.items():
            out.allowed[path] = sorted(vals, key=self.rank[path].__getitem__)
        return out

    def _unsafe_alone(self, fixed: list[int]) -> set[int]:
        """Scalar values that make any box unsafe for this slot: no valid persona has them together
        with one of the slot's values, while the program allows them (each field's values on its
        own), so the box's point with that value is a violating assignment. Known facts about the
        theory (remembered by the sampler), so these candidates need no check."""
        if not self.sampler.separable:
            return set()
        return {x for x in self.sampler.impossible(fixed) if self.sampler.possible(x)}

    def _excluded(self, path: str, allowed: list) -> list[int]:
        keep = set(allowed)
        return [-lit for v, lit in self.values[path] if v not in keep]

    def _grow_set(self, path, candidates, box, excluded, fixed, out: Box) -> None:
        """Members are added in seeded order, each kept if the box stays safe, until the set has
        MAX_SET_CHOICES (members combine, so the order matters). Asked a run at a time: if the box
        with the next run is safe, the one-by-one pass would keep all of it; if not, bisection finds
        the first member it would drop (a longer run is never safer)."""

        def safe(members: list) -> bool:
            excluded[path] = self._excluded(path, box[path] + members)
            out.checks += 1
            return not self._violable(excluded, fixed)

        rest = list(candidates)
        while rest and len(box[path]) < MAX_SET_CHOICES:
            run = rest[: MAX_SET_CHOICES - len(box[path])]
            if safe(run):
                box[path] += run
                rest = rest[len(run) :]
                continue
            lo, hi = 0, len(run) - 1  # box + run[:lo] is safe, box + run[:hi+1] is not
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if safe(run[:mid]):
                    lo = mid
                else:
                    hi = mid - 1
            box[path] += run[:lo]  # run[lo] is the member the one-by-one pass drops
            rest = rest[lo + 1 :]
        excluded[path] = self._excluded(path, box[path])

    def _grow_scalar(self, path, candidates, box, excluded, fixed, out: Box, unsafe: set[int]) -> None:
        """A scalar takes one value at a time, so adding candidates S keeps the box safe iff each
        candidate alone does: the result is {v in S : box + v is safe}, whatever the order. Ask for
        all of S at once; a violating assignment names a candidate that is unsafe on its own (the
        box without S is safe), which is dropped, until the rest is safe. The answer and the
        number of checks (unsafe candidates + 1) do not depend on which witness the solver finds."""
        lits = {lit: v for v, lit in self.values[path]}
        known = {v for v, lit in self.values[path] if lit in unsafe}
        rest = [v for v in candidates if v not in known]
        while rest:
            excluded[path] = self._excluded(path, box[path] + rest)
            seen: list = []
            out.checks += 1
            if not self._violable(
                excluded,
                fixed,
                lambda m: seen.extend(  # noqa: B023 (called at once)
                    lits[x] for x in lits if lits[x] in rest and m.is_true(x)
                ),
            ):
                box[path] += rest
                break
            if not seen:  # the box without `rest` is safe, so the witness uses one of it
                raise RuntimeError(f"internal: unsafe box before adding {path} candidates")
            rest.remove(seen[0])
        excluded[path] = self._excluded(path, box[path])

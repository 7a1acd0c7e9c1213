"""Theory + slot -> random structured field values that satisfy every error rule (clingo models
drawn with a seeded random heuristic). Text-derived facts are fixed to their clean state."""

from __future__ import annotations

import random
from typing import Any

from ..facts.domain import domain
from ..facts.table import BY_PATH
from ..theory.pack import Theory

# Plausible list sizes (the strict schema's limits): 1-3 strong, 1-3 weak, 2-4 traits, 0-2 biases.
SIZES = """
:- #count { S : strong(0,S) } > 3.
:- #count { S : weak(0,S) } > 3.
:- #count { S : strong(0,S) } = 0.
:- #count { S : weak(0,S) } = 0.
:- #count { S : slot_bias(0,S) } > 2.
:- traits(0,N), N > 4.
has_slot :- slot_grade(0,_).
has_slot :- slot_gender(0,_).
has_slot :- slot_level(0,_).
:- has_slot, not slot_grade(0,_).
:- has_slot, not slot_gender(0,_).
:- has_slot, not slot_level(0,_).
"""


class Sampler:
    def __init__(self, theory: Theory):
        from ..solve.program import completion_program, control, literal_map
        self.theory = theory
        self.dom = domain(theory.text)
        errors = "".join(f'error_rule("{r.id}").\n' for r in theory.rules.values() if r.severity == "error")
        self.ctl = control(theory, completion_program(self.dom) + errors +
                           ":- violation(0,R,_), error_rule(R).\n" + SIZES, ["--rand-freq=1", "--sign-def=rnd"])
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.values = [(f, self.lits[f.atom(0)]) for f in self.dom.all_facts()
                       if f.atom(0) in self.lits and f.field in BY_PATH and BY_PATH[f.field].structured
                       and f.pred == BY_PATH[f.field].pred]
        self.clean = self._clean_flags()
        self.field_of = {lit: f.field for f, lit in self.values}
        self.by_field: dict[str, list] = {}
        for f, lit in self.values:
            self.by_field.setdefault(f.field, []).append((f, lit))
        self.slot_lit = {(f.field, f.value): lit for f, lit in self.values if f.field.startswith("slot.")}

    def clean_atoms(self) -> list[tuple[str, bool]]:
        """(atom, truth) for a persona with nothing missing, invalid or duplicated, clean prose,
        a well-formed agent name and every dimension mentioned."""
        out = []
        for f in self.dom.flags:
            if f.field in BY_PATH and f.pred == BY_PATH[f.field].pred:
                continue        # a value of a structured field (e.g. set membership): the solver's choice
            out.append((f.atom(0), f.pred == "matches"))
        for _, alts in self.dom.scalars.values():
            out += [(a.atom(0), False) for a in alts
                    if a.pred in ("missing", "invalid_value") and not a.field.startswith("slot.")]
        return out

    def _clean_flags(self) -> list[int]:
        return [self.lits[a] if yes else -self.lits[a] for a, yes in self.clean_atoms() if a in self.lits]

    def restriction(self, restrict: dict[str, list] | None) -> list[int]:
        """Assumptions excluding every value outside `restrict` (field path -> allowed values)."""
        out = []
        for path, allowed in (restrict or {}).items():
            out += [-lit for f, lit in self.by_field.get(path, []) if f.value not in allowed]
        return out

    def sample(self, seed: int, slot: dict[str, Any] | None = None,
               restrict: dict[str, list] | None = None) -> dict[str, Any] | None:
        """One assignment of structured fields (path -> value; sets as lists), or None if the slot is
        impossible. Depends only on (seed, slot): every choice ends up fixed by an assumption, so the
        solver's learned state from earlier calls cannot change the answer."""
        rng = random.Random(seed)
        banned = self.restriction(restrict)
        fixed = list(self.clean) + self._slot_assumptions(slot) + banned
        skip = {f"slot.{k}" for k in (slot or {})} | ({"slot.subject_bias"} if slot is None else set())
        proposal = self._proposal(rng, skip, {-x for x in banned})
        dropped: list[int] = []
        while True:
            sat, core = self._check(fixed + proposal)
            if sat:
                break
            blame = [x for x in proposal if x in core]
            if not blame:
                return None   # the slot itself is impossible under the theory
            x = rng.choice(blame)
            proposal.remove(x)
            dropped.append(x)
        for x in dropped:      # re-decide each dropped choice, in a seeded order, by SAT checks only
            for alt in self._alternatives(x, rng):
                if self._check(fixed + proposal + [alt])[0]:
                    proposal.append(alt)
                    break
        found: list = []
        self.ctl.solve(assumptions=fixed + proposal,
                       on_model=lambda m: found.append({str(s) for s in m.symbols(atoms=True)}))
        return self._decode(found[0])

    def _check(self, assumptions: list[int]) -> tuple[bool, set[int]]:
        core: list[int] = []
        res = self.ctl.solve(assumptions=assumptions, on_core=core.extend)
        return res.satisfiable, set(core)

    def _slot_assumptions(self, slot: dict[str, Any] | None) -> list[int]:
        out = []
        if slot is None:       # no slot at all
            return [-lit for f, lit in self.values if f.field.startswith("slot.")]
        for path, value in slot.items():
            for v in (value if isinstance(value, list) else [value]):
                lit = self.slot_lit.get((f"slot.{path}", v))
                if lit is None:
                    raise ValueError(f"slot.{path}={v!r} is not in the field's domain")
                out.append(lit)
        return out

    def _alternatives(self, lit: int, rng: random.Random) -> list[int]:
        """Values to try for the choice a dropped literal made: the field's other values, shuffled
        (scalars), or the flipped then the original membership (sets)."""
        path = self.field_of[abs(lit)]
        if BY_PATH[path].kind == "set":
            return [-lit, lit]
        others = [x for _, x in self.by_field[path] if x != lit]
        rng.shuffle(others)
        return others + [lit]

    def _proposal(self, rng: random.Random, fixed_fields: set[str], banned: set[int] = frozenset()) -> list[int]:
        """A uniformly random value for every scalar field and a small random subset for each set."""
        by_field: dict[str, list] = {}
        for f, lit in self.values:
            if f.field not in fixed_fields and lit not in banned:
                by_field.setdefault(f.field, []).append(lit)
        out = []
        for path, lits in by_field.items():
            if BY_PATH[path].kind == "set":
                k = rng.randint(0 if path.startswith("slot.") else 1, 2)
                chosen = set(rng.sample(lits, k))
                out += [x if x in chosen else -x for x in lits]
            else:
                out.append(rng.choice(lits))
        return out

    def _decode(self, atoms: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f, _ in self.values:
            if f.atom(0) in atoms:
                if BY_PATH[f.field].kind == "set":
                    out.setdefault(f.field, []).append(f.value)
                else:
                    out[f.field] = f.value
        return out

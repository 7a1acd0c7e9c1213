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

    def _clean_flags(self) -> list[int]:
        """Assumptions: nothing missing, invalid or duplicated; prose clean; names and mentions fine."""
        out = []
        for f in self.dom.flags:
            lit = self.lits.get(f.atom(0))
            if lit is None or (f.field in BY_PATH and BY_PATH[f.field].structured and f.pred not in ("missing", "dup")):
                continue
            out.append(lit if f.pred in ("mentions", "matches") else -lit)
        for _, alts in self.dom.scalars.values():
            out += [-self.lits[a.atom(0)] for a in alts if a.pred in ("missing", "invalid_value")
                    and a.atom(0) in self.lits and not a.field.startswith("slot.")]
        return out

    def sample(self, seed: int, slot: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """One assignment of structured fields (path -> value; sets as sorted lists), or None."""
        rng = random.Random(seed)
        self.ctl.configuration.solver.seed = str(rng.randrange(1, 2**31))
        fixed = list(self.clean)
        for path, value in (slot or {}).items():
            for v in (value if isinstance(value, list) else [value]):
                atom = next((f.atom(0) for f, _ in self.values if f.field == f"slot.{path}" and f.value == v), None)
                if atom is None:
                    raise ValueError(f"slot.{path}={v!r} is not in the field's domain")
                fixed.append(self.lits[atom])
        proposal = self._proposal(rng, {f"slot.{k}" for k in (slot or {})})
        while True:
            found: list = []
            core: list[int] = []
            res = self.ctl.solve(assumptions=fixed + proposal, on_core=core.extend,
                                 on_model=lambda m: found.append({str(s) for s in m.symbols(atoms=True)}))
            if res.satisfiable:
                return self._decode(found[0])
            blame = [x for x in proposal if x in set(core)]
            if not blame:
                return None   # the slot itself is impossible under the theory
            proposal.remove(rng.choice(blame))

    def _proposal(self, rng: random.Random, fixed_fields: set[str]) -> list[int]:
        """A uniformly random value for every scalar field and a small random subset for each set."""
        by_field: dict[str, list] = {}
        for f, lit in self.values:
            if f.field not in fixed_fields:
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

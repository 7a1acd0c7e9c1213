"""Theory + slot -> random structured field values that satisfy every error rule. A seeded random
proposal is made consistent by a greedy pass in seeded order that keeps each choice unless it
conflicts with the earlier ones (then the first consistent alternative): every decision is a
SAT/UNSAT answer, never a solver core or model, so the result is a pure function of (theory, seed,
slot, restrict), whatever the solver did before. Text-derived facts are fixed to their clean state
(baked into the ground program, which keeps it small and each solve cheap). Values that no valid
persona has once one slot field is fixed (a grade other than the slot's, an age no age of that
grade allows) are proved once per slot value and remembered: proposals avoid them."""

from __future__ import annotations

import random
from typing import Any

from ..facts.domain import domain
from ..schema.spec import CELL
from ..theory.pack import Theory
from .engine import Dependencies


def size_program(schema) -> str:
    """List lengths within each field's `items` bounds (schema.toml, the one definition the pydantic
    models, grammars and strict schemas also read), and a slot all or nothing: a persona either has
    every slot variable or none. Lower bounds hold where the field's part is always there."""
    lines = []
    for f in schema.fields:
        if f.items is None or f.kind not in ("set", "count"):
            continue
        lo, hi = f.items
        args = ",".join(["0", *f.extra])
        if f.kind == "set":
            count = f"#count {{ V : {f.pred}({args},V) }}"
            lines.append(f":- {count} > {hi}.")
            if lo > 0 and not schema.parts[f.keys[0]].get("optional"):
                lines.append(f":- {count} < {lo}.")
        else:
            lines.append(f":- {f.pred}({args},N), N > {hi}.")
            lines.append(f":- {f.pred}({args},N), N < {lo}.")
    if schema.slot:
        preds = [schema.by_path[schema.slot.field(v)].pred for v in schema.slot.variables]
        lines += [f"has_slot :- {p}(0,_)." for p in preds]
        lines += [f":- has_slot, not {p}(0,_)." for p in preds]
    return "\n".join(lines) + "\n"


# Three questions on one ground program, chosen by assumptions on two externals: is there a
# persona within the assumptions that violates no error rule (sampling: "ok"), some error rule
# (narrowing: "bad"), or either ("any": the values the program's own constraints allow)?
MODES = """
#external want_ok.
#external want_bad.
bad :- violation(0,R,_), error_rule(R).
:- bad, want_ok.
:- not bad, want_bad.
"""


def clean_atoms(dom) -> list[tuple[str, bool]]:
    """(atom, truth) for a persona with nothing missing, invalid or duplicated, clean prose,
    a well-formed agent name and every dimension mentioned."""
    out = []
    for f in dom.flags:
        if f.field in dom.schema.by_path and f.pred == dom.schema.by_path[f.field].pred:
            continue  # a value of a structured field (e.g. set membership): the solver's choice
        out.append((f.atom(0), f.pred == "matches"))
    for _, alts in dom.scalars.values():
        out += [
            (a.atom(0), False)
            for a in alts
            if a.pred in ("missing", "invalid_value") and not a.field.startswith("slot.")
        ]
    return out


def clean_program(dom, p: int = 0) -> str:
    """The completion program with the clean facts fixed: true ones as facts, false ones left out
    of the choice rules (and forbidden, in case a theory derives them). Equivalent to the full
    completion program under the clean assumptions, with far fewer atoms to solve over."""
    fixed = dict(clean_atoms(dom))
    lines = [f"person({p})."]
    for required, alts in dom.scalars.values():
        free = [a.atom(p) for a in alts if a.atom(0) not in fixed]
        lines.append(f"{1 if required else 0} {{ {'; '.join(free)} }} 1.")
    lines.append("{ " + "; ".join(f.atom(p) for f in dom.flags if f.atom(0) not in fixed) + " }.")
    lines += [f"{a}." if yes else f":- {a}." for a, yes in fixed.items()]
    return "\n".join(lines) + "\n"


class Sampler:
    def __init__(self, theory: Theory):
        from ..solve.program import control, literal_map

        self.theory = theory
        self.by_path = theory.schema.by_path
        self.dom = domain(theory.text)
        errors = "".join(f'error_rule("{r.id}").\n' for r in theory.rules.values() if r.severity == "error")
        # Thousands of small solves: a configuration with a cheaper per-solve start (berkmin, not
        # vsids) answers them ~30% faster; answers do not depend on it.
        self.ctl = control(
            theory, clean_program(self.dom) + errors + size_program(theory.schema) + MODES, ["--configuration=frumpy"]
        )
        rules = Dependencies()
        self.ctl.register_observer(rules)
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        ok, bad = self.lits["want_ok"], self.lits["want_bad"]
        for lit in (ok, bad):
            self.ctl.assign_external(lit, None)  # free: every solve assumes both
        self.modes = {"ok": [ok, -bad], "bad": [-ok, bad], "any": [-ok, -bad]}
        self.values = [
            (f, self.lits[f.atom(0)])
            for f in self.dom.all_facts()
            if f.atom(0) in self.lits
            and f.field in self.by_path
            and self.by_path[f.field].structured
            and f.pred == self.by_path[f.field].pred
        ]
        self.field_of = {lit: f.field for f, lit in self.values}
        self.by_field: dict[str, list] = {}
        for f, lit in self.values:
            self.by_field.setdefault(f.field, []).append((f, lit))
        self.slot_lit = {(f.field, f.value): lit for f, lit in self.values if f.field.startswith("slot.")}
        self.solves = 0
        # Values no valid persona can have once one slot field is fixed (e.g. a grade other than the
        # slot's, an age that fits no age of that grade): facts about the theory, proved by SAT
        # checks and remembered per slot value, so proposals avoid them.
        self._key_lits = {lit for (path, _), lit in self.slot_lit.items() if self.by_path[path].kind != "set"}
        self._value_lits = [lit for f, lit in self.values if not f.field.startswith("slot.")]
        self._impossible: dict[int, frozenset[int]] = {}  # slot literal -> values in none
        self._possible: dict[int, bool] = {}  # value literal -> allowed by the program
        self.separable = self._separable(rules, {ok, bad})

    def _separable(self, rules, modes: set[int]) -> bool:
        """True if no integrity constraint ties two persona fields together (other than the ones
        that ask the questions, and slot fields among themselves): then each field's values are
        allowed or not on their own, whatever the other fields hold."""
        field_of = {lit: f.field for f, lit in self.values}
        field_of.update(
            {
                self.lits[a]: f.field
                for f in self.dom.all_facts()
                if (a := f.atom(0)) in self.lits and self.lits[a] not in field_of
            }
        )
        for body in rules.constraints:
            cone = rules.cone(body)
            if cone & modes:
                continue
            fields = {field_of[a] for a in cone if a in field_of}
            if len(fields) > 1 and not all(f.startswith("slot.") for f in fields):
                return False
        return True

    def clean_atoms(self) -> list[tuple[str, bool]]:
        return clean_atoms(self.dom)

    def satisfiable(self, assumptions: list[int], narrow: bool = False, on_model=None, mode: str = "") -> bool:
        """One SAT question: a persona within `assumptions` that violates no error rule (narrow=False)
        or some error rule (narrow=True), or either (mode="any"). The only way this class and the
        Narrower ask the solver."""
        self.solves += 1
        return self.ctl.solve(
            assumptions=self.modes[mode or ("bad" if narrow else "ok")] + assumptions, on_model=on_model
        ).satisfiable

    def possible(self, lit: int) -> bool:
        """True if some persona (valid or not) has this value under the program's own constraints."""
        if lit not in self._possible:
            self._possible[lit] = self.satisfiable([lit], mode="any")
        return self._possible[lit]

    def restriction(self, restrict: dict[str, list] | None) -> list[int]:
        """Assumptions excluding every value outside `restrict` (field path -> allowed values)."""
        out = []
        for path, allowed in (restrict or {}).items():
            out += [-lit for f, lit in self.by_field.get(path, []) if f.value not in allowed]
        return out

    def feasible(self, slot: dict[str, Any] | None = None, restrict: dict[str, list] | None = None) -> bool:
        """True if some persona for the slot (within `restrict`) violates no error rule."""
        return self.satisfiable(self.slot_assumptions(slot) + self.restriction(restrict))

    def sample(
        self, seed: int, slot: dict[str, Any] | None = None, restrict: dict[str, list] | None = None
    ) -> dict[str, Any] | None:
        """One assignment of structured fields (path -> value; sets as lists), or None if the slot is
        impossible. A pure function of (theory, seed, slot, restrict)."""
        rng = random.Random(seed)
        fixed = self.slot_assumptions(slot) + self.restriction(restrict)
        spec = self.theory.schema.slot
        skip = {f"slot.{k}" for k in (slot or {})} | (
            {spec.field(spec.bias)} if slot is None and spec and spec.bias else set()
        )
        banned = {-x for x in fixed} | self.impossible(fixed)
        proposal = self._proposal(rng, skip, banned)
        if self.satisfiable(fixed + proposal):
            return self._decode(set(fixed) | set(proposal))
        if not self.satisfiable(fixed):
            return None  # the slot itself is impossible under the theory
        kept = self._consistent(fixed, proposal, banned, rng)
        return self._decode(set(fixed) | set(kept))

    def impossible(self, assumptions: list[int]) -> set[int]:
        """Values of non-slot fields that no valid persona has together with one of the slot
        values among `assumptions`."""
        out: set[int] = set()
        for key in assumptions:
            if key in self._key_lits:
                out |= self.impossible_under(key)
        return out

    def impossible_under(self, key: int) -> frozenset[int]:
        """Value literals that no valid persona has when the slot literal `key` holds. Each field is
        asked, with the values already seen in models excluded, until no model is left; models are
        drawn with random signs meanwhile, so that each shows many values at once (which models
        the solver finds changes the number of questions, never the answer)."""
        if key in self._impossible:
            return self._impossible[key]
        seen: set[int] = set()

        def harvest(model) -> None:
            seen.update(x for x in self._value_lits if x not in seen and model.is_true(x))

        out: set[int] = set()
        solver = self.ctl.configuration.solver
        solver.sign_def, solver.rand_freq = "rnd", "0.5"
        try:
            if self.satisfiable([key], on_model=harvest):
                for path, pairs in self.by_field.items():
                    if path.startswith("slot."):
                        continue
                    lits = [lit for _, lit in pairs]
                    if self.by_path[path].kind != "set" and self.by_path[path].required:
                        while any(x not in seen for x in lits):
                            if not self.satisfiable([key] + [-x for x in lits if x in seen], on_model=harvest):
                                out.update(x for x in lits if x not in seen)
                                break
                    else:  # set members and optional values: one by one
                        out.update(
                            x for x in lits if x not in seen and not self.satisfiable([key, x], on_model=harvest)
                        )
        finally:
            solver.sign_def, solver.rand_freq = "asp", "0"
        self._impossible[key] = frozenset(out)
        return self._impossible[key]

    def _consistent(self, fixed: list[int], proposal: list[int], banned: set[int], rng: random.Random) -> list[int]:
        """Greedy in proposal order: keep each choice that is consistent with the ones kept before
        it, else the first consistent alternative. The first conflict in a run of choices is found
        by bisection (a prefix of choices only gets harder to satisfy as it grows)."""
        kept: list[int] = []
        rest = proposal
        known_unsat = True  # the caller found fixed + proposal unsatisfiable (and fixed not)
        while rest:
            if not known_unsat and self.satisfiable(fixed + kept + rest):
                return kept + rest
            known_unsat = False
            lo, hi = 0, len(rest) - 1  # kept + rest[:lo] is satisfiable, kept + rest[:hi+1] is not
            while lo < hi:
                mid = (lo + hi) // 2
                if self.satisfiable(fixed + kept + rest[: mid + 1]):
                    lo = mid + 1
                else:
                    hi = mid
            kept += rest[:lo]
            x, rest = rest[lo], rest[lo + 1 :]
            kept.append(self._redecide(x, fixed + kept, banned, rng))
        return kept

    def _redecide(self, lit: int, base: list[int], banned: set[int], rng: random.Random) -> int:
        """A consistent replacement for a conflicting choice. A set membership flips (some persona
        extends `base`, and it has the other membership); a scalar takes the first of its field's
        other values, in seeded order, that is consistent (one of them is, as fields are required)."""
        path = self.field_of[abs(lit)]
        if self.by_path[path].kind == "set":
            return -lit
        others = [x for _, x in self.by_field[path] if x != lit and x not in banned]
        rng.shuffle(others)
        for alt in others:
            if self.satisfiable(base + [alt]):
                return alt
        raise RuntimeError(f"internal: no consistent value for {path}")

    def slot_assumptions(self, slot: dict[str, Any] | None) -> list[int]:
        """The solver literals that fix a slot's values (None: every slot value false)."""
        out = []
        if slot is None:  # no slot at all
            return [-lit for f, lit in self.values if f.field.startswith("slot.")]
        for path, value in slot.items():
            if path == CELL:  # the cell's label, not a value to hold
                continue
            for v in value if isinstance(value, list) else [value]:
                lit = self.slot_lit.get((f"slot.{path}", v))
                if lit is None:
                    raise ValueError(f"slot.{path}={v!r} is not in the field's domain")
                out.append(lit)
        return out

    def _proposal(self, rng: random.Random, fixed_fields: set[str], banned: set[int] = frozenset()) -> list[int]:
        """A uniformly random value for every scalar field and a small random subset for each set,
        in a seeded random order of fields (earlier fields win conflicts)."""
        by_field: dict[str, list] = {}
        for f, lit in self.values:
            if f.field not in fixed_fields and lit not in banned:
                by_field.setdefault(f.field, []).append(lit)
        groups = []
        for path, lits in by_field.items():
            if self.by_path[path].kind == "set":
                k = rng.randint(0 if path.startswith("slot.") else 1, 2)
                chosen = set(rng.sample(lits, min(k, len(lits))))
                groups.append([x if x in chosen else -x for x in lits])
            else:
                groups.append([rng.choice(lits)])
        rng.shuffle(groups)
        return [x for g in groups for x in g]

    def _decode(self, true_lits: set[int]) -> dict[str, Any]:
        """Field values from the decided literals (every structured field is decided by now)."""
        out: dict[str, Any] = {}
        for f, lit in self.values:
            if lit in true_lits:
                if self.by_path[f.field].kind == "set":
                    out.setdefault(f.field, []).append(f.value)
                else:
                    out[f.field] = f.value
        return out

"""One ground completion program per theory; a persona (as atoms for P=0) -> its violations, by a
single solve under assumptions. No per-persona parsing or grounding: the reused-Control batch mode."""

from __future__ import annotations

from ..facts.domain import domain
from ..facts.reader import Fact
from ..theory.pack import Theory
from .batch import Hit
from .program import SHOW, completion_program, control, literal_map, to_python


class Dependencies:
    """Observer of the ground program: which atoms each atom's derivation depends on."""

    def __init__(self):
        self.deps: dict[int, list[int]] = {}
        self.constraints: list[list[int]] = []

    def _add(self, choice: bool, head, body: list[int]) -> None:
        if not head and not choice:
            self.constraints.append(body)
        for h in head:
            self.deps.setdefault(h, []).extend(body)

    def rule(self, choice, head, body) -> None:
        self._add(choice, head, [abs(x) for x in body])

    def weight_rule(self, choice, head, lower_bound, body) -> None:
        self._add(choice, head, [abs(x) for x, _ in body])

    def cone(self, atoms) -> set[int]:
        seen, todo = set(), list(atoms)
        while todo:
            a = todo.pop()
            if a not in seen:
                seen.add(a)
                todo += self.deps.get(a, ())
        return seen


class Engine:
    def __init__(self, theory: Theory):
        self.theory = theory
        self.dom = domain(theory.text)
        self.ctl = control(theory, completion_program(self.dom) + SHOW, ["--configuration=frumpy"])
        self._rules = Dependencies()
        self.ctl.register_observer(self._rules)
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.fact_of: dict[int, Fact] = {}
        for f in self.dom.all_facts():
            if f.atom(0) in self.lits:
                self.fact_of.setdefault(self.lits[f.atom(0)], f)
        self.groups = [
            [(a.atom(0), self.lits[a.atom(0)]) for a in alts if a.atom(0) in self.lits]
            for _, alts in self.dom.scalars.values()
        ]
        self.flags = [(f.atom(0), self.lits[f.atom(0)]) for f in self.dom.flags if f.atom(0) in self.lits]
        self.known = set(self.lits)
        # atom -> (group, position) or flag position: assumptions are built from the persona's atoms
        self._in_group = {atom: (g, i) for g, group in enumerate(self.groups) for i, (atom, _) in enumerate(group)}
        self._group_neg = [[-lit for _, lit in group] for group in self.groups]
        self._flag_at = {atom: i for i, (atom, _) in enumerate(self.flags)}
        self._flag_neg = [-lit for _, lit in self.flags]
        self._cones: dict[int, frozenset[str]] = {}
        self._lits_cones: dict[int, frozenset[int]] = {}
        self._rank: dict[int, tuple[int, int]] | None = None
        self._global: frozenset[str] | None = None

    def fields_of(self, atoms) -> set[str]:
        return {self.fact_of[a].field for a in atoms if a in self.fact_of}

    def relevant_fields(self, atom: int) -> frozenset[str]:
        """Persona fields whose facts can decide `atom` (a literal of the ground program): the fields
        of the input facts it depends on, plus those tied together by integrity constraints.
        Assumptions about any other field cannot change whether a persona exists with or without
        `atom` (every field takes its values independently in the completion program)."""
        if atom not in self._cones:
            self._cones[atom] = frozenset(self.fields_of(self._rules.cone([atom]))) | self.tied_fields()
        return self._cones[atom]

    def tied_fields(self) -> frozenset[str]:
        """Fields that integrity constraints tie to other fields."""
        if self._global is None:
            tied: frozenset[str] = frozenset()
            for body in self._rules.constraints:
                fields = self.fields_of(self._rules.cone(body))
                if len(fields) > 1:  # a constraint within one field is its own choice rule
                    tied |= fields
            self._global = tied
        return self._global

    def relevant_literals(self, atom: int) -> frozenset[int]:
        """Persona literals that can decide `atom`: those in its dependency cone, plus every literal
        of the fields that integrity constraints tie together (as relevant_fields). A minimal core
        holds none but these, so a core search need try no other (an L1 contradiction about one
        dimension tries that dimension's statement and level, not the whole narrative's facts)."""
        hit = self._lits_cones.get(atom)
        if hit is None:
            tied = self.tied_fields()
            cone = self._rules.cone([atom])
            # a scalar field's alternatives exclude one another: one in the cone brings all of them
            scalars = {f for f in self.fields_of(cone) if f in self.dom.scalars}
            hit = frozenset(a for a, f in self.fact_of.items() if a in cone or f.field in tied or f.field in scalars)
            self._lits_cones[atom] = hit
        return hit

    def in_assumption_order(self, atoms) -> tuple[int, ...]:
        """The atoms (literals) in the order assumptions() lists them: groups in domain order, each
        in its order, then flags."""
        if self._rank is None:
            rank = {lit: (g, i) for g, group in enumerate(self.groups) for i, (_, lit) in enumerate(group)}
            rank.update({lit: (len(self.groups), i) for i, (_, lit) in enumerate(self.flags)})
            self._rank = rank
        return tuple(sorted((a for a in atoms if a in self._rank), key=self._rank.__getitem__))

    def covers(self, present: set[str]) -> bool:
        """True if every atom of the persona exists in the ground program (else use batch grounding)."""
        return present <= self.known

    def assumptions(self, present: set[str], negatives: bool = True) -> list[int]:
        """Scalar values (all alternatives of an absent optional field false), flags true or false;
        groups and flags in domain order."""
        hits: dict[int, list[tuple[int, int]]] = {}
        flags: list[int] = []
        for atom in present:
            at = self._in_group.get(atom)
            if at is not None:
                hits.setdefault(at[0], []).append(at)
            elif (i := self._flag_at.get(atom)) is not None:
                flags.append(i)
        out: list[int] = []
        for g, group in enumerate(self.groups):
            hit = hits.get(g)
            if hit:
                out += [group[i][1] for _, i in sorted(hit)]
            elif negatives:
                out += self._group_neg[g]
        if negatives:
            signs = list(self._flag_neg)
            for i in flags:
                signs[i] = -signs[i]
            out += signs
        else:
            out += [self.flags[i][1] for i in sorted(flags)]
        return out

    def detect(self, present: set[str]) -> list[Hit]:
        """The persona's violations with their details: one solve, the model is unique."""
        syms: list = []
        res = self.ctl.solve(
            assumptions=self.assumptions(present), on_model=lambda m: syms.extend(m.symbols(shown=True))
        )
        if not res.satisfiable:
            raise RuntimeError("internal: the persona's own facts are inconsistent with the completion program")
        hits: dict[str, Hit] = {}
        details: dict[tuple, dict] = {}
        for sym in syms:
            a = sym.arguments
            if sym.name == "violation":
                key = str(a[2])
                hits[f"{a[1].string}|{key}"] = Hit(a[1].string, key, to_python(a[2]))
            else:
                details.setdefault((a[1].string, str(a[2])), {})[a[3].name] = to_python(a[4])
        out = sorted(hits.values(), key=lambda h: (h.rule, h.key_text))
        for h in out:
            h.details = details.get((h.rule, h.key_text), {})
        return out

"""One ground completion program per theory; a persona (as atoms for P=0) -> its violations, by a
single solve under assumptions. No per-persona parsing or grounding: the reused-Control batch mode."""

from __future__ import annotations

from ..facts.domain import domain
from ..facts.reader import Fact
from ..theory.pack import Theory
from .batch import Hit
from .program import SHOW, completion_program, control, literal_map, to_python


class Engine:
    def __init__(self, theory: Theory):
        self.theory = theory
        self.dom = domain(theory.text)
        self.ctl = control(theory, completion_program(self.dom) + SHOW)
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.fact_of: dict[int, Fact] = {}
        for f in self.dom.all_facts():
            if f.atom(0) in self.lits:
                self.fact_of.setdefault(self.lits[f.atom(0)], f)
        self.groups = [[(a.atom(0), self.lits[a.atom(0)]) for a in alts if a.atom(0) in self.lits]
                       for _, alts in self.dom.scalars.values()]
        self.flags = [(f.atom(0), self.lits[f.atom(0)]) for f in self.dom.flags if f.atom(0) in self.lits]
        self.known = set(self.lits)

    def covers(self, present: set[str]) -> bool:
        """True if every atom of the persona exists in the ground program (else use batch grounding)."""
        return present <= self.known

    def assumptions(self, present: set[str], negatives: bool = True) -> list[int]:
        """Scalar values (all alternatives of an absent optional field false), flags true or false."""
        out = []
        for group in self.groups:
            hit = [lit for atom, lit in group if atom in present]
            out += hit if hit or not negatives else [-lit for _, lit in group]
        out += [lit if atom in present else -lit for atom, lit in self.flags if negatives or atom in present]
        return out

    def detect(self, present: set[str]) -> list[Hit]:
        """The persona's violations with their details: one solve, the model is unique."""
        syms: list = []
        res = self.ctl.solve(assumptions=self.assumptions(present),
                             on_model=lambda m: syms.extend(m.symbols(shown=True)))
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

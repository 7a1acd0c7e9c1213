"""Persona facts + one violation -> a minimal set of facts that, with that rule, cannot hold together.

The completion program lets every field take any value of its domain. A core C is a set of the
persona's facts (positive, or negative for boolean facts it lacks) such that no persona agreeing
with C avoids the violation. clingo's assumption core is shrunk by deletion to a minimal one.
"""

from __future__ import annotations

from ..facts.domain import domain
from ..facts.reader import Fact
from ..facts.render import render
from ..theory.pack import Theory
from ..solve.program import completion_program, control, literal_map


class CoreFinder:
    """One ground completion program per theory, reused for every persona (assumptions only)."""

    def __init__(self, theory: Theory):
        self.dom = domain(theory.text)
        self.ctl = control(theory, completion_program(self.dom))
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.fact_of: dict[int, Fact] = {}
        self.groups: list[list[tuple[str, int]]] = []
        for _, alts in self.dom.scalars.values():
            group = [(a.atom(0), self.lits[a.atom(0)]) for a in alts if a.atom(0) in self.lits]
            self.groups.append(group)
        self.flags = [(f.atom(0), self.lits[f.atom(0)]) for f in self.dom.flags if f.atom(0) in self.lits]
        for f in self.dom.all_facts():
            if f.atom(0) in self.lits:
                self.fact_of.setdefault(self.lits[f.atom(0)], f)
        self.cache: dict[str, list[frozenset[int]]] = {}
        self.stats = {"solves": 0, "cache_hits": 0}

    def assumptions(self, facts: list[Fact]) -> list[int]:
        """The persona as solver literals: the value of each scalar field, every flag true or false."""
        present = {f.atom(0) for f in facts}
        out = [lit for group in self.groups for atom, lit in group if atom in present]
        out += [lit if atom in present else -lit for atom, lit in self.flags]
        return out

    def _unsat(self, assumptions: list[int]) -> tuple[bool, list[int]]:
        core: list[int] = []
        self.stats["solves"] += 1
        result = self.ctl.solve(assumptions=assumptions, on_core=core.extend)
        return result.unsatisfiable, core

    def core(self, facts: list[Fact], rule: str, key_text: str) -> list[str] | None:
        """Rendered minimal core for violation(rule, key), or None if the facts do not force it."""
        target = self.lits.get(f'violation(0,"{rule}",{key_text})')
        if target is None:
            return None
        base = self.assumptions(facts)
        have = set(base)
        ident = f"{rule}|{key_text}"
        for known in self.cache.get(ident, ()):
            if known <= have:
                self.stats["cache_hits"] += 1
                return self._render(known)
        unsat, core = self._unsat(base + [-target])
        if not unsat:
            return None
        current = [x for x in core if x in have]
        for lit in list(current):
            if lit not in current:
                continue
            trial = [x for x in current if x != lit]
            unsat, core = self._unsat(trial + [-target])
            if unsat:
                keep = set(core)
                current = [x for x in trial if x in keep]
        found = frozenset(current)
        self.cache.setdefault(ident, []).append(found)
        return self._render(found)

    def _render(self, lits: frozenset[int]) -> list[str]:
        facts = sorted(((self.fact_of[abs(x)], x > 0) for x in lits), key=lambda t: (t[0].field, t[0].rest))
        return [render(f, pos) for f, pos in facts]

"""Persona facts + one violation -> a minimal set of facts that, with that rule, cannot hold together.

The completion program lets every field take any value of its domain. A core C is a set of the
persona's facts (positive, or negative for boolean facts it lacks) such that no persona agreeing
with C avoids the violation. clingo's assumption core is shrunk by deletion to a minimal one.
"""

from __future__ import annotations

from ..facts.render import render
from ..solve.engine import Engine
from ..theory.pack import Theory


class CoreFinder:
    """Reuses the Engine's ground completion program for every persona (assumptions only)."""

    def __init__(self, theory: Theory, engine: Engine | None = None):
        self.engine = engine or Engine(theory)
        self.ctl, self.lits, self.fact_of = self.engine.ctl, self.engine.lits, self.engine.fact_of
        self.cache: dict[str, list[frozenset[int]]] = {}
        self.rule_fields = {r.id: tuple(f.rstrip("*") for f in r.fields) + ("slot.",)
                            for r in theory.rules.values() if "*" not in r.fields}
        self.stats = {"solves": 0, "cache_hits": 0}

    def assumptions(self, present: set[str], negatives: bool = True) -> list[int]:
        return self.engine.assumptions(present, negatives)

    def _candidates(self, present: set[str], rule: str):
        fields = self.rule_fields.get(rule)
        if fields:
            yield [x for x in self.assumptions(present) if self._field(x).startswith(fields)]
        yield self.assumptions(present, negatives=False)
        yield self.assumptions(present)

    def _field(self, lit: int) -> str:
        f = self.fact_of.get(abs(lit))
        return f.field if f else ""

    def _unsat(self, assumptions: list[int], target: int) -> tuple[bool, set[int]]:
        core: list[int] = []
        self.stats["solves"] += 1
        result = self.ctl.solve(assumptions=assumptions + [-target], on_core=core.extend)
        return result.unsatisfiable, set(core)

    def core(self, present: set[str], rule: str, key_text: str) -> list[str] | None:
        """Rendered minimal core for violation(rule, key), or None if the facts do not force it."""
        found = self.core_literals(present, rule, key_text)
        return None if found is None else self._render(found)

    def target(self, rule: str, key_text: str) -> int | None:
        return self.lits.get(f'violation(0,"{rule}",{key_text})')

    def core_literals(self, present: set[str], rule: str, key_text: str) -> frozenset[int] | None:
        """Minimal set of persona literals that, with the rule, force violation(rule, key)."""
        target = self.target(rule, key_text)
        if target is None:
            return None
        ident = f"{rule}|{key_text}"
        have = set(self.assumptions(present))
        for known in self.cache.get(ident, ()):
            if known <= have:
                self.stats["cache_hits"] += 1
                return known
        # Try the facts of the rule's declared fields first, then positive facts, then everything
        # (absence rules need negative facts). Deletion-based shrinking proves minimality either way.
        for base in self._candidates(present, rule):
            unsat, core = self._unsat(base, target)
            if unsat:
                break
        else:
            return None
        found = frozenset(self._shrink([x for x in base if x in core], target))
        self.cache.setdefault(ident, []).append(found)
        return found

    def _shrink(self, current: list[int], target: int) -> list[int]:
        """Minimal unsatisfiable subset: refine with solver cores, then delete in halving chunks."""
        while True:
            unsat, core = self._unsat(current, target)
            refined = [x for x in current if x in core]
            if len(refined) == len(current):
                break
            current = refined
        size = max(1, len(current) // 2)
        while True:
            i = 0
            while i < len(current):
                trial = current[:i] + current[i + size:]
                unsat, core = self._unsat(trial, target)
                if unsat:
                    current = [x for x in trial if x in core]
                else:
                    i += size
            if size == 1:
                return current
            size = max(1, size // 2)

    def _render(self, lits: frozenset[int]) -> list[str]:
        facts = sorted(((self.fact_of[abs(x)], x > 0) for x in lits), key=lambda t: (t[0].field, t[0].rest))
        return [render(f, pos) for f, pos in facts]

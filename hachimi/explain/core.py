"""Persona facts + one violation -> a minimal set of facts that, with that rule, cannot hold together.

The completion program lets every field take any value of its domain. A core C is a set of the
persona's facts (positive, or negative for boolean facts it lacks) such that no persona agreeing
with C avoids the violation. Shrunk by deletion (SAT/UNSAT answers only) to a minimal one.
"""

from __future__ import annotations

from ..facts.render import render
from ..solve.engine import Engine
from ..solve.shrink import shrink
from ..theory.pack import Theory


class _Known:
    """Answers already proved while shrinking one core: sets of literals that force the target
    (any superset does too) and models (any subset of a model's literals does not)."""

    def __init__(self, base: list[int]):
        self.base = base
        self.cores: list[frozenset[int]] = []
        self.models: list[frozenset[int]] = []

    def answer(self, assumptions: list[int]) -> bool | None:
        have = set(assumptions)
        if any(c <= have for c in self.cores):
            return True
        if any(have <= m for m in self.models):
            return False
        return None

    def add_core(self, core: list[int]) -> None:
        self.cores.append(frozenset(core))

    def add_model(self, model) -> None:
        """The literals of the base that the model makes true."""
        self.models.append(frozenset(x for x in self.base if model.is_true(x)))


class CoreFinder:
    """Reuses the Engine's ground completion program for every persona (assumptions only).

    Every step decides on SAT/UNSAT answers alone (never on the solver's own cores, which depend on
    what it learned from earlier personas), so a persona's cores do not depend on what was
    validated before it. Answers are memoised by their exact question, which keeps that property."""

    MEMO = 4096  # remembered shrink results (oldest dropped first)

    def __init__(self, theory: Theory, engine: Engine | None = None):
        self.engine = engine or Engine(theory)
        self.ctl, self.lits, self.fact_of = self.engine.ctl, self.engine.lits, self.engine.fact_of
        self.memo: dict[tuple, frozenset[int] | None] = {}
        self.rule_fields = {
            r.id: tuple(f.rstrip("*") for f in r.fields) + ("slot.",)
            for r in theory.rules.values()
            if "*" not in r.fields
        }
        self.field_of = {lit: f.field for lit, f in self.fact_of.items()}
        kinds: dict[str, set] = {}
        for f in theory.schema.fields:
            kinds.setdefault(f.pred, set()).add(f.kind)
        self._kinds = {pred: k.pop() for pred, k in kinds.items() if len(k) == 1}  # how a core shows a fact
        self.stats = {"solves": 0, "cache_hits": 0, "known": 0}
        self._last: tuple = (None, [])
        self._signs: tuple = (None, {})
        self._ordered: dict[int, tuple[int, ...]] = {}

    def assumptions(self, present: set[str], negatives: bool = True) -> list[int]:
        """The persona's assumption literals (the same persona's violations ask again: kept)."""
        key = (id(present), len(present), negatives)
        if self._last[0] != key:
            self._last = (key, self.engine.assumptions(present, negatives))
        return self._last[1]

    def _signed(self, present: set[str], negatives: bool) -> dict[int, int]:
        """atom -> its assumption literal for this persona (kept for its other violations)."""
        key = ("signed", id(present), len(present), negatives)
        if self._signs[0] != key:
            self._signs = (key, {abs(x): x for x in self.assumptions(present, negatives)})
        return self._signs[1]

    def _candidates(self, present: set[str], rule: str, relevant: tuple[int, ...]):
        """Candidate literals in the order of the persona's assumptions (a core is a function of it)."""
        fields = self.rule_fields.get(rule)
        signed = self._signed(present, True)
        if fields:
            yield [signed[a] for a in relevant if a in signed and self.field_of[a].startswith(fields)]
        positive = self._signed(present, False)
        yield [positive[a] for a in relevant if a in positive]
        signed = self._signed(present, True)
        yield [signed[a] for a in relevant if a in signed]

    def _unsat(self, assumptions: list[int], target: int, known: _Known | None = None) -> bool:
        """True if the assumptions force the target atom (no model without it). `known` answers
        from earlier solves where it can; the answer is the same either way."""
        if known is not None:
            answer = known.answer(assumptions)
            if answer is not None:
                self.stats["known"] += 1
                return answer
        self.stats["solves"] += 1
        if known is None:
            return self.ctl.solve(assumptions=assumptions + [-target]).unsatisfiable
        res = self.ctl.solve(assumptions=assumptions + [-target], on_model=known.add_model)
        if res.unsatisfiable:
            known.add_core(assumptions)
        return res.unsatisfiable

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
        # Try the facts of the rule's declared fields first, then positive facts, then everything
        # (absence rules need negative facts). Deletion-based shrinking proves minimality either way.
        # Facts of fields the violation atom cannot depend on are left out first: they are in no
        # minimal core, so this changes no answer and no result, only the work (and the memo key).
        relevant = self._ordered.get(target)
        if relevant is None:
            relevant = self._ordered[target] = self.engine.in_assumption_order(self.engine.relevant_literals(target))
        for base in self._candidates(present, rule, relevant):
            key = (target, tuple(base))
            if key in self.memo:
                self.stats["cache_hits"] += 1
                found = self.memo[key]
            else:
                known = _Known(base)
                found = frozenset(self._shrink(base, target, known)) if self._unsat(base, target, known) else None
                if len(self.memo) >= self.MEMO:
                    del self.memo[next(iter(self.memo))]
                self.memo[key] = found
            if found is not None:
                return found
        return None

    def _shrink(self, base: list[int], target: int, known: _Known | None = None) -> list[int]:
        """The minimal core of the ordered base (solve/shrink.py): a function of the order and of
        SAT/UNSAT answers only."""
        return shrink(base, lambda lits: self._unsat(lits, target, known))

    def _render(self, lits: frozenset[int]) -> list[str]:
        facts = sorted(((self.fact_of[abs(x)], x > 0) for x in lits), key=lambda t: (t[0].field, t[0].rest))
        return [render(f, pos, self._kinds) for f, pos in facts]

"""Theory -> contradictions (rule sets no persona satisfies for some slot cell and age, from cores
over rule guards), values no persona can have, and rules that can never fire (`hachimi theory check`).

The check walks every combination of the theory's slot variables (schema.toml [slot], each with the
persona field it binds) and, last, its persona age ([person] age) when the slot does not fix it:
k12 walks grade x gender x academic level x age."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..facts.domain import domain
from ..solve.shrink import shrink
from ..theory.pack import Theory


@dataclass
class Report:
    walked: list[str] = field(default_factory=list)  # the variables walked, in order
    contradictions: list[dict] = field(default_factory=list)  # {<variable>: value, ..., "rules": [...]}
    dead_rules: list[str] = field(default_factory=list)
    # values of the last walked variable no persona with a value of the first can have (k12: the
    # ages no persona of a grade can have): first value -> last values
    excluded: dict = field(default_factory=dict)
    blocked: dict[str, dict] = field(default_factory=dict)  # variable -> value no persona can have -> rules
    checked: int = 0
    parent: str | None = None  # the theory this one extends
    inherited: dict[str, bool] = field(default_factory=dict)  # each inherited rule -> whether it can still fire
    lost_rules: list[dict] = field(default_factory=list)  # inherited rules the parent fires and this cannot, why

    @property
    def clean(self) -> bool:
        return not (self.contradictions or self.dead_rules or any(self.blocked.values()) or self.lost_rules)

    def to_dict(self) -> dict:
        return {
            "clean": self.clean,
            "checked": self.checked,
            "walked": self.walked,
            "contradictions": self.contradictions,
            "dead_rules": self.dead_rules,
            "blocked": self.blocked,
            "excluded": {"by": self.walked[:1], "of": self.walked[-1:], "table": self.excluded},
            "extends": self.parent,
            "inherited": self.inherited,
            "lost_rules": self.lost_rules,
        }


def walk(theory: Theory) -> list[tuple[str, tuple, list[str]]]:
    """(variable, its values, the atom templates that fix a value) for each variable the check walks:
    the slot variables (the slot field and the persona field it binds), then the persona's age."""
    schema, out = theory.schema, []
    slot = schema.slot
    for v in slot.variables if slot else ():
        paths = [slot.field(v)] + ([slot.binds[v]] if v in slot.binds else [])
        out.append((v, tuple(schema.slot_domain(v)), paths))
    age = schema.person.age
    if age and age in schema.by_path and not (slot and age in slot.binds.values()):
        out.append((age.split(".")[-1], tuple(schema.by_path[age].domain), [age]))
    return out


def _atom(spec, value) -> str:
    return f"{spec.pred}({','.join(['0', *spec.extra, str(value)])})"


class Checker:
    def __init__(self, theory: Theory):
        from ..solve.program import completion_program, control, literal_map

        self.theory = theory
        ids = list(theory.rules)
        guards = "".join(f'#external active("{r}"). #external want("{r}").\n' for r in ids)
        extra = (
            completion_program(domain(theory.text))
            + guards
            + ":- violation(0,R,_), active(R).\nfired(R) :- violation(0,R,_).\n:- want(R), not fired(R).\n"
        )
        self.ctl = control(theory, extra)
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.active = {self.lits[f'active("{r}")']: r for r in ids}
        self.want = {r: self.lits[f'want("{r}")'] for r in ids}
        for lit in [*self.active, *self.want.values()]:
            self.ctl.assign_external(lit, None)  # free: only assumptions decide them

    def _solve(self, assumptions: list[int]) -> tuple[bool, set[int]]:
        return self.ctl.solve(assumptions=assumptions).unsatisfiable, set()

    def _min_rules(self, fixed: list[int]) -> list[str]:
        """A minimal set of active rule guards unsatisfiable with `fixed`, in theory order
        (solve/shrink.py): SAT/UNSAT answers only, never the solver's cores, so the answer does not
        depend on what the checker was asked before."""
        kept = shrink(list(self.active), lambda guards: self._solve(fixed + guards)[0])
        return sorted(self.active[g] for g in kept)

    def blocking(self, atoms: list[tuple[str, bool]]) -> list[str] | None:
        """None if some persona with these atoms (true/false) satisfies every rule; else a minimal set
        of rules that, with them, no persona can satisfy."""
        fixed = [self.lits[a] if yes else -self.lits[a] for a, yes in atoms if a in self.lits]
        unsat, _ = self._solve(fixed + list(self.active))
        return self._min_rules(fixed) if unsat else None

    def run(self) -> Report:
        by_path = self.theory.schema.by_path
        variables = walk(self.theory)
        rep = Report(walked=[v for v, _, _ in variables])
        possible: set[tuple] = set()  # combinations some persona can have
        blockers: dict[tuple, set[str]] = {}
        known: dict[tuple, list[list[str]]] = {}  # (first, last) value -> single rules that blocked a combination
        for combo in itertools.product(*(values for _, values, _ in variables)):
            atoms = [_atom(by_path[p], x) for (_, _, paths), x in zip(variables, combo) for p in paths]
            fixed = [self.lits[a] for a in atoms if a in self.lits]
            rep.checked += 1
            unsat, _ = self._solve(fixed + list(self.active))
            if not unsat:
                possible.add(combo)
                continue
            rules = self._known_single(fixed, known.setdefault((combo[0], combo[-1]), [])) or self._min_rules(fixed)
            if len(rules) == 1 and rules not in known[(combo[0], combo[-1])]:
                known[(combo[0], combo[-1])].append(rules)
            blockers[combo] = set(rules)
            if len(rules) > 1:
                rep.contradictions.append({**dict(zip(rep.walked, combo)), "rules": rules})
        for i, (name, values, _) in enumerate(variables):  # a value no persona can have at all
            for x in values:
                if not any(c[i] == x for c in possible):
                    hit = [r for c, rs in blockers.items() if c[i] == x for r in rs]
                    rep.blocked.setdefault(name, {})[x] = sorted(set(hit))
        if len(variables) > 1:
            (_, firsts, _), (_, lasts, _) = variables[0], variables[-1]
            for a in firsts:
                out = [b for b in lasts if not any(c[0] == a and c[-1] == b for c in possible)]
                if out:
                    rep.excluded[a] = out
        rep.dead_rules = self.dead()
        return rep

    def _known_single(self, fixed: list[int], singles: list[list[str]]) -> list[str] | None:
        """A single rule that blocked a combination with the same first and last values and blocks
        this one too (one rule alone is a minimal set): saves the search for most combinations (the
        middle variables rarely matter to a rule that excludes an age in a grade)."""
        lit = {r: g for g, r in self.active.items()}
        for rules in singles:
            if self._solve(fixed + [lit[rules[0]]])[0]:
                return rules
        return None

    def dead(self) -> list[str]:
        """The rules no persona can fire."""
        return [r for r, lit in self.want.items() if self._solve([lit])[0]]

"""Theory -> contradictions (rule sets no persona satisfies for some grade/age/target level, from
cores over rule guards) and rules that can never fire (`hachimi theory check`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..facts.domain import domain
from ..errors import TheoryError
from .pack import Theory


@dataclass
class Report:
    contradictions: list[dict] = field(default_factory=list)  # {"grade", "age", "level", "rules"}
    dead_rules: list[str] = field(default_factory=list)
    excluded: dict[int, list[int]] = field(default_factory=dict)  # grade -> ages no persona can have
    blocked_grades: dict[int, list[str]] = field(default_factory=dict)  # grade no persona can have -> rules
    blocked_ages: dict[int, list[str]] = field(default_factory=dict)  # age no persona can have -> rules
    checked: int = 0
    parent: str | None = None  # the theory this one extends
    inherited: dict[str, bool] = field(default_factory=dict)  # each inherited rule -> whether it can still fire
    lost_rules: list[dict] = field(default_factory=list)  # inherited rules the parent fires and this cannot, why

    @property
    def clean(self) -> bool:
        return not (
            self.contradictions or self.dead_rules or self.blocked_grades or self.blocked_ages or self.lost_rules
        )

    def to_dict(self) -> dict:
        return {
            "clean": self.clean,
            "checked": self.checked,
            "contradictions": self.contradictions,
            "dead_rules": self.dead_rules,
            "blocked_grades": self.blocked_grades,
            "blocked_ages": self.blocked_ages,
            "excluded_ages_per_grade": self.excluded,
            "extends": self.parent,
            "inherited": self.inherited,
            "lost_rules": self.lost_rules,
        }


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
        """Shrink the active rule guards to a minimal set that is unsatisfiable with `fixed`: the set
        that dropping guards one by one, in theory order, leaves (the next guard to keep is found by
        bisection over the suffixes). SAT/UNSAT answers only, never the solver's cores, so the
        answer does not depend on what the checker was asked before."""
        kept: list[int] = []
        rest = list(self.active)
        while True:
            lo, hi = 0, len(rest)  # fixed + kept + rest[lo:] is unsatisfiable; largest such lo
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self._solve(fixed + kept + rest[mid:])[0]:
                    lo = mid
                else:
                    hi = mid - 1
            if lo == len(rest):
                return sorted(self.active[g] for g in kept)
            kept.append(rest[lo])
            rest = rest[lo + 1 :]

    def blocking(self, atoms: list[tuple[str, bool]]) -> list[str] | None:
        """None if some persona with these atoms (true/false) satisfies every rule; else a minimal set
        of rules that, with them, no persona can satisfy."""
        fixed = [self.lits[a] if yes else -self.lits[a] for a, yes in atoms if a in self.lits]
        unsat, _ = self._solve(fixed + list(self.active))
        return self._min_rules(fixed) if unsat else None

    def _slot_domains(self) -> tuple[tuple, tuple, tuple]:
        """Grades, ages and slot levels the check walks (the k12 slot: a theory extending k12 has them)."""
        by_path = self.theory.schema.by_path
        need = ("enrollment.grade", "enrollment.age", "slot.academic_level")
        if missing := [p for p in need if p not in by_path]:
            raise TheoryError(
                f"theory check walks grade x age x slot level and needs the fields {', '.join(missing)}",
                str(self.theory.root / "schema.toml"),
            )
        return tuple(by_path[p].domain for p in need)

    def run(self) -> Report:
        rep = Report()
        possible: set[tuple[int, int]] = set()  # (grade, age) some persona can have
        blockers: dict[tuple[int, int], set[str]] = {}
        grades, ages, levels = self._slot_domains()
        for g in grades:
            for age in ages:
                for level in levels:
                    fixed = [
                        self.lits[a]
                        for a in (f"grade(0,{g})", f"age(0,{age})", f"slot_grade(0,{g})", f"slot_level(0,{level})")
                        if a in self.lits
                    ]
                    rep.checked += 1
                    unsat, _ = self._solve(fixed + list(self.active))
                    if not unsat:
                        possible.add((g, age))
                        continue
                    rules = self._min_rules(fixed)
                    blockers.setdefault((g, age), set()).update(rules)
                    if len(rules) > 1:
                        rep.contradictions.append({"grade": g, "age": age, "level": level, "rules": rules})
                    elif age not in rep.excluded.setdefault(g, []):
                        rep.excluded[g].append(age)
        for g in grades:  # a rule set that leaves a whole grade (or age) without any persona
            if not any((g, a) in possible for a in ages):
                rep.blocked_grades[g] = sorted(set().union(*(blockers.get((g, a), set()) for a in ages)))
        for a in ages:
            if not any((g, a) in possible for g in grades):
                rep.blocked_ages[a] = sorted(set().union(*(blockers.get((g, a), set()) for g in grades)))
        rep.dead_rules = self.dead()
        return rep

    def dead(self) -> list[str]:
        """The rules no persona can fire."""
        return [r for r, lit in self.want.items() if self._solve([lit])[0]]


def check(theory: Theory) -> Report:
    """The report, with the inherited rules this theory can no longer fire (and why) when it extends another."""
    from .inherited import lost_rules

    rep = Checker(theory).run()
    if theory.parent is not None:
        lost = lost_rules(theory, rep.dead_rules)
        rep.lost_rules = [x.to_dict() for x in lost]
        gone = {x.rule for x in lost}
        rep.inherited = {r: r not in gone and r not in rep.dead_rules for r in theory.parent.rules}
        rep.parent = theory.parent.name
    return rep

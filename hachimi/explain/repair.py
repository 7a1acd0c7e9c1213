"""Persona facts + violations -> the cheapest change of structured fields that removes every
fixable violation (clingo #minimize over the completion program; slot fields and text fixed).

Prose stays true. A theory whose [features.levels] names the rule that compares prose with levels
(`rule = "narrative-level"`) has that rule enforced first: the repair changes only levels the prose
allows. When no such repair exists, it is solved again without that rule, and each changed level
the prose states is rewritten in the prose (hachimi/text/rewrite.py: the expression the reader
bound to it becomes the vocabulary's phrase for the new level), recorded as a change of the
narrative field. A statement that cannot be rewritten safely (shared with another dimension,
negated apart) leaves that rule unfixable: the text must be rewritten by its owner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..facts.domain import domain
from ..facts.reader import Fact
from ..theory.pack import Theory
from ..solve.program import completion_program, control, literal_map, to_python


@dataclass
class Repair:
    changes: list[dict] = field(default_factory=list)  # {"field", "from", "to"}
    fixes: list[str] = field(default_factory=list)  # refs whose violations the repair removes
    unfixable: list[str] = field(default_factory=list)  # refs it cannot remove

    def to_dict(self) -> dict:
        return {"changes": self.changes, "fixes": self.fixes, "unfixable": self.unfixable}


def _changeable(f: Fact, by_path: dict) -> bool:
    spec = by_path.get(f.field)
    return (
        spec is not None
        and spec.structured
        and not f.field.startswith("slot.")
        and f.pred not in ("missing", "invalid_value", "dup")
        and spec.kind != "count"
    )


def _distance_ties(soft: list[Fact], by_path: dict) -> list[str]:
    """Secondary objective (priority 0): among equally cheap repairs, move scalar values as little
    as possible along their domain order (ages by years, levels and risks by steps)."""
    out, by_field = [], {}
    for i, f in enumerate(soft):
        if by_path[f.field].kind in ("int", "enum"):
            by_field.setdefault(f.field, []).append((i, f))
    for path, items in by_field.items():
        order = by_path[path].domain
        for i, fi in items:
            for j, fj in items:
                d = abs(order.index(fi.value) - order.index(fj.value))
                if d > 1:
                    out.append(f":~ keep({i}), {fj.atom(0)}. [{d - 1}@0,{i},{j}]")
    return out


def _canonical(changes: list[dict], by_path: dict) -> tuple:
    """Order among equally cheap repairs: changes to earlier fields (table order) first, then to
    lower values (domain order). Picks one repair out of the optimal ones, whatever their order."""
    key = []
    for c in changes:
        spec = by_path[c["field"]]
        to = c["to"]
        rank = tuple(sorted(spec.domain.index(v) for v in to)) if spec.kind == "set" else (spec.domain.index(to),)
        key.append((_field_index(by_path)[c["field"]], rank))
    return tuple(key)


def _field_index(by_path: dict) -> dict[str, int]:
    return {path: i for i, path in enumerate(by_path)}


class Repairer:
    def __init__(self, theory: Theory):
        self.theory = theory
        self.by_path = by_path = theory.schema.by_path
        self.index = _field_index(by_path)
        self.dom = domain(theory.text)
        facts = self.dom.all_facts()
        self.soft = [f for f in facts if _changeable(f, by_path)]
        levels = theory.text.checks.get("levels")
        self.levels = levels[1] if levels else None
        self.text_rule = getattr(self.levels, "rule", None)
        lines = [f'fixable("{r.id}").' for r in theory.rules.values() if r.fixable and r.id != self.text_rule]
        if self.text_rule in theory.rules:  # enforced while the prose can stay as it is (an external)
            lines += ["#external enforce_text.", f'fixable("{self.text_rule}") :- enforce_text.']
        lines.append(":- violation(0,R,_), fixable(R).")
        for spec in theory.schema.fields:  # a present list must stay non-empty (an empty one reads as missing)
            if spec.kind == "set" and spec.required:
                lines.append(f':- not missing(0,"{spec.path}"), #count {{ S : {spec.pred}(0,S) }} = 0.')
        lines.append("#show violation/3.")
        for i, f in enumerate(self.soft):
            w = theory.weight(f.field)
            lines.append(f"#external keep({i}). #external drop({i}).")
            lines.append(f":~ keep({i}), not {f.atom(0)}. [{w}@1,{i}]")
            lines.append(f":~ drop({i}), {f.atom(0)}. [{w}@1,{i}]")
            lines.append(f"#show {f.atom(0)} : {f.atom(0)}.")
        lines += _distance_ties(self.soft, by_path)
        # optN: after the optimum is proved, every optimal repair is enumerated and the canonical
        # one is kept, so ties never depend on the solver's state. (Every input atom is either
        # shown or fixed by an assumption, so models and repairs correspond one to one.)
        self.ctl = control(
            theory,
            completion_program(self.dom) + "\n".join(lines) + "\n",
            ["--opt-mode=optN", "--models=0", "--opt-strategy=usc"],
        )
        self.ctl.ground([("base", [])])
        self.lits = literal_map(self.ctl)
        self.keep = [self.lits.get(f"keep({i})") for i in range(len(self.soft))]
        self.drop = [self.lits.get(f"drop({i})") for i in range(len(self.soft))]
        self.fixed = [f for f in facts if not _changeable(f, by_path) and f.atom(0) in self.lits]
        self.soft_atoms = [f.atom(0) for f in self.soft]
        self.soft_is_set = [by_path[f.field].kind == "set" for f in self.soft]
        self.fixed_lits = [(f.atom(0), self.lits[f.atom(0)]) for f in self.fixed]
        from clingo import parse_term

        self.soft_syms = [parse_term(a) for a in self.soft_atoms]
        for lit in self.keep + self.drop:
            self.ctl.assign_external(lit, None)  # free: each solve's assumptions decide them
        self._blank: list[int] | None = None
        self.enforce = self.lits.get("enforce_text")
        if self.enforce is not None:
            self.ctl.assign_external(self.enforce, None)

    def _setup(self, present: set[str]) -> list[int]:
        """Assumptions for one persona: which values to keep (and set members not to add), plus
        everything that must not change (slot, text-derived facts, missing/invalid flags). Built
        from the assumptions of a persona with no facts, flipped where this one has them."""
        if self._blank is None:
            blank, where = [], {}
            for i, atom in enumerate(self.soft_atoms):
                where[atom] = (len(blank), self.keep[i], self.drop[i] if self.soft_is_set[i] else None)
                blank += [-self.keep[i], self.drop[i] if self.soft_is_set[i] else -self.drop[i]]
            for atom, lit in self.fixed_lits:
                where[atom] = (len(blank), lit, None)
                blank.append(-lit)
            self._blank, self._where = blank, where
        out = list(self._blank)
        for atom in present:
            hit = self._where.get(atom)
            if hit is not None:
                at, lit, drop = hit
                out[at] = lit
                if drop is not None:
                    out[at + 1] = -drop
        return out

    def repair(self, present: set[str], values: dict[str, Any], violated: dict[str, str]) -> Repair:
        """present: the persona's atoms for P=0; violated: rule id -> ref. Returns the minimal repair."""
        fixable = {r for r in violated if self.theory.rules[r].fixable}
        text_refs = sorted({violated[r] for r in violated if r not in fixable})
        if not fixable:
            return Repair([], [], text_refs)
        found = self._solve(present, values, enforce=True)
        rewrite = found is None and self.enforce is not None
        if rewrite:
            found = self._solve(present, values, enforce=False)
        if found is None:
            return Repair([], [], sorted(set(violated.values())))
        changes, remaining = found
        if rewrite:
            changes, rewritten = self._rewrite(changes, values)
            remaining = {(r, k) for r, k in remaining if not (r == self.text_rule and k in rewritten)}
        left_rules = {r for r, _ in remaining}
        fixes = sorted({violated[r] for r in fixable if r not in left_rules})
        left = sorted({violated[r] for r in violated if r in left_rules or r not in fixable} - set(fixes))
        return Repair(changes, fixes, left)

    def _solve(self, present: set[str], values: dict[str, Any], enforce: bool):
        """(changes, remaining (rule, key) violations) of the canonical optimal repair, or None."""
        optimal: list[list] = []

        def on_model(m) -> None:
            if m.optimality_proven:
                optimal.append(m.symbols(shown=True))

        assume = self._setup(present)
        if self.enforce is not None:
            assume.append(self.enforce if enforce else -self.enforce)
        result = self.ctl.solve(assumptions=assume, on_model=on_model)
        if not result.satisfiable or not optimal:
            return None
        changes, best = min(
            ((self._changes(present, set(syms), values), syms) for syms in optimal),
            key=lambda t: _canonical(t[0], self.by_path),
        )
        remaining = {(s.arguments[1].string, str(s.arguments[2]).strip('"')) for s in best if s.name == "violation"}
        return changes, remaining

    def _rewrite(self, changes: list[dict], values: dict[str, Any]) -> tuple[list[dict], set[str]]:
        """Rewrite, in each narrative, the level of every changed field it states; the narrative
        changes are added to `changes`. Returns them and the fields whose prose now agrees."""
        from ..text.rewrite import rewrite

        cfg = self.levels
        dim_of = {key: (part, d) for (part, d), key in cfg.keys.items()}
        texts: dict[str, str] = {}
        done: set[str] = set()
        for c in changes:
            if c["field"] not in dim_of:
                continue
            part, d = dim_of[c["field"]]
            ok = True
            for path, p in cfg.fields.items():
                if p != part or not isinstance(values.get(path), str):
                    continue
                new = rewrite(texts.get(path, values[path]), cfg.vocabulary.parts[part], d, c["to"], cfg.vocabulary)
                if new is None:
                    ok = False
                else:
                    texts[path] = new
            if ok:
                done.add(c["field"])
        extra = [{"field": p, "from": values[p], "to": t} for p, t in texts.items() if t != values[p]]
        return sorted(changes + extra, key=lambda c: self.index.get(c["field"], len(self.index))), done

    def _changes(self, present: set[str], chosen: set, values: dict[str, Any]) -> list[dict]:
        out, by_field = [], {}
        for f, atom, sym in zip(self.soft, self.soft_atoms, self.soft_syms):
            was, now = atom in present, sym in chosen
            if was != now:
                by_field.setdefault(f.field, []).append((f, now))
        for path, flips in by_field.items():
            spec = self.by_path[path]
            if spec.kind == "set":
                old = list(values.get(path, []))
                new = [v for v in old if not any(f.value == v and not now for f, now in flips)]
                new += [f.value for f, now in flips if now]
                out.append({"field": path, "from": old, "to": new})
            else:
                to = next(f.value for f, now in flips if now)
                out.append({"field": path, "from": values.get(path), "to": to})
        return sorted(out, key=lambda c: self.index[c["field"]])


__all__ = ["Repair", "Repairer", "to_python"]

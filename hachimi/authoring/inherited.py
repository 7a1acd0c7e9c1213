"""A theory that extends another + the rules it can never fire -> the inherited rules its parent could
fire and it cannot, each with the cause: the [features] entry the facts of the rule come from and
the line of this pack that replaced or removed it (`hachimi theory check`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..theory.compose import Change, table_name
from ..theory.pack import Theory

# facts the text reader makes from [features] tables: predicate -> (table, argument naming its entry)
_FEATURE_FACTS = {
    "term": ("lexicons", 2),
    "term_words": ("lexicons", 2),
    "matches": ("patterns", 1),
    "unmentioned": ("mentions", None),
}


@dataclass
class Lost:
    rule: str
    ref: str
    parent: str
    child: str
    cause: str

    def __str__(self) -> str:
        return f"{self.rule} ({self.ref}) fired in {self.parent} but cannot fire in {self.child}: {self.cause}"

    def to_dict(self) -> dict:
        return {"rule": self.rule, "ref": self.ref, "parent": self.parent, "cause": self.cause, "message": str(self)}


def lost_rules(theory: Theory, dead: list[str]) -> list[Lost]:
    """The inherited rules in `dead` (the child's dead rules) that the parent can fire."""
    parent = theory.parent
    candidates = [r for r in dead if parent is not None and r in parent.rules]
    if not candidates:
        return []
    from .consistency import Checker

    parent_dead = set(Checker(parent).dead())
    return [
        Lost(r, theory.rules[r].ref, parent.name, theory.name, cause(theory, r))
        for r in candidates
        if r not in parent_dead
    ]


def cause(theory: Theory, rule: str) -> str:
    """Why `rule` no longer fires: the feature entry its facts come from and what this pack did to it."""
    mine = _own_changes(theory)
    reads = _feature_reads(theory, rule)
    for atom, path in reads:
        change = _change_of(mine, path)
        if change is not None:
            return f"its facts {atom} come from {table_name(path)}, which {change.where()} {_did(change)}"
    if reads:
        atom, path = reads[0]
        return f"its facts {atom} come from {table_name(path)}, which is not in force in {theory.name}"
    return (
        f"none of its facts come from [features]; a rule or the persona format {theory.name} adds keeps it "
        f"from firing (its fail cases show which: hachimi theory test {theory.root})"
    )


def _did(change: Change) -> str:
    if change.by:
        return f"left out when it replaced {table_name(change.by)} whole (replace = true)"
    return "removed (remove = [...])" if change.action == "removed" else "replaced"


def _own_changes(theory: Theory) -> list[Change]:
    """The replacements and removals this pack made (not those of the theories it extends)."""
    before = len(theory.parent.composition.changes) if theory.parent and theory.parent.composition else 0
    return theory.composition.changes[before:] if theory.composition else []


def _change_of(changes: list[Change], path: tuple[str, ...]) -> Change | None:
    """The change that took `path` away: one of the entry itself, else of a table above it."""
    exact = [c for c in changes if c.path == path]
    above = [c for c in changes if c.path == path[: len(c.path)]]
    return (exact or above or [None])[-1]


def _feature_reads(theory: Theory, rule: str) -> list[tuple[str, tuple[str, ...]]]:
    """(fact as the rule file writes it, [features] entry it comes from) for every positive body atom
    the rule's violations depend on (through the predicates they use), in the parent's terms."""
    source = theory.parent or theory
    owner = {}
    for name, (mod, cfg) in source.text.checks.items():
        for pred in getattr(mod, "MESSAGE_FACTS", {}):
            owner[pred] = name
        for f in mod.domain(cfg):
            owner.setdefault(f.pred, name)
    out = []
    for name, args, text in _depends(theory.lp_files, rule):
        if name in _FEATURE_FACTS:
            table, i = _FEATURE_FACTS[name]
            entry = args[i] if i is not None and i < len(args) and args[i][:1].islower() else None
            out.append((text, (table, entry) if entry else (table,)))
        elif name in ("too_short", "too_long"):
            out.append((text, ("min_chars" if name == "too_short" else "max_chars",)))
        elif name in owner:
            out.append((text, (owner[name],)))
    return list(dict.fromkeys(out))


def _depends(files: list[Path], rule: str) -> list[tuple[str, list[str], str]]:
    """(predicate, arguments, text) of the positive body atoms of the statements deriving
    violation(_, "rule", _) (or a violation with a variable rule id), and of those deriving what they use."""
    from clingo import ast

    stms: list[tuple[list, list, str]] = []  # (head predicates, body atoms, "fixed" / "generic" / "": derives the rule)

    def atoms(node, positive: list) -> None:
        if node.ast_type == ast.ASTType.Literal:
            if node.sign == ast.Sign.NoSign and node.atom.ast_type == ast.ASTType.SymbolicAtom:
                sym = node.atom.symbol
                if sym.ast_type == ast.ASTType.Function:
                    positive.append((sym.name, [str(a) for a in sym.arguments], str(sym)))
            return
        for child in node.child_keys:
            value = getattr(node, child)
            for item in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(item, ast.AST):
                    atoms(item, positive)

    def on_stm(stm):
        if stm.ast_type != ast.ASTType.Rule:
            return
        head: list = []
        atoms(stm.head, head) if stm.head.ast_type == ast.ASTType.Literal else None
        body: list = []
        for lit in stm.body:
            atoms(lit, body)
        fixed = any(n == "violation" and len(a) > 1 and a[1] == f'"{rule}"' for n, a, _ in head)
        generic = any(n == "violation" and len(a) > 1 and a[1][:1].isupper() for n, a, _ in head)
        stms.append(([(n, len(a)) for n, a, _ in head], body, "fixed" if fixed else "generic" if generic else ""))

    ast.parse_files([str(f) for f in files], on_stm)
    from collections import deque

    seen: set[tuple[str, int]] = set()
    out, todo = [], deque(body for _, body, mine in sorted(stms, key=lambda s: s[2] != "fixed") if mine)
    while todo:
        for name, args, text in todo.popleft():
            out.append((name, args, text))
            if (name, len(args)) in seen:
                continue
            seen.add((name, len(args)))
            todo += [body for heads, body, _ in stms if (name, len(args)) in heads]
    return out

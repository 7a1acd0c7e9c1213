"""A loaded theory -> its programs checked before any persona meets them: clingo syntax errors and
unsafe variables (with file:line:column), `#script` blocks (arbitrary code in a rule file), and a
program with no answer set at all (an integrity constraint that forbids every persona would make
every persona look valid, since violations are derived, not forbidden)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import TheoryError

LOC = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+)(?:-\d+(?::\d+)?)?: (?P<kind>\w+): (?P<msg>.*)", re.S)
_SCRIPT = re.compile(r"^\s*#script\b", re.M)


def script_blocks(files: list[Path]) -> list[tuple[str, int]]:
    """(file, line) of every #script block."""
    out = []
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        out += [(str(f), text.count("\n", 0, m.start()) + 1) for m in _SCRIPT.finditer(text)]
    return out


def grounding_errors(theory) -> list[tuple[str, int, int, str]]:
    """(file, line, column, message) of every syntax error and unsafe variable clingo reports."""
    from .ground import raw_control

    msgs: list[str] = []
    try:
        ctl = raw_control(theory, "person(0).\n", logger=lambda code, m: msgs.append(m))
        ctl.ground([("base", [])])
    except RuntimeError:
        pass
    out = []
    for m in msgs:
        if (g := LOC.match(m)) and g["kind"] == "error":
            out.append((g["file"], int(g["line"]), int(g["col"]), " ".join(g["msg"].split())))
    return out


def has_answer_set(theory) -> bool:
    """Whether the rules admit any model for one persona with no facts (they should: rules derive
    violation/3; an integrity constraint over persona facts removes personas instead)."""
    from .ground import SHOW, raw_control

    ctl = raw_control(theory, "person(0).\n" + SHOW)
    ctl.ground([("base", [])])
    return ctl.solve().satisfiable


NO_ANSWER = (
    "the rules have no answer set for a persona: an integrity constraint (such as ':- person(P).') "
    'removes personas instead of deriving violation(P, "rule-id", Key); every persona would look valid'
)


def check(theory) -> None:
    """Raise TheoryError at the first problem (used when a theory is loaded for use). A theory whose
    files passed before (the same hash, the same clingo) is not checked again (hachimi/cache.py)."""
    from ..cache import cached

    cached("theory-checked", ("clingo",), (theory.hash,), lambda: _check(theory) or True)


def _check(theory) -> None:
    if blocks := script_blocks(theory.lp_files):
        f, line = blocks[0]
        raise TheoryError("#script blocks run arbitrary code and are not allowed in theory files", f, line)
    if errs := grounding_errors(theory):
        f, line, col, msg = errs[0]
        raise TheoryError(
            msg + (f" (and {len(errs) - 1} more; run hachimi theory lint)" if len(errs) > 1 else ""), f, line, col
        )
    if not has_answer_set(theory):
        raise TheoryError(NO_ANSWER, str(theory.root / "rules"))
    if unknown := unknown_rules(theory):
        rid, f, line, col = unknown[0]
        raise TheoryError(
            f"violation of rule '{rid}' which has no [[rule]] entry in theory.toml (its message, owner and "
            "citation live there)",
            f,
            line,
            col,
            rule=rid,
        )


def unknown_rules(theory) -> list[tuple[str, str, int, int]]:
    """(rule id, file, line, column) of every violation a rule file derives for a rule id that
    theory.toml does not describe (a validation would have no message or owner for it)."""
    return [
        (rid, loc.begin.filename, loc.begin.line, loc.begin.column)
        for rid, _, loc in ast_scan(theory.lp_files)[2]
        if rid not in theory.rules
    ]


def ast_scan(files: list[Path]):
    """(heads, bodies, violations, details): predicate uses with locations, rule ids derived."""
    from clingo import ast

    heads, bodies, violations, details = [], [], [], []

    class Visit(ast.Transformer):
        def visit_SymbolicAtom(self, node, where=None):
            sym = node.symbol
            if sym.ast_type == ast.ASTType.Function:
                (where if where is not None else bodies).append((sym.name, len(sym.arguments), sym.location))
            return node

    def on_stm(stm):
        if stm.ast_type != ast.ASTType.Rule:
            return
        v = Visit()
        head_atoms: list = []
        v(stm.head, where=head_atoms) if stm.head.ast_type == ast.ASTType.Literal else v(stm.head)
        heads.extend(head_atoms)
        for lit in stm.body:
            v(lit)
        for name, arity, loc in head_atoms:
            args = stm.head.atom.symbol.arguments
            if name not in ("violation", "detail") or len(args) < 2:
                continue
            fixed = args[1].ast_type == ast.ASTType.SymbolicTerm
            rid = str(args[1].symbol).strip('"') if fixed else "*"
            if name == "violation" and fixed:
                violations.append((rid, None, loc))
            elif name == "detail" and len(args) > 3:
                details.append((rid, str(args[3]), loc))

    ast.parse_files([str(f) for f in files], on_stm)
    return heads, bodies, violations, details

"""A theory folder -> lint findings: syntax, unsafe variables, unknown predicates, metadata vs rules."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..errors import TheoryError
from ..theory.pack import Theory, load
from .findings import Finding
from ..solve.program_check import NO_ANSWER, ast_scan, grounding_errors, has_answer_set, script_blocks

# Facts the reader gives every persona (besides the table's predicates): name -> arity
FACT_PREDICATES = {
    "person": 1,
    "missing": 2,
    "invalid_value": 2,
    "dup": 3,
    "multi_paragraph": 2,
    "list_marker": 2,
    "too_short": 2,
    "too_long": 2,
    "repeated_sentence": 2,
    "unmentioned": 3,
    "term": 4,
    "term_words": 5,  # message only: the words a stem term ("hospitali*") matched
    "matches": 2,
    "smt_bad": 3,
    "violation": 3,
    "detail": 5,
}


def check_predicates(theory) -> dict[str, int]:
    """name -> arity of the facts the theory's whole-persona checks can emit (from their domains)."""
    import clingo

    out = {}
    for mod, cfg in theory.text.checks.values():
        out.update(getattr(mod, "MESSAGE_FACTS", {}))  # facts a module emits only for messages
        for f in mod.domain(cfg):
            if f.pred not in out:
                out[f.pred] = len(clingo.parse_term(f.atom(0)).arguments)
    return out


def known_predicates(theory: Theory) -> dict[str, set[int]]:
    known: dict[str, set[int]] = {}
    for f in theory.schema.fields:
        if f.pred:
            known.setdefault(f.pred, set()).add(2 + len(f.extra))
    for line in theory.vocabulary.splitlines():
        name = line.split("(", 1)[0]
        known.setdefault(name, set()).add(line.count(",") + 1)
    for name, arity in FACT_PREDICATES.items():
        known.setdefault(name, set()).add(arity)
    return known


def _grounding_findings(theory: Theory) -> list[Finding]:
    """Syntax errors, unsafe variables and #script blocks, each with its place."""
    out = [
        Finding("error", f, line, 0, "#script blocks run arbitrary code and are not allowed in theory files")
        for f, line in script_blocks(theory.lp_files)
    ]
    return out + [Finding("error", f, line, col, msg) for f, line, col, msg in grounding_errors(theory)]


def lint(root: Path) -> list[Finding]:
    try:
        theory = load(root)
    except TheoryError as e:
        return [Finding("error", e.file or str(root), e.line or 0, e.column or 0, e.message, e.rule)]
    out = _grounding_findings(theory)
    if out:
        return out
    if not has_answer_set(theory):
        out.append(Finding("error", str(theory.root / "rules"), 0, 0, NO_ANSWER))
    heads, bodies, violations, details = ast_scan(theory.lp_files)
    known = known_predicates(theory)
    for name, arity in check_predicates(theory).items():  # facts of the [features.<check>] tables
        known.setdefault(name, set()).add(arity)
    for name, arity, _ in heads:
        known.setdefault(name, set()).add(arity)
    for name, arity, loc in bodies:
        if arity not in known.get(name, set()):
            close = difflib.get_close_matches(name, known, 1)
            hint = f" (did you mean {close[0]}/{min(known[close[0]])}?)" if close else ""
            out.append(
                Finding(
                    "error",
                    loc.begin.filename,
                    loc.begin.line,
                    loc.begin.column,
                    f"unknown predicate {name}/{arity}: no fact or rule defines it{hint}",
                )
            )
    out += _metadata_findings(theory, violations, details)
    from .lint_anchors import anchor_findings
    from .lint_pack import fixture_findings, prompt_findings

    return out + prompt_findings(theory) + anchor_findings(theory) + fixture_findings(theory)


def _metadata_findings(theory: Theory, violations, details) -> list[Finding]:
    toml = str(theory.root / "theory.toml")
    derived = {rid for rid, _, _ in violations} | {r.id for r in theory.smt_rules}
    out = [
        Finding(
            "error",
            loc.begin.filename,
            loc.begin.line,
            loc.begin.column,
            f"violation of rule '{rid}' which has no [[rule]] entry in theory.toml",
            rid,
        )
        for rid, _, loc in violations
        if rid not in theory.rules
    ]
    detail_names = {(rid, name) for rid, name, _ in details}
    for rule in theory.rules.values():
        where = rule.file or toml
        if rule.id not in derived:
            out.append(Finding("error", where, rule.line, 0, "no .lp or .smt2 rule derives this violation", rule.id))
        for name, problem in _placeholder_problems(rule, theory, detail_names):
            out.append(Finding("error", where, rule.line, 0, f"message placeholder {{{name}}} {problem}", rule.id))
    return out


def _placeholder_problems(rule, theory: Theory, detail_names: set) -> list[tuple[str, str]]:
    """(placeholder, what is wrong) for every placeholder of the rule's message that no violation
    of it can fill: a field path, {key}, or a detail its .lp derives with detail/5 (a numeric rule
    derives none). Written any other way ({x:>3}, {x!r}, {a[0]}) it would be shown as written."""
    from string import Formatter

    from ..explain.message import placeholders

    simple = set(placeholders(rule.message))
    out = []
    for _, name, spec, conv in Formatter().parse(rule.message):
        if name is None:
            continue
        if name not in simple or spec or conv:
            shown = name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
            out.append((shown, "is not filled in: write {field.path}, {key} or {detail} with no format or index"))
            continue
        if name == "key" or name in theory.schema.by_path:
            continue
        if (rule.id, name) in detail_names or ("*", name) in detail_names:
            continue
        known = sorted(n for r, n in detail_names if r == rule.id)
        out.append(
            (
                name,
                "is not a field path, {key}, or a detail derived for this rule with "
                f'detail(P, "{rule.id}", Key, {name}, Value)'
                + (f" (its details: {', '.join(known)})" if known else ""),
            )
        )
    return list(dict.fromkeys(out))

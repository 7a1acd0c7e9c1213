"""SMT-LIB2 numeric rules (named assertions over field paths) -> Z3 -> ASP violation tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import TheoryError
from ..schema.spec import FieldSpec, PersonaSchema

_NAMED = re.compile(r":named\s+([A-Za-z0-9_\-]+)\s*\)\s*\)\s*$", re.S)
_BANG = re.compile(r"^\(\s*assert\s*\(\s*!\s*(.*)$", re.S)
MAX_COMBINATIONS = 200_000


@dataclass
class SmtRule:
    id: str
    file: str
    line: int
    fields: list[str]  # declared field variables the assertion reads, in declaration order
    bad: list[tuple]  # value tuples (in field order) that falsify the assertion
    text: str
    # Minimal partial assignments that falsify it whatever the other fields hold: (indices into
    # `fields`, their values). A violation needs only these fields present, so a core names only
    # them; a field left out (absent) can no longer make the rule vacuous (absence is R7/R10's).
    partial: list[tuple[tuple[int, ...], tuple]]


def _sexprs(text: str) -> list[tuple[int, str]]:
    """Top-level s-expressions with their 1-based start line; comments removed."""
    out, depth, start, line, start_line, i = [], 0, 0, 1, 1, 0
    clean = re.sub(r";[^\n]*", "", text)
    for i, ch in enumerate(clean):
        if ch == "\n":
            line += 1
        elif ch == "(":
            if depth == 0:
                start, start_line = i, line
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                out.append((start_line, clean[start : i + 1]))
            if depth < 0:
                raise ValueError(f"line {line}: unbalanced ')'")
    if depth:
        raise ValueError(f"line {start_line}: unclosed '('")
    return out


def _encode(spec: FieldSpec, v):
    """Field value -> SMT integer (enums as their ordinal index, low -> high)."""
    return v if spec.kind in ("int", "count") else spec.domain.index(v)


def parse_file(path: Path, schema: PersonaSchema) -> list[SmtRule]:
    """The file's rules, tabulated by Z3. A file read before with the same text and the same field
    domains comes from the user's cache (hachimi/cache.py) without starting Z3."""
    from ..cache import cached

    text = path.read_text(encoding="utf-8")
    check_declarations(path, text, schema)  # before the cache: a table cached under other rules is no excuse
    domains = tuple(
        (f.path, f.kind, tuple(f.domain))
        for f in schema.fields
        if f.path in text and f.kind in ("int", "enum", "count")
    )
    rows = cached("smt-tables", ("z3-solver",), (text, str(path), domains), lambda: _rows(path, text, schema))
    return [
        SmtRule(r[0], r[1], r[2], list(r[3]), [tuple(b) for b in r[4]], r[5], [(tuple(i), tuple(v)) for i, v in r[6]])
        for r in rows
    ]


def _rows(path: Path, text: str, schema: PersonaSchema) -> list[tuple]:
    return [
        (r.id, r.file, r.line, tuple(r.fields), tuple(r.bad), r.text, tuple(r.partial))
        for r in _parse(path, text, schema)
    ]


def _exprs(path: Path, text: str) -> list[tuple[int, str]]:
    try:
        return _sexprs(text)
    except ValueError as e:
        raise TheoryError(str(e).split(": ", 1)[1], str(path), int(str(e).split()[1].rstrip(":"))) from None


_DECL = re.compile(r"^\(\s*declare-(const|fun)\s+(\S+)\s+(?:\(\s*\)\s+)?(.*?)\s*\)$", re.S)


def check_declarations(path: Path, text: str, schema: PersonaSchema) -> None:
    """Every declared constant is a numeric or enum persona field, declared Int: the rule is
    tabulated over the field's values as integers (an enum as its index on its scale, low -> high),
    and a constant of another sort (Real, Bool) would be a different variable the table never sets,
    silently a different rule."""
    by_path = schema.by_path
    for line, sx in _exprs(path, text):
        if not sx.startswith(("(declare-const", "(declare-fun")):
            continue
        m = _DECL.match(" ".join(sx.split()))
        name, sort = (m.group(2), m.group(3)) if m else (sx.split()[1] if len(sx.split()) > 1 else "?", "?")
        spec = by_path.get(name)
        if spec is None or spec.kind not in ("int", "enum", "count"):
            raise TheoryError(
                f"'{name}' is not a numeric or enum persona field (use a path such as enrollment.age)", str(path), line
            )
        if sort != "Int":
            what = (
                f"an enum field on the {spec.scale} scale (its index, 0..{len(spec.domain) - 1} low -> high)"
                if spec.kind == "enum"
                else f"an {spec.kind} field"
            )
            raise TheoryError(
                f"'{name}' is declared {sort}, but it is {what}, tabulated as an integer: write "
                f"(declare-const {name} Int)",
                str(path),
                line,
            )


def _parse(path: Path, text: str, schema: PersonaSchema) -> list[SmtRule]:
    import z3

    by_path = schema.by_path
    exprs = _exprs(path, text)
    decls, fields, rules = [], [], []
    for line, sx in exprs:
        if sx.startswith("(declare-const") or sx.startswith("(declare-fun"):
            name = sx.split()[1]
            decls.append(sx)
            fields.append(name)
        elif sx.startswith("(assert"):
            m, body = _NAMED.search(sx), _BANG.match(sx)
            if not m or not body:
                raise TheoryError("write each rule as (assert (! FORMULA :named rule-id))", str(path), line)
            formula = body.group(1)[: body.group(1).rfind(":named")].strip()
            try:
                expr = z3.parse_smt2_string("\n".join(decls) + f"\n(assert {formula})")[0]
            except z3.Z3Exception as e:
                raise _z3_error(e, decls, sx, formula, str(path), line, m.group(1)) from None
            rules.append(_tabulate(m.group(1), expr, [by_path[f] for f in fields], str(path), line, formula))
        elif not sx.startswith("(set-") and not sx.startswith("(check-sat"):
            raise TheoryError(f"unexpected command {sx.split()[0]}; use declare-const and assert", str(path), line)
    return rules


def _z3_error(e, decls: list[str], sx: str, formula: str, file: str, line: int, rule: str) -> TheoryError:
    """Z3's message (bytes, with a line and column in the string it was given) -> a TheoryError at
    the file's own line and column."""
    raw = e.value.decode(errors="replace") if isinstance(getattr(e, "value", None), bytes) else str(e)
    g = re.search(r'line (\d+) column (\d+): ([^"]*)', raw)
    if not g:
        return TheoryError(f"Z3 cannot parse the assertion: {raw.strip()}", file, line, rule=rule)
    zline, zcol, msg = int(g.group(1)), int(g.group(2)), g.group(3).strip()
    pre = sum(d.count("\n") + 1 for d in decls)  # lines before "(assert FORMULA)"
    start = sx.index(formula) if formula in sx else 0
    first_line = line + sx[:start].count("\n")
    first_col = start - (sx.rfind("\n", 0, start) + 1) + 1
    rel = zline - pre - 1  # line within the formula
    col = first_col + zcol - len("(assert ") if rel == 0 else zcol
    return TheoryError(f"Z3 cannot parse the assertion: {msg}", file, first_line + max(0, rel), max(1, col), rule=rule)


def _tabulate(rule_id: str, expr, fields: list[FieldSpec], file: str, line: int, text: str) -> SmtRule:
    """Enumerate with Z3 every field combination (in the fields' domains) that falsifies expr."""
    import z3

    specs = [f for f in fields if z3.Int(f.path) in set(z3.z3util.get_vars(expr))]
    used = [f.path for f in specs]
    size = 1
    for s in specs:
        size *= len(s.domain)
    if size > MAX_COMBINATIONS:
        raise TheoryError(
            f"reads {size} value combinations (max {MAX_COMBINATIONS}); split the rule", file, line, rule=rule_id
        )
    solver = z3.Solver()
    variables = [z3.Int(f) for f in used]
    for var, spec in zip(variables, specs):
        solver.add(z3.Or([var == _encode(spec, v) for v in spec.domain]))
    solver.add(z3.Not(expr))
    decode = [{_encode(s, v): v for v in s.domain} for s in specs]
    bad = []
    while solver.check() == z3.sat:
        model = solver.model()
        values = [model.eval(v, model_completion=True).as_long() for v in variables]
        bad.append(tuple(d[x] for d, x in zip(decode, values)))
        solver.add(z3.Or([v != x for v, x in zip(variables, values)]))
    bad = sorted(bad, key=str)
    return SmtRule(rule_id, file, line, used, bad, text, minimal_partials(bad, [list(s.domain) for s in specs]))


def minimal_partials(bad: list[tuple], domains: list[list]) -> list[tuple[tuple[int, ...], tuple]]:
    """The minimal partial assignments all of whose completions are in `bad` (the rule's prime
    implicants over field = value): for each set of fields (smallest first), each assignment to them
    every completion of which falsifies the rule and no sub-assignment of which does already."""
    from itertools import combinations, product

    bad_set, n, out = set(bad), len(domains), []
    for k in range(1, n + 1):
        for idx in combinations(range(n), k):
            rest = [i for i in range(n) if i not in idx]
            for values in product(*(domains[i] for i in idx)):
                fulls = []
                for other in product(*(domains[i] for i in rest)):
                    full = [None] * n
                    for i, v in zip(idx, values):
                        full[i] = v
                    for i, v in zip(rest, other):
                        full[i] = v
                    fulls.append(tuple(full))
                if all(f in bad_set for f in fulls) and not any(_restricts(p, idx, values) for p in out):
                    out.append((idx, values))
    return out


def _restricts(partial: tuple[tuple[int, ...], tuple], idx: tuple[int, ...], values: tuple) -> bool:
    """Whether `partial` is a sub-assignment of (idx, values)."""
    pidx, pvals = partial
    at = dict(zip(idx, values))
    return all(i in at and at[i] == v for i, v in zip(pidx, pvals))


def asp_program(rules: list[SmtRule], schema: PersonaSchema) -> str:
    """The ASP form of the tabulated rules: for each set of fields that alone can falsify a rule, an
    smt_bad/3 table of those fields' values and one violation rule over those fields only."""
    out = []
    for r in rules:
        specs = [schema.by_path[f] for f in r.fields]
        groups: dict[tuple[int, ...], list[tuple]] = {}
        for idx, values in r.partial:
            groups.setdefault(idx, []).append(values)
        for g, (idx, rows) in enumerate(sorted(groups.items())):
            args = ",".join(f"V{i}" for i in idx)
            out += [f'smt_bad("{r.id}",{g},({",".join(map(str, t))},)).' for t in rows]
            body = ", ".join(f"{specs[i].pred}({','.join(['P', *specs[i].extra, f'V{i}'])})" for i in idx)
            out.append(f'violation(P,"{r.id}",none) :- {body}, smt_bad("{r.id}",{g},({args},)).')
    return "\n".join(out) + "\n"


__all__ = ["SmtRule", "parse_file", "asp_program"]

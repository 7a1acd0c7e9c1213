"""fixtures/base.json + fixtures/cases.toml (and cases-<topic>.toml) -> per-rule pass/fail checks (`hachimi theory test`)."""

from __future__ import annotations

import copy
import json
import tomllib
from dataclasses import dataclass
from typing import Any

from ..errors import TheoryError
from ..theory.pack import Theory


@dataclass
class Case:
    rule: str
    expect: str  # "fail": the rule fires; "pass": it does not
    persona: dict
    name: str
    line: int
    file: str = "cases.toml"  # the case file it comes from (cases.toml or cases-<topic>.toml)


@dataclass
class Outcome:
    case: Case
    ok: bool
    fired: list[str]  # rule ids that fired on the case persona
    detail: str


def apply_patch(base: dict, set_: dict[str, Any], unset: list[str]) -> dict:
    """Copy of base with dotted paths set or removed (intermediate objects created as needed)."""
    out = copy.deepcopy(base)
    for path, value in set_.items():
        keys = path.split(".")
        cur = out
        for k in keys[:-1]:
            cur = cur.setdefault(k, {})
        cur[keys[-1]] = value
    for path in unset:
        keys, cur = path.split("."), out
        for k in keys[:-1]:
            cur = cur.get(k, {})
        cur.pop(keys[-1], None)
    return out


def load_cases(theory: Theory) -> list[Case]:
    """Every case of the theory and of those it extends (theirs first), each applied to this
    theory's fixtures/base.json: an extension must keep its parent's rules working."""
    folder = theory.root / "fixtures"
    base_path, cases_path = folder / "base.json", folder / "cases.toml"
    need = [base_path] if theory.parent else [base_path, cases_path]
    for p in need:
        if not p.is_file():
            raise TheoryError(
                "missing fixture file: every theory needs fixtures/base.json (a valid "
                "persona) and fixtures/cases.toml (per-rule pass/fail cases)",
                str(p),
            )
    base = base_persona(theory)
    cases: list[Case] = []
    for root in reversed(theory.roots):
        own = root / "fixtures"
        files = [own / "cases.toml"] if (own / "cases.toml").is_file() else []
        for path in [*files, *sorted(own.glob("cases-*.toml"))]:
            cases += _cases_in(path, theory, base, len(cases))
    return cases


def _cases_in(cases_path, theory: Theory, base: dict, start: int) -> list[Case]:
    """The [[case]] entries of one case file (cases.toml, or cases-<topic>.toml beside it)."""
    text = cases_path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TheoryError(f"TOML syntax: {e}", str(cases_path))
    cases, search = [], 0
    for i, c in enumerate(raw.get("case", []), start):
        search = text.find("[[case]]", search) + 1
        line = text.count("\n", 0, search) + 1
        if c.get("rule") not in theory.rules:
            raise TheoryError(f"case names unknown rule {c.get('rule')!r}", str(cases_path), line)
        if c.get("expect") not in ("pass", "fail"):
            raise TheoryError("expect must be 'pass' or 'fail'", str(cases_path), line, rule=c["rule"])
        _check_paths(c, theory, str(cases_path), text, search, line)
        persona = apply_patch(base, c.get("set", {}), c.get("unset", []))
        persona["id"] = f"{c['rule']}-{c['expect']}-{i}"
        own = cases_path.parent.parent == theory.root
        label = cases_path.name if own else f"{cases_path.parent.parent.name}/{cases_path.name}"
        cases.append(Case(c["rule"], c["expect"], persona, c.get("name", persona["id"]), line, label))
    return cases


def known_paths(theory: Theory) -> set[str]:
    """The paths a case may set or unset: every field of the persona format, every object above
    one (a part, "values.levels"), and the id."""
    paths = {"id"}
    for p in theory.schema.by_path:
        parts = p.split(".")
        paths.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return paths


def _check_paths(case: dict, theory: Theory, file: str, text: str, start: int, line: int) -> None:
    """A path that is no field of the persona would only add a stray key, and the case would fail
    for a reason it does not state (or pass without testing anything): refuse it where it is written."""
    import difflib

    set_, unset = case.get("set", {}), case.get("unset", [])
    if not isinstance(set_, dict) or not isinstance(unset, list):
        raise TheoryError(
            "set is a table of field path = value, unset a list of field paths", file, line, rule=case["rule"]
        )
    known = known_paths(theory)
    for key, path in [("set", p) for p in set_] + [("unset", p) for p in unset]:
        if path in known:
            continue
        at = text.find(f'"{path}"', start)
        where = text.count("\n", 0, at) + 1 if at >= 0 else line
        close = difflib.get_close_matches(str(path), known, 1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise TheoryError(
            f"{key} names {path!r}, which is no field of the persona format; {hint}"
            f"`hachimi theory vocab {theory.root}` lists the fields",
            file,
            where,
            rule=case["rule"],
        )


def coverage_gaps(theory: Theory, cases: list[Case]) -> list[str]:
    have = {(c.rule, c.expect) for c in cases}
    return [f"{rid}: no '{kind}' case" for rid in theory.rules for kind in ("pass", "fail") if (rid, kind) not in have]


def run(theory: Theory, cases: list[Case] | None = None) -> tuple[list[Outcome], list[str]]:
    """Validate the base persona and every case; returns outcomes and coverage gaps."""
    from ..validate import Validator

    cases = cases if cases is not None else load_cases(theory)
    validator = Validator(theory, explain=False, repair=False)
    results = list(validator.validate_objects([c.persona for c in cases]))
    outcomes = []
    for case, r in zip(cases, results):
        fired = sorted({v.rule for v in r.violations})
        if r.error:
            outcomes.append(Outcome(case, False, [], f"unreadable: {r.error['reason']}"))
            continue
        ok = (case.rule in fired) == (case.expect == "fail")
        detail = (
            ""
            if ok
            else (
                f"expected {case.rule} to fire"
                if case.expect == "fail"
                else f"{case.rule} fired: " + "; ".join(v.message for v in r.violations if v.rule == case.rule)
            )
        )
        outcomes.append(Outcome(case, ok, fired, detail))
    _explain_lost(theory, outcomes)
    return outcomes, coverage_gaps(theory, cases)


def _explain_lost(theory: Theory, outcomes: list[Outcome]) -> None:
    """An inherited rule's fail case that did not fire: say why when this pack can no longer fire
    the rule at all (a [features] entry it replaced or removed), not just that it did not fire."""
    missed = {o.case.rule for o in outcomes if not o.ok and o.case.expect == "fail"}
    if theory.parent is None or not missed & set(theory.parent.rules):
        return
    from .consistency import Checker
    from .inherited import lost_rules

    dead = [r for r in Checker(theory).dead() if r in missed]
    causes = {x.rule: x.cause for x in lost_rules(theory, dead)}
    for o in outcomes:
        if not o.ok and o.case.expect == "fail" and o.case.rule in causes:
            o.detail += f": {theory.name} can no longer fire it; {causes[o.case.rule]}"


def base_persona(theory: Theory) -> dict:
    """fixtures/base.json, checked: present, UTF-8, JSON, an object."""
    path = theory.root / "fixtures" / "base.json"
    if not path.is_file():
        raise TheoryError("missing fixture file: every theory needs fixtures/base.json (a valid persona)", str(path))
    try:
        base = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise TheoryError(f"not UTF-8 (byte {e.start + 1})", str(path)) from None
    except json.JSONDecodeError as e:
        raise TheoryError(f"not JSON: {e.msg}", str(path), e.lineno, e.colno) from None
    if not isinstance(base, dict):
        raise TheoryError("must hold one JSON object (a valid persona)", str(path))
    return base

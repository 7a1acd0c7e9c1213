"""`hachimi theory lint|test|check|vocab`: tools for theory authors (no Python needed)."""

from __future__ import annotations

import json
import sys

import click
from pathlib import Path

from .options import format_option

THEORY = click.argument("folder", default="k12")


def _load(folder: str):
    from ..theory.locate import locate
    from ..theory.pack import load

    return load(locate(folder))


@click.group()
def theory():
    """Author and check a theory: a folder with theory.toml, rules/*.lp, numeric/*.smt2, fixtures/."""


@theory.command("lint")
@THEORY
@format_option()
def lint_cmd(folder, fmt):
    """Syntax, unsafe variables, #script, unknown predicates, an answer set, metadata vs rules,
    message templates and placeholders, theory.toml types and keys; each finding with file:line:col."""
    from ..authoring.lint import lint
    from ..theory.locate import locate

    findings = lint(locate(folder))
    errors = sum(f.severity == "error" for f in findings)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "theory": folder,
                    "clean": not findings,
                    "errors": errors,
                    "warnings": len(findings) - errors,
                    "findings": [dict(vars(f)) for f in findings],
                },
                indent=1,
            )
        )
        sys.exit(1 if errors else 0)
    for f in findings:
        click.echo(str(f))
    click.echo(f"{folder}: {errors} error(s), {len(findings) - errors} warning(s)" if findings else f"{folder}: clean")
    sys.exit(1 if errors else 0)


@theory.command("test")
@THEORY
@click.option("-v", "--verbose", is_flag=True, help="List passing cases too.")
@format_option()
def test_cmd(folder, verbose, fmt):
    """Run every rule's pass and fail fixtures (fixtures/cases.toml and cases-<topic>.toml applied to fixtures/base.json)."""
    from ..authoring.fixtures import base_persona, run
    from ..validate import Validator

    th = _load(folder)
    base = next(Validator(th, explain=False, repair=False).validate_objects([base_persona(th)]))
    bad_base = [v.rule for v in base.violations] or ([base.error["reason"]] if base.error else [])
    outcomes, gaps = run(th)
    failed = sum(not o.ok for o in outcomes)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "theory": folder,
                    "cases": len(outcomes),
                    "passed": len(outcomes) - failed,
                    "failed": failed,
                    "gaps": gaps,
                    "base_violations": bad_base,
                    "outcomes": [
                        {
                            "rule": o.case.rule,
                            "expect": o.case.expect,
                            "name": o.case.name,
                            "file": o.case.file,
                            "line": o.case.line,
                            "ok": o.ok,
                            "fired": o.fired,
                            "detail": o.detail,
                        }
                        for o in outcomes
                    ],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        sys.exit(1 if failed or gaps or bad_base else 0)
    if bad_base:
        click.echo(f"fixtures/base.json must be fully valid; it violates: {', '.join(bad_base)}")
    for o in outcomes:
        if verbose or not o.ok:
            mark = click.style("ok  ", fg="green") if o.ok else click.style("FAIL", fg="red", bold=True)
            click.echo(
                f"{mark} {o.case.rule:<24} {o.case.expect:<4} {o.case.name}  ({o.case.file}:{o.case.line})"
                + (f"\n       {o.detail}" if o.detail else "")
            )
    for g in gaps:
        click.echo(click.style("gap ", fg="yellow") + g)
    click.echo(
        f"{len(outcomes)} cases over {len(th.rules)} rules: {len(outcomes) - failed} passed, "
        f"{failed} failed; {len(gaps)} coverage gap(s)"
    )
    sys.exit(1 if failed or gaps or bad_base else 0)


@theory.command("check")
@THEORY
@format_option()
def check_cmd(folder, fmt):
    """Find rule sets no persona can satisfy (per slot cell and age: k12 walks grade, gender, target
    level and age), values no persona can have at all, and rules that never fire; for a theory that extends another, each
    inherited rule it can no longer fire, with the [features] entry it replaced or removed."""
    from ..authoring.check import check

    rep = check(_load(folder))
    if fmt == "json":
        click.echo(json.dumps(rep.to_dict(), indent=1))
        sys.exit(0 if rep.clean else 1)
    for c in rep.contradictions:
        cell = ", ".join(f"{v} {c[v]}" for v in rep.walked)
        click.echo(f"contradiction: {cell}: {' + '.join(c['rules'])} cannot all hold")
    for variable, values in rep.blocked.items():
        for x, rules in values.items():
            click.echo(f"no persona with {variable} {x} is possible: blocked by {' + '.join(rules)}")
    lost = {x["rule"]: x for x in rep.lost_rules}
    for r in rep.dead_rules:
        click.echo(f"error: {lost[r]['message']}" if r in lost else f"dead rule: {r} can never fire")
    if rep.parent:
        alive = sum(rep.inherited.values())
        click.echo(
            f"inherited from {rep.parent}: {len(rep.inherited)} rules, {alive} can still fire"
            + (f", {len(rep.inherited) - alive} cannot" if alive < len(rep.inherited) else "")
        )
    excluded = (
        f"; {sum(map(len, rep.excluded.values()))} {rep.walked[0]}/{rep.walked[-1]} pairs no persona has "
        "(single rules, expected)"
        if rep.excluded
        else ""
    )
    click.echo(
        f"checked {rep.checked} {'/'.join(rep.walked) or 'no'} combinations{excluded}; "
        f"contradictions: {len(rep.contradictions)}; values no persona can have: "
        f"{sum(map(len, rep.blocked.values()))}; dead rules: {len(rep.dead_rules)} -> "
        f"{'clean' if rep.clean else 'NOT clean'}"
    )
    sys.exit(0 if rep.clean else 1)


@theory.command("new")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--extends", "base", default="k12", show_default=True, help="The theory it starts from.")
@format_option("the files written as one JSON document")
def new_cmd(folder: Path, base: str, fmt):
    """Create a theory folder that extends another: theory.toml, schema.toml, rules/, fixtures/ and
    prompts/, each file documented. Then edit them and run `hachimi theory lint|test|check FOLDER`."""
    from ..errors import HachimiError
    from ..fsio import cleaned_on_error
    from ..authoring.scaffold import create

    try:
        with cleaned_on_error(folder):  # a disk that fills half way leaves no half-made theory
            written = create(folder, base)
    except HachimiError as e:
        click.echo(f"hachimi: error: {e}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps({"folder": str(folder), "extends": base, "written": [str(p) for p in written]}))
        return
    for p in written:
        click.echo(f"wrote {p}")
    click.echo(f"next: edit {folder}/schema.toml and {folder}/rules/, then: hachimi theory lint {folder}")


@theory.command("vocab")
@THEORY
def vocab_cmd(folder):
    """The facts a rule can use: one line per persona field, plus features and vocabulary."""
    from ..authoring.lint import FACT_PREDICATES

    t = _load(folder)
    click.echo("% persona fields (P is the persona):")
    for f in t.schema.fields:
        if f.pred:
            args = ", ".join(["P", *f.extra, "V"])
            dom = f"{f.domain[0]}..{f.domain[-1]}" if f.kind in ("int", "count") else " | ".join(map(str, f.domain))
            click.echo(f"{f.pred}({args})".ljust(44) + f"% {f.path} ({f.kind}: {dom}) owner {f.owner}")
    click.echo("% features of every persona:")
    for name, arity in FACT_PREDICATES.items():
        click.echo(f"{name}/{arity}")
    names = sorted({line.split("(")[0] + "/" + str(line.count(",") + 1) for line in t.vocabulary.splitlines()})
    click.echo("% vocabulary (schema.toml): " + ", ".join(names))

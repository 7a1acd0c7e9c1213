"""`hachimi audit`: why a persona was rejected or revised, rule statistics, failed slots, external files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import HachimiError


@click.command("audit")
@click.argument("run", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.argument("persona_id", required=False)
@click.option("--rules", "rules", is_flag=True, help="Rule firing counts and rates (first-pass proposals).")
@click.option(
    "--by",
    default=None,
    help="Grouping for --rules: a slot variable of the run's theory (k12: grade, gender, "
    "academic_level), agent or round [default: the first slot variable].",
)
@click.option("--failed", is_flag=True, help="Slots that ran out of attempts, and why.")
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Explain a persona from any v1 file.",
)
@click.option("--id", "ext_id", help="With --file: the persona id to explain (default: the first line).")
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a searchable HTML page of rejected attempts and their cores.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--theory",
    "theory_name",
    default=None,
    help="Theory for --file [default: RUN's theory (run.json), else k12].",
)
def audit_cmd(run, persona_id, rules, by, failed, file, ext_id, html_out, fmt, theory_name):
    """Why was a persona rejected or revised? RUN is a run folder.

    \b
      hachimi audit runs/big g07-female-low-000123   one persona's whole story, attempt by attempt
      hachimi audit runs/big --rules --by grade      which rules fire most, per slot variable/agent/round
      hachimi audit runs/big --failed                slots that ran out of budget, and why
      hachimi audit --file theirs.jsonl --id X [RUN] validate any v1 persona; near-duplicates in RUN
    The run's attempts.jsonl is indexed in RUN/audit.sqlite (kept up to date: each audit reads only the lines appended since; query it with SQL).
    """
    from ..audit import render, views

    if file:
        from ..store.run_theory import theory_of

        return _external(file, ext_id, run, fmt, theory_of(run, theory_name, _warn))
    if run is None:
        raise HachimiError("give a run folder (or --file FILE); see hachimi audit --help")
    from ..audit.store import build
    from ..fsio import atomic_path, os_errors

    problems: list[str] = []
    with os_errors(run / "audit.sqlite"):  # a read-only run folder is audited through the user cache
        db = build(run, problems)
    for line in problems:
        click.echo(f"warning: {run / line}", err=True)
    if html_out:
        from ..audit.html import render as render_html

        with atomic_path(html_out) as tmp:
            render_html(db, tmp, str(run))
        click.echo(f"audit page: {html_out}", err=True)
        if not (rules or failed or persona_id):
            return
    if rules:
        keys = views.group_keys(db)
        if by is not None and by not in keys:
            raise click.BadParameter(
                f"{by!r}: this run's attempts can be grouped by {', '.join(keys)}", param_hint="--by"
            )
        out = views.rule_stats(db, by or keys[0])
        click.echo(json.dumps(out, ensure_ascii=False, indent=1) if fmt == "json" else render.rules_text(out))
    elif failed:
        out = views.failed(db)
        click.echo(
            json.dumps(out, ensure_ascii=False, indent=1)
            if fmt == "json"
            else "\n".join(f"{r['persona']}: {r['attempts']} attempt(s): {r['reasons']}" for r in out)
            or "no failed slots"
        )
    elif persona_id:
        try:
            s = views.story(db, persona_id)
        except KeyError:
            raise HachimiError(f"no persona {persona_id!r} in {run}/attempts.jsonl")
        click.echo(json.dumps(s, ensure_ascii=False, indent=1) if fmt == "json" else render.story_text(s))
    else:
        raise HachimiError("say what to audit: a PERSONA_ID, --rules or --failed")


def _external(file: Path, pid: str | None, run: Path | None, fmt: str, theory) -> None:
    from ..cli.report_text import block
    from ..dedup.simhash import distance, fingerprint
    from ..dedup.text import compared_fields, narrative_text
    from ..jsonio import LineError, records, text_lines
    from ..validate import Validator

    found = next(((n, t) for n, t in text_lines(file) if isinstance(t, str) and t.strip() and _is(t, pid)), None)
    if found is None:
        raise HachimiError(f"no persona with id {pid!r} in {file}")
    n, line = found
    r = next(Validator(theory).validate_lines([line], start=n))
    fields = compared_fields(theory.schema)
    near = []
    if run and r.error is None:
        fp = fingerprint(narrative_text(json.loads(line), fields))
        near = []  # the run's personas streamed: only the near ones are kept
        for _, p in records(run / "personas.jsonl", need_id=True):
            if not isinstance(p, LineError) and (d := distance(fp, fingerprint(narrative_text(p, fields)))) <= 3:
                near.append({"id": p["id"], "distance": d})
    if fmt == "json":
        click.echo(json.dumps({**r.to_dict(), "near_duplicates": near}, ensure_ascii=False, indent=1))
    else:
        click.echo(block(r, True) or f"line {r.line}  {r.id}  valid, no violations")
        if run:
            click.echo(
                f"near-duplicates in {run}: "
                + (", ".join(f"{n['id']} (distance {n['distance']})" for n in near) or "none")
            )
    sys.exit(0 if r.valid else 1)


def _is(line: str, pid: str | None) -> bool:
    """Whether a line is the persona `pid` (the first one when no id is given); a line that is not
    JSON is matched by the id's text, so that its problems can still be explained."""
    if pid is None:
        return True
    try:
        obj = json.loads(line)
    except ValueError:
        return f'"{pid}"' in line
    return isinstance(obj, dict) and obj.get("id") == pid


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)

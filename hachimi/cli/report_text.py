"""Validation Results and report tables -> human-readable text (one block per persona with problems;
the population-realism table of `hachimi report`)."""

from __future__ import annotations

import click

from ..validate import Result


def block(r: Result, warnings: bool) -> str | None:
    """Text block for one result, or None when there is nothing to say."""
    if r.error:
        col = f", column {r.error['column']}" if r.error.get("column") else ""
        return click.style(f"line {r.line}{col}: unreadable: ", fg="red", bold=True) + r.error["reason"]
    shown = [v for v in r.violations if v.severity == "error" or warnings]
    if not shown:
        return None
    head = click.style(
        "INVALID" if not r.valid else "valid, with warnings", fg="red" if not r.valid else "yellow", bold=True
    )
    lines = [f"line {r.line}  {r.id or '(no id)'}  {head}"]
    for v in shown:
        mark = click.style("✗", fg="red") if v.severity == "error" else click.style("!", fg="yellow")
        lines.append(f"  {mark} {v.ref} {v.rule} [{v.owner}]: {v.message}")
        if v.core:
            lines.append(f"      core: {', '.join(v.core)}")
    if r.repair and r.repair["changes"]:
        ch = "; ".join(f"{c['field']} {c['from']} -> {c['to']}" for c in r.repair["changes"])
        lines.append(f"  repair: {ch}  (fixes {', '.join(r.repair['fixes']) or 'nothing'})")
    if r.repair and r.repair["unfixable"]:
        lines.append(f"  not fixable by changing structured fields: {', '.join(r.repair['unfixable'])}")
    return "\n".join(lines)


def summary(counts: dict, seconds: float) -> str:
    rate = counts["total"] / seconds if seconds > 0 else 0.0
    return (
        f"{counts['total']} lines: {counts['valid']} valid, {counts['invalid']} invalid, "
        f"{counts['unreadable']} unreadable; {counts['warnings']} with warnings "
        f"({seconds:.2f} s, {rate:,.0f} personas/s)"
    )


def _cell(s: dict) -> str:
    text = f"{s['share']:4.0%} [{s['ci'][0] * 100:.0f}-{s['ci'][1] * 100:.0f}%] n={s['n']}"
    return text + ("" if s["judged"] else "*")


def population(pop: dict) -> str:
    """The "Population realism" table of `hachimi report`: one row per measure of the theory's
    realism.toml, one column per level of its `by` field, then the verdicts and the split measure
    by level x the split field (a note where the theory declares no measures)."""
    title = click.style("Population realism", bold=True)
    if not pop.get("measures"):
        return f"{title}: {pop.get('note', 'not measured')}"
    measures = pop["measures"]
    levels = pop["by"]["values"]
    names = {k: f"{m['label']} ({m['unit']})" for k, m in measures.items()}
    width = max(map(len, names.values())) + 2
    head = "measure".ljust(width) + "".join(str(lv).ljust(22) for lv in levels)
    lines = [title + f" ({pop['ci']})", head]
    for m in measures.values():
        lines.append(
            f"{m['label']} ({m['unit']})".ljust(width) + "".join(_cell(m["by_level"][lv]).ljust(22) for lv in levels)
        )
    lines.append("* fewer than {} personas: too few to judge".format(pop["thresholds"]["min_n"]))
    if s := pop.get("split"):
        table = pop[s["table"]]
        lines.append(f"{measures[s['measure']]['label']}, by level x {s['label']}:")
        for g in next(iter(table.values())):
            lines.append(f"  {g}".ljust(width) + "".join(_cell(table[lv][g]).ljust(22) for lv in levels))
    lines.append("verdicts (expected trend per measure; thresholds are heuristics):")
    for key, m in measures.items():
        colour = {"plausible": "green", "implausible": "red"}.get(m["verdict"], "yellow")
        lines.append(f"  {key} ({m['direction']}): " + click.style(m["message"], fg=colour))
    if pop["unplaced"]:
        lines.append(f"{pop['unplaced']} personas have no known {pop['by']['label']} and are left out")
    return "\n".join(lines)

"""Validation Results -> the human-readable report (one block per persona with problems)."""

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

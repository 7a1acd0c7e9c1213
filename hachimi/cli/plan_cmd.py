"""`hachimi plan PLAN --n N`: the exact allocation per cell and its feasibility proof, before any model."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from .options import format_option


@click.command("plan")
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--n", "n", type=click.IntRange(1), required=True, help="Personas to allocate.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--theory", "theory_name", default="k12", show_default=True)
@click.option("--cells", is_flag=True, help="Print every cell, not only the marginals.")
@format_option("cells (variables, count, ideal), marginals and impossible cells as one document")
def plan_cmd(plan_file, n, seed, theory_name, cells, fmt):
    """Allocate N personas over PLAN_FILE's cells exactly and prove each cell feasible.

    Prints the per-value marginals (planned counts sum to N and match every marginal to the nearest
    integer), the cells the theory makes impossible with the rules that block them, and exits 1 if
    any planned share falls on an impossible cell.
    """
    from ..theory.locate import locate
    from ..theory.pack import load

    from ..population.prepare import prepare

    theory = load(locate(theory_name))
    plan, counts, feas = prepare(plan_file, n, seed, theory)
    if fmt == "json":
        names = list(plan.variables)
        marginals = {}
        for i, var in enumerate(names):
            marginals[var] = {
                str(v): {
                    "count": sum(k for c, k in counts.items() if c[i] == v),
                    "ideal": round(sum(w for c, w in plan.weights.items() if c[i] == v) * n, 4),
                }
                for v in plan.variables[var]
            }
        click.echo(
            json.dumps(
                {
                    "plan": plan.name,
                    "file": str(plan_file),
                    "n": sum(counts.values()),
                    "seed": seed,
                    "cells": [
                        {"variables": dict(zip(names, c)), "count": k, "ideal": round(plan.weights[c] * n, 4)}
                        for c, k in counts.items()
                    ],
                    "marginals": marginals,
                    "impossible": [
                        {"variables": dict(zip(names, c)), "blocked_by": rules} for c, rules in feas.impossible.items()
                    ],
                    "checked": feas.checked,
                },
                indent=1,
            )
        )
        sys.exit(1 if feas.impossible else 0)
    click.echo(
        f"plan {plan.name} ({plan_file}): {len(plan.weights)} cells, {sum(1 for c in counts.values() if c)} "
        f"with personas, N = {sum(counts.values())}"
    )
    for i, var in enumerate(plan.variables):
        marg = Counter()
        for c, k in counts.items():
            marg[c[i]] += k
        ideal = Counter()
        for c, w in plan.weights.items():
            ideal[c[i]] += w * n
        click.echo(f"  {var:<15}" + "  ".join(f"{v}: {marg[v]} ({ideal[v]:.1f})" for v in plan.variables[var]))
    if cells:
        for c, k in counts.items():
            click.echo(f"  {plan.cell_label(c):<60} {k:>6}   ideal {plan.weights[c] * n:8.2f}")
    for c, rules in feas.impossible.items():
        click.echo(f"impossible: {plan.cell_label(c)} is blocked by {' + '.join(rules)}")
    click.echo(
        f"feasibility: {feas.checked} cell/stratum combinations checked against theory {theory.name}; "
        f"{len(feas.impossible)} impossible"
    )
    sys.exit(1 if feas.impossible else 0)

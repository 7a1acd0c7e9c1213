"""Run folder -> report/ (metrics.json, PNG plots, index.html) and report/dataset/ (HF datasets folder)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import InputError
from ..jsonio import LineError, read_jsonl, read_records, records  # noqa: F401  (the one JSONL reader)


def build(run: Path, theory, out: Path | None = None, progress=None, sample: int | None = None) -> dict:
    """`progress(total, label)`: a context manager yielding advance(n) (cli/progress.py), or None.
    personas.jsonl is read twice, line by line (the metrics' tally, then the re-validation, in
    worker processes on a large run); attempts.jsonl once."""
    from contextlib import nullcontext

    from ..dedup.text import compared_fields
    from . import dataset, html, metrics, plots, tally

    if not (run / "run.json").exists():
        raise InputError(f"{run} is not a run folder (no run.json); make one with `hachimi generate --out {run}`")
    bar = progress or (lambda total, label: nullcontext(lambda n: None))
    out = out or run / "report"
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    personas_file = run / "personas.jsonl"
    total = count_lines(personas_file)
    cell_of, plan_error = _planned(manifest, theory)
    notes: list[str] = []
    from ..dedup.vectors import beside

    t = tally.Tally(
        theory,
        compared_fields(theory.schema),
        cell_of,
        sample=tally.SAMPLE if sample is None else sample,
        cache_file=beside(personas_file),
    )
    writer = dataset.Writer(out / "dataset", manifest, theory)
    with bar(total, "report: reading personas") as advance:
        for n, p in records(personas_file) if personas_file.exists() else ():
            if isinstance(p, LineError):  # a torn last line after a crash: the rest still counts
                notes.append(f"personas.jsonl:{n}: {p}; left out of the report")
            else:
                t.add(p)
                writer.add(p)
            advance(1)
    writer.close()
    with bar(t.n, "report: validating") as advance:
        validation = revalidate(personas_file, theory, t.n, advance)
    stats = metrics.AttemptStats()
    with bar(None, "report: reading attempts") as advance:
        for n, e in records(run / "attempts.jsonl") if (run / "attempts.jsonl").exists() else ():
            if isinstance(e, LineError):
                notes.append(f"attempts.jsonl:{n}: {e}; left out of the counts")
            else:
                stats.add(e)
            advance(1)
    manifest, recount_notes = recount(manifest, t, plan_error)
    with bar(None, "report: sampled metrics (embeddings, Self-BLEU)") as advance:
        corpus = t.result()
    m = metrics.compute(corpus, validation, stats, manifest)
    m["notes"] = recount_notes + notes
    m["population"] = t.population.table()
    (out / "metrics.json").write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    pngs = [plots.quota(m, out), plots.rules(m, out), plots.levels(t.levels, out, m["population"])]
    from ..audit import html as audit_html
    from ..audit.store import build as build_store

    audit_html.render(build_store(run), out / "audit.html", str(run))
    surveys = sorted(  # survey folders inside the run (hachimi survey administer/compare), relative to out
        os.path.relpath(p.parent / "report" / "index.html", out)
        for p in run.glob("*/survey.json")
        if (p.parent / "report" / "index.html").is_file()
    )
    html.render(
        m,
        manifest,
        pngs,
        out,
        audit_link="audit.html",
        population_png=plots.population(m["population"], out),
        survey_links=surveys,
    )
    return m


PARALLEL_FROM = 2000  # personas from which the re-validation runs in worker processes


def revalidate(path: Path, theory, n: int, advance=lambda k: None):
    """The accepted personas validated again, streamed (one chunk per worker in flight)."""
    from ..jsonio import dumps
    from ..parallel import default_jobs, validate_parallel
    from .metrics import Validation

    v = Validation()
    lines = (dumps(p) for _, p in records(path) if not isinstance(p, LineError)) if path.exists() else iter(())
    for r in validate_parallel(theory, lines, default_jobs() if n >= PARALLEL_FROM else 1, repair=False):
        v.add(r)
        advance(1)
    return v


def count_lines(path: Path) -> int:
    """Lines in a file, counted in 1 MiB blocks (the progress bar's total)."""
    if not path.exists():
        return 0
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
    return n


def _planned(manifest: dict, theory) -> tuple[dict | None, str]:
    """Planned id -> cell, or None and why when the planned slots cannot be rebuilt."""
    try:
        return _cell_of(manifest, theory), ""
    except Exception as e:  # the plan file moved or changed: each persona's recorded cell (slot.cell)
        return None, str(e)


def recount(manifest: dict, t, plan_error: str = "") -> tuple[dict, list[str]]:
    """The manifest with each cell's realised count and shortfall recomputed from personas.jsonl
    (the file is the truth: run.json may be stale, or the file cut down by hand), and notes where
    the two disagree. `t`: the report's tally of the personas (tally.Tally)."""
    cells = manifest.get("cells", {})
    ident = manifest.get("identity", {})
    notes = []
    if t.cell_of is not None:
        realised = t.realised
    elif t.unrecorded:
        return manifest, [f"quota figures are run.json's: the planned slots could not be rebuilt ({plan_error})"]
    else:
        realised = t.recorded
        notes.append(
            f"quota figures from the cells the personas record (the planned slots could not be rebuilt: {plan_error})"
        )
    new_cells = {}
    for cell, c in cells.items():
        r = realised.get(cell, 0)
        if r != c.get("realised"):
            notes.append(f"{cell}: run.json says {c.get('realised')} realised, personas.jsonl has {r}")
        new_cells[cell] = {**c, "realised": r, "shortfall": max(0, c["planned"] - r)}
    if realised.get("(not a planned id)"):
        notes.append(f"{realised['(not a planned id)']} personas in personas.jsonl have ids this run never planned")
    if ident.get("n") is not None and t.n != manifest.get("counts", {}).get("accepted", t.n):
        notes.append(f"run.json counts {manifest['counts'].get('accepted')} accepted, personas.jsonl holds {t.n}")
    return {**manifest, "cells": new_cells}, notes


def _cell_of(manifest: dict, theory) -> dict[str, str]:
    ident = manifest["identity"]
    plan = manifest.get("plan")
    from ..population.prepare import planned_slots

    prepared = planned_slots(theory, ident["n"], ident["seed"], Path(plan["file"]) if plan else None)
    if plan and prepared.plan.hash != plan["hash"]:
        raise ValueError(f"{plan['file']} changed since the run")
    return {p.id: p.cell for p in prepared.slots}

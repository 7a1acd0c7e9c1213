"""Run folder -> report/ (metrics.json, PNG plots, index.html) and report/dataset/ (HF datasets folder)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import InputError
from ..jsonio import LineError, read_jsonl, read_records, records  # noqa: F401  (the one JSONL reader)


def build(run: Path, theory, out: Path | None = None) -> dict:
    from ..validate import Validator
    from . import dataset, html, metrics, plots, population

    if not (run / "run.json").exists():
        raise InputError(f"{run} is not a run folder (no run.json); make one with `hachimi generate --out {run}`")
    out = out or run / "report"
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    personas = read_jsonl(run / "personas.jsonl")
    stats, skipped = metrics.AttemptStats(), []
    for n, e in records(run / "attempts.jsonl") if (run / "attempts.jsonl").exists() else ():
        if isinstance(e, LineError):  # a torn last line after a crash: the rest still counts
            skipped.append(f"attempts.jsonl:{n}: {e}; left out of the counts")
        else:
            stats.add(e)
    manifest, notes = recount(manifest, personas, theory)
    m = metrics.compute(personas, stats, manifest, Validator(theory))
    notes += skipped
    m["notes"] = notes
    m["population"] = population.table(personas, theory)
    (out / "metrics.json").write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    pngs = [plots.quota(m, out), plots.rules(m, out), plots.levels(personas, out, theory.schema, m["population"])]
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
    dataset.write(personas, manifest, out / "dataset", theory)
    return m


def recount(manifest: dict, personas: list[dict], theory) -> tuple[dict, list[str]]:
    """The manifest with each cell's realised count and shortfall recomputed from personas.jsonl
    (the file is the truth: run.json may be stale, or the file cut down by hand), and notes where
    the two disagree."""
    from collections import Counter

    cells = manifest.get("cells", {})
    ident = manifest.get("identity", {})
    from ..schema.spec import CELL

    notes = []
    try:
        cell_of = _cell_of(manifest, theory)
    except Exception as e:  # the plan file moved or changed: each persona's recorded cell (slot.cell)
        recorded = [(p.get("slot") or {}).get(CELL) for p in personas]
        if not all(recorded):
            return manifest, [f"quota figures are run.json's: the planned slots could not be rebuilt ({e})"]
        cell_of = {p.get("id"): c for p, c in zip(personas, recorded)}
        notes.append(f"quota figures from the cells the personas record (the planned slots could not be rebuilt: {e})")
    realised = Counter(cell_of.get(p.get("id"), "(not a planned id)") for p in personas)
    new_cells = {}
    for cell, c in cells.items():
        r = realised.get(cell, 0)
        if r != c.get("realised"):
            notes.append(f"{cell}: run.json says {c.get('realised')} realised, personas.jsonl has {r}")
        new_cells[cell] = {**c, "realised": r, "shortfall": max(0, c["planned"] - r)}
    if realised.get("(not a planned id)"):
        notes.append(f"{realised['(not a planned id)']} personas in personas.jsonl have ids this run never planned")
    if ident.get("n") is not None and len(personas) != manifest.get("counts", {}).get("accepted", len(personas)):
        notes.append(
            f"run.json counts {manifest['counts'].get('accepted')} accepted, personas.jsonl holds {len(personas)}"
        )
    return {**manifest, "cells": new_cells}, notes


def _cell_of(manifest: dict, theory) -> dict[str, str]:
    ident = manifest["identity"]
    plan = manifest.get("plan")
    from ..population.prepare import planned_slots

    prepared = planned_slots(theory, ident["n"], ident["seed"], Path(plan["file"]) if plan else None)
    if plan and prepared.plan.hash != plan["hash"]:
        raise ValueError(f"{plan['file']} changed since the run")
    return {p.id: p.cell for p in prepared.slots}

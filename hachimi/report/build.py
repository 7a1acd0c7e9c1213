"""Run folder -> report/ (metrics.json, PNG plots, index.html) and report/dataset/ (HF datasets folder)."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError


def read_jsonl(path: Path) -> list[dict]:
    """Objects of a JSONL file ([] if it does not exist: a run may have accepted nothing yet)."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise InputError(f"{path}:{n}: not JSON ({e.msg} at column {e.colno}); "
                                 "`hachimi validate` reports every bad line")
    return out


def build(run: Path, theory, out: Path | None = None) -> dict:
    from ..validate import Validator
    from . import dataset, html, metrics, plots
    if not (run / "run.json").exists():
        raise InputError(f"{run} is not a run folder (no run.json); make one with `hachimi generate --out {run}`")
    out = out or run / "report"
    out.mkdir(parents=True, exist_ok=True)
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    personas = read_jsonl(run / "personas.jsonl")
    attempts = read_jsonl(run / "attempts.jsonl")
    m = metrics.compute(personas, attempts, manifest, Validator(theory))
    (out / "metrics.json").write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    pngs = [plots.quota(m, out), plots.rules(m, out), plots.levels(personas, out)]
    from ..audit import html as audit_html
    from ..audit.store import build as build_store
    audit_html.render(build_store(run), out / "audit.html", str(run))
    html.render(m, manifest, pngs, out, audit_link="audit.html")
    dataset.write(personas, manifest, out / "dataset")
    return m

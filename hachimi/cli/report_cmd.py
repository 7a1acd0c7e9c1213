"""`hachimi report RUN` and `hachimi dedup FILE`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("report")
@click.argument("run", type=click.Path(file_okay=False, path_type=Path))
@click.option("--theory", "theory_name", default="k12", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write (default: RUN/report).")
def report_cmd(run, theory_name, out):
    """Metrics, plots, index.html and a `datasets`-loadable folder for a run folder."""
    from ..report.build import build
    from ..theory.locate import locate
    from ..theory.pack import load
    m = build(run, load(locate(theory_name)), out)
    where = out or run / "report"
    q = m["quota"]
    click.echo(f"{m['personas']} personas: schema-valid {m['schema_valid']:.0%}, theory-valid {m['theory_valid']:.0%}, "
               f"first-pass valid {m['first_pass_valid']:.0%}; {q['exact_cells']}/{len(q['cells'])} cells on quota "
               f"(KL {q['kl']:.4f}, shortfall {q['shortfall']}); Distinct-2 {m['distinct_2']:.3f}; "
               f"near-duplicate pairs {m['lexical_pairs']} lexical / {m.get('semantic_pairs')} semantic")
    click.echo(f"report: {where / 'index.html'}   metrics: {where / 'metrics.json'}   dataset: {where / 'dataset'}")


@click.command("dedup")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--semantic/--no-semantic", default=True, show_default=True, help="Also compare MiniLM embeddings.")
@click.option("--threshold", type=float, default=0.95, show_default=True, help="Cosine for a semantic near-duplicate.")
def dedup_cmd(file, semantic, threshold):
    """Near-duplicate report for a persona JSONL file, within each stratum (grade, gender, level).

    Lexical: SimHash (character 3-grams, 64 bits) within Hamming distance 3, found through banded
    LSH buckets. Semantic: all-MiniLM-L6-v2 embeddings with cosine >= THRESHOLD.
    """
    from ..dedup import pairs as near
    from ..report.build import read_jsonl
    personas = read_jsonl(file)
    key = lambda p: "|".join(str((p.get("slot") or p.get("enrollment") or {}).get(k)) for k in ("grade", "gender", "academic_level"))  # noqa: E731
    pairs = near.lexical(personas, key)
    if semantic:
        pairs += near.semantic(personas, key, threshold)[0]
    for a, b, how, score in pairs:
        click.echo(json.dumps({"a": a, "b": b, "how": how, "score": score}))
    click.echo(f"{len(personas)} personas, {len({key(p) for p in personas})} strata: {sum(p[2] == 'lexical' for p in pairs)} lexical and "
               f"{sum(p[2] == 'semantic' for p in pairs)} semantic near-duplicate pairs", err=True)
    sys.exit(1 if pairs else 0)

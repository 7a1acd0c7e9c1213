"""`hachimi report RUN` and `hachimi dedup FILE`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import format_option


@click.command("report")
@click.argument("run", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--theory",
    "theory_name",
    default=None,
    help="Theory to validate against [default: the one the run was generated with (run.json), else k12].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (default: RUN/report).",
)
@format_option("the metrics as one JSON document on stdout")
def report_cmd(run, theory_name, out, fmt):
    """Metrics, plots, index.html and a `datasets`-loadable folder for a run folder.

    Quota figures are recounted from personas.jsonl (the truth); where run.json disagrees, the
    report says so. The population-realism table (lowish values and creativity, elevated risk and
    low wellbeing by academic level, with 95% intervals and trend verdicts) is printed, written to
    index.html and included in the JSON.
    """
    from ..fsio import staged_folder
    from ..report.build import build
    from .report_text import population as population_text

    from ..store.run_theory import theory_of

    theory = theory_of(run, theory_name, lambda m: click.echo(f"warning: {m}", err=True))
    where = out or run / "report"
    if (run / "run.json").exists():
        with staged_folder(where) as staged:  # the report appears whole, or the old one stays as it was
            m = build(run, theory, staged)
    else:
        m = build(run, theory, where)  # refused: not a run folder
    if fmt == "json":
        click.echo(json.dumps(m, indent=1, ensure_ascii=False))
        return
    for note in m.get("notes", []):
        click.echo(f"note: {note}", err=True)
    q = m["quota"]
    click.echo(
        f"{m['personas']} personas: schema-valid {m['schema_valid']:.0%}, theory-valid {m['theory_valid']:.0%}, "
        f"first-pass valid {m['first_pass_valid']:.0%}; {q['exact_cells']}/{len(q['cells'])} cells on quota "
        f"(KL {q['kl']:.4f}, shortfall {q['shortfall']}); Distinct-2 {m['distinct_2']:.3f}; "
        f"near-duplicate pairs {m['lexical_pairs']} lexical / {m.get('semantic_pairs')} semantic"
    )
    click.echo(population_text(m["population"]))
    click.echo(f"report: {where / 'index.html'}   metrics: {where / 'metrics.json'}   dataset: {where / 'dataset'}")


@click.command("dedup")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--semantic/--no-semantic", default=True, show_default=True, help="Also compare MiniLM embeddings.")
@click.option("--threshold", type=float, default=0.95, show_default=True, help="Cosine for a semantic near-duplicate.")
@click.option(
    "--theory",
    "theory_name",
    default="k12",
    show_default=True,
    help="The theory of the personas: its slot gives the strata, its `compare` tags the text compared.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one record per pair (and per unreadable line); json: one document.",
)
def dedup_cmd(file, semantic, threshold, theory_name, fmt):
    """Near-duplicate report for a persona JSONL file, within each stratum (the theory's slot cell,
    in k12 grade x gender x level), over the text its schema.toml tags `compare`.

    Lexical: SimHash (character 3-grams, 64 bits) within Hamming distance 3, found through banded
    LSH buckets. Semantic: all-MiniLM-L6-v2 embeddings with cosine >= THRESHOLD. A line that is not
    a persona with a string id gets an error record naming the line; the others are compared.
    Exit code: 0 no pairs, 1 pairs or unreadable lines.
    """
    from ..dedup import pairs as near
    from ..jsonio import read_records

    records, problems = read_records(file, need_id=True)
    personas = [p for _, p in records]

    from ..dedup.text import compared_fields
    from ..theory.locate import locate
    from ..theory.pack import load

    schema = load(locate(theory_name)).schema
    fields = compared_fields(schema)
    key = schema.slot.key if schema.slot else (lambda p: "")
    pairs = near.lexical(personas, key, fields)
    if semantic:
        pairs += near.semantic(personas, key, threshold, fields)[0]
    rows = [{"a": a, "b": b, "how": how, "score": score} for a, b, how, score in pairs]
    errors = [{"line": n, "error": why} for n, why in problems]
    summary = {
        "personas": len(personas),
        "strata": len({key(p) for p in personas}),
        "lexical_pairs": sum(r["how"] == "lexical" for r in rows),
        "semantic_pairs": sum(r["how"] == "semantic" for r in rows),
        "unreadable_lines": len(errors),
    }
    if fmt == "json":
        click.echo(json.dumps({**summary, "pairs": rows, "errors": errors}, indent=1))
    else:
        for r in errors + rows:
            click.echo(json.dumps(r))
        click.echo(
            f"{summary['personas']} personas, {summary['strata']} strata: {summary['lexical_pairs']} lexical and "
            f"{summary['semantic_pairs']} semantic near-duplicate pairs"
            + (f"; {len(errors)} unreadable lines (error records above)" if errors else ""),
            err=True,
        )
    sys.exit(1 if rows or errors else 0)

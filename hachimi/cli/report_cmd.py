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
@click.option(
    "--sample",
    type=click.IntRange(min=2),
    default=None,
    help="Personas in the seeded sample the embedding metrics and Self-BLEU are computed on [default: 1000; "
    "all of them on a smaller run]. `hachimi dedup` clusters every persona.",
)
@format_option("the metrics as one JSON document on stdout")
def report_cmd(run, theory_name, out, fmt, sample):
    """Metrics, plots, index.html and a `datasets`-loadable folder for a run folder.

    Quota figures are recounted from personas.jsonl (the truth); where run.json disagrees, the
    report says so. The population-realism table (lowish values and creativity, elevated risk and
    low wellbeing by academic level, with 95% intervals and trend verdicts) is printed, written to
    index.html and included in the JSON.

    Memory stays bounded on a run of any size: personas.jsonl and attempts.jsonl are read line by
    line; Distinct-n is exact up to 2M distinct n-grams, then a HyperLogLog++ sketch; lexical
    near-duplicates cover every persona; the embedding metrics and Self-BLEU use a seeded sample
    (--sample, its size in the output); a large run is re-validated in worker processes.
    """
    from ..fsio import staged_folder
    from ..report.build import build
    from .progress import progress
    from .report_text import population as population_text

    from ..store.run_theory import theory_of

    theory = theory_of(run, theory_name, lambda m: click.echo(f"warning: {m}", err=True))
    where = out or run / "report"
    if (run / "run.json").exists():
        with staged_folder(where) as staged:  # the report appears whole, or the old one stays as it was
            m = build(run, theory, staged, progress=progress, sample=sample)
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
        f"near-duplicates {m['lexical_duplicates']} lexical / {m.get('semantic_duplicates')} semantic"
        + (f" (semantic in a seeded sample of {m['sample']['size']})" if m["sample"]["size"] < m["personas"] else "")
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
    help="jsonl: one record per cluster (and per unreadable line); json: one document.",
)
@click.option(
    "--cache",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite file of embeddings by text hash, read and extended [default: embeddings.sqlite in the run "
    "folder when FILE is a run's personas.jsonl and the folder is writable, else memory only]. "
    "The report's sample reuses it.",
)
def dedup_cmd(file, semantic, threshold, theory_name, fmt, cache):
    """Near-duplicate clusters in a persona JSONL file, within each stratum (the theory's slot
    cell, in k12 grade x gender x level), over the text its schema.toml tags `compare`.

    One streaming pass, in file order: a persona near the first persona of a cluster (its leader)
    joins it; memory grows with the clusters, not with pairs. Lexical: SimHash (character 3-grams,
    64 bits) within Hamming distance 3, found through banded LSH buckets. Semantic:
    all-MiniLM-L6-v2 embeddings (each distinct text once, in batches) with cosine >= THRESHOLD to a
    leader, searched exactly among a stratum's first 4,096 leaders and through an HNSW index
    (usearch) beyond; embeddings are kept by text hash in --cache. Each cluster record lists its
    members and its farthest member's score. A line that is
    not a persona with a string id (or longer than HACHIMI_MAX_LINE_BYTES) gets an error record
    naming the line; the others are compared. Exit code: 0 no duplicates, 1 duplicates or
    unreadable lines.
    """
    from ..dedup.clusters import Lexical, Semantic, summary
    from ..dedup.text import compared_fields, narrative_text
    from ..jsonio import LineError, records
    from ..theory.locate import locate
    from ..theory.pack import load
    from .progress import progress

    schema = load(locate(theory_name)).schema
    fields = compared_fields(schema)
    key = schema.slot.key if schema.slot else (lambda p: "")
    from ..dedup.vectors import VectorCache, beside

    vectors = VectorCache(cache or beside(file)) if semantic else None
    lexical, sem = Lexical(), (Semantic(threshold, cache=vectors) if semantic else None)
    errors, strata, count = [], set(), 0
    with progress(None, "personas compared") as advance:
        for n, p in records(file, need_id=True):
            if isinstance(p, LineError):
                errors.append({"line": n, "error": str(p)})
                continue
            stratum, text = key(p), narrative_text(p, fields)
            strata.add(stratum)
            count += 1
            lexical.add(p["id"], stratum, text)
            if sem is not None:
                sem.add(p["id"], stratum, text)
            advance(1)
    clusters = list(lexical.clusters.values())
    if sem is not None:
        sem.flush()
        vectors.close()
        clusters += list(sem.clusters.values())
    rows = [c.row(k) for k, c in enumerate(clusters, start=1)]
    head = {"personas": count, "strata": len(strata), **summary(clusters), "unreadable_lines": len(errors)}
    if sem is None:
        head["semantic_clusters"] = head["semantic_duplicates"] = None
    if fmt == "json":
        click.echo(json.dumps({**head, "clusters": rows, "errors": errors}, indent=1))
    else:
        for r in errors + rows:
            click.echo(json.dumps(r, ensure_ascii=False))
        click.echo(
            f"{head['personas']} personas, {head['strata']} strata: {head['lexical_duplicates']} lexical near-duplicates "
            f"in {head['lexical_clusters']} clusters"
            + (f", {head['semantic_duplicates']} semantic in {head['semantic_clusters']}" if sem is not None else "")
            + (f"; {len(errors)} unreadable lines (error records above)" if errors else ""),
            err=True,
        )
    sys.exit(1 if rows or errors else 0)

"""`hachimi export RUN`: a run folder -> personas.parquet and attempts.parquet."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

SHOWN = 20  # skipped lines named one by one on stderr; the rest are counted


@click.command("export")
@click.argument("run", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder to write the files into (default: RUN/export).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet"]),
    default="parquet",
    show_default=True,
    help="File format of the tables.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows per Parquet record batch (memory grows with it, not with the run).",
)
@click.option(
    "--theory",
    "theory_name",
    default=None,
    help="Theory whose schema gives the persona columns [default: the one the run was generated with].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON document on stdout.")
def export_cmd(run, out, fmt, batch, theory_name, as_json):
    """Personas and attempts of a run folder as Parquet, for analysts and Hugging Face `datasets`.

    \b
    personas.parquet: one row per accepted persona: id, the theory's person, slot and structured
      fields as flat columns named by their path (slot.grade, ...), and `persona`, the whole
      persona as JSON text.
    attempts.parquet: one row per attempts-log record: type, persona, attempt, round, agent, stage,
      valid, accepted, reason, seed, tokens, seconds, its line, and `record`, the whole record as
      JSON text.

    Both files are read line by line and written in record batches of --batch rows, so a run of a
    million personas exports in bounded memory. A line that cannot be read (torn by a crash, longer
    than HACHIMI_MAX_LINE_BYTES, not JSON) is named on stderr with its file and line and skipped.
    Load the tables with datasets.load_dataset("parquet", data_files="RUN/export/personas.parquet"),
    pandas.read_parquet or DuckDB. Exit code: 0 exported, 1 exported with lines skipped.
    """
    import time

    from ..store.export import check_run, export
    from ..store.run_theory import theory_of
    from .progress import progress

    check_run(run)
    theory = theory_of(run, theory_name, lambda m: click.echo(f"warning: {m}", err=True))
    where = out or run / "export"

    def skipped(file: str, line: int, why: str) -> None:
        if seen[0] < SHOWN:
            click.echo(f"warning: {file}:{line}: {why}; skipped", err=True)
        seen[0] += 1

    seen = [0]
    start = time.perf_counter()
    with progress(None, "records exported") as advance:
        s = export(run, where, theory.schema, batch, on_skip=skipped, advance=advance)
    if seen[0] > SHOWN:
        click.echo(f"warning: {seen[0] - SHOWN} more lines skipped (--json lists the first 100)", err=True)
    summary = {"run": str(run), "out": str(where), "format": fmt, **s.as_dict()}
    summary["seconds"] = round(time.perf_counter() - start, 3)
    if as_json:
        click.echo(json.dumps(summary, indent=1, ensure_ascii=False))
    else:
        rows = s.rows
        click.echo(
            f"{rows['personas']} personas -> {s.files['personas']}\n"
            f"{rows['attempts']} attempt records -> {s.files['attempts']}"
            + (f"\n{s.skipped_lines} unreadable lines skipped (named above)" if s.skipped_lines else "")
        )
    sys.exit(1 if s.skipped_lines else 0)

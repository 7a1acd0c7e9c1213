"""`hachimi validate FILE`: validate JSONL personas against a theory; text report or contract JSONL."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Iterator

import click

from ..errors import InputError


def _lines(path: str) -> Iterator[str]:
    """Lines of a file (or "-" for stdin); a line that is not UTF-8 still becomes one (reported) line."""
    try:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as e:
        raise InputError(f"cannot read {path}: {e.strerror}")
    with fh:
        for raw in fh:
            raw = raw.rstrip(b"\r\n")
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:      # reported by the validator as "not JSON", not dropped
                yield f"not utf-8 (byte {e.start + 1})"


def _count_lines(path: str) -> int | None:
    if path == "-":
        return None
    with open(path, "rb") as fh:
        return sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b""))


@click.command()
@click.argument("file", type=str)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True,
              help="text: a report for people; jsonl: one contract record per input line (DESIGN.md).")
@click.option("--theory", "theory_name", default="k12", show_default=True,
              help="Theory folder, or the name of a bundled theory.")
@click.option("--no-core", is_flag=True, help="Skip minimal cores (faster).")
@click.option("--no-repair", is_flag=True, help="Skip repair suggestions (faster).")
@click.option("--warnings/--no-warnings", default=True, show_default=True, help="Show warning-only personas in text.")
@click.option("-j", "--jobs", type=int, default=None,
              help="Worker processes (default: one per CPU core, at most 8).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file, not stdout.")
def validate(file, fmt, theory_name, no_core, no_repair, warnings, jobs, output):
    """Validate personas in FILE (JSONL, '-' for stdin) against a theory.

    Every input line gets an answer: a verdict with the violated rules, each with its minimal
    core of conflicting facts, and a minimal repair; or an error naming the line and column.
    Exit code: 0 all valid, 1 some invalid or unreadable, 2 usage error.
    """
    import orjson

    from ..theory.locate import locate
    from ..theory.pack import load
    from ..parallel import default_jobs, validate_parallel
    from .progress import progress
    from .report_text import block, summary

    if file != "-" and not Path(file).is_file():
        raise InputError(f"{file}: no such file (expected a JSONL file with one persona per line)")
    theory = load(locate(theory_name))
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    counts = dict(total=0, valid=0, invalid=0, unreadable=0, warnings=0)
    start = time.perf_counter()
    with progress(_count_lines(file), "validating") as advance:
        results = validate_parallel(theory, _lines(file), jobs or default_jobs(),
                                    explain=not no_core, repair=not no_repair)
        for r in results:
            counts["total"] += 1
            counts["unreadable" if r.error else "valid" if r.valid else "invalid"] += 1
            counts["warnings"] += any(v.severity == "warning" for v in r.violations)
            if fmt == "jsonl":
                out.write(orjson.dumps(r.to_dict()).decode() + "\n")
            elif (text := block(r, warnings)) is not None:
                click.echo(text, file=out)
            advance(1)
    took = time.perf_counter() - start
    click.echo(summary(counts, took), err=fmt == "jsonl" or output is not None)
    if output:
        out.close()
    sys.exit(0 if counts["invalid"] == counts["unreadable"] == 0 else 1)


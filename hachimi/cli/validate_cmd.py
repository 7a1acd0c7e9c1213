"""`hachimi validate FILE`: validate JSONL personas against a theory; text report or contract JSONL."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Iterator

import click

from ..errors import InputError
from ..jsonio import LineError, open_binary as _open, text_lines as read_text_lines  # noqa: F401  (the one JSONL reader)


def _lines(path: str) -> Iterator[str]:
    """Text lines for the validator; an undecodable line becomes a marker the validator reports."""
    from ..validate import UNREADABLE

    for _, text in read_text_lines(path):
        yield UNREADABLE + str(text) if isinstance(text, LineError) else text


def _count_lines(path: str) -> int | None:
    """Lines of a regular file (for the progress bar); None for stdin, pipes and compressed files."""
    p = Path(path)
    if path == "-" or not p.is_file() or path.endswith(".gz"):
        return None
    with open(path, "rb") as fh:
        return sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b""))


@click.command()
@click.argument("file", type=str)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="text: a report for people; jsonl: one contract record per input line (DESIGN.md).",
)
@click.option(
    "--theory", "theory_name", default="k12", show_default=True, help="Theory folder, or the name of a bundled theory."
)
@click.option("--unchecked", is_flag=True, help="Use the theory even if `hachimi theory lint` rejects it.")
@click.option("--no-core", is_flag=True, help="Skip minimal cores (faster).")
@click.option("--no-repair", is_flag=True, help="Skip repair suggestions (faster).")
@click.option(
    "--repair",
    "apply",
    is_flag=True,
    help="Write the personas with their repairs applied to -o (a level repaired in a narrative is "
    "rewritten there too) and say which now validate; the report goes to stderr.",
)
@click.option("--warnings/--no-warnings", default=True, show_default=True, help="Show warning-only personas in text.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes (default: one per CPU core, at most 8).",
)
@click.option("--force-jobs", is_flag=True, help="Allow more worker processes than cores.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout (it appears when the run ends; never the input file).",
)
def validate(file, fmt, theory_name, unchecked, no_core, no_repair, apply, warnings, jobs, force_jobs, output):
    """Validate personas in FILE (JSONL, '-' for stdin) against a theory.

    Every input line gets an answer: a verdict with the violated rules, each with its minimal
    core of conflicting facts, and a minimal repair; or an error naming the line and column.
    Exit code: 0 all valid, 1 some invalid or unreadable, 2 usage error.
    """
    from contextlib import nullcontext

    from ..jsonio import atomic_output, dumps, safe_text
    from ..theory.locate import locate
    from ..theory.pack import load
    from ..parallel import default_jobs, validate_parallel
    from .progress import progress
    from .report_text import block, summary

    if file != "-" and (Path(file).is_file() or not Path(file).exists() or Path(file).is_dir()):
        _open(file).close()  # a missing file, a folder or UTF-16 is refused before the theory loads
    if apply and (output is None or no_repair):
        raise InputError("--repair writes the repaired personas to a file: give -o FILE (and not --no-repair)")
    if jobs is not None and jobs > default_jobs(cap=10**6) and not force_jobs:
        click.echo(
            f"note: -j {jobs} capped at {default_jobs(cap=10**6)} (the cores here); --force-jobs to insist", err=True
        )
        jobs = default_jobs(cap=10**6)
    counts = dict(total=0, valid=0, invalid=0, unreadable=0, warnings=0)
    start = time.perf_counter()
    sink = atomic_output(output, inputs=(Path(file),) if file != "-" else ()) if output else nullcontext(sys.stdout)
    repaired = [] if apply else None
    try:  # Ctrl-C while the theory loads (its programs and text lexicons take seconds) is handled too
        theory = load(locate(theory_name))
        _lint_gate(theory, unchecked)
        with sink as out, progress(_count_lines(file), "validating") as advance:
            originals: list[str] = []
            lines = _kept(_lines(file), originals) if apply else _lines(file)
            results = validate_parallel(
                theory, lines, max(1, jobs or default_jobs()), explain=not no_core, repair=not no_repair
            )
            report = sys.stderr if apply else out
            for r in results:
                counts["total"] += 1
                counts["unreadable" if r.error else "valid" if r.valid else "invalid"] += 1
                counts["warnings"] += any(v.severity == "warning" for v in r.violations)
                if apply:
                    out.write(_repaired(originals.pop(0), r, repaired) + "\n")
                if fmt == "jsonl":
                    report.write(dumps(r.to_dict()) + "\n")
                elif (text := block(r, warnings)) is not None:
                    click.echo(safe_text(text), file=report)
                advance(1)
    except KeyboardInterrupt:
        click.echo(
            f"interrupted after {counts['total']} lines" + (f"; {output} was not written" if output else ""), err=True
        )
        sys.exit(130)
    took = time.perf_counter() - start
    click.echo(summary(counts, took), err=fmt == "jsonl" or output is not None)
    if apply:
        _recheck(theory, output, repaired)
    sys.exit(0 if counts["invalid"] == counts["unreadable"] == 0 else 1)


def _lint_gate(theory, unchecked: bool) -> None:
    """Refuse (exit 2) a theory `theory lint` rejects, naming the finding; --unchecked goes on, saying so."""
    from ..authoring.gate import require_clean

    if overridden := require_clean(theory, unchecked):
        click.echo(f"warning: --unchecked: theory lint rejects {theory.name}: {overridden[0]}", err=True)


def _kept(lines: Iterator[str], store: list[str]) -> Iterator[str]:
    """The lines, each also kept in `store` until its result is written."""
    for line in lines:
        store.append(line)
        yield line


def _repaired(line: str, r, repaired: list) -> str:
    """The persona of `line` with its repair applied (the line itself when there is none)."""
    import orjson

    from ..explain.apply import apply_repair
    from ..jsonio import dumps

    if r.error or not r.repair or not r.repair["changes"]:
        return line
    repaired.append(r.line)
    return dumps(apply_repair(orjson.loads(line), r.repair["changes"]))


def _recheck(theory, output: Path, repaired: list[int]) -> None:
    """Validate the repaired personas again and say how many now pass."""
    from ..validate import Validator

    wanted = set(repaired)
    lines = [x for n, x in enumerate(output.read_text(encoding="utf-8").splitlines(), 1) if n in wanted]
    after = list(Validator(theory, explain=False, repair=False).validate_lines(lines))
    ok = sum(r.valid for r in after)
    left = sorted({v.ref for r in after for v in r.violations if v.severity == "error"})
    click.echo(
        f"repaired {len(repaired)} personas into {output}: {ok} now valid"
        + (
            f", {len(repaired) - ok} still invalid ({', '.join(left)}: text the owner must rewrite)"
            if ok < len(repaired)
            else ""
        ),
        err=True,
    )

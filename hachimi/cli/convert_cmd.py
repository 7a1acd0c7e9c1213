"""`hachimi convert --from hachimi-zh IN OUT`: records of another format -> v1 JSONL + problem report.
The formats are the theory's (its plug-in's `converters`; k12 reads the original HACHIMI corpus)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.option(
    "--from",
    "source",
    required=True,
    help="Input format, one the theory's plug-in reads: hachimi-zh = the original HACHIMI corpus "
    "(Chinese keys and values, theory k12).",
)
@click.option("--theory", "theory_name", default="k12", show_default=True, help="The theory whose format to write.")
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
def convert(source, theory_name, src: Path, dst: Path):
    """Convert SRC (JSONL) to v1 personas in DST; whatever cannot be mapped is reported, not guessed.

    Levels are extracted from the narratives by dimension-anchored whole-word matching. Records
    with problems are still written (fields that could not be mapped are left out) so that
    `hachimi validate DST` explains them; the problems are listed on stderr.
    """
    from ..jsonio import atomic_output, dumps
    from ..theory.locate import locate
    from ..theory.pack import load
    from ..jsonio import text_lines as read_text_lines

    theory = load(locate(theory_name))
    formats = theory.plugin.converters() if hasattr(theory.plugin, "converters") else {}
    if source not in formats:
        known = ", ".join(f"{k} ({d})" for k, (d, _) in formats.items()) or "none"
        raise click.BadParameter(
            f"theory {theory.name} reads no format {source!r}; it reads: {known}", param_hint="--from"
        )
    convert_lines = formats[source][1]

    written = skipped = with_problems = 0
    with atomic_output(dst, inputs=(src,)) as out:
        for n, text in read_text_lines(str(src)):
            if isinstance(text, Exception):
                click.echo(f"{src}:{n}: {text}", err=True)
                skipped += 1
                continue
            for _, conv in convert_lines([text], start=n):
                for p in conv.problems:
                    click.echo(f"{src}:{n}: {p}", err=True)
                with_problems += bool(conv.problems)
                if conv.persona is None:
                    skipped += 1
                    continue
                out.write(dumps(conv.persona) + "\n")
                written += 1
    click.echo(f"wrote {written} personas to {dst} ({with_problems} with problems, {skipped} not convertible)")
    sys.exit(1 if skipped else 0)

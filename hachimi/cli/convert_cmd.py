"""`hachimi convert --from hachimi-zh IN OUT`: original HACHIMI records -> v1 JSONL + problem report."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.option(
    "--from",
    "source",
    type=click.Choice(["hachimi-zh"]),
    required=True,
    help="Input format: hachimi-zh = the original HACHIMI corpus (Chinese keys and values).",
)
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
def convert(source, src: Path, dst: Path):
    """Convert SRC (JSONL) to v1 personas in DST; whatever cannot be mapped is reported, not guessed.

    Levels are extracted from the narratives by dimension-anchored whole-word matching. Records
    with problems are still written (fields that could not be mapped are left out) so that
    `hachimi validate DST` explains them; the problems are listed on stderr.
    """
    from ..convert.hachimi_zh import convert_lines
    from ..jsonio import atomic_output, dumps
    from .validate_cmd import read_text_lines

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

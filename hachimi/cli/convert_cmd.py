"""`hachimi convert --from hachimi-zh IN OUT`: original HACHIMI records -> v1 JSONL + problem report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError


@click.command()
@click.option("--from", "source", type=click.Choice(["hachimi-zh"]), required=True,
              help="Input format: hachimi-zh = the original HACHIMI corpus (Chinese keys and values).")
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("dst", type=click.Path(dir_okay=False, path_type=Path))
def convert(source, src: Path, dst: Path):
    """Convert SRC (JSONL) to v1 personas in DST; whatever cannot be mapped is reported, not guessed.

    Levels are extracted from the narratives by dimension-anchored whole-word matching. Records
    with problems are still written (fields that could not be mapped are left out) so that
    `hachimi validate DST` explains them; the problems are listed on stderr.
    """
    import orjson

    from ..convert.hachimi_zh import convert_lines
    try:
        lines = src.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read {src}: {e}")
    written = skipped = with_problems = 0
    with open(dst, "w", encoding="utf-8") as out:
        for n, conv in convert_lines(lines):
            for p in conv.problems:
                click.echo(f"{src}:{n}: {p}", err=True)
            with_problems += bool(conv.problems)
            if conv.persona is None:
                skipped += 1
                continue
            out.write(orjson.dumps(conv.persona).decode() + "\n")
            written += 1
    click.echo(f"wrote {written} personas to {dst} ({with_problems} with problems, {skipped} not convertible)")
    sys.exit(1 if skipped else 0)

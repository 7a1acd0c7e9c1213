"""`hachimi schema export|check`: JSON Schemas of the persona parts in grammars/."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from ..resources import GRAMMARS as GRAMMARS_DIR

DEFAULT = GRAMMARS_DIR


@click.group()
def schema():
    """JSON Schemas of the v1 persona (one per agent part plus the whole persona)."""


@schema.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT, show_default=True)
def export_cmd(out: Path):
    """Write the schemas generated from the pydantic models."""
    from ..schema.export import export

    for p in export(out):
        click.echo(f"wrote {p}")


@schema.command("check")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT, show_default=True)
def check_cmd(folder: Path):
    """Exit 1 if the checked-in schemas differ from the models (run `hachimi schema export`)."""
    from ..schema.export import stale

    bad = stale(folder)
    for name in bad:
        click.echo(f"stale: {folder / name} (run: hachimi schema export)")
    sys.exit(1 if bad else 0)

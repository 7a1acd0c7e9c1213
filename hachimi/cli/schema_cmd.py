"""`hachimi schema export|check`: JSON Schemas of a theory's persona parts (k12's are in grammars/)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..resources import GRAMMARS as GRAMMARS_DIR

DEFAULT = GRAMMARS_DIR
THEORY = click.option(
    "--theory",
    default="k12",
    show_default=True,
    help="Theory folder or bundled name; its schema.toml defines the parts.",
)


def _spec(theory: str):
    from ..errors import HachimiError
    from ..theory.locate import locate
    from ..theory.pack import load

    try:
        return load(locate(theory)).schema
    except HachimiError as e:
        click.echo(f"hachimi: error: {e}", err=True)
        sys.exit(2)


def _folder(out: Path | None, theory: str, spec) -> Path:
    if out is not None:
        return out
    return DEFAULT if theory == "k12" else Path(f"{Path(theory).name}-schemas")


@click.group()
def schema():
    """JSON Schemas of a theory's persona (one per agent part plus the whole persona), derived from
    its schema.toml. k12's are checked in under grammars/."""


@schema.command("export")
@THEORY
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Folder to write [default: {DEFAULT} for k12, ./<theory>-schemas otherwise].",
)
def export_cmd(theory: str, out: Path | None):
    """Write the schemas derived from the theory's schema.toml."""
    from ..fsio import staged_folder
    from ..schema.export import export

    spec = _spec(theory)
    folder = _folder(out, theory, spec)
    with staged_folder(folder) as staged:  # every schema is written, or none
        written = export(staged, spec)
    for p in written:
        click.echo(f"wrote {folder / p.name}")


@schema.command("check")
@THEORY
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None)
def check_cmd(theory: str, folder: Path | None):
    """Exit 1 if the written schemas differ from the theory's schema.toml (run `hachimi schema export`)."""
    from ..schema.export import stale

    spec = _spec(theory)
    folder = _folder(folder, theory, spec)
    if not folder.is_dir():
        raise InputError(
            f"{folder}: no such folder; write the schemas first: hachimi schema export"
            + ("" if theory == "k12" else f" --theory {theory}")
            + f" --out {folder}"
        )
    bad = stale(folder, spec)
    for name in bad:
        click.echo(
            f"stale: {folder / name} (run: hachimi schema export{'' if theory == 'k12' else ' --theory ' + theory})"
        )
    sys.exit(1 if bad else 0)

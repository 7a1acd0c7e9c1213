"""A theory name or folder -> its folder (bundled theories live in the repository's constraints/)."""

from __future__ import annotations

from pathlib import Path

from ..errors import TheoryError
from ..resources import CONSTRAINTS

BUNDLED = CONSTRAINTS


def locate(name_or_path: str) -> Path:
    p = Path(name_or_path)
    if p.is_dir():
        return p
    if (BUNDLED / name_or_path).is_dir():
        return BUNDLED / name_or_path
    known = sorted(d.name for d in BUNDLED.iterdir() if d.is_dir()) if BUNDLED.is_dir() else []
    raise TheoryError(
        f"no theory folder '{name_or_path}' (bundled: {', '.join(known) or 'none'}); "
        "pass a folder that holds theory.toml"
    )

"""A run folder -> the theory it was generated with. run.json remembers the pack by content (its
hash: every file of the pack, its plug-in's code and the packs it extends) and by its resolved
folder; `report`, `audit` and `survey` load the pack from there, from any working folder. A pack
that is gone or has changed since the run is an error that names what was tried and says how to go
on (`--theory FOLDER`); runs from before the folder was resolved (a relative path) are looked up
from the working folder and as a bundled name."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import HachimiError

DEFAULT = "k12"  # a folder without run.json: personas made elsewhere are read with the bundled default


def recorded(run: Path) -> dict | None:
    """run.json's theory entry {"name", "path", "hash"}, or None without one."""
    try:
        entry = json.loads((run / "run.json").read_text(encoding="utf-8"))["theory"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entry if isinstance(entry, dict) else None


def theory_of(run: Path | None, override: str | None = None):
    """The Theory to read RUN with: `override` (a folder or bundled name) if given, else the pack
    run.json names, checked against its recorded hash."""
    from ..theory.locate import locate
    from ..theory.pack import load

    if override:
        return load(locate(override))
    entry = recorded(run) if run is not None else None
    if entry is None:
        return load(locate(DEFAULT))
    name, path, want = entry.get("name", "?"), entry.get("path", ""), entry.get("hash")
    tried: list[str] = []
    candidates = [Path(path)] if path else []
    if path and not Path(path).is_absolute():
        candidates.append(run / ".." / path)
    for folder in candidates:
        if (folder / "theory.toml").is_file():
            theory = load(folder)
            if want is None or theory.hash == want:
                return theory
            tried.append(f"{folder.resolve()} (changed since the run: hash {theory.hash}, the run's {want})")
        else:
            tried.append(f"{folder} (not found)")
    try:
        bundled = load(locate(name))
    except HachimiError:
        bundled = None
    if bundled is not None:
        if want is None or bundled.hash == want:
            return bundled
        tried.append(f"the bundled {name} (hash {bundled.hash}, the run's {want})")
    raise HachimiError(
        f"{run / 'run.json'}: the run was generated with theory {name} (hash {want}); tried "
        + "; ".join(tried or ["nothing"])
        + ". Pass --theory FOLDER to read it with a pack of your choice"
    )

"""A run folder -> the theory it was generated with. run.json remembers the pack by content (its
hash: every file of the pack, its plug-in's code and the packs it extends) and by its resolved
folder; `report`, `audit` and `survey` load the pack from there, from any working folder. A pack
that has changed since the run is used with a warning that says so (its verdicts may differ from
the run's); one that is gone everywhere is an error naming what was tried and how to go on
(`--theory FOLDER`). Runs from before the folder was resolved (a relative path) are looked up from
the working folder, beside the run and as a bundled name."""

from __future__ import annotations

import json
from pathlib import Path

from typing import Callable

from ..errors import HachimiError

DEFAULT = "k12"  # a folder without run.json: personas made elsewhere are read with the bundled default


def recorded(run: Path) -> dict | None:
    """run.json's theory entry {"name", "path", "hash"}, or None without one."""
    try:
        entry = json.loads((run / "run.json").read_text(encoding="utf-8"))["theory"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entry if isinstance(entry, dict) else None


def theory_of(run: Path | None, override: str | None = None, warn: Callable[[str], None] | None = None):
    """The Theory to read RUN with: `override` (a folder or bundled name) if given, else the pack
    run.json names, checked against its recorded hash (`warn` hears of a pack that changed)."""
    from ..theory.locate import locate
    from ..theory.pack import load

    if override:
        return load(locate(override))
    entry = recorded(run) if run is not None else None
    if entry is None:
        return load(locate(DEFAULT))
    name, path, want = entry.get("name", "?"), entry.get("path", ""), entry.get("hash")
    tried: list[str] = []
    changed = []  # packs found at the recorded place (or by name) whose files differ from the run's
    candidates = [Path(path)] if path else []
    if path and not Path(path).is_absolute():
        candidates.append(run / ".." / path)
    for folder in candidates:
        if (folder / "theory.toml").is_file():
            theory = load(folder)
            if want is None or theory.hash == want:
                return theory
            changed.append(theory)
        else:
            tried.append(f"{folder} (not found)")
    try:
        bundled = load(locate(name))
    except HachimiError:
        bundled = None
    if bundled is not None:
        if want is None or bundled.hash == want:
            return bundled
        changed.append(bundled)
    if changed:
        theory = changed[0]
        if warn:
            warn(
                f"{run / 'run.json'}: theory {name} at {theory.root.resolve()} has changed since the run "
                f"(hash {theory.hash}, the run's {want}): its verdicts may differ from the run's; "
                "--theory FOLDER reads the run with the pack you name"
            )
        return theory
    raise HachimiError(
        f"{run / 'run.json'}: the run was generated with theory {name} (hash {want}); tried "
        + "; ".join(tried or ["nothing"])
        + ". Pass --theory FOLDER to read it with a pack of your choice"
    )

"""Derived data that is slow to build and never changes for a given input (the pinyin syllables of
pypinyin's dictionary, the word sets of wordfreq's lists) -> a file in the user's cache folder,
read back in milliseconds on the next start. Keyed by the name, the versions of the packages it
comes from and its parameters; written atomically; any problem (a read-only home, a corrupt
file) only means it is built again. HACHIMI_CACHE_DIR overrides the folder; set it to "" to
never cache."""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any, Callable


def folder() -> Path | None:
    env = os.environ.get("HACHIMI_CACHE_DIR")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hachimi"


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def cached(name: str, packages: tuple[str, ...], params: tuple, build: Callable[[], Any]) -> Any:
    """build(), or its saved result for the same name, package versions and params (a value
    marshal can write: dicts, lists, tuples, sets, frozensets, strings, numbers)."""
    key = repr((name, tuple(_version(p) for p in packages), params)).encode()
    where = folder()
    path = where / f"{name}-{hashlib.sha256(key).hexdigest()[:16]}.marshal" if where else None
    if path is not None:
        try:
            return marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            pass
    value = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps(value))
            os.replace(tmp, path)
        except (OSError, ValueError):
            pass
    return value

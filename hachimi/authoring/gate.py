"""A loaded theory -> the `theory lint` errors that keep `hachimi validate` and `hachimi generate`
from using it (a pack lint rejects would validate with rules that silently do something else).
The answer is kept in the user's cache (hachimi/cache.py) per content of the packs and of hachimi's
code, so a clean pack costs one lookup; `--unchecked` uses a rejected pack anyway."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import HachimiError

PACKAGE = Path(__file__).resolve().parents[1]


def lint_errors(theory) -> list[str]:
    """The error findings of `hachimi theory lint` on this theory, one line each (file:line: ...)."""
    from ..cache import cached

    return list(cached("theory-lint", ("clingo", "z3-solver", "pydantic"), (_key(theory),), lambda: _errors(theory)))


def _errors(theory) -> list[str]:
    from .lint import lint

    return [str(f) for f in lint(theory.root) if f.severity == "error"]


def _key(theory) -> str:
    """Every file of every pack of the chain (fixtures included: lint loads them) and the size and
    time of every file of hachimi's code and built-in prompts (a changed checker may judge differently)."""
    h = hashlib.sha256(theory.hash.encode())
    for root in theory.roots:
        fixtures = root / "fixtures"
        for p in sorted(fixtures.rglob("*")) if fixtures.is_dir() else []:
            if p.is_file():
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    for p in sorted(PACKAGE.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts or p.relative_to(PACKAGE).parts[0] == "data":
            continue
        st = p.stat()
        h.update(f"{p.relative_to(PACKAGE)}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def require_clean(theory, unchecked: bool = False) -> list[str]:
    """Raise (exit 2 on the command line) when lint rejects the theory, unless `unchecked`; returns
    the errors an --unchecked run overrides ([] for a clean theory)."""
    errors = lint_errors(theory)
    if errors and not unchecked:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise HachimiError(
            f"theory lint rejects {theory.name}: {errors[0]}{more}. Fix it (hachimi theory lint {theory.root} "
            "lists every finding), or pass --unchecked to use it anyway"
        )
    return errors

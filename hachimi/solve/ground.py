"""A theory -> a clingo Control holding its programs (vocabulary, Z3 tables, rule files), unchecked:
what the program checks (program_check.py) ground, and what control() (program.py) hands out once
they have passed."""

from __future__ import annotations

from typing import Callable

SHOW = "#show violation/3.\n#show detail/5.\n"


def raw_control(theory, extra: str = "", args: list[str] | None = None, logger: Callable | None = None):
    """A Control with vocabulary, theory rules (.lp files loaded so errors name them), Z3 tables."""
    import clingo

    ctl = clingo.Control(args or [], logger=logger or (lambda code, msg: None))
    ctl.add("base", [], theory.vocabulary + theory.smt_program + extra)
    for path in theory.lp_files:
        ctl.load(str(path))
    return ctl

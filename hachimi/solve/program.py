"""Theory (+ persona facts) -> clingo Control: shared program assembly and symbol decoding."""

from __future__ import annotations

from typing import Any, Callable

from ..facts.domain import Domain
from ..theory.pack import Theory

SHOW = "#show violation/3.\n#show detail/5.\n"


def to_python(sym) -> Any:
    """clingo Symbol -> int | str | tuple (constants become their name)."""
    import clingo

    t = sym.type
    if t == clingo.SymbolType.Number:
        return sym.number
    if t == clingo.SymbolType.String:
        return sym.string
    if t == clingo.SymbolType.Function:
        if not sym.arguments:
            return sym.name
        args = tuple(to_python(a) for a in sym.arguments)
        return args if sym.name == "" else f"{sym.name}{args}"
    return str(sym)


def control(theory: Theory, extra: str = "", args: list[str] | None = None, logger: Callable | None = None):
    """A Control with vocabulary, theory rules (.lp files loaded so errors name them), Z3 tables."""
    import clingo

    ctl = clingo.Control(args or [], logger=logger or (lambda code, msg: None))
    ctl.add("base", [], theory.vocabulary + theory.smt_program + extra)
    for path in theory.lp_files:
        ctl.load(str(path))
    return ctl


def completion_program(dom: Domain, p: int = 0) -> str:
    """Choice rules that let every field of persona p take any value of its domain."""
    lines = [f"person({p})."]
    for required, alts in dom.scalars.values():
        lines.append(f"{1 if required else 0} {{ {'; '.join(a.atom(p) for a in alts)} }} 1.")
    lines.append("{ " + "; ".join(f.atom(p) for f in dom.flags) + " }.")
    return "\n".join(lines) + "\n"


def literal_map(ctl) -> dict[str, int]:
    """Ground atom text -> solver literal."""
    return {str(sa.symbol): sa.literal for sa in ctl.symbolic_atoms}

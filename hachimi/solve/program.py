"""Theory (+ persona facts) -> clingo Control: shared program assembly and symbol decoding."""

from __future__ import annotations

from typing import Any, Callable

from ..facts.domain import Domain
from ..theory.pack import Theory
from .ground import SHOW, raw_control  # noqa: F401  (SHOW: read from here by callers)


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


def control(
    theory: Theory, extra: str = "", args: list[str] | None = None, logger: Callable | None = None, check: bool = True
):
    """A Control with vocabulary, theory rules (.lp files loaded so errors name them), Z3 tables. The
    theory's programs are checked before their first use (solve/program_check.py: syntax, unsafe
    variables, #script, an answer set; a TheoryError naming the file and line)."""
    if check and not theory.__dict__.get("_programs_checked"):
        from .program_check import check as check_programs

        check_programs(theory)
        theory.__dict__["_programs_checked"] = True
    return raw_control(theory, extra, args, logger)


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

"""Many readable records -> their violation atoms and details, grounded and solved in one program."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..facts.reader import Record
from ..theory.pack import Theory
from .program import SHOW, control, to_python


@dataclass
class Hit:
    """One violation atom of one persona: rule id, key (ASP text and value), detail values."""

    rule: str
    key_text: str
    key: Any
    details: dict[str, Any] = field(default_factory=dict)


def persona_program(records: list[Record]) -> str:
    parts = []
    for i, rec in enumerate(records):
        parts.append(f"person({i}).")
        parts.append(".\n".join(f.atom(i) for f in rec.facts))
        if rec.facts:
            parts.append(".")
        parts.append("\n")
    return "".join(parts)


def detect(theory: Theory, records: list[Record]) -> list[list[Hit]]:
    """All violations of every record, in one ground-and-solve; order of hits is deterministic."""
    ctl = control(theory, SHOW)
    ctl.add("base", [], persona_program(records))
    ctl.ground([("base", [])])
    hits: list[dict[tuple, Hit]] = [dict() for _ in records]
    details: dict[tuple, dict] = defaultdict(dict)
    models = 0
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            models += 1
            for sym in model.symbols(shown=True):
                a = sym.arguments
                if sym.name == "violation":
                    key = (a[1].string, str(a[2]))
                    hits[a[0].number][key] = Hit(a[1].string, str(a[2]), to_python(a[2]))
                else:
                    details[(a[0].number, a[1].string, str(a[2]))][a[3].name] = to_python(a[4])
    if not models:  # every persona would look valid: the rules forbid personas instead of judging them
        from ..errors import TheoryError
        from .program_check import NO_ANSWER

        raise TheoryError(NO_ANSWER, str(theory.root / "rules"))
    out = []
    for i, found in enumerate(hits):
        for (rule, key), hit in found.items():
            hit.details = details.get((i, rule, key), {})
        out.append(sorted(found.values(), key=lambda h: (h.rule, h.key_text)))
    return out

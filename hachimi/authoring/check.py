"""`hachimi theory check`: the consistency report (consistency.py) with, for a theory that extends
another, each inherited rule it can no longer fire and why (inherited.py)."""

from __future__ import annotations

from ..theory.pack import Theory
from .consistency import Checker, Report
from .inherited import lost_rules


def check(theory: Theory) -> Report:
    """The report, with the inherited rules this theory can no longer fire (and why) when it extends another."""
    rep = Checker(theory).run()
    if theory.parent is not None:
        lost = lost_rules(theory, rep.dead_rules)
        rep.lost_rules = [x.to_dict() for x in lost]
        gone = {x.rule for x in lost}
        rep.inherited = {r: r not in gone and r not in rep.dead_rules for r in theory.parent.rules}
        rep.parent = theory.parent.name
    return rep

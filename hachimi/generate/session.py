"""Planned slots -> a run folder. Each slot is attempted with fresh derived seeds until the
validator accepts a persona that is not a near-duplicate in its stratum, or the slot's attempt
budget is spent (a shortfall). Resumes from its folder: no loss, no duplicate ids."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from .. import __version__
from ..theory.pack import Theory
from .grammar import GRAMMARS
from .loop import PersonaLoop, Settings
from .resume import check_identity, load_state
from .rundir import RunDir
from .seeds import derive


def schema_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(GRAMMARS.glob("*.schema.json")):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def slots(n: int, seed: int) -> list[dict]:
    """The slot fields a plan-less run of n personas uses (kept for callers and tests)."""
    from ..population.slots import uniform
    return [p.slot for p in uniform(n, seed)]


def _in_stratum(persona: dict, restrict: dict) -> bool:
    for path, allowed in restrict.items():
        node = persona
        for k in path.split("."):
            node = node.get(k) if isinstance(node, dict) else None
        if node not in allowed:
            return False
    return True


class Session:
    def __init__(self, theory: Theory, runner: Callable, spec, settings: Settings, out: Path, seed: int,
                 n: int | None = None, planned=None, plan=None, attempts_per_slot: int = 1, dedup: str = "lexical"):
        from ..population.slots import uniform
        self.planned = planned if planned is not None else uniform(n, seed)
        self.out, self.seed, self.plan = Path(out), seed, plan
        self.theory, self.runner, self.spec, self.settings = theory, runner, spec, settings
        self.budget = attempts_per_slot
        self.identity = {"seed": seed, "n": len(self.planned), "plan_hash": plan.hash if plan else None,
                         "model_name": spec.name if spec else getattr(runner, "name", None), "theory_hash": theory.hash}
        check_identity(self.out, self.identity)
        self.state = load_state(self.out)
        self.dir = RunDir(self.out)
        from ..population.dedupe import Deduper
        self.deduper = Deduper(dedup)
        by_id = {p.id: p for p in self.planned}
        for p in self.state.personas:
            self.deduper.add(by_id[p["id"]].cell if p["id"] in by_id else "", p)
        self.counts = Counter(slots=len(self.planned), accepted=len(self.state.accepted))
        self.realised = Counter(by_id[i].cell for i in self.state.accepted if i in by_id)
        self.shortfall: Counter = Counter()
        self.started = time.time()
        self.loop = PersonaLoop(theory, runner, settings, lambda e: self.dir.append("attempts.jsonl", e))

    def manifest(self, status: str) -> dict:
        planned = Counter(p.cell for p in self.planned)
        return {"hachimi": __version__, "status": status, "identity": self.identity,
                "theory": {"name": self.theory.name, "path": str(self.theory.root), "hash": self.theory.hash},
                "schema_hash": schema_hash(),
                "plan": {"name": self.plan.name, "file": self.plan.file, "hash": self.plan.hash} if self.plan else None,
                "model": {"name": self.spec.name, "loader": self.spec.loader, "dtype": self.spec.dtype,
                          "decoding": self.spec.decoding, "backend": "outlines+llguidance"} if self.spec else None,
                "settings": asdict(self.settings), "attempts_per_slot": self.budget, "dedup": self.deduper.mode,
                "counts": dict(self.counts), "torn_lines_repaired": self.state.torn,
                "cells": {c: {"planned": planned[c], "realised": self.realised[c], "shortfall": self.shortfall[c]}
                          for c in sorted(planned)},
                "seconds": round(time.time() - self.started, 1)}

    def run(self, on_progress: Callable[[dict], None] = lambda c: None) -> dict:
        self.dir.write_manifest(self.manifest("running"))
        status = "interrupted"
        try:
            for ps in self.planned:
                if ps.id not in self.state.accepted:
                    self._fill(ps)
                self.counts["done"] += 1
                on_progress(self.counts)
            status = "complete"
        finally:
            self.dir.write_manifest(self.manifest(status))
            self.dir.close()
        return dict(self.counts)

    def _fill(self, ps) -> None:
        """Attempts for one slot, continuing after attempts a previous (crashed) run used."""
        for attempt in range(self.state.attempts[ps.id], max(self.budget, self.state.attempts[ps.id] + 1)):
            seed = derive(self.seed, "persona", ps.index, attempt)
            restrict = ps.restricts[derive(seed, "stratum") % len(ps.restricts)]
            o = self.loop.run(ps.id, ps.slot, seed, attempt, restrict or None)
            self._count(o)
            if o.persona is None:
                continue
            if restrict and not _in_stratum(o.persona, restrict):     # never overwrite to fit a quota
                self.counts["outside_stratum"] += 1
                self.dir.append("attempts.jsonl", {"type": "outside_stratum", "persona": ps.id, "attempt": attempt,
                                                   "needs": restrict})
                continue
            twin = self.deduper.near(ps.cell, o.persona)
            if twin:
                self.counts["near_duplicates"] += 1
                self.dir.append("attempts.jsonl", {"type": "near_duplicate", "persona": ps.id, "attempt": attempt,
                                                   "of": twin[0], "how": twin[1]})
                continue
            self.dir.append("personas.jsonl", o.persona)
            self.deduper.add(ps.cell, o.persona)
            self.counts["accepted"] += 1
            self.realised[ps.cell] += 1
            self.dir.sync()
            self.dir.write_manifest(self.manifest("running"))
            return
        self.counts["failed"] += 1
        self.shortfall[ps.cell] += 1
        self.dir.sync()

    def _count(self, o) -> None:
        c = self.counts
        c["attempts"] += 1
        c["first_pass_valid"] += o.first_pass_valid
        c["calls"] += o.calls
        c["tokens"] += o.tokens
        c["rounds"] += o.rounds

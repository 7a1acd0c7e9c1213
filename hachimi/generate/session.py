"""Planned slots -> a run folder, with up to K slots in flight. Each slot is attempted with fresh
derived seeds until the validator accepts a persona in its stratum that is not a near-duplicate of
one accepted before it, or the slot's attempt budget is spent (a shortfall). Accepted personas are
committed in slot order (the near-duplicate check too), so the file does not depend on which slot
finished first. Resumes from its folder: no loss, no duplicate ids, the same file as a run that
was never interrupted, counters summed over every session."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Callable

from .. import __version__
from ..store.lock import FolderLock
from ..store.rundir import RunDir
from ..store.slots import SlotIndex
from ..store.state import check_identity, load_state, run_records
from ..theory.pack import Theory
from .loop import PersonaLoop, Settings
from .scheduler import Scheduler
from ..schema.export import schema_hash
from ..seeds import derive

MANIFEST_EVERY_S = 2.0


def slots(n: int, seed: int, schema) -> list[dict]:
    """The slot fields a plan-less run of n personas uses (kept for callers and tests)."""
    from ..population.slots import uniform

    return [p.slot for p in uniform(n, seed, schema)]


def identity(
    theory: Theory,
    settings: Settings,
    seed: int,
    n: int,
    plan,
    engine_identity: dict,
    attempts_per_slot: int,
    dedup: str,
) -> dict:
    """Everything that changes what a run writes; a folder is resumed only with the same identity."""
    return {
        "seed": seed,
        "n": n,
        "plan_hash": plan.hash if plan else None,
        "model_name": engine_identity.get("model"),
        "engine": engine_identity,
        "theory_hash": theory.hash,
        "schema_hash": schema_hash(theory.schema),
        "settings": {  # runs from before box variants had a box per attempt: they resume with 0
            k: v for k, v in asdict(settings).items() if not (k == "box_variants" and v == 0)
        },
        "attempts_per_slot": attempts_per_slot,
        "dedup": dedup,
    }


class Session:
    def __init__(
        self,
        theory: Theory,
        engine,
        settings: Settings,
        out: Path,
        seed: int,
        n: int | None = None,
        planned=None,
        plan=None,
        attempts_per_slot: int = 1,
        dedup: str = "lexical",
        concurrency: int = 1,
        solver=None,
        engine_identity: dict | None = None,
        lock: FolderLock | None = None,
    ):
        from ..dedup.text import compared_fields
        from ..population.dedupe import Deduper
        from ..population.slots import Slots, uniform
        from .cpu import Solver

        self.planned = Slots.of(planned) if planned is not None else uniform(n, seed, theory.schema)
        self.out, self.seed, self.plan = Path(out), seed, plan
        self.theory, self.engine, self.settings = theory, engine, settings
        self.budget, self.k = attempts_per_slot, max(1, concurrency)
        self.engine_identity = engine_identity or {
            "engine": getattr(engine, "name", "?"),
            "model": getattr(engine, "name", None),
        }
        self.identity = identity(
            theory, settings, seed, len(self.planned), plan, self.engine_identity, attempts_per_slot, dedup
        )
        check_identity(self.out, self.identity)
        self.lock = lock or FolderLock(self.out).acquire()
        self.deduper = Deduper(dedup, compared_fields(theory.schema))
        self.planned_cells = self.planned.cell_counts()
        self.state = load_state(self.out)
        cell = self.planned.cells_of(self.state.accepted)  # a resume: the slots up to where it stopped
        if self.state.accepted:  # the accepted personas are indexed for dedup, read again, not held
            for p in run_records(self.out / "personas.jsonl"):
                self.deduper.add(cell.get(p["id"], ""), p)
        self.dir = RunDir(self.out)
        self.counts = Counter(self.state.counts)
        self.counts.update(slots=len(self.planned), accepted=len(self.state.accepted))
        self.realised = Counter(cell[i] for i in self.state.accepted if i in cell)
        del cell
        self.shortfall: Counter = Counter()
        self.solver = solver or Solver(theory, settings.narrow)
        self.loop = PersonaLoop(theory, settings)
        self.scheduler = Scheduler(engine, self.solver)
        self.started = time.time()
        self._manifest_at = 0.0
        self.indexes: list[Callable[[], object]] = []  # caught up with the log as the manifest is written

    # ---- manifest -------------------------------------------------------------------------
    def wall_seconds(self) -> float:
        return self.state.wall_seconds + (time.time() - self.started)

    def manifest(self, status: str) -> dict:
        planned = self.planned_cells
        c = self.counts
        acc = max(1, c["accepted"])
        wall = self.wall_seconds()
        st = self.scheduler.stats
        return {
            "hachimi": __version__,
            "status": status,
            "identity": self.identity,
            "theory": {"name": self.theory.name, "path": str(self.theory.root.resolve()), "hash": self.theory.hash},
            "schema_hash": self.identity["schema_hash"],  # built once (pydantic JSON Schemas: ~50 ms)
            "plan": {"name": self.plan.name, "file": str(Path(self.plan.file).resolve()), "hash": self.plan.hash}
            if self.plan
            else None,
            "model": {"name": self.engine_identity.get("model"), **self.engine_identity},
            "settings": asdict(self.settings),
            "attempts_per_slot": self.budget,
            "dedup": self.deduper.mode,
            "concurrency": self.k,
            "workers": getattr(self.solver, "workers", 0),
            "boxes": self.solver.boxes.stats() if hasattr(self.solver, "boxes") else None,
            "counts": dict(c),
            "torn_lines_repaired": self.state.torn,
            "per_accepted": {
                "calls": round(c["calls"] / acc, 3),
                "tokens": round(c["tokens"] / acc, 1),
                "engine_seconds": round(c["engine_seconds"] / acc, 3),
                "wall_seconds": round(wall / acc, 3),
            },
            "this_session": {
                "seconds": round(time.time() - self.started, 1),
                "ticks": st.ticks,
                "engine_calls": st.engine_calls,
                "requests": st.requests,
                "mean_batch": round(st.requests / max(1, st.engine_calls), 2),
                "engine_wall_seconds": round(st.engine_wall, 1),
                "solver_wall_seconds": round(st.solver_wall, 1),
            },
            "cells": {
                cl: {"planned": planned[cl], "realised": self.realised[cl], "shortfall": self.shortfall[cl]}
                for cl in sorted(planned)
            },
            "seconds": round(wall, 1),
            "wall_seconds": round(wall, 3),
        }

    def _manifest(self, status: str, force: bool = False) -> None:
        now = time.time()
        if force or now - self._manifest_at >= MANIFEST_EVERY_S:
            self.dir.write_manifest(self.manifest(status))
            self._catch_up_indexes()
            self._manifest_at = now

    def _catch_up_indexes(self) -> None:
        """The slot index (a resume then reads seconds of log, not all of it) and the others the
        caller added (the audit database: the CLI's, a layer above). An index is a cache of the log:
        one that cannot be written (a full disk) stays behind and its next reader catches it up; the
        run goes on, and stops on the log's own write if the disk is really full."""
        import sqlite3

        from ..errors import HachimiError

        for catch_up in (lambda: SlotIndex(self.out).catch_up(strict=False), *self.indexes):
            try:
                catch_up()
            except (OSError, sqlite3.Error, HachimiError):
                pass

    # ---- running --------------------------------------------------------------------------
    def run(self, on_progress: Callable[[dict], None] = lambda c: None) -> dict:
        self._manifest("running", force=True)
        status = "interrupted"
        try:
            self._run(on_progress)
            status = "complete"
        finally:
            try:
                self._manifest(status, force=True)
            finally:
                self.dir.close()
                self.lock.release()
        return dict(self.counts)

    def _run(self, on_progress: Callable[[dict], None]) -> None:
        results: dict[int, tuple | None] = {}  # position -> (persona, attempt) | None, awaiting commit
        nxt = head = 0
        sched = self.scheduler
        n = len(self.planned)
        while head < n:
            while nxt < n and sched.active < self.k:
                ps = self.planned[nxt]
                s = self.state.slot(ps.id)
                if ps.id in self.state.accepted:
                    results[nxt] = "accepted"
                elif s.candidate is not None:
                    results[nxt], s.candidate = s.candidate, None
                else:
                    self._collect(sched.start(nxt, self._slot_task(ps, s.next_attempt)), results)
                nxt += 1
            head = self._commit(head, results, on_progress)
            if head < n and sched.active:
                self._collect(sched.tick(), results)
                head = self._commit(head, results, on_progress)
                self._progress(on_progress)
            elif head < n and nxt >= n and head not in results:
                raise RuntimeError(f"scheduler stalled at slot {head}")  # a bug, never a user error

    def _collect(self, done: list, results: dict) -> None:
        for pos, value in done:
            results[pos] = value

    def _progress(self, on_progress) -> None:
        self.counts["in_flight"] = self.scheduler.active
        on_progress(self.counts)
        self._manifest("running")

    def _slot_task(self, ps, first_attempt: int):
        """A slot's attempts from `first_attempt` until one is accepted (returns (persona, attempt))
        or the budget is spent (returns None)."""
        for attempt in range(first_attempt, self.budget):
            seed = derive(self.seed, "persona", ps.index, attempt)
            restrict = ps.restricts[derive(seed, "stratum") % len(ps.restricts)]
            o = yield from self.loop.steps(ps.id, ps.slot, seed, attempt, restrict or None)
            self.dir.append_many("attempts.jsonl", o.records)
            self._count(o)
            self.state.slot(ps.id).next_attempt = attempt + 1
            if o.persona is not None:
                return o.persona, attempt
        return None

    def _commit(self, head: int, results: dict, on_progress) -> int:
        """Commit finished slots in slot order from `head`; returns the new head."""
        while head in results:
            ps, value = self.planned[head], results.pop(head)
            if value == "accepted":
                pass
            elif value is None:
                self._short(ps)
            else:
                persona, attempt = value
                twin = self.deduper.near(ps.cell, persona)
                if twin:
                    self.counts["near_duplicates"] += 1
                    self.dir.append(
                        "attempts.jsonl",
                        {"type": "near_duplicate", "persona": ps.id, "attempt": attempt, "of": twin[0], "how": twin[1]},
                    )
                    if attempt + 1 < self.budget:  # regenerate; later slots wait for it
                        self._collect(self.scheduler.start(head, self._slot_task(ps, attempt + 1)), results)
                        continue
                    self._short(ps)
                else:
                    self.dir.append("personas.jsonl", persona)
                    self.dir.sync("personas.jsonl")
                    self.deduper.add(ps.cell, persona)
                    self.state.accepted.add(ps.id)
                    self.counts["accepted"] += 1
                    self.realised[ps.cell] += 1
            self.state.slots.pop(ps.id, None)  # committed: its attempts' counters are no longer needed
            self.counts["done"] += 1
            head += 1
            on_progress(self.counts)
        return head

    def _short(self, ps) -> None:
        self.counts["failed"] += 1
        self.shortfall[ps.cell] += 1

    def _count(self, o) -> None:
        c = self.counts
        c["attempts"] += 1
        c["first_pass_valid"] += o.first_pass_valid
        c["calls"] += o.calls
        c["tokens"] += o.tokens
        c["rounds"] += o.rounds
        c["engine_seconds"] += round(o.seconds, 3)
        c["outside_stratum"] += o.reason.startswith("outside its stratum")
        c["engine_errors"] += o.reason.startswith("engine error")

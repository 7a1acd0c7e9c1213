"""A generation run, wired once for every caller (the CLI, benchmarks, notebooks): the theory's
slots (with its plan), the settings from the model's defaults, the folder's identity checked and
locked before any model loads, the engine (with retries, and the template engine writing the
theory's parts), a solver pool if asked, and the Session that runs it. `open_run` does the
wiring; `Run.session.run(progress)` generates; `Run.close()` releases the engine and the pool."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..theory.pack import Theory
from . import BOX_VARIANTS
from .loop import Settings

WORK_PER_WORKER = 4  # slots in flight per solver worker when neither --concurrency nor the model says


def settings_for(
    spec,
    language: str | None = None,
    max_text: int | None = None,
    narrow: bool = True,
    box_variants: int | None = None,
    max_rounds: int = 3,
    direct_repair: bool = True,
    narrative: str | None = None,
) -> Settings:
    """A run's settings: what is given, else the model's decoding defaults (models/*.toml)."""
    dec = spec.decoding
    return Settings(
        language=language or spec.language,
        max_text=max_text or dec.get("max_chars_text", 300),
        max_short=min(max_text or 10**6, dec.get("max_chars_short", 120)),
        narrow=narrow,
        box_variants=BOX_VARIANTS if box_variants is None else box_variants,
        max_rounds=max_rounds,
        direct_repair=direct_repair,
        narrative=narrative or spec.narrative,
    )


def engine_for(spec, theory: Theory | None, retries: int = 3):
    """The model's engine, with retries for transient errors; HACHIMI_FAULT_EVERY=k makes every
    k-th call fail (a drill for the retry and recording paths)."""
    from ..engines import registry
    from ..engines.retry import Retrying
    from .filler import writer

    engine = registry.engine(spec, writer(theory))
    if every := int(os.environ.get("HACHIMI_FAULT_EVERY", "0") or 0):
        from ..engines.faults import FaultyEngine

        engine = FaultyEngine(engine, every)
    # The OpenAI-compatible engine retries each HTTP request itself (with AIMD); no second layer.
    return Retrying(engine, tries=1 if spec.engine_kind == "openai" else retries)


@dataclass
class Run:
    session: object  # generate.session.Session
    prepared: object  # population.prepare.Prepared
    engine: object
    concurrency: int
    load_seconds: float
    solver: object = None
    notes: list[str] = field(default_factory=list)  # what the caller should tell the user

    def close(self) -> None:
        self.engine.close()
        if self.solver is not None:
            self.solver.close()


def open_run(
    theory: Theory,
    spec,
    out: Path,
    n: int,
    seed: int,
    settings: Settings,
    plan_path: Path | None = None,
    attempts: int | None = None,
    dedup: str = "lexical",
    concurrency: int | None = None,
    workers: int = 0,
    retries: int = 3,
    engine=None,
    extra_identity: dict | None = None,
    on_loading=None,
) -> Run:
    """Everything up to the first call: slots, identity check, the folder's lock (before the model
    loads: a second process refuses at once), the engine (`engine`, else the spec's), the session.
    `extra_identity` joins the run's identity (e.g. the lint findings an --unchecked run overrides);
    `on_loading()` is called just before the model loads."""
    from ..engines import models
    from ..fsio import os_errors
    from ..population.prepare import planned_slots
    from ..store.lock import FolderLock
    from ..store.state import check_identity
    from .session import Session, identity

    prepared = planned_slots(theory, n, seed, plan_path)
    plan, planned = prepared.plan, prepared.slots
    notes = [
        f"{plan.cell_label(c)} is impossible under the theory ({' + '.join(rules)}); it gets no personas"
        for c, rules in (prepared.feasibility.impossible.items() if plan else ())
    ]
    budget = attempts or (plan.attempts_per_slot if plan else 1)
    engine_id = models.identity(spec)
    extra = dict(extra_identity or {})
    check_identity(out, {**identity(theory, settings, seed, len(planned), plan, engine_id, budget, dedup), **extra})
    with os_errors(out):  # a read-only or full disk is refused here, before the model loads
        lock = FolderLock(out).acquire()
    solver = None
    try:
        if on_loading:
            on_loading()
        t = time.time()
        engine = engine or engine_for(spec, theory, retries)
        k = concurrency or spec.concurrency or engine.default_concurrency
        if workers and not (concurrency or spec.concurrency):
            # a worker answers the solver work of the slots in flight: with the one slot a batch-1
            # engine keeps in flight, --workers 2 kept one process busy and left the other idle
            k = max(k, WORK_PER_WORKER * workers)
        if workers:
            from .cpu import SolverPool

            solver = SolverPool(theory, workers, settings.narrow)
        session = Session(
            theory,
            engine,
            settings,
            out,
            seed,
            planned=planned,
            plan=plan,
            attempts_per_slot=budget,
            dedup=dedup,
            concurrency=k,
            solver=solver,
            engine_identity=engine_id,
            lock=lock,
        )
        session.identity.update(extra)
    except BaseException:
        lock.release()
        if solver is not None:
            solver.close()
        raise
    return Run(session, prepared, engine, k, time.time() - t, solver, notes)

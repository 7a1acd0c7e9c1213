"""Narrow and Check needs -> boxes and validation results: the solver work of the loop, in this
process (Solver) or spread over worker processes (SolverPool), so that narrowing, validation,
cores and repairs stay off the decoding path. Answers are pure functions of the need (narrowing
decides from SAT/UNSAT answers only), so which process answers never changes a persona."""

from __future__ import annotations

import json
import os
import signal
from collections import OrderedDict
from pathlib import Path

from ..theory.pack import Theory

BOXES_KEPT = 4096  # boxes a solver remembers (least recently used go first): ~3 KB each


class Solver:
    def __init__(self, theory: Theory, narrow: bool = True):
        from ..validate import Validator

        self.theory = theory
        self.validator = Validator(theory)
        self._narrower = None
        self.narrow = narrow
        self._boxes: OrderedDict[str, object] = OrderedDict()

    @property
    def narrower(self):
        if self._narrower is None:
            from .narrow import Narrower

            self._narrower = Narrower(self.theory)
        return self._narrower

    def answer(self, need):
        from .needs import Check, Narrow

        if isinstance(need, Narrow):
            return self.box(need)
        if isinstance(need, Check):
            r = next(self.validator.validate_objects([need.persona]))
            r.record = None  # parsed facts stay here (not needed by the loop, costly to ship)
            return r
        raise TypeError(f"a Solver cannot answer {type(need).__name__}")

    def box(self, need):
        """The need's box, remembered: a box is a pure function of (slot, seed, restrict), so a
        remembered one is the box a fresh narrower would grow (the loop shares box seeds between
        a slot's attempts: loop.box_seed). Shared, never changed by its users."""
        key = json.dumps([need.slot, need.seed, need.restrict], sort_keys=True, default=str)
        if key in self._boxes:
            self._boxes.move_to_end(key)
            return self._boxes[key]
        box = self._boxes[key] = self.narrower.box(need.slot, need.seed, need.restrict)
        if len(self._boxes) > BOXES_KEPT:
            self._boxes.popitem(last=False)
        return box

    def answer_many(self, needs: list) -> list:
        """Answers in order; Check needs are validated together (one ground program for all)."""
        from .needs import Check

        checks = [i for i, n in enumerate(needs) if isinstance(n, Check)]
        out: list = [None] * len(needs)
        if checks:
            for i, r in zip(checks, self.validator.validate_objects([needs[i].persona for i in checks])):
                r.record = None
                out[i] = r
        for i, n in enumerate(needs):
            if out[i] is None:
                out[i] = self.answer(n)
        return out

    def close(self) -> None:
        pass


_WORKER: Solver | None = None


def _orphaned_exit(parent: int, every_s: float = 1.0) -> None:
    """Exit when the parent is gone (kill -9 of the run): a worker left behind kept a core busy
    beside the run that resumes it."""
    import threading
    import time

    def watch() -> None:
        while True:
            time.sleep(every_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="hachimi-orphan-watch", daemon=True).start()


def _init(root: str, narrow: bool, parent: int) -> None:
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    _orphaned_exit(parent)  # the pool's process, given: it may be gone before this worker starts
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from ..theory.pack import load

    _WORKER = Solver(load(Path(root)), narrow)


def _answer_many(needs: list) -> list:
    return _WORKER.answer_many(needs)


class SolverPool:
    """`workers` processes, each with its own theory, narrower and validator."""

    def __init__(self, theory: Theory, workers: int, narrow: bool = True):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(str(theory.root), narrow, os.getpid()),
        )

    def answer_many(self, needs: list) -> list:
        """Needs split into one contiguous share per worker (validations in a share run together)."""
        if not needs:
            return []
        size = -(-len(needs) // self.workers)
        shares = [needs[i : i + size] for i in range(0, len(needs), size)]
        return [a for part in self.pool.map(_answer_many, shares) for a in part]

    def answer(self, need):
        return self.answer_many([need])[0]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

"""Narrow and Check needs -> boxes and validation results: the solver work of the loop, in this
process (Solver) or spread over worker processes (SolverPool), so that narrowing, validation,
cores and repairs stay off the decoding path. Answers are pure functions of the need (narrowing
decides from SAT/UNSAT answers only), so which process answers never changes a persona."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from ..theory.pack import Theory
from .boxes import Boxes, key


class Solver:
    """`kept`: boxes remembered (generate/boxes.py; None: its default, 0: none, as in a pool's
    workers, whose pool remembers them)."""

    def __init__(self, theory: Theory, narrow: bool = True, kept: int | None = None):
        from ..validate import Validator

        self.theory = theory
        self.validator = Validator(theory)
        self._narrower = None
        self.narrow = narrow
        self.boxes = Boxes(kept)

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
        a slot's attempts: loop.box_seed)."""
        if not self.boxes.kept:
            return self.narrower.box(need.slot, need.seed, need.restrict)
        k = key(need.slot, need.seed, need.restrict)
        found, box = self.boxes.get(k)
        if not found:
            box = self.narrower.box(need.slot, need.seed, need.restrict)
            self.boxes.put(k, box)
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

    _WORKER = Solver(load(Path(root)), narrow, kept=0)  # the pool remembers the boxes


def _answer_many(needs: list) -> list:
    return _WORKER.answer_many(needs)


class SolverPool:
    """`workers` processes, each with its own theory, narrower and validator. The boxes they grow
    are remembered here, so a remembered box costs no worker time and no transfer."""

    def __init__(self, theory: Theory, workers: int, narrow: bool = True, kept: int | None = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.boxes = Boxes(kept)
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(str(theory.root), narrow, os.getpid()),
        )

    def answer_many(self, needs: list) -> list:
        """Remembered boxes first; the rest split into one contiguous share per worker
        (validations in a share run together)."""
        from .needs import Narrow

        out: list = [None] * len(needs)
        asked: list[int] = []
        keys: dict[int, bytes] = {}
        for i, n in enumerate(needs):
            if isinstance(n, Narrow) and self.boxes.kept:
                keys[i] = key(n.slot, n.seed, n.restrict)
                found, out[i] = self.boxes.get(keys[i])
                if found:
                    continue
            asked.append(i)
        if asked:
            size = -(-len(asked) // self.workers)
            shares = [[needs[i] for i in asked[j : j + size]] for j in range(0, len(asked), size)]
            answers = [a for part in self.pool.map(_answer_many, shares) for a in part]
            for i, a in zip(asked, answers):
                out[i] = a
                if i in keys:
                    self.boxes.put(keys[i], a)
        return out

    def answer(self, need):
        return self.answer_many([need])[0]

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

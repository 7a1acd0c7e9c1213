"""JSONL lines -> validation Results computed by worker processes (one Validator each), in order."""

from __future__ import annotations

import collections
import itertools
import multiprocessing as mp
import os
from typing import Iterable, Iterator

from .theory.pack import Theory
from .validate import CHUNK, Result, Validator

_WORKER: Validator | None = None


def _init(theory: Theory, explain: bool, repair: bool) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: no traceback per worker
    _WORKER = Validator(theory, explain, repair)


def _work(job: tuple[int, list[str]]) -> list[Result]:
    start, lines = job
    assert _WORKER is not None
    results = list(_WORKER.validate_lines(lines, start=start))
    for r in results:
        r.record = None  # not needed by the caller; keeps the pickles small
    return results


def default_jobs(cap: int = 8) -> int:
    """One worker per usable core, at most `cap`."""
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, cap))


def validate_parallel(
    theory: Theory, lines: Iterable[str], jobs: int, explain: bool = True, repair: bool = True, chunk: int = CHUNK // 4
) -> Iterator[Result]:
    """Like Validator.validate_lines, spread over `jobs` processes; falls back to one process."""
    if jobs <= 1:
        yield from Validator(theory, explain, repair).validate_lines(lines)
        return
    it = iter(lines)

    def chunks():
        n = 1
        while batch := list(itertools.islice(it, chunk)):
            yield n, batch
            n += len(batch)

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs, initializer=_init, initargs=(theory, explain, repair)) as pool:
        # At most two chunks per worker submitted ahead (Pool.imap would read the whole input into
        # its task queue: a 1M-line file held in memory).
        window: collections.deque = collections.deque()
        for job in chunks():
            window.append(pool.apply_async(_work, (job,)))
            if len(window) >= 2 * jobs:
                yield from window.popleft().get()
        while window:
            yield from window.popleft().get()

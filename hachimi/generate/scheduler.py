"""Tasks (generators that yield loop Needs) -> their results, with many tasks in flight.

Each tick: the model calls of every task waiting on the model go to the engine as one list (a
padded batch, concurrent HTTP requests, a vLLM batch), in a background thread; meanwhile the solver
needs (narrowing, validation) are answered, in process or by a worker pool, and the tasks they
wake advance until they too wait on the model or finish; then the engine's outputs are handed
back. Which calls share a batch depends only on the tasks and their order, never on timing, so a
run is repeatable; an engine whose outputs do not depend on their batch-mates makes it
independent of the number of tasks in flight as well."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Generator, Hashable

from .needs import Calls


@dataclass
class Stats:
    ticks: int = 0
    engine_calls: int = 0  # generate() calls (batches)
    requests: int = 0
    engine_wall: float = 0.0  # wall seconds inside engine.generate
    solver_wall: float = 0.0  # wall seconds answering solver needs in this thread
    solver_needs: int = 0
    batch_sizes: list[int] = field(default_factory=list)


class _Task:
    __slots__ = ("key", "gen", "need", "finished")

    def __init__(self, key: Hashable, gen: Generator):
        self.key, self.gen, self.need, self.finished = key, gen, None, False


class Scheduler:
    def __init__(self, engine, solver):
        self.engine, self.solver = engine, solver
        self.tasks: list[_Task] = []
        self.stats = Stats()

    @property
    def active(self) -> int:
        return len(self.tasks)

    def start(self, key: Hashable, gen: Generator) -> list[tuple[Hashable, Any]]:
        """Add a task; returns [(key, result)] if it finished without needing anything."""
        t = _Task(key, gen)
        done: list = []
        self._send(t, None, done)
        if not done:
            self.tasks.append(t)
        return done

    def _send(self, t: _Task, answer: Any, done: list) -> bool:
        try:
            t.need = t.gen.send(answer)
            return True
        except StopIteration as stop:
            t.need, t.finished = None, True
            done.append((t.key, stop.value))
            return False

    def tick(self) -> list[tuple[Hashable, Any]]:
        """Advance every task by one model round; returns the tasks that finished, in task order."""
        self.stats.ticks += 1
        done: list = []
        calling = [t for t in self.tasks if isinstance(t.need, Calls)]
        requests = [r for t in calling for r in t.need.requests]
        box: dict = {}
        worker = None
        if requests and not any(not t.finished and not isinstance(t.need, Calls) for t in self.tasks):
            self._generate(requests, box)  # no solver work to overlap: no thread to start
        elif requests:
            worker = threading.Thread(target=self._generate, args=(requests, box), daemon=True)
            worker.start()
        self._solve_all(done)
        if requests:
            while worker is not None and worker.is_alive():
                worker.join(0.2)  # short waits keep Ctrl-C responsive
            if "error" in box:
                raise box["error"]
            outputs = box["outputs"]
            pos = 0
            for t in calling:
                k = len(t.need.requests)
                self._send(t, outputs[pos : pos + k], done)
                pos += k
        self.tasks = [t for t in self.tasks if not t.finished]
        return done

    def _generate(self, requests: list, box: dict) -> None:
        start = time.perf_counter()
        try:
            box["outputs"] = self.engine.generate(requests)
        except BaseException as e:  # re-raised in the scheduling thread
            box["error"] = e
        s = self.stats
        s.engine_wall += time.perf_counter() - start
        s.engine_calls += 1
        s.requests += len(requests)
        s.batch_sizes.append(len(requests))

    def _solve_all(self, done: list) -> None:
        """Answer solver needs until every task waits on the model or has finished."""
        while True:
            solving = [t for t in self.tasks if not t.finished and not isinstance(t.need, Calls)]
            if not solving:
                return
            start = time.perf_counter()
            answers = self.solver.answer_many([t.need for t in solving])
            self.stats.solver_wall += time.perf_counter() - start
            self.stats.solver_needs += len(solving)
            for t, a in zip(solving, answers):
                self._send(t, a, done)

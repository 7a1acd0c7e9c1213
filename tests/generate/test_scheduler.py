"""Many slots in flight: calls of many slots share engine batches; the file does not depend on K
(batch-invariant engines) or on which slot finished first, near-duplicate regeneration included;
revision calls of one round go out together; engine errors are recorded, never fatal."""

import json

import pytest

from hachimi.engines.base import Output
from hachimi.engines.faults import FaultyEngine
from hachimi.engines.retry import Retrying
from hachimi.engines.scripted import ScriptedEngine
from hachimi.generate.filler import template_engine
from hachimi.generate.loop import Settings
from hachimi.generate.session import Session
from scripted import script


class OrderSensitiveDedup:
    """A stand-in near-duplicate check whose verdict depends on what was accepted before (as a real
    one does): a persona is a 'near-duplicate' when its name hash matches the count accepted so far.
    Any commit out of slot order changes the file."""

    mode = "order-sensitive"

    def __init__(self):
        self.accepted: list[str] = []

    def near(self, cell, persona):
        h = sum(map(ord, persona["enrollment"]["name"]))
        return (self.accepted[-1], "lexical") if self.accepted and h % 3 == len(self.accepted) % 3 else None

    def add(self, cell, persona):
        self.accepted.append(persona["id"])


def _session(theory, tmp_path, name, engine, k, n=10, attempts=3, **kw):
    return Session(
        theory, engine, Settings(), tmp_path / name, seed=4, n=n, attempts_per_slot=attempts, concurrency=k, **kw
    )


def test_calls_of_many_slots_share_batches(theory, tmp_path):
    engine = ScriptedEngine(script())
    _session(theory, tmp_path, "r", engine, k=6, n=6).run()
    assert max(engine.batches) == 6  # six slots' proposals in one batch
    assert sum(engine.batches) == 30 and len(engine.batches) == 5


def test_output_independent_of_k_with_near_duplicates(theory, tmp_path):
    files, counts = [], []
    for k in (1, 4, 10):
        s = _session(theory, tmp_path, f"k{k}", template_engine(theory), k=k, n=14)
        s.deduper = OrderSensitiveDedup()
        c = s.run()
        files.append((tmp_path / f"k{k}" / "personas.jsonl").read_bytes())
        counts.append({key: c.get(key, 0) for key in ("accepted", "attempts", "calls", "near_duplicates", "failed")})
    assert counts[0]["near_duplicates"] > 0  # the test exercises regeneration
    assert files[0] == files[1] == files[2] and counts[0] == counts[1] == counts[2]
    ids = [json.loads(line)["id"] for line in files[0].splitlines()]
    assert ids == sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))  # slot order


def test_revisions_of_one_round_go_out_together(theory, tmp_path):
    def tamper(agent, part, n):
        if n == 1 and agent == "mental_health":
            part["narrative"] += " Last spring the student was hospitalized."
        if n == 1 and agent == "social_creativity":
            part["social"]["relationships"] = "Friends:\n\n1. Wang\n2. Li"
        return part

    engine = ScriptedEngine(script(tamper))
    c = _session(theory, tmp_path, "r", engine, k=1, n=1, attempts=1).run()
    assert c["accepted"] == 1 and c["calls"] == 7
    assert engine.batches == [1, 1, 1, 1, 1, 2]  # five proposals, then both revisions at once
    assert sorted(a for a, _ in engine.calls[5:]) == ["mental_health", "social_creativity"]


def test_engine_error_is_recorded_and_the_run_goes_on(theory, tmp_path):
    inner = script()
    calls = {"n": 0}

    def flaky(agent, messages, schema, seed):
        calls["n"] += 1
        if calls["n"] == 2:
            return Output("", 0, 0.0, False, error="CUDA out of memory", transient=False)
        return inner(agent, messages, schema, seed)

    s = _session(theory, tmp_path, "r", ScriptedEngine(flaky), k=1, n=2, attempts=2)
    c = s.run()
    assert c["accepted"] == 2 and c["engine_errors"] == 1 and c["attempts"] == 3
    outcomes = [
        json.loads(line) for line in (tmp_path / "r" / "attempts.jsonl").read_text().splitlines() if '"outcome"' in line
    ]
    assert outcomes[0]["reason"].startswith("engine error: CUDA out of memory")


def test_faulty_engine_one_call_in_three(theory, tmp_path):
    """A real engine failing every third call: retries recover, nothing is lost, and the personas
    equal a healthy run's (a resent call has the same seed)."""
    healthy = _session(theory, tmp_path, "ok", template_engine(theory), k=4, n=8).run()
    faulty_engine = FaultyEngine(template_engine(theory), every=3)
    c = _session(theory, tmp_path, "faulty", Retrying(faulty_engine, tries=3, backoff_s=0), k=4, n=8).run()
    assert faulty_engine.injected >= 10
    assert c["accepted"] == healthy["accepted"] == 8
    assert (tmp_path / "ok" / "personas.jsonl").read_bytes() == (tmp_path / "faulty" / "personas.jsonl").read_bytes()
    calls = [
        json.loads(line)
        for line in (tmp_path / "faulty" / "attempts.jsonl").read_text().splitlines()
        if '"type":"call"' in line
    ]
    assert sum(e["tries"] > 1 for e in calls) >= 10  # the retries are recorded per call


def test_faults_beyond_retries_become_failed_attempts(theory, tmp_path):
    engine = Retrying(FaultyEngine(template_engine(theory), every=2), tries=1, backoff_s=0)
    c = _session(theory, tmp_path, "r", engine, k=3, n=4, attempts=2).run()
    assert c["engine_errors"] == c["attempts"] - c["accepted"] > 0
    assert len((tmp_path / "r" / "personas.jsonl").read_text().splitlines()) == c["accepted"]


def test_retry_turns_an_exception_into_a_transient_error():
    class Broken:
        name, default_concurrency = "broken", 1

        def generate(self, requests):
            raise ConnectionError("server went away")

    outs = Retrying(Broken(), tries=2, backoff_s=0).generate([object(), object()])
    assert all(o.error.startswith("engine raised ConnectionError") and o.tries == 2 for o in outs)


@pytest.mark.parametrize("workers", [2])
def test_worker_pool_gives_the_same_file(theory, tmp_path, workers):
    from hachimi.generate.cpu import SolverPool

    _session(theory, tmp_path, "inproc", template_engine(theory), k=4, n=6).run()
    pool = SolverPool(theory, workers)
    try:
        _session(theory, tmp_path, "pool", template_engine(theory), k=4, n=6, solver=pool).run()
    finally:
        pool.close()
    assert (tmp_path / "inproc" / "personas.jsonl").read_bytes() == (tmp_path / "pool" / "personas.jsonl").read_bytes()


def test_retry_lets_misconfiguration_stop_the_run():
    from hachimi.errors import HachimiError

    class Misconfigured:
        name, default_concurrency = "m", 1

        def generate(self, requests):
            raise HachimiError("the server demands an API key: set $X")

    with pytest.raises(HachimiError, match="API key"):
        Retrying(Misconfigured(), tries=3, backoff_s=0).generate([object()])


class _ThreadRecordingEngine:
    """Answers every request with '{}' and remembers on which thread each batch ran."""

    def __init__(self, fail: bool = False):
        self.threads: list[str] = []
        self.fail = fail

    def generate(self, requests):
        import threading

        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise KeyboardInterrupt  # as Ctrl-C during a model call would
        return [Output("{}", 1, 0.0, False) for _ in requests]


class _Solver:
    def answer_many(self, needs):
        return [None for _ in needs]


def _tasks(sched, needs_per_task):
    from hachimi.generate.needs import Calls

    for key, needs in enumerate(needs_per_task):

        def gen(needs=needs, key=key):
            for need in needs:
                yield need if need != "calls" else Calls([object()], ["a"])
            return key

        sched.start(key, gen())


def test_engine_runs_inline_when_no_solver_work_overlaps_it():
    from hachimi.generate.scheduler import Scheduler

    engine = _ThreadRecordingEngine()
    sched = Scheduler(engine, _Solver())
    _tasks(sched, [["calls", "calls"]])
    while sched.active:
        sched.tick()
    assert engine.threads == ["MainThread", "MainThread"]  # nothing to overlap: no thread started


def test_engine_runs_in_a_thread_while_solver_needs_are_answered():
    from hachimi.generate.needs import Narrow
    from hachimi.generate.scheduler import Scheduler

    engine = _ThreadRecordingEngine()
    sched = Scheduler(engine, _Solver())
    _tasks(sched, [["calls"], [Narrow({}, 0, None), "calls"]])
    done = []
    while sched.active:
        done += sched.tick()
    assert engine.threads[0] != "MainThread"  # the first tick overlapped a narrowing
    assert sorted(k for k, _ in done) == [0, 1]


def test_an_inline_engine_error_is_raised_in_the_scheduling_thread():
    from hachimi.generate.scheduler import Scheduler

    sched = Scheduler(_ThreadRecordingEngine(fail=True), _Solver())
    _tasks(sched, [["calls"]])
    with pytest.raises(KeyboardInterrupt):
        sched.tick()

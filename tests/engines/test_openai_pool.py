"""Several replicas as one engine: requests spread over the healthy ones; a replica that dies
mid-run (its connections cut, or 503s, or nothing listening) is drained and its requests are
answered by the others: none lost, none answered twice, outputs in request order. Stub servers on
127.0.0.1 stand in for the replicas here (the loop under test is the client's); the engine tier
runs two real vLLM servers (test_pool_served.py)."""

from __future__ import annotations

import threading

import pytest

from engine_harness import completion, free_port, stub_server
from hachimi.engines.base import Request
from hachimi.engines.models import ModelSpec
from hachimi.engines.openai import OpenAIEngine
from hachimi.errors import HachimiError


def pool(urls, **openai) -> OpenAIEngine:
    return OpenAIEngine(
        ModelSpec(
            name="test-pool",
            description="",
            loader="openai",
            engine="openai",
            openai={"base_urls": urls, "model": "stub-model", "backoff_s": 0.01, "drain_s": 0.5, **openai},
            decoding={"temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.15},
        )
    )


def echo(n, body):
    """Answers with the request's own seed, so each output names the request it answers."""
    return 200, completion(f'{{"seed": {body["seed"]}}}'), {}


def reqs(n: int) -> list[Request]:
    return [Request([{"role": "user", "content": "hi"}], None, seed=k, max_new_tokens=8) for k in range(n)]


def test_requests_spread_over_the_replicas(monkeypatch):
    with stub_server(echo, delay_s=0.02) as a, stub_server(echo, delay_s=0.02) as b:
        with pool([a.base_url, b.base_url], max_concurrency=4) as e:
            outs = e.generate(reqs(40))
            assert [o.text for o in outs] == [f'{{"seed": {k}}}' for k in range(40)]
            assert a.count > 5 and b.count > 5 and a.count + b.count == 40
            assert a.max_in_flight <= 4 and b.max_in_flight <= 4  # each replica's own window
            assert [s["served"] for s in e.pool_stats()] == [a.count, b.count]


class Dying:
    """Answers until request `after`, then cuts every connection (a server killed mid-run)."""

    def __init__(self, after: int):
        self.after = after

    def __call__(self, n, body):
        if n > self.after:
            raise ConnectionAbortedError("killed")  # the handler dies: the client sees the connection cut
        return echo(n, body)


@pytest.mark.parametrize("how", ["cut", "503", "nothing-listening"])
def test_a_replica_that_dies_mid_run_loses_nothing(how):
    dead = {"cut": Dying(5), "503": lambda n, b: (503, {"error": "down"}, {}) if n > 5 else echo(n, b)}
    with stub_server(echo, delay_s=0.01) as good, stub_server(dead.get(how, echo), delay_s=0.01) as bad:
        urls = [f"http://127.0.0.1:{free_port()}/v1" if how == "nothing-listening" else bad.base_url, good.base_url]
        with pool(urls, max_concurrency=3, retries=6) as e:
            outs = e.generate(reqs(60))
            assert all(o.error is None for o in outs), [o.error for o in outs if o.error][:3]
            assert [o.text for o in outs] == [f'{{"seed": {k}}}' for k in range(60)]  # in order, each once
            stats = e.pool_stats()
            assert stats[0]["failures"] >= 1 and stats[1]["served"] >= 54
            seeds = sorted(b["seed"] for b in good.bodies)
            assert len(seeds) == len(set(seeds))  # the good replica answered no request twice


def test_a_drained_replica_is_tried_again_when_it_recovers():
    state = {"down": True}

    def flaky(n, body):
        return (503, {"error": "restarting"}, {}) if state["down"] else echo(n, body)

    with stub_server(flaky) as a, stub_server(echo) as b:
        with pool([a.base_url, b.base_url], max_concurrency=2, drain_s=0.05) as e:
            assert all(o.error is None for o in e.generate(reqs(10)))
            assert e.pool_stats()[0]["failures"] >= 1
            state["down"] = False
            threading.Event().wait(0.3)  # its rest is over
            e.generate(reqs(20))
            assert e.pool_stats()[0]["served"] > 0


def test_every_replica_down_is_a_transient_error_per_request():
    urls = [f"http://127.0.0.1:{free_port()}/v1", f"http://127.0.0.1:{free_port()}/v1"]
    with pool(urls, retries=2, drain_s=0.01) as e:
        outs = e.generate(reqs(3))
        assert all(o.error and o.transient for o in outs)


def test_a_pool_that_lists_an_endpoint_twice_is_refused():
    with pytest.raises(HachimiError, match="lists an endpoint twice"):
        pool(["http://127.0.0.1:9/v1", "http://127.0.0.1:9/v1/"])

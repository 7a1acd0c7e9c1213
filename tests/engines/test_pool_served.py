"""Two real vLLM servers on 127.0.0.1 as one pool (the bundled model), one killed mid-run: every
request is answered, within its schema, none twice; the killed replica is drained and the other
takes its requests. (Both share this machine's two cores: the pool's throughput is measured in
benchmarks/pool_bench.py, not here.)"""

from __future__ import annotations

import threading
import time

import pytest

from engine_cases import SCHEMAS, cases, check_schema
from engine_harness import stop_group, vllm, vllm_server  # noqa: F401  (a fixture)
from hachimi.engines.models import ModelSpec
from hachimi.engines.openai import OpenAIEngine

pytestmark = pytest.mark.engine


def test_a_replica_killed_mid_run_loses_nothing(vllm_server, tmp_path):  # noqa: F811
    with vllm(tmp_path) as second:
        spec = ModelSpec(
            name="smollm2-pool",
            description="",
            loader="openai",
            engine="openai",
            openai={
                "base_urls": [second["base_url"], vllm_server["base_url"]],
                "model": vllm_server["model"],
                "server": "vllm",
                "max_concurrency": 4,
                "drain_s": 5,
                "retries": 6,
                "backoff_s": 0.2,
            },
            decoding={"temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.15},
        )
        cs = cases(n_per_schema=6)
        with OpenAIEngine(spec) as e:

            def kill_when_it_has_answered():
                # Killed once it has answered three and while it holds requests (a kill between two
                # batches, with nothing in flight and nothing more sent to it, would test nothing).
                while not (e.pool_stats()[0]["served"] >= 3 and e.pool_stats()[0]["in_flight"] >= 2):
                    time.sleep(0.01)
                stop_group(second["proc"])

            killer = threading.Thread(target=kill_when_it_has_answered, daemon=True)
            killer.start()
            outs = e.generate([r for _, r in cs])
            killer.join(timeout=60)
            stats = e.pool_stats()
        assert second["proc"].poll() is not None, "the second server was not killed during the run"
        assert len(outs) == len(cs)
        for (kind, _), o in zip(cs, outs):
            assert o.error is None, (kind, o.error)
            assert check_schema(o.text, SCHEMAS[kind]) is None, (kind, o.text)
        assert stats[0]["served"] >= 3 and stats[0]["failures"] >= 1 and stats[1]["served"] >= 1
        assert stats[0]["served"] + stats[1]["served"] == len(cs)  # each request answered once

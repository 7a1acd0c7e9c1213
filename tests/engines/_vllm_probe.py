"""Runs inside .venv-vllm (test_vllm.py starts it): builds the in-process VLLMEngine from
models/smollm2-135m-vllm.toml, sends the engine tests' requests and writes what came back as JSON
for the test (in the main venv) to check. Usage: python _vllm_probe.py OUT.json [--throughput]"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine_cases import SCHEMAS, cases, messages  # noqa: E402


def main() -> None:
    out_path = Path(sys.argv[1])
    from hachimi.engines.base import Request
    from hachimi.engines import models, registry

    report: dict = {}
    t0 = time.perf_counter()
    engine = registry.engine(models.get("smollm2-135m-vllm"))
    report["start_s"] = time.perf_counter() - t0
    report["describe"] = engine.describe()
    report["default_concurrency"] = engine.default_concurrency
    try:
        cs = cases(n_per_schema=2)
        t = time.perf_counter()
        outs = engine.generate([r for _, r in cs])
        report["schemas"] = {
            "wall_s": time.perf_counter() - t,
            "items": [{"kind": k, **asdict(o)} for (k, _), o in zip(cs, outs)],
        }

        a = Request(messages("profile"), SCHEMAS["profile"], seed=4242, max_new_tokens=64)
        b = Request(messages("summary"), SCHEMAS["summary"], seed=7, max_new_tokens=64)
        first = engine.generate([a, b, a])
        again = engine.generate([a])
        report["seed"] = [first[0].text, first[2].text, again[0].text]

        (trunc,) = engine.generate([Request(messages("summary"), SCHEMAS["summary"], seed=3, max_new_tokens=4)])
        report["truncated"] = asdict(trunc)

        bad, good = engine.generate(
            [
                Request(messages("mood"), {"type": "bogus"}, seed=1, max_new_tokens=16),
                Request(messages("mood"), SCHEMAS["mood"], seed=1, max_new_tokens=64),
            ]
        )
        report["bad_schema"] = [asdict(bad), asdict(good)]

        color = {
            "type": "object",
            "required": ["color"],
            "additionalProperties": False,
            "properties": {"color": {"enum": ["green", "purple"]}},
        }
        msgs = [{"role": "user", "content": "Pick a colour."}]
        banned = engine.generate([Request(msgs, color, seed=s, max_new_tokens=24, banned=("green",)) for s in range(6)])
        report["banned"] = {"schema": color, "texts": [o.text for o in banned], "errors": [o.error for o in banned]}

        # several threads calling generate at once (a scheduler that does so must not break it)
        results: dict = {}

        def call(i):
            results[i] = engine.generate([r for _, r in cases(n_per_schema=1, seed0=1000 + 100 * i)])

        threads = [threading.Thread(target=call, args=(i,)) for i in range(3)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        kinds = [k for k, _ in cases(n_per_schema=1)]
        report["threads"] = [{"kind": k, **asdict(o)} for i in range(3) for k, o in zip(kinds, results[i])]

        if "--throughput" in sys.argv:
            reqs = [r for _, r in cases(n_per_schema=4, seed0=900, max_new_tokens=64)][:16]
            engine.generate(reqs[:2])
            t = time.perf_counter()
            seq = [engine.generate([r])[0] for r in reqs]
            t_seq = time.perf_counter() - t
            t = time.perf_counter()
            con = engine.generate(reqs)
            t_con = time.perf_counter() - t
            report["throughput"] = {
                "sequential_tok_s": sum(o.tokens for o in seq) / t_seq,
                "sequential_s": t_seq,
                "batched_tok_s": sum(o.tokens for o in con) / t_con,
                "batched_s": t_con,
                "batched_seconds_sum": sum(o.seconds for o in con),
                "same_text": sum(x.text == y.text for x, y in zip(seq, con)),
            }
        report["stats"] = dict(engine.stats)
    finally:
        t = time.perf_counter()
        engine.close()
        report["close_s"] = time.perf_counter() - t
    out_path.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":  # vLLM starts its engine core in a child process
    main()

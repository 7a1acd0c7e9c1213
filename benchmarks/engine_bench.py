"""Batched transformers engine on the bundled model: the same real narrowed persona requests run
sequentially at batch 1 and batched (8, 16); aggregate tokens/s and the ratio.

    python benchmarks/engine_bench.py [--n 16] [--batches 1,8,16] [--threads 1] [--cap 0]
                                      [--compare-generate]

Each request is one agent call of a different narrowed slot (k12 theory, the five agents in turn),
with its real schema, prompt and token budget (text_budget / chars_per_token + 16). Reports per batch
size: wall seconds, generated tokens, aggregate tokens/s, speed-up over batch 1, outputs that parse
and validate against their schema, truncated outputs, and how many outputs are byte-identical to the
batch-1 run (same seeds; differences come only from floating-point reductions in padded batches).
`--compare-generate` also runs the same batch through HF `model.generate` with a LogitsProcessor
that samples each row itself and returns one-hot logits (greedy), the design alternative the engine
rejected (see hachimi/engines/transformers.py). The machine's load average is printed with the
numbers: on a shared 2-core machine wall-clock rates move with it; the process CPU seconds
(all threads) and their speed-up are steadier under contention.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hachimi.generate.samples import persona_requests as _requests  # noqa: E402  (one definition, shared with the tests)


def persona_requests(n: int = 16, seed: int = 100, **kw) -> list[dict]:
    """The engine workload: n agent calls on narrowed slots of the bundled k12 theory."""
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load

    return _requests(load(locate("k12")), n, seed, **kw)


def to_requests(dicts: list[dict]):
    from hachimi.engines.base import Request

    return [
        Request(
            d["messages"], d["schema"], d["seed"], d["max_new_tokens"], tuple(d.get("banned", ())), d.get("agent", "")
        )
        for d in dicts
    ]


def check(requests, outputs) -> tuple[int, int, int]:
    """(valid, truncated, errors): valid = parses and validates against its schema."""
    import jsonschema

    valid = trunc = err = 0
    for r, o in zip(requests, outputs):
        trunc += o.truncated
        err += o.error is not None
        try:
            jsonschema.validate(json.loads(o.text), r.schema)
            valid += 1
        except (ValueError, jsonschema.ValidationError):
            pass
    return valid, trunc, err


def generate_baseline(engine, requests):
    """The rejected alternative: HF generate, a LogitsProcessor that samples every row with the
    engine's own per-row sampler and returns one-hot logits, greedy decoding. Same masks, same seeds;
    finished rows stay in the batch until the longest one ends. Returns (tokens, seconds)."""
    import llguidance.torch as llt
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    from hachimi.engines.transformers import banned_now, sample_rows, unpack_bitmask

    rows = [engine._prepare(i, r) for i, r in enumerate(requests)]
    for r in rows:
        r.gen = torch.Generator().manual_seed(r.req.seed)
    width = max(len(r.prompt) for r in rows)
    ids = torch.full((len(rows), width), engine.pad_id, dtype=torch.long)
    attn = torch.zeros_like(ids)
    for k, r in enumerate(rows):
        ids[k, width - len(r.prompt) :] = torch.tensor(r.prompt)
        attn[k, width - len(r.prompt) :] = 1
    V, d = engine.vocab, engine.decoding
    seen = torch.zeros((len(rows), V), dtype=torch.bool)
    for k, r in enumerate(rows):
        seen[k, torch.tensor(r.prompt)] = True
    B = len(rows)
    temp, top_p, pen = (torch.full((B, 1), float(x)) for x in (d.temperature, d.top_p, d.repetition_penalty))
    eos = engine.tok.eos_token_id

    class OneHot(LogitsProcessor):
        def __call__(self, input_ids, scores):
            if input_ids.shape[1] > width:  # feed the previous step's tokens
                for k, r in enumerate(rows):
                    if not r.done:
                        t = int(input_ids[k, -1])
                        r.out.append(t)
                        seen[k, t] = True
                        if r.matcher is not None:
                            r.matcher.consume_token(t)
                        if (
                            t == eos
                            or (r.matcher is not None and r.matcher.is_stopped())
                            or len(r.out) >= r.req.max_new_tokens
                        ):
                            r.done = True
            bitmask = torch.full((B, (V + 31) // 32), -1, dtype=torch.int32)
            pairs = [(r.matcher, k) for k, r in enumerate(rows) if r.matcher is not None and not r.done]
            if pairs:
                llt.fill_next_token_bitmask_par(engine.executor, pairs, bitmask)
            allowed = unpack_bitmask(bitmask, V)
            for k, r in enumerate(rows):
                for t in banned_now(r.banned, r.out):
                    allowed[k, t] = False
            u = torch.tensor(
                [[torch.rand((), generator=r.gen, dtype=torch.float64).item()] for r in rows], dtype=torch.float64
            )
            tokens, _ = sample_rows(scores.float(), seen, allowed, temp, top_p, pen, u)
            out = torch.full_like(scores, float("-inf"))
            for k, r in enumerate(rows):
                out[k, eos if r.done else int(tokens[k])] = 0.0
            return out

    start = time.perf_counter()
    with torch.inference_mode():
        engine.model.generate(
            input_ids=ids,
            attention_mask=attn,
            do_sample=False,
            max_new_tokens=max(r.req.max_new_tokens for r in rows) + 1,
            logits_processor=LogitsProcessorList([OneHot()]),
            pad_token_id=engine.pad_id,
            eos_token_id=eos,
        )
    return sum(len(r.out) for r in rows), time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--batches", default="1,8,16")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--cap", type=int, default=0, help="cap max_new_tokens (0: the schema's budget)")
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--compare-generate", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the results here")
    a = ap.parse_args()
    os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
    from hachimi.engines.transformers import TransformersEngine
    from hachimi.engines import models

    requests = to_requests(persona_requests(a.n, a.seed, cap=a.cap or None))
    spec = models.get(a.model)
    spec.threads = a.threads
    t = time.time()
    engine = TransformersEngine(spec)
    print(
        f"model {spec.name} loaded in {time.time() - t:.0f} s; torch threads {a.threads}; "
        f"{a.n} requests, budgets {min(r.max_new_tokens for r in requests)}-{max(r.max_new_tokens for r in requests)} tokens",
        file=sys.stderr,
    )
    results, base_texts, base_rate, base_cpu_rate = [], None, None, None
    for b in [int(x) for x in a.batches.split(",")]:
        engine.max_batch = b
        load0 = os.getloadavg()[0]
        start, cpu0 = time.perf_counter(), time.process_time()
        outs = engine.generate(requests)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
        tokens = sum(o.tokens for o in outs)
        valid, trunc, err = check(requests, outs)
        texts = [o.text for o in outs]
        base_texts = base_texts or texts
        same = sum(x == y for x, y in zip(texts, base_texts))
        rate = tokens / wall
        base_rate = base_rate or rate
        base_cpu_rate = base_cpu_rate or tokens / cpu
        row = {
            "batch": b,
            "seconds": round(wall, 1),
            "tokens": tokens,
            "tokens_per_s": round(rate, 1),
            "speedup": round(rate / base_rate, 2),
            "cpu_s": round(cpu, 1),
            "cpu_speedup": round(tokens / cpu / base_cpu_rate, 2),
            "valid": valid,
            "truncated": trunc,
            "errors": err,
            "same_as_batch1": same,
            "load": round((load0 + os.getloadavg()[0]) / 2, 2),
            "per_request": [[o.tokens, hashlib.md5(o.text.encode()).hexdigest()[:8]] for o in outs],
        }
        results.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "per_request"}), file=sys.stderr)
    if a.compare_generate:
        b = max(int(x) for x in a.batches.split(","))
        load0, cpu0 = os.getloadavg()[0], time.process_time()
        tokens, wall = generate_baseline(engine, requests[:b])
        cpu = time.process_time() - cpu0
        results.append(
            {
                "batch": b,
                "mode": "hf-generate+one-hot",
                "seconds": round(wall, 1),
                "tokens": tokens,
                "tokens_per_s": round(tokens / wall, 1),
                "speedup": round(tokens / wall / base_rate, 2),
                "cpu_s": round(cpu, 1),
                "cpu_speedup": round(tokens / cpu / base_cpu_rate, 2),
                "load": round((load0 + os.getloadavg()[0]) / 2, 2),
            }
        )
    print(
        f"\n{'batch':>22} {'seconds':>8} {'tokens':>7} {'tok/s':>7} {'x b=1':>6} {'cpu s':>7} {'x b=1 cpu':>9} "
        f"{'valid':>6} {'trunc':>6} {'=b1':>4} {'load':>5}"
    )
    for r in results:
        name = str(r["batch"]) + (" " + r["mode"] if "mode" in r else "")
        print(
            f"{name:>22} {r['seconds']:>8} {r['tokens']:>7} {r['tokens_per_s']:>7} {r['speedup']:>6} "
            f"{r['cpu_s']:>7} {r['cpu_speedup']:>9} "
            f"{r.get('valid', '-'):>6} {r.get('truncated', '-'):>6} {r.get('same_as_batch1', '-'):>4} {r['load']:>5}"
        )
    if a.json:
        a.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

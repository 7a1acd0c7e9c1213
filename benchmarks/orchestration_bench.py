"""Orchestration cost (no LLM): CPU per accepted persona of `hachimi generate --model template`.

    python benchmarks/orchestration_bench.py [--small 48] [--large 144] [--repeat 3]
                                             [--baseline-tree /path/to/other/checkout] [--json OUT]

1. End to end: `hachimi generate --model template --plan plans/k12-balanced.toml --n N --seed 1
   --attempts 3` as a subprocess for N=small and N=large (interleaved, --repeat times); the child's
   CPU time (user+sys, from getrusage(RUSAGE_CHILDREN) deltas) gives the marginal cost
   (cpu(large) - cpu(small)) / (accepted(large) - accepted(small)): fixed costs (imports, theory,
   plan feasibility, solver grounding) cancel out.
2. Breakdown: the same command in a child process with CPU timers (per thread, exclusive of nested
   timed calls) around each component (narrowing, validation with cores and repairs, template
   filling, grammars and prompts, dedup, I/O), at N=small and N=large; the difference per extra
   accepted persona is the marginal cost of each component.

With --baseline-tree, every measurement is also made on that checkout (e.g. a `git worktree` of the
previous commit) in the same run, interleaved, so that both see the same machine load. CPU time,
not wall time, is measured: the machine may be shared; the load average is printed with the result.
Flags that appeared later (--workers, --concurrency) are used only if `hachimi generate --help`
lists them: --workers 0 keeps the solver work in the measured process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# (label, "module:attribute[.method]") — components timed in the breakdown; missing ones are skipped.
COMPONENTS = [
    ("narrowing", "hachimi.generate.narrow:Narrower.box"),
    ("validation: read+detect", "hachimi.validate:Validator._chunk"),
    ("validation: cores", "hachimi.explain.core:CoreFinder.core"),
    ("validation: repairs", "hachimi.explain.repair:Repairer.repair"),
    ("template filling", "hachimi.plugins.k12.prose:template_part"),
    ("template filling", "hachimi.generate.template_runner:clean_part"),
    ("grammars", "hachimi.generate.agents:Agent.schema"),
    ("prompts", "hachimi.theory.prompts:render"),
    ("dedup", "hachimi.population.dedupe:Deduper.near"),
    ("dedup", "hachimi.population.dedupe:Deduper.add"),
    ("I/O", "hachimi.store.rundir:RunDir.append"),
    ("I/O", "hachimi.store.rundir:RunDir.append_many"),
    ("I/O", "hachimi.store.rundir:RunDir.sync"),
    ("I/O", "hachimi.store.rundir:RunDir.write_manifest"),
    ("I/O", "hachimi.generate.rundir:RunDir.append"),
    ("I/O", "hachimi.generate.rundir:RunDir.sync"),
    ("I/O", "hachimi.generate.rundir:RunDir.write_manifest"),
    ("plan + feasibility (fixed)", "hachimi.cli.plan_cmd:prepare"),
]


def generate_args(tree: Path, n: int, out: Path, a) -> list[str]:
    args = [
        "generate",
        "--model",
        "template",
        "--plan",
        a.plan,
        "--n",
        str(n),
        "--seed",
        "1",
        "--out",
        str(out),
        "--attempts",
        "3",
    ]
    flags = _flags(tree)
    if "--workers" in flags:
        args += ["--workers", "0"]
    return args + a.extra


_FLAG_CACHE: dict[Path, str] = {}


def _flags(tree: Path) -> str:
    if tree not in _FLAG_CACHE:
        r = subprocess.run(
            [sys.executable, "-m", "hachimi.cli.main", "generate", "--help"],
            cwd=tree,
            env=_env(tree),
            capture_output=True,
            text=True,
        )
        _FLAG_CACHE[tree] = r.stdout
    return _FLAG_CACHE[tree]


def _env(tree: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(tree), HACHIMI_TEMPLATE_DELAY="0")
    env.pop("PYTHONHASHSEED", None)
    return env


def _accepted(out: Path) -> int:
    p = out / "personas.jsonl"
    return sum(1 for line in p.read_text().splitlines() if line.strip()) if p.exists() else 0


def end_to_end(tree: Path, n: int, a) -> tuple[float, int]:
    """(child CPU seconds, accepted personas) of one generate run."""
    with tempfile.TemporaryDirectory(prefix="hachimi-orch-") as tmp:
        out = Path(tmp) / "run"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run(
            [sys.executable, "-m", "hachimi.cli.main", *generate_args(tree, n, out, a)],
            cwd=tree,
            env=_env(tree),
            capture_output=True,
            text=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if r.returncode != 0:
            raise SystemExit(f"generate failed in {tree} (exit {r.returncode}):\n{r.stderr[-3000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return cpu, _accepted(out)


def breakdown(tree: Path, n: int, a) -> dict:
    """Per-component CPU seconds of one instrumented generate run (in a child process)."""
    with tempfile.TemporaryDirectory(prefix="hachimi-orch-") as tmp:
        out = Path(tmp) / "run"
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--_instrumented",
            json.dumps(generate_args(tree, n, out, a)),
        ]
        r = subprocess.run(cmd, cwd=tree, env=_env(tree), capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"instrumented run failed in {tree}:\n{r.stderr[-3000:]}")
        res = json.loads(r.stdout.strip().splitlines()[-1])
        res["accepted"] = _accepted(out)
        return res


def _instrumented(argv: list[str]) -> None:
    """Child side of breakdown(): wrap the components, run the CLI in this process, print JSON."""
    import functools
    import importlib
    import threading

    totals: dict[str, float] = {}
    calls: dict[str, int] = {}
    local = threading.local()

    def wrap(label, fn):
        @functools.wraps(fn)
        def timed(*args, **kw):
            stack = local.__dict__.setdefault("stack", [])
            stack.append(0.0)
            t0 = time.thread_time()
            try:
                return fn(*args, **kw)
            finally:
                dt = time.thread_time() - t0
                child = stack.pop()
                totals[label] = totals.get(label, 0.0) + dt - child
                calls[label] = calls.get(label, 0) + 1
                if stack:
                    stack[-1] += dt

        return timed

    for label, target in COMPONENTS:
        mod_name, attr = target.split(":")
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        owner, name = mod, attr
        if "." in attr:
            cls, name = attr.split(".")
            owner = getattr(mod, cls, None)
        if owner is None or not hasattr(owner, name):
            continue
        setattr(owner, name, wrap(label, getattr(owner, name)))

    from hachimi.cli.main import main

    sys.argv = ["hachimi", *argv]
    t0 = time.process_time()
    try:
        main()
    except SystemExit as e:
        if e.code not in (0, None):
            raise
    total = time.process_time() - t0
    print(json.dumps({"total": total, "components": totals, "calls": calls}))


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--_instrumented":
        _instrumented(json.loads(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=48)
    ap.add_argument("--large", type=int, default=144)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--plan", default="plans/k12-balanced.toml")
    ap.add_argument("--tree", type=Path, default=HERE, help="checkout to measure (default: this one)")
    ap.add_argument("--baseline-tree", type=Path, default=None, help="another checkout, measured alongside")
    ap.add_argument("--no-breakdown", action="store_true")
    ap.add_argument("--json", type=Path, default=None, help="write all numbers here")
    ap.add_argument("extra", nargs="*", help="more `hachimi generate` arguments (after --)")
    a = ap.parse_args()
    trees = {"this": a.tree.resolve()}
    if a.baseline_tree:
        trees["baseline"] = a.baseline_tree.resolve()
    loads = [_load()]
    runs: dict[str, dict[int, list]] = {k: {a.small: [], a.large: []} for k in trees}
    for rep in range(a.repeat):
        for n in (a.small, a.large):
            for name, tree in trees.items():
                runs[name][n].append(end_to_end(tree, n, a))
        loads.append(_load())
        print(f"repeat {rep + 1}/{a.repeat} done (load {loads[-1]})", file=sys.stderr)
    report: dict = {"load_avg_1_5_15": loads, "cpus": os.cpu_count(), "end_to_end": {}, "breakdown": {}}
    print(f"machine: {os.cpu_count()} CPUs; load average (1/5/15 min) during the runs: {', '.join(loads)}")
    print(f"\nEnd to end (child CPU, user+sys), N={a.small} and N={a.large}, {a.repeat} repeats:")
    for name, by_n in runs.items():
        small, large = by_n[a.small], by_n[a.large]
        extra = statistics.median(l[1] for l in large) - statistics.median(s[1] for s in small)
        per = [(l[0] - s[0]) / max(1, l[1] - s[1]) for s, l in zip(small, large)]
        best = (min(l[0] for l in large) - min(s[0] for s in small)) / max(1, extra)
        report["end_to_end"][name] = {
            "tree": str(trees[name]),
            "cpu_small": [s[0] for s in small],
            "cpu_large": [l[0] for l in large],
            "accepted_small": [s[1] for s in small],
            "accepted_large": [l[1] for l in large],
            "marginal_ms_median": 1000 * statistics.median(per),
            "marginal_ms_of_minima": 1000 * best,
        }
        print(
            f"  {name:9s} cpu N={a.small}: {' '.join(f'{s[0]:.2f}' for s in small)} s "
            f"({small[0][1]} accepted); N={a.large}: {' '.join(f'{l[0]:.2f}' for l in large)} s "
            f"({large[0][1]} accepted)"
        )
        print(
            f"  {name:9s} marginal CPU per accepted persona: {1000 * statistics.median(per):.1f} ms "
            f"(median of {len(per)}; {1000 * best:.1f} ms from the minima)"
        )
    if not a.no_breakdown:
        print(
            f"\nBreakdown (CPU ms per extra accepted persona, N={a.large} minus N={a.small}; "
            "exclusive of nested timed calls):"
        )
        for name, tree in trees.items():
            s, l = breakdown(tree, a.small, a), breakdown(tree, a.large, a)
            extra = max(1, l["accepted"] - s["accepted"])
            labels = sorted(set(s["components"]) | set(l["components"]), key=[c[0] for c in COMPONENTS].index)
            rows = {k: 1000 * (l["components"].get(k, 0) - s["components"].get(k, 0)) / extra for k in labels}
            timed = sum(rows.values())
            total = 1000 * (l["total"] - s["total"]) / extra
            rows["other (loop, scheduler, JSON, ...)"] = total - timed
            rows["total (in process)"] = total
            report["breakdown"][name] = {"ms_per_persona": rows, "small": s, "large": l}
            print(f"  {name}:")
            for k, v in rows.items():
                print(f"    {k:38s} {v:7.2f}")
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

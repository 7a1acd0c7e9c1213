"""The corpus at scale on the template engine (no LLM: planning, narrowing, validation, the store,
dedup, audit and report): for each size, every step as a user runs it, in its own process, with
wall time, CPU per persona and peak RSS (GNU time), then the growth factor from each size to the
next (goal 10k -> 100k: <= 11x time, <= 1.5x memory). Resume: the same run killed (-9) when half
its personas are written, then run again: the result must equal the uninterrupted run's, byte for
byte.

    python benchmarks/scale_bench.py [--sizes 1000 10000 100000] [--workers 2] [--resume-max 10000]
                                     [--semantic] [--keep DIR]

Steps, each a user's command: generate (--workers), resume (a second run of the same size killed
at half; skipped above --resume-max, since it costs one more generation), audit of one id (the
first call catches the audit index up with the whole log; the second is what every later question
costs), report, export (Parquet), dedup (lexical; --semantic adds MiniLM on every persona) and
validate. The end-to-end line sums generate, the first audit, report, dedup and export.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HACHIMI = str(Path(sys.executable).parent / "hachimi")
PLAN = ROOT / "plans" / "k12-balanced.toml"


def timed(args: list[str], cwd: Path) -> dict:
    """One command under GNU time: wall s, CPU s (user + sys), peak RSS MB, exit code."""
    fmt = "%e %U %S %M"
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        p = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", fmt, *args], cwd=cwd, capture_output=True, text=True)
        wall, user, sys_, rss = t.read().split()[-4:]
    return {
        "wall": float(wall),
        "cpu": float(user) + float(sys_),
        "rss_mb": int(rss) / 1024,
        "rc": p.returncode,
        "err": p.stderr[-400:],
    }


WORKERS = 0


def generate_args(n: int, out: Path) -> list[str]:
    plan = ["--plan", str(PLAN)] if PLAN.is_file() else []
    workers = ["--workers", str(WORKERS)] if WORKERS else []
    return [
        HACHIMI,
        "generate",
        "--model",
        "template",
        *plan,
        "--n",
        str(n),
        "--seed",
        "1",
        "--out",
        str(out),
        *workers,
    ]


def lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return sum(1 for _ in fh)
    except FileNotFoundError:
        return 0


def killed_then_resumed(n: int, out: Path, cwd: Path) -> dict:
    """Start the run, kill -9 when half its personas are written, run it again."""
    proc = subprocess.Popen(
        generate_args(n, out), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    while proc.poll() is None and lines(out / "personas.jsonl") < n // 2:
        time.sleep(0.05)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    at = lines(out / "personas.jsonl")
    r = timed(generate_args(n, out), cwd)
    r["killed_at"] = at
    return r


def bench(n: int, work: Path, semantic: bool, resume_max: int) -> dict:
    run, again = work / f"run-{n}", work / f"resumed-{n}"
    steps = {"generate": timed(generate_args(n, run), work)}
    if n <= resume_max:
        steps["resume"] = killed_then_resumed(n, again, work)
        same = (run / "personas.jsonl").read_bytes() == (again / "personas.jsonl").read_bytes()
        steps["resume"]["same_bytes"] = same
        shutil.rmtree(again, ignore_errors=True)
    first = json.loads((run / "personas.jsonl").open(encoding="utf-8").readline())["id"]
    last = json.loads((run / "personas.jsonl").read_text(encoding="utf-8").splitlines()[-1])["id"]
    steps["audit (first)"] = timed([HACHIMI, "audit", str(run), first, "--format", "json"], work)
    steps["audit (again)"] = timed([HACHIMI, "audit", str(run), last, "--format", "json"], work)
    steps["report"] = timed([HACHIMI, "report", str(run), "--format", "json"], work)
    steps["export"] = timed([HACHIMI, "export", str(run)], work)
    steps["dedup lexical"] = timed(
        [HACHIMI, "dedup", str(run / "personas.jsonl"), "--no-semantic", "--format", "json"], work
    )
    if semantic:
        steps["dedup semantic"] = timed([HACHIMI, "dedup", str(run / "personas.jsonl"), "--format", "json"], work)
    steps["validate"] = timed([HACHIMI, "validate", str(run / "personas.jsonl"), "--format", "jsonl"], work)
    written = lines(run / "personas.jsonl")
    for s in steps.values():
        s["cpu_ms_per_persona"] = 1000 * s["cpu"] / max(1, written)
    manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    cells = manifest.get("cells", {}).values()
    quota = (sum(c["realised"] >= c["planned"] for c in cells), len(cells))
    near = manifest.get("counts", {}).get("near_duplicates", 0)
    boxes = manifest.get("boxes") or {}
    return {"n": n, "written": written, "steps": steps, "quota": quota, "near_duplicates": near, "boxes": boxes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--semantic", action="store_true", help="also dedup with MiniLM embeddings (slow on CPU)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the runs in this folder")
    ap.add_argument("--workers", type=int, default=0, help="generate --workers (0: in process)")
    ap.add_argument("--resume-max", type=int, default=10_000, help="largest size also killed and resumed")
    ap.add_argument(
        "--previous",
        type=Path,
        default=None,
        help="scale_bench.json of an earlier run (e.g. smaller sizes): growth factors start from its sizes",
    )
    a = ap.parse_args()
    global WORKERS
    WORKERS = a.workers
    work = a.keep or Path(tempfile.mkdtemp(prefix="hachimi-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    results = json.loads(a.previous.read_text(encoding="utf-8")) if a.previous else []
    done = len(results)
    try:
        for n in a.sizes:
            r = bench(n, work, a.semantic, a.resume_max)
            results.append(r)
            (work / "scale_bench.json").write_text(json.dumps(results[done:], indent=1), encoding="utf-8")
            e2e = sum(r["steps"][k]["wall"] for k in ("generate", "audit (first)", "report", "dedup lexical", "export"))
            print(
                f"\n== {n} personas asked, {r['written']} written; cells on quota {r['quota'][0]}/{r['quota'][1]}; "
                f"attempts rejected as near-duplicates {r['near_duplicates']}; generate --workers {a.workers}; "
                f"end to end (generate, audit, report, dedup, export) {e2e / 60:.1f} min wall"
            )
            if b := r.get("boxes"):
                print(f"boxes: {b['grown']} narrowed, {b['reused']} reused ({100 * b['reuse_rate']:.0f}% of attempts)")
            print(f"{'step':<16} {'wall s':>9} {'CPU s':>9} {'CPU ms/persona':>15} {'peak RSS MB':>12}  note")
            for name, s in r["steps"].items():
                note = "" if s["rc"] in (0, 1) else f"exit {s['rc']}: {s['err'][-120:]!r}"
                if name == "resume":
                    note += f"killed at {s['killed_at']}, same bytes as uninterrupted: {s['same_bytes']}"
                print(
                    f"{name:<16} {s['wall']:>9.2f} {s['cpu']:>9.2f} {s['cpu_ms_per_persona']:>15.2f} {s['rss_mb']:>12.0f}  {note}"
                )
        for prev, cur in zip(results, results[1:]):
            k = cur["n"] / prev["n"]
            print(f"\n== growth {prev['n']} -> {cur['n']} ({k:g}x the personas)")
            for name in cur["steps"]:
                if name not in prev["steps"]:
                    continue
                a_, b_ = prev["steps"][name], cur["steps"][name]
                print(
                    f"{name:<16} time {b_['wall'] / max(a_['wall'], 1e-9):6.2f}x   "
                    f"memory {b_['rss_mb'] / max(a_['rss_mb'], 1e-9):5.2f}x"
                )
    finally:
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

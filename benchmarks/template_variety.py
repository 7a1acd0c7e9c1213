"""The template engine at scale: `hachimi generate --model template` over a plan at N personas, then
the near-duplicate rejection rate per 1,000 slots (attempts.jsonl records of type near_duplicate,
per candidate committed: accepted + rejected) and how many cells met their quota (run.json).

    python benchmarks/template_variety.py [--n 2000 10000] [--plan plans/k12-balanced.toml]
        [--attempts K] [--no-plan] [--seed 1] [--keep DIR]

The 10k run takes several minutes of CPU (narrowing and validation, not the template)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = 1000


def generate(n: int, out: Path, plan: str | None, attempts: int | None, seed: int) -> float:
    cmd = [
        str(Path(sys.executable).parent / "hachimi"),
        "generate",
        "--model",
        "template",
        "--n",
        str(n),
        "--seed",
        str(seed),
    ]
    cmd += ["--out", str(out), "--format", "json"] + (["--plan", plan] if plan else [])
    cmd += ["--attempts", str(attempts)] if attempts else []
    t = time.time()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.time() - t


def measure(out: Path) -> dict:
    """Per 1,000 slots: candidates committed and near-duplicates among them; cells at quota."""
    run = json.loads((out / "run.json").read_text())
    near, accepted = Counter(), Counter()
    slot = lambda pid: int(pid.rsplit("-", 1)[1])  # noqa: E731  (ids end in the slot's index)
    with open(out / "attempts.jsonl") as f:
        for line in f:
            if '"near_duplicate"' in line:
                near[slot(json.loads(line)["persona"]) // BLOCK] += 1
    with open(out / "personas.jsonl") as f:
        for line in f:
            accepted[slot(json.loads(line)["id"]) // BLOCK] += 1
    blocks = sorted(set(near) | set(accepted))
    rates = [round(near[b] / max(1, near[b] + accepted[b]), 4) for b in blocks]
    cells = run["cells"]
    return {
        "slots": run["counts"]["slots"],
        "accepted": run["counts"]["accepted"],
        "attempts": run["counts"]["attempts"],
        "attempts_per_slot": run["attempts_per_slot"],
        "near_duplicates": run["counts"].get("near_duplicates", 0),
        "near_duplicate_rate_per_1k": rates,
        "cells": len(cells),
        "cells_at_quota": sum(c["realised"] >= c["planned"] for c in cells.values()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--plan", default="plans/k12-balanced.toml")
    ap.add_argument("--no-plan", action="store_true", help="uniform slots over the theory's slot variables")
    ap.add_argument("--attempts", type=int, default=None, help="attempts per slot (default: the plan's, else 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, default=None, help="write the run folders here (default: a temp dir)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = a.keep or Path(tmp)
        for n in a.n:
            out = base / f"template-{n}"
            seconds = generate(n, out, None if a.no_plan else a.plan, a.attempts, a.seed)
            m = measure(out)
            print(json.dumps({"n": n, "plan": None if a.no_plan else a.plan, "seconds": round(seconds, 1), **m}))
            r = m["near_duplicate_rate_per_1k"]
            print(
                f"N={n}: near-duplicates {m['near_duplicates']} ({r[0]:.1%} of the first 1k slots' candidates, "
                f"{r[-1]:.1%} of the last 1k); {m['cells_at_quota']}/{m['cells']} cells at quota; "
                f"{m['attempts']} attempts for {m['slots']} slots ({m['attempts_per_slot']} allowed each)",
                file=sys.stderr,
            )


if __name__ == "__main__":
    main()

"""Validation throughput: `hachimi validate` on 20,000 personas (half invalid) vs a plain-Python
implementation of the same rules, both end to end from the command line, timed in the same run.

    python benchmarks/validate_bench.py [--n 20000] [--bases 1000] [--repeat 1]

Prints personas/s for each mode and the ratio of its wall time to the plain-Python baseline.
Targets (issue #2): default mode at most 3x the baseline and at least 5,000 personas/s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return took


def verdicts(path: Path) -> list[tuple]:
    out = []
    for line in path.read_text().splitlines():
        d = json.loads(line)
        out.append((d["valid"], tuple(sorted({v["rule"] for v in d.get("violations", [])}))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--bases", type=int, default=1000, help="distinct solver-drawn personas to vary")
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode; the best is kept")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hachimi-bench-"))
    data = tmp / "personas.jsonl"
    subprocess.run(
        [sys.executable, "benchmarks/make_personas.py", str(data), "--n", str(a.n), "--bases", str(a.bases)],
        cwd=ROOT,
        check=True,
    )
    hachimi = str(BIN / "hachimi")
    modes = {
        "plain-python baseline": [sys.executable, "benchmarks/plain_validate.py", str(data), str(tmp / "plain.jsonl")],
        "hachimi (cores + repairs, all cores)": [
            hachimi,
            "validate",
            str(data),
            "--format",
            "jsonl",
            "-o",
            str(tmp / "full.jsonl"),
        ],
        "hachimi (cores + repairs, 1 process)": [
            hachimi,
            "validate",
            str(data),
            "--format",
            "jsonl",
            "-j",
            "1",
            "-o",
            str(tmp / "full1.jsonl"),
        ],
        "hachimi (verdicts only, all cores)": [
            hachimi,
            "validate",
            str(data),
            "--format",
            "jsonl",
            "--no-core",
            "--no-repair",
            "-o",
            str(tmp / "fast.jsonl"),
        ],
    }
    times = {name: min(timed(cmd) for _ in range(a.repeat)) for name, cmd in modes.items()}
    base = times["plain-python baseline"]
    print(f"{a.n} personas, {os.cpu_count()} CPU cores")
    print(f"{'mode':<40}{'seconds':>9}{'personas/s':>12}{'x baseline':>12}")
    for name, t in times.items():
        print(f"{name:<40}{t:>9.2f}{a.n / t:>12,.0f}{t / base:>12.2f}")
    plain, full = verdicts(tmp / "plain.jsonl"), verdicts(tmp / "full.jsonl")
    agree = sum(p == f for p, f in zip(plain, full))
    invalid = sum(not v for v, _ in full)
    print(f"verdicts and fired rules agree with the baseline on {agree}/{len(full)} personas; {invalid} invalid")


if __name__ == "__main__":
    main()

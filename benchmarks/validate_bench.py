"""Validation throughput and start-up, from the command line, every figure in CPU seconds (the child
processes' user + system time) and every ratio against a floor measured in the same run:

    python benchmarks/validate_bench.py [--n 2000] [--bases 400] [--repeat 1]

- floor: benchmarks/lean_validate.py, parse + the same fact extraction and text reading, no
  solver (what any validator that reads the text this way costs);
- valid personas, verdicts (`--no-core --no-repair`, one process): the common case in generation;
- personas that all have violations, with minimal cores and repairs (one process);
- one persona, start-up included;
- the plain-Python oracle of the property tests (tests/oracle_k12.py), for verdict agreement.
Targets (issue 17): >= 2,000 valid personas per CPU-second, >= 600 per CPU-second with cores and
repairs, <= 3x the floor, one persona <= 0.5 s CPU. The user's cache (hachimi/cache.py) is warmed
first, so start-up is measured as a user meets it after the first run."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def cpu(cmd: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def verdicts(path: Path) -> list[tuple]:
    out = []
    for line in path.read_text().splitlines():
        d = json.loads(line)
        out.append((d["valid"], tuple(sorted({v["rule"] for v in d.get("violations", [])}))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="personas in each set")
    ap.add_argument("--bases", type=int, default=400, help="distinct solver-drawn personas to vary")
    ap.add_argument("--repeat", type=int, default=1, help="runs per mode; the best is kept")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hachimi-bench-"))
    sets = {}
    for name, invalid in (("valid", 0.0), ("broken", 1.0)):
        sets[name] = tmp / f"{name}.jsonl"
        subprocess.run(
            [
                sys.executable,
                "benchmarks/make_personas.py",
                str(sets[name]),
                "--n",
                str(a.n),
                "--bases",
                str(a.bases),
                "--invalid",
                str(invalid),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    one = tmp / "one.jsonl"
    one.write_text(sets["valid"].read_text().splitlines()[0] + "\n")
    hachimi = str(BIN / "hachimi")
    validate = [hachimi, "validate", "--format", "jsonl", "-j", "1"]
    cpu(validate + [str(one)])  # warm the user's cache (pinyin syllables, word lists, Z3 tables, checks)
    modes = {
        "floor, valid": ([sys.executable, "benchmarks/lean_validate.py", str(sets["valid"]), str(tmp / "f1")], "valid"),
        "floor, broken": (
            [sys.executable, "benchmarks/lean_validate.py", str(sets["broken"]), str(tmp / "f2")],
            "broken",
        ),
        "hachimi verdicts, valid": (
            validate + [str(sets["valid"]), "--no-core", "--no-repair", "-o", str(tmp / "v.jsonl")],
            "valid",
        ),
        "hachimi cores+repairs, broken": (validate + [str(sets["broken"]), "-o", str(tmp / "b.jsonl")], "broken"),
        "plain-Python oracle, broken": (
            [sys.executable, "benchmarks/plain_validate.py", str(sets["broken"]), str(tmp / "p.jsonl")],
            "broken",
        ),
    }
    times = {}
    for name, (cmd, _) in modes.items():
        times[name] = min((cpu(cmd) for _ in range(a.repeat)), key=lambda t: t[0])
    start = min(cpu(validate + [str(one)]) for _ in range(max(3, a.repeat)))
    print(f"{a.n} personas per set, {os.cpu_count()} CPU cores; CPU seconds (user + system) of each process")
    print(f"{'mode':<34}{'CPU s':>8}{'wall s':>8}{'per CPU-s':>11}{'x floor':>9}")
    for name, (t, wall) in times.items():
        floor = times["floor, " + modes[name][1]][0]
        print(f"{name:<34}{t:>8.2f}{wall:>8.2f}{a.n / t:>11,.0f}{t / floor:>9.2f}")
    print(f"{'one persona, start-up included':<34}{start[0]:>8.2f}{start[1]:>8.2f}")
    plain, full = verdicts(tmp / "p.jsonl"), verdicts(tmp / "b.jsonl")
    agree = sum(p == f for p, f in zip(plain, full))
    print(f"verdicts and fired rules agree with the oracle on {agree}/{len(full)} broken personas")
    ok = sum(v for v, _ in verdicts(tmp / "v.jsonl"))
    print(f"valid set: {ok}/{a.n} valid (a drawn persona whose prose the reader cannot read would show here)")
    print(
        "targets: >= 2,000 valid/CPU-s; >= 600 broken/CPU-s with cores and repairs; <= 3x floor; one persona <= 0.5 CPU-s"
    )


if __name__ == "__main__":
    main()

"""Baseline: the same k12 rules in plain Python (tests/oracle_k12.py), end to end like the CLI:
read JSONL, parse, check, write one JSON record per line. No solver, no cores, no repairs.

    python benchmarks/plain_validate.py IN.jsonl OUT.jsonl
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import oracle_k12  # noqa: E402

SEVERITY = {r["id"]: r["severity"] for r in tomllib.loads((ROOT / "constraints/k12/theory.toml").read_text())["rule"]}


def main(src: str, dst: str) -> None:
    with open(src, "rb") as fin, open(dst, "wb") as out:
        for n, line in enumerate(fin, 1):
            try:
                p = orjson.loads(line)
            except orjson.JSONDecodeError as e:
                out.write(orjson.dumps({"line": n, "valid": False, "error": str(e)}) + b"\n")
                continue
            if not oracle_k12.readable(p):
                out.write(orjson.dumps({"line": n, "valid": False, "error": "unreadable"}) + b"\n")
                continue
            fired = oracle_k12.check(p)
            viol = [{"rule": r, "severity": SEVERITY[r]} for r in sorted(fired)]
            out.write(
                orjson.dumps(
                    {
                        "line": n,
                        "id": p.get("id"),
                        "valid": all(v["severity"] != "error" for v in viol),
                        "violations": viol,
                    }
                )
                + b"\n"
            )


if __name__ == "__main__":
    main(*sys.argv[1:3])

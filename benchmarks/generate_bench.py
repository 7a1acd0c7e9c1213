"""Generation on the bundled model: solver-narrowed grammars vs plain schemas, same slots and seeds.

    python benchmarks/generate_bench.py [--n 4] [--model smollm2-135m-instruct] [--max-text 120]

Reports, per mode: first-pass validity (all error rules, and the structured rules R1-R4, R6, R15,
S1 alone), accepted personas, mean revision rounds, LLM calls and generated tokens per accepted
persona (hardware-independent cost); then constrained vs unconstrained decoding speed (tokens/s,
same prompt, same run). The original HACHIMI needs >= 6 LLM calls per persona (5 agents + an LLM
validator), up to 24.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

STRUCTURED = {"R1", "R2", "R3", "R4", "R6", "R15", "S1"}


def summarize(run: Path) -> dict:
    attempts = [json.loads(l) for l in (run / "attempts.jsonl").read_text().splitlines()]
    first = [e for e in attempts if e["type"] == "validation" and e["stage"] == "proposal"]
    outcomes = [e for e in attempts if e["type"] == "outcome"]
    accepted = [o for o in outcomes if o["accepted"]]
    errors = lambda e: {v["ref"] for v in e["violations"] if v["severity"] == "error"}  # noqa: E731
    calls = sum(o.get("calls", 0) for o in outcomes)
    tokens = sum(o.get("tokens", 0) for o in outcomes)
    return {"personas": len(outcomes), "accepted": len(accepted),
            "first_pass_valid": sum(e["valid"] for e in first) / max(1, len(first)),
            "first_pass_structured": sum(not (errors(e) & STRUCTURED) for e in first) / max(1, len(first)),
            "mean_rounds": sum(o.get("rounds", 0) for o in outcomes) / max(1, len(outcomes)),
            "calls_per_accepted": calls / max(1, len(accepted)), "tokens_per_accepted": tokens / max(1, len(accepted)),
            "validation_llm_calls": 0}


def speed(runner, theory, max_text: int, reps: int = 3) -> tuple[float, float]:
    """tokens/s constrained (values agent schema) vs unconstrained, same prompt and budget."""
    from hachimi.generate.agents import BY_KEY
    from hachimi.generate.narrow import Narrower
    from hachimi.generate.prompts import render
    slot = {"grade": 8, "gender": "female", "academic_level": "low", "subject_bias": []}
    box = Narrower(theory).box(slot, 1)
    agent = BY_KEY["values"]
    schema = agent.schema(box, max_text, 90, theory.text)
    msgs = render("en", "values", slot, {}, agent.allowed(box)).messages
    rates = []
    for s in (schema, None):
        toks = secs = 0.0
        for k in range(reps):
            out = runner(msgs, s, seed=100 + k, max_new_tokens=120)
            toks, secs = toks + out.tokens, secs + out.seconds
        rates.append(toks / secs)
    return rates[0], rates[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--max-text", type=int, default=120)
    a = ap.parse_args()
    from hachimi.generate import models
    from hachimi.generate.loop import Settings
    from hachimi.generate.runner import OutlinesRunner
    from hachimi.generate.session import Session
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load
    theory = load(locate("k12"))
    spec = models.get(a.model)
    t = time.time()
    model, tok = models.load(spec)
    runner = OutlinesRunner(model, tok, spec)
    print(f"model {spec.name} loaded in {time.time() - t:.0f} s", file=sys.stderr)
    tmp = Path(tempfile.mkdtemp(prefix="hachimi-genbench-"))
    rows = {}
    for name, narrow in (("solver-narrowed", True), ("plain schema", False)):
        t = time.time()
        Session(theory, runner, spec, Settings(max_text=a.max_text, max_short=min(90, a.max_text), narrow=narrow),
                tmp / name.replace(" ", "-"), seed=a.seed, n=a.n).run()
        rows[name] = summarize(tmp / name.replace(" ", "-"))
        rows[name]["seconds_per_persona"] = (time.time() - t) / a.n
    cols = list(next(iter(rows.values())))
    print(f"{'':<28}" + "".join(f"{k:>18}" for k in rows))
    for c in cols:
        print(f"{c:<28}" + "".join(f"{r[c]:>18.2f}" if isinstance(r[c], float) else f"{r[c]:>18}" for r in rows.values()))
    con, unc = speed(runner, theory, a.max_text)
    print(f"decoding speed: constrained {con:.1f} tok/s, unconstrained {unc:.1f} tok/s, ratio {con / unc:.2f}")
    print(f"runs kept in {tmp}")


if __name__ == "__main__":
    main()

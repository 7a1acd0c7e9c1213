"""`hachimi generate` and `hachimi models`: run generation into a folder; list configured models."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click



@click.command()
@click.option("--n", "n", type=click.IntRange(1), default=5, show_default=True, help="Personas (slots) to generate.")
@click.option("--seed", type=int, default=0, show_default=True, help="Run seed: slots, boxes and sampling derive from it.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Run folder: personas.jsonl, attempts.jsonl, run.json.")
@click.option("--model", "model_name", default="smollm2-135m-instruct", show_default=True,
              help="A model configured in models/ (see `hachimi models`).")
@click.option("--theory", "theory_name", default="k12", show_default=True)
@click.option("--max-rounds", type=click.IntRange(0), default=3, show_default=True,
              help="Revision rounds before an attempt is recorded as failed.")
@click.option("--no-narrow", is_flag=True, help="Decode under the plain schemas (no solver narrowing).")
@click.option("--no-direct-repair", is_flag=True, help="Send structural violations to their agents instead of repairing them.")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A plan (plans/*.toml): exact quotas per cell, refill until met (see `hachimi plan`).")
@click.option("--attempts", type=click.IntRange(1), default=None,
              help="Attempts per slot before it counts as a shortfall (default: the plan's, else 1).")
@click.option("--dedup", type=click.Choice(["none", "lexical", "semantic", "both"]), default="lexical",
              show_default=True, help="Near-duplicates within a stratum are regenerated and counted.")
@click.option("--language", default=None, help="Prompt template set (default: the model's).")
@click.option("--max-text", type=int, default=None, help="Longest free-text field in characters (default: the model's).")
def generate(n, seed, out, model_name, theory_name, max_rounds, no_narrow, no_direct_repair, plan_file, attempts, dedup, language,
             max_text):
    """Generate N personas with the five agents, solver-narrowed grammars and core-driven revision.

    Only personas the validator accepts are written to OUT/personas.jsonl; every agent call and
    every validation is in OUT/attempts.jsonl. The same command twice gives the same personas
    (on CPU). Ctrl-C (or a crash) stops the run; the same command again resumes it: nothing is
    lost, no id is repeated, and a different plan, seed, N or model on that folder is refused.
    """
    from ..generate import models
    from ..generate.loop import Settings
    from ..theory.locate import locate
    from ..theory.pack import load

    theory = load(locate(theory_name))
    plan = planned = None
    if plan_file:
        from ..population.slots import from_plan
        from .plan_cmd import prepare
        plan, counts, feas = prepare(plan_file, n, seed, theory)
        for c, rules in feas.impossible.items():
            click.echo(f"note: {plan.cell_label(c)} is impossible under the theory ({' + '.join(rules)}); "
                       "it gets no personas", err=True)
        planned = from_plan(plan, counts, seed, feas.alternatives)
    spec = models.get(model_name)
    dec = spec.decoding
    settings = Settings(language=language or spec.language, max_text=max_text or dec.get("max_chars_text", 300),
                        max_short=min(max_text or 10**6, dec.get("max_chars_short", 120)),
                        narrow=not no_narrow, max_rounds=max_rounds, direct_repair=not no_direct_repair)
    from ..generate.session import Session
    budget = attempts or (plan.attempts_per_slot if plan else 1)
    click.echo(f"loading {spec.name} ({spec.description}) ...", err=True)
    t = time.time()
    runner = models.runner(spec)
    session = Session(theory, runner, spec, settings, out, seed, n, planned, plan, budget, dedup)
    done = len(session.state.accepted)
    click.echo(f"loaded in {time.time() - t:.0f} s; generating {n} personas into {out}"
               + (f" (resuming: {done} accepted already)" if done else ""), err=True)
    _run(session, out, n)


def _run(session, out: Path, n: int) -> None:
    from .progress import progress
    try:
        with progress(n, "personas", force=True, fields=True) as advance:
            counts = session.run(lambda c: advance(1, accepted=c["accepted"], failed=c.get("failed", 0)))
    except KeyboardInterrupt:
        c = session.counts
        click.echo(f"interrupted: {c['accepted']} accepted personas are safe in {out / 'personas.jsonl'} "
                   f"(run.json says status=interrupted)", err=True)
        sys.exit(130)
    c = counts
    new = c.get("attempts", 0)
    if new == 0:
        click.echo(f"{c['accepted']}/{n} accepted; nothing left to do in {out}")
        sys.exit(0 if c["accepted"] else 1)
    calls = c.get("calls", 0) / max(1, c["accepted"])
    click.echo(f"{c['accepted']}/{n} accepted ({c.get('failed', 0)} slots short; {c.get('near_duplicates', 0)} "
               f"near-duplicates regenerated; first-pass valid {c.get('first_pass_valid', 0)}/{new} attempts; "
               f"{calls:.1f} LLM calls and {c.get('tokens', 0) / max(1, c['accepted']):.0f} tokens per accepted persona)")
    click.echo(f"personas: {out / 'personas.jsonl'}   attempts: {out / 'attempts.jsonl'}   manifest: {out / 'run.json'}")
    sys.exit(0 if c["accepted"] else 1)


@click.command("models")
def models_cmd():
    """Configured models (models/*.toml) and where their weights are on this machine."""
    from ..generate import models
    for spec in models.specs().values():
        tag = "bundled" if spec.bundled else spec.loader
        click.echo(f"{spec.name:<24} {tag:<10} {spec.description}")
        click.echo(f"{'':<24} weights: {models.where(spec)}")

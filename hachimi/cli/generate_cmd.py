"""`hachimi generate` and `hachimi models`: run generation into a folder; list configured models."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..errors import HachimiError


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
@click.option("--language", default=None, help="Prompt template set (default: the model's).")
@click.option("--max-text", type=int, default=None, help="Longest free-text field in characters (default: the model's).")
def generate(n, seed, out, model_name, theory_name, max_rounds, no_narrow, language, max_text):
    """Generate N personas with the five agents, solver-narrowed grammars and core-driven revision.

    Only personas the validator accepts are written to OUT/personas.jsonl; every agent call and
    every validation is in OUT/attempts.jsonl. The same command twice gives the same personas
    (on CPU). Ctrl-C stops cleanly; what was accepted stays on disk.
    """
    from ..generate import models
    from ..generate.loop import Settings
    from ..theory.locate import locate
    from ..theory.pack import load

    if (out / "personas.jsonl").exists() and (out / "personas.jsonl").stat().st_size:
        raise HachimiError(f"{out} already holds personas; choose another --out or remove it")
    theory = load(locate(theory_name))
    spec = models.get(model_name)
    dec = spec.decoding
    settings = Settings(language=language or spec.language, max_text=max_text or dec.get("max_chars_text", 300),
                        max_short=min(max_text or 10**6, dec.get("max_chars_short", 120)),
                        narrow=not no_narrow, max_rounds=max_rounds)
    click.echo(f"loading {spec.name} ({spec.description}) ...", err=True)
    t = time.time()
    model, tok = models.load(spec)
    from ..generate.runner import OutlinesRunner
    runner = OutlinesRunner(model, tok, spec)
    click.echo(f"loaded in {time.time() - t:.0f} s; generating {n} personas into {out}", err=True)
    _run(theory, runner, spec, settings, out, seed, n)


def _run(theory, runner, spec, settings, out: Path, seed: int, n: int) -> None:
    from ..generate.session import Session
    from .progress import progress
    session = Session(theory, runner, spec, settings, out, seed, n)
    try:
        with progress(n, "personas", force=True, fields=True) as advance:
            counts = session.run(lambda c: advance(1, accepted=c["accepted"], failed=c["failed"]))
    except KeyboardInterrupt:
        c = session.counts
        click.echo(f"interrupted: {c['accepted']} accepted personas are safe in {out / 'personas.jsonl'} "
                   f"(run.json says status=interrupted)", err=True)
        sys.exit(130)
    c = counts
    calls = c["calls"] / max(1, c["accepted"])
    click.echo(f"{c['accepted']}/{n} accepted ({c['failed']} failed; first-pass valid {c['first_pass_valid']}/{n}; "
               f"{calls:.1f} LLM calls and {c['tokens'] / max(1, c['accepted']):.0f} tokens per accepted persona)")
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

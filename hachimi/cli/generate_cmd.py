"""`hachimi generate` and `hachimi models`: run generation into a folder; list configured models."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..generate import BOX_VARIANTS, NARRATIVES
from .options import format_option


@click.command()
@click.option("--n", "n", type=click.IntRange(1), default=5, show_default=True, help="Personas (slots) to generate.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Run seed: slots, boxes and sampling derive from it."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Run folder: personas.jsonl, attempts.jsonl, run.json.",
)
@click.option(
    "--model",
    "model_name",
    default="smollm2-135m-instruct",
    show_default=True,
    help="A model configured in models/ (see `hachimi models`).",
)
@click.option("--theory", "theory_name", default="k12", show_default=True)
@click.option(
    "--unchecked", is_flag=True, help="Use the theory even if `hachimi theory lint` rejects it (run.json says so)."
)
@click.option(
    "--max-rounds",
    type=click.IntRange(0),
    default=3,
    show_default=True,
    help="Revision rounds before an attempt is recorded as failed.",
)
@click.option("--no-narrow", is_flag=True, help="Decode under the plain schemas (no solver narrowing).")
@click.option(
    "--box-variants",
    type=click.IntRange(0),
    default=None,
    help=f"Narrowed boxes per slot (default {BOX_VARIANTS}): attempts of slots with the same values share "
    "their boxes, each narrowed once and remembered, so narrowing costs little at scale; the model still "
    "chooses each value inside the box with the attempt's own seed. 0: a fresh box for every attempt "
    "(the most variety in the structured fields, and the behaviour of runs made before this option).",
)
@click.option(
    "--narrative",
    type=click.Choice(NARRATIVES),
    default=None,
    help="How narratives are decoded (default: the model's `narrative`). scaffold: one sentence per "
    "rated dimension with its level, clauses of frequent words (small models). free: prose bounded by "
    "length and paragraph form only, levels decoded as fields (capable models, hosted APIs).",
)
@click.option("--no-scaffold", is_flag=True, help="Deprecated: the same as --narrative free.")
@click.option(
    "--no-direct-repair", is_flag=True, help="Send structural violations to their agents instead of repairing them."
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A plan (plans/*.toml): exact quotas per cell, refill until met (see `hachimi plan`).",
)
@click.option(
    "--attempts",
    type=click.IntRange(1),
    default=None,
    help="Attempts per slot before it counts as a shortfall (default: the plan's, else 1).",
)
@click.option(
    "--dedup",
    type=click.Choice(["none", "lexical", "semantic", "both"]),
    default="lexical",
    show_default=True,
    help="Near-duplicates within a stratum are regenerated and counted.",
)
@click.option("--language", default=None, help="Prompt template set (default: the model's).")
@click.option(
    "--max-text", type=int, default=None, help="Longest free-text field in characters (default: the model's)."
)
@click.option(
    "--concurrency",
    "-k",
    type=click.IntRange(1),
    default=None,
    help="Slots in flight at once; their model calls share batches (default: the model's "
    "`concurrency`, else the engine's: its batch size, or the endpoint's max_concurrency; with "
    "--workers W at least 4W, so every worker has solver work).",
)
@click.option(
    "--workers",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Processes for narrowing and validation (0: in this process, overlapped with decoding).",
)
@click.option(
    "--retries",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Tries per model call on a transient engine error (timeout, HTTP 429/5xx, out of memory).",
)
@format_option("the final summary as one JSON document on stdout")
def generate(
    n,
    seed,
    out,
    model_name,
    theory_name,
    unchecked,
    max_rounds,
    no_narrow,
    box_variants,
    narrative,
    no_scaffold,
    no_direct_repair,
    plan_file,
    attempts,
    dedup,
    language,
    max_text,
    concurrency,
    workers,
    retries,
    fmt,
):
    """Generate N personas with the five agents, solver-narrowed grammars and core-driven revision.

    Only personas the validator accepts are written to OUT/personas.jsonl, in slot order; every
    agent call and every validation is in OUT/attempts.jsonl; run.json has the settings, counts
    (cumulative over resumed sessions) and cost per accepted persona.

    \b
    Speed: --concurrency K keeps K slots in flight; their calls go to the engine together (one
    padded batch for transformers, concurrent requests for vLLM / an OpenAI-compatible server).
    Repeatability: the same command twice gives the same personas.jsonl. Each persona depends
    only on (theory, plan, seed, slot, attempt, model, settings); on a batched engine, floating-
    point sums in a padded batch can differ with K, so keep K to reproduce a run bit for bit.
    Ctrl-C (or a crash, or kill -9) stops the run; the same command again resumes it: nothing is
    lost, no id is repeated, the result equals an uninterrupted run's, and a folder made with
    other settings is refused before any model loads. One process at a time per folder.
    """
    from ..authoring.gate import require_clean
    from ..engines import models
    from ..errors import HachimiError
    from ..fsio import os_errors
    from ..generate.run import open_run, settings_for
    from ..theory.locate import locate
    from ..theory.pack import load

    theory = load(locate(theory_name))
    overridden = require_clean(theory, unchecked)  # lint errors an --unchecked run goes on with
    spec = models.get(model_name)
    settings = settings_for(
        spec,
        language,
        max_text,
        narrow=not no_narrow,
        box_variants=box_variants,
        max_rounds=max_rounds,
        direct_repair=not no_direct_repair,
        narrative=_narrative(spec, narrative, no_scaffold),
    )
    run = open_run(
        theory,
        spec,
        out,
        n,
        seed,
        settings,
        plan_file,
        attempts,
        dedup,
        concurrency,
        workers,
        retries,
        extra_identity={"unchecked": overridden} if overridden else None,  # run.json names them
        on_loading=lambda: click.echo(f"loading {spec.name} ({spec.description}) ...", err=True),
    )
    for note in run.notes:
        click.echo(f"note: {note}", err=True)
    from ..audit.store import build as audit_index

    run.session.indexes.append(lambda: audit_index(out))  # `hachimi audit` then reads, never catches up a run
    planned, done = len(run.prepared.slots), len(run.session.state.accepted)
    click.echo(
        f"loaded in {run.load_seconds:.0f} s; generating {planned} personas into {out}, {run.concurrency} in flight"
        + (f" (resuming: {done} accepted already)" if done else ""),
        err=True,
    )
    try:
        with os_errors(out, then="what was written is kept; run the same command again to resume"):
            _run(run.session, out, planned, fmt)
    except HachimiError:
        raise
    finally:
        run.close()


def _narrative(spec, chosen: str | None, no_scaffold: bool) -> str:
    """The run's narrative style: --narrative, else --no-scaffold (deprecated: free), else the
    model's; a style the model's server cannot take is a usage error."""
    from ..engines import models

    if no_scaffold:
        if chosen == "scaffold":
            raise click.UsageError("--no-scaffold contradicts --narrative scaffold; drop one of them")
        click.echo("note: --no-scaffold is deprecated; it means --narrative free", err=True)
        chosen = "free"
    style = chosen or spec.narrative
    if problem := models.narrative_problem(spec, style):
        raise click.UsageError(problem)
    return style


def _run(session, out: Path, n: int, fmt: str) -> None:
    from .progress import generation_progress

    try:
        with generation_progress(n, session.counts.get("done", 0)) as advance:
            counts = session.run(advance)
    except KeyboardInterrupt:
        c = session.counts
        click.echo(
            f"interrupted: {c['accepted']} accepted personas are safe in {out / 'personas.jsonl'} "
            f"(run.json says status=interrupted); run the same command to resume",
            err=True,
        )
        sys.exit(130)
    c = counts
    manifest = session.manifest("complete")
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "out": str(out),
                    "status": "complete",
                    "slots": n,
                    "counts": c,
                    "per_accepted": manifest["per_accepted"],
                    "this_session": manifest["this_session"],
                    "cells_short": {k: v["shortfall"] for k, v in manifest["cells"].items() if v["shortfall"]},
                },
                indent=1,
            )
        )
        sys.exit(0 if c["accepted"] else 1)
    if c.get("attempts", 0) == 0:
        click.echo(f"{c['accepted']}/{n} accepted; nothing left to do in {out}")
        sys.exit(0 if c["accepted"] else 1)
    per = manifest["per_accepted"]
    click.echo(
        f"{c['accepted']}/{n} accepted ({c.get('failed', 0)} slots short; {c.get('near_duplicates', 0)} "
        f"near-duplicates regenerated; first-pass valid {c.get('first_pass_valid', 0)}/{c['attempts']} attempts; "
        f"per accepted persona: {per['calls']:.1f} LLM calls, {per['tokens']:.0f} tokens, "
        f"{per['engine_seconds']:.2f} engine-s, {per['wall_seconds']:.2f} wall-s)"
    )
    if c.get("engine_errors"):
        click.echo(
            f"{c['engine_errors']} attempts failed on engine errors (see 'engine error' in {out / 'attempts.jsonl'})"
        )
    click.echo(
        f"personas: {out / 'personas.jsonl'}   attempts: {out / 'attempts.jsonl'}   manifest: {out / 'run.json'}"
    )
    sys.exit(0 if c["accepted"] else 1)


@click.command("models")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def models_cmd(fmt):
    """Configured models (models/*.toml): engine, narrative style, default slots in flight, and
    where their weights or endpoint are on this machine.

    \b
    Engines: transformers (padded batches, a JSON grammar per row), vllm (in-process vLLM,
    tensor parallel, prefix caching), openai (any OpenAI-compatible server or hosted API: bounded
    concurrency with AIMD, retries), template (no LLM; smoke tests).
    """
    from ..engines import models

    rows = []
    for spec in models.specs().values():
        rows.append(
            {
                "name": spec.name,
                "engine": spec.engine_kind,
                "bundled": spec.bundled,
                "concurrency": spec.concurrency,
                "narrative": spec.narrative,
                "description": spec.description,
                "where": models.where(spec),
                "file": str(spec.file),
            }
        )
    if fmt == "json":
        click.echo(json.dumps({"models": rows, "broken": models.BROKEN}, indent=1))
        return
    for r in rows:
        tag = f"{r['engine']}, {r['narrative']}" + (", bundled" if r["bundled"] else "")
        click.echo(f"{r['name']:<24} {tag:<32} {r['description']}")
        click.echo(f"{'':<24} {'':<32} {r['where']}")
    for why in models.BROKEN.values():
        click.echo(f"broken: {why}", err=True)

"""`hachimi generate` and `hachimi models`: run generation into a folder; list configured models."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from ..generate import NARRATIVES
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
    "`concurrency`, else the engine's: its batch size, or the endpoint's max_concurrency).",
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
    from ..errors import HachimiError
    from ..fsio import os_errors
    from ..engines import models
    from ..generate.loop import Settings
    from ..generate.session import Session, identity
    from ..store.lock import FolderLock
    from ..store.state import check_identity
    from ..theory.locate import locate
    from ..authoring.gate import require_clean
    from ..theory.pack import load

    from ..population.prepare import planned_slots

    theory = load(locate(theory_name))
    overridden = require_clean(theory, unchecked)  # lint errors an --unchecked run goes on with
    prepared = planned_slots(theory, n, seed, plan_file)
    plan, planned = prepared.plan, prepared.slots
    for c, rules in (prepared.feasibility.impossible if plan else {}).items():
        click.echo(
            f"note: {plan.cell_label(c)} is impossible under the theory ({' + '.join(rules)}); it gets no personas",
            err=True,
        )
    spec = models.get(model_name)
    narrative = _narrative(spec, narrative, no_scaffold)
    dec = spec.decoding
    settings = Settings(
        language=language or spec.language,
        max_text=max_text or dec.get("max_chars_text", 300),
        max_short=min(max_text or 10**6, dec.get("max_chars_short", 120)),
        narrow=not no_narrow,
        max_rounds=max_rounds,
        direct_repair=not no_direct_repair,
        narrative=narrative,
    )
    budget = attempts or (plan.attempts_per_slot if plan else 1)
    engine_id = models.identity(spec)
    lint_id = {"unchecked": overridden} if overridden else {}  # run.json names the lint errors overridden
    check_identity(out, {**identity(theory, settings, seed, len(planned), plan, engine_id, budget, dedup), **lint_id})
    with os_errors(out):  # a read-only or full disk is refused here, before the model loads
        lock = FolderLock(out).acquire()  # before the model loads: a second process refuses at once
    try:
        click.echo(f"loading {spec.name} ({spec.description}) ...", err=True)
        t = time.time()
        engine = _engine(spec, retries, theory)
        k = concurrency or spec.concurrency or engine.default_concurrency
        solver = None
        if workers:
            from ..generate.cpu import SolverPool

            solver = SolverPool(theory, workers, settings.narrow)
        session = Session(
            theory,
            engine,
            settings,
            out,
            seed,
            planned=planned,
            plan=plan,
            attempts_per_slot=budget,
            dedup=dedup,
            concurrency=k,
            solver=solver,
            engine_identity=engine_id,
            lock=lock,
        )
        session.identity.update(lint_id)
    except BaseException:
        lock.release()
        raise
    done = len(session.state.accepted)
    click.echo(
        f"loaded in {time.time() - t:.0f} s; generating {len(planned)} personas into {out}, {k} in flight"
        + (f" (resuming: {done} accepted already)" if done else ""),
        err=True,
    )
    try:
        with os_errors(out, then="what was written is kept; run the same command again to resume"):
            _run(session, out, len(planned), fmt)
    except HachimiError:
        raise
    finally:
        engine.close()
        if solver is not None:
            solver.close()


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


def _engine(spec, retries: int, theory=None):
    """The model's engine, with retries for transient errors; HACHIMI_FAULT_EVERY=k makes every
    k-th call fail (a drill for the retry and recording paths)."""
    import os

    from ..engines import registry
    from ..engines.retry import Retrying
    from ..generate.filler import writer

    engine = registry.engine(spec, writer(theory))
    if every := int(os.environ.get("HACHIMI_FAULT_EVERY", "0") or 0):
        from ..engines.faults import FaultyEngine

        engine = FaultyEngine(engine, every)
    # The OpenAI-compatible engine retries each HTTP request itself (with AIMD); no second layer.
    return Retrying(engine, tries=1 if spec.engine_kind == "openai" else retries)


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

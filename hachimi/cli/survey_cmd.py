"""`hachimi survey administer|score|compare|reference|lint`: personas answer questionnaire items as
student agents; their construct scores and cohort means are compared with human data."""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import click

from .options import format_option


def _bar():
    """A progress bar of answered blocks on a terminal (none in logs): advance(done, total)."""
    from contextlib import contextmanager

    @contextmanager
    def bar():
        if not sys.stderr.isatty():
            yield lambda done, total: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        with Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()
        ) as p:
            task = p.add_task("personas asked", total=None)
            yield lambda done, total: p.update(task, completed=done, total=total)

    return bar()


def _fail(e) -> None:
    click.echo(f"hachimi: error: {e}", err=True)
    sys.exit(2)


def _records(file: Path, what: str) -> list[dict]:
    """The objects of a JSONL file; a line that cannot be read is reported on stderr with its
    number and left out, and the rest is used (a torn last line after a crash included)."""
    from ..jsonio import read_records

    records, problems = read_records(file)
    for n, why in problems:
        click.echo(f"warning: {file}:{n}: {why}; this {what} is left out", err=True)
    return [obj for _, obj in records]


def _source(file: Path, sample: int | None = None, seed: int = 0, only: set[str] | None = None):
    """The personas of a file that can answer, scanned without holding them (survey/source.py):
    each needs an id of its own (text); a line without one, or with an id seen before, is named
    and left out."""
    from ..survey.source import scan

    src = scan(file, sample, seed, only)
    for n, why in src.problems:
        click.echo(f"warning: {file}:{n}: {why}; this persona is left out", err=True)
    return src


def _theory(source: Path, override: str | None = None):
    """The personas' theory: `override` (a folder or bundled name), else the one run.json of their
    run folder (SOURCE, or the folder a personas file lies in) names, else k12."""
    from ..store.run_theory import theory_of

    return theory_of(source if source.is_dir() else source.parent, override, _warn)


def _personas(source: Path, theory, sample: int | None = None, seed: int = 0):
    """A run folder (its personas.jsonl and its plan's strata) or a personas .jsonl file ->
    (file, its Source, strata)."""
    from ..errors import HachimiError

    file = source / "personas.jsonl" if source.is_dir() else source
    if not file.is_file():
        raise HachimiError(f"no personas at {file} (give a run folder or a .jsonl file)")
    personas = _source(file, sample, seed)
    strata = None
    manifest = (source / "run.json") if source.is_dir() else None
    if manifest and manifest.is_file():
        plan = json.loads(manifest.read_text(encoding="utf-8")).get("plan") or {}
        if plan.get("file") and Path(plan["file"]).is_file():
            from ..population.plan import load

            strata = load(Path(plan["file"]), theory.schema).strata  # the run's own theory: its plan's fields
    return file, personas, strata


@click.group()
def survey():
    """External validity: personas answer PISA or CEPS questionnaires as student agents.

    Instruments (pisa2022-student, ceps-student, or a folder of your own) carry their items' source
    variables, wordings and code directions, directional hypotheses and published human figures.
    Answers are bound to the personas that gave them by content: a regenerated persona is asked again.

    \b
      hachimi survey administer runs/a --instrument pisa2022-student --out runs/a/survey
      hachimi survey score runs/a/survey
      hachimi survey compare runs/a/survey --format json      hypotheses and human figures
      hachimi survey compare runs/a/survey --reference human_cohorts.csv
      hachimi survey reference pisa2022 STU_FILE --out human_cohorts.csv
      hachimi survey lint ceps-student
    """


@survey.command("lint")
@click.argument("instrument", default="pisa2022-student")
@format_option("the verdict as one JSON document")
def lint_cmd(instrument, fmt):
    """Check an instrument folder: items, scales, constructs, forms, hypotheses (file:line)."""
    from ..errors import HachimiError
    from ..fsio import os_errors
    from ..survey.instrument import load, locate

    locate(instrument)  # no such instrument is a usage error (exit 2), not a lint finding
    with os_errors():  # nor is a file it may not read
        try:
            inst = load(instrument)
        except HachimiError as e:
            click.echo(json.dumps({"clean": False, "error": str(e)}) if fmt == "json" else str(e))
            sys.exit(1)
    if fmt == "json":
        doc = {"clean": True, "name": inst.name, "items": len(inst.items), "constructs": list(inst.constructs)}
        doc |= {"forms": list(inst.forms), "hypotheses": [h.id for h in inst.hypotheses]}
        click.echo(json.dumps(doc | {"figures": [f.id for f in inst.figures]}))
        return
    click.echo(
        f"{inst.name}: clean ({len(inst.items)} items, {len(inst.constructs)} constructs, "
        f"{len(inst.forms)} form(s), {len(inst.hypotheses)} hypotheses, {len(inst.figures)} human figures; "
        f"languages {', '.join(inst.languages)})"
    )


@survey.command("administer")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--instrument", default="pisa2022-student", show_default=True)
@click.option("--form", default=None, help="A shorter form of the instrument (e.g. short); default: every item.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--model", "model_name", default="smollm2-135m-instruct", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--language", default=None, help="en or zh (default: the model's).")
@click.option("--block-size", type=click.IntRange(1, 40), default=5, show_default=True)
@click.option(
    "--check-share",
    type=click.FloatRange(0, 1),
    default=0.25,
    show_default=True,
    help="Personas re-asked some items with reversed options.",
)
@click.option("--concurrency", type=click.IntRange(1), default=8, show_default=True)
@click.option(
    "--sample",
    type=click.IntRange(1),
    default=None,
    help="Ask this many personas, a seeded sample of SOURCE (the same seed and size give the same "
    "personas) [default: every persona]. A survey of a large "
    "corpus holds only its sample in memory.",
)
@click.option(
    "--theory",
    "theory_name",
    default=None,
    help="The personas' theory (who each is, where it falls in the cohorts) [default: the run's (run.json), else k12].",
)
@format_option("counts as one JSON document")
def administer_cmd(
    source,
    instrument,
    form,
    out,
    model_name,
    seed,
    language,
    block_size,
    check_share,
    concurrency,
    sample,
    theory_name,
    fmt,
):
    """Each persona of SOURCE (a run folder or a personas .jsonl) answers the instrument's items.

    Items go in blocks; each answer is constrained by grammar to the item's options plus a refusal;
    item and option orders are drawn per persona and recorded. Every answered block is appended to
    OUT/answers.jsonl: kill the run and run the same command again to resume (nothing asked twice,
    nothing lost); a folder made with other settings is refused.
    """
    from ..errors import HachimiError
    from ..fsio import os_errors, write_text
    from ..engines import models
    from ..store.lock import FolderLock
    from ..survey import administer as A
    from ..survey.cohorts import placement
    from ..survey.instrument import load
    from ..survey.persona import student
    from ..generate.run import engine_for

    try:
        inst = load(instrument)
        inst.form(form)  # an unknown form fails here, before the model loads
        theory = _theory(source, theory_name)
        file, personas, strata = _personas(source, theory, sample, seed)
        spec = models.get(model_name)
        lang = language or spec.language
        if lang not in inst.languages:
            raise HachimiError(f"instrument {inst.name} has no {lang} text (languages: {', '.join(inst.languages)})")
        s = A.Settings(inst.name, form, seed, lang, block_size, check_share, sample=sample)
        student(theory, lang)  # so does a theory that does not say who a persona is
        placement(theory)  # or where it falls in the cohorts
        # paths relative to the survey folder, so a committed folder works on another machine
        ident = A.identity(s, inst, Path(os.path.relpath(file.resolve(), out.resolve())), models.identity(spec))
        with os_errors(out):
            out.mkdir(parents=True, exist_ok=True)
        manifest = out / A.MANIFEST
        if manifest.is_file():
            old = _manifest(out)["identity"]
            if old != ident:
                diff = [k for k in ident if old.get(k) != ident.get(k)]
                raise HachimiError(
                    f"{out} holds a survey made with other settings ({', '.join(diff)}); choose another --out"
                )
        with os_errors(out):
            lock = FolderLock(out).acquire()
    except HachimiError as e:
        _fail(e)
    try:
        write_text(
            manifest,
            json.dumps(
                {
                    "identity": ident,
                    "strata": strata,
                    "instrument_root": _instrument_ref(inst, out),
                    "theory": _theory_ref(theory_name, out),
                    # where they were when asked: tried when the relative paths no longer lead there
                    "personas_path": str(file.resolve()),
                    "instrument_path": str(inst.root.resolve()),
                },
                indent=1,
            ),
        )
        click.echo(f"loading {spec.name} ...", err=True)
        engine = engine_for(spec, None, 2)
        resume = "the answered blocks are kept; run the same command again to resume"
        with _bar() as advance, os_errors(out / A.ANSWERS, then=resume):
            counts = A.administer(
                personas.personas(), inst, s, engine, out, concurrency, advance, theory=theory, hashes=personas.hashes
            )
    except KeyboardInterrupt:
        click.echo("interrupted: run the same command again to resume", err=True)
        sys.exit(130)
    finally:
        lock.release()
    if fmt == "json":
        click.echo(json.dumps(counts, indent=1))
    else:
        if counts["changed_personas"]:
            click.echo(
                f"{counts['changed_personas']} persona(s) changed since they answered (same id, other content): "
                "asked again; their old answers are kept in the file but no longer scored",
                err=True,
            )
        if counts["answers_of_missing_personas"]:
            click.echo(
                f"{counts['answers_of_missing_personas']} answered block(s) belong to personas no longer in "
                f"{file}: not scored",
                err=True,
            )
        click.echo(
            f"{counts['asked']} blocks asked ({counts['errors']} with errors, retried on the next run), "
            f"{counts['skipped_done']} already answered; answers: {out / A.ANSWERS}"
        )


def _instrument_ref(inst, out: Path) -> str:
    """A bundled instrument by name, another by its path relative to the survey folder."""
    from ..survey.instrument import INSTRUMENTS

    if inst.root.resolve().parent == INSTRUMENTS.resolve():
        return inst.root.name
    return os.path.relpath(inst.root.resolve(), out.resolve())


def _theory_ref(ref: str | None, out: Path) -> str | None:
    """--theory as survey.json keeps it: a folder relative to the survey folder, a bundled name, or
    None (the personas' run says which)."""
    if ref and Path(ref).is_dir():
        return os.path.relpath(Path(ref).resolve(), out.resolve())
    return ref


def _folder_theory(folder: Path, m: dict, personas_file: Path):
    """The theory of a survey folder's personas: the --theory administer was given, else their run's."""
    ref = m.get("theory")
    if ref and (folder / ref).is_dir():
        ref = str(folder / ref)
    return _theory(personas_file, ref)


def _manifest(folder: Path) -> dict:
    """survey.json, checked: a missing, corrupt or incomplete one is an error naming the file."""
    from ..errors import HachimiError

    manifest = folder / "survey.json"
    if not manifest.is_file():
        raise HachimiError(f"{folder} is not a survey folder (no survey.json); run hachimi survey administer first")
    fix = "it records how the survey was made: restore it, or administer into a new folder"
    try:
        m = json.loads(manifest.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise HachimiError(f"{manifest}: not UTF-8 (byte {e.start + 1}); {fix}") from None
    except ValueError as e:
        raise HachimiError(f"{manifest}: not JSON ({e}); {fix}") from None
    try:
        settings = m["identity"]["settings"]
        for key in ("instrument", "seed"):
            settings[key]
        m["identity"]["personas"]
    except (KeyError, TypeError) as e:
        raise HachimiError(f"{manifest}: no {e} in it; {fix}") from None
    return m


def _answered_by(folder: Path, m: dict, override: Path | None) -> Path:
    """The personas file that answered: --personas, else survey.json's path relative to the folder
    (it survives moving the run and its survey together), else the absolute path administer saw."""
    from ..errors import HachimiError

    if override is not None:
        if not override.is_file():
            raise HachimiError(f"--personas {override}: no such file")
        return override
    tried = [Path(os.path.normpath(folder / m["identity"]["personas"]))]
    if m.get("personas_path"):
        tried.append(Path(m["personas_path"]))
    for path in tried:
        if path.is_file():
            return path
    raise HachimiError(
        f"the personas that answered are not at {' nor '.join(str(t) for t in tried)} "
        f"({folder / 'survey.json'} names them); put them back or pass --personas FILE"
    )


def _instrument_of(folder: Path, m: dict):
    """The instrument survey.json names: a bundled one by name, another by its path relative to the
    survey folder, else by the absolute path administer saw."""
    from ..survey.instrument import load

    ref = m.get("instrument_root") or m["identity"]["settings"]["instrument"]
    for cand in (folder / ref, Path(m["instrument_path"]) if m.get("instrument_path") else None):
        if cand is not None and (cand / "instrument.toml").is_file():
            return load(str(cand))
    return load(ref)  # a bundled name, or an error naming the bundled ones


def _load_folder(folder: Path, personas_file: Path | None = None):
    """A survey folder -> (instrument, the answers that belong to its personas, scores, seed, a
    summary of what was left out)."""
    from ..errors import HachimiError
    from ..survey.answers import ANSWERS, bind
    from ..survey.answers import read as read_answers
    from ..survey.cohorts import placement
    from ..survey.score import score

    m = _manifest(folder)
    inst = _instrument_of(folder, m)
    personas_file = _answered_by(folder, m, personas_file)
    if not (folder / ANSWERS).is_file():
        why = "is a folder" if (folder / ANSWERS).is_dir() else "no such file"
        raise HachimiError(f"{folder / ANSWERS}: {why}; it holds the answers: run hachimi survey administer first")
    got = read_answers(folder, {i.id for i in inst.items})
    for n, why in got.problems:
        click.echo(f"warning: {folder / ANSWERS}:{n}: {why}; this block of answers is left out", err=True)
    src = _source(personas_file, only={r["persona"] for r in got.records})  # the personas that answered
    bound = bind(got.records, src.hashes)
    if note := bound.summary():
        click.echo(
            f"warning: {note}: their answers are left out (run hachimi survey administer again to ask them anew)",
            err=True,
        )
    seed = m["identity"]["settings"]["seed"]
    where = placement(_folder_theory(folder, m, personas_file))
    used = {
        "blocks_used": len(bound.records),
        "blocks_unreadable": len(got.problems),
        "blocks_of_changed_personas": bound.changed,
        "blocks_of_missing_personas": bound.missing,
        "blocks_superseded": bound.superseded,
    }
    scored = score(src.personas(), bound.records, inst, where, m.get("strata"), seed)
    return inst, bound.records, scored, seed, used


def _fmt(x, nd=2) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


PERSONAS_OPTION = click.option(
    "--personas",
    "personas_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The personas that answered, where survey.json's paths no longer lead (a moved folder).",
)


@survey.command("score")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@PERSONAS_OPTION
@format_option("persona scores and cohort means as one JSON document")
def score_cmd(folder, personas_file, fmt):
    """Construct scores per persona (z over the sample) and cohort means with 95% bootstrap
    intervals: the survey's cohorts (16: tier/gender/risk), bands (k12: grades), and each cohort
    variable alone; where a persona falls is its theory's. Writes FOLDER/scores.csv and
    FOLDER/cohorts.csv."""
    import csv

    from ..errors import HachimiError
    from ..fsio import atomic_output
    from ..survey.cohorts import vocabulary

    try:
        inst, answers, scored, _, used = _load_folder(folder, personas_file)
    except HachimiError as e:
        _fail(e)
    with (  # both tables are written, or neither
        atomic_output(folder / "scores.csv", newline="") as fh,
        atomic_output(folder / "cohorts.csv", newline="") as ch,
    ):
        w = csv.writer(fh)
        w.writerow(
            [
                "persona",
                *scored.variables,
                "band",
                *[f"{c}_z" for c in scored.constructs],
                *[f"{c}_raw" for c in scored.constructs],
            ]
        )
        for pid, r in scored.personas.items():
            w.writerow(
                [
                    pid,
                    *[r[v] for v in scored.variables],
                    r["band"],
                    *[_fmt(r["z"].get(c), 4) for c in scored.constructs],
                    *[_fmt(r["raw"].get(c), 4) for c in scored.constructs],
                ]
            )
        w = csv.DictWriter(ch, fieldnames=["kind", "key", "construct", "n", "mean_z", "ci_low", "ci_high", "mean_raw"])
        w.writeheader()
        for row in scored.cohorts:
            w.writerow({k: (_fmt(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
    if fmt == "json":
        doc = {"personas": scored.personas, "cohorts": scored.cohorts, "answers": used}
        click.echo(json.dumps(doc, indent=1, default=str))
        return
    click.echo(
        f"{len(scored.personas)} personas scored on {len(scored.constructs)} constructs; {folder / 'scores.csv'}, {folder / 'cohorts.csv'}"
    )
    for row in [r for r in scored.cohorts if r["kind"] in vocabulary().ordered]:
        click.echo(
            f"  {row['construct']:<9} {row['key']:<7} n={row['n']:<3} mean z {_fmt(row['mean_z'])} [{_fmt(row['ci_low'])}, {_fmt(row['ci_high'])}]"
        )


@survey.command("compare")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--reference",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Human cohort means (hachimi survey reference).",
)
@PERSONAS_OPTION
@format_option("correlations, hypotheses, figures and pitfalls as one JSON document")
def compare_cmd(folder, reference, personas_file, fmt):
    """Agent vs human cohort means per construct (Pearson r, Spearman rho, 95% CIs, n), the
    instrument's directional hypotheses (effect size, pass/fail) and the pitfall controls
    (refusals, acquiescence, option order, response spread). Writes FOLDER/compare.json and
    FOLDER/report/index.html."""
    from ..errors import HachimiError
    from ..fsio import os_errors, write_text
    from ..survey import compare as C
    from ..survey import figures as F
    from ..survey.report import render

    try:
        inst, answers, scored, seed, used = _load_folder(folder, personas_file)
        ref = C.read_reference(reference) if reference else None
    except HachimiError as e:
        _fail(e)
    doc = {
        "correlations": C.correlations(scored, ref, seed) if ref else [],
        "hypotheses": C.hypotheses(scored, inst, seed),
        "figures": F.estimates(inst, scored, answers, seed),
        "pitfalls": C.pitfalls(answers, inst, ref, scored),
        "personas": len(scored.personas),
        "answers": used,
        "reference": str(reference) if reference else None,
    }
    write_text(folder / "compare.json", json.dumps(doc, indent=1, default=str))
    with os_errors(folder / "report"):
        page = render(folder, doc, scored)
    if fmt == "json":
        click.echo(json.dumps(doc, indent=1, default=str))
        return
    for c in doc["correlations"]:
        click.echo(
            f"  {c['construct']:<9} n={c['n_cohorts']:<3} r {_fmt(c['pearson_r'])} [{_fmt(c['r_ci'][0])}, {_fmt(c['r_ci'][1])}]"
            f"  rho {_fmt(c['spearman_rho'])} [{_fmt(c['rho_ci'][0])}, {_fmt(c['rho_ci'][1])}]"
        )
    if doc["hypotheses"]:
        click.echo("hypotheses (the personas' effect, 95% interval, verdict):")
    for h in doc["hypotheses"]:
        click.echo(
            f"  {h['id']:<16} {h['construct']} {h['expect']:<16} {h['effect']} {_fmt(h['value'])} "
            f"[{_fmt(h['ci'][0])}, {_fmt(h['ci'][1])}] -> {h['verdict']}"
        )
    if doc["figures"]:
        click.echo("human figures (published value | the personas' estimate, 95% interval, n -> verdict):")
    for f in doc["figures"]:
        est = (
            "-"
            if f["estimate"] is None
            else f"{_fmt(f['estimate'])} [{_fmt(f['ci'][0])}, {_fmt(f['ci'][1])}] n={f['n']}"
        )
        click.echo(
            f"  {f['id']:<28} {f['construct']:<9} {_fmt(f['value'])} {f['unit']} ({f['population']}, {f['year']}) | {est} -> {f['verdict']}"
        )
    for p in doc["pitfalls"]:
        click.echo(
            f"  {p['construct']:<9} refusals {_fmt(p['refusal_rate'])}  acquiescence {_fmt(p['acquiescence'])} (n={p['acquiescence_n']})"
            f"  order |change| {_fmt(p['order_abs_change'])} (n={p['order_n']})  sd agent {_fmt(p['agent_sd_raw'])} human {_fmt(p['human_sd_raw'])}"
        )
    click.echo(f"report: {page}")


@survey.command("reference")
@click.argument("source", type=click.Choice(["pisa2022"]))
@click.argument("student_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--instrument", default="pisa2022-student", show_default=True)
@click.option("--country", default=None, help="Only students of this CNT code (e.g. HKG).")
@click.option("--risk-column", default="ST016Q01NA", show_default=True)
@click.option("--risk-high-below", type=float, default=5.0, show_default=True)
@format_option("what was written as one JSON document")
def reference_cmd(source, student_file, out, instrument, country, risk_column, risk_high_below, fmt):
    """Weighted (W_FSTUWT) human cohort means from the PISA 2022 student file (CSV, SPSS or SAS):
    tiers from the mathematics plausible values, gender, a risk stratum; scored like the agents."""
    from ..errors import HachimiError
    from ..fsio import atomic_path, os_errors
    from ..survey import reference as R
    from ..survey.cohorts import vocabulary
    from ..survey.instrument import load

    try:
        inst = load(instrument)
        rows = R.cohort_means(R.read_table(student_file), inst, R.RiskRule(risk_column, risk_high_below), country)
    except HachimiError as e:
        _fail(e)
    with os_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out) as tmp:  # the table appears whole, or not at all
        R.write(rows, tmp)
    names = vocabulary().names
    cohorts = len({tuple(r[v] for v in names) for r in rows if r[names[0]] != R.ALL})
    if fmt == "json":
        click.echo(
            json.dumps({"out": str(out), "rows": len(rows), "cohorts": cohorts, "constructs": list(inst.constructs)})
        )
        return
    click.echo(f"wrote {out}: {len(rows)} rows, {cohorts} cohorts x {len(inst.constructs)} constructs")


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)

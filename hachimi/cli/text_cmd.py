"""`hachimi text read`: what the text reader takes from each sentence of a persona's narratives."""

from __future__ import annotations

import json

import click

from ..errors import InputError
from .options import format_option


@click.group("text")
def text_cmd():
    """The text reader: how narratives are read (levels, names, constructions).

    \b
      hachimi text read personas.jsonl --id g08-female-low-000017
      hachimi text read personas.jsonl --line 3 --format json
      hachimi text read --sentence "Her legal awareness is, as her teacher notes, just about average."
    """


@text_cmd.command("read")
@click.argument("file", required=False)
@click.option("--id", "pid", help="The persona with this id (default: every persona in FILE).")
@click.option("--line", type=click.IntRange(1), help="The persona on this line.")
@click.option("--sentence", help="Read this text instead of a file (every dimension of the theory).")
@click.option("--part", help="With --sentence: only the dimensions of this part (values, creativity, ...).")
@click.option(
    "--theory", "theory_name", default="k12", show_default=True, help="Theory folder, or the name of a bundled theory."
)
@format_option(
    "one JSON object per persona: its readings (field, sentence, dimension, levels allowed, words, construction, verdict)"
)
def read_cmd(file, pid, line, sentence, part, theory_name, fmt):
    """Show, for every sentence of a persona's rated narratives, which dimension it names, the set
    of levels its words allow, the words and the construction that bound them, and whether that
    agrees with the persona's structured level.

    A contradiction is reported by the validator (L1) only where the binding is trusted; a loose
    binding or a mention with no level word is a warning (L2/L3), never an error.
    """
    from ..theory.locate import locate
    from ..theory.pack import load

    theory = load(locate(theory_name))
    check = theory.text.checks.get("levels")
    if check is None:
        raise InputError(f"theory {theory.name} has no [features.levels] table: it reads no levels from prose")
    config = check[1]
    if sentence is not None:
        _sentence(sentence, part, config, fmt)
        return
    if file is None:
        raise InputError("give a JSONL FILE of personas, or --sentence TEXT")
    from ..jsonio import LineError, text_lines as read_text_lines

    found = 0
    for n, text in read_text_lines(file):
        if line is not None and n != line:
            continue
        if isinstance(text, LineError) or not text.strip():
            continue
        try:
            persona = json.loads(text)
        except json.JSONDecodeError as e:
            if line is not None or pid is None:
                click.echo(f"{file}:{n}: not JSON ({e.msg}); skipped", err=True)
            continue
        if not isinstance(persona, dict) or (pid is not None and persona.get("id") != pid):
            continue
        found += 1
        _show(persona, n, config, fmt)
    if found == 0:
        what = f"id {pid!r}" if pid else f"line {line}" if line else "a persona"
        raise InputError(f"{file}: no {what} found")


def _show(persona: dict, n: int, config, fmt: str) -> None:
    from ..text.explain import describe, explain

    r = explain(persona, config)
    if fmt == "json":
        click.echo(json.dumps({"line": n, **r.to_dict()}, ensure_ascii=False))
        return
    click.echo(f"line {n}  {r.id or '(no id)'}")
    field = None
    for row in r.rows:
        if row.field != field:
            field = row.field
            click.echo(f"  {field}")
        click.echo(f"    \u00ab{_clip(row.sentence)}\u00bb")
        said = f"{row.words!r} -> {describe(row.allows)}" if row.words else "no level read"
        click.echo(f"      {row.dimension}: {said}  [{row.construction}]  structured {row.structured}: {row.verdict}")


def _sentence(text: str, part: str | None, config, fmt: str) -> None:
    from ..text import steps as S
    from ..text.reader import read

    vocab = config.vocabulary
    if part is not None and part not in vocab.parts:
        raise InputError(f"--part {part!r}: not one of {', '.join(vocab.parts)}")
    dims = vocab.parts[part] if part else tuple(vocab.scales)
    r = read(text, dims, vocab)
    rows = [
        {
            "dimension": x.dimension,
            "allows": [s for s in vocab.orders[vocab.scales[x.dimension]] if s in x.steps],
            "words": x.expression,
            "construction": x.construction,
            "trusted": x.trusted,
        }
        for x in r.readings
    ]
    unread = sorted((r.mentioned() | set(r.hedged)) - {x.dimension for x in r.readings})
    if fmt == "json":
        click.echo(json.dumps({"language": r.language, "readings": rows, "unread": unread}, ensure_ascii=False))
        return
    for row in rows:
        order = vocab.orders[vocab.scales[row["dimension"]]]
        kind = "trusted" if row["trusted"] else "loose"
        click.echo(
            f"{row['dimension']}: {row['words']!r} -> {S.phrase(frozenset(row['allows']), order) or '-'}  [{row['construction']}, {kind}]"
        )
    for d in unread:
        click.echo(f"{d}: mentioned, no level read" + (" (hedged)" if d in r.hedged else ""))
    if not rows and not unread:
        click.echo("no dimension of the theory is named in this text")


def _clip(s: str, n: int = 110) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "\u2026"

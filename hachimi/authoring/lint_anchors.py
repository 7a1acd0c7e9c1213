"""A loaded theory -> findings about its prompts/<language>/anchors.toml files: every key is one the
prompts read (an agent of schema.toml, anchor_by, bias, <slot variable>_meaning) and every entry of
a table is a value of the slot variable it is looked up by. A key the prompts never read would be
wording that silently never reaches the model."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from ..theory.compose import key_line


def anchor_findings(theory) -> list:
    from .findings import Finding

    out: list[Finding] = []
    files = [
        d / lang.name / "anchors.toml" for d in theory.prompt_dirs for lang in sorted(d.iterdir()) if lang.is_dir()
    ]
    parsed: dict[Path, dict] = {}
    for path in (p for p in files if p.is_file()):
        text = path.read_text(encoding="utf-8")
        try:
            parsed[path] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            out.append(Finding("error", str(path), 0, 0, f"TOML syntax: {e}"))
    for path, data in parsed.items():
        text = path.read_text(encoding="utf-8")
        by = _anchor_by(path, parsed, theory)
        for key, problem in _problems(data, theory.schema, by):
            out.append(Finding("error", str(path), key_line(text, key), 0, problem))
    return out


def _anchor_by(path: Path, parsed: dict[Path, dict], theory) -> str | None:
    """The slot variable agents' anchors are looked up by, for this language: the nearest anchors.toml
    of the chain that sets anchor_by (the prompts read them merged, nearest first)."""
    lang = path.parent.name
    for d in theory.prompt_dirs:
        data = parsed.get(d / lang / "anchors.toml", {})
        if isinstance(data.get("anchor_by"), str):
            return data["anchor_by"]
    return None


def _problems(data: dict, schema, by: str | None) -> list[tuple[tuple[str, ...], str]]:
    slot = getattr(schema, "slot", None)
    variables = tuple(slot.variables) if slot else ()
    meanings = {f"{v}_meaning": v for v in variables}
    known = {*schema.owners, "anchor_by", "bias", *meanings}
    out = []
    for key, value in data.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, 1)
            out.append(
                (
                    (key,),
                    f"[{key}]: no prompt reads this key"
                    + (f" (did you mean {close[0]}?)" if close else "")
                    + f"; keys: the agents {', '.join(schema.owners)}, anchor_by, bias, "
                    + ", ".join(meanings),
                )
            )
        elif key == "anchor_by":
            if value not in variables:
                out.append(((key,), f"anchor_by = {value!r}: not a slot variable ({', '.join(variables)})"))
        elif not isinstance(value, dict):
            out.append(((key,), f"{key} = {value!r}: expected a table [{key}]"))
        elif key == "bias":
            out += [((key, k), f"[bias] {k}: the bias table has only text") for k in value if k != "text"]
        else:
            variable = meanings.get(key, by)
            out += _entries(key, value, schema, variable)
    return out


def _entries(key: str, table: dict, schema, variable: str | None) -> list[tuple[tuple[str, ...], str]]:
    """Each entry of an agent's (or a meaning's) table: a value of the slot variable, holding text."""
    spec = schema.by_path.get(f"slot.{variable}") if variable else None
    values = [str(v) for v in spec.domain] if spec else None
    out = []
    for k, v in table.items():
        if values is not None and k not in values:
            out.append(
                (
                    (key, k),
                    f"[{key}] {k}: not a value of slot.{variable} ({', '.join(values)}); this line is never used",
                )
            )
        elif not isinstance(v, str):
            out.append(((key, k), f"[{key}] {k} = {v!r}: expected text"))
    return out

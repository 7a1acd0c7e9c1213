"""Template files (prompts/<language>/*.txt) + slot + context -> chat messages, with template ids and hashes.

A theory pack holds prompts/<language>/<agent>.txt, system.txt, slot.txt and anchors.toml; a pack's
files win over those of the theories it extends. Built in are only what no theory words: each
language's language.toml (characters per token, number words) and revise.txt. Dimension lists,
counts and scale values come from the theory's schema.toml: a template writes $<group>_dimensions
("fluency, novelty, ..."), $<group>_count ("eight") and $<scale>_values ("low, fairly_low, ..."),
never typed lists. slot.txt gets each [slot] variable by name ($grade), $<variable>_meaning from an
anchors table of that name, and $bias (anchors [bias] text with $values; empty without a bias); an
agent's $anchor is its anchors table's entry for the slot's value of `anchor_by`."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from ..errors import HachimiError
from ..resources import DATA

PROMPTS = DATA / "prompts"  # each language: language.toml (characters per token, number words), revise.txt


@dataclass(frozen=True)
class Rendered:
    messages: list
    template_id: str  # e.g. "en/values" or "en/values+revise"
    template_hash: str


@lru_cache(maxsize=None)
def template(language: str, name: str, dirs: tuple[Path, ...] = ()) -> tuple[Template, str, Path]:
    """The template `name` of `language`: from the first of `dirs` (the theory's prompts/ folders,
    nearest first) that has it, else the built-in one."""
    for folder in (*dirs, PROMPTS):
        path = folder / language / f"{name}.txt"
        if path.is_file():
            text = path.read_text(encoding="utf-8").strip()
            return Template(text), hashlib.sha256(text.encode()).hexdigest()[:12], path
    where = ", ".join(str(d / language) for d in (*dirs, PROMPTS))
    raise HachimiError(
        f"no prompt template {name}.txt for language {language!r} (looked in {where}; built-in languages: "
        f"{', '.join(p.name for p in PROMPTS.iterdir() if p.is_dir())})"
    )


@lru_cache(maxsize=None)
def anchors(language: str, dirs: tuple[Path, ...] = ()) -> dict:
    """anchors.toml tables by agent (and the slot's words): a pack's table replaces the table of the
    same name of the theories it extends (`dirs`, nearest first)."""
    out: dict = {}
    for folder in reversed(dirs):
        path = folder / language / "anchors.toml"
        if path.is_file():
            try:
                out.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except tomllib.TOMLDecodeError as e:
                raise HachimiError(f"{path}: TOML syntax: {e}") from None
    return out


def schema_words(language: str, spec) -> dict[str, str]:
    """$<group>_dimensions and $<group>_count for every dimension group of the schema, and
    $<scale>_values ("low, fairly_low, ...") for every scale."""
    numbers = _language(language).get("numbers", [])
    out = {f"{name}_values": ", ".join(map(str, scale.values)) for name, scale in spec.scales.items()}
    for name, group in spec.groups.items():
        n = len(group.dimensions)
        out[f"{name}_dimensions"] = ", ".join(group.names.values())
        out[f"{name}_count"] = numbers[n] if n < len(numbers) else str(n)
    return out


def _fill(language: str, name: str, dirs: tuple[Path, ...] = (), **values) -> tuple[str, str]:
    tpl, digest, path = template(language, name, dirs)
    try:
        return tpl.substitute(**values), digest
    except KeyError as e:
        known = ", ".join(f"${k}" for k in sorted(values))
        raise HachimiError(f"prompt template {path} uses ${e.args[0]}, which is not provided (known: {known})")
    except ValueError as e:
        raise HachimiError(f"prompt template {path}: {e} (write $$ for a literal $)") from None


def slot_words(language: str, slot: dict, schema, dirs: tuple[Path, ...] = ()) -> dict[str, str]:
    """What slot.txt may write: each [slot] variable by name, $<variable>_meaning where anchors.toml
    has a table of that name, and $bias (empty when the slot has no bias)."""
    spec, table = schema.slot, anchors(language, dirs)
    out: dict[str, str] = {}
    for v in spec.variables if spec else ():
        out[v] = str(slot.get(v, ""))
        if isinstance(table.get(f"{v}_meaning"), dict):
            out[f"{v}_meaning"] = table[f"{v}_meaning"].get(out[v], "")
    if spec and spec.bias:
        values = slot.get(spec.bias) or []
        text = table.get("bias", {}).get("text", ", $values") if isinstance(table.get("bias"), dict) else ", $values"
        out["bias"] = Template(text).safe_substitute(values=", ".join(map(str, values))) if values else ""
    return out


def slot_keys(schema) -> set[str]:
    """The placeholders slot.txt may use under this schema (for lint)."""
    spec = schema.slot
    return set(spec.variables) | {f"{v}_meaning" for v in spec.variables} | {"bias"} if spec else set()


def slot_text(language: str, slot: dict, schema, dirs: tuple[Path, ...] = ()) -> str:
    text, _ = _fill(language, "slot", dirs, **slot_words(language, slot, schema, dirs))
    return text


def anchor_text(language: str, agent: str, slot: dict, dirs: tuple[Path, ...] = ()) -> str:
    """The agent's anchor wording for this slot: anchors.toml [<agent>] at the slot's value of the
    variable `anchor_by` names (empty where none applies)."""
    table = anchors(language, dirs)
    by = table.get("anchor_by")
    entry = table.get(agent)
    return entry.get(str(slot.get(by)), "") if by and isinstance(entry, dict) else ""


def render(
    language: str,
    agent: str,
    slot: dict,
    context: dict,
    allowed: dict,
    previous: dict | None = None,
    problems: list[str] | None = None,
    *,
    spec,
    dirs: tuple[Path, ...] = (),
) -> Rendered:
    """Messages for one agent call; with previous+problems it is a targeted revision. `spec`: the
    theory's persona format; `dirs`: its prompts/ folders (Theory.prompt_dirs)."""
    dirs = tuple(dirs)
    system, h0 = _fill(language, "system", dirs)
    user, h1 = _fill(
        language,
        agent,
        dirs,
        slot=slot_text(language, slot, spec, dirs),
        context=json.dumps(context, ensure_ascii=False) if context else "nothing yet",
        allowed=json.dumps(allowed, ensure_ascii=False),
        anchor=anchor_text(language, agent, slot, dirs),
        **schema_words(language, spec),
    )
    ids, hashes = [f"{language}/{agent}"], [h0, h1]
    if previous is not None:
        extra, h2 = _fill(
            language,
            "revise",
            dirs,
            previous=json.dumps(previous, ensure_ascii=False),
            problems="\n".join(f"- {p}" for p in problems or []),
        )
        user += "\n\n" + extra
        ids.append("revise")
        hashes.append(h2)
    digest = hashlib.sha256("".join(hashes).encode()).hexdigest()[:12]
    return Rendered([{"role": "system", "content": system}, {"role": "user", "content": user}], "+".join(ids), digest)


@lru_cache(maxsize=None)
def _language(language: str) -> dict:
    path = PROMPTS / language / "language.toml"
    if not path.is_file():
        raise HachimiError(f"no {path}: each prompt language states its chars_per_token there")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def chars_per_token(language: str) -> float:
    """Characters of JSON output per model token for a language (prompts/<language>/language.toml),
    used to size max_new_tokens from a schema's character budget."""
    return float(_language(language)["chars_per_token"])

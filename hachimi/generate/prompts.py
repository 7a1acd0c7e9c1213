"""Template files (prompts/<language>/*.txt) + slot + context -> chat messages, with template ids and hashes."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from ..errors import HachimiError

PROMPTS = Path(__file__).resolve().parent / "prompts"


@dataclass(frozen=True)
class Rendered:
    messages: list
    template_id: str  # e.g. "en/values" or "en/values+revise"
    template_hash: str


@lru_cache(maxsize=None)
def template(language: str, name: str) -> tuple[Template, str]:
    path = PROMPTS / language / f"{name}.txt"
    if not path.is_file():
        raise HachimiError(
            f"no prompt template {path} (languages: {', '.join(p.name for p in PROMPTS.iterdir() if p.is_dir())})"
        )
    text = path.read_text(encoding="utf-8").strip()
    return Template(text), hashlib.sha256(text.encode()).hexdigest()[:12]


@lru_cache(maxsize=None)
def anchors(language: str) -> dict:
    return tomllib.loads((PROMPTS / language / "anchors.toml").read_text(encoding="utf-8"))


def _fill(language: str, name: str, **values) -> tuple[str, str]:
    tpl, digest = template(language, name)
    try:
        return tpl.substitute(**values), digest
    except KeyError as e:
        raise HachimiError(f"prompt template {language}/{name}.txt uses ${e.args[0]}, which is not provided")


def slot_text(language: str, slot: dict) -> str:
    bias = slot.get("subject_bias") or []
    text, _ = _fill(
        language,
        "slot",
        grade=slot["grade"],
        gender=slot["gender"],
        level=slot["academic_level"],
        level_meaning=anchors(language)["level_meaning"][slot["academic_level"]],
        bias=f", leaning towards {', '.join(bias)}" if bias else "",
    )
    return text


def render(
    language: str,
    agent: str,
    slot: dict,
    context: dict,
    allowed: dict,
    previous: dict | None = None,
    problems: list[str] | None = None,
) -> Rendered:
    """Messages for one agent call; with previous+problems it is a targeted revision."""
    system, h0 = _fill(language, "system")
    user, h1 = _fill(
        language,
        agent,
        slot=slot_text(language, slot),
        context=json.dumps(context, ensure_ascii=False) if context else "nothing yet",
        allowed=json.dumps(allowed, ensure_ascii=False),
        anchor=anchors(language).get(agent, {}).get(slot["academic_level"], ""),
    )
    ids, hashes = [f"{language}/{agent}"], [h0, h1]
    if previous is not None:
        extra, h2 = _fill(
            language,
            "revise",
            previous=json.dumps(previous, ensure_ascii=False),
            problems="\n".join(f"- {p}" for p in problems or []),
        )
        user += "\n\n" + extra
        ids.append("revise")
        hashes.append(h2)
    digest = hashlib.sha256("".join(hashes).encode()).hexdigest()[:12]
    return Rendered([{"role": "system", "content": system}, {"role": "user", "content": user}], "+".join(ids), digest)


@lru_cache(maxsize=None)
def chars_per_token(language: str) -> float:
    """Characters of JSON output per model token for a language (prompts/<language>/language.toml),
    used to size max_new_tokens from a schema's character budget."""
    path = PROMPTS / language / "language.toml"
    if not path.is_file():
        raise HachimiError(f"no {path}: each prompt language states its chars_per_token there")
    return float(tomllib.loads(path.read_text(encoding="utf-8"))["chars_per_token"])

"""A detected violation atom + rule metadata + core -> the Violation record of the output contract."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..theory.pack import Rule, rule_owner
from .message import render_message


@dataclass
class Violation:
    rule: str
    ref: str
    severity: str
    owner: str
    fields: list[str]
    message: str
    core: list[str]
    key: Any = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("key")
        return d


def make_violation(rule: Rule, key: Any, details: dict, values: dict, core: list[str], schema) -> Violation:
    key_field = key if isinstance(key, str) and key in schema.by_path else None
    fields = [key_field] if key_field and rule.owner == "owner" else _concrete(rule.fields, values, core)
    return Violation(
        rule.id,
        rule.ref,
        rule.severity,
        rule_owner(rule, key_field, schema),
        fields,
        render_message(rule.message, values, key, details),
        core,
        None if key == "none" else key,
    )


def _concrete(fields: list[str], values: dict, core: list[str]) -> list[str]:
    """Expand 'part.*' patterns to the fields the core names (or the pattern itself)."""
    out = []
    for f in fields:
        if f.endswith("*"):
            hit = sorted(
                {c.split("=")[0].split("∋")[0].split("∌")[0].split(" ")[0] for c in core if c.startswith(f[:-1])}
            )
            out += hit or [f]
        else:
            out.append(f)
    return out

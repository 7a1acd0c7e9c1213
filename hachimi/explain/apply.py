"""Persona dict + repair changes -> a new persona dict with those fields set (input untouched)."""

from __future__ import annotations

import copy


def apply_repair(persona: dict, changes: list[dict]) -> dict:
    out = copy.deepcopy(persona)
    for change in changes:
        *parents, last = change["field"].split(".")
        node = out
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = copy.deepcopy(change["to"])
    return out

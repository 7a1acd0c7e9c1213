"""Whole-persona text checks a theory switches on in theory.toml ([features.<name>] tables): each
reads several fields at once (a narrative and the levels it describes, a name and its agent name)
and turns what it finds into facts for the rules. One registry, name -> module; each module has

    configure(table: dict, root: Path, file: str, schema) -> config   (raises TheoryError naming the key;
                                                   schema: the theory's PersonaSchema)
    facts(values: dict[str, Any], config) -> list[Fact]        (values: field path -> normalised value)
    domain(config) -> list[Fact]                              (every fact it can emit, for cores/repairs)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

CHECKS: dict[str, str] = {
    "levels": "hachimi.facts.levels",  # narrative-level agreement (stated / unstated levels)
    "readable": "hachimi.facts.readable",  # real words, one language, no run-ons, personality, traits
    "coherence": "hachimi.facts.coherence",  # pinyin agent name, pronouns and kinship, age-appropriate content
}


def module(name: str):
    return importlib.import_module(CHECKS[name])


def configure(features: dict, roots: dict[str, Path], file: str, schema) -> dict[str, tuple[Any, Any]]:
    """name -> (module, config) for every check the theory's [features] switches on (its data
    files relative to roots[name], the folder of the pack whose table it is)."""
    return {
        name: (module(name), module(name).configure(features[name], roots[name], file, schema))
        for name in CHECKS
        if name in features
    }

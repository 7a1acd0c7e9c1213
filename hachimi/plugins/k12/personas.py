"""Structured field values (from hachimi.solve.sample) + a seed -> a complete, clean v1 persona dict."""

from __future__ import annotations

import random
from typing import Any

from . import enums as E

_SURNAMES = [
    ("Chen", "chen2"),
    ("Wang", "wang2"),
    ("Li", "li3"),
    ("Zhang", "zhang1"),
    ("Liu", "liu2"),
    ("Yang", "yang2"),
    ("Zhao", "zhao4"),
    ("Huang", "huang2"),
    ("Zhou", "zhou1"),
    ("Wu", "wu2"),
]
_GIVEN = [
    ("Yutong", "yu3tong2"),
    ("Hao", "hao3"),
    ("Xinyi", "xin1yi2"),
    ("Jun", "jun4"),
    ("Mei", "mei3"),
    ("Zihan", "zi3han2"),
    ("Bowen", "bo2wen2"),
    ("Ling", "ling2"),
    ("Tao", "tao2"),
    ("Yan", "yan4"),
]
_TRAITS = [
    "diligent",
    "curious",
    "shy",
    "sensitive to criticism",
    "cheerful",
    "stubborn",
    "patient",
    "talkative",
    "careful",
    "impulsive",
]
_HOBBIES = [
    "drawing comics",
    "playing basketball",
    "reading novels",
    "building models",
    "chess",
    "playing the erhu",
    "raising silkworms",
    "coding small games",
]


def _says(dims: tuple[str, ...], values: dict, part: str) -> str:
    return "; ".join(f"{E.display_name(d)} is {values[f'{part}.levels.{d}'].replace('_', ' ')}" for d in dims)


def persona(values: dict[str, Any], seed: int, pid: str | None = None) -> dict:
    """A persona whose structured fields are `values` and whose prose is clean and varied by seed."""
    rng = random.Random(seed)
    (sur, sur_py), (giv, giv_py) = rng.choice(_SURNAMES), rng.choice(_GIVEN)
    g = values["enrollment.grade"]
    hobby, friend_n = rng.choice(_HOBBIES), rng.randint(1, 4)
    slot = {k[5:]: v for k, v in values.items() if k.startswith("slot.")}
    out = {
        "id": pid or f"g{g:02d}-{values['enrollment.gender']}-{values['academic.level']}-{seed:06d}",
        "enrollment": {
            "name": f"{sur} {giv}",
            "agent_name": f"{sur_py}_{giv_py}",
            "age": values["enrollment.age"],
            "gender": values["enrollment.gender"],
            "grade": g,
            "stages": {s: values[f"enrollment.stages.{s}"] for s in E.STAGES},
        },
        "academic": {
            "strong_subjects": values["academic.strong_subjects"],
            "weak_subjects": values["academic.weak_subjects"],
            "level": values["academic.level"],
        },
        "values": {
            "personality": f"{giv} is {rng.choice(_TRAITS)} and spends free afternoons {hobby}.",
            "levels": {d: values[f"values.levels.{d}"] for d in E.VALUE_DIMENSIONS},
            "narrative": f"In grade {g}, {_says(E.VALUE_DIMENSIONS, values, 'values')}, as teachers "
            f"noted after a class project about {hobby} (case {seed}).",
        },
        "social": {
            "relationships": f"{giv} has {friend_n} close friends in class; a disagreement during "
            f"a {hobby} club event in term {rng.randint(1, 2)} taught {giv} to listen, "
            f"and the group is closer since (note {seed})."
        },
        "creativity": {
            "levels": {d: values[f"creativity.levels.{d}"] for d in E.CREATIVITY_DIMENSIONS},
            "narrative": f"For creativity, {_says(E.CREATIVITY_DIMENSIONS, values, 'creativity')}, "
            f"judging from {hobby} projects (record {seed}).",
            "radar_summary": f"A mixed creativity profile for {giv}, seen across {hobby} and class work.",
        },
        "mental_health": {
            "overall_state": values["mental_health.overall_state"],
            "happiness": values["mental_health.happiness"],
            "depression_risk": values["mental_health.depression_risk"],
            "anxiety_risk": values["mental_health.anxiety_risk"],
            "traits": rng.sample(_TRAITS, values["mental_health.traits"]),
            "condition": values["mental_health.condition"],
            "background": f"Lives with family; {rng.choice(['parents work long shifts', 'a grandparent helps at home', 'an older cousin lives nearby'])}.",
            "supports": f"A homeroom teacher and {friend_n} friends {giv} trusts.",
            "narrative": f"{giv} feels {values['mental_health.overall_state'].replace('_', ' ')} overall, with depression "
            f"risk {values['mental_health.depression_risk']} and anxiety risk "
            f"{values['mental_health.anxiety_risk']}; talking with the homeroom teacher helps (case {seed}).",
        },
    }
    if slot:
        out["slot"] = {"subject_bias": [], **slot}
    return out

"""A persona's validation record (violations, cores, repair) does not depend on what the validator
checked before: alone, after 50 others, one at a time or in a file-sized batch, it is the same."""

import copy
import json
import random

import pytest

from hachimi.plugins.k12.schema import BY_PATH
from hachimi.plugins.k12 import enums as E
from hachimi.validate import Validator

SCALARS = [p for p, s in BY_PATH.items() if s.structured and not p.startswith("slot.") and s.kind in ("int", "enum")]
SETS = ["academic.strong_subjects", "academic.weak_subjects"]


def _set(p: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for k in parents:
        p = p.setdefault(k, {})
    p[last] = value


def _mutants(base: dict, n: int, seed: int) -> list[dict]:
    """Personas with 1-5 random structured changes: many violations, many equally cheap repairs
    (e.g. all creativity levels equal: any one of eight can move) and several minimal cores."""
    rng = random.Random(seed)
    out = []
    for k in range(n):
        p = copy.deepcopy(base)
        p["id"] = f"mutant-{seed}-{k}"
        for _ in range(rng.randint(1, 5)):
            path = rng.choice(SCALARS + SETS)
            spec = BY_PATH[path]
            _set(
                p,
                path,
                rng.sample(list(spec.domain), rng.randint(0, 4)) if path in SETS else rng.choice(list(spec.domain)),
            )
        if rng.random() < 0.2:  # ties on purpose
            for d in E.CREATIVITY_DIMENSIONS:
                _set(p, f"creativity.levels.{d}", "medium")
        if rng.random() < 0.2:
            p["slot"]["academic_level"] = p["academic"]["level"] = "poor"
            for d in E.VALUE_DIMENSIONS:
                _set(p, f"values.levels.{d}", "high")
        out.append(p)
    return out


@pytest.fixture(scope="module")
def personas(_base):
    return _mutants(_base, 70, 1)


def test_alone_equals_after_fifty_others(theory, personas):
    warm = Validator(theory)
    for p in _mutants(personas[0], 50, 2):  # 50 others first, one at a time
        next(warm.validate_objects([p]))
    targets = personas[:20]
    alone = [next(Validator(theory).validate_objects([p])).to_dict() for p in targets]
    after = [next(warm.validate_objects([p])).to_dict() for p in reversed(targets)][::-1]
    assert after == alone
    assert sum(not r["valid"] for r in alone) >= 10
    assert any(len(r["repair"]["changes"]) > 0 for r in alone if r["repair"])


def test_batch_and_single_validation_agree(theory, personas):
    lines = [json.dumps(p) for p in personas]
    batch = [r.to_dict() for r in Validator(theory).validate_lines(lines)]  # grounded together
    single = Validator(theory)
    one_by_one = [next(single.validate_lines([line], start=i + 1)).to_dict() for i, line in enumerate(lines)]
    assert batch == one_by_one


def test_ties_are_broken_the_same_way(validate_one, base):
    """All eight creativity levels equal: eight dimensions, each up or down, are equally cheap (the
    narrative states no level, so the prose does not choose between them)."""
    for d in E.CREATIVITY_DIMENSIONS:
        _set(base, f"creativity.levels.{d}", "medium")
    _set(base, "creativity.narrative", "She brainstorms eagerly in class and enjoys building models with her friends.")
    r = validate_one(base)
    assert r.repair["changes"] == [{"field": "creativity.levels.fluency", "from": "medium", "to": "fairly_low"}]

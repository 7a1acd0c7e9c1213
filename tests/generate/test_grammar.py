"""Solver-narrowed grammars: every assignment inside a box is valid (by construction), schemas
compile in llguidance, and the unnarrowed schema does not give that guarantee."""

import itertools
import json
import random

import pytest

from hachimi.plugins.k12.schema import BY_PATH, K12
from hachimi.generate.agents import agents_of
from hachimi.generate.grammar import base_schema, build
from hachimi.generate.narrow import Narrower
from hachimi.plugins.k12.personas import persona

SLOTS = [
    {"grade": g, "gender": s, "academic_level": lv}
    for g, s, lv in itertools.product((1, 6, 9, 12), ("female", "male"), ("high", "poor"))
]


@pytest.fixture(scope="module")
def narrower(theory):
    return Narrower(theory)


def _random_inside(box, rng):
    vals = {}
    for path, allowed in box.allowed.items():
        if BY_PATH[path].kind == "set":
            vals[path] = sorted(rng.sample(allowed, rng.randint(1, min(3, len(allowed)))), key=allowed.index)
        elif BY_PATH[path].kind == "count":
            vals[path] = rng.choice([n for n in allowed if n <= 4])
        else:
            vals[path] = rng.choice(allowed)
    return vals


def test_every_assignment_in_a_box_is_valid(theory, narrower, validator):
    rng = random.Random(0)
    personas = []
    for i, slot in enumerate(SLOTS):
        box = narrower.box(slot, seed=i)
        assert box is not None
        for k in range(6):
            vals = _random_inside(box, rng)
            vals.update({f"slot.{key}": v for key, v in slot.items()})
            personas.append(persona(vals, i * 10 + k))
    results = list(validator.validate_objects(personas))
    bad = [(r.id, [v.rule for v in r.violations]) for r in results if not r.valid]
    assert bad == []


def test_boxes_are_deterministic_and_diverse(narrower):
    a = narrower.box(SLOTS[0], seed=3).allowed
    assert a == narrower.box(SLOTS[0], seed=3).allowed
    ages = {
        tuple(narrower.box({"grade": 6, "gender": "male", "academic_level": "low"}, s).allowed["enrollment.age"])
        for s in range(8)
    }
    assert len(ages) > 1


def test_schema_fixes_slot_fields_and_uses_combinations_for_sets(narrower, theory):
    box = narrower.box({"grade": 6, "gender": "male", "academic_level": "low"}, seed=1)
    enr = build("enrollment", box, 160, 90, theory.text, spec=theory.schema)
    assert enr["properties"]["grade"]["enum"] == [6] and enr["properties"]["gender"]["enum"] == ["male"]
    acad = build("academic", box, 160, 90, theory.text, spec=theory.schema)
    combos = [c["const"] for c in acad["properties"]["strong_subjects"]["anyOf"]]
    assert all(len(set(c)) == len(c) for c in combos)
    weak = {s for c in acad["properties"]["weak_subjects"]["anyOf"] for s in c["const"]}
    assert not weak & {s for c in combos for s in c}
    assert list(base_schema("enrollment", K12)["properties"])[:3] == ["name", "agent_name", "age"]


def test_mention_pattern_requires_every_dimension(theory, narrower):
    import re

    box = narrower.box({"grade": 6, "gender": "male", "academic_level": "low"}, seed=1)
    pat = build("values", box, 160, 90, theory.text, spec=theory.schema)["properties"]["narrative"]["pattern"]
    good = (
        "Her moral cultivation is high, physical and mental health medium, rule of law fine, social "
        "responsibility low, political identity medium, cultural literacy high and family orientation strong."
    )
    assert re.match(pat, good) and not re.match(pat, good.replace("rule of law", "law"))


def test_all_agent_schemas_compile_in_llguidance(theory, narrower, bundled_tokenizer):
    from llguidance import LLMatcher

    for i, slot in enumerate(SLOTS[:4]):
        box = narrower.box(slot, seed=i)
        for narrow in (box, None):
            for agent in agents_of(theory.schema):
                grammar = LLMatcher.grammar_from_json_schema(json.dumps(agent.schema(narrow, 160, 90, theory.text)))
                m = LLMatcher(bundled_tokenizer[0], grammar)
                assert not m.is_error(), (agent.key, m.get_error()[:300])


def test_grammars_come_from_the_schema_and_equal_the_checked_in_files():
    """The base schemas are derived from schema.toml (models), not read from grammars/; for k12
    they are the checked-in files with their $refs inlined."""
    import json

    from hachimi.generate.grammar import _inlined
    from hachimi.resources import GRAMMARS

    for part in ("enrollment", "academic", "values", "social", "creativity", "mental_health"):
        checked_in = json.loads((GRAMMARS / f"{part}.schema.json").read_text(encoding="utf-8"))
        assert base_schema(part, K12) == _inlined(checked_in), part

"""A box (and the point it grows from) is a pure function of (theory, slot, seed, restrict): a fresh
Narrower per call and one warm Narrower that served other slots first, in a shuffled order, give
identical boxes, points and check counts. The same holds for the Sampler alone."""

import itertools
import random

import pytest

from hachimi.generate.narrow import Narrower
from hachimi.solve.sample import Sampler

LOW = {"mental_health.depression_risk": ["low", "mild"], "mental_health.anxiety_risk": ["low", "mild"]}
HIGH_DEP = {"mental_health.depression_risk": ["moderate", "high"]}
HIGH_ANX = {"mental_health.anxiety_risk": ["moderate", "high"]}


def _cases() -> list[tuple[dict, int, dict | None]]:
    rng = random.Random(2024)
    out = []
    for grade, gender, level in itertools.product(
        (1, 4, 6, 9, 12), ("female", "male"), ("high", "medium", "low", "poor")
    ):
        slot = {"grade": grade, "gender": gender, "academic_level": level}
        if rng.random() < 0.5:
            slot["subject_bias"] = rng.sample(["math", "physics", "art", "chinese", "pe", "history"], rng.randint(1, 2))
        out.append((slot, rng.randrange(2**63), rng.choice([None, LOW, HIGH_DEP, HIGH_ANX])))
    return rng.sample(out, 30)


CASES = _cases()


def _key(box):
    return None if box is None else (box.allowed, box.point, box.checks)


@pytest.fixture(scope="module")
def fresh_boxes(theory):
    return [_key(Narrower(theory).box(slot, seed, restrict)) for slot, seed, restrict in CASES]


def test_fresh_and_warm_narrowers_give_identical_boxes(theory, fresh_boxes):
    warm = Narrower(theory)
    for i, (slot, seed, restrict) in enumerate(CASES[::-1]):  # warm it up on other slots first
        warm.box(dict(slot, grade=1 + (slot["grade"] + 5) % 12), seed + i, restrict)
    order = list(range(len(CASES)))
    random.Random(7).shuffle(order)
    got = {}
    for i in order + order[:10]:  # and ask some twice
        slot, seed, restrict = CASES[i]
        key = _key(warm.box(slot, seed, restrict))
        assert got.setdefault(i, key) == key
    assert [got[i] for i in range(len(CASES))] == fresh_boxes


def test_boxes_are_not_all_alike(fresh_boxes):
    assert all(b is not None for b in fresh_boxes)
    assert len({repr(b[1]) for b in fresh_boxes}) == len(fresh_boxes)  # points differ
    assert len({repr(b[0]["enrollment.age"]) for b in fresh_boxes}) > 3


@pytest.mark.parametrize(
    "slot",
    [None, {"grade": 3}, {"grade": 7, "gender": "male"}, {"grade": 10, "gender": "female", "academic_level": "poor"}],
)
def test_sampler_answer_does_not_depend_on_earlier_calls(theory, slot):
    fresh = [Sampler(theory).sample(seed, slot) for seed in range(6)]
    warm = Sampler(theory)
    for seed in range(40, 60):
        warm.sample(seed, {"grade": 1 + seed % 12, "gender": "male", "academic_level": "low"})
    assert [warm.sample(seed, slot) for seed in reversed(range(6))][::-1] == fresh


def _greedy_one_by_one(narrower, slot, seed, restrict, point):
    """The definition: candidates in seeded order, one check each, kept if the box stays safe."""
    from hachimi.plugins.k12.schema import BY_PATH
    from hachimi.generate.narrow import MAX_SET_CHOICES

    rng = random.Random(seed ^ 0x5EED)
    fixed = [narrower.slot_lits[(f"slot.{k}", x)] for k, v in slot.items() for x in (v if isinstance(v, list) else [v])]
    if "subject_bias" not in slot:
        fixed += [-lit for (path, _), lit in narrower.slot_lits.items() if path == "slot.subject_bias"]
    box = {p: (list(point.get(p, [])) if BY_PATH[p].kind == "set" else [point[p]]) for p in narrower.values}
    order = list(narrower.values)
    rng.shuffle(order)
    for path in order:
        cands = [  # a value no persona can have at all (a list size outside items) is never offered
            v
            for v, lit in narrower.values[path]
            if v not in box[path]
            and (restrict is None or path not in restrict or v in restrict[path])
            and narrower.sampler.possible(lit)
        ]
        rng.shuffle(cands)
        for v in cands:
            if BY_PATH[path].kind == "set" and len(box[path]) >= MAX_SET_CHOICES:
                break
            box[path].append(v)
            if narrower._violable({p: narrower._excluded(p, box[p]) for p in narrower.values}, fixed):
                box[path].pop()
    return {p: sorted(v, key=narrower.rank[p].__getitem__) for p, v in box.items()}


def test_fast_growth_equals_one_check_per_candidate(theory, fresh_boxes):
    """Witnesses for scalars, runs for sets and the known-unsafe values only save checks."""
    narrower = Narrower(theory)
    for (slot, seed, restrict), (allowed, point, _) in list(zip(CASES, fresh_boxes))[:8]:
        assert _greedy_one_by_one(narrower, slot, seed, restrict, point) == allowed


def test_known_unsafe_values_change_no_box(theory, fresh_boxes):
    narrower = Narrower(theory)
    assert narrower.sampler.separable
    narrower.sampler.separable = False  # every candidate is asked
    slow = [_key(narrower.box(slot, seed, restrict)) for slot, seed, restrict in CASES[:8]]
    assert [s[:2] for s in slow] == [f[:2] for f in fresh_boxes[:8]]
    assert all(s[2] >= f[2] for s, f in zip(slow, fresh_boxes))


def test_a_constraint_across_fields_turns_the_shortcut_off(theory_copy):
    from hachimi.theory.pack import load

    (theory_copy / "rules" / "extra.lp").write_text(":- age(P,9), stage(P,piaget,concrete_operational).\n")
    narrower = Narrower(load(theory_copy))
    assert not narrower.sampler.separable
    slot = {"grade": 3, "gender": "male", "academic_level": "high"}
    box = narrower.box(slot, 5)
    assert box.allowed == _greedy_one_by_one(narrower, slot, 5, None, box.point)

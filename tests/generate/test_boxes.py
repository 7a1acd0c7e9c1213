"""The compact box memory (generate/boxes.py): a remembered box decodes to the box the narrower
grew (allowed lists in order, checks), on boxes the real narrower grows for slots of every grade,
with and without a stratum; None (an impossible slot) is remembered; the memory is bounded; and a
pool answers a remembered box itself, without asking a worker."""

import pytest

from hachimi.generate.boxes import Boxes, key
from hachimi.generate.narrow import Box, Narrower
from hachimi.generate.needs import Narrow

SLOTS = [
    {"grade": g, "gender": sex, "academic_level": lvl, "subject_bias": bias}
    for g, sex, lvl, bias in [
        (1, "male", "low", []),
        (4, "female", "high", ["art"]),
        (8, "female", "medium", ["physics"]),
        (11, "male", "high", ["chemistry", "biology"]),
        (12, "female", "low", []),
    ]
]


def _same(a: Box, b: Box) -> bool:
    return a.allowed == b.allowed and list(a.allowed) == list(b.allowed) and a.checks == b.checks


def test_remembered_boxes_decode_to_the_boxes_the_narrower_grew(theory):
    narrower, boxes = Narrower(theory), Boxes()
    grown = {}
    for i, slot in enumerate(SLOTS):
        slot = {k: v for k, v in slot.items() if v != []}
        for seed in (0, 5):
            for restrict in (None, {"mental_health.depression_risk": ["moderate", "high"]}):
                k = key(slot, seed, restrict)
                grown[k] = narrower.box(slot, seed, restrict)
                boxes.put(k, grown[k])
    assert len(boxes) == len(grown) == 20
    for k, box in grown.items():
        found, again = boxes.get(k)
        assert found and again is not box and _same(again, box)
        assert [type(v) for vs in again.allowed.values() for v in vs] == [
            type(v) for vs in box.allowed.values() for v in vs
        ]
    assert boxes.stats()["reused"] == 20 and boxes.stats()["grown"] == 0


def test_keys_ignore_key_order_and_tell_values_apart():
    slot = {"grade": 3, "gender": "female"}
    assert key(slot, 1, None) == key(dict(reversed(list(slot.items()))), 1, None)
    assert len({key(slot, 1, None), key(slot, 2, None), key({**slot, "grade": 4}, 1, None), key(slot, 1, {})}) == 4


def test_true_and_one_stay_apart_and_none_is_remembered():
    boxes = Boxes()
    boxes.put(b"a", Box(allowed={"x.flag": [True, False], "x.n": [1, 0, 2]}, checks=70000))
    boxes.put(b"b", Box(allowed={"x.flag": [1], "x.n": [True]}, checks=3))
    boxes.put(b"c", None)
    assert boxes.get(b"a")[1].allowed == {"x.flag": [True, False], "x.n": [1, 0, 2]}
    assert boxes.get(b"a")[1].checks == 70000
    b = boxes.get(b"b")[1]
    assert b.allowed["x.flag"][0] is not True and b.allowed["x.n"][0] is True
    assert boxes.get(b"c") == (True, None)
    assert boxes.get(b"d") == (False, None)


def test_the_memory_is_bounded_least_recently_used_first():
    boxes = Boxes(kept=2)
    for name in (b"a", b"b"):
        boxes.put(name, Box(allowed={"p": [name.decode()]}))
    boxes.get(b"a")  # b is now the least recently used
    boxes.put(b"c", Box(allowed={"p": ["c"]}))
    assert len(boxes) == 2 and boxes.get(b"b") == (False, None) and boxes.get(b"a")[0]
    none = Boxes(kept=0)
    none.put(b"a", Box())
    assert len(none) == 0


@pytest.mark.slow
def test_a_pool_answers_a_remembered_box_without_a_worker(theory):
    from hachimi.generate.cpu import Solver, SolverPool

    need = Narrow({k: v for k, v in SLOTS[2].items()}, 3, None)
    pool = SolverPool(theory, 2)
    try:
        first = pool.answer(need)
        pool.pool.shutdown()  # a worker asked now would raise
        again = pool.answer(Narrow(dict(reversed(list(need.slot.items()))), 3, None))
    finally:
        pool.close()
    assert _same(again, first) and _same(first, Solver(theory).answer(need))
    assert pool.boxes.stats() == {"kept": 1, "reused": 1, "grown": 1, "reuse_rate": 0.5}

"""Boxes per slot (Settings.box_variants): attempts of slots with the same values share a slot's
`variants` box seeds, and the solver remembers each box it grew. A remembered box is the box a fresh
narrower grows; the memory is bounded; 0 keeps a box per attempt (and the identity of older runs)."""

import json


from hachimi.generate import BOX_VARIANTS
from hachimi.generate import cpu
from hachimi.generate.filler import template_engine
from hachimi.generate.loop import Settings, box_seed
from hachimi.generate.narrow import Narrower
from hachimi.generate.needs import Narrow
from hachimi.generate.session import Session, identity
from hachimi.population.slots import PlannedSlot

SLOT = {"grade": 8, "gender": "female", "academic_level": "medium", "subject_bias": ["physics"]}


def _key(box):
    return (box.allowed, box.checks)


def test_box_seed_keeps_variants_seeds_per_slot_and_zero_keeps_the_seed():
    seeds = [7, 23, 2**63 - 5, 10**12 + 3, 16, 0]
    assert [box_seed(s, 0) for s in seeds] == seeds
    assert {box_seed(s, 4) for s in range(1000)} == {0, 1, 2, 3}
    assert BOX_VARIANTS > 0


def test_a_remembered_box_is_the_box_a_fresh_narrower_grows(theory):
    solver = cpu.Solver(theory)
    first = solver.answer(Narrow(SLOT, 3, None))
    solves = solver.narrower.sampler.solves
    again = solver.answer(Narrow(dict(reversed(list(SLOT.items()))), 3, None))  # same values, other key order
    assert _key(again) == _key(first) and solver.narrower.sampler.solves == solves  # no solver work the second time
    assert again is not first and solver.boxes.stats()["reused"] == 1  # a new object: its users share nothing
    assert _key(first) == _key(Narrower(theory).box(SLOT, 3, None))
    other = solver.answer(Narrow(SLOT, 4, None))
    assert solver.narrower.sampler.solves > solves and _key(other) == _key(Narrower(theory).box(SLOT, 4, None))
    restricted = solver.answer(Narrow(SLOT, 3, {"mental_health.depression_risk": ["moderate", "high"]}))
    assert _key(restricted) != _key(first) and set(restricted.allowed["mental_health.depression_risk"]) <= {
        "moderate",
        "high",
    }


def test_the_solver_remembers_a_bounded_number_of_boxes(theory):
    solver = cpu.Solver(theory, kept=3)
    boxes = [solver.answer(Narrow(SLOT, s, None)) for s in range(5)]
    assert len(solver.boxes) == 3
    assert _key(solver.answer(Narrow(SLOT, 0, None))) == _key(boxes[0])  # forgotten, grown again: the same


def _narrowings(folder):
    out = []
    with open(folder / "attempts.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("type") == "narrowing":
                out.append(json.dumps(rec["allowed"], sort_keys=True))
    return out


def test_a_run_grows_at_most_variants_boxes_per_slot_and_zero_grows_one_per_attempt(theory, tmp_path):
    def run(name, variants):
        Session(
            theory,
            template_engine(theory),
            Settings(box_variants=variants),
            tmp_path / name,
            seed=5,
            attempts_per_slot=1,
            planned=[PlannedSlot(f"p{i}", i, "c", dict(SLOT)) for i in range(8)],
        ).run()
        return _narrowings(tmp_path / name)

    shared = run("two", 2)
    assert len(shared) == 8 and len(set(shared)) <= 2
    assert len(set(run("none", 0))) > 2  # a box per attempt: eight seeds, more than two boxes


def test_zero_variants_is_left_out_of_the_identity_so_older_runs_resume(theory):
    def settings_of(variants):
        return identity(theory, Settings(box_variants=variants), 1, 4, None, {"model": "t"}, 1, "off")["settings"]

    assert "box_variants" not in settings_of(0)
    assert settings_of(16)["box_variants"] == 16

"""Batch grounding and the reused-Control engine agree (the completion program encodes personas exactly)."""

from hachimi.facts.reader import read
from hachimi.solve.batch import detect
from hachimi.solve.engine import Engine
from hachimi.authoring.fixtures import load_cases


def test_engine_equals_batch_on_all_fixture_cases(theory):
    recs = [read(c.persona, theory.text) for c in load_cases(theory)]
    engine = Engine(theory)
    key = lambda hs: [(h.rule, h.key_text, sorted(h.details.items())) for h in hs]  # noqa: E731
    covered = 0
    for rec, hits in zip(recs, detect(theory, recs)):
        present = {f.atom(0) for f in rec.facts}
        if engine.covers(present):  # else validate grounds it in a batch (e.g. message-only facts)
            covered += 1
            assert key(engine.detect(present)) == key(hits)
    assert covered > len(recs) // 2


def test_sampled_personas_have_no_violation(theory):
    from hachimi.solve.sample import Sampler
    from hachimi.plugins.k12.personas import persona

    s = Sampler(theory)
    ps = [
        persona(s.sample(seed, {"grade": 1 + seed % 12, "gender": "male", "academic_level": "poor"}), seed)
        for seed in range(24)
    ]
    assert all(h == [] for h in detect(theory, [read(p, theory.text) for p in ps]))


def test_impossible_slot_samples_none(theory_copy):
    from hachimi.solve.sample import Sampler
    from hachimi.theory.pack import load

    p = theory_copy / "rules" / "extra.lp"
    p.write_text('violation(P,"age-grade",none) :- grade(P,3).\n')  # no grade-3 persona is allowed
    assert Sampler(load(theory_copy)).sample(1, {"grade": 3}) is None

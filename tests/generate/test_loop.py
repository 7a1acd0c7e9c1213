"""The propose-validate-revise loop with a scripted model: first pass, targeted revision, direct
repair, giving up, truncation, Ctrl-C; the run folder and attempts log."""

import json

import pytest

from hachimi.engines.scripted import ScriptedEngine
from hachimi.generate.loop import PersonaLoop, Settings
from hachimi.generate.session import Session, slots
from scripted import script

SLOT = {"grade": 8, "gender": "female", "academic_level": "low", "subject_bias": ["math"]}


@pytest.fixture
def log():
    entries = []
    return entries


class _Loop:
    """PersonaLoop driven in process by a scripted engine; records go to `log`."""

    def __init__(self, theory, log, engine, settings):
        self.loop, self.engine, self.log = PersonaLoop(theory, settings), engine, log

    def run(self, *args, **kw):
        return self.loop.run(*args, **kw, engine=self.engine, log=self.log.append)


def _loop(theory, log, tamper=None, **kw):
    engine = ScriptedEngine(script(tamper))
    return _Loop(theory, log, engine, Settings(**kw)), engine


def test_first_pass_valid_with_five_calls(theory, log):
    loop, runner = _loop(theory, log)
    o = loop.run("p1", SLOT, seed=11)
    assert o.persona is not None and o.first_pass_valid and o.rounds == 0 and o.calls == 5
    assert [a for a, _ in runner.calls] == ["enrollment", "academic", "values", "social_creativity", "mental_health"]
    assert o.persona["enrollment"]["grade"] == 8 and o.persona["academic"]["level"] == "low"
    kinds = [e["type"] for e in log]
    assert kinds == ["narrowing"] + ["call"] * 5 + ["validation", "outcome"]


def test_feedback_goes_only_to_the_owner(theory, log):
    def tamper(agent, part, n):
        if agent == "mental_health" and n == 1:
            part["narrative"] += " Last spring the student was hospitalized."
        return part

    loop, runner = _loop(theory, log, tamper)
    o = loop.run("p2", SLOT, seed=12)
    assert o.persona is not None and not o.first_pass_valid and o.rounds == 1 and o.calls == 6
    assert [a for a, _ in runner.calls][5:] == ["mental_health"]
    revision = [e for e in log if e["type"] == "call" and e["round"] == 1]
    assert len(revision) == 1 and revision[0]["template"] == "en/mental_health+revise"
    [line] = revision[0]["feedback"]
    assert "[R12 non-diagnostic]" in line and 'clinical term "hospitalized"' in line
    assert "hospitalized" in runner.calls[5][1][-1]["content"]  # the prompt carried it


def test_structural_repair_applied_and_recorded(theory, log):
    def tamper(agent, part, n):
        if agent == "enrollment":
            part["age"] = part["grade"] + 9  # breaks R1 (and maybe R2); no grammar to stop it
        return part

    loop, _ = _loop(theory, log, tamper, narrow=False)
    o = loop.run("p3", SLOT, seed=13)
    repairs = [e for e in log if e["type"] == "repair_applied"]
    assert o.persona is not None and repairs and "R1" in repairs[0]["fixes"]
    assert o.persona["enrollment"]["age"] <= 8 + 7


def test_gives_up_after_max_rounds_and_writes_nothing(theory, log):
    def tamper(agent, part, n):
        if agent == "social_creativity":
            part["social"]["relationships"] = "Friends:\n\n1. Wang\n2. Li"
        return part

    loop, runner = _loop(theory, log, tamper, max_rounds=2)
    o = loop.run("p4", SLOT, seed=14)
    assert o.persona is None and o.rounds == 2 and "R14" in o.reason
    assert [a for a, _ in runner.calls][5:] == ["social_creativity", "social_creativity"]
    assert log[-1]["type"] == "outcome" and log[-1]["accepted"] is False


def test_truncated_output_becomes_feedback(theory, log):
    def tamper(agent, part, n):
        return '{"overall_state": "low", "happi' if agent == "mental_health" and n == 1 else part

    loop, _ = _loop(theory, log, tamper)
    o = loop.run("p5", SLOT, seed=15)
    first = [e for e in log if e["type"] == "call" and e["agent"] == "mental_health"][0]
    assert first["error"].startswith("not JSON")
    assert o.persona is not None and o.rounds == 1


def test_session_writes_run_folder(theory, tmp_path):
    runner = ScriptedEngine(script())
    s = Session(theory, runner, Settings(), tmp_path / "run", seed=5, n=3)
    counts = s.run()
    assert counts["accepted"] == 3
    personas = [json.loads(l) for l in (tmp_path / "run" / "personas.jsonl").read_text().splitlines()]
    assert [p["slot"] for p in personas] == slots(3, 5, theory.schema)
    attempts = [json.loads(l) for l in (tmp_path / "run" / "attempts.jsonl").read_text().splitlines()]
    assert sum(e["type"] == "call" for e in attempts) == counts["calls"] == 15
    manifest = json.loads((tmp_path / "run" / "run.json").read_text())
    assert manifest["status"] == "complete" and manifest["theory"]["hash"] == theory.hash


def test_interrupt_keeps_accepted_personas(theory, tmp_path):
    calls = {"n": 0}
    inner = script()

    def flaky(agent, messages, schema, seed):
        calls["n"] += 1
        if calls["n"] == 8:  # during the second persona
            raise KeyboardInterrupt
        return inner(agent, messages, schema, seed)

    s = Session(theory, ScriptedEngine(flaky), Settings(), tmp_path / "run", seed=5, n=3)
    with pytest.raises(KeyboardInterrupt):
        s.run()
    assert len((tmp_path / "run" / "personas.jsonl").read_text().splitlines()) == 1
    assert json.loads((tmp_path / "run" / "run.json").read_text())["status"] == "interrupted"


def test_same_seed_same_personas(theory, tmp_path):
    outs = []
    for k in range(2):
        Session(theory, ScriptedEngine(script()), Settings(), tmp_path / f"r{k}", seed=9, n=2).run()
        outs.append((tmp_path / f"r{k}" / "personas.jsonl").read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_banned_terms_are_those_of_the_runs_language(theory, language):
    """Decoding bans carry the run's language only (servers cap the list: vLLM at 128 token
    sequences); the validator's R12 still checks every language."""
    from hachimi.text.lang import language_of
    from hachimi.generate.agents import agents_of

    loop = PersonaLoop(theory, Settings(language=language))
    terms = loop._banned_terms(next(a for a in agents_of(theory.schema) if "mental_health" in a.parts))
    assert terms and all(language_of(t) == language for t in terms)
    assert ("trauma" in terms) == (language == "en") and ("抑郁症" in terms) == (language == "zh")

"""Administration: per-persona item and option orders (recorded, seeded), grammar-bound answers
with a refusal option, the option-order check, and kill -9 then resume with a real process: the
answers file equals an uninterrupted run's, no block asked twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT
from hachimi.generate.filler import template_engine
from hachimi.survey.administer import Settings, administer, plan, system_prompt
from hachimi.survey.instrument import load

RUN = ROOT / "examples" / "run-balanced-16"


def _personas():
    return [json.loads(x) for x in (RUN / "personas.jsonl").read_text().splitlines()]


def test_blocks_are_a_function_of_the_persona_and_the_seed(theory):
    inst, p = load("pisa2022-student"), _personas()[0]
    s = Settings("pisa2022-student", "short", seed=4, check_share=1.0)
    a, b = plan(p, inst, s, theory), plan(p, inst, s, theory)
    assert [(x.items, x.options) for x in a] == [(x.items, x.options) for x in b]
    main = [x for x in a if x.kind == "main"]
    assert sorted(i for x in main for i in x.items) == sorted(i.id for i in inst.form("short"))
    for x in main:
        for iid, opts in x.options.items():
            assert opts[-1] == "no answer"  # the explicit refusal, always offered
            assert x.request.schema["properties"][iid]["enum"] == opts
    check = [x for x in a if x.kind == "reversed"]
    assert len(check) == 1 and len(check[0].items) == 3
    shown = {i: o for x in main for i, o in x.options.items()}
    for iid, opts in check[0].options.items():
        assert opts[:-1] == list(reversed(shown[iid][:-1]))
    other = plan(p, inst, Settings("pisa2022-student", "short", seed=5, check_share=1.0), theory)
    assert [x.items for x in other] != [x.items for x in a]


def test_the_student_agent_is_the_persona(theory):
    p = _personas()[0]
    en, zh = system_prompt(p, "en", theory), system_prompt(p, "zh", theory)
    assert p["enrollment"]["name"] in en and f"grade {p['enrollment']['grade']}" in en and "top 10%" in en
    assert "年级" in zh


def test_answers_are_decoded_and_scored(tmp_path, theory):
    inst = load("pisa2022-student")
    s = Settings("pisa2022-student", "short", seed=1)
    counts = administer(_personas()[:4], inst, s, template_engine(None), tmp_path, theory=theory)
    assert counts["errors"] == 0
    rows = [json.loads(x) for x in (tmp_path / "answers.jsonl").read_text().splitlines()]
    by_id = {i.id: i for i in inst.items}
    for r in rows:
        for iid, label in r["answers"].items():
            assert label in r["options"][iid]
            if iid in r["refused"]:
                assert r["scores"][iid] is None
            else:
                labels = inst.scale_of(by_id[iid]).labels["en"]
                assert r["scores"][iid] == inst.score(by_id[iid], labels.index(label))
    again = administer(_personas()[:4], inst, s, template_engine(None), tmp_path, theory=theory)
    assert again["asked"] == 0 and again["skipped_done"] == len(rows)  # nothing asked twice


def _cmd(out, seed="1"):
    return [
        sys.executable,
        "-m",
        "hachimi.cli.main",
        "survey",
        "administer",
        str(RUN),
        "--model",
        "template",
        "--form",
        "short",
        "--out",
        str(out),
        "--seed",
        seed,
        "--concurrency",
        "4",
        "--theory",  # the example run's own pack has changed since it was made
        "k12",
    ]


def test_kill_9_then_resume_gives_the_uninterrupted_file(tmp_path):
    out = tmp_path / "killed"
    env = dict(os.environ, HACHIMI_TEMPLATE_DELAY="0.05")
    proc = subprocess.Popen(_cmd(out), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        a = out / "answers.jsonl"
        if a.exists() and len(a.read_bytes().splitlines()) >= 12:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len((out / "answers.jsonl").read_bytes().splitlines())
    with open(out / "answers.jsonl", "ab") as fh:  # a write cut short by the kill
        fh.write(b'{"persona": "g01-fem')
    r = subprocess.run(_cmd(out), cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert f"{before} already answered" in r.stdout
    whole = tmp_path / "whole"
    assert subprocess.run(_cmd(whole), cwd=ROOT, env=env, capture_output=True).returncode == 0
    assert (whole / "answers.jsonl").read_bytes() == (out / "answers.jsonl").read_bytes()
    keys = [
        (x["persona"], x["kind"], x["block"]) for x in map(json.loads, (out / "answers.jsonl").read_text().splitlines())
    ]
    assert len(keys) == len(set(keys))
    other = subprocess.run(_cmd(out, seed="2"), cwd=ROOT, capture_output=True, text=True)
    assert other.returncode == 2 and "other settings (settings)" in other.stderr


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.parametrize("instrument", ["pisa2022-student", "ceps-student"])
def test_the_bundled_model_answers_within_the_grammar(tmp_path, theory, instrument):
    """The real bundled model as a student agent: every block decodes to one of each item's
    options (or the refusal), nothing fails; PISA in English, CEPS in Chinese."""
    from hachimi.engines import models, registry

    spec = models.get("smollm2-135m-instruct")
    engine = registry.engine(spec)
    inst = load(instrument)
    language = "en" if instrument.startswith("pisa") else "zh"
    s = Settings(instrument, "short", seed=3, language=language, block_size=10, check_share=0.0)
    counts = administer(_personas()[:1], inst, s, engine, tmp_path, concurrency=2, theory=theory)
    rows = [json.loads(x) for x in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert counts["errors"] == 0 and len(rows) == counts["asked"] == -(-len(inst.form("short")) // 10)
    assert all(r["answers"][i] in r["options"][i] for r in rows for i in r["items"])
    assert all(r["persona_hash"] for r in rows)


def test_the_ceps_instrument_on_the_template_engine(tmp_path, theory):
    """CEPS lints (loads) and administers in both languages; its answers score."""
    from hachimi.survey.answers import read

    inst = load("ceps-student")
    assert set(inst.constructs) == {"DEPRESS", "BELONG", "PRESSURE"} and inst.languages == ("en", "zh")
    for lang in inst.languages:
        s = Settings("ceps-student", None, seed=2, language=lang)
        counts = administer(_personas()[:3], inst, s, template_engine(None), tmp_path / lang, theory=theory)
        assert counts["errors"] == 0 and counts["asked"] > 0
        got = read(tmp_path / lang, {i.id for i in inst.items})
        assert not got.problems and {r["persona"] for r in got.records} == {p["id"] for p in _personas()[:3]}


@pytest.mark.parametrize("instrument,language", [("pisa2022-student", "en"), ("ceps-student", "zh")])
def test_the_token_budget_holds_the_longest_answer(theory, instrument, language):
    """A block's max_new_tokens covers its longest allowed answer in UTF-8 bytes (a byte-level
    tokenizer needs at most one token per byte; SmolLM2 spends up to 3 on a Chinese character: a
    character-count budget cut CEPS's Chinese answers short)."""
    inst = load(instrument)
    s = Settings(instrument, None, seed=1, language=language, block_size=10, check_share=1.0)
    for b in plan(_personas()[0], inst, s, theory):
        longest = {i: max(o, key=lambda x: len(x.encode())) for i, o in b.options.items()}
        need = len(json.dumps(longest, ensure_ascii=False).encode())
        assert b.request.max_new_tokens >= need, (b.kind, b.index)

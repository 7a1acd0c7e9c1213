"""VLLMEngine (in-process vLLM) on the bundled model. vLLM lives in .venv-vllm, so the engine runs
there: _vllm_probe.py builds it from models/smollm2-135m-vllm.toml, sends the requests and writes
what came back; these tests check that report from the main venv. HACHIMI_ENGINE_THROUGHPUT=1 adds
a 16-sequential vs 16-batched measurement (about a minute more)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from engine_cases import SCHEMAS, check_schema
from engine_harness import MODEL_DIR, ROOT, VLLM_PY, need_harness

pytestmark = pytest.mark.engine

PROBE = ROOT / "tests" / "engines" / "_vllm_probe.py"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    need_harness()
    out = tmp_path_factory.mktemp("vllm-probe") / "report.json"
    args = [str(VLLM_PY), str(PROBE), str(out)]
    if os.environ.get("HACHIMI_ENGINE_THROUGHPUT") == "1":
        args.append("--throughput")
    env = dict(os.environ, HACHIMI_SMOLLM2_HF_PATH=str(MODEL_DIR))
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0 or not out.is_file():
        pytest.fail(f"the vLLM probe failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    rep = json.loads(out.read_text())
    if "throughput" in rep:
        print(f"\n[vllm engine, in-process] {json.dumps(rep['throughput'])}", file=sys.stderr)
    return rep


def test_every_output_matches_its_schema(report):
    items = report["schemas"]["items"]
    assert len(items) == 2 * len(SCHEMAS)
    for it in items:
        assert it["error"] is None, it
        assert check_schema(it["text"], SCHEMAS[it["kind"]]) is None, (it["kind"], it["text"])
        assert it["tokens"] > 0 and it["prompt_tokens"] > 0 and it["seconds"] > 0 and not it["truncated"]
    # seconds are shares of the engine's wall time: together they cannot exceed it
    assert sum(it["seconds"] for it in items) <= report["schemas"]["wall_s"] + 0.05


def test_seed_gives_the_same_text(report):
    a1, a2, a3 = report["seed"]
    assert a1 and a1 == a2 == a3


def test_token_budget_reports_truncation(report):
    t = report["truncated"]
    assert t["error"] is None and t["truncated"] and t["tokens"] == 4


def test_a_bad_schema_fails_its_request_only(report):
    bad, good = report["bad_schema"]
    assert bad["error"] and not bad["transient"]
    assert good["error"] is None and check_schema(good["text"], SCHEMAS["mood"]) is None


def test_banned_words_are_not_emitted(report):
    b = report["banned"]
    assert all(e is None for e in b["errors"])
    assert all(check_schema(t, b["schema"]) is None and "green" not in t for t in b["texts"]), b["texts"]


def test_generate_from_several_threads(report):
    assert len(report["threads"]) == 3 * len(SCHEMAS)
    for it in report["threads"]:
        assert it["error"] is None and check_schema(it["text"], SCHEMAS[it["kind"]]) is None, it


def test_prefix_cache_and_settings(report):
    # every request shares one ~250-token system prompt: vLLM reuses its KV blocks
    assert report["stats"]["cached_prompt_tokens"] > 0
    d = report["describe"]
    assert d["engine"] == "vllm" and d["structured"].endswith("guidance") and d["dtype"] == "bfloat16"
    assert report["default_concurrency"] == 16

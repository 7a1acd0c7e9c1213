"""Crash safety with a real process and a real signal: kill -9 mid-run, resume, exactly N unique
personas; torn last lines are repaired; a different seed on the folder is refused."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hachimi.errors import HachimiError
from hachimi.generate.resume import check_identity, repair_torn
from conftest import ROOT

pytestmark = pytest.mark.slow


def _cmd(out, seed=1):
    return [sys.executable, "-m", "hachimi.cli.main", "generate", "--plan", "plans/k12-balanced.toml", "--n", "12",
            "--seed", str(seed), "--out", str(out), "--model", "template"]


def test_kill_9_then_resume(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, HACHIMI_TEMPLATE_DELAY="0.05")
    proc = subprocess.Popen(_cmd(out), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        p = out / "personas.jsonl"
        if p.exists() and len(p.read_bytes().splitlines()) >= 4:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len((out / "personas.jsonl").read_bytes().splitlines())
    assert 4 <= before < 12
    with open(out / "attempts.jsonl", "ab") as fh:       # a write cut short by the crash
        fh.write(b'{"type": "call", "persona": "g01-fem')
    r = subprocess.run(_cmd(out), cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ids = [json.loads(l)["id"] for l in (out / "personas.jsonl").read_text().splitlines()]
    assert len(ids) == 12 == len(set(ids))
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "complete" and manifest["torn_lines_repaired"] > 0
    assert all(c["planned"] == c["realised"] for c in manifest["cells"].values())
    for line in (out / "attempts.jsonl").read_text().splitlines():
        json.loads(line)                                   # every line parses after the repair
    rep = subprocess.run([sys.executable, "-m", "hachimi.cli.main", "report", str(out)], cwd=ROOT,
                         capture_output=True, text=True)
    assert rep.returncode == 0 and "12 personas: schema-valid 100%, theory-valid 100%" in rep.stdout
    other = subprocess.run(_cmd(out, seed=2), cwd=ROOT, capture_output=True, text=True)
    assert other.returncode == 2 and "made by a different run" in other.stderr


def test_repair_torn(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c"')
    assert repair_torn(p) == 4 and p.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert repair_torn(p) == 0


def test_identity_mismatch(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"identity": {"seed": 1, "n": 5, "plan_hash": "a"}}))
    check_identity(tmp_path, {"seed": 1, "n": 5, "plan_hash": "a"})
    with pytest.raises(HachimiError, match="seed: folder has 1, command has 2"):
        check_identity(tmp_path, {"seed": 2, "n": 5, "plan_hash": "a"})

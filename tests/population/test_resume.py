"""Crash safety with a real process and a real signal: kill -9 mid-run with slots in flight,
resume: the same personas.jsonl and counters as an uninterrupted run; torn last lines are
repaired; a different seed or setting on the folder is refused before any model loads; a second
process on the same folder is refused; a slot out of budget is not retried on a rerun."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hachimi.errors import HachimiError
from hachimi.store.state import check_identity, repair_torn
from conftest import ROOT

pytestmark = pytest.mark.slow


COUNTED = ("accepted", "attempts", "calls", "tokens", "rounds", "first_pass_valid", "near_duplicates", "failed")


def _cmd(out, seed=1, *extra):
    return [
        sys.executable,
        "-m",
        "hachimi.cli.main",
        "generate",
        "--plan",
        "plans/k12-balanced.toml",
        "--n",
        "12",
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--model",
        "template",
        "--concurrency",
        "4",
        *extra,
    ]


def _counts(out):
    c = json.loads((out / "run.json").read_text())["counts"]
    return {k: c.get(k, 0) for k in COUNTED}


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
    with open(out / "attempts.jsonl", "ab") as fh:  # a write cut short by the crash
        fh.write(b'{"type": "call", "persona": "g01-fem')
    r = subprocess.run(_cmd(out), cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ids = [json.loads(l)["id"] for l in (out / "personas.jsonl").read_text().splitlines()]
    assert len(ids) == 12 == len(set(ids))
    manifest = json.loads((out / "run.json").read_text())
    assert manifest["status"] == "complete" and manifest["torn_lines_repaired"] > 0
    assert all(c["planned"] == c["realised"] for c in manifest["cells"].values())
    for line in (out / "attempts.jsonl").read_text().splitlines():
        json.loads(line)  # every line parses after the repair
    rep = subprocess.run(
        [sys.executable, "-m", "hachimi.cli.main", "report", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert rep.returncode == 0 and "12 personas: schema-valid 100%, theory-valid 100%" in rep.stdout
    other = subprocess.run(_cmd(out, 2), cwd=ROOT, capture_output=True, text=True)
    assert other.returncode == 2 and "made by a different run" in other.stderr
    rounds = subprocess.run(_cmd(out, 1, "--max-rounds", "1"), cwd=ROOT, capture_output=True, text=True)
    assert rounds.returncode == 2 and '"max_rounds": 3' in rounds.stderr and "loading" not in rounds.stderr

    whole = tmp_path / "whole"  # the same command, never interrupted
    assert subprocess.run(_cmd(whole), cwd=ROOT, capture_output=True).returncode == 0
    assert (whole / "personas.jsonl").read_bytes() == (out / "personas.jsonl").read_bytes()
    assert _counts(whole) == _counts(out)


def test_second_process_on_a_folder_is_refused(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, HACHIMI_TEMPLATE_DELAY="0.2")
    first = subprocess.Popen(_cmd(out), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not (out / "run.json").exists() and time.time() < deadline:
            time.sleep(0.05)
        second = subprocess.run(_cmd(out), cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert f"in use by another hachimi process (pid {first.pid})" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.kill()
        first.wait()


def test_failed_slot_not_retried_beyond_budget(theory, tmp_path):
    from hachimi.engines.scripted import ScriptedEngine
    from hachimi.generate.loop import Settings
    from hachimi.generate.session import Session

    def always_broken(agent, messages, schema, seed):
        return "{"

    for k in range(2):
        engine = ScriptedEngine(always_broken)
        c = Session(theory, engine, Settings(max_rounds=0), tmp_path / "r", seed=1, n=2, attempts_per_slot=2).run()
        assert c["failed"] == 2 and c["attempts"] == 4
        assert len(engine.calls) == (20 if k == 0 else 0)  # the rerun spends nothing


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


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_kill_9_leaves_no_solver_worker_behind(tmp_path):
    out = tmp_path / "run"
    env = dict(os.environ, HACHIMI_TEMPLATE_DELAY="0.05")
    proc = subprocess.Popen(
        _cmd(out, 1, "--workers", "2"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline, workers = time.time() + 120, []
        while time.time() < deadline and len(workers) < 2:
            time.sleep(0.2)
            workers = [c for c in _children(proc.pid) if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert len(workers) == 2, "the run never started its two workers"
        while time.time() < deadline and not (out / "personas.jsonl").exists():
            time.sleep(0.1)  # the workers are answering
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.time() + 15
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    states = [Path(f"/proc/{w}/status").read_text().split("\nPPid")[1][:12] for w in left]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert not left, f"solver workers {left} outlived their run ({states})"

"""A built wheel works outside the checkout: installed into a fresh venv, run from a temporary
folder, it finds its own theory, model configs, grammars and prompts (validate, theory lint,
models, a template generate)."""

import json
import os
import subprocess
import sys
import venv

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def _run(cmd, cwd, env=None):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode in (0, 1), f"{cmd}: {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "Traceback" not in r.stderr, r.stderr
    return r


def test_wheel_in_a_fresh_venv(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    [whl] = wheels.glob("hachimi-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(whl)], check=True, capture_output=True, timeout=900)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "p.jsonl").write_text((ROOT / "examples" / "personas.jsonl").read_text())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    hachimi = str(env_dir / "bin" / "hachimi")
    r = _run([hachimi, "validate", "p.jsonl", "--format", "jsonl", "-j", "1"], work, env)
    assert len(r.stdout.splitlines()) == len((work / "p.jsonl").read_text().splitlines())
    assert "no theory folder" not in r.stderr
    r = _run([hachimi, "theory", "lint", "k12"], work, env)
    assert r.returncode == 0
    r = _run([hachimi, "models", "--format", "json"], work, env)
    assert "template" in {m["name"] for m in json.loads(r.stdout)["models"]}
    r = _run([hachimi, "generate", "--model", "template", "--n", "2", "--seed", "1", "--out", "run"], work, env)
    assert r.returncode == 0
    personas = (work / "run" / "personas.jsonl").read_text().splitlines()
    assert len(personas) == 2
    assert str(ROOT) not in (work / "run" / "run.json").read_text()  # nothing read from the checkout

"""`hachimi validate` and `hachimi generate` refuse a theory `theory lint` rejects (exit 2, the
finding as the message); --unchecked uses it anyway, and generate's run.json says so."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def rejected(theory_copy):
    """A k12 copy that loads but that lint rejects: a message placeholder no violation fills."""
    toml = theory_copy / "theory.toml"
    toml.write_text(toml.read_text().replace("Subject {key} is both", "Subject {subjekt} is both"))
    return theory_copy


@pytest.fixture
def personas(tmp_path, base):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(base) + "\n")
    return path


def test_validate_refuses_a_pack_lint_rejects_and_unchecked_runs_it(cli, rejected, personas):
    r = cli("validate", "--theory", rejected, personas)
    assert r.exit_code == 2
    assert "theory lint rejects k12" in r.output and "{subjekt}" in r.output and "theory.toml:" in r.output
    assert "--unchecked" in r.output
    r = cli("validate", "--theory", rejected, personas, "--unchecked", "-j", "1")
    assert r.exit_code == 0 and "warning: --unchecked" in r.output


def test_lint_runs_once_per_pack_content(cli, personas, monkeypatch, tmp_path):
    from hachimi.authoring import gate

    monkeypatch.setenv("HACHIMI_CACHE_DIR", str(tmp_path / "cache"))
    calls = []
    monkeypatch.setattr(gate, "_errors", lambda t: calls.append(t.name) or [])
    for _ in range(2):
        assert cli("validate", personas, "-j", "1").exit_code == 0
    assert calls == ["k12"]  # the second validate read the verdict from the cache


def test_generate_refuses_and_unchecked_records_it_in_run_json(cli, rejected, tmp_path):
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    args = ("generate", "--theory", rejected, "--model", "template", "--n", "1", "--out", tmp_path / "run")
    r = cli(*args)
    assert r.exit_code == 2 and "theory lint rejects k12" in r.output and not (tmp_path / "run").exists()
    r = cli(*args, "--unchecked")
    assert r.exit_code == 0, r.output
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert any("{subjekt}" in e for e in run["identity"]["unchecked"])
    assert cli(*args, "--unchecked").exit_code == 0  # resumes: the same identity

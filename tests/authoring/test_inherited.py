"""`theory check` on a theory that extends another: each inherited rule the parent can fire and the
child cannot is an error naming the [features] entry its facts come from and the child's line."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def child(tmp_path, cli):
    r = cli("theory", "new", tmp_path / "child")
    assert r.exit_code == 0, r.output
    return tmp_path / "child"


def _add(child, text: str) -> int:
    """Append text to the child's theory.toml; the line number of its first line."""
    toml = child / "theory.toml"
    before = toml.read_text()
    toml.write_text(before + "\n" + text)
    return before.count("\n") + 2


def test_replacing_a_table_names_the_rules_it_kills_and_the_line(child, cli):
    line = _add(child, '[features.lexicons]\nreplace = true\n[features.lexicons.mine]\nterms = ["frobnicate"]\n')
    r = cli("theory", "check", child)
    assert r.exit_code == 1
    assert (
        "health-text (R5) fired in k12 but cannot fire in child: its facts term(P,F,severe,T) come from "
        f"[features.lexicons.severe], which {child / 'theory.toml'}:{line + 1} left out when it replaced "
        "[features.lexicons] whole (replace = true)"
    ) in r.output, r.output
    assert "non-diagnostic (R12) fired in k12 but cannot fire in child" in r.output
    assert "inherited from k12: 42 rules, 40 can still fire, 2 cannot" in r.output
    assert "dead rule: health-text" not in r.output  # said once, with its cause


def test_removing_an_entry_is_named_in_the_json_report(child, cli):
    line = _add(child, '[features.lexicons]\nremove = ["severe"]\n')
    r = cli("theory", "check", child, "--format", "json")
    rep = json.loads(r.output)
    assert r.exit_code == 1 and not rep["clean"] and rep["extends"] == "k12"
    [lost] = rep["lost_rules"]
    assert lost["rule"] == "health-text" and lost["ref"] == "R5"
    assert lost["cause"].endswith(f"{child / 'theory.toml'}:{line + 1} removed (remove = [...])")
    assert rep["inherited"]["health-text"] is False and rep["inherited"]["non-diagnostic"] is True


def test_theory_test_says_why_an_inherited_fail_case_no_longer_fires(child, cli):
    line = _add(child, '[features.lexicons]\nremove = ["clinical"]\n')
    r = cli("theory", "test", child)
    assert r.exit_code == 1
    assert (
        "expected non-diagnostic to fire: child can no longer fire it; its facts term(P,F,clinical,T) come from "
        f"[features.lexicons.clinical], which {child / 'theory.toml'}:{line + 1} removed"
    ) in r.output, r.output

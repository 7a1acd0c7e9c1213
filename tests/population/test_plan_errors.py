"""Bad plan files (tests/fixtures/bad/plans/) are refused by `plan` and `generate` with exit code 2
and a one-line message naming the file and the table/key, never a traceback, never ignored."""

import pytest

from conftest import ROOT

BAD = ROOT / "tests" / "fixtures" / "bad" / "plans"
EXPECT = {
    "attempts-not-a-number": "plan.attempts_per_slot: must be a whole number, not 'many'",
    "conditional-unknown-variable": "[[conditional]] #1: unknown variable 'mood'",
    "conditional-without-shares": "[[conditional]] #1 shares: required key is missing",
    "malformed-joint-key": "[joint] key 'grade=1,gender' is not of the form var=value",
    "marginal-unknown-variable": "[marginals.age]: unknown variable 'age'",
    "nan-share": "gender.female: a share must be a finite number >= 0, not nan",
    "population-unknown-value": "[[population]] #1 is: risk has no value(s) ['extreme']",
    "population-unknown-variable": "[[population]] #1 where: unknown variable 'stage'",
    "string-share": "gender.female: a share must be a number, not 'half'",
    "bias-too-big": "plan.bias = 99: at most 2 (the items bound of slot.subject_bias in",
    "unknown-key": "plan.attempts: unknown key",
}


def test_corpus_is_covered():
    assert {p.stem for p in BAD.glob("*.toml")} == set(EXPECT)


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_plan_refuses(cli, name):
    from hachimi.cli import plan_cmd
    from hachimi.cli.main import cli as group

    group.add_command(plan_cmd.plan_cmd)
    path = BAD / f"{name}.toml"
    r = cli("plan", path, "--n", "10")
    assert r.exit_code == 2
    assert f"{path}: " in r.output and EXPECT[name] in r.output and "Traceback" not in r.output


def test_generate_refuses_before_loading(cli, tmp_path):
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    r = cli(
        "generate",
        "--plan",
        BAD / "bias-too-big.toml",
        "--n",
        "4",
        "--out",
        tmp_path / "r",
        "--model",
        "template",
    )
    assert r.exit_code == 2 and "plan.bias = 99" in r.output and "loading" not in r.output
    assert not (tmp_path / "r").exists()


def test_plan_json(cli):
    import json
    from hachimi.cli import plan_cmd
    from hachimi.cli.main import cli as group

    group.add_command(plan_cmd.plan_cmd)
    r = cli("plan", ROOT / "plans" / "k12-balanced.toml", "--n", "100", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 0 and doc["n"] == 100 and sum(c["count"] for c in doc["cells"]) == 100
    assert all(abs(c["count"] - c["ideal"]) < 1 for c in doc["cells"])
    assert sum(v["count"] for v in doc["marginals"]["gender"].values()) == 100 and doc["impossible"] == []

"""A plan whose cell the theory rules out is refused before any model, naming the blocking rules."""

from hachimi.population.feasibility import check
from hachimi.population.plan import load
from hachimi.theory.pack import load as load_theory

EXTRA = """
[[rule]]
id = "no-poor-third-graders"
ref = "X1"
owner = "academic"
severity = "error"
fields = ["slot.academic_level", "enrollment.grade"]
message = "test rule"
citation = "test"
"""


def test_balanced_plan_is_feasible(theory):
    assert check(load("plans/k12-balanced.toml", theory.schema), theory).impossible == {}


def test_blocked_cell_names_its_rules(theory_copy, cli):
    (theory_copy / "theory.toml").write_text((theory_copy / "theory.toml").read_text() + EXTRA)
    (theory_copy / "rules" / "extra.lp").write_text(
        'violation(P,"no-poor-third-graders",none) :- grade(P,3), academic_level(P,poor).\n'
    )
    copy = load_theory(theory_copy)
    feas = check(load("plans/k12-balanced.toml", copy.schema), copy)
    blocked = {c: r for c, r in feas.impossible.items()}
    assert {c[:3] for c in blocked} == {(3, "female", "poor"), (3, "male", "poor")}
    assert all("no-poor-third-graders" in r and "slot-match" in r for r in blocked.values())
    from hachimi.cli import plan_cmd
    from hachimi.cli.main import cli as group

    group.add_command(plan_cmd.plan_cmd)
    r = cli("plan", "plans/k12-balanced.toml", "--n", 96, "--theory", theory_copy)
    assert r.exit_code == 1 and "is blocked by no-poor-third-graders + slot-match" in r.output

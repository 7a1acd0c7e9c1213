"""`theory check`: k12 is clean; contradictory and dead rules are found with the rules to blame."""

from hachimi.authoring.check import check
from hachimi.theory.pack import load

EXTRA_RULE = """
[[rule]]
id = "{id}"
ref = "X1"
owner = "enrollment"
severity = "error"
fields = ["enrollment.age"]
message = "test rule"
citation = "test"
"""


def _with_rule(folder, rule_id, asp):
    p = folder / "theory.toml"
    p.write_text(p.read_text() + EXTRA_RULE.format(id=rule_id))
    (folder / "rules" / "extra.lp").write_text(asp)
    return load(folder)


def test_k12_is_clean(theory):
    rep = check(theory)
    assert rep.clean and rep.checked == 12 * 2 * 4 * 15 and rep.walked == ["grade", "gender", "academic_level", "age"]
    assert rep.excluded[1] == list(range(9, 20))  # R1 alone excludes these ages in grade 1 (5-8 fit)


def test_contradiction_found_with_both_rules(theory_copy):
    # "formal operations by age 10" contradicts R2 (formal_operational starts at 11) for ages 7-10
    th = _with_rule(
        theory_copy,
        "early-formal",
        'violation(P,"early-formal",none) :- age(P,A), A >= 7, A <= 10, not stage(P,piaget,formal_operational).\n',
    )
    rep = check(th)
    assert not rep.clean
    ages = {c["age"] for c in rep.contradictions}
    assert ages == {7, 8, 9, 10}
    assert all(c["rules"] == ["early-formal", "stage-age"] for c in rep.contradictions)


def test_dead_rule_found(theory_copy):
    th = _with_rule(theory_copy, "never", 'violation(P,"never",none) :- age(P,A), A > 40.\n')
    rep = check(th)
    assert rep.dead_rules == ["never"] and not rep.contradictions


def test_blocking_rules_do_not_depend_on_earlier_questions(theory):
    """The blocking rules of an impossible cell come from SAT/UNSAT answers only (no solver cores),
    so a checker that answered other cells first names the same rules as a fresh one."""
    from hachimi.solve.sample import clean_atoms
    from hachimi.facts.domain import domain
    from hachimi.authoring.consistency import Checker

    clean = clean_atoms(domain(theory.text))
    cells = [
        [(f"slot_grade(0,{g})", True), (f"slot_level(0,{lv})", True), (f"age(0,{a})", True)]
        for g, lv, a in [(1, "poor", 15), (12, "high", 6), (6, "low", 19), (3, "medium", 12)]
    ]
    fresh = [Checker(theory).blocking(c + clean) for c in cells]
    warm = Checker(theory)
    for g in range(1, 13):
        warm.blocking([(f"slot_grade(0,{g})", True), (f"age(0,{20 - g})", True)] + clean)
    assert [warm.blocking(c + clean) for c in reversed(cells)][::-1] == fresh
    assert all(fresh)

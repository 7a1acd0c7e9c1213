"""constraints/k12-motivation, a second theory written only in files: it loads, lints, tests and
checks clean, generates with the template engine, and no Python file names anything of it."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from generic_names import code_words

PACK = ROOT / "constraints" / "k12-motivation"


@pytest.fixture(scope="module")
def pack():
    from hachimi.theory.pack import load

    return load(PACK)


def _identifiers(pack, k12) -> set[str]:
    """Every name the pack adds: part, agent, scale, dimension group, dimension, field path
    components and predicates that k12 does not have."""
    s, base = pack.schema, k12.schema
    names = set(s.parts) - set(base.parts)
    names |= set(s.owners) - set(base.owners)
    names |= set(s.scales) - set(base.scales)
    names |= set(s.groups) - set(base.groups)
    names |= {d for g in set(s.groups) - set(base.groups) for d in s.groups[g].dimensions}
    for f in s.fields:
        if f.path not in base.by_path:
            names |= set(f.path.split(".")) | {f.pred}
    known = {w for f in base.fields for w in (*f.path.split("."), f.pred, *map(str, f.domain))} | set(base.scales)
    return names - known


def test_no_python_file_names_a_field_of_the_pack(pack, theory):
    names = _identifiers(pack, theory)
    assert {"motivation", "autonomy", "intrinsic", "self_efficacy", "strength"} <= names
    paths = {f.path for f in pack.schema.fields if f.path not in theory.schema.by_path}
    hits = []
    for py in sorted((ROOT / "hachimi").rglob("*.py")):
        text = py.read_text(encoding="utf-8")
        hits += [f"{py.relative_to(ROOT)}: {p}" for p in paths if p in text]
        hits += [f"{py.relative_to(ROOT)}: {w}" for w in sorted(names & code_words(py))]
    assert not hits, hits


def test_lint_test_and_check_are_clean(cli):
    for cmd in ("lint", "test", "check"):
        r = cli("theory", cmd, str(PACK))
        assert r.exit_code == 0, (cmd, r.output)
    r = cli("theory", "test", str(PACK), "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["failed"] == 0 and not doc["gaps"]
    rules = {c["rule"] for c in doc["outcomes"]}
    assert {"competence-high-achiever", "anchor-motivation-high", "age-grade"} <= rules  # k12's run too


def test_the_format_has_the_new_part_after_k12s(pack, theory):
    s = pack.schema
    assert list(s.parts)[: len(theory.schema.parts)] == list(theory.schema.parts)
    assert list(s.parts)[-1] == "motivation" and s.owners[-1] == "motivation"
    assert len([f for f in s.fields if f.path.startswith("motivation.")]) == 10
    assert "regulation_style(intrinsic)." in pack.vocabulary and "rank(strength,fairly_high,2)." in pack.vocabulary


def test_template_generate_of_12_is_valid(tmp_path, cli):
    from hachimi.cli import generate_cmd, report_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    group.add_command(report_cmd.report_cmd)
    out = tmp_path / "run"
    args = ["generate", "--theory", str(PACK), "--model", "template", "--n", "12", "--seed", "3", "--out", out]
    r = cli(*args, "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["counts"]["accepted"] == 12
    personas = [json.loads(x) for x in (out / "personas.jsonl").read_text().splitlines()]
    assert all(set(p["motivation"]) == {"needs", "regulation", "math"} for p in personas)
    r = cli("validate", out / "personas.jsonl", "--theory", str(PACK), "-j", 1)
    assert r.exit_code == 0 and "12 valid" in r.output, r.output
    calls = [json.loads(x) for x in (out / "attempts.jsonl").read_text().splitlines()]
    assert any(c.get("agent") == "motivation" for c in calls if c.get("type") == "call")
    r = cli("report", out, "--format", "json")  # the run's theory (run.json), not k12
    assert r.exit_code == 0, r.output
    m = json.loads(r.stdout)
    assert m["schema_valid"] == 1.0 and m["theory_valid"] == 1.0


def test_the_motivation_grammar_is_narrowed_by_the_new_rules(pack):
    """For a high-achiever slot the narrowed box never lets competence be low (M1), so the
    grammar the agent decodes under cannot write it."""
    from hachimi.generate.agents import agents_of
    from hachimi.generate.narrow import Narrower

    agent = agents_of(pack.schema)[-1]
    narrower = Narrower(pack)
    for seed in range(4):
        box = narrower.box({"grade": 5, "gender": "male", "academic_level": "high", "subject_bias": []}, seed)
        assert "low" not in box.allowed["motivation.needs.competence"]
        schema = agent.schema(box, 160, 90, pack.text, "en")
        assert "low" not in schema["properties"]["needs"]["properties"]["competence"]["enum"]


def test_a_plan_may_stratify_on_the_packs_fields(tmp_path, pack, theory):
    from hachimi.errors import HachimiError
    from hachimi.population.plan import load as load_plan

    plan = tmp_path / "anxious.toml"
    plan.write_text(
        '[plan]\nname = "anxious"\n[variables]\ngrade = [8]\ngender = ["female"]\nacademic_level = ["low"]\n'
        'anxiety = ["high"]\n[strata.anxiety]\nhigh = { "motivation.math.anxiety" = ["fairly_high", "high"] }\n'
    )
    assert load_plan(plan, pack.schema).strata["anxiety"]["high"] == [
        {"motivation.math.anxiety": ["fairly_high", "high"]}
    ]
    with pytest.raises(HachimiError, match="not an enum or integer persona field"):
        load_plan(plan, theory.schema)

"""`hachimi audit` on a recorded run with real violations (tests/fixtures/runs/audit-demo), as a
user runs it: the content (rule, core facts, feedback text, the change made), not just exit codes."""

import json
import shutil
import sqlite3

import pytest

from conftest import ROOT

RUN = ROOT / "tests" / "fixtures" / "runs" / "audit-demo"


@pytest.fixture
def run(tmp_path):
    dst = tmp_path / "audit-demo"
    shutil.copytree(RUN, dst)
    return dst


@pytest.fixture
def audit(cli):
    from hachimi.cli import audit_cmd
    from hachimi.cli.main import cli as group

    group.add_command(audit_cmd.audit_cmd)
    return lambda *a: cli("audit", *a)


def test_r1_story_shows_message_core_feedback_and_change(audit, run):
    r = audit(run, "g11-female-high-000000")
    out = r.output
    assert r.exit_code == 0
    assert "✗ R1 age-grade [enrollment]: Age 19 does not fit grade 11: expected 15-18." in out
    assert "core: enrollment.age=19, enrollment.grade=11" in out
    assert (
        "feedback received: [R1 age-grade] Age 19 does not fit grade 11: expected 15-18. "
        "Conflicting facts: enrollment.age=19; enrollment.grade=11. Suggested fix: enrollment.age -> 18."
    ) in out
    assert "changed age: 19 -> 18" in out
    assert out.rstrip().endswith("validation of the revision: valid")


def test_story_as_json(audit, run):
    s = json.loads(audit(run, "g11-female-high-000000", "--format", "json").output)
    revise = [e for e in s["events"] if e["kind"] == "call" and e["round"] == 1]
    assert [e["agent"] for e in revise] == ["enrollment"]
    assert {"field": "age", "from": 19, "to": 18} in revise[0]["changed"]


def test_rules_by_grade_and_agent(audit, run):
    by_agent = audit(run, "--rules", "--by", "agent").output
    assert "agent enrollment: R1 age-grade 3 (75%)" in by_agent
    by_grade = json.loads(audit(run, "--rules", "--by", "grade", "--format", "json").output)
    assert by_grade["table"]["11"][0]["rule"] in ("R1 age-grade", "R2 stage-age")
    assert by_grade["mean_rounds_to_fix"]["R1 age-grade"] == 1.0


def test_failed_slots(audit, theory, tmp_path):
    from hachimi.generate.loop import Settings
    from hachimi.engines.scripted import ScriptedEngine
    from hachimi.generate.session import Session
    import sys

    sys.path.insert(0, str(ROOT / "tests" / "generate"))
    from scripted import script

    def tamper(agent, part, n):
        if agent == "mental_health":
            part["narrative"] += " Last year the student was hospitalized."
        return part

    Session(
        theory, ScriptedEngine(script(tamper)), Settings(max_rounds=1), tmp_path / "r", seed=1, n=1, attempts_per_slot=2
    ).run()
    out = audit(tmp_path / "r", "--failed").output
    assert "2 attempt(s): still invalid after 1 rounds: R12 | still invalid after 1 rounds: R12" in out


def test_store_is_queryable_and_idempotent(audit, run):
    audit(run, "--failed")
    db = run / "audit.sqlite"
    first = sqlite3.connect(db).execute("SELECT COUNT(*), SUM(tokens) FROM calls").fetchone()
    audit(run, "--failed")
    assert sqlite3.connect(db).execute("SELECT COUNT(*), SUM(tokens) FROM calls").fetchone() == first
    cores = sqlite3.connect(db).execute("SELECT core FROM violations WHERE rule='age-grade'").fetchall()
    assert all(json.loads(c[0])[0].startswith("enrollment.age=") for c in cores) and cores


def test_external_file(audit, run, tmp_path):
    bad = json.loads((ROOT / "constraints/k12/fixtures/base.json").read_text())
    bad["id"], bad["enrollment"]["age"] = "theirs-1", 9
    f = tmp_path / "theirs.jsonl"
    f.write_text(json.dumps(bad) + "\n")
    r = audit(run, "--file", f, "--id", "theirs-1")
    assert r.exit_code == 1 and "R1 age-grade" in r.output and "core: enrollment.age=9, enrollment.grade=8" in r.output
    assert "near-duplicates in" in r.output
    twin = json.loads((run / "personas.jsonl").read_text().splitlines()[0])
    f.write_text(json.dumps(twin) + "\n")
    assert f"{twin['id']} (distance 0)" in audit(run, "--file", f).output


def test_unknown_persona_is_a_clean_error(audit, run):
    r = audit(run, "nobody-000")
    assert r.exit_code == 2 and "no persona 'nobody-000'" in r.output


def test_damaged_log_is_read_around_with_warnings(audit, run):
    """The state a crash leaves (a torn last line), plus garbage and a record missing keys."""
    lines = (run / "attempts.jsonl").read_text().splitlines()
    lines[3:3] = ["garbage here", '{"type": "call", "persona": "x"}', "[1, 2]"]
    (run / "attempts.jsonl").write_text("\n".join(lines) + '\n{"type": "outcome", "pers')
    r = audit(run, "--failed")
    assert r.exit_code == 0 and "Traceback" not in r.output
    assert "attempts.jsonl:4: not JSON (Expecting value at column 1); skipped" in r.output
    assert "attempts.jsonl:5: a 'call' record without the key 'round'; skipped" in r.output
    assert "attempts.jsonl:6: not a JSON object; skipped" in r.output
    assert f"attempts.jsonl:{len(lines) + 1}: torn last line (a write cut short); skipped" in r.output


def test_failed_includes_slots_lost_to_near_duplicates(audit, tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    slot = {"grade": 3, "gender": "male", "academic_level": "low"}
    rows = [
        {"type": "outcome", "persona": "p1", "attempt": 0, "slot": slot, "accepted": True, "reason": ""},
        {"type": "near_duplicate", "persona": "p1", "attempt": 0, "of": "p0", "how": "lexical"},
    ]
    (run / "attempts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    r = audit(run, "--failed", "--format", "json")
    assert json.loads(r.output) == [{"persona": "p1", "attempts": 1, "reasons": "near-duplicate of p0 (lexical)"}]


def test_missing_run_folder(audit, tmp_path):
    r = audit(tmp_path / "nope", "--failed")
    assert r.exit_code == 2 and "attempts.jsonl: no such file" in r.output

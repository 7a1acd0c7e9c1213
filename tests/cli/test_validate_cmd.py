"""`hachimi validate` as a user runs it: outputs, exit codes, bad files."""

import json
import subprocess
import sys

from conftest import ROOT


def _write(tmp_path, objs, name="p.jsonl"):
    p = tmp_path / name
    p.write_text("".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs))
    return p


def test_all_valid_exit_0(cli, tmp_path, base):
    r = cli("validate", _write(tmp_path, [base]), "-j", 1)
    assert r.exit_code == 0 and "1 lines: 1 valid, 0 invalid" in r.output


def test_invalid_text_report(cli, tmp_path, base):
    base["enrollment"]["age"] = 9
    r = cli("validate", _write(tmp_path, [base]), "-j", 1)
    assert r.exit_code == 1
    assert "line 1  g08-female-low-000017  INVALID" in r.output
    assert "R1 age-grade [enrollment]: Age 9 does not fit grade 8: expected 12-15." in r.output
    assert "core: enrollment.age=9, enrollment.grade=8" in r.output
    assert "repair: enrollment.age 9 -> 12" in r.output


def test_jsonl_one_line_per_input(cli, tmp_path, base):
    r = cli("validate", _write(tmp_path, [base, "{oops", base]), "--format", "jsonl", "-j", 1)
    recs = [json.loads(l) for l in r.stdout.strip().splitlines() if l.startswith("{")]
    assert [x["line"] for x in recs] == [1, 2, 3] and recs[1]["error"]["line"] == 2
    assert r.exit_code == 1


def test_missing_file_is_usage_error(cli, tmp_path):
    r = cli("validate", tmp_path / "nope.jsonl")
    assert r.exit_code == 2 and "no such file" in r.output


def test_bad_theory_is_usage_error(cli, tmp_path, base):
    r = cli("validate", _write(tmp_path, [base]), "--theory", tmp_path)
    assert r.exit_code == 2 and "no theory.toml" in r.output


def test_non_utf8_line_reported_not_dropped(tmp_path, base):
    p = tmp_path / "bad.jsonl"
    p.write_bytes(json.dumps(base).encode() + b"\n\xff\xfe{}\n")
    r = subprocess.run([sys.executable, "-m", "hachimi.cli.main", "validate", str(p), "--format", "jsonl", "-j", "1"],
                       capture_output=True, text=True, cwd=ROOT)
    recs = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(recs) == 2 and recs[1]["error"]["line"] == 2 and r.returncode == 1
    assert "Traceback" not in r.stderr


def test_stdin(cli, base):
    r = cli("validate", "-", "-j", 1, input=json.dumps(base) + "\n")
    assert r.exit_code == 0

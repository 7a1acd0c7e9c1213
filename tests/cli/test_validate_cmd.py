"""`hachimi validate` as a user runs it: outputs, exit codes, bad files."""

import json

import pytest
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
    r = subprocess.run(
        [sys.executable, "-m", "hachimi.cli.main", "validate", str(p), "--format", "jsonl", "-j", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    recs = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(recs) == 2 and recs[1]["error"]["line"] == 2 and r.returncode == 1
    assert "Traceback" not in r.stderr


def test_stdin(cli, base):
    r = cli("validate", "-", "-j", 1, input=json.dumps(base) + "\n")
    assert r.exit_code == 0


def _records(r):
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def test_odd_lines_each_get_a_record_and_the_rest_is_validated(cli, tmp_path, base):
    """A 5,000-digit integer, a lone surrogate, a non-UTF-8 line, CR-only endings and a BOM: every
    line answered, nothing lost, no traceback."""
    big = '{"id": "big", "enrollment": {"age": ' + "9" * 5000 + "}}"
    sur = json.dumps(dict(base, id="sur", values=dict(base["values"], personality="\udcff odd")))
    f = tmp_path / "odd.jsonl"
    f.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps(base).encode()
        + b"\r"
        + big.encode()
        + b"\r\n"
        + sur.encode()
        + b"\n\xff\xfe not text\n"
        + json.dumps(dict(base, id="last")).encode()
        + b"\n"
    )
    r = cli("validate", f, "--format", "jsonl", "-j", 1)
    recs = _records(r)
    assert [x["line"] for x in recs] == [1, 2, 3, 4, 5] and "Traceback" not in r.output
    assert recs[0]["valid"] and recs[4]["valid"] and recs[4]["id"] == "last"
    assert recs[1]["error"]["reason"].startswith("not JSON that can be read: Exceeds the limit (4300 digits)")
    assert recs[2]["id"] == "sur" and recs[2]["error"] is None
    assert recs[3]["error"]["reason"] == "not UTF-8 (byte 1 of the line)"
    text = cli("validate", f, "-j", 1)
    assert text.exit_code == 1 and "Traceback" not in text.output


def test_output_never_replaces_its_input(cli, tmp_path, base):
    f = _write(tmp_path, [base])
    before = f.read_bytes()
    r = cli("validate", f, "-o", f, "-j", 1)
    assert r.exit_code == 2 and "the output is the input file" in r.output and f.read_bytes() == before
    r = cli("validate", f, "-o", tmp_path / "missing" / "out.jsonl", "-j", 1)
    assert r.exit_code == 2 and f"{tmp_path / 'missing'} does not exist" in r.output
    r = cli("validate", f, "-o", tmp_path / "out.jsonl", "--format", "jsonl", "-j", 1)
    assert r.exit_code == 0 and json.loads((tmp_path / "out.jsonl").read_text())["valid"]


def test_inputs_that_are_not_jsonl_files(cli, tmp_path, base):
    import gzip

    assert "is a folder, not a JSONL file" in cli("validate", tmp_path).output
    (tmp_path / "u16.jsonl").write_bytes("{}".encode("utf-16"))
    r = cli("validate", tmp_path / "u16.jsonl")
    assert r.exit_code == 2 and "UTF-16 text; convert it to UTF-8" in r.output
    gz = tmp_path / "p.jsonl.gz"
    gz.write_bytes(gzip.compress(json.dumps(base).encode() + b"\n"))
    r = cli("validate", gz, "-j", 1)
    assert r.exit_code == 0 and "1 lines: 1 valid" in r.output
    r = cli("validate", _write(tmp_path, [base]), "-j", 1000)
    assert "capped at" in r.output and r.exit_code == 0


@pytest.mark.slow
def test_ctrl_c_with_two_workers_exits_cleanly(tmp_path, base):
    import signal
    import time

    f = tmp_path / "many.jsonl"
    base["enrollment"]["age"] = 30  # invalid: cores and repairs make each line slow
    f.write_text((json.dumps(base) + "\n") * 150000)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hachimi.cli.main",
            "validate",
            str(f),
            "-j",
            "2",
            "--format",
            "jsonl",
            "-o",
            str(tmp_path / "out.jsonl"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a test run started in the background (`cmd &` in a script) ignores SIGINT, and so would
        # the child: Python then installs no Ctrl-C handler and validate runs to its end (exit 1)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # interrupt once it is validating (its output's temporary file is open), not after a fixed wait
    deadline = time.time() + 90
    while not list(tmp_path.glob(".out.jsonl.*")) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    assert proc.poll() is None, "finished before the interrupt; make the file longer"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and "interrupted after" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_repair_writes_repaired_personas_whose_prose_still_agrees(cli, tmp_path, base):
    """--repair -o: the personas with their repairs applied; a level repaired in a narrative is
    rewritten in it, so the repaired persona validates."""
    base["values"]["levels"]["physical_mental_health"] = "high"
    base["values"]["narrative"] = base["values"]["narrative"].replace("health is medium", "health is high")
    base["mental_health"]["narrative"] += " She had panic attacks in spring."  # R5 with health high
    fixed = tmp_path / "fixed.jsonl"
    r = cli("validate", _write(tmp_path, [base, "{oops"]), "--repair", "-o", fixed, "-j", 1)
    assert r.exit_code == 1 and "repaired 1 personas" in r.output and "1 now valid" in r.output
    out = [json.loads(x) if x.startswith('{"') else x for x in fixed.read_text().splitlines()]
    assert out[1] == "{oops"  # an unreadable line is written as it was
    level = out[0]["values"]["levels"]["physical_mental_health"]
    assert level != "high" and f"health is {level.replace('_', ' ')}" in out[0]["values"]["narrative"].replace("-", " ")
    assert cli("validate", fixed, "-j", 1).output.startswith("line 2")  # only the unreadable line is left


def test_repair_needs_an_output_file(cli, tmp_path, base):
    r = cli("validate", _write(tmp_path, [base]), "--repair")
    assert r.exit_code == 2 and "give -o FILE" in r.output

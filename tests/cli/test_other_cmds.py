"""`hachimi convert`, `dedup`, `schema export` and `audit --html` as a user runs them, bad input included."""

import json

import pytest

from conftest import ROOT


@pytest.fixture
def run_cli(cli):
    from hachimi.cli import audit_cmd, convert_cmd, report_cmd, schema_cmd
    from hachimi.cli.main import cli as group

    for cmd in (audit_cmd.audit_cmd, convert_cmd.convert, report_cmd.dedup_cmd, schema_cmd.schema):
        group.add_command(cmd)
    return cli


def test_convert_then_validate(run_cli, tmp_path):
    out = tmp_path / "v1.jsonl"
    r = run_cli("convert", "--from", "hachimi-zh", ROOT / "tests/fixtures/hachimi_zh/original.jsonl", out)
    assert "wrote 14 personas" in r.output and "4 with problems" in r.output
    assert "values.levels.rule_of_law" in r.output  # a problem is reported, not guessed
    assert len(out.read_text().splitlines()) == 14
    v = run_cli("validate", out, "-j", 1, "--no-warnings")
    assert "14 lines: 10 valid, 4 invalid" in v.output


def test_convert_missing_file(run_cli, tmp_path):
    r = run_cli("convert", "--from", "hachimi-zh", tmp_path / "nope.jsonl", tmp_path / "out.jsonl")
    assert r.exit_code == 2 and "no such file" in r.output


def test_convert_odd_records_and_destinations(run_cli, tmp_path):
    """A 10**30 age, a lone surrogate and a non-UTF-8 line: each reported on its line, the rest
    written; a missing destination folder is refused and no partial file is ever left."""
    rows = [json.loads(line) for line in (ROOT / "tests/fixtures/hachimi_zh/original.jsonl").read_text().splitlines()]
    src = tmp_path / "zh.jsonl"
    src.write_bytes(
        json.dumps(dict(rows[0], 年龄=10**30), ensure_ascii=False).encode()
        + b"\n"
        + json.dumps(dict(rows[0], id="sur", 姓名="陈\udcff")).encode()
        + b"\n\xff oops\n"
        + json.dumps(rows[1], ensure_ascii=False).encode()
        + b"\n"
    )
    out = tmp_path / "v1.jsonl"
    r = run_cli("convert", "--from", "hachimi-zh", src, out)
    assert "Traceback" not in r.output and r.exit_code == 1
    assert f"{src}:1: enrollment.age" in r.output and f"{src}:3: not UTF-8" in r.output
    assert "wrote 3 personas" in r.output and len(out.read_text().splitlines()) == 3
    r = run_cli("convert", "--from", "hachimi-zh", src, tmp_path / "missing" / "v1.jsonl")
    assert r.exit_code == 2 and "does not exist; create it first" in r.output
    assert not (tmp_path / "missing").exists() and not list(tmp_path.glob(".v1.jsonl.*"))


def test_dedup_finds_a_copy_in_the_same_stratum(run_cli, tmp_path):
    rows = [
        json.loads(l) for l in (ROOT / "tests/fixtures/runs/population-demo/personas.jsonl").read_text().splitlines()
    ]
    twin = dict(rows[0], id="copy-of-first")
    f = tmp_path / "p.jsonl"
    f.write_text("".join(json.dumps(p) + "\n" for p in rows + [twin]))
    r = run_cli("dedup", f, "--no-semantic")
    assert r.exit_code == 1
    row = json.loads(r.stdout.splitlines()[0])
    g, sex, level = (rows[0]["slot"][k] for k in ("grade", "gender", "academic_level"))
    assert row == {
        "cluster": 1,
        "how": "lexical",
        "stratum": f"{g}|{sex}|{level}",  # the slot's key
        "size": 2,
        "leader": rows[0]["id"],
        "members": [rows[0]["id"], "copy-of-first"],
        "worst": 0,
    }


def test_dedup_groups_a_file_of_near_identical_personas_into_one_cluster(run_cli, tmp_path):
    """The degenerate case that took 23 GB and wrote every pair: 3,000 copies of one persona (ids
    and one number differ) are one cluster record listing them, not 4.5 million pairs."""
    first = json.loads((ROOT / "tests/fixtures/runs/population-demo/personas.jsonl").read_text().splitlines()[0])
    f = tmp_path / "same.jsonl"
    with open(f, "w", encoding="utf-8") as fh:
        for k in range(3000):
            p = json.loads(json.dumps(first))
            p["id"] = f"copy-{k:05d}"
            p["values"]["personality"] = p["values"]["personality"].rstrip(".") + f" (note {k % 7})."
            fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    r = run_cli("dedup", f, "--no-semantic", "--format", "json")
    doc = json.loads(r.stdout)
    assert r.exit_code == 1 and doc["personas"] == 3000
    assert doc["lexical_clusters"] == 1 and doc["lexical_duplicates"] == 2999 and doc["clusters"][0]["size"] == 3000


def test_dedup_bad_input(run_cli, tmp_path):
    assert run_cli("dedup", tmp_path / "nope.jsonl").exit_code == 2
    rows = [
        json.loads(l) for l in (ROOT / "tests/fixtures/runs/population-demo/personas.jsonl").read_text().splitlines()
    ]
    f = tmp_path / "bad.jsonl"
    f.write_bytes(
        b"".join(json.dumps(p).encode() + b"\n" for p in rows[:3])
        + b'{oops\n[1, 2]\n{"id": 7}\n{"name": "x"}\n\xff\xfe\n'
    )
    r = run_cli("dedup", f, "--no-semantic")
    assert r.exit_code == 1 and "Traceback" not in r.output
    errors = [json.loads(line) for line in r.stdout.splitlines() if '"error"' in line]
    assert errors == [
        {"line": 4, "error": "not JSON (Expecting property name enclosed in double quotes at column 2)"},
        {"line": 5, "error": "not a JSON object (a list)"},
        {"line": 6, "error": "'id' must be text, not 7"},
        {"line": 7, "error": "no string 'id'"},
        {"line": 8, "error": "not UTF-8 (byte 1 of the line)"},
    ]
    doc = json.loads(run_cli("dedup", f, "--no-semantic", "--format", "json").stdout)
    assert doc["personas"] == 3 and doc["unreadable_lines"] == 5 and doc["clusters"] == []


def test_schema_export(run_cli, tmp_path):
    r = run_cli("schema", "export", "--out", tmp_path)
    assert "persona.schema.json" in r.output
    assert json.loads((tmp_path / "enrollment.schema.json").read_text())["title"] == "Enrollment"


def test_audit_html(run_cli, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests/fixtures/runs/audit-demo", run)
    r = run_cli("audit", run, "--html", tmp_path / "a.html")
    assert r.exit_code == 0 and '<table id="rejected">' in (tmp_path / "a.html").read_text()
    assert run_cli("audit", "--file", tmp_path / "nope.jsonl").exit_code == 2

"""`hachimi export` as a user runs it: a run generated with the template model, the JSON summary,
lines it cannot read, and folders it cannot read or write."""

from __future__ import annotations

import errno
import json
import tempfile

import pytest

pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture
def hachimi(cli):
    from hachimi.cli import export_cmd, generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    group.add_command(export_cmd.export_cmd)
    return cli


@pytest.fixture
def run(hachimi, tmp_path):
    out = tmp_path / "run"
    r = hachimi("generate", "--model", "template", "--n", "6", "--seed", "3", "--out", out)
    assert r.exit_code == 0, r.output
    return out


def _count(path):
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def test_export_a_generated_run(hachimi, run):
    r = hachimi("export", run, "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["rows"] == {"personas": _count(run / "personas.jsonl"), "attempts": _count(run / "attempts.jsonl")}
    assert doc["files"]["personas"] == str(run / "export" / "personas.parquet") and doc["skipped_lines"] == 0
    table = pq.read_table(run / "export" / "personas.parquet")
    first = json.loads((run / "personas.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert json.loads(table.column("persona")[0].as_py()) == first and table.column("id")[0].as_py() == first["id"]
    types = set(pq.read_table(run / "export" / "attempts.parquet").column("type").to_pylist())
    assert {"call", "validation", "outcome"} <= types
    text = hachimi("export", run, "--out", run.parent / "elsewhere", "--batch", "2")
    assert text.exit_code == 0 and f"6 personas -> {run.parent / 'elsewhere' / 'personas.parquet'}" in text.stdout
    assert pq.read_table(run.parent / "elsewhere" / "personas.parquet").equals(table)


def test_unreadable_lines_are_named_and_skipped(hachimi, run, monkeypatch):
    n = _count(run / "personas.jsonl")
    with open(run / "personas.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "cut sh')  # torn: a crash mid-write
    with open(run / "attempts.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"type": "call", "output": "z" * 300_000}) + "\n")
    monkeypatch.setenv("HACHIMI_MAX_LINE_BYTES", "200000")
    r = hachimi("export", run, "--json")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{run / 'personas.jsonl'}:{n + 1}: torn last line" in r.stderr
    assert f"{run / 'attempts.jsonl'}:" in r.stderr and "over the limit" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["skipped_lines"] == 2 and doc["rows"]["personas"] == n
    assert pq.read_table(run / "export" / "personas.parquet").num_rows == n


def test_not_a_run_folder(hachimi, tmp_path):
    r = hachimi("export", tmp_path)
    assert r.exit_code == 2 and "not a run folder (no run.json)" in r.output and "Traceback" not in r.output
    r = hachimi("export", tmp_path / "nope")
    assert r.exit_code == 2 and "no such folder" in r.output


def test_an_output_it_cannot_write(hachimi, run, monkeypatch):
    r = hachimi("export", run, "--out", run / "run.json" / "x")
    assert r.exit_code == 2 and "cannot create the output folder" in r.output and "Traceback" not in r.output
    out = run.parent / "locked"
    out.mkdir()
    real = tempfile.mkstemp

    def denied(*a, **k):  # the tests run as root, where chmod stops nothing: the kernel's answer
        if str(k.get("dir", "")).startswith(str(out)):
            raise PermissionError(errno.EACCES, "Permission denied", str(out / "x.tmp"))
        return real(*a, **k)

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    r = hachimi("export", run, "--out", out)
    assert r.exit_code == 2 and str(out / "personas.parquet") in r.output and "permission denied" in r.output
    assert list(out.iterdir()) == []  # nothing half written


def test_bad_batch(hachimi, run):
    r = hachimi("export", run, "--batch", "0")
    assert r.exit_code == 2 and "--batch" in r.output

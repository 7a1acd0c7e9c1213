"""store.export: a run folder -> personas.parquet and attempts.parquet, streamed in record batches;
every readable line becomes one row, every other line is reported with its file and line."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT

pq = pytest.importorskip("pyarrow.parquet")

DEMO = ROOT / "tests" / "fixtures" / "runs" / "population-demo"


@pytest.fixture
def run(tmp_path):
    """A copy of the recorded 16-persona run (the fixture itself is never written)."""
    dst = tmp_path / "run"
    shutil.copytree(DEMO, dst, ignore=shutil.ignore_patterns("audit.sqlite*", "report", "export"))
    return dst


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def _export(run, theory, out=None, **kw):
    from hachimi.store.export import export

    return export(run, out or run / "export", theory.schema, **kw)


def test_one_row_per_line_and_the_json_round_trips(run, theory):
    s = _export(run, theory)
    personas, attempts = _lines(run / "personas.jsonl"), _lines(run / "attempts.jsonl")
    assert s.rows == {"personas": len(personas), "attempts": len(attempts)} and s.skipped_lines == 0
    table = pq.read_table(run / "export" / "personas.parquet")
    assert table.num_rows == len(personas)
    assert (run / "export" / "personas.parquet").stat().st_mode & 0o044 == 0o044 & ~_umask()  # like open()
    assert [json.loads(t) for t in table.column("persona").to_pylist()] == personas
    from hachimi.jsonio import get_path

    for name in table.column_names:  # each flat column is the value at its path in the persona
        if name != "persona":
            assert table.column(name).to_pylist() == [get_path(p, name) for p in personas], name
    log = pq.read_table(run / "export" / "attempts.parquet")
    assert [json.loads(t) for t in log.column("record").to_pylist()] == attempts
    assert log.column("line").to_pylist() == list(range(1, len(attempts) + 1))
    assert log.column("type").to_pylist() == [e["type"] for e in attempts]
    assert log.column("valid").to_pylist() == [e.get("valid") for e in attempts]


def test_columns_come_from_the_theory_schema(run, theory):
    """id, every slot field and every structured field of the schema, typed from its kind."""
    from hachimi.store.export import persona_columns

    schema = theory.schema
    _export(run, theory)
    arrow = pq.read_schema(run / "export" / "personas.parquet")
    want = (
        {"id"} | {schema.slot.field(v) for v in schema.slot.variables} | {f.path for f in schema.fields if f.structured}
    )
    assert want <= set(arrow.names) and arrow.names[-1] == "persona"
    kinds = {c.name: c.kind for c in persona_columns(schema)}
    for f in schema.fields:
        if f.kind == "int":
            assert str(arrow.field(f.path).type) == "int64" and kinds[f.path] == "int"
        elif f.kind in ("set", "count"):
            assert kinds[f.path].startswith("list<")
    assert not {f.path for f in schema.fields if f.narrative} & set(arrow.names)  # prose stays in the JSON
    meta = json.loads(arrow.metadata[b"hachimi"])
    assert meta["table"] == "personas" and meta["theory"]["name"] == theory.name


def test_small_batches_write_the_same_table(run, theory, tmp_path, monkeypatch):
    from hachimi.store import export

    _export(run, theory, tmp_path / "big")
    _export(run, theory, tmp_path / "small", batch=3)
    monkeypatch.setattr(export, "BATCH_BYTES", 20_000)  # long records close a batch early
    _export(run, theory, tmp_path / "bytes")
    for name in ("personas.parquet", "attempts.parquet"):
        for other in ("small", "bytes"):
            assert pq.read_table(tmp_path / other / name).equals(pq.read_table(tmp_path / "big" / name))
    assert pq.ParquetFile(tmp_path / "small" / "personas.parquet").metadata.num_row_groups > 1
    assert pq.ParquetFile(tmp_path / "bytes" / "attempts.parquet").metadata.num_row_groups > 1
    assert pq.ParquetFile(tmp_path / "big" / "attempts.parquet").metadata.num_row_groups == 1


def test_a_torn_last_line_and_an_over_long_line_are_reported_and_skipped(run, theory, monkeypatch):
    personas = (run / "personas.jsonl").read_text(encoding="utf-8").splitlines(True)
    attempts = (run / "attempts.jsonl").read_text(encoding="utf-8").splitlines(True)
    longest = max(len(line.encode()) for line in personas + attempts)
    monkeypatch.setenv("HACHIMI_MAX_LINE_BYTES", str(longest + 10))
    (run / "personas.jsonl").write_text("".join(personas) + personas[0][:40], encoding="utf-8")  # torn
    huge = json.dumps({"type": "call", "persona": "x", "output": "y" * (longest + 100)}) + "\n"
    (run / "attempts.jsonl").write_text("".join(attempts[:5]) + huge + "".join(attempts[5:]), encoding="utf-8")
    heard = []
    s = _export(run, theory, on_skip=lambda *a: heard.append(a))
    assert s.rows == {"personas": len(personas), "attempts": len(attempts)} and s.skipped_lines == 2
    where = [(d["file"], d["line"]) for d in s.skipped]
    assert where == [(str(run / "personas.jsonl"), len(personas) + 1), (str(run / "attempts.jsonl"), 6)]
    assert "torn last line" in s.skipped[0]["error"] and "over the limit" in s.skipped[1]["error"]
    assert [h[:2] for h in heard] == where
    lines = pq.read_table(run / "export" / "attempts.parquet").column("line").to_pylist()
    assert 6 not in lines and lines[-1] == len(attempts) + 1  # the lines keep their numbers in the file


def test_values_that_do_not_fit_a_column_are_null_and_kept_in_the_json(run, theory):
    personas = _lines(run / "personas.jsonl")
    schema = theory.schema
    an_int = next(f for f in schema.fields if f.kind == "int")
    odd = json.loads(json.dumps(personas[0]))
    node = odd
    for k in an_int.keys[:-1]:
        node = node[k]
    node[an_int.keys[-1]] = "eleven"
    odd["id"] = "odd-\udcff"  # a lone surrogate: written, not fatal
    odd["source"], odd["score"] = "import", 1.5  # top-level scalars the schema does not name
    (run / "personas.jsonl").write_text("\n".join(json.dumps(p) for p in [odd, *personas[1:]]) + "\n", encoding="utf-8")
    _export(run, theory)
    table = pq.read_table(run / "export" / "personas.parquet")
    assert table.column(an_int.path)[0].as_py() is None
    assert json.loads(table.column("persona")[0].as_py())[an_int.keys[0]] == odd[an_int.keys[0]]
    assert table.column("id")[0].as_py() == "odd-\\udcff"
    assert table.column("source").to_pylist()[:2] == ["import", None] and table.column("score")[0].as_py() == 1.5


def test_an_empty_run_exports_empty_tables(run, theory):
    (run / "personas.jsonl").write_text("")
    (run / "attempts.jsonl").unlink()
    s = _export(run, theory)
    assert s.rows == {"personas": 0, "attempts": 0}
    assert pq.read_table(run / "export" / "personas.parquet").num_rows == 0


def test_refusals(run, theory, tmp_path):
    from hachimi.errors import InputError

    with pytest.raises(InputError, match="not a run folder"):
        _export(tmp_path, theory, tmp_path / "out")
    with pytest.raises(InputError, match="no such folder"):
        _export(tmp_path / "nope", theory, tmp_path / "out")
    with pytest.raises(InputError, match="is a file, not a folder"):
        _export(run, theory, run / "run.json")
    with pytest.raises(InputError, match="cannot create the output folder"):
        _export(run, theory, run / "run.json" / "sub")


def test_datasets_loads_both_tables(run, theory, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    s = _export(run, theory)
    personas = _lines(run / "personas.jsonl")
    ds = datasets.load_dataset("parquet", data_files=s.files["personas"], split="train", cache_dir=str(tmp_path / "hf"))
    assert ds.num_rows == len(personas) and json.loads(ds[0]["persona"]) == personas[0]
    assert ds[0]["id"] == personas[0]["id"]
    log = datasets.load_dataset(
        "parquet", data_files=s.files["attempts"], split="train", cache_dir=str(tmp_path / "hf")
    )
    assert log.num_rows == len(_lines(run / "attempts.jsonl"))

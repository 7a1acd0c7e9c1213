"""The one JSONL reader: a line over the size limit is refused with its number and never loaded
whole (a 50 MB persona line took dedup to 23 GB); the lines after it are read."""

from __future__ import annotations

import gzip
import json
import resource

import pytest

from hachimi.errors import InputError
from hachimi.jsonio import read_records


@pytest.mark.parametrize("opener", [open, gzip.open])
def test_a_line_over_the_limit_is_named_and_skipped(tmp_path, monkeypatch, opener):
    monkeypatch.setenv("HACHIMI_MAX_LINE_BYTES", "4096")
    path = tmp_path / "p.jsonl"
    with opener(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "a"}) + "\n")
        fh.write(json.dumps({"id": "b", "x": "y" * 10_000}) + "\n")
        fh.write(json.dumps({"id": "c", "x": "y" * 4000}) + "\n")  # just under
        fh.write(json.dumps({"id": "d", "x": "z" * 9000}))  # over, last, no newline
    got, problems = read_records(path)
    assert [o["id"] for _, o in got] == ["a", "c"] and [n for n, _ in got] == [1, 3]
    assert problems[0][0] == 2 and "a line of 10,021 bytes, over the limit of 4,096" in problems[0][1]
    assert problems[1][0] == 4 and "HACHIMI_MAX_LINE_BYTES" in problems[1][1]


def test_a_50_mb_line_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "big.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"id": "a"}\n{"id": "b", "x": "' + "y" * (50 << 20) + '"}\n{"id": "c"}\n')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got, problems = read_records(path)
    grew_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert [o["id"] for _, o in got] == ["a", "c"] and problems[0][0] == 2
    assert grew_kb < 20_000, grew_kb  # pieces of 1 MiB, not the 50 MB line


def test_a_limit_that_is_not_a_number(tmp_path, monkeypatch):
    monkeypatch.setenv("HACHIMI_MAX_LINE_BYTES", "lots")
    (tmp_path / "p.jsonl").write_text('{"id": "a"}\n')
    with pytest.raises(InputError, match="HACHIMI_MAX_LINE_BYTES='lots'"):
        read_records(tmp_path / "p.jsonl")

"""The audit database is kept up to date, not rebuilt: a second audit reads only what was appended
to attempts.jsonl since; the result equals a database built from scratch; a rewritten file is
rebuilt; a read-only run folder is audited through the user's cache, writing nothing into it."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest

from conftest import ROOT
from hachimi.audit import store, views

DEMO = ROOT / "tests" / "fixtures" / "runs" / "audit-demo"
FRESH = shutil.ignore_patterns("audit.sqlite")  # copies of the recorded run, without a database


def _dump(db) -> list:
    con = sqlite3.connect(db)
    try:
        tables = ["attempts", "slot_values", "calls", "validations", "violations", "repairs", "events", "problems"]
        return [sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables]
    finally:
        con.close()


@pytest.fixture
def run(tmp_path):
    shutil.copytree(DEMO, tmp_path / "run", ignore=FRESH)
    return tmp_path / "run"


def test_appended_lines_are_read_and_nothing_else(run, tmp_path, monkeypatch):
    lines = (run / "attempts.jsonl").read_bytes().splitlines(keepends=True)
    half = len(lines) // 2
    (run / "attempts.jsonl").write_bytes(b"".join(lines[:half]) + lines[half][:20])  # torn: being written
    problems: list[str] = []
    db = store.build(run, problems)
    assert any("torn last line" in p for p in problems)
    read = []
    real = store._load
    monkeypatch.setattr(
        store, "_load", lambda con, src, offset, n, pr: (read.append((offset, n)), real(con, src, offset, n, pr))
    )
    (run / "attempts.jsonl").write_bytes(b"".join(lines))  # the run went on
    assert store.build(run, []) == db
    assert read == [(sum(map(len, lines[:half])), half)]  # from where it stopped, not from 0
    assert store.build(run, []) == db and len(read) == 1  # nothing new: nothing read
    fresh = tmp_path / "fresh"
    shutil.copytree(DEMO, fresh, ignore=FRESH)
    assert _dump(db) == _dump(store.build(fresh, []))  # the same as built in one go
    import json

    pid = json.loads((run / "personas.jsonl").read_text(encoding="utf-8").splitlines()[-1])["id"]
    assert views.story(db, pid)["persona"] == pid


def test_a_rewritten_file_is_rebuilt(run):
    db = store.build(run, [])
    lines = (run / "attempts.jsonl").read_bytes().splitlines(keepends=True)
    (run / "attempts.jsonl").write_bytes(b"".join(lines[2:]))  # not an append: its head changed
    assert store.build(run, []) == db
    con = sqlite3.connect(db)
    lines_meta = int(dict(con.execute("SELECT key, value FROM meta"))["lines"])
    assert lines_meta == len(lines) - 2


def test_a_read_only_run_folder_is_audited_through_the_cache(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == os.fspath(run) else real(p, mode))
    before = sorted(p.name for p in run.iterdir())
    db = store.build(run, [])
    assert db.parent == tmp_path / "cache" / "hachimi" / "audit" and db.is_file()
    assert sorted(p.name for p in run.iterdir()) == before  # nothing written into the run
    assert views.failed(db) is not None


def test_a_run_folder_with_odd_characters_in_its_path(tmp_path, monkeypatch):
    run = tmp_path / "my runs #1 ?%20" / "run"
    shutil.copytree(DEMO, run, ignore=FRESH)
    db = store.build(run, [])
    read = []
    real = store._load
    monkeypatch.setattr(store, "_load", lambda *a: (read.append(a[2]), real(*a)))
    assert store.build(run, []) == db and read == []  # caught up through the URI, not rebuilt

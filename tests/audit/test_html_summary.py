"""audit.html says what was rejected without a violation (near-duplicates, outside the stratum) and,
at scale, lists a bounded number of violations while counting them all."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT
from hachimi.audit import html, store


def test_near_duplicate_rejections_are_counted_and_rows_are_bounded(tmp_path):
    run = tmp_path / "run"
    shutil.copytree(ROOT / "tests" / "fixtures" / "runs" / "audit-demo", run)
    pid = json.loads((run / "personas.jsonl").read_text().splitlines()[0])["id"]
    with open(run / "attempts.jsonl", "a", encoding="utf-8") as fh:
        for k in range(3):
            fh.write(
                json.dumps({"type": "near_duplicate", "persona": pid, "attempt": 9 + k, "of": "x", "how": "lexical"})
                + "\n"
            )
    db = store.build(run, [])
    page = html.render(db, tmp_path / "a.html", "demo", limit=2).read_text()
    import sqlite3

    (n,) = sqlite3.connect(db).execute("SELECT COUNT(*) FROM violations").fetchone()
    assert n > 2 and f"{n} violations recorded" in page and "the first 2 are listed" in page
    assert "3 valid but rejected as a near-duplicate" in page
    assert page.count("<tr class=") == 2

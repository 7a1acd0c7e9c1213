"""audit.sqlite -> audit.html: a static, searchable table of rejected attempts with their cores
(one small inline script filters rows; no external assets)."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>hachimi audit: {title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:13px}}th{{background:#f4f4f4;position:sticky;top:0}}
input{{font-size:15px;padding:4px;width:40em}}.err{{color:#b00}}.warn{{color:#a60}}code{{font-size:12px}}</style></head>
<body><h1>Rejected and revised attempts</h1><p>{summary}</p>
<p><input id="q" placeholder="filter: persona, rule, field, word in the message or core" oninput="f()"></p>
<table id="rejected"><thead><tr><th>persona</th><th>attempt</th><th>round</th><th>stage</th><th>rule</th>
<th>owner</th><th>message</th><th>core (minimal conflicting facts)</th></tr></thead><tbody>
{rows}
</tbody></table>
<script>function f(){{var q=document.getElementById('q').value.toLowerCase();
document.querySelectorAll('#rejected tbody tr').forEach(function(r){{r.style.display=r.textContent.toLowerCase().indexOf(q)<0?'none':'';}});}}</script>
</body></html>"""


ROWS = 5000  # the page lists this many violations at most (a 1M-persona run has millions: query audit.sqlite)


def render(db: Path, out: Path, title: str = "", limit: int = ROWS) -> Path:
    con = sqlite3.connect(db)
    rows = con.execute(
        """SELECT persona, attempt, round, stage, ref || ' ' || rule, severity, owner, message, core
           FROM violations ORDER BY persona, attempt, seq, rule LIMIT ?""",
        (limit,),
    ).fetchall()
    (n_viol,) = con.execute("SELECT COUNT(*) FROM violations").fetchone()
    n_att, n_acc = con.execute("SELECT COUNT(*), COALESCE(SUM(accepted), 0) FROM attempts").fetchone()
    others = dict(
        con.execute(
            "SELECT type, COUNT(*) FROM events WHERE type IN ('near_duplicate', 'outside_stratum') GROUP BY type"
        ).fetchall()
    )
    con.close()
    body = "\n".join(
        f"<tr class={'err' if sev == 'error' else 'warn'}><td>{html.escape(p)}</td><td>{a}</td><td>{r}</td>"
        f"<td>{html.escape(st)}</td><td>{html.escape(rule)}</td><td>{html.escape(owner)}</td><td>{html.escape(msg)}</td>"
        f"<td><code>{html.escape('; '.join(json.loads(core)))}</code></td></tr>"
        for p, a, r, st, rule, sev, owner, msg, core in rows
    )
    summary = f"{n_att} attempts, {n_acc} accepted; {n_viol} violations recorded (errors in red, warnings in amber)"
    if n_viol > len(rows):
        summary += f"; the first {len(rows)} are listed (all of them are in {html.escape(db.name)})"
    rejected = {
        "near_duplicate": "valid but rejected as a near-duplicate",
        "outside_stratum": "valid but outside its stratum",
    }
    summary += "".join(f"; {others[k]} {why}" for k, why in rejected.items() if others.get(k)) + "."
    out.write_text(_PAGE.format(title=html.escape(title), summary=summary, rows=body), encoding="utf-8")
    return out

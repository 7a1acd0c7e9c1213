"""audit.sqlite -> the answers auditors ask for: one persona's story, rule statistics, failed slots."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path


def _flat(obj, prefix="") -> dict:
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): obj}


def diff(before: dict | None, after: dict | None) -> list[dict]:
    """Field-level changes between two versions of a part."""
    a, b = _flat(before or {}), _flat(after or {})
    return [{"field": k, "from": a.get(k), "to": b.get(k)} for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def _parse(text: str):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None


def story(db: Path, pid: str) -> dict:
    """Every attempt of one persona, in order: calls (with the feedback each received and what changed),
    validations (violations with cores), repairs, and the verdict."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    attempts = [dict(r) for r in con.execute("SELECT * FROM attempts WHERE persona=? ORDER BY attempt", (pid,))]
    if not attempts and not con.execute("SELECT 1 FROM calls WHERE persona=?", (pid,)).fetchone():
        raise KeyError(pid)
    events = []
    last_output: dict[tuple, dict] = {}
    for r in con.execute("SELECT 'call' AS kind, * FROM calls WHERE persona=? ORDER BY seq", (pid,)):
        r = dict(r)
        out = _parse(r["output"])
        prev = last_output.get((r["attempt"], r["agent"]))
        r["changed"] = diff(prev, out) if prev is not None else None
        r["feedback"] = json.loads(r["feedback"]) if r["feedback"] else None
        last_output[(r["attempt"], r["agent"])] = out or {}
        events.append(r)
    for r in con.execute("SELECT * FROM validations WHERE persona=? ORDER BY seq", (pid,)):
        r = dict(r, kind="validation")
        r["violations"] = [
            dict(v, fields=json.loads(v["fields"]), core=json.loads(v["core"]))
            for v in (
                dict(x)
                for x in con.execute(
                    "SELECT rule, ref, severity, owner, fields, message, core FROM violations "
                    "WHERE persona=? AND seq=? ORDER BY rule",
                    (pid, r["seq"]),
                )
            )
        ]
        events.append(r)
    for r in con.execute("SELECT * FROM repairs WHERE persona=? ORDER BY seq", (pid,)):
        events.append(dict(r, kind="repair", changes=json.loads(r["changes"]), fixes=json.loads(r["fixes"])))
    for r in con.execute("SELECT * FROM events WHERE persona=? ORDER BY seq", (pid,)):
        events.append(dict(r, kind=r["type"], detail=json.loads(r["detail"])))
    events.sort(key=lambda e: e["seq"])
    return {"persona": pid, "attempts": attempts, "events": events}


def group_keys(db: Path) -> list[str]:
    """What --rules can be grouped by: the slot variables the run's attempts have, agent, round."""
    con = sqlite3.connect(db)
    variables = [r[0] for r in con.execute("SELECT DISTINCT variable FROM slot_values ORDER BY rowid")]
    con.close()
    return list(dict.fromkeys(variables)) + ["agent", "round"]


def rule_stats(db: Path, by: str = "agent") -> dict:
    """Firing counts and rates of each rule on first-pass proposals, by a slot variable (the theory's
    [slot]: grade, gender, academic_level in k12), agent or round; the rules behind failed attempts;
    mean rounds to fix per rule."""
    keys = group_keys(db)
    if by not in keys:
        raise KeyError(f"cannot group by {by!r}: this run's attempts have {', '.join(keys)}")
    con = sqlite3.connect(db)
    slot_var = by not in ("agent", "round")
    col = {"agent": "v.owner", "round": "v.round"}.get(by, "s.value")
    join = "JOIN slot_values s ON s.persona=a.persona AND s.attempt=a.attempt AND s.variable=:by" if slot_var else ""
    totals = (
        dict(con.execute(f"SELECT s.value, COUNT(*) FROM attempts a {join} GROUP BY 1", {"by": by})) if slot_var else {}
    )
    n_attempts = con.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    rows = con.execute(
        f"""SELECT {col}, v.ref || ' ' || v.rule, COUNT(DISTINCT v.persona || '/' || v.attempt)
        FROM violations v JOIN attempts a ON a.persona=v.persona AND a.attempt=v.attempt {join}
        WHERE {"v.stage='proposal'" if by != "round" else "1=1"}
        GROUP BY 1, 2 ORDER BY 1, 3 DESC""",
        {"by": by},
    ).fetchall()
    table = {}
    for group, rule, count in rows:
        denom = totals.get(group, n_attempts) or 1
        label = json.loads(group) if slot_var else group
        table.setdefault(str(label), []).append({"rule": rule, "count": count, "rate": count / denom})
    failed = con.execute("""SELECT v.ref || ' ' || v.rule, COUNT(DISTINCT v.persona || '/' || v.attempt) FROM violations v
        JOIN attempts a ON a.persona=v.persona AND a.attempt=v.attempt
        WHERE a.accepted=0 AND v.severity='error' AND v.seq = (SELECT MAX(seq) FROM validations w WHERE w.persona=v.persona AND w.attempt=v.attempt)
        GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    fix = con.execute("""SELECT v.ref || ' ' || v.rule, AVG(a.rounds) FROM violations v
        JOIN attempts a ON a.persona=v.persona AND a.attempt=v.attempt
        WHERE v.stage='proposal' AND v.severity='error' AND a.accepted=1 GROUP BY 1 ORDER BY 2 DESC""").fetchall()
    return {
        "by": by,
        "attempts": n_attempts,
        "table": table,
        "failed_attempts_by_rule": dict(failed),
        "mean_rounds_to_fix": {k: round(v, 2) for k, v in fix},
    }


def failed(db: Path) -> list[dict]:
    """Slots whose every attempt failed (a shortfall), with the last reason of each attempt."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = con.execute("""SELECT persona, COUNT(*) AS attempts, GROUP_CONCAT(reason, ' | ') AS reasons
        FROM attempts GROUP BY persona HAVING SUM(accepted) = 0 ORDER BY persona""").fetchall()
    return [dict(r) for r in rows]

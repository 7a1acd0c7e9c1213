"""attempts.jsonl (the append-only source of truth) -> audit.sqlite, rebuilt idempotently: slots,
attempts, agent calls, violations (rule, ref, fields, core, message), repairs, feedback, seeds,
tokens, timings. Query it with any SQLite client."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

SCHEMA = """
CREATE TABLE attempts (persona TEXT, attempt INT, grade INT, gender TEXT, level TEXT, accepted INT,
  first_pass_valid INT, rounds INT, calls INT, tokens INT, seconds REAL, reason TEXT,
  PRIMARY KEY (persona, attempt));
CREATE TABLE calls (persona TEXT, attempt INT, round INT, agent TEXT, template TEXT, template_hash TEXT,
  grammar_hash TEXT, seed INT, max_new_tokens INT, tokens INT, seconds REAL, error TEXT, output TEXT,
  feedback TEXT, seq INT);
CREATE TABLE validations (persona TEXT, attempt INT, round INT, stage TEXT, valid INT, seq INT, error TEXT);
CREATE TABLE violations (persona TEXT, attempt INT, round INT, stage TEXT, rule TEXT, ref TEXT, severity TEXT,
  owner TEXT, fields TEXT, message TEXT, core TEXT, seq INT);
CREATE TABLE repairs (persona TEXT, attempt INT, round INT, changes TEXT, fixes TEXT, seq INT);
CREATE TABLE events (persona TEXT, attempt INT, type TEXT, detail TEXT, seq INT);
CREATE INDEX v_rule ON violations(rule); CREATE INDEX c_persona ON calls(persona);
"""
_ID = re.compile(r"^g(\d+)-(female|male)-(high|medium|low|poor)-")


def _slot(e: dict) -> tuple:
    s = e.get("slot") or {}
    if s:
        return s.get("grade"), s.get("gender"), s.get("academic_level")
    m = _ID.match(e.get("persona", ""))
    return (int(m.group(1)), m.group(2), m.group(3)) if m else (None, None, None)


def build(run: Path) -> Path:
    """(Re)build run/audit.sqlite from run/attempts.jsonl; the same input gives the same database."""
    src, db = run / "attempts.jsonl", run / "audit.sqlite"
    if not src.exists():
        raise FileNotFoundError(f"{src} does not exist")
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.executescript(SCHEMA)
    for seq, line in enumerate(src.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            _insert(con, json.loads(line), seq)
    con.commit()
    con.close()
    tmp.replace(db)
    return db


def _insert(con, e: dict, seq: int) -> None:
    t, key = e.get("type"), (e.get("persona"), e.get("attempt", 0))
    if t == "outcome":
        con.execute("INSERT OR REPLACE INTO attempts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*key, *_slot(e), int(e.get("accepted", False)), int(e.get("first_pass_valid", False)),
                     e.get("rounds", 0), e.get("calls", 0), e.get("tokens", 0), e.get("seconds", 0), e.get("reason", "")))
    elif t == "call":
        con.execute("INSERT INTO calls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*key, e["round"], e["agent"], e["template"], e["template_hash"], e["grammar_hash"], e["seed"],
                     e["max_new_tokens"], e["tokens"], e["seconds"], e["error"], e["output"],
                     json.dumps(e["feedback"], ensure_ascii=False) if e.get("feedback") is not None else None, seq))
    elif t == "validation":
        con.execute("INSERT INTO validations VALUES (?,?,?,?,?,?,?)", (*key, e["round"], e["stage"], int(e["valid"]), seq,
                                                                         (e.get("error") or {}).get("reason")))
        for v in e.get("violations", []):
            con.execute("INSERT INTO violations VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (*key, e["round"], e["stage"], v["rule"], v["ref"], v["severity"], v["owner"],
                         json.dumps(v["fields"]), v["message"], json.dumps(v["core"], ensure_ascii=False), seq))
    elif t == "repair_applied":
        con.execute("INSERT INTO repairs VALUES (?,?,?,?,?,?)", (*key, e["round"], json.dumps(e["changes"], ensure_ascii=False),
                                                                 json.dumps(e["fixes"]), seq))
    else:
        con.execute("INSERT INTO events VALUES (?,?,?,?,?)", (*key, t, json.dumps(e, ensure_ascii=False), seq))

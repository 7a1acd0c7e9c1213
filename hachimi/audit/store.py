"""attempts.jsonl (the append-only source of truth) -> audit.sqlite, rebuilt idempotently: slots,
attempts, agent calls, violations (rule, ref, fields, core, message), repairs, feedback, seeds,
tokens, timings. Query it with any SQLite client. The slot an attempt was made for is whatever the
theory's [slot] holds: one row per variable in slot_values (its scalar values; the bias list is in
the outcome event), and the cell label in attempts.cell."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ..schema.spec import CELL

SCHEMA = """
CREATE TABLE attempts (persona TEXT, attempt INT, cell TEXT, accepted INT,
  first_pass_valid INT, rounds INT, calls INT, tokens INT, seconds REAL, reason TEXT,
  PRIMARY KEY (persona, attempt));
CREATE TABLE slot_values (persona TEXT, attempt INT, variable TEXT, value TEXT,
  PRIMARY KEY (persona, attempt, variable));
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


def _slot(e: dict) -> dict:
    """The slot's scalar values (its variables; a list such as the bias, and the cell label, left out)."""
    s = e.get("slot") if isinstance(e.get("slot"), dict) else {}
    return {k: v for k, v in s.items() if k != CELL and isinstance(v, (str, int, float)) and not isinstance(v, bool)}


def build(run: Path, problems: list[str] | None = None) -> Path:
    """(Re)build run/audit.sqlite from run/attempts.jsonl; the same input gives the same database.
    Lines that cannot be read (a torn last line after a crash, garbage, a record missing keys) are
    skipped and described in `problems` as 'attempts.jsonl:LINE: why'."""
    src, db = run / "attempts.jsonl", run / "audit.sqlite"
    if not src.is_file():
        from ..errors import InputError

        raise InputError(f"{src}: no such file (is {run} a run folder made by `hachimi generate`?)")
    problems = problems if problems is not None else []
    from ..fsio import atomic_path

    with atomic_path(db) as tmp:  # a failed build leaves the old database (or none), never half of one
        con = sqlite3.connect(tmp)
        try:
            con.executescript(SCHEMA)
            _load(con, src, problems)
            con.commit()
        finally:
            con.close()
    return db


def _load(con, src: Path, problems: list[str]) -> None:
    with open(src, "rb") as fh:
        for seq, raw in enumerate(fh):
            if not raw.strip():
                continue
            where = f"{src.name}:{seq + 1}"
            try:
                e = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as err:
                problems.append(f"{where}: not UTF-8 (byte {err.start + 1}); skipped")
                continue
            except json.JSONDecodeError as err:
                torn = not raw.endswith(b"\n")
                problems.append(
                    f"{where}: "
                    + (
                        "torn last line (a write cut short); skipped"
                        if torn
                        else f"not JSON ({err.msg} at column {err.colno}); skipped"
                    )
                )
                continue
            if not isinstance(e, dict):
                problems.append(f"{where}: not a JSON object; skipped")
                continue
            try:
                _insert(con, e, seq)
            except KeyError as err:
                problems.append(f"{where}: a '{e.get('type')}' record without the key {err.args[0]!r}; skipped")
            except sqlite3.OperationalError:
                raise  # the database itself (a full disk), not the record
            except (TypeError, ValueError, sqlite3.Error) as err:
                problems.append(f"{where}: a '{e.get('type')}' record with a malformed value ({err}); skipped")


def _insert(con, e: dict, seq: int) -> None:
    t, key = e.get("type"), (e.get("persona"), e.get("attempt", 0))
    if t == "outcome":
        slot = _slot(e)
        con.execute("DELETE FROM slot_values WHERE persona = ? AND attempt = ?", key)
        con.executemany("INSERT INTO slot_values VALUES (?,?,?,?)", [(*key, k, json.dumps(v)) for k, v in slot.items()])
        con.execute(
            "INSERT OR REPLACE INTO attempts VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                *key,
                (e.get("slot") or {}).get(CELL) or ",".join(f"{k}={v}" for k, v in slot.items()) or None,
                int(e.get("accepted", False)),
                int(e.get("first_pass_valid", False)),
                e.get("rounds", 0),
                e.get("calls", 0),
                e.get("tokens", 0),
                e.get("seconds", 0),
                e.get("reason", ""),
            ),
        )
    elif t == "call":
        con.execute(
            "INSERT INTO calls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                *key,
                e["round"],
                e["agent"],
                e["template"],
                e["template_hash"],
                e["grammar_hash"],
                e["seed"],
                e["max_new_tokens"],
                e["tokens"],
                e["seconds"],
                e["error"],
                e["output"],
                json.dumps(e["feedback"], ensure_ascii=False) if e.get("feedback") is not None else None,
                seq,
            ),
        )
    elif t == "validation":
        con.execute(
            "INSERT INTO validations VALUES (?,?,?,?,?,?,?)",
            (*key, e["round"], e["stage"], int(e["valid"]), seq, (e.get("error") or {}).get("reason")),
        )
        for v in e.get("violations", []):
            con.execute(
                "INSERT INTO violations VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    *key,
                    e["round"],
                    e["stage"],
                    v["rule"],
                    v["ref"],
                    v["severity"],
                    v["owner"],
                    json.dumps(v["fields"]),
                    v["message"],
                    json.dumps(v["core"], ensure_ascii=False),
                    seq,
                ),
            )
    elif t in ("near_duplicate", "outside_stratum"):  # valid, but rejected by the session afterwards
        why = f"near-duplicate of {e.get('of')} ({e.get('how')})" if t == "near_duplicate" else "outside its stratum"
        con.execute("UPDATE attempts SET accepted = 0, reason = ? WHERE persona = ? AND attempt = ?", (why, *key))
        con.execute("INSERT INTO events VALUES (?,?,?,?,?)", (*key, t, json.dumps(e, ensure_ascii=False), seq))
    elif t == "repair_applied":
        con.execute(
            "INSERT INTO repairs VALUES (?,?,?,?,?,?)",
            (*key, e["round"], json.dumps(e["changes"], ensure_ascii=False), json.dumps(e["fixes"]), seq),
        )
    else:
        con.execute("INSERT INTO events VALUES (?,?,?,?,?)", (*key, t, json.dumps(e, ensure_ascii=False), seq))

"""attempts.jsonl (the append-only source of truth) -> audit.sqlite: slots, attempts, agent calls,
violations (rule, ref, fields, core, message), repairs, feedback, seeds, tokens, timings. Query it
with any SQLite client. The slot an attempt was made for is whatever the theory's [slot] holds: one
row per variable in slot_values (its scalar values; the bias list is in the outcome event), and
the cell label in attempts.cell.

Kept up to date, not rebuilt: the database records how far into attempts.jsonl it has read (bytes
and lines) and a hash of the file's first bytes; each audit reads only the lines appended since, in
one transaction, so one persona's story is an indexed lookup however large the run. A file that
was rewritten (its head differs, or it shrank) or a database of another layout is rebuilt, whole or
not at all. A run folder that cannot be written (read-only media) is audited through a database in
the user's cache folder."""

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
CREATE INDEX va_persona ON validations(persona); CREATE INDEX vi_persona ON violations(persona);
CREATE INDEX r_persona ON repairs(persona); CREATE INDEX e_persona ON events(persona);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE problems (line INT PRIMARY KEY, why TEXT);
"""
LAYOUT = "2"  # bump when SCHEMA changes: an older database is rebuilt
HEAD = 4096  # bytes of attempts.jsonl hashed to tell an appended file from a rewritten one


def _slot(e: dict) -> dict:
    """The slot's scalar values (its variables; a list such as the bias, and the cell label, left out)."""
    s = e.get("slot") if isinstance(e.get("slot"), dict) else {}
    return {k: v for k, v in s.items() if k != CELL and isinstance(v, (str, int, float)) and not isinstance(v, bool)}


def _head(src: Path) -> str:
    import hashlib

    with open(src, "rb") as fh:
        return hashlib.sha256(fh.read(HEAD)).hexdigest()


def _where(run: Path) -> Path:
    """run/audit.sqlite, or a database in the user's cache when the run folder cannot be written."""
    import os

    if os.access(run, os.W_OK):
        return run / "audit.sqlite"
    import hashlib

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hachimi" / "audit"
    cache.mkdir(parents=True, exist_ok=True)
    return cache / f"{hashlib.sha256(str(run.resolve()).encode()).hexdigest()[:16]}.sqlite"


def build(run: Path, problems: list[str] | None = None) -> Path:
    """The run's audit database brought up to date with run/attempts.jsonl (only the lines appended
    since the last audit are read); the same input gives the same database. Lines that cannot be
    read (a torn last line after a crash, garbage, a record missing keys) are skipped and described
    in `problems` as 'attempts.jsonl:LINE: why'."""
    src = run / "attempts.jsonl"
    if not src.is_file():
        from ..errors import InputError

        raise InputError(f"{src}: no such file (is {run} a run folder made by `hachimi generate`?)")
    problems = problems if problems is not None else []
    size, head, target = src.stat().st_size, _head(src), _where(run)
    for db in dict.fromkeys([run / "audit.sqlite", target]):
        if db.is_file() and _catch_up(db, src, size, head, problems, writable=db == target):
            return db
    from ..fsio import atomic_path

    with atomic_path(target) as tmp:  # a failed build leaves the old database (or none), never half of one
        con = sqlite3.connect(tmp)
        try:
            con.executescript(SCHEMA)
            con.executemany("INSERT INTO meta VALUES (?, ?)", [("layout", LAYOUT), ("head", head)])
            _load(con, src, 0, 0, problems)
            con.commit()
        finally:
            con.close()
    return target


def _catch_up(db: Path, src: Path, size: int, head: str, problems: list[str], writable: bool) -> bool:
    """Read into `db` what attempts.jsonl gained since; False when it must be rebuilt."""
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode={'rw' if writable else 'ro'}", uri=True)
    except sqlite3.Error:
        return False
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
        offset, lines = int(meta.get("offset", -1)), int(meta.get("lines", 0))
        if meta.get("layout") != LAYOUT or meta.get("head") != head or not 0 <= offset <= size:
            return False
        if offset < size:
            if not writable:
                return False
            _load(con, src, offset, lines, problems)
            con.commit()
        problems[:0] = [f"{src.name}:{n}: {why}" for n, why in con.execute("SELECT line, why FROM problems")]
        return True
    except (sqlite3.Error, ValueError):
        return False
    finally:
        con.close()


def _load(con, src: Path, offset: int, lines: int, problems: list[str]) -> None:
    """Lines of src from byte `offset` (line `lines` + 1 on); a last line without its newline (being
    written, or torn by a crash) is reported and left for the next audit."""
    from ..jsonio import LineError, appended

    for end, n, raw in appended(src, offset, lines):
        seq, lines, offset = lines, n, end
        if isinstance(raw, LineError):  # over the line limit: never loaded
            why = f"{raw}; skipped"
        elif not raw.strip():
            continue
        else:
            why = _record(con, raw, seq)
        if why:
            problems.append(f"{src.name}:{lines}: {why}")
            con.execute("INSERT OR REPLACE INTO problems VALUES (?, ?)", (lines, why))
    if offset < src.stat().st_size:
        problems.append(f"{src.name}:{lines + 1}: torn last line (a write cut short); skipped")
    con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [("offset", str(offset)), ("lines", str(lines))])


def _record(con, raw: bytes, seq: int) -> str | None:
    """Insert one line; why it was skipped, if it was."""
    try:
        e = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        return f"not UTF-8 (byte {err.start + 1}); skipped"
    except json.JSONDecodeError as err:
        return f"not JSON ({err.msg} at column {err.colno}); skipped"
    if not isinstance(e, dict):
        return "not a JSON object; skipped"
    try:
        _insert(con, e, seq)
    except KeyError as err:
        return f"a '{e.get('type')}' record without the key {err.args[0]!r}; skipped"
    except sqlite3.OperationalError:
        raise  # the database itself (a full disk), not the record
    except (TypeError, ValueError, sqlite3.Error) as err:
        return f"a '{e.get('type')}' record with a malformed value ({err}); skipped"
    return None


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

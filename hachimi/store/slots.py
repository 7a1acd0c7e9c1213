"""attempts.jsonl -> each slot's resume state (the next attempt number, a valid candidate not yet
committed) and the run's counters, kept in RUN/slots.sqlite and brought up to date by reading only
the lines appended since (the audit database's scheme): a resume reads the index and the log's
tail, not the whole log (~10 KB per slot: 10 GB at 1M), and the generation loop catches the index
up as it writes its manifest, so the tail stays a few seconds long.

The log is the truth: a database whose head hash (the log's first 4 KB) or offset no longer fits
the log, or of another layout, is rebuilt from the start; a database that cannot be written is
read around (the state is folded in memory). Only whole lines are read: a line being written when
the loop catches up is read the next time."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FILE = "slots.sqlite"
LAYOUT = "1"
HEAD = 4096
COUNTED = ("calls", "tokens", "rounds")
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE slots (persona TEXT PRIMARY KEY, next_attempt INT, candidate_attempt INT, candidate_at INT)
    WITHOUT ROWID;
CREATE TABLE disposed (persona TEXT, attempt INT, PRIMARY KEY (persona, attempt)) WITHOUT ROWID;
"""


@dataclass
class SlotState:
    next_attempt: int = 0
    candidate: tuple[dict, int] | None = None  # (persona, attempt): valid, awaiting its dedup check
    candidate_at: tuple[int, int] | None = None  # (attempt, byte offset of its outcome line): the index's


def fold(slot: SlotState, counts: Counter, e: dict, at: int) -> bool:
    """One attempts.jsonl record (starting at byte `at`) into its slot's state and the counters;
    True when it disposed of a candidate (a near-duplicate: its (persona, attempt) is remembered).
    A valid candidate is remembered by where its line is, not held: whether it was committed,
    personas.jsonl says when the state is loaded."""
    kind = e.get("type")
    if kind == "outcome":
        slot.next_attempt = max(slot.next_attempt, e["attempt"] + 1)
        counts["attempts"] += 1
        counts["first_pass_valid"] += bool(e.get("first_pass_valid"))
        for k in COUNTED:
            counts[k] += e.get(k, 0)
        counts["engine_seconds"] += e.get("seconds", 0.0)
        reason = e.get("reason", "")
        counts["outside_stratum"] += reason.startswith("outside its stratum")
        counts["engine_errors"] += reason.startswith("engine error")
        if e.get("accepted") and "candidate" in e:
            slot.candidate_at = (e["attempt"], at)
    elif kind == "near_duplicate":
        counts["near_duplicates"] += 1
        return True
    return False


def _head(src: Path) -> str:
    with open(src, "rb") as fh:
        return hashlib.sha256(fh.read(HEAD)).hexdigest()


class SlotIndex:
    """RUN/slots.sqlite over RUN/attempts.jsonl."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.src, self.db = self.folder / "attempts.jsonl", self.folder / FILE

    def _open(self, head: str, size: int):
        """A connection to an index that fits the log (rebuilt when it does not), or None when the
        folder cannot hold one."""
        for attempt in range(2):
            try:
                con = sqlite3.connect(self.db)
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not tables:
                    con.executescript(SCHEMA)
                    con.executemany(
                        "INSERT INTO meta VALUES (?, ?)",
                        [("layout", LAYOUT), ("head", head), ("offset", "0"), ("lines", "0"), ("counts", "{}")],
                    )
                    con.commit()
                    return con
                meta = dict(con.execute("SELECT key, value FROM meta"))
                if meta.get("layout") == LAYOUT and meta.get("head") == head and 0 <= int(meta["offset"]) <= size:
                    return con
                con.close()
            except (sqlite3.Error, ValueError, KeyError):
                pass
            if attempt == 0:
                try:
                    self.db.unlink(missing_ok=True)  # another layout, a rewritten log, or damaged: rebuilt
                except OSError:
                    return None
        return None

    def catch_up(self, strict: bool = True) -> tuple[dict[str, SlotState], Counter, set] | None:
        """Fold the lines appended since into the index. Returns None when it is up to date in the
        database; (slots, counts, disposed) folded in memory from the whole log when the database
        cannot be used. `strict`: a line that cannot be read stops with an error naming it (a
        resume); else the index stops before it (the loop's catch-up, which must not fail)."""
        if not self.src.exists():
            return {}, Counter(), set()  # nothing logged yet
        size = self.src.stat().st_size
        head = _head(self.src)
        con = self._open(head, size)
        if con is None:
            return _fold_all(self.src, strict)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
            offset, lines = int(meta["offset"]), int(meta["lines"])
            counts = Counter(json.loads(meta["counts"]))
            touched: dict[str, SlotState] = {}
            disposed = []
            for end, n, e, at in _tail(self.src, offset, lines, strict):
                offset, lines = end, n
                if e is None:
                    continue
                pid = e["persona"]
                s = touched.get(pid) or touched.setdefault(pid, self._row(con, pid))
                if fold(s, counts, e, at):
                    disposed.append((pid, e["attempt"]))
            con.executemany(
                "INSERT OR REPLACE INTO slots VALUES (?, ?, ?, ?)",
                [(pid, s.next_attempt, *(s.candidate_at or (None, None))) for pid, s in touched.items()],
            )
            con.executemany("INSERT OR IGNORE INTO disposed VALUES (?, ?)", disposed)
            con.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("offset", str(offset)), ("lines", str(lines)), ("counts", json.dumps(counts))],
            )
            con.commit()
            return None
        except sqlite3.Error:  # the database broke under us (a full disk): folded in memory instead
            con.close()
            try:
                self.db.unlink(missing_ok=True)
            except OSError:
                pass
            return _fold_all(self.src, strict)
        finally:
            con.close()

    @staticmethod
    def _row(con, pid: str) -> SlotState:
        row = con.execute(
            "SELECT next_attempt, candidate_attempt, candidate_at FROM slots WHERE persona = ?", (pid,)
        ).fetchone()
        if row is None:
            return SlotState()
        return SlotState(row[0], None, (row[1], row[2]) if row[1] is not None else None)

    def candidate(self, at: int) -> dict:
        """The candidate persona of the outcome line at byte `at` of the log."""
        from ..jsonio import appended, parse_line

        for _, _, raw in appended(self.src, at):
            return parse_line(raw)["candidate"]
        raise KeyError(at)

    def load(self) -> tuple[dict[str, SlotState], Counter, set]:
        """Every slot's state (candidates by where they are: candidate_at), the counters and the
        disposed (persona, attempt) pairs, with the index brought up to date first."""
        folded = self.catch_up(strict=True)
        if folded is not None:
            return folded
        con = sqlite3.connect(self.db)
        try:
            slots = {
                pid: SlotState(nxt, None, (ca, at) if ca is not None else None)
                for pid, nxt, ca, at in con.execute(
                    "SELECT persona, next_attempt, candidate_attempt, candidate_at FROM slots"
                )
            }
            disposed = set(con.execute("SELECT persona, attempt FROM disposed"))
            counts = Counter(json.loads(dict(con.execute("SELECT key, value FROM meta"))["counts"]))
            return slots, counts, disposed
        finally:
            con.close()


def _fold_all(src: Path, strict: bool) -> tuple[dict[str, SlotState], Counter, set]:
    """The whole log folded in memory (no usable database)."""
    slots, counts, disposed = {}, Counter(), set()
    for _, _, e, at in _tail(src, 0, 0, strict):
        if e is None:
            continue
        s = slots.setdefault(e["persona"], SlotState())
        if fold(s, counts, e, at):
            disposed.add((e["persona"], e["attempt"]))
    return slots, counts, disposed


def _tail(src: Path, offset: int, lines: int, strict: bool):
    """(offset after the line, line number, record or None, offset of the line) for each whole
    line from `offset` on; the record only where it says something about a slot (an outcome or a
    near-duplicate)."""
    from ..errors import HachimiError
    from ..jsonio import LineError, appended, parse_line

    for end, n, raw in appended(src, offset, lines):
        at = offset
        offset = end
        if not isinstance(raw, LineError) and not raw.strip():
            yield end, n, None, at
            continue
        e = parse_line(raw) if not isinstance(raw, LineError) else raw
        bad = e if isinstance(e, LineError) else None
        if bad is None and e.get("type") in ("outcome", "near_duplicate"):
            if not isinstance(e.get("persona"), str) or not isinstance(e.get("attempt"), int):
                bad = "an outcome without its persona id or attempt number"
        if bad is not None:
            if strict:
                raise HachimiError(
                    f"{src}:{n}: {bad}; this folder was edited or damaged "
                    "(only a torn last line is repaired automatically)"
                )
            return
        yield end, n, (e if e.get("type") in ("outcome", "near_duplicate") else None), at

"""JSONL lines -> one contract record per line (valid, violations with cores, repair, error)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import json

import orjson

from .explain.violation import Violation, make_violation
from .facts.reader import Record, read
from .theory.pack import Theory

CHUNK = 2000
BATCH_MIN = 64  # from this many readable personas on, ground them together
WARM = 8  # a validator that has seen this many personas in small chunks builds the reusable engine


@dataclass
class Result:
    line: int
    id: str | None
    valid: bool
    violations: list[Violation] = field(default_factory=list)
    repair: dict | None = None
    error: dict | None = None
    record: Record | None = None

    def to_dict(self) -> dict:
        return {
            "line": self.line,
            "id": self.id,
            "valid": self.valid,
            "violations": [v.to_dict() for v in self.violations],
            "repair": self.repair,
            "error": self.error,
        }


def _error(line: int, reason: str, column: int | None = None, pid: str | None = None) -> Result:
    return Result(line, pid, False, error={"line": line, "column": column, "reason": reason})


def _dumps(obj: Any) -> str:
    try:
        return orjson.dumps(obj).decode()
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(obj, default=repr)


UNREADABLE = "\x00unreadable:"  # prefix of a line the reader could not decode (the reason follows)


def parse_line(line_no: int, text: str) -> tuple[Any, Result | None]:
    """Decode one JSONL line; a bad line becomes an error Result naming line and column."""
    if text.startswith(UNREADABLE):
        return None, _error(line_no, text[len(UNREADABLE) :])
    if not text.strip():
        return None, _error(line_no, "empty line: expected one JSON object per line")
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        try:  # orjson refuses integers beyond 64 bits; the stdlib does not
            return json.loads(text), None
        except (json.JSONDecodeError, RecursionError):
            return None, _error(line_no, f"not JSON: {e.msg}", e.colno)
        except ValueError as big:  # an integer of more digits than Python converts (4,300)
            return None, _error(line_no, f"not JSON that can be read: {big}".split(";")[0])
    if dup := duplicate_key(text, obj):
        pid = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
        return None, _error(
            line_no, f"duplicate key {dup}: JSON would silently keep the last value; remove one of them", pid=pid
        )
    return obj, None


class _Duplicate(Exception):
    pass


def _pairs(pairs: list) -> dict:
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set = set()
        raise _Duplicate(next(k for k, _ in pairs if k in seen or seen.add(k)))
    return d


def duplicate_key(text: str, obj: Any) -> str | None:
    """'"age" in enrollment' for the first key that appears twice in one object, else None."""
    if text.count('":') < 2:
        return None
    try:
        json.loads(text, object_pairs_hook=_pairs)
        return None
    except _Duplicate as d:
        key = d.args[0]
    except (ValueError, RecursionError):
        return None
    return f"{json.dumps(key, ensure_ascii=False)}" + (f" in {where}" if (where := _path_of(obj, key)) else "")


def _path_of(node: Any, key: str, prefix: str = "") -> str | None:
    if isinstance(node, dict):
        if key in node:
            return prefix or "the top level"
        for k, v in node.items():
            if (found := _path_of(v, key, f"{prefix}.{k}" if prefix else k)) is not None:
                return found
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if (found := _path_of(v, key, f"{prefix}[{i}]")) is not None:
                return found
    return None


class Validator:
    """Validates personas against a theory; solvers are built once and reused."""

    def __init__(self, theory: Theory, explain: bool = True, repair: bool = True):
        self.theory, self.explain, self.do_repair = theory, explain, repair
        self._engine = self._cores = self._repairer = None
        self._seen = 0  # personas validated so far (the engine pays off once many come one by one)

    @property
    def engine(self):
        """One ground completion program, reused for every persona (detection and cores)."""
        if self._engine is None:
            from .solve.engine import Engine

            self._engine = Engine(self.theory)
        return self._engine

    @property
    def cores(self):
        if self._cores is None:
            from .explain.core import CoreFinder

            self._cores = CoreFinder(self.theory, self.engine)
        return self._cores

    @property
    def repairer(self):
        if self._repairer is None:
            from .explain.repair import Repairer

            self._repairer = Repairer(self.theory)
        return self._repairer

    def validate_lines(self, lines: Iterable[str], start: int = 1) -> Iterator[Result]:
        """Results in input order, one per line, streamed chunk by chunk."""
        batch: list[tuple[int, Any]] = []
        for n, text in enumerate(lines, start):
            batch.append((n, text))
            if len(batch) >= CHUNK:
                yield from self._chunk(batch)
                batch = []
        if batch:
            yield from self._chunk(batch)

    def validate_objects(self, objs: Iterable[Any]) -> Iterator[Result]:
        """Already-decoded personas (dicts), numbered from 1."""
        return self.validate_lines((_dumps(o) for o in objs))

    def _chunk(self, batch: list[tuple[int, str]]) -> list[Result]:
        from .solve.batch import detect

        results: list[Result | None] = []
        readable: list[tuple[int, Record, set[str]]] = []
        for n, text in batch:
            obj, err = parse_line(n, text)
            if err is None:
                rec = read(obj, self.theory.text)
                if rec.problems:
                    err = _error(n, "; ".join(rec.problems), pid=rec.id)
                else:
                    readable.append((len(results), rec, {f.atom(0) for f in rec.facts}))
            results.append(err)
        # A few personas (the generation loop validates one at a time): one solve each under
        # assumptions on the engine's ground program, no grounding. Many (a file), or facts the
        # engine lacks (e.g. an unusually long trait list), or the first few of a short run (the
        # engine's ground program costs more than grounding a handful): grounded together. Both give
        # the same violations (tests/solve/test_batch.py).
        rest = readable
        self._seen += len(readable)
        if 0 < len(readable) < BATCH_MIN and (self._engine is not None or self._seen > WARM):
            engine = self.engine
            rest = [(slot, rec, present) for slot, rec, present in readable if not engine.covers(present)]
            for slot, rec, present in readable:
                if engine.covers(present):
                    results[slot] = self._explain(batch[slot][0], rec, engine.detect(present), present)
        hits = detect(self.theory, [rec for _, rec, _ in rest]) if rest else []
        for (slot, rec, present), found in zip(rest, hits):
            results[slot] = self._explain(batch[slot][0], rec, found, present)
        return results  # type: ignore[return-value]

    def _explain(self, line: int, rec: Record, hits, present: set[str]) -> Result:
        violations = []
        for h in hits:
            rule = self.theory.rules[h.rule]
            core = self.cores.core(present, h.rule, h.key_text) if self.explain else []
            violations.append(make_violation(rule, h.key, h.details, rec.values, core or [], self.theory.schema))
        valid = not any(v.severity == "error" for v in violations)
        repair = None
        if self.do_repair and violations:
            repair = self.repairer.repair(present, rec.values, {v.rule: v.ref for v in violations}).to_dict()
        return Result(line, rec.id, valid, violations, repair, None, rec)

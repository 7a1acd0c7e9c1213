"""A run folder -> personas.parquet and attempts.parquet for analysts and Hugging Face `datasets`.

Personas get flat columns for the id, the run theory's person, slot and structured fields (named by
their dotted path, as in JSON and ASP; typed from the schema), any top-level scalars of the data,
and the whole persona as JSON text (`persona`). Attempts get the log's common keys (type, persona,
attempt, round, agent, stage, valid, accepted, ...), the line they came from and the whole record as
JSON text (`record`): attempt records have many shapes. Both JSONL files are streamed through
jsonio.records and written in record batches (of N rows, or fewer when their JSON text reaches
64 MiB), so memory is bounded by the batch, not the run;
a line that cannot be read (torn, over-long, not JSON) is reported with its file and line and
skipped. Each file appears whole or not at all (written beside its destination, then renamed)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import InputError, MissingExtraError

INT64 = (-(1 << 63), (1 << 63) - 1)
# The attempts log's own keys (hachimi.generate writes them for every theory) and their types;
# a record without one (or with another type) has null there.
ATTEMPT_KEYS = (
    ("type", "string"),
    ("persona", "string"),
    ("attempt", "int"),
    ("round", "int"),
    ("agent", "string"),
    ("stage", "string"),
    ("valid", "bool"),
    ("accepted", "bool"),
    ("reason", "string"),
    ("seed", "int"),
    ("tokens", "int"),
    ("seconds", "float"),
)
MAX_LISTED = 100  # skipped lines listed in the summary (all are counted and reported as they come)
SAMPLE = 1000  # personas read before writing, to find the top-level scalars the schema does not name
BATCH_BYTES = 64 << 20  # a batch is written early when its JSON text reaches this (long attempt records)


@dataclass
class Column:
    """A flat column: its name (a dotted path into the record), type and description."""

    name: str
    kind: str  # string | int | bool | float | list<string> | list<int>
    description: str = ""
    keys: tuple[str, ...] = ()  # the path into the record (default: the name split at dots)

    def __post_init__(self):
        self.keys = self.keys or tuple(self.name.split("."))

    def value(self, record: dict):
        node = record
        for k in self.keys:
            node = node.get(k) if isinstance(node, dict) else None
        return convert(node, self.kind)


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    skipped_lines: int = 0
    skipped: list[dict] = field(default_factory=list)  # the first MAX_LISTED: {"file", "line", "error"}

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "files": self.files,
            "columns": self.columns,
            "skipped_lines": self.skipped_lines,
            "skipped": self.skipped,
        }


def convert(v, kind: str):
    """`v` as a value of the column type, or None (the JSON column keeps what does not fit)."""
    from ..jsonio import safe_text

    if kind == "string":
        return safe_text(v) if isinstance(v, str) else None
    if kind == "int":
        return v if isinstance(v, int) and not isinstance(v, bool) and INT64[0] <= v <= INT64[1] else None
    if kind == "bool":
        return v if isinstance(v, bool) else None
    if kind == "float":
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) < 1e308 else None
    if kind.startswith("list<"):
        if not isinstance(v, list):
            return None
        items = [convert(x, kind[5:-1]) for x in v]
        return None if any(x is None for x in items) else items
    raise ValueError(f"unknown column kind {kind}")


def _value_kind(values: Iterable) -> str:
    """int when every value is an integer (not a bool), else string."""
    values = list(values)
    return "int" if values and all(isinstance(x, int) and not isinstance(x, bool) for x in values) else "string"


def persona_columns(schema) -> list[Column]:
    """id, then the schema's person fields, slot fields and structured (int, enum, set, count) fields,
    in schema order, typed from their kind and domain; narratives stay in the JSON column."""
    person = {getattr(schema.person, k) for k in ("name", "agent_name", "gender", "age")} - {""}
    cols = [Column("id", "string", "the persona's id")]
    for f in schema.fields:
        if not (f.structured or f.path in person or f.keys[0] == "slot"):
            continue
        if f.kind == "int":
            kind = "int"
        elif f.kind == "enum":
            kind = _value_kind(f.domain)
        elif f.kind == "set":
            kind = f"list<{_value_kind(f.domain)}>"
        elif f.kind == "count":  # a list of texts whose length the theory counts
            kind = "list<string>"
        else:
            kind = "string"
        cols.append(Column(f.path, kind, f.description))
    return cols


def data_columns(first: list[dict], taken: set[str]) -> list[Column]:
    """Top-level scalars of the first personas that no schema column covers, typed by their values
    (a key whose values disagree in type is left to the JSON column)."""
    seen: dict[str, set[str]] = {}
    for p in first:
        for k, v in p.items():
            if k in taken or "." in k or isinstance(v, (dict, list)) or v is None:
                continue
            seen.setdefault(k, set()).add(
                "bool" if isinstance(v, bool) else "int" if isinstance(v, int) else type(v).__name__
            )
    kinds = {"bool": "bool", "int": "int", "float": "float", "str": "string"}
    out = []
    for k, types in seen.items():
        if types == {"int", "float"}:
            types = {"float"}
        kind = kinds.get(next(iter(types))) if len(types) == 1 else None
        if kind is not None:
            out.append(Column(k, kind, keys=(k,)))
    return out


def attempt_columns() -> list[Column]:
    return [Column(k, kind) for k, kind in ATTEMPT_KEYS]


def _pyarrow():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError("population", "pyarrow") from None
    return pa, pq


def _arrow_type(pa, kind: str):
    simple = {"string": pa.string(), "int": pa.int64(), "bool": pa.bool_(), "float": pa.float64()}
    if kind.startswith("list<"):
        return pa.list_(simple[kind[5:-1]])
    return simple[kind]


class _Table:
    """One Parquet file written in record batches: flat columns, then `extra` (int line / JSON text)."""

    def __init__(self, path: Path, columns: list[Column], extra: list[tuple[str, str, str]], meta: dict, batch: int):
        pa, pq = _pyarrow()
        self.pa, self.columns, self.extra, self.batch = pa, columns, extra, batch
        fields = [pa.field(c.name, _arrow_type(pa, c.kind), metadata=_desc(c.description)) for c in columns]
        fields += [pa.field(name, _arrow_type(pa, kind), metadata=_desc(d)) for name, kind, d in extra]
        self.schema = pa.schema(fields, metadata={"hachimi": json.dumps(meta, ensure_ascii=False)})
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self.buf: list[list] = [[] for _ in fields]
        self.rows = self.bytes = 0

    def add(self, record: dict, *extra) -> None:
        for buf, c in zip(self.buf, self.columns):
            buf.append(c.value(record))
        for buf, v in zip(self.buf[len(self.columns) :], extra):
            buf.append(v)
            self.bytes += len(v) if isinstance(v, str) else 0
        self.rows += 1
        if len(self.buf[0]) >= self.batch or self.bytes >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buf[0]:
            arrays = [self.pa.array(b, type=f.type) for b, f in zip(self.buf, self.schema)]
            self.writer.write_batch(self.pa.RecordBatch.from_arrays(arrays, schema=self.schema))
            self.buf = [[] for _ in self.buf]
            self.bytes = 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _desc(text: str) -> dict | None:
    return {"description": text} if text else None


def _readable(path: Path, summary: Summary, on_skip: Callable | None):
    """(line, record) of the readable lines of `path` (none if it does not exist); the others are
    counted, listed (the first MAX_LISTED) and passed to on_skip(file, line, why)."""
    from ..jsonio import LineError, records

    if not path.exists():
        return
    for n, obj in records(path):
        if isinstance(obj, LineError):
            summary.skipped_lines += 1
            if len(summary.skipped) < MAX_LISTED:
                summary.skipped.append({"file": str(path), "line": n, "error": str(obj)})
            if on_skip is not None:
                on_skip(str(path), n, str(obj))
            continue
        yield n, obj


def check_run(run: Path) -> Path:
    """`run` if it is a run folder (it has run.json), else an error saying how to make one."""
    run = Path(run)
    if not run.is_dir():
        raise InputError(f"{run}: no such folder; give a run folder made by `hachimi generate --out FOLDER`")
    if not (run / "run.json").is_file():
        raise InputError(f"{run} is not a run folder (no run.json); make one with `hachimi generate --out {run}`")
    return run


def export(
    run: Path,
    out: Path,
    schema,
    batch: int = 10_000,
    on_skip: Callable[[str, int, str], None] | None = None,
    advance: Callable[[int], None] | None = None,
) -> Summary:
    """RUN/personas.jsonl and RUN/attempts.jsonl -> OUT/personas.parquet and OUT/attempts.parquet."""
    from ..fsio import atomic_path, os_errors

    run, out = check_run(run), Path(out)
    if batch < 1:
        raise InputError(f"batch {batch}: give a number of rows, e.g. 10000")
    _pyarrow()
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file, not a folder; choose another --out")
    with os_errors(out, "cannot create the output folder", "choose another --out"):
        out.mkdir(parents=True, exist_ok=True)
    meta = _run_meta(run)
    summary = Summary()
    tick = advance or (lambda n: None)
    with atomic_path(out / "personas.parquet") as tmp:
        _personas(run, tmp, schema, batch, {**meta, "table": "personas"}, summary, on_skip, tick)
        _shared(tmp)
    with atomic_path(out / "attempts.parquet") as tmp:
        _attempts(run, tmp, batch, {**meta, "table": "attempts"}, summary, on_skip, tick)
        _shared(tmp)
    summary.files = {"personas": str(out / "personas.parquet"), "attempts": str(out / "attempts.parquet")}
    return summary


def _personas(run, tmp, schema, batch, meta, summary, on_skip, tick) -> None:
    from itertools import islice

    from ..jsonio import dumps

    rows = _readable(run / "personas.jsonl", summary, on_skip)
    first = [p for _, p in islice(rows, SAMPLE)]
    columns = persona_columns(schema)
    columns += data_columns(first, {c.name for c in columns} | {"persona"})
    table = _Table(tmp, columns, [("persona", "string", "the whole persona as JSON text")], meta, batch)
    try:
        for p in first:
            table.add(p, dumps(p))
        tick(len(first))
        for _, p in rows:
            table.add(p, dumps(p))
            tick(1)
    finally:
        table.close()
    summary.rows["personas"] = table.rows
    summary.columns["personas"] = [f.name for f in table.schema]


def _attempts(run, tmp, batch, meta, summary, on_skip, tick) -> None:
    from ..jsonio import dumps

    extra = [
        ("line", "int", "the record's line in attempts.jsonl"),
        ("record", "string", "the whole attempt record as JSON text"),
    ]
    table = _Table(tmp, attempt_columns(), extra, meta, batch)
    try:
        for n, e in _readable(run / "attempts.jsonl", summary, on_skip):
            table.add(e, n, dumps(e))
            tick(1)
    finally:
        table.close()
    summary.rows["attempts"] = table.rows
    summary.columns["attempts"] = [f.name for f in table.schema]


def _shared(path: Path) -> None:
    """The permissions of a file made with open() (the temporary file is private to its writer)."""
    import os

    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)


def _run_meta(run: Path) -> dict:
    """What the files record about their run (from run.json): theory, identity, hachimi version."""
    try:
        manifest = json.loads((run / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict):
        return {}
    return {k: manifest.get(k) for k in ("hachimi", "theory", "identity", "schema_hash") if k in manifest}

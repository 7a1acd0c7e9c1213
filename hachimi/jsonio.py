"""JSONL in and out, one way for every command.

Reading (text_lines, records, read_records, read_jsonl): a file or '-' (stdin), gzip read through
(by its magic bytes), a UTF-8 BOM dropped, CR / LF / CRLF all ending lines, UTF-16 and folders
refused with what to do; every line keeps its number, and a line that cannot be used (not UTF-8,
not JSON, not an object, a torn last line cut short by a crash) comes back as a problem naming the
line, never dropped silently. Writing: objects -> JSONL text that never fails on odd values (orjson
first; integers beyond 64 bits and lone surrogates fall back to the standard library, which writes
them as valid JSON); output files that appear whole or not at all (atomic_output, in hachimi.fsio)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

import orjson

from .errors import InputError
from .fsio import atomic_output, write_text  # noqa: F401  (output files: whole or not at all)


class LineError(Exception):
    """A line that cannot be used (reported for that line; the reading goes on)."""


def open_binary(path: str | Path):
    """A binary stream of `path` ('-' = stdin); gzip is read through; UTF-16 and folders refused."""
    import gzip

    path = str(path)
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{path}: is a folder, not a JSONL file")
    if not p.exists():
        raise InputError(f"{path}: no such file (expected a JSONL file with one record per line)")
    try:
        fh = open(p, "rb")
    except OSError as e:
        from .fsio import fs_error

        raise fs_error(e, path, "cannot read") from None
    if p.is_file():
        head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
        if head[:2] == b"\x1f\x8b":
            fh.close()
            return gzip.open(p, "rb")
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            fh.close()
            raise InputError(f"{path}: UTF-16 text; convert it to UTF-8 first (iconv -f UTF-16 -t UTF-8 {path})")
    return fh


def text_lines(path: str | Path) -> Iterator[tuple[int, str | LineError]]:
    """(line number, text) for every line of a file or '-': a UTF-8 BOM is dropped, CR, LF and CRLF
    all end lines; a line that is not UTF-8 comes as a LineError naming the byte (never dropped).
    The last line, when the file does not end with a newline, is marked (`torn_last`) for records()."""
    import gzip

    fh = open_binary(path)
    n = 0
    limit = max_line_bytes()
    try:
        with fh:
            while raw := fh.readline(limit + 1):
                if len(raw) > limit and not raw.endswith(b"\n") and b"\r" not in raw:
                    n += 1  # over the limit: skipped to its end in bounded pieces, never held whole
                    size = len(raw) + _skip_line(fh)
                    yield (
                        n,
                        LineError(
                            f"a line of {size:,} bytes, over the limit of {limit:,} ({LIMIT_ENV} sets it); not read"
                        ),
                    )
                    continue
                body = raw.rstrip(b"\r\n")
                parts = body.split(b"\r") if b"\r" in body else [body]
                for part in parts:
                    n += 1
                    if n == 1 and part.startswith(b"\xef\xbb\xbf"):
                        part = part[3:]
                    try:
                        text = part.decode("utf-8")
                    except UnicodeDecodeError as e:
                        yield n, LineError(f"not UTF-8 (byte {e.start + 1} of the line)")
                        continue
                    yield n, (_Torn(text) if not raw.endswith((b"\n", b"\r")) else text)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise InputError(f"{path}: read failed after line {n}: {e}") from None


LIMIT_ENV = "HACHIMI_MAX_LINE_BYTES"
DEFAULT_MAX_LINE = 1 << 20  # a persona is a few KB, an attempts record tens of KB


def max_line_bytes() -> int:
    """The longest line any JSONL reader loads (bytes): HACHIMI_MAX_LINE_BYTES, else 1 MiB."""
    import os

    try:
        return max(1024, int(os.environ.get(LIMIT_ENV, DEFAULT_MAX_LINE)))
    except ValueError:
        raise InputError(f"{LIMIT_ENV}={os.environ[LIMIT_ENV]!r}: a number of bytes, e.g. 1048576") from None


def _skip_line(fh) -> int:
    """Read past the rest of a line in 1 MiB pieces; the bytes skipped."""
    skipped = 0
    while chunk := fh.readline(1 << 20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def appended(path: str | Path, offset: int = 0, lines: int = 0) -> Iterator[tuple[int, int, bytes | LineError]]:
    """(byte offset after the line, its line number, the raw line) for each whole line of an
    append-only log from byte `offset` (line `lines` + 1 on): the indexes' catch-up read. It stops
    before a last line without its newline (being written, or torn by a crash); a line over the
    limit comes as a LineError, read past in bounded pieces."""
    limit = max_line_bytes()
    with open(path, "rb") as fh:
        fh.seek(offset)
        while raw := fh.readline(limit + 1):
            if len(raw) > limit and not raw.endswith(b"\n"):
                raw_len = len(raw) + _skip_line(fh)
                lines, offset = lines + 1, offset + raw_len
                yield offset, lines, LineError(f"a line of {raw_len:,} bytes, over the limit of {limit:,}; not read")
                continue
            if not raw.endswith(b"\n"):
                return
            lines, offset = lines + 1, offset + len(raw)
            yield offset, lines, raw


def parse_line(raw: bytes) -> dict | LineError:
    """One raw line -> its JSON object, or a LineError saying why not."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        return LineError(f"not UTF-8 (byte {e.start + 1} of the line)")
    except json.JSONDecodeError as e:
        return LineError(f"not JSON ({e.msg} at column {e.colno})")
    except (RecursionError, ValueError) as e:
        return LineError(f"not readable JSON ({e.__class__.__name__})")
    return obj if isinstance(obj, dict) else LineError("not a JSON object")


class _Torn(str):
    """The last line of a file that does not end with a newline (a write a crash may have cut short)."""


def records(path: str | Path, need_id: bool = False) -> Iterator[tuple[int, dict | LineError]]:
    """(line number, object) for every non-blank line, or (line number, LineError) saying why the
    line cannot be used: not UTF-8, not JSON (a torn last line said so), not an object, or (need_id)
    without a string id."""
    for n, text in text_lines(path):
        if isinstance(text, LineError):
            yield n, text
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            torn = isinstance(text, _Torn)
            yield (
                n,
                LineError("torn last line (a write cut short)" if torn else f"not JSON ({e.msg} at column {e.colno})"),
            )
            continue
        except RecursionError:
            yield n, LineError("nested too deeply")
            continue
        except ValueError as e:  # an integer of more digits than Python converts
            yield n, LineError(f"not readable JSON ({e})")
            continue
        if not isinstance(obj, dict):
            yield n, LineError(f"not a JSON object (a {type(obj).__name__.replace('dict', 'object')})")
        elif need_id and not isinstance(obj.get("id"), str):
            yield n, LineError("no string 'id'" if "id" not in obj else f"'id' must be text, not {obj['id']!r}")
        else:
            yield n, obj


def read_records(path: str | Path, need_id: bool = False) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """(line, object) for every readable line and (line, why) for every other one; a file that does
    not exist has none (a run may have accepted nothing yet)."""
    objs: list[tuple[int, dict]] = []
    problems: list[tuple[int, str]] = []
    if str(path) != "-" and not Path(path).exists():
        return objs, problems
    for n, obj in records(path, need_id):
        if isinstance(obj, LineError):
            problems.append((n, str(obj)))
        else:
            objs.append((n, obj))
    return objs, problems


def read_jsonl(path: str | Path) -> list[dict]:
    """Objects of a JSONL file ([] if it does not exist); the first unusable line stops it with an
    error naming the line."""
    objs, problems = read_records(path)
    if problems:
        raise InputError(f"{path}:{problems[0][0]}: {problems[0][1]}; `hachimi validate` reports every bad line")
    return [o for _, o in objs]


def dumps(obj) -> str:
    try:
        return orjson.dumps(obj).decode()
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(obj, ensure_ascii=False, default=repr)
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:  # a lone surrogate: escape it (still valid JSON)
            return json.dumps(obj, ensure_ascii=True, default=repr)


def safe_text(s: str) -> str:
    """A str that can be written as UTF-8: lone surrogates become \\udXXX escapes."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-8", "backslashreplace").decode("utf-8")


def get_path(obj, path: str):
    """The value at a dotted path ("part.field") of nested dicts, or None."""
    for k in path.split("."):
        obj = obj.get(k) if isinstance(obj, dict) else None
    return obj

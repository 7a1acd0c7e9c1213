"""Objects -> JSONL text that never fails on odd values, and output files that appear whole or not
at all. orjson first (fast); integers beyond 64 bits and lone surrogates (which orjson refuses)
fall back to the standard library, which writes them as valid JSON (surrogates as \\u escapes)."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

import orjson

from .errors import InputError


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


@contextmanager
def atomic_output(path: Path, inputs: tuple[Path, ...] = ()) -> Iterator[IO[str]]:
    """A text file written beside `path` and renamed over it only when the block ends without an
    error, so a failure never leaves a partial file and an input is never emptied by its own output."""
    path = Path(path)
    for src in inputs:
        try:
            if src.exists() and path.exists() and os.path.samefile(src, path):
                raise InputError(
                    f"{path}: the output is the input file; write to another file (it is replaced only "
                    "when the run ends, but reading and writing one file is refused)"
                )
        except OSError:
            pass
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{path}: the folder {folder} does not exist; create it first")
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"{path}: cannot write in {folder}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def get_path(obj, path: str):
    """The value at a dotted path ("mental_health.depression_risk") of nested dicts, or None."""
    for k in path.split("."):
        obj = obj.get(k) if isinstance(obj, dict) else None
    return obj

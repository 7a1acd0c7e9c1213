"""Objects -> JSONL text that never fails on odd values; output files that appear whole or not at
all (atomic_output, kept here for its callers, lives in hachimi.fsio with the other file-system
answers). orjson first (fast); integers beyond 64 bits and lone surrogates (which orjson refuses)
fall back to the standard library, which writes them as valid JSON (surrogates as \\u escapes)."""

from __future__ import annotations

import json

import orjson

from .fsio import atomic_output, write_text  # noqa: F401  (output files: whole or not at all)


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

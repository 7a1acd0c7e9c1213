"""What a Python file names in code, for the tests that keep a theory's names out of generic code:
string literals that are an identifier or a dotted path ("autonomy", "motivation.needs"), split at
the dots (how code refers to a field), and compound identifiers (self_efficacy). A plain word used
as a variable (`need` in the scheduler) is not a mention of a pack; comments, docstrings and prose
messages are not code."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

_QUOTES = re.compile(r"^[rbuf]*(\'\'\'|\"\"\"|\'|\")|(\'\'\'|\"\"\"|\'|\")$", re.I)
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def code_words(path: Path) -> set[str]:
    out: set[str] = set()
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.NAME and "_" in tok.string.strip("_"):
            out.add(tok.string)
        elif tok.type == tokenize.STRING:
            body = _QUOTES.sub("", tok.string)
            if _DOTTED.fullmatch(body):
                out |= set(body.split("."))
    return out


def string_literals(path: Path) -> set[str]:
    """Every string literal's text (for exact field paths such as "enrollment.age")."""
    return {
        _QUOTES.sub("", tok.string)
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        if tok.type == tokenize.STRING
    }

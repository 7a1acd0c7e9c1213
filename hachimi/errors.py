"""Exceptions for misuse; outcomes (violations, bad lines) are values, not exceptions."""

from __future__ import annotations


class HachimiError(Exception):
    """Base class: a message meant for a person, printed without a traceback by the CLI."""


class TheoryError(HachimiError):
    """A theory pack file is wrong; names the file, line, column and rule when known."""

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        rule: str | None = None,
    ):
        self.file, self.line, self.column, self.rule, self.message = file, line, column, rule, message
        where = ""
        if file:
            where = file + (f":{line}" if line else "") + (f":{column}" if column else "") + ": "
        tag = f"[{rule}] " if rule else ""
        super().__init__(f"{where}{tag}{message}")


class InputError(HachimiError):
    """A user-supplied file cannot be read at all (missing, unreadable, not text)."""


class MissingExtraError(HachimiError):
    """A feature needs an optional dependency group that is not installed."""

    def __init__(self, extra: str, module: str):
        self.extra = extra
        super().__init__(f"this needs the '{extra}' extra ({module} is not installed): pip install 'hachimi[{extra}]'")

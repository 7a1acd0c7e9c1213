"""One finding of `theory lint`: where (file, line, column), how bad, what, and the rule it is about."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Finding:
    severity: str  # error | warning
    file: str
    line: int
    column: int
    message: str
    rule: str | None = None

    def __str__(self) -> str:
        tag = f"[{self.rule}] " if self.rule else ""
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.severity}: {tag}{self.message}"

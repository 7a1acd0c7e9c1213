"""A progress bar on stderr when it is a terminal; a no-op otherwise (CI logs stay clean)."""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def progress(total: int | None, label: str):
    if not sys.stderr.isatty() or (total is not None and total < 2000):
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)

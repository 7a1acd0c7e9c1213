"""A progress bar on stderr when it is a terminal; a no-op otherwise (CI logs stay clean)."""

from __future__ import annotations

import sys
from contextlib import contextmanager


@contextmanager
def progress(total: int | None, label: str, force: bool = False, fields: bool = False):
    """advance(n, **fields): a bar with counts and ETA; fields (e.g. accepted/failed) shown beside it."""
    if not sys.stderr.isatty() or (not force and total is not None and total < 2000):
        yield lambda n, **kw: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    cols = ["[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    if fields:
        cols.append("[green]{task.fields[accepted]} accepted [red]{task.fields[failed]} failed")
    with Progress(*cols, transient=not force) as bar:
        task = bar.add_task(label, total=total, accepted=0, failed=0)
        yield lambda n, **kw: bar.update(task, advance=n, **kw)

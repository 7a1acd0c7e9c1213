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


@contextmanager
def generation_progress(total: int, done: int = 0):
    """advance(counts): slots done / total, in flight, accepted and failed, accepted/s and tokens/s
    over this session (a terminal only)."""
    if not sys.stderr.isatty():
        yield lambda counts: None
        return
    import time
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    cols = [
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "[cyan]{task.fields[flight]} in flight",
        "[green]{task.fields[accepted]} accepted",
        "[red]{task.fields[failed]} short",
        "{task.fields[rate]}",
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    start, base = time.time(), {}
    with Progress(*cols) as bar:
        task = bar.add_task("slots", total=total, completed=0, flight=0, accepted=0, failed=0, rate="")

        def advance(c) -> None:
            if not base:
                base.update(accepted=c.get("accepted", 0), tokens=c.get("tokens", 0))
            dt = max(1e-6, time.time() - start)
            rate = (
                f"{(c.get('accepted', 0) - base['accepted']) / dt * 3600:.0f} accepted/h "
                f"{(c.get('tokens', 0) - base['tokens']) / dt:.0f} tok/s"
            )
            bar.update(
                task,
                completed=c.get("done", 0),
                flight=c.get("in_flight", 0),
                accepted=c.get("accepted", 0),
                failed=c.get("failed", 0),
                rate=rate,
            )

        yield advance

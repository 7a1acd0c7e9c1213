"""An engine -> the same engine with transient failures (timeouts, HTTP 429/5xx, OOM) sent again,
with exponential backoff, up to `tries` times in all. The request is resent unchanged (same
seed), so a recovered output equals the one a healthy engine would have given. Failures that
remain come back as Outputs with `error` (the loop records them as that attempt's failure)."""

from __future__ import annotations

import time

from ..errors import HachimiError
from .base import Output, Request


class Retrying:
    def __init__(self, inner, tries: int = 3, backoff_s: float = 0.5, max_backoff_s: float = 30.0):
        self.inner, self.tries, self.backoff_s, self.max_backoff_s = inner, max(1, tries), backoff_s, max_backoff_s
        self.name = inner.name
        self.default_concurrency = inner.default_concurrency
        self.retried = 0

    def generate(self, requests: list[Request]) -> list[Output]:
        outs: list[Output | None] = [None] * len(requests)
        todo = list(range(len(requests)))
        for attempt in range(self.tries):
            if attempt:
                self.retried += len(todo)
                time.sleep(min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1)))
            got = self._safe([requests[i] for i in todo])
            for i, o in zip(todo, got):
                prev = outs[i]
                o.tries = (prev.tries if prev else 0) + o.tries
                o.seconds += prev.seconds if prev else 0.0
                outs[i] = o
            todo = [i for i in todo if outs[i].error and outs[i].transient]
            if not todo:
                break
        return outs  # type: ignore[return-value]

    def _safe(self, requests: list[Request]) -> list[Output]:
        """The inner engine's outputs; an exception escaping it fails the whole batch (transiently)."""
        try:
            return self.inner.generate(requests)
        except (KeyboardInterrupt, SystemExit, HachimiError):  # misuse and misconfiguration stop the run
            raise
        except Exception as e:  # an engine bug or a dropped connection must not kill the run
            return [
                Output("", 0, 0.0, False, error=f"engine raised {type(e).__name__}: {e}", transient=True)
                for _ in requests
            ]

    def describe(self) -> dict:
        return self.inner.describe()

    def close(self) -> None:
        self.inner.close()

"""An engine -> the same engine failing every k-th request with a transient error (fault injection
for tests and drills: `HACHIMI_FAULT_EVERY=3 hachimi generate ...`). The failing requests are not
sent to the wrapped engine; everything else is, unchanged."""

from __future__ import annotations

from .base import Output, Request


class FaultyEngine:
    def __init__(self, inner, every: int = 3, message: str = "injected fault: simulated HTTP 503"):
        self.inner, self.every, self.message = inner, every, message
        self.name = inner.name
        self.default_concurrency = inner.default_concurrency
        self.seen = 0
        self.injected = 0

    def generate(self, requests: list[Request]) -> list[Output]:
        fail = []
        for _ in requests:
            self.seen += 1
            fail.append(self.seen % self.every == 0)
        passed = self.inner.generate([r for r, f in zip(requests, fail) if not f]) if not all(fail) else []
        it = iter(passed)
        out = []
        for f in fail:
            if f:
                self.injected += 1
                out.append(Output("", 0, 0.0, False, error=self.message, transient=True))
            else:
                out.append(next(it))
        return out

    def describe(self) -> dict:
        return self.inner.describe()

    def close(self) -> None:
        self.inner.close()

"""Requests -> outputs from a script `script(agent, messages, schema, seed) -> text` (the agent is
the schema's title): a stand-in model for unit tests of the loop. A script may raise to simulate
a crash (KeyboardInterrupt) or return an Output itself (an engine error)."""

from __future__ import annotations

from typing import Callable

from .base import Output, Request


class ScriptedEngine:
    name = "scripted"

    def __init__(self, script: Callable[[str, list, dict | None, int], str | Output], concurrency: int = 1):
        self.script = script
        self.default_concurrency = concurrency
        self.calls: list[tuple[str, list]] = []
        self.batches: list[int] = []  # sizes of the generate() calls seen

    def generate(self, requests: list[Request]) -> list[Output]:
        self.batches.append(len(requests))
        out = []
        for r in requests:
            agent = (r.schema or {}).get("title", "")
            self.calls.append((agent, list(r.messages)))
            res = self.script(agent, list(r.messages), r.schema, r.seed)
            out.append(res if isinstance(res, Output) else Output(res, max(1, len(res) // 4), 0.0, False))
        return out

    def describe(self) -> dict:
        return {"engine": "scripted"}

    def close(self) -> None:
        pass

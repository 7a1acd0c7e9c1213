"""Requests -> seeded template outputs with no language model: each request's schema is answered by
a writer (schema, seed) -> value (for plans, resume, reports and CI in seconds; never for data).
The writer is the persona-aware part and lives in generate/filler.py (a theory's plug-in may write
its own agents' prose); this engine knows no persona and only times it. HACHIMI_TEMPLATE_DELAY
(seconds per call) slows it down, e.g. to test interrupts."""

from __future__ import annotations

import json
import os
import time

from .base import Output, Request


class TemplateEngine:
    name = "template"
    default_concurrency = 1

    def __init__(self, spec=None, writer=None):
        self.spec, self.writer = spec, writer
        self.delay = float(os.environ.get("HACHIMI_TEMPLATE_DELAY", "0") or 0)

    def generate(self, requests: list[Request]) -> list[Output]:
        if self.writer is None:
            raise TypeError("TemplateEngine needs a writer: hachimi.generate.filler.template_engine(theory)")
        out = []
        for r in requests:
            if self.delay:
                time.sleep(self.delay)
            text = json.dumps(self.writer(r.schema or {}, r.seed))
            out.append(Output(text, max(1, len(text) // 4), self.delay, False))
        return out

    def describe(self) -> dict:
        return {"engine": "template"}

    def close(self) -> None:
        pass

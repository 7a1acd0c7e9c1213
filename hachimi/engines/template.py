"""Requests -> seeded template outputs with no language model: each agent's schema is filled with
values drawn from its enums and clean template prose (for plans, resume, reports and CI in
seconds; never for data). The filler is the persona-aware part and lives in generate/; this engine
only times it. HACHIMI_TEMPLATE_DELAY (seconds per call) slows it down, e.g. to test interrupts."""

from __future__ import annotations

import json
import os
import time

from .base import Output, Request


class TemplateEngine:
    name = "template"
    default_concurrency = 1

    def __init__(self, spec=None):
        self.spec = spec
        self.delay = float(os.environ.get("HACHIMI_TEMPLATE_DELAY", "0") or 0)

    def generate(self, requests: list[Request]) -> list[Output]:
        from ..generate.filler import clean_part

        out = []
        for r in requests:
            if self.delay:
                time.sleep(self.delay)
            text = json.dumps(clean_part((r.schema or {}).get("title", ""), r.schema or {}, r.seed))
            out.append(Output(text, max(1, len(text) // 4), self.delay, False))
        return out

    def describe(self) -> dict:
        return {"engine": "template"}

    def close(self) -> None:
        pass

"""Chat messages + JSON Schema + seed -> model output text. OutlinesRunner decodes under the
schema with llguidance (valid JSON by construction while it ends); ScriptedRunner replays
canned outputs for unit tests of the loop."""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

CHARS_PER_TOKEN = 2.5      # conservative for JSON with English prose (sizes max_new_tokens)


@dataclass
class Output:
    text: str
    tokens: int
    seconds: float
    truncated: bool         # stopped by the token budget, not by the grammar


def schema_hash(schema: dict) -> str:
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()[:12]


class OutlinesRunner:
    """One loaded model; one compiled outlines Generator per distinct schema (LRU)."""

    def __init__(self, model, tokenizer, spec, cache_size: int = 64):
        import outlines
        self.model, self.tok, self.spec = model, tokenizer, spec
        self.om = outlines.from_transformers(model, tokenizer)
        self.generators: OrderedDict[str, object] = OrderedDict()
        self.cache_size = cache_size
        self.name = spec.name
        self._banned: dict[tuple, list] = {}

    def _generator(self, schema: dict):
        import outlines
        from outlines.types import JsonSchema
        key = schema_hash(schema)
        if key not in self.generators:
            self.generators[key] = outlines.Generator(self.om, JsonSchema(json.dumps(schema)), backend="llguidance")
            if len(self.generators) > self.cache_size:
                self.generators.popitem(last=False)
        self.generators.move_to_end(key)
        return self.generators[key]

    def prompt(self, messages: list) -> str:
        return self.tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def banned_ids(self, terms: tuple[str, ...]) -> list[list[int]] | None:
        """Token sequences of every spelling variant of the terms (for bad_words_ids)."""
        if not terms:
            return None
        if terms not in self._banned:
            seqs = set()
            for t in terms:
                for v in {t, t.lower(), t.capitalize()}:
                    for form in (v, " " + v):
                        ids = self.tok(form, add_special_tokens=False)["input_ids"]
                        if ids:
                            seqs.add(tuple(ids))
            self._banned[terms] = [list(s) for s in sorted(seqs)]
        return self._banned[terms]

    def __call__(self, messages: list, schema: dict | None, seed: int, max_new_tokens: int,
                 banned: tuple[str, ...] = ()) -> Output:
        import torch
        torch.manual_seed(seed)
        dec = self.spec.decoding
        kwargs = dict(max_new_tokens=max_new_tokens, do_sample=True,
                      temperature=dec.get("temperature", 0.7), top_p=dec.get("top_p", 0.9),
                      repetition_penalty=dec.get("repetition_penalty", 1.0))
        if bad := self.banned_ids(tuple(banned)):
            kwargs["bad_words_ids"] = bad
        start = time.perf_counter()
        if schema is None:       # unconstrained (benchmarks only)
            ids = self.tok(self.prompt(messages), return_tensors="pt").to(self.model.device)
            with torch.no_grad():
                out = self.model.generate(**ids, **kwargs, pad_token_id=self.tok.eos_token_id)
            new = out[0, ids["input_ids"].shape[1]:]
            text, n = self.tok.decode(new, skip_special_tokens=True), int(new.shape[0])
        else:
            text = self._generator(schema)(self.prompt(messages), **kwargs)
            n = len(self.tok(text, add_special_tokens=False)["input_ids"])
        return Output(text, n, time.perf_counter() - start, n >= max_new_tokens)


class ScriptedRunner:
    """Calls `script(agent_key, messages, schema, seed)` -> text; for tests of the loop."""

    name = "scripted"

    def __init__(self, script: Callable[[str, list, dict, int], str]):
        self.script = script
        self.calls: list[tuple[str, list]] = []

    def __call__(self, messages: list, schema: dict | None, seed: int, max_new_tokens: int,
                 banned: tuple[str, ...] = ()) -> Output:
        agent = (schema or {}).get("title", "")
        self.calls.append((agent, messages))
        text = self.script(agent, messages, schema, seed)
        return Output(text, max(1, len(text) // 4), 0.0, False)

"""The engine interface: a list of Requests -> a list of Outputs in the same order.

An engine decides how to run the list (a padded batch, concurrent HTTP requests, a vLLM batch).
Per-request failures (out of memory, timeout, HTTP 5xx, NaN logits) come back as an Output with
`error` set and `transient` saying whether trying again may help; an engine raises only for misuse
or misconfiguration (HachimiError). An output must depend on its own request only (its seed, its
messages, its schema), never on which other requests share the batch, as far as the engine can
promise it (floating-point reductions in padded batches are the documented exception)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


# vLLM refuses more than 512 banned token sequences (VLLM_MAX_NUM_BAD_WORDS) and makes up to two of
# each word (with and without a leading space): a request sends at most this many words.
VLLM_MAX_BANNED = 256


def capped(banned, limit: int = VLLM_MAX_BANNED) -> list[str]:
    """At most `limit` banned words, the shortest first (the ones a model writes most; longer terms
    are often phrases the validator still catches): best effort, the validator decides."""
    return sorted(banned, key=lambda w: (len(w), w))[:limit]


@dataclass(frozen=True)
class Request:
    messages: tuple[dict, ...] | list  # chat messages [{"role": ..., "content": ...}]
    schema: dict | None  # JSON Schema the output must match; None = unconstrained
    seed: int  # per-request sampling seed (63-bit)
    max_new_tokens: int  # token budget
    banned: tuple[str, ...] = ()  # words never to emit (best effort; the validator decides)
    tag: str = ""  # the caller's label, for logs only


@dataclass
class Output:
    text: str
    tokens: int  # generated tokens, as the engine counted them
    seconds: float  # engine-seconds attributed to this request (its share of a batch)
    truncated: bool  # stopped by the token budget, not by the grammar / end of text
    error: str | None = None  # why the request failed (then text may be partial or empty)
    transient: bool = False  # with error: a retry may succeed (timeout, 429, 5xx, OOM)
    prompt_tokens: int = 0
    tries: int = 1  # how many times it was sent (retries included)


@runtime_checkable
class Engine(Protocol):
    name: str
    default_concurrency: int  # slots in flight that keep this engine busy (1 for a CPU batch-1 model)

    def generate(self, requests: list[Request]) -> list[Output]:
        """One output per request, same order; never raises for a single request's failure."""
        ...

    def describe(self) -> dict:
        """Settings that change outputs (engine kind, model, dtype, decoding): part of a run's identity."""
        ...

    def close(self) -> None: ...


def schema_hash(schema: dict | None) -> str:
    """A decoding schema's identity (its JSON, keys sorted): recorded with every call, and the key of
    compiled grammars. orjson: json.dumps cost ~1 ms a call, a tenth of the orchestrator's time."""
    import orjson

    return hashlib.sha256(orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)).hexdigest()[:12]


@dataclass
class Decoding:
    """Sampling settings shared by every engine (models/*.toml [decoding])."""

    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_spec(cls, dec: dict) -> "Decoding":
        known = {k: dec[k] for k in ("temperature", "top_p", "repetition_penalty") if k in dec}
        return cls(**known, extra={k: v for k, v in dec.items() if k not in known})

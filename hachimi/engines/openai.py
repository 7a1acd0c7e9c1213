"""Any OpenAI-compatible chat endpoint: a vLLM or SGLang server, a router over many replicas, a hosted API.

Requests go out concurrently from a pool of threads over one HTTP client (httpx2, the maintained
successor of httpx; plain httpx works too). How many are in flight is set by AIMD admission, as in
the original HACHIMI: the limit starts at `max_concurrency`, is multiplied by 0.7 when the server
says it is overloaded (HTTP 429 or 5xx: at most once per window, so one burst of 429s counts once),
and grows by 1 after 20 successes in a row, between a floor of 1 and the ceiling `max_concurrency`.
Transient failures (429, 5xx, timeouts, connection errors) are retried with exponential backoff and
full jitter (Retry-After is honoured); a request that still fails comes back as an Output with
`error` and `transient=True`. Failures a retry cannot fix (HTTP 400/422, an empty answer) come back
with `transient=False`. Misconfiguration (no URL, a key the server demands, an unknown model name)
raises HachimiError.

Settings, from [openai] in models/*.toml:
  base_url        "http://127.0.0.1:8000/v1" (the part before /chat/completions)
  base_url_env    an environment variable that, when set, overrides base_url
  api_key_env     the environment variable holding the key (sent as a Bearer token when set)
  model           the server's model name ("" = the first one GET /models lists)
  server          "vllm": vLLM's extra body (structured_outputs with the full llguidance schema,
                  repetition_penalty, bad_words); "openai" (default; any hosted API): response_format
                  json_schema, strict, with the schema turned into the subset and limits such APIs
                  document (engines/strict.py); no repetition_penalty
  max_concurrency ceiling of requests in flight (default 16)
  timeout_s       one HTTP attempt (default 600)
  retries         further tries after the first for transient failures (default 4)
  backoff_s       first backoff (default 1.0), doubled each try, capped by backoff_max_s (default 60)
  extra_body      a table merged into every request body (router hints, provider options)
  max_tokens_field "max_tokens" (default; what most servers read) or "max_completion_tokens"
                  (OpenAI's newer name; the default for server = "vllm", where max_tokens is deprecated)
"""

from __future__ import annotations

import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ..errors import HachimiError
from .base import Decoding, Output, Request, capped, schema_hash

try:  # the maintained fork (huggingface_hub depends on it); the same API as httpx
    import httpx2 as httpx
except ImportError:  # pragma: no cover - an environment with plain httpx only
    try:
        import httpx  # type: ignore[no-redef]
    except ImportError:
        httpx = None  # type: ignore[assignment]


class AIMD:
    """Admission control: at most `limit` requests in flight; the limit adapts to the server.

    Multiplicative decrease (x`decrease`) on overload, at most once per window: a throttle from a
    request admitted before the last decrease says nothing new about the current limit (TCP's rule),
    so a burst of 429s from one batch cuts once. Additive increase (+1) after `increase_after`
    successes in a row. `history` records every change as (monotonic time, new limit)."""

    def __init__(self, ceiling: int, floor: int = 1, decrease: float = 0.7, increase_after: int = 20):
        self.ceiling, self.floor = max(1, int(ceiling)), max(1, int(floor))
        self.decrease, self.increase_after = decrease, increase_after
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self.successes = 0
        self.epoch = 0  # bumped at each decrease
        self.history: list[tuple[float, int]] = [(time.monotonic(), self.ceiling)]
        self._cond = threading.Condition()

    @property
    def current(self) -> int:
        return max(self.floor, int(self.limit))

    def acquire(self) -> int:
        """Wait for a slot; returns the epoch the request was admitted in (pass it to release)."""
        with self._cond:
            while self.in_flight >= self.current:
                self._cond.wait()
            self.in_flight += 1
            return self.epoch

    def release(self, epoch: int, outcome: str) -> None:
        """outcome: "ok", "overload" (429/5xx: shrink) or "other" (no signal about load)."""
        with self._cond:
            self.in_flight -= 1
            if outcome == "overload":
                self.successes = 0
                if epoch == self.epoch:
                    before = self.current
                    self.limit = max(float(self.floor), self.limit * self.decrease)
                    self.epoch += 1
                    if self.current != before:
                        self.history.append((time.monotonic(), self.current))
            elif outcome == "ok":
                self.successes += 1
                if self.successes >= self.increase_after and self.limit < self.ceiling:
                    self.limit = min(float(self.ceiling), float(int(self.limit) + 1))
                    self.successes = 0
                    self.history.append((time.monotonic(), self.current))
            self._cond.notify_all()


def server_of(cfg: dict) -> str:
    """The [openai] server kind: "vllm", or "openai" (the default) for any other server."""
    return str(cfg.get("server", "openai")).lower()


class _Fatal(Exception):
    """Misconfiguration seen in a response: stop the whole call."""


def _transient_status(code: int) -> bool:
    return code == 429 or code == 408 or 500 <= code <= 599


class OpenAIEngine:
    name = "openai"

    def __init__(self, spec):
        if httpx is None:
            raise HachimiError("the openai engine needs an HTTP client: pip install httpx2")
        cfg = dict(spec.openai or {})
        self.spec = spec
        env = cfg.get("base_url_env")
        url = (os.environ.get(env) if env else None) or cfg.get("base_url")
        if not url:
            raise HachimiError(
                f"{spec.file or spec.name}: [openai] needs base_url" + (f" or ${env} set" if env else "")
            )
        self.base_url = url.rstrip("/")
        self.api_key_env = cfg.get("api_key_env")
        self.api_key = os.environ.get(self.api_key_env) if self.api_key_env else None
        self.model = cfg.get("model") or ""
        self.server = server_of(cfg)
        if self.server not in ("openai", "vllm"):
            raise HachimiError(
                f"{spec.file or spec.name}: [openai] server must be 'openai' or 'vllm', not {self.server!r}"
            )
        self.max_concurrency = int(cfg.get("max_concurrency", 16))
        self.timeout_s = float(cfg.get("timeout_s", 600))
        self.retries = int(cfg.get("retries", 4))
        self.backoff_s = float(cfg.get("backoff_s", 1.0))
        self.backoff_max_s = float(cfg.get("backoff_max_s", 60.0))
        self.extra_body = dict(cfg.get("extra_body", {}))
        self.max_tokens_field = cfg.get("max_tokens_field") or (
            "max_completion_tokens" if self.server == "vllm" else "max_tokens"
        )
        self.decoding = Decoding.from_spec(spec.decoding or {})
        self.default_concurrency = self.max_concurrency
        self.limiter = AIMD(self.max_concurrency)
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.timeout_s, connect=min(10.0, self.timeout_s)),
            limits=httpx.Limits(
                max_connections=self.max_concurrency + 4, max_keepalive_connections=self.max_concurrency
            ),
        )
        self._pool = ThreadPoolExecutor(max_workers=self.max_concurrency, thread_name_prefix="hachimi-openai")
        self._model_lock = threading.Lock()
        self._rng = random.Random()  # backoff jitter only: never touches outputs

    # -- the interface -------------------------------------------------------------------------

    def generate(self, requests: list[Request]) -> list[Output]:
        if not requests:
            return []
        self._resolve_model()
        bodies = [self.body(r) for r in requests]  # a schema with no strict form fails here, at once
        futures = [self._pool.submit(self._one, b) for b in bodies]
        try:
            return [f.result() for f in futures]
        except _Fatal as e:
            for f in futures:
                f.cancel()
            raise HachimiError(str(e)) from None

    def describe(self) -> dict:
        d = {
            "engine": "openai",
            "server": self.server,
            "model": self.model or "(first listed)",
            "temperature": self.decoding.temperature,
            "top_p": self.decoding.top_p,
            "structured": "structured_outputs.json" if self.server == "vllm" else "response_format.json_schema strict",
        }
        if self.server == "vllm":
            d["repetition_penalty"] = self.decoding.repetition_penalty
        if self.extra_body:
            d["extra_body"] = self.extra_body
        return d

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _resolve_model(self) -> None:
        with self._model_lock:
            if self.model:
                return
            try:
                r = self._client.get("/models")
            except httpx.HTTPError as e:
                raise HachimiError(
                    f"{self.base_url}/models: {type(e).__name__}: {e} (set [openai] model to skip this look-up)"
                ) from None
            self._check_auth(r)
            try:
                self.model = r.json()["data"][0]["id"]
            except Exception:
                raise HachimiError(
                    f"{self.base_url}/models gave no model (HTTP {r.status_code}); "
                    "set [openai] model in the model's .toml"
                ) from None

    def _check_auth(self, r) -> None:
        if r.status_code in (401, 403):
            if not self.api_key:
                where = f"set ${self.api_key_env}" if self.api_key_env else "set [openai] api_key_env and that variable"
                raise _Fatal(f"{self.base_url} demands an API key (HTTP {r.status_code}): {where}")
            raise _Fatal(
                f"{self.base_url} refused the key in ${self.api_key_env} (HTTP {r.status_code}): {r.text[:200]}"
            )

    def body(self, req: Request) -> dict:
        d = self.decoding
        body: dict = {
            "model": self.model,
            "messages": list(req.messages),
            self.max_tokens_field: int(req.max_new_tokens),
            "temperature": d.temperature,
            "top_p": d.top_p,
            "seed": int(req.seed),
            "n": 1,
        }
        if self.server == "vllm":
            body["repetition_penalty"] = d.repetition_penalty
            if req.schema is not None:
                body["structured_outputs"] = {"json": req.schema}
            if req.banned:
                body["bad_words"] = capped(req.banned)
        elif req.schema is not None:
            from .strict import strict_schema

            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": "hachimi_" + schema_hash(req.schema),
                    "schema": strict_schema(req.schema),
                    "strict": True,
                },
            }
        body.update(self.extra_body)
        return body

    def _backoff(self, tries: int, retry_after: str | None) -> float:
        cap = min(self.backoff_max_s, self.backoff_s * (2 ** (tries - 1)))
        delay = self._rng.uniform(0, cap)  # full jitter
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), self.backoff_max_s))
            except ValueError:
                pass
        return delay

    def _one(self, body: dict) -> Output:
        seconds, tries, last_error = 0.0, 0, ""
        while True:
            tries += 1
            epoch = self.limiter.acquire()
            outcome, retry_after = "other", None
            t0 = time.perf_counter()
            try:
                r = self._client.post("/chat/completions", json=body)
                seconds += time.perf_counter() - t0
                if r.status_code == 200:
                    out = self._parse(r, seconds, tries)
                    if out is not None:
                        outcome = "ok" if out.error is None else "other"
                        return out
                    last_error = f"unreadable response: {r.text[:200]!r}"  # retried below
                else:
                    self._check_auth(r)
                    if r.status_code == 404 and "model" in r.text.lower():
                        raise _Fatal(f"{self.base_url}: model {self.model!r} unknown to the server: {r.text[:300]}")
                    last_error = f"HTTP {r.status_code}: {r.text[:300]}"
                    if not _transient_status(r.status_code):
                        return Output("", 0, seconds, False, error=last_error, transient=False, tries=tries)
                    outcome = "overload" if r.status_code == 429 or r.status_code >= 500 else "other"
                    retry_after = r.headers.get("retry-after")
            except httpx.TimeoutException as e:
                seconds += time.perf_counter() - t0
                last_error = f"timeout after {self.timeout_s:g} s ({type(e).__name__})"
            except httpx.TransportError as e:  # connection refused/reset, protocol errors
                seconds += time.perf_counter() - t0
                last_error = f"{type(e).__name__}: {e}"
            finally:
                self.limiter.release(epoch, outcome)
            if tries > self.retries:
                return Output(
                    "", 0, seconds, False, error=f"{last_error} (after {tries} tries)", transient=True, tries=tries
                )
            time.sleep(self._backoff(tries, retry_after))

    @staticmethod
    def _parse(r, seconds: float, tries: int) -> Output | None:
        """The Output of a 200 response; None if it is not a chat completion (a proxy's page...)."""
        try:
            data = r.json()
            choice = data["choices"][0]
            text = (choice.get("message") or {}).get("content")
            finish = choice.get("finish_reason")
            usage = data.get("usage") or {}
        except Exception:
            return None
        tokens = int(usage.get("completion_tokens") or 0)
        prompt = int(usage.get("prompt_tokens") or 0)
        if text is None:
            refusal = (choice.get("message") or {}).get("refusal")
            return Output(
                "",
                tokens,
                seconds,
                False,
                error=f"no content (finish_reason={finish}" + (f", refusal: {refusal}" if refusal else "") + ")",
                transient=False,
                prompt_tokens=prompt,
                tries=tries,
            )
        return Output(text, tokens, seconds, finish == "length", prompt_tokens=prompt, tries=tries)

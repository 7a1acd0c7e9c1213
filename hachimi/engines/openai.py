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

Several replicas, one engine: `base_urls` lists endpoints of the same model (vLLM replicas, one per
GPU or node). Each has its own AIMD window; a request goes to the healthy replica with the most
room. A replica that fails (connection refused or reset, a timeout, HTTP 502/503/504) is drained:
nothing is sent to it for `drain_s` (doubling on each further failure, up to 60 s), its requests are
retried at once on the others, and it is tried again when its time is up. With the same seeds and
a batch-invariant server, which replica answered does not change what is generated. A router URL
in front of a cluster (vLLM's router, Ray Serve LLM) is one base_url.

Settings, from [openai] in models/*.toml:
  base_url        "http://127.0.0.1:8000/v1" (the part before /chat/completions)
  base_urls       ["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1"]: a pool of replicas
  base_url_env    an environment variable that, when set, overrides them (comma-separated for a pool)
  drain_s         how long a failed replica rests before it is tried again (default 2, doubling)
  api_key_env     the environment variable holding the key (sent as a Bearer token when set)
  model           the server's model name ("" = the first one GET /models lists)
  server          "vllm": vLLM's extra body (structured_outputs with the full llguidance schema,
                  repetition_penalty, bad_words); "openai" (default; any hosted API): response_format
                  json_schema, strict, with the schema turned into the subset and limits such APIs
                  document (engines/strict.py); no repetition_penalty
  max_concurrency ceiling of requests in flight, per replica (default 16)
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

    def try_acquire(self) -> int | None:
        """A slot now (its epoch), or None when the window is full."""
        with self._cond:
            if self.in_flight >= self.current:
                return None
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


class Replica:
    """One endpoint of the pool: its client, its AIMD window, its health."""

    def __init__(self, url: str, client, ceiling: int, drain_s: float):
        self.url, self.client, self.limiter = url, client, AIMD(ceiling)
        self.drain_s = drain_s
        self.rest = drain_s  # the next drain's length (doubles while it keeps failing)
        self.down_until = 0.0
        self.served = self.failures = 0

    def room(self) -> int:
        return self.limiter.current - self.limiter.in_flight

    def failed(self) -> None:
        self.failures += 1
        self.down_until = time.monotonic() + self.rest
        self.rest = min(60.0, self.rest * 2)

    def answered(self) -> None:
        self.served += 1
        self.rest = self.drain_s


def _urls(cfg: dict) -> list[str]:
    env = cfg.get("base_url_env")
    raw = (os.environ.get(env) if env else None) or cfg.get("base_urls") or cfg.get("base_url") or []
    urls = raw.split(",") if isinstance(raw, str) else list(raw)
    return [u.strip().rstrip("/") for u in urls if u and u.strip()]


class OpenAIEngine:
    name = "openai"

    def __init__(self, spec):
        if httpx is None:
            raise HachimiError("the openai engine needs an HTTP client: pip install httpx2")
        cfg = dict(spec.openai or {})
        self.spec = spec
        env = cfg.get("base_url_env")
        urls = _urls(cfg)
        if not urls:
            raise HachimiError(
                f"{spec.file or spec.name}: [openai] needs base_url (or base_urls)" + (f" or ${env} set" if env else "")
            )
        if len(set(urls)) != len(urls):
            raise HachimiError(f"{spec.file or spec.name}: [openai] base_urls lists an endpoint twice: {urls}")
        self.base_url = urls[0] if len(urls) == 1 else "{" + ", ".join(urls) + "}"
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
        self.drain_s = float(cfg.get("drain_s", 2.0))
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        self.replicas = [
            Replica(
                url,
                httpx.Client(
                    base_url=url,
                    headers=headers,
                    timeout=httpx.Timeout(self.timeout_s, connect=min(10.0, self.timeout_s)),
                    limits=httpx.Limits(
                        max_connections=self.max_concurrency + 4, max_keepalive_connections=self.max_concurrency
                    ),
                ),
                self.max_concurrency,
                self.drain_s,
            )
            for url in urls
        ]
        self.default_concurrency = self.max_concurrency * len(self.replicas)
        self.limiter = self.replicas[0].limiter  # the (first) replica's window
        self._client = self.replicas[0].client
        self._room = threading.Condition()  # a replica freed a slot or came back
        self._pool = ThreadPoolExecutor(max_workers=self.default_concurrency, thread_name_prefix="hachimi-openai")
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

    def pool_stats(self) -> list[dict]:
        """Per replica: requests answered, failures, requests in flight now, whether it is resting now."""
        now = time.monotonic()
        return [
            {
                "url": r.url,
                "served": r.served,
                "failures": r.failures,
                "in_flight": r.limiter.in_flight,
                "resting": r.down_until > now,
            }
            for r in self.replicas
        ]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for r in self.replicas:
            r.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _resolve_model(self) -> None:
        with self._model_lock:
            if self.model:
                return
            r, errors = None, []
            for rep in self.replicas:  # the first that answers
                try:
                    r = rep.client.get("/models")
                    break
                except httpx.HTTPError as e:
                    errors.append(f"{rep.url}/models: {type(e).__name__}: {e}")
            if r is None:
                raise HachimiError("; ".join(errors) + " (set [openai] model to skip this look-up)")
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

    def _take(self) -> tuple[Replica, int]:
        """The healthy replica with the most room, and its admission epoch; waits when every one is
        full or resting."""
        with self._room:
            while True:
                now = time.monotonic()
                up = [r for r in self.replicas if r.down_until <= now]
                for rep in sorted(up, key=lambda r: -r.room()):  # stable: ties go to the first listed
                    epoch = rep.limiter.try_acquire()
                    if epoch is not None:
                        return rep, epoch
                back = min((r.down_until for r in self.replicas if r.down_until > now), default=now + 0.25)
                self._room.wait(timeout=min(0.25, max(0.005, back - now)))

    def _give_back(self, rep: Replica, epoch: int, outcome: str) -> None:
        rep.limiter.release(epoch, outcome)
        with self._room:
            self._room.notify_all()

    def _one(self, body: dict) -> Output:
        seconds, tries, last_error = 0.0, 0, ""
        pooled = len(self.replicas) > 1
        while True:
            tries += 1
            rep, epoch = self._take()
            outcome, retry_after, broken = "other", None, False
            t0 = time.perf_counter()
            try:
                r = rep.client.post("/chat/completions", json=body)
                seconds += time.perf_counter() - t0
                if r.status_code == 200:
                    out = self._parse(r, seconds, tries)
                    if out is not None:
                        outcome = "ok" if out.error is None else "other"
                        rep.answered()
                        return out
                    last_error = f"{rep.url}: unreadable response: {r.text[:200]!r}"  # retried below
                else:
                    self._check_auth(r)
                    if r.status_code == 404 and "model" in r.text.lower():
                        raise _Fatal(f"{rep.url}: model {self.model!r} unknown to the server: {r.text[:300]}")
                    last_error = f"HTTP {r.status_code}: {r.text[:300]}" + (f" ({rep.url})" if pooled else "")
                    if not _transient_status(r.status_code):
                        return Output("", 0, seconds, False, error=last_error, transient=False, tries=tries)
                    outcome = "overload" if r.status_code == 429 or r.status_code >= 500 else "other"
                    retry_after = r.headers.get("retry-after")
                    broken = r.status_code in (502, 503, 504)
            except httpx.TimeoutException as e:
                seconds += time.perf_counter() - t0
                last_error = f"timeout after {self.timeout_s:g} s ({type(e).__name__})" + (
                    f" ({rep.url})" if pooled else ""
                )
                broken = True
            except httpx.TransportError as e:  # connection refused/reset, protocol errors
                seconds += time.perf_counter() - t0
                last_error = f"{type(e).__name__}: {e}" + (f" ({rep.url})" if pooled else "")
                broken = True
            finally:
                if pooled and broken:
                    rep.failed()  # drained: the others take its requests
                self._give_back(rep, epoch, outcome)
            if tries > self.retries:
                return Output(
                    "", 0, seconds, False, error=f"{last_error} (after {tries} tries)", transient=True, tries=tries
                )
            now = time.monotonic()
            if not (pooled and broken and any(r.down_until <= now for r in self.replicas)):
                time.sleep(self._backoff(tries, retry_after))  # no other replica to turn to at once

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

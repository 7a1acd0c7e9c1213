"""vLLM in this process: continuous batching, per-request JSON-schema decoding, prefix caching.

The engine is vLLM's AsyncLLM (the engine behind `vllm serve`), driven from an asyncio loop in a
background thread. Why not `vllm.LLM`: LLM.generate runs one closed batch and returns when its
slowest request ends, and it is not safe to call from several threads. hachimi's scheduler keeps K
persona slots in flight and each slot's next agent call depends on the previous one; with AsyncLLM
every request joins the running batch as soon as it is submitted (from any thread, any number of
concurrent `generate` calls), so a slot never waits for another slot's long narrative.

Per request: SamplingParams(seed, temperature, top_p, repetition_penalty, max_tokens,
structured_outputs=StructuredOutputsParams(json=schema), bad_words=banned), decoded with the
guidance backend (llguidance, as hachimi's transformers engine). Prompts are the model's chat
template applied by its tokenizer; the agents of one persona share their system prompt, so vLLM's
prefix cache (enable_prefix_caching, on by default here) skips re-reading it.

Settings, from [vllm] in models/*.toml, go to vllm.AsyncEngineArgs as they are (tensor_parallel_size,
max_model_len, gpu_memory_utilization, dtype, quantization, max_num_seqs, enforce_eager, ...), except:
  model            a folder or hub id (default: where hachimi.engines.models.locate finds the weights)
  max_concurrency  slots hachimi keeps in flight by default (default: max_num_seqs, else 64)
  env              a table of environment variables set (if unset) before vLLM is imported,
                   e.g. VLLM_CPU_KVCACHE_SPACE on a CPU build

`seconds` of an Output is its share of the engine's wall time: while n requests are in flight, each
is charged 1/n of the elapsed time, so the outputs' seconds add up to the time the engine was busy.

vLLM starts its engine core in a child process: a script that builds this engine at import time
needs `if __name__ == "__main__":` (the `hachimi` command is fine).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import threading
import time

from ..errors import HachimiError
from .base import Decoding, Output, Request, capped

_HACHIMI_KEYS = ("model", "max_concurrency", "env")


class _Shares:
    """Charges elapsed wall time to the requests in flight, 1/n each."""

    def __init__(self):
        self._lock = threading.Lock()
        self._live: dict[str, float] = {}
        self._last = time.perf_counter()

    def _advance(self) -> None:
        now = time.perf_counter()
        if self._live:
            share = (now - self._last) / len(self._live)
            for k in self._live:
                self._live[k] += share
        self._last = now

    def start(self, key: str) -> None:
        with self._lock:
            self._advance()
            self._live[key] = 0.0

    def stop(self, key: str) -> float:
        with self._lock:
            self._advance()
            return self._live.pop(key, 0.0)


class VLLMEngine:
    name = "vllm"

    def __init__(self, spec):
        from .models import ModelNotFound, locate

        cfg = dict(spec.vllm or {})
        self.spec = spec
        for k, v in dict(cfg.get("env") or {}).items():
            os.environ.setdefault(str(k), str(v))
        model = cfg.get("model")
        if not model:
            folder, looked = locate(spec)
            if folder is None:
                hint = (
                    f"set ${spec.path_env} to a folder holding config.json and safetensors"
                    if spec.path_env
                    else "set [vllm] model"
                )
                if spec.hub_id:
                    hint += f", or download {spec.hub_id} into the hub cache"
                raise ModelNotFound(
                    f"model '{spec.name}' has no weights here; looked in: "
                    f"{'; '.join(looked) or 'nowhere'}. To fix: {hint}"
                )
            model = str(folder)
        self.model = str(model)
        args = {k: v for k, v in cfg.items() if k not in _HACHIMI_KEYS}
        args.setdefault("enable_prefix_caching", True)
        args.setdefault("structured_outputs_config", {"backend": "guidance"})
        args.setdefault("disable_log_stats", True)
        self.engine_args = dict(args, model=self.model)
        self.default_concurrency = int(cfg.get("max_concurrency") or args.get("max_num_seqs") or 64)
        self.decoding = Decoding.from_spec(spec.decoding or {})
        self.stats = {"requests": 0, "prompt_tokens": 0, "cached_prompt_tokens": 0, "generated_tokens": 0}
        self._ids = itertools.count()
        self._shares = _Shares()
        self._closed = False

        try:
            import vllm  # noqa: F401  (fail early and clearly, before a thread exists)
        except ImportError as e:
            raise HachimiError(
                f"the vllm engine needs vLLM installed in this environment ({e}); on a "
                "CPU-only machine scripts/engines/setup_vllm.sh builds .venv-vllm"
            ) from None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hachimi-vllm", daemon=True)
        self._thread.start()
        try:
            self._llm = self._call(self._start())
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            raise
        self._tokenizer = self._llm.get_tokenizer()
        self.vllm_version = vllm.__version__

    # -- the interface -------------------------------------------------------------------------

    def generate(self, requests: list[Request]) -> list[Output]:
        if self._closed:
            raise HachimiError("the vllm engine is closed")
        if not requests:
            return []
        prompts = [self._prompt(r) for r in requests]
        return self._call(self._run_all(requests, prompts))

    def describe(self) -> dict:
        keep = (
            "dtype",
            "quantization",
            "tensor_parallel_size",
            "pipeline_parallel_size",
            "max_model_len",
            "kv_cache_dtype",
            "seed",
        )
        return {
            "engine": "vllm",
            "vllm": getattr(self, "vllm_version", "?"),
            "model": self.model,
            "temperature": self.decoding.temperature,
            "top_p": self.decoding.top_p,
            "repetition_penalty": self.decoding.repetition_penalty,
            "structured": "structured_outputs.json/" + self._backend(),
            **{k: self.engine_args[k] for k in keep if k in self.engine_args},
        }

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        llm = getattr(self, "_llm", None)
        if llm is not None:
            try:
                self._call(self._stop(llm), timeout=120)
            except Exception:
                pass
            self._llm = llm = None  # else AsyncLLM.__del__ runs shutdown again at interpreter exit
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals -----------------------------------------------------------------------------

    def _backend(self) -> str:
        so = self.engine_args.get("structured_outputs_config")
        return so.get("backend", "auto") if isinstance(so, dict) else str(getattr(so, "backend", "auto"))

    def _call(self, coro, timeout: float | None = None):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _start(self):
        from vllm.config import StructuredOutputsConfig
        from vllm.engine.arg_utils import AsyncEngineArgs
        from vllm.v1.engine.async_llm import AsyncLLM

        args = dict(self.engine_args)
        if isinstance(args.get("structured_outputs_config"), dict):
            args["structured_outputs_config"] = StructuredOutputsConfig(**args["structured_outputs_config"])
        try:
            engine_args = AsyncEngineArgs(**args)
        except TypeError as e:
            raise HachimiError(
                f"{self.spec.file or self.spec.name}: [vllm]: {e} (keys go to vllm.AsyncEngineArgs)"
            ) from None
        return AsyncLLM.from_engine_args(engine_args)

    @staticmethod
    async def _stop(llm) -> None:
        llm.shutdown()

    def _prompt(self, req: Request) -> dict:
        text = self._tokenizer.apply_chat_template(list(req.messages), tokenize=False, add_generation_prompt=True)
        # the template already wrote every special token it wants (BOS, role markers)
        return {"prompt_token_ids": self._tokenizer.encode(text, add_special_tokens=False)}

    def _params(self, req: Request):
        from vllm import SamplingParams
        from vllm.sampling_params import RequestOutputKind, StructuredOutputsParams

        d = self.decoding
        return SamplingParams(
            n=1,
            seed=int(req.seed),
            temperature=d.temperature,
            top_p=d.top_p,
            repetition_penalty=d.repetition_penalty,
            max_tokens=int(req.max_new_tokens),
            structured_outputs=StructuredOutputsParams(json=req.schema) if req.schema is not None else None,
            bad_words=capped(req.banned) or None,
            output_kind=RequestOutputKind.FINAL_ONLY,
        )

    async def _run_all(self, requests, prompts):
        return await asyncio.gather(*(self._run_one(r, p) for r, p in zip(requests, prompts)))

    async def _run_one(self, req: Request, prompt: dict) -> Output:
        from vllm.v1.engine.exceptions import EngineDeadError

        try:
            from vllm.exceptions import VLLMClientError  # a bad schema, a too-long prompt, bad words
        except ImportError:  # pragma: no cover - older vLLM
            VLLMClientError = ValueError
        rid = f"hachimi-{next(self._ids)}"
        n_prompt = len(prompt["prompt_token_ids"])
        self._shares.start(rid)
        final = None
        try:
            params = self._params(req)
            async for out in self._llm.generate(prompt, params, rid):
                final = out
        except EngineDeadError as e:
            self._shares.stop(rid)
            raise HachimiError(f"the vLLM engine died: {e}") from None
        except Exception as e:  # a wrong request fails for good; anything else is worth one more try
            wrong = isinstance(e, (VLLMClientError, ValueError, TypeError))
            return Output(
                "",
                0,
                self._shares.stop(rid),
                False,
                error=f"{type(e).__name__}: {e}",
                transient=not wrong,
                prompt_tokens=n_prompt,
            )
        seconds = self._shares.stop(rid)
        if final is None or not final.outputs:
            return Output(
                "", 0, seconds, False, error="vLLM returned no output", transient=True, prompt_tokens=n_prompt
            )
        c = final.outputs[0]
        tokens = len(c.token_ids)
        self.stats["requests"] += 1
        self.stats["prompt_tokens"] += n_prompt
        self.stats["cached_prompt_tokens"] += int(final.num_cached_tokens or 0)
        self.stats["generated_tokens"] += tokens
        if c.finish_reason == "abort":
            return Output(
                c.text, tokens, seconds, False, error="aborted by vLLM", transient=True, prompt_tokens=n_prompt
            )
        return Output(c.text, tokens, seconds, c.finish_reason == "length", prompt_tokens=n_prompt)

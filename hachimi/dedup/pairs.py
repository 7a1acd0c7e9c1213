"""Personas + a stratum key -> near-duplicate pairs within each stratum: lexical (SimHash within
Hamming 3, via banded LSH) and semantic (MiniLM cosine >= threshold, blocked exact search)."""

from __future__ import annotations

from typing import Callable

from .simhash import SimHashIndex, distance, fingerprint
from .text import narrative_text


def lexical(
    personas: list[dict], stratum: Callable[[dict], str], fields: tuple[str, ...]
) -> list[tuple[str, str, str, float]]:
    """`fields`: the text compared (dedup/text.compared_fields(theory.schema))."""
    out, idx, prints = [], {}, {}
    for p in personas:
        fp = fingerprint(narrative_text(p, fields))
        ix = idx.setdefault(stratum(p), SimHashIndex())
        out += [(q, p["id"], "lexical", distance(fp, prints[q])) for q in ix.near(fp)]
        ix.add(p["id"], fp)
        prints[p["id"]] = fp
    return out


def semantic(personas: list[dict], stratum: Callable[[dict], str], threshold: float, fields=(), vectors=None):
    """(pairs, vectors); vectors are computed when not given."""
    from .embed import embed, near_pairs

    vecs = embed([narrative_text(p, fields) for p in personas]) if vectors is None else vectors
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(personas):
        groups.setdefault(stratum(p), []).append(i)
    out = [
        (personas[g[i]]["id"], personas[g[j]]["id"], "semantic", round(s, 4))
        for g in groups.values()
        for i, j, s in near_pairs(vecs[g], threshold)
    ]
    return out, vecs

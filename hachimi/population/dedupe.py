"""Accepted personas, per stratum -> is a new one a near-duplicate? Lexical (SimHash + banded LSH)
and, when the population extra is installed, semantic (MiniLM embeddings, cosine >= 0.95)."""

from __future__ import annotations

from ..dedup.simhash import SimHashIndex, fingerprint
from ..dedup.text import narrative_text

MODES = ("none", "lexical", "semantic", "both")


class Deduper:
    def __init__(self, mode: str = "lexical", fields: tuple[str, ...] = (), threshold: float = 0.95):
        """`fields`: the text compared (dedup/text.compared_fields(theory.schema))."""
        if mode not in MODES:
            raise ValueError(f"dedup mode {mode!r}: use one of {', '.join(MODES)}")
        self.mode, self.threshold, self.fields = mode, threshold, tuple(fields)
        self.lexical = SimHashIndex()  # every stratum's accepted personas, compactly
        self.vectors: dict[str, list] = {}
        self._last: tuple[dict, str, int] | None = None  # (persona, its text, its fingerprint)

    def _text(self, persona: dict) -> tuple[str, int]:
        """The persona's compared text and fingerprint: `near` then `add` of one persona compute them once."""
        if self._last is not None and self._last[0] is persona:
            return self._last[1], self._last[2]
        text = narrative_text(persona, self.fields)
        fp = fingerprint(text) if self.mode in ("lexical", "both") else 0
        self._last = (persona, text, fp)
        return text, fp

    def near(self, stratum: str, persona: dict) -> tuple[str, str] | None:
        """(id of the persona it duplicates, 'lexical'/'semantic'), or None."""
        text, fp = self._text(persona)
        if self.mode in ("lexical", "both"):
            hits = self.lexical.near(fp, stratum)
            if hits:
                return hits[0], "lexical"
        if self.mode in ("semantic", "both") and self.vectors.get(stratum):
            from ..dedup.embed import embed

            v = embed([text])[0]
            for pid, w in self.vectors[stratum]:
                if float(v @ w) >= self.threshold:
                    return pid, "semantic"
        return None

    def add(self, stratum: str, persona: dict) -> None:
        text, fp = self._text(persona)
        if self.mode in ("lexical", "both"):
            self.lexical.add(persona["id"], fp, stratum)
        if self.mode in ("semantic", "both"):
            from ..dedup.embed import embed

            self.vectors.setdefault(stratum, []).append((persona["id"], embed([text])[0]))

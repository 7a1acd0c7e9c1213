"""A persona + its theory's level vocabulary -> what the reader took from each sentence of each
narrative: the dimensions it names, the set of steps it allows, the words, the construction that
bound them, and how that compares with the structured level (`hachimi text read`, the audit)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from . import steps as S
from .reader import read
from .segment import sentences


@dataclass
class Row:
    """One dimension read in one sentence."""

    field: str
    sentence: str
    dimension: str
    structured: Any  # the persona's structured level (None if absent)
    allows: list[str]  # steps the words allow, in scale order ([] = mentioned, no level read)
    words: str  # the expression, with its modifiers and negation
    construction: str  # how the words were bound to the name (or why none: hedged, no level word)
    trusted: bool
    verdict: str  # agrees / contradicts / loose (agrees) / loose (disagrees) / unread / hedged


@dataclass
class PersonaReading:
    id: str | None
    rows: list[Row] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "readings": [asdict(r) for r in self.rows]}


def explain(persona: dict, config) -> PersonaReading:
    """config: the levels check's Config (theory.text.checks['levels'][1])."""
    from ..jsonio import get_path

    vocab = config.vocabulary
    out = PersonaReading(persona.get("id") if isinstance(persona.get("id"), str) else None)
    for path, part in config.fields.items():
        text = get_path(persona, path)
        if not isinstance(text, str):
            continue
        dims = vocab.parts[part]
        r = read(text, dims, vocab)
        spans = sentences(text)
        for d in dims:
            level = get_path(persona, config.keys[(part, d)])
            order = vocab.orders[vocab.scales[d]]
            readings = r.of(d)
            for x in readings:
                ok = level in x.steps if level is not None else None
                verdict = (
                    ("agrees" if ok else "contradicts")
                    if x.trusted and x.steps
                    else ("unread" if not x.steps else f"loose ({'agrees' if ok else 'disagrees'})")
                )
                out.rows.append(
                    Row(
                        path,
                        text[x.sentence[0] : x.sentence[1]],
                        d,
                        level,
                        [s for s in order if s in x.steps],
                        x.expression,
                        x.construction,
                        x.trusted,
                        verdict,
                    )
                )
            if not readings and (d in r.mentioned() or d in r.hedged):
                where = r.hedged.get(d) or next((m.sentence for m in r.mentions if m.dimension == d), (0, 0))
                why = "hedged" if d in r.hedged else "no level word"
                out.rows.append(Row(path, text[where[0] : where[1]], d, level, [], "", why, False, why))
        out.rows.sort(key=lambda row: (list(config.fields).index(row.field), _pos(spans, text, row.sentence)))
    return out


def _pos(spans, text: str, sentence: str) -> int:
    return next((a for a, b in spans if text[a:b] == sentence), 0)


def describe(steps: list[str]) -> str:
    return S.phrase(frozenset(steps), tuple(steps)) if steps else "-"

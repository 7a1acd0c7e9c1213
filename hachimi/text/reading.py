"""What the reader takes from a text: mentions of dimensions and readings (a dimension, the set of
steps the text allows, where, and the construction that bound them)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mention:
    dimension: str  # a group phrase gives one Mention per dimension
    start: int
    end: int
    sentence: tuple[int, int] = (0, 0)


@dataclass
class Reading:
    """One level statement about one dimension."""

    dimension: str
    steps: frozenset[str]  # the steps the text allows (empty: a level word with no step here)
    trusted: bool  # bound through construction words only (a contradiction is an error)
    construction: (
        str  # copula, adjacent, label, prenominal, coordination, respectively, ellipsis, topic, pronoun, loose
    )
    expression: str  # the words that state it, modifiers and negation included
    span: tuple[int, int]  # the expression's characters in the text (what a repair rewrites)
    sentence: tuple[int, int]  # the sentence it was read in
    rewritable: bool = True  # a repair may replace `span` (not shared with another dimension, no negation apart)


@dataclass
class TextReading:
    """Everything read from one text about the dimensions asked for."""

    language: str
    mentions: list[Mention] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    hedged: dict[str, tuple[int, int]] = field(default_factory=dict)  # dimension -> sentence of a hedge

    def mentioned(self) -> set[str]:
        return {m.dimension for m in self.mentions}

    def of(self, dimension: str) -> list[Reading]:
        return [r for r in self.readings if r.dimension == dimension]

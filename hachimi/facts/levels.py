"""Narratives -> facts about the levels they state (the narrative-level check, [features.levels]).

The text is read by the one reader (hachimi/text/): each reading of a dimension is the set of steps
its words allow ("strong" -> fairly high or high), bound to the dimension by a construction the
reader trusts or only loosely. Facts (rules/narrative.lp turns them into L1-L3):

- reads(P, Field, Key, Part, Dim): Field states a level for Dim with a binding the reader trusts
  (Key: the structured field holding Dim's level), and allows(P, Field, Key, Part, Dim, V) for
  each step V every such statement allows. A structured level the prose does not allow contradicts
  it (statements that allow no common step contradict every level).
- unstated(P, Field, Key): Dim is mentioned but no level could be read with confidence: no level
  word, a hedge, a word with no step on the scale, or only a loose reading that does not allow the
  structured level. Never an error: the reader says "I could not read this", not "wrong".
- said(P, Field, Key, Text) and unread(P, Field, Key, Sentence) carry the words for messages only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import TheoryError
from ..text import steps as S
from ..text.reader import read
from ..text.vocab import Vocabulary, load_vocabulary
from .reader import Fact, _q


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    vocabulary: str
    fields: dict[str, str]  # narrative field -> part (a key of [parts] in the vocabulary)
    rule: str | None = None  # the rule that compares prose with levels (repairs rewrite its prose)
    unstated: list[str] = []  # the rules that report a level the prose does not state (from unstated/3)


@dataclass(frozen=True)
class Config:
    vocabulary: Vocabulary
    fields: dict[str, str]  # narrative field -> part
    schema: Any = None  # the theory's PersonaSchema
    keys: dict | None = None  # (part, dimension) -> structured field
    rule: str | None = None  # the rule a repair's rewrite of the prose fixes
    unstated: tuple[str, ...] = ()  # the rules that report a level the prose does not state

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules about what the prose says of the levels (a scaffolded revision rewrites the
        sentences they name, warnings included)."""
        return ((self.rule,) if self.rule else ()) + self.unstated


def vocabulary_of(path: str | Path, schema) -> Vocabulary:
    """The level vocabulary of a theory, with its schema's scale orders and display names."""
    display = {d: schema.display_name(d) for g in schema.groups.values() for d in g.names}
    return load_vocabulary(path, schema, display)


def configure(table: dict, root: Path, file: str, schema) -> Config:
    try:
        t = _Table.model_validate(table)
    except ValidationError as e:
        err = e.errors()[0]
        raise TheoryError(f"[features.levels] {'.'.join(map(str, err['loc']))}: {err['msg']}", file) from None
    vocab = vocabulary_of(root / t.vocabulary, schema)
    for f, part in t.fields.items():
        if part not in vocab.parts:
            raise TheoryError(f"[features.levels.fields] {f} = {part!r}: not a part of the vocabulary's [parts]", file)
        if f not in schema.by_path:
            raise TheoryError(f"[features.levels.fields] {f}: not a field of schema.toml", file)
    keys = {(part, d): key_of(part, d, schema, file) for part, dims in vocab.parts.items() for d in dims}
    return Config(vocab, dict(t.fields), schema, keys, t.rule, tuple(t.unstated))


def key_of(part: str, dimension: str, schema, file: str | None = None) -> str:
    """The structured field a narrative's dimension describes: values.levels.<d>, mental_health.<d>."""
    for path in (f"{part}.levels.{dimension}", f"{part}.{dimension}"):
        if path in schema.by_path:
            return path
    raise TheoryError(
        f"the level vocabulary's dimension {dimension} of part {part} has no structured field "
        f"({part}.levels.{dimension} or {part}.{dimension}) in schema.toml",
        file,
    )


def _said(r, order) -> str:
    """The words and, where they are not a step's own name, the steps they allow."""
    steps = S.phrase(r.steps, order)
    same = steps == r.expression.replace("-", " ").strip()
    return f"\u201c{r.expression}\u201d" + ("" if same else f" ({steps})")


def _clip(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def facts(values: dict[str, Any], cfg: Config) -> list[Fact]:
    out: list[Fact] = []
    vocab = cfg.vocabulary
    for path, part in cfg.fields.items():
        text = values.get(path)
        if not isinstance(text, str):
            continue
        reading = read(text, vocab.parts[part], vocab)
        mentioned = reading.mentioned() | set(reading.hedged)
        qp = _q(path)
        for d in vocab.parts[part]:
            rs = reading.of(d)
            if not rs and d not in mentioned:
                continue
            key = cfg.keys[(part, d)]
            order = vocab.orders[vocab.scales[d]]
            level = values.get(key)
            trusted = [r for r in rs if r.trusted and r.steps]
            qk = _q(key)
            if trusted:
                common = frozenset.intersection(*(r.steps for r in trusted))
                out.append(Fact("reads", f",{qp},{qk},{part},{d}", path, d))
                out += [Fact("allows", f",{qp},{qk},{part},{d},{v}", path, f"{d}={v}") for v in order if v in common]
            wrong = next((r for r in trusted if level is not None and level not in r.steps), None)
            if wrong is not None:
                out.append(Fact("said", f",{qp},{qk},{_q(_said(wrong, order))}", path, wrong.expression))
            if trusted:
                continue
            loose = [r for r in rs if r.steps]
            if loose and level is not None and all(level in r.steps for r in loose):
                continue  # a loose reading that agrees: nothing to report
            out.append(Fact("unstated", f",{qp},{qk}", path, d))
            where = (rs[0].sentence if rs else None) or reading.hedged.get(d) or _sentence_of(reading, d)
            if where:
                out.append(Fact("unread", f",{qp},{qk},{_q(_clip(text[where[0] : where[1]]))}", path, d))
    return out


def _sentence_of(reading, d: str) -> tuple[int, int] | None:
    return next((m.sentence for m in reading.mentions if m.dimension == d), None)


# facts emitted only to fill messages (no violation depends on them; not in the domain): name -> arity
MESSAGE_FACTS = {"said": 4, "unread": 4}


def domain(cfg: Config) -> list[Fact]:
    out = []
    vocab = cfg.vocabulary
    for path, part in cfg.fields.items():
        for d in vocab.parts[part]:
            key = _q(cfg.keys[(part, d)])
            out.append(Fact("reads", f",{_q(path)},{key},{part},{d}", path, d))
            for v in vocab.orders[vocab.scales[d]]:
                out.append(Fact("allows", f",{_q(path)},{key},{part},{d},{v}", path, f"{d}={v}"))
            out.append(Fact("unstated", f",{_q(path)},{key}", path, d))
    return out

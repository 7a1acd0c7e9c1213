"""The agents of a theory's schema.toml, in order: which persona parts each writes, and its schema."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..schema.spec import PersonaSchema
from . import grammar
from .narrow import Box


@dataclass(frozen=True)
class Agent:
    key: str  # owner name used by the theory (rule owner / field owner)
    parts: tuple[str, ...]  # persona parts it writes
    spec: PersonaSchema = field(compare=False, repr=False)  # the persona format

    def schema(
        self,
        box: Box | None,
        max_text: int,
        max_short: int,
        text=None,
        language: str = "en",
        scaffold=None,
        narrative: str = "scaffold",
    ) -> dict:
        """One JSON object holding the agent's part(s); a single part is decoded directly.
        `scaffold`: narrative field -> its scaffold; `narrative`: the style (grammar.build)."""

        def build(part: str) -> dict:
            return grammar.build(part, box, max_text, max_short, text, language, scaffold, self.spec, narrative)

        if len(self.parts) == 1:
            s = build(self.parts[0])
            s["title"] = self.key
            return s
        props = {p: build(p) for p in self.parts}
        for sub in props.values():
            sub.pop("x-guidance", None)
        return {
            "title": self.key,
            "type": "object",
            "properties": props,
            "required": list(self.parts),
            "additionalProperties": False,
            "x-guidance": dict(grammar.WHITESPACE),
        }

    def unpack(self, obj: dict) -> dict:
        """Agent output -> {part: value}."""
        return {self.parts[0]: obj} if len(self.parts) == 1 else {p: obj.get(p) for p in self.parts}

    def allowed(self, box: Box | None) -> dict:
        """The structured values the agent may choose from (stated in its prompt)."""
        by_path = self.spec.by_path
        if box is None:
            return {
                p: list(by_path[p].domain)
                for p in by_path
                if p.split(".")[0] in self.parts and by_path[p].kind in ("enum", "int", "set")
            }
        return {
            p.split(".", 1)[1] if len(self.parts) == 1 else p: v
            for p, v in box.allowed.items()
            if p.split(".")[0] in self.parts and by_path[p].kind != "count"
        }


_CACHE: dict[int, tuple[PersonaSchema, tuple[Agent, ...]]] = {}


def agents_of(spec: PersonaSchema) -> tuple[Agent, ...]:
    """The theory's agents in the order they write."""
    if id(spec) not in _CACHE:  # the schema is kept with its agents, so its id is not reused
        _CACHE[id(spec)] = (spec, tuple(Agent(a.key, a.parts, spec) for a in spec.agents))
    return _CACHE[id(spec)][1]

"""The five agents of the original, in order: which persona parts each writes, and its schema."""

from __future__ import annotations

from dataclasses import dataclass

from ..facts.table import BY_PATH
from . import grammar
from .narrow import Box


@dataclass(frozen=True)
class Agent:
    key: str  # owner name used by the theory (rule owner / field owner)
    parts: tuple[str, ...]  # persona parts it writes

    def schema(
        self, box: Box | None, max_text: int, max_short: int, text=None, language: str = "en", scaffold=None
    ) -> dict:
        """One JSON object holding the agent's part(s); a single part is decoded directly.
        `scaffold`: narrative field -> its scaffold (grammar.build)."""
        if len(self.parts) == 1:
            s = grammar.build(self.parts[0], box, max_text, max_short, text, language, scaffold)
            s["title"] = self.key
            return s
        props = {p: grammar.build(p, box, max_text, max_short, text, language, scaffold) for p in self.parts}
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
        if box is None:
            return {
                p: list(BY_PATH[p].domain)
                for p in BY_PATH
                if p.split(".")[0] in self.parts and BY_PATH[p].kind in ("enum", "int", "set")
            }
        return {
            p.split(".", 1)[1] if len(self.parts) == 1 else p: v
            for p, v in box.allowed.items()
            if p.split(".")[0] in self.parts and BY_PATH[p].kind != "count"
        }


AGENTS: tuple[Agent, ...] = (
    Agent("enrollment", ("enrollment",)),
    Agent("academic", ("academic",)),
    Agent("values", ("values",)),
    Agent("social_creativity", ("social", "creativity")),
    Agent("mental_health", ("mental_health",)),
)
BY_KEY = {a.key: a for a in AGENTS}

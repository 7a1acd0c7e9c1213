"""n -> n real agent calls on narrowed k12 slots (request k is agent k % 5 on its own slot: grade
1-12, both genders, the four levels), as plain dicts: the workload of the engine benchmarks and
engine tests (one definition for both)."""

from __future__ import annotations

SLOT_LEVELS = ("high", "medium", "low", "poor")


def persona_requests(
    n: int = 16, seed: int = 100, max_text: int = 160, max_short: int = 90, cap: int | None = None, language: str = "en"
) -> list[dict]:
    """Dicts with agent, messages, schema, seed and max_new_tokens (capped at `cap` if given)."""
    from ..theory.locate import locate
    from ..theory.pack import load
    from .agents import AGENTS
    from .grammar import text_budget
    from .narrow import Narrower
    from .prompts import chars_per_token, render

    theory = load(locate("k12"))
    narrower = Narrower(theory)
    out = []
    for k in range(n):
        slot = {
            "grade": 1 + k % 12,
            "gender": ("female", "male")[k % 2],
            "academic_level": SLOT_LEVELS[k % 4],
            "subject_bias": [],
        }
        box = narrower.box(slot, seed + k)
        agent = AGENTS[k % len(AGENTS)]
        schema = agent.schema(box, max_text, max_short, theory.text, language)
        budget = int(text_budget(schema) / chars_per_token(language)) + 16
        out.append(
            {
                "agent": agent.key,
                "messages": render(language, agent.key, slot, {}, agent.allowed(box)).messages,
                "schema": schema,
                "seed": (seed + k) * 7919,
                "max_new_tokens": min(budget, cap) if cap else budget,
            }
        )
    return out

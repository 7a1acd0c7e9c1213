"""A theory + n -> n real agent calls on narrowed slots (request k is agent k % (number of agents) on
the k-th slot a plan-less run of the theory draws), as plain dicts: the workload of the engine
benchmarks and engine tests (one definition for both)."""

from __future__ import annotations


def persona_requests(
    theory,
    n: int = 16,
    seed: int = 100,
    max_text: int = 160,
    max_short: int = 90,
    cap: int | None = None,
    language: str = "en",
) -> list[dict]:
    """Dicts with agent, messages, schema, seed and max_new_tokens (capped at `cap` if given)."""
    from ..population.slots import uniform
    from .agents import agents_of
    from .grammar import text_budget
    from .narrow import Narrower
    from ..theory.prompts import chars_per_token, render

    narrower = Narrower(theory)
    agents = agents_of(theory.schema)
    out = []
    for k, planned in enumerate(uniform(n, seed, theory.schema)):
        slot = planned.slot
        box = narrower.box(slot, seed + k)
        agent = agents[k % len(agents)]
        schema = agent.schema(box, max_text, max_short, theory.text, language)
        budget = int(text_budget(schema) / chars_per_token(language)) + 16
        out.append(
            {
                "agent": agent.key,
                "messages": render(
                    language,
                    agent.key,
                    slot,
                    {},
                    agent.allowed(box),
                    spec=theory.schema,
                    dirs=tuple(theory.prompt_dirs),
                ).messages,
                "schema": schema,
                "seed": (seed + k) * 7919,
                "max_new_tokens": min(budget, cap) if cap else budget,
            }
        )
    return out

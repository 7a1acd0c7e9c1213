"""What a persona attempt (generate/loop.py) asks for as it runs: model calls (answered by an engine)
and solver work (narrowing a slot, checking a persona; answered in process or by a worker pool,
generate/cpu.py). One module both sides import, so neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass

from ..engines.base import Request


@dataclass(frozen=True)
class Calls:
    """Model requests that may go out together (one agent's proposal, or one round's revisions)."""

    requests: list[Request]
    agents: list[str]


@dataclass(frozen=True)
class Narrow:
    slot: dict
    seed: int
    restrict: dict | None


@dataclass(frozen=True)
class Check:
    persona: dict


Need = Calls | Narrow | Check

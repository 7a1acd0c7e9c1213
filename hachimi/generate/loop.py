"""Slot + seed -> one persona attempt: five agents propose their parts under solver-narrowed
grammars; the validator checks; fixable structural violations are repaired directly; every other
violation goes, with its message, core and suggested fix, to the agent that owns it, which rewrites
only its part; after --max-rounds the attempt fails. Every call and verdict goes to `log`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from ..explain.apply import apply_repair
from ..facts.table import owner_of
from ..theory.pack import Theory
from ..validate import Result, Validator
from .agents import AGENTS, Agent
from .grammar import text_budget
from .narrow import Narrower
from .prompts import render
from .runner import CHARS_PER_TOKEN, schema_hash
from .seeds import derive


@dataclass
class Settings:
    language: str = "en"
    max_text: int = 160
    max_short: int = 90
    narrow: bool = True
    max_rounds: int = 3
    direct_repair: bool = True      # apply the validator's structural repair before asking agents


@dataclass
class Outcome:
    persona: dict | None          # the accepted persona, or None
    first_pass_valid: bool = False
    rounds: int = 0
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0
    reason: str = ""
    last: Result | None = field(default=None, repr=False)


class PersonaLoop:
    def __init__(self, theory: Theory, runner: Callable, settings: Settings, log: Callable[[dict], None]):
        self.theory, self.runner, self.s, self.log = theory, runner, settings, log
        self.validator = Validator(theory)
        self.narrower = Narrower(theory) if settings.narrow else None

    def run(self, pid: str, slot: dict, seed: int, attempt: int = 0, restrict: dict | None = None) -> Outcome:
        tag = {"persona": pid, "attempt": attempt}
        box = self.narrower.box({k: v for k, v in slot.items() if v not in (None, [])}, seed, restrict) \
            if self.narrower else None
        if self.narrower and box is None:
            self.log({"type": "outcome", **tag, "accepted": False, "reason": "the theory allows no persona for this slot"})
            return Outcome(None, reason="slot impossible")
        if box:
            self.log({"type": "narrowing", **tag, "checks": box.checks, "allowed": box.allowed})
        out = Outcome(None)
        persona: dict = {"id": pid, "slot": slot}
        for agent in AGENTS:
            self._call(agent, persona, slot, box, seed, 0, tag, out)
        result = self._validate(persona, tag, 0, "proposal")
        out.first_pass_valid = result.valid
        while not result.valid and out.rounds < self.s.max_rounds:
            out.rounds += 1
            if self.s.direct_repair and result.repair and result.repair["changes"]:
                persona = apply_repair(persona, result.repair["changes"])
                self.log({"type": "repair_applied", **tag, "round": out.rounds, **result.repair})
                result = self._validate(persona, tag, out.rounds, "after_repair")
                if result.valid:
                    break
            for agent, problems in self._feedback(result).items():
                self._call(agent, persona, slot, box, seed, out.rounds, tag, out, problems)
            result = self._validate(persona, tag, out.rounds, "after_revision")
        out.last = result
        out.persona = persona if result.valid else None
        out.reason = "" if result.valid else f"still invalid after {out.rounds} rounds: " + \
            ", ".join(sorted({v.ref for v in result.violations if v.severity == "error"} or {"unreadable"}))
        self.log({"type": "outcome", **tag, "slot": slot, "accepted": result.valid, "first_pass_valid": out.first_pass_valid,
                  "rounds": out.rounds, "calls": out.calls, "tokens": out.tokens,
                  "seconds": round(out.seconds, 3), "reason": out.reason})
        return out

    def _banned_terms(self, agent: Agent) -> tuple[str, ...]:
        """Lexicon terms the theory forbids in fields this agent writes (R5/R12): kept out at decoding."""
        return tuple(sorted({t for fields, terms in self.theory.text.lexicons.values()
                             if any(f.split(".")[0] in agent.parts for f in fields) for t in terms}))

    def _validate(self, persona: dict, tag: dict, rnd: int, stage: str) -> Result:
        r = next(self.validator.validate_objects([persona]))
        self.log({"type": "validation", **tag, "round": rnd, "stage": stage, **{k: v for k, v in r.to_dict().items() if k not in ("line", "id")}})
        return r

    def _feedback(self, result: Result) -> dict[Agent, list[str]]:
        """Error violations (and that owner's warnings) grouped by owner agent, as prompt lines."""
        owners = {v.owner for v in result.violations if v.severity == "error"}
        if result.error:
            owners |= {a.key for a in AGENTS}
        changes = (result.repair or {}).get("changes", [])
        out: dict[Agent, list[str]] = {}
        for agent in AGENTS:
            if agent.key not in owners:
                continue
            lines = []
            for v in result.violations:
                if v.owner != agent.key:
                    continue
                fix = [f"{c['field']} -> {json.dumps(c['to'], ensure_ascii=False)}" for c in changes
                       if owner_of(c["field"]) == agent.key]
                lines.append(f"[{v.ref} {v.rule}] {v.message}" + (f" Conflicting facts: {'; '.join(v.core)}." if v.core else "")
                             + (f" Suggested fix: {', '.join(fix)}." if fix else ""))
            if result.error:
                lines.append(f"The persona could not be read: {result.error['reason']}")
            out[agent] = lines
        return out

    def _call(self, agent: Agent, persona: dict, slot: dict, box, seed: int, rnd: int, tag: dict,
              out: Outcome, problems: list[str] | None = None) -> None:
        schema = agent.schema(box, self.s.max_text, self.s.max_short, self.theory.text, self.s.language)
        context = {k: v for k, v in persona.items() if k not in ("id", "slot", *agent.parts) and v is not None}
        previous = {p: persona.get(p) for p in agent.parts} if problems is not None else None
        if previous is not None and len(agent.parts) == 1:
            previous = previous[agent.parts[0]]
        prompt = render(self.s.language, agent.key, slot, context, agent.allowed(box), previous, problems)
        call_seed = derive(seed, "call", rnd, agent.key)
        budget = int(text_budget(schema) / CHARS_PER_TOKEN) + 16
        res = self.runner(prompt.messages, schema, call_seed, budget, banned=self._banned_terms(agent))
        out.calls += 1
        out.tokens += res.tokens
        out.seconds += res.seconds
        parsed, error = None, None
        try:
            parsed = json.loads(res.text)
        except json.JSONDecodeError as e:
            error = ("cut off by the token budget" if res.truncated else "not JSON") + f": {e.msg} at column {e.colno}"
        if parsed is not None:
            persona.update(agent.unpack(parsed))
        self.log({"type": "call", **tag, "round": rnd, "agent": agent.key, "template": prompt.template_id,
                  "template_hash": prompt.template_hash, "grammar_hash": schema_hash(schema), "seed": call_seed,
                  "max_new_tokens": budget, "output": res.text, "error": error, "truncated": res.truncated,
                  "tokens": res.tokens, "seconds": round(res.seconds, 3), "feedback": problems})

"""Slot + seed -> one persona attempt, as a coroutine: five agents propose their parts under
solver-narrowed grammars; the validator checks; fixable structural violations are repaired
directly; every other violation goes, with its message, core and suggested fix, to the agent that
owns it, which rewrites only its part; after --max-rounds the attempt fails.

`PersonaLoop.steps` yields what it needs and is sent the answer: `Calls` (model requests, answered
by an engine), `Narrow` and `Check` (solver work, answered in process or by a worker pool). It
does no I/O and holds no solver, so a scheduler can keep many attempts in flight and a persona is a
pure function of its inputs. The attempt's log records come back in the Outcome, written at once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Generator

from ..engines.base import Output, Request, schema_hash
from ..explain.apply import apply_repair
from ..facts.levels import key_of
from ..theory.pack import Theory
from ..validate import Result
from .agents import Agent, agents_of
from .needs import Calls, Check, Narrow, Need
from .grammar import name_rules, text_budget
from . import scaffold as sc
from ..theory.prompts import chars_per_token, render
from ..seeds import derive
from . import BOX_VARIANTS
from ..jsonio import get_path as _get


def box_seed(seed: int, variants: int) -> int:
    """The seed a slot attempt's box is grown from. A box is a pure function of (theory, slot, seed,
    restrict), so slots that share their values and box seed share one box, which the solver
    remembers (generate/cpu.py): at scale each slot's `variants` boxes are narrowed once, not once
    per attempt. The model still draws every value the box allows with the attempt's own seed."""
    return seed % variants if variants > 0 else seed


@dataclass
class Settings:
    language: str = "en"
    max_text: int = 160
    max_short: int = 90
    narrow: bool = True
    max_rounds: int = 3
    direct_repair: bool = True  # apply the validator's structural repair before asking agents
    narrative: str = "scaffold"  # models.NARRATIVES: "scaffold" (levels stated on a fixed scaffold and read
    # back, scaffold.py; lexicon words) or "free" (prose bounded by length and paragraph form only)
    box_variants: int = BOX_VARIANTS  # boxes per slot (0: a fresh box for every attempt); see box_seed

    @property
    def scaffold(self) -> bool:
        return self.narrative == "scaffold"


Steps = Generator[Need, Any, "Outcome"]


@dataclass
class Outcome:
    persona: dict | None  # the accepted persona, or None
    first_pass_valid: bool = False
    rounds: int = 0
    calls: int = 0
    tokens: int = 0
    seconds: float = 0.0  # engine-seconds of this attempt's calls
    reason: str = ""
    last: Result | None = field(default=None, repr=False)
    records: list[dict] = field(default_factory=list, repr=False)


def in_stratum(persona: dict, restrict: dict | None) -> bool:
    for path, allowed in (restrict or {}).items():
        node = persona
        for k in path.split("."):
            node = node.get(k) if isinstance(node, dict) else None
        if node not in allowed:
            return False
    return True


class PersonaLoop:
    def __init__(self, theory: Theory, settings: Settings):
        self.theory, self.s = theory, settings
        self.agents = agents_of(theory.schema)  # in the order they write (schema.toml)
        self._banned: dict[str, tuple[str, ...]] = {}
        check = theory.text.checks.get("levels") if settings.scaffold else None
        self.levels = check[1] if check else None  # the theory's level vocabulary, when it has one

    def steps(self, pid: str, slot: dict, seed: int, attempt: int = 0, restrict: dict | None = None) -> Steps:
        tag = {"persona": pid, "attempt": attempt}
        out = Outcome(None)
        log = out.records.append
        box = None
        if self.s.narrow:
            box = yield Narrow(
                {k: v for k, v in slot.items() if v not in (None, [])}, box_seed(seed, self.s.box_variants), restrict
            )
            if box is None:
                return self._end(out, tag, slot, None, "slot impossible: the theory allows no persona for this slot")
            log({"type": "narrowing", **tag, "checks": box.checks, "allowed": box.allowed})
        persona: dict = {"id": pid, "slot": slot}
        for agent in self.agents:
            failed = yield from self._calls([(agent, None)], persona, slot, box, seed, 0, tag, out)
            if failed:
                return self._end(out, tag, slot, None, failed)
        result = yield from self._validate(persona, tag, 0, "proposal", log)
        out.first_pass_valid = result.valid
        while not result.valid and out.rounds < self.s.max_rounds:
            out.rounds += 1
            if self.s.direct_repair and result.repair and result.repair["changes"]:
                persona = apply_repair(persona, result.repair["changes"])
                log({"type": "repair_applied", **tag, "round": out.rounds, **result.repair})
                result = yield from self._validate(persona, tag, out.rounds, "after_repair", log)
                if result.valid:
                    break
            work = list(self._feedback(result).items())  # independent revisions go out together
            failed = yield from self._calls(work, persona, slot, box, seed, out.rounds, tag, out, result)
            if failed:
                return self._end(out, tag, slot, None, failed)
            result = yield from self._validate(persona, tag, out.rounds, "after_revision", log)
        out.last = result
        if not result.valid:
            errors = sorted({v.ref for v in result.violations if v.severity == "error"} or {"unreadable"})
            return self._end(out, tag, slot, None, f"still invalid after {out.rounds} rounds: " + ", ".join(errors))
        if not in_stratum(persona, restrict):  # never overwritten to fit a quota
            return self._end(
                out,
                tag,
                slot,
                None,
                "outside its stratum: needs " + json.dumps(restrict, ensure_ascii=False, sort_keys=True),
            )
        return self._end(out, tag, slot, persona, "")

    def _end(self, out: Outcome, tag: dict, slot: dict, persona: dict | None, reason: str) -> Outcome:
        out.persona, out.reason = persona, reason
        out.records.append(
            {
                "type": "outcome",
                **tag,
                "slot": slot,
                "accepted": persona is not None,
                "first_pass_valid": out.first_pass_valid,
                "rounds": out.rounds,
                "calls": out.calls,
                "tokens": out.tokens,
                "seconds": round(out.seconds, 3),
                "reason": reason,
                **({"candidate": persona} if persona is not None else {}),
            }
        )
        return out

    def _banned_terms(self, agent: Agent) -> tuple[str, ...]:
        """Lexicon terms the theory forbids in fields this agent writes (R5/R12), in the run's
        language: kept out at decoding (the validator still checks every language). One language
        only, since servers cap the list (vLLM: 128 token sequences, VLLM_MAX_NUM_BAD_WORDS)."""
        from ..text.lang import language_of

        if agent.key not in self._banned:
            self._banned[agent.key] = tuple(
                sorted(
                    {
                        t.rstrip("*")  # a stem ("hospitali*") is banned as its letters
                        for fields, terms in self.theory.text.lexicons.values()
                        if any(f.split(".")[0] in agent.parts for f in fields)
                        for t in terms
                        if language_of(t) == self.s.language
                    }
                )
            )
        return self._banned[agent.key]

    def _validate(self, persona: dict, tag: dict, rnd: int, stage: str, log: Callable) -> Generator[Need, Any, Result]:
        r = yield Check(persona)
        log(
            {
                "type": "validation",
                **tag,
                "round": rnd,
                "stage": stage,
                **{k: v for k, v in r.to_dict().items() if k not in ("line", "id")},
            }
        )
        return r

    def _feedback(self, result: Result) -> dict[Agent, list[str]]:
        """Error violations (and that owner's warnings) grouped by owner agent, as prompt lines."""
        owners = {v.owner for v in result.violations if v.severity == "error"}
        if result.error:
            owners |= {a.key for a in self.agents}
        changes = (result.repair or {}).get("changes", [])
        out: dict[Agent, list[str]] = {}
        for agent in self.agents:
            if agent.key not in owners:
                continue
            lines = []
            for v in result.violations:
                if v.owner != agent.key:
                    continue
                fix = [
                    f"{c['field']} -> {json.dumps(c['to'], ensure_ascii=False)}"
                    for c in changes
                    if self.theory.schema.owner_of(c["field"]) == agent.key
                ]
                lines.append(
                    f"[{v.ref} {v.rule}] {v.message}"
                    + (f" Conflicting facts: {'; '.join(v.core)}." if v.core else "")
                    + (f" Suggested fix: {', '.join(fix)}." if fix else "")
                )
            if result.error:
                lines.append(f"The persona could not be read: {result.error['reason']}")
            out[agent] = lines
        return out

    def _calls(
        self,
        work: list[tuple[Agent, list[str] | None]],
        persona: dict,
        slot: dict,
        box,
        seed: int,
        rnd: int,
        tag: dict,
        out: Outcome,
        result: Result | None = None,
    ) -> Generator[Need, Any, str]:
        """One Calls step for `work` (agent, problems or None for a proposal); outputs merged into
        `persona`. Returns the reason the attempt must stop ('' to go on)."""
        requests, meta = [], []
        for agent, problems in work:
            scaffold = self._scaffold(agent, persona, slot, box, result if problems is not None else None)
            schema = agent.schema(
                box, self.s.max_text, self.s.max_short, self.theory.text, self.s.language, scaffold, self.s.narrative
            )
            context = {k: v for k, v in persona.items() if k not in ("id", "slot", *agent.parts) and v is not None}
            previous = {p: persona.get(p) for p in agent.parts} if problems is not None else None
            if previous is not None and len(agent.parts) == 1:
                previous = previous[agent.parts[0]]
            prompt = render(
                self.s.language,
                agent.key,
                slot,
                context,
                agent.allowed(box),
                previous,
                problems,
                spec=self.theory.schema,
                dirs=tuple(self.theory.prompt_dirs),
            )
            budget = int(text_budget(schema) / chars_per_token(self.s.language)) + 16
            requests.append(
                Request(
                    prompt.messages,
                    schema,
                    derive(seed, "call", rnd, agent.key),
                    budget,
                    self._banned_terms(agent),
                    tag=f"{tag['persona']}/{agent.key}",
                )
            )
            meta.append((agent, problems, prompt, schema))
        outputs: list[Output] = yield Calls(requests, [a.key for a, _ in work])
        failed = ""
        for (agent, problems, prompt, schema), req, res in zip(meta, requests, outputs):
            out.calls += 1
            out.tokens += res.tokens
            out.seconds += res.seconds
            parsed, error = None, res.error and f"engine error: {res.error}"
            if error:
                failed = failed or f"{error} (agent {agent.key}, after {res.tries} tries)"
            else:
                try:
                    parsed = json.loads(res.text)
                except json.JSONDecodeError as e:
                    error = (
                        "cut off by the token budget" if res.truncated else "not JSON"
                    ) + f": {e.msg} at column {e.colno}"
            if parsed is not None:
                persona.update(agent.unpack(parsed))
                self._read_back(agent, persona)
            out.records.append(
                {
                    "type": "call",
                    **tag,
                    "round": rnd,
                    "agent": agent.key,
                    "template": prompt.template_id,
                    "template_hash": prompt.template_hash,
                    "grammar_hash": schema_hash(schema),
                    "seed": req.seed,
                    "max_new_tokens": req.max_new_tokens,
                    "output": res.text,
                    "error": error,
                    "truncated": res.truncated,
                    "tokens": res.tokens,
                    "seconds": round(res.seconds, 3),
                    "tries": res.tries,
                    "feedback": problems,
                }
            )
        return failed

    def _scaffold(self, agent: Agent, persona: dict, slot: dict, box, result: Result | None) -> dict | None:
        """Narrative field -> its scaffold (pattern, budget, the fields it states) for this call.
        A proposal leaves every level free within the box; a revision (`result`) rewrites only the
        sentences the validator objected to: a level the prose contradicts or omits is fixed to the
        structured value (e.g. after a direct repair), a level a structural rule objects to is
        free again, a text problem in the narrative rewrites every sentence at its current level."""
        out: dict[str, dict] = {}
        if self._spelled(agent):
            out[self.theory.schema.person.name] = {"drop": True}  # spelled from the agent name (_read_back)
        fields = sc.fields_of(self.levels, agent.parts)
        if not fields:
            return out or None
        vocab, lang = self.levels.vocabulary, self.s.language
        who = sc.pronoun(vocab, lang, self.theory.schema.slot_value(slot, self.theory.schema.person.gender))
        level_rules = self.levels.rules
        by_path = self.theory.schema.by_path
        allowed = box.allowed if box is not None else {p: list(by_path[p].domain) for p in by_path}
        for f, part in fields.items():
            dims = vocab.parts[part]
            keys = {key_of(part, d, self.theory.schema): d for d in dims}
            rewrite: set[str] | None = None
            fixed: set[str] = set()
            previous = None
            if result is not None:
                previous, free = _get(persona, f), set()
                for v in result.violations:
                    if v.owner != agent.key or (v.severity != "error" and v.rule not in level_rules):
                        continue
                    if v.rule in level_rules:
                        fixed |= {keys[v.key]} if v.key in keys else set()
                    elif f in v.fields:  # a text problem in the narrative: rewrite it at its levels
                        fixed |= set(dims)
                    elif any(x in keys or x.startswith(f"{part}.levels.") for x in v.fields):
                        free |= set(dims)  # a structural rule objects to the levels: choose again
                rewrite = fixed | free
                fixed -= free
            current = {k: _get(persona, k) for k in keys}
            lines = sc.plan(
                part, dims, allowed, current, previous, rewrite, fixed, vocab, lang, who, self.theory.schema
            )
            out[f] = {
                "pattern": sc.pattern(lines, vocab, lang, who),
                "max_chars": sc.max_chars(lines, vocab, lang, who),
                "derived": list(keys),
                "meta": {
                    "who": who,
                    "language": lang,
                    "lines": [[x.key, x.dimension, list(x.allowed), x.literal] for x in lines],
                },
            }
        return out

    def _spelled(self, agent: Agent) -> bool:
        """Whether this agent's persona name is spelled from its agent name instead of decoded: on
        the English scaffold, when the theory has name rules and the agent writes both fields."""
        who = self.theory.schema.person
        return bool(
            self.s.scaffold
            and self.s.language == "en"
            and who.name
            and who.agent_name
            and name_rules(self.theory.text) is not None
            and who.name.split(".")[0] in agent.parts
            and who.agent_name.split(".")[0] in agent.parts
        )

    def _read_back(self, agent: Agent, persona: dict) -> None:
        """Set the structured levels a scaffolded narrative states (none if it is not there), and
        an English name the agent name spells by the theory's name rules (k12: chen2_yu3tong2 ->
        Chen Yutong)."""
        if self._spelled(agent):
            who = self.theory.schema.person
            agent_name = _get(persona, who.agent_name)
            name = name_rules(self.theory.text).spell(agent_name) if isinstance(agent_name, str) else None
            if name and _get(persona, who.name) is None:
                *head, last = who.name.split(".")
                node = persona
                for k in head:
                    node = node.get(k) if isinstance(node, dict) else None
                if isinstance(node, dict):
                    node[last] = name
        for f, part in sc.fields_of(self.levels, agent.parts).items():
            text = _get(persona, f)
            if not isinstance(text, str):
                continue
            for key, value in sc.levels_from(
                text, part, self.levels.vocabulary, self.s.language, self.theory.schema
            ).items():
                node = persona
                *head, last = key.split(".")
                for k in head:
                    node = node.setdefault(k, {}) if isinstance(node, dict) else {}
                node[last] = value

    def run(
        self,
        pid: str,
        slot: dict,
        seed: int,
        attempt: int = 0,
        restrict: dict | None = None,
        engine=None,
        solver=None,
        log: Callable[[dict], None] | None = None,
    ) -> Outcome:
        """One attempt, driven in process (tests, benchmarks): `engine` answers Calls, `solver`
        (a generate.cpu.Solver) answers Narrow and Check; records go to `log` at the end."""
        from .cpu import Solver

        solver = solver or Solver(self.theory, self.s.narrow)
        gen = self.steps(pid, slot, seed, attempt, restrict)
        answer = None
        try:
            while True:
                need = gen.send(answer)
                answer = engine.generate(need.requests) if isinstance(need, Calls) else solver.answer(need)
        except StopIteration as stop:
            out: Outcome = stop.value
        for r in out.records if log else ():
            log(r)
        return out

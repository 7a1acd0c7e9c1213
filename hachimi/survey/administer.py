"""Personas + an instrument -> each persona answers the items as a student agent, through an engine.

Each persona becomes a student (a system prompt from its fields, in its theory's words and the
run's language). Its items,
in an order drawn from its own seed, go out in blocks; every item's options are listed in a drawn
order, plus an explicit refusal, and the answer is constrained by a JSON grammar to exactly those
options. A share of personas is asked a few items again with their options reversed (the
option-order check). Every answered block is one line appended to answers.jsonl, with the hash of
the persona that answered it (answers.py); a killed run, run again, skips what is there, so nothing
is asked twice or lost, and a persona whose content changed since (a regenerated run with the same
ids) is asked again. survey.json holds the identity (instrument, form, seed, model, language, block
size, check share): another one is refused."""

from __future__ import annotations

import hashlib
import json
import os
import random
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from typing import Callable, Iterable

from ..engines.base import Request
from ..errors import HachimiError
from ..seeds import derive
from ..store.state import repair_torn
from .answers import ANSWERS, bind, persona_hash
from .answers import read as read_answers
from .instrument import Instrument, Item
from .persona import student

PROMPTS = Path(__file__).resolve().parent / "prompts"
MANIFEST = "survey.json"


@dataclass(frozen=True)
class Settings:
    instrument: str
    form: str | None = None
    seed: int = 0
    language: str = "en"
    block_size: int = 5
    check_share: float = 0.25  # personas asked some items again with reversed options
    check_items: int = 3
    sample: int | None = None  # personas asked: a seeded sample of the file (source.py); None: all


@dataclass
class Block:
    persona: str
    index: int
    kind: str  # "main" or "reversed" (the option-order check)
    items: list[str]
    options: dict[str, list[str]]  # item -> labels in the order shown (refusal last)
    request: Request


def _terms(language: str) -> dict:
    return tomllib.loads((PROMPTS / language / "terms.toml").read_text(encoding="utf-8"))


def _template(language: str, name: str) -> Template:
    path = PROMPTS / language / f"{name}.txt"
    if not path.is_file():
        languages = ", ".join(sorted(p.name for p in PROMPTS.iterdir() if p.is_dir()))
        raise HachimiError(f"no survey prompt {path} (languages: {languages})")
    return Template(path.read_text(encoding="utf-8").strip())


def system_prompt(persona: dict, language: str, theory) -> str:
    """The student agent: who the persona is, from its own fields, in its theory's words
    (persona.py), then how to answer."""
    who = student(theory, language).describe(persona, theory.schema)
    return _template(language, "system").substitute(persona=who)


def _block_prompt(inst: Instrument, items: list[Item], options: dict[str, list[str]], language: str) -> str:
    t = _terms(language)
    lines, stem = [], None
    for it in items:
        s = inst.scale_of(it).stem[language]
        if s != stem:
            lines.append(s)
            stem = s
        lines.append(f"{it.id}: {it.text[language]} ({t['options']}: {' / '.join(options[it.id])})")
    return _template(language, "block").substitute(items="\n".join(lines))


def _schema(items: list[Item], options: dict[str, list[str]]) -> dict:
    return {
        "type": "object",
        "properties": {it.id: {"enum": options[it.id]} for it in items},
        "required": [it.id for it in items],
        "additionalProperties": False,
        "x-guidance": {"whitespace_flexible": False, "item_separator": ", ", "key_separator": ": "},
    }


def plan(persona: dict, inst: Instrument, s: Settings, theory) -> list[Block]:
    """Every block one persona is asked, with its drawn item and option orders (a function of the
    persona id and the seed only); `theory`: the persona's, whose words say who it is."""
    pid = persona["id"]
    rng = random.Random(derive(s.seed, "survey", pid))
    items = inst.form(s.form)
    rng.shuffle(items)
    system = system_prompt(persona, s.language, theory)
    refusal = inst.refusal[s.language]
    blocks: list[Block] = []

    def add(kind: str, chunk: list[Item], options: dict[str, list[str]]) -> None:
        k = len(blocks)
        msgs = [
            {"role": "system", "content": system},
            {"role": "user", "content": _block_prompt(inst, chunk, options, s.language)},
        ]
        # the longest answer the grammar allows, in UTF-8 bytes: a byte-level tokenizer never needs
        # more tokens than bytes (a CJK label is up to 3 tokens a character for SmolLM2)
        longest = {it.id: max(options[it.id], key=lambda o: len(o.encode("utf-8"))) for it in chunk}
        budget = 16 + len(json.dumps(longest, ensure_ascii=False).encode("utf-8"))
        req = Request(
            msgs,
            _schema(chunk, options),
            derive(s.seed, "survey", pid, kind, k),
            max(64, budget),
            tag=f"{pid}/{kind}/{k}",
        )
        blocks.append(Block(pid, k, kind, [it.id for it in chunk], options, req))

    shown: dict[str, list[str]] = {}
    for start in range(0, len(items), s.block_size):
        chunk = items[start : start + s.block_size]
        opts = {}
        for it in chunk:
            labels = list(inst.scale_of(it).labels[s.language])
            if rng.random() < 0.5:  # half the items show their options high-to-low
                labels.reverse()
            opts[it.id] = labels + [refusal]
            shown[it.id] = labels
        add("main", chunk, opts)
    check = random.Random(derive(s.seed, "survey-check", pid))
    if check.random() < s.check_share:
        candidates = [it for it in items if len(inst.scale_of(it).values) <= 5]
        chosen = check.sample(candidates, min(s.check_items, len(candidates)))
        add("reversed", chosen, {it.id: list(reversed(shown[it.id])) + [refusal] for it in chosen})
    return blocks


def identity(s: Settings, inst: Instrument, personas_file: Path, engine_identity: dict) -> dict:
    # of the parsed content: a comment edited in instrument.toml does not make another survey
    content = tomllib.loads((inst.root / "instrument.toml").read_text(encoding="utf-8"))
    h = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    settings = {k: v for k, v in asdict(s).items() if not (k == "sample" and v is None)}  # as before samples
    return {"settings": settings, "instrument_hash": h, "personas": str(personas_file), "engine": engine_identity}


def done_blocks(folder: Path, personas: list[dict] | dict[str, str], inst: Instrument | None = None):
    """(persona, kind, block) -> its record, for every block answered without an engine error by
    the persona as it is now (`personas`: the personas, or their id -> content hash); and the
    answers' binding (how many belong to changed personas)."""
    got = read_answers(folder, {i.id for i in inst.items} if inst else None)  # an unusable line: asked again
    bound = bind(got.records, personas)
    return {(r["persona"], r["kind"], r["block"]): r for r in bound.records}, bound


def _decode(inst: Instrument, block: Block, text: str) -> tuple[dict, dict, list[str], str | None]:
    by_id = {i.id: i for i in inst.items}
    try:
        obj = json.loads(text)
    except ValueError as e:
        return {}, {}, [], f"not JSON: {e}"
    answers, scores, refused = {}, {}, []
    for iid in block.items:
        label = obj.get(iid)
        options = block.options[iid]
        if label not in options:
            return {}, {}, [], f"{iid}: {label!r} is not one of its options"
        answers[iid] = label
        if label == options[-1]:  # the refusal
            refused.append(iid)
            scores[iid] = None
            continue
        labels = inst.scale_of(by_id[iid]).labels
        lang_labels = next(v for v in labels.values() if label in v)
        scores[iid] = inst.score(by_id[iid], lang_labels.index(label))
    return answers, scores, refused, None


def administer(
    personas: Iterable[dict],
    inst: Instrument,
    s: Settings,
    engine,
    folder: Path,
    concurrency: int = 8,
    progress: Callable[[int, int], None] | None = None,
    *,
    theory,
    hashes: dict[str, str] | None = None,
) -> dict:
    """Ask every block not yet answered; append each answered block to answers.jsonl. `theory`:
    the personas' (who each is, in its words). `personas` is read once, a persona at a time, and
    its blocks planned as it comes: with `hashes` (id -> content hash of every persona that takes
    part, survey/source.py) it may be a stream; without, a list (hashed here). `progress` gets
    (personas done, personas)."""
    folder.mkdir(parents=True, exist_ok=True)
    repair_torn(folder / ANSWERS)
    if hashes is None:
        personas = list(personas)
        hashes = {p["id"]: persona_hash(p) for p in personas}
    done, bound = done_blocks(folder, hashes, inst)
    counts = {
        "asked": 0,
        "errors": 0,
        "skipped_done": len(done),
        "changed_personas": 0,  # asked again
        "answers_of_missing_personas": bound.missing,
    }
    step = max(1, concurrency)
    fd = os.open(folder / ANSWERS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def ask(batch: list[Block]) -> None:
        outs = engine.generate([b.request for b in batch])
        lines = []
        for b, o in zip(batch, outs):
            answers, scores, refused, problem = ({}, {}, [], o.error) if o.error else _decode(inst, b, o.text)
            counts["asked"] += 1
            counts["errors"] += bool(problem)
            lines.append(
                {
                    "persona": b.persona,
                    "persona_hash": hashes[b.persona],
                    "kind": b.kind,
                    "block": b.index,
                    "items": b.items,
                    "options": b.options,
                    "answers": answers,
                    "scores": scores,
                    "refused": refused,
                    "seed": b.request.seed,
                    "tokens": o.tokens,
                    "engine_seconds": round(o.seconds, 3),
                    "error": problem,
                    "raw": o.text if problem else None,
                }
            )
        os.write(fd, b"".join(json.dumps(x, ensure_ascii=False).encode() + b"\n" for x in lines))
        os.fsync(fd)

    try:
        todo: list[Block] = []  # planned, not yet asked: at most one persona's blocks past a batch
        seen = 0
        for p in personas:
            if p["id"] not in hashes:
                continue
            seen += 1
            mine = [b for b in plan(p, inst, s, theory) if (b.persona, b.kind, b.index) not in done]
            counts["changed_personas"] += bool(mine) and p["id"] in bound.changed_personas
            todo += mine
            while len(todo) >= step:
                ask(todo[:step])
                todo = todo[step:]
            if progress:
                progress(seen, len(hashes))
        if todo:
            ask(todo)
        if progress:
            progress(len(hashes), len(hashes))
    finally:
        os.close(fd)
    return counts

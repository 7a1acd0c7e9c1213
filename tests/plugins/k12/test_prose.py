"""The template engine's k12 prose (hachimi/plugins/k12/prose.py, phrases.py): varied enough that
thousands of personas of one quota cell are not near-duplicates (the run's lexical dedup), written
the way the decoding grammar lets a model write (lexicon words, no level word in a clause, the
openers), and every persona it writes validates with its levels read back from the prose."""

from __future__ import annotations

import re
from collections import Counter


from hachimi.dedup.clusters import Lexical
from hachimi.dedup.text import compared_fields, narrative_text
from hachimi.generate.filler import template_engine, writer
from hachimi.generate.lexicon import OPENERS, word_regex
from hachimi.generate.loop import PersonaLoop, Settings
from hachimi.generate.needs import Calls, Narrow
from hachimi.generate.scaffold import level_words
from hachimi.plugins.k12 import phrases as PH
from hachimi.population.slots import uniform
from hachimi.validate import Result

SLOT = {"grade": 7, "gender": "female", "academic_level": "low"}


def _requests(theory, slot: dict, seed: int = 1) -> list[tuple[str, dict]]:
    """(agent, schema) of each proposal call for `slot`, as the loop builds them (one narrowed box)."""
    from hachimi.generate.narrow import Narrower

    box = Narrower(theory).box(slot, seed, None)
    loop, engine = PersonaLoop(theory, Settings()), template_engine(theory)
    steps, answer, out = loop.steps("p", slot, seed), None, []
    try:
        while True:
            need = steps.send(answer)
            if isinstance(need, Narrow):
                answer = box
            elif isinstance(need, Calls):
                out += [(a, r.schema) for a, r in zip(need.agents, need.requests)]
                answer = engine.generate(need.requests)
            else:  # validation is another test's business
                answer = Result(0, None, True)
    except StopIteration:
        return out


def _personas(theory, slot: dict, n: int):
    agents = {a.key: a for a in PersonaLoop(theory, Settings()).agents}
    calls, write = _requests(theory, slot), writer(theory)
    for i in range(n):
        p = {"id": f"p{i}", "slot": slot}
        for k, (agent, schema) in enumerate(calls):
            p.update(agents[agent].unpack(write(schema, 7919 * i + 104729 * k + 1)))
        yield p


def test_two_thousand_personas_of_one_cell_are_rarely_near_duplicates(theory):
    """The old prose (six clauses, one sentence frame per field) made 62% of these near-duplicates
    of an earlier one; a 100k run has about 520 personas per cell of the balanced plan."""
    lexical, fields = Lexical(), compared_fields(theory.schema)
    twins = [p["id"] for p in _personas(theory, SLOT, 2000) if lexical.add(p["id"], "cell", narrative_text(p, fields))]
    assert len(twins) <= 20, f"{len(twins)} of 2000 are near-duplicates"


def test_the_same_seed_writes_the_same_prose(theory):
    (_, schema), write = _requests(theory, SLOT)[1], writer(theory)
    assert write(schema, 5) == write(schema, 5) != write(schema, 6)


def _texts(node: dict, path: tuple = ()):
    """(path, node) of every English text a schema decodes on a pattern with a character budget."""
    if node.get("type") == "string" and "pattern" in node and "x-max-chars" in node:
        yield path, node
    for key, sub in node.get("properties", {}).items():
        yield from _texts(sub, (*path, key))


def test_every_text_fits_the_grammar_a_model_decodes_under(theory):
    """Each English text the template writes is one the field's decoding pattern (lexicon words, no
    level word in a clause, an opener from the closed list) accepts, within its budget. (Compiling
    the patterns is most of the time: one slot; the words of every pronoun's form are checked below.)"""
    write, checked = writer(theory), Counter()
    for agent, schema in _requests(theory, SLOT):
        texts = [(path, re.compile(node["pattern"]), node["x-max-chars"]) for path, node in _texts(schema)]
        for seed in range(40):
            out = write(schema, seed)
            for path, pattern, limit in texts:
                value = out
                for key in path:
                    value = value[key]
                assert pattern.fullmatch(value) and len(value) <= limit, (agent, path, value)
                checked[path[-1]] += 1
    assert {"agent_name", "narrative", "personality", "relationships", "background", "supports"} <= set(checked)


def test_the_phrase_banks_use_lexicon_words_only(theory):
    """Every English word of every bank, for each pronoun, is a word of the clause lexicon
    (generate/lexicon.py) and no level word; a short text's frames open with a lexicon.OPENERS word."""
    vocab = theory.text.checks["levels"][1].vocabulary
    word = re.compile(word_regex(level_words(vocab, "en")))
    banks = {k: v for k, v in vars(PH).items() if k.isupper() and isinstance(v, tuple) and isinstance(v[0], str)}
    banks = {k: v for k, v in banks.items() if not k.startswith("ZH")}
    bad = set()
    for forms in (PH.PRONOUNS[who] for who in ("Her", "His", "Their")):
        for name, bank in banks.items():
            for item in bank:
                plain = re.sub(r"\{([a-z]+)\}", lambda m, forms=forms: forms.get(m[1], " "), item)
                bad |= {(name, w) for w in re.findall(r"[A-Za-z]+", plain) if not word.fullmatch(w.lower())}
    assert not bad
    for bank in (PH.PERSONALITY, PH.CIRCLE, PH.EVENTS, PH.BACKGROUND, PH.SUPPORTS, PH.RADAR):
        for frame in bank:
            first = frame.split()[0]
            assert first in ("{He}", "{His}") or first in OPENERS, frame


def test_every_template_persona_validates_with_its_levels_read_back(theory):
    """Both genders, every grade, every academic level: valid at the first pass, not even a warning."""
    from hachimi.generate.cpu import Solver

    loop, engine, solver = PersonaLoop(theory, Settings()), template_engine(theory), Solver(theory)
    for ps in uniform(24, 3, theory.schema):
        o = loop.run(ps.id, ps.slot, 100 + ps.index, engine=engine, solver=solver)
        first = next(r for r in o.records if r["type"] == "validation")
        assert o.first_pass_valid and first["violations"] == [], (ps.slot, first["violations"])

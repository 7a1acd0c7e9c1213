"""The level scaffold (hachimi/generate/scaffold.py): the grammar fixes each sentence's head and
level, the clause cannot state another level, the levels read back are the ones written, and a
revision rewrites only the sentences the validator objected to."""

from __future__ import annotations

import json
import random
import re

import pytest

from hachimi.engines.scripted import ScriptedEngine
from hachimi.facts.levels import vocabulary_of
from hachimi.plugins.k12.schema import K12
from hachimi.generate import scaffold as sc
from hachimi.plugins.k12.prose import CLAUSES, _scaffold_text
from hachimi.generate.loop import PersonaLoop, Settings
from hachimi.resources import CONSTRAINTS
from scripted import script

VOCAB = vocabulary_of(CONSTRAINTS / "k12" / "vocab" / "levels.toml", K12)
LEVELS = ["low", "fairly_low", "medium", "upper_middle", "fairly_high", "high"]
RISKS = ["low", "mild", "moderate", "high"]


def allowed_all(part):
    return {sc.key_of(part, d, K12): (RISKS if VOCAB.scales[d] == "risk" else LEVELS) for d in VOCAB.parts[part]}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("part", ["values", "creativity", "mental_health"])
def test_text_on_the_scaffold_matches_and_reads_back_its_levels(part, language):
    rng = random.Random(3)
    who = sc.pronoun(VOCAB, language, "female")
    for _ in range(20 if language == "zh" else 3):  # the English pattern is ~0.8 MB: re compiles it slowly
        allowed = {k: rng.sample(v, rng.randint(1, len(v))) for k, v in allowed_all(part).items()}
        lines = sc.plan(part, VOCAB.parts[part], allowed, vocab=VOCAB, language=language, who=who, schema=K12)
        meta = {
            "who": who,
            "language": language,
            "lines": [[x.key, x.dimension, list(x.allowed), x.literal] for x in lines],
        }
        text = _scaffold_text(meta, rng)
        assert re.fullmatch(sc.pattern(lines, VOCAB, language, who)[1:-1], text), text
        got = sc.levels_from(text, part, VOCAB, language, K12)
        assert set(got) == set(allowed)  # every level read back, each one of the allowed
        assert all(got[k] in allowed[k] for k in got)
        assert len(text) <= sc.max_chars(lines, VOCAB, language, who)


def test_clauses_cannot_state_a_level():
    clause = re.compile(f"^{sc.clause_pattern(VOCAB, 'en')}$")
    assert clause.match("she has a strange ability to learn")
    assert clause.match("she keeps her word, even in small things")
    for bad in ("her grades are high this year", "she is average at chess", "it sits in the middle", "a low mood"):
        assert not clause.match(bad), bad
    assert not clause.match("ab")  # fewer than three words
    assert not clause.match("she runs " + "very " * 12)  # more than nine words
    assert not clause.match("she has extraordinarily good taste")  # a word over ten letters
    for c in (c.format(he="she", his="her", him="her") for c in CLAUSES["en"]):
        assert clause.match(c), c


def test_llguidance_accepts_the_scaffold_and_refuses_a_second_level(bundled_tokenizer):
    from llguidance import LLMatcher

    from hachimi.generate.agents import agents_of

    BY_KEY = {a.key: a for a in agents_of(K12)}
    ll, tok = bundled_tokenizer
    allowed = {k: ["medium", "fairly_high"] for k in allowed_all("values")}
    lines = sc.plan("values", VOCAB.parts["values"], allowed, vocab=VOCAB, who="Her", schema=K12)
    narrative = {
        "pattern": sc.pattern(lines, VOCAB, "en", "Her"),
        "max_chars": sc.max_chars(lines, VOCAB, "en", "Her"),
        "derived": [x.key for x in lines],
        "meta": {},
    }
    schema = BY_KEY["values"].schema(None, 160, 90, None, "en", {"values.narrative": narrative})
    assert "levels" not in schema["properties"]  # the levels are read back, not decoded
    grammar = LLMatcher.grammar_from_json_schema(json.dumps(schema))
    good = " ".join(
        f"Her {VOCAB.names['en'][d][0]} is medium: she helps her friends every day." for d in VOCAB.parts["values"]
    )
    bad_level = good.replace("is medium:", "is high:", 1)  # not allowed by the box
    second = good.replace("she helps her friends every day", "her grades are high", 1)  # a level in a clause

    def accepts(text: str) -> bool:
        m = LLMatcher(ll, grammar)
        assert not m.is_error(), m.get_error()[:300]
        obj = json.dumps(
            {"personality": "She is calm and kind, and she thinks first.", "narrative": text}, separators=(", ", ": ")
        )
        ok = m.consume_tokens(tok.encode(obj, add_special_tokens=False))
        return bool(ok) and not m.is_error() and m.is_accepting()

    assert accepts(good)
    assert not accepts(bad_level)
    assert not accepts(second)


def _run(theory, tamper=None, **kw):
    log = []
    loop = PersonaLoop(theory, Settings(**kw))
    engine = ScriptedEngine(script(tamper))
    out = loop.run("s1", {"grade": 8, "gender": "female", "academic_level": "poor"}, 21, engine=engine, log=log.append)
    return out, log, engine


def test_levels_come_from_the_prose_and_agree_first_time(theory):
    out, log, _ = _run(theory)
    assert out.persona is not None and out.first_pass_valid
    p = out.persona
    assert sc.levels_from(p["values"]["narrative"], "values", VOCAB, "en", K12) == {
        f"values.levels.{d}": v for d, v in p["values"]["levels"].items()
    }
    first = [e for e in log if e["type"] == "validation"][0]
    assert not [v for v in first["violations"] if v["ref"] in ("L1", "L2")]


def test_a_repaired_level_rewrites_only_its_sentence(theory):
    """Without narrowing, the values agent's first levels break the anchors for a poor achiever;
    the direct repair moves some levels and rewrites, in the same repair, the level words of exactly
    those sentences (hachimi/text/rewrite.py), so the prose stays true with no call to the agent;
    the other sentences are kept verbatim."""

    def tamper(agent, part, n):
        if agent == "values" and n == 1:  # every value level high: A1 needs 3 at medium or lower
            meta = None
            return (
                {
                    "personality": part["personality"],
                    "narrative": " ".join(
                        f"Her {VOCAB.names['en'][d][0]} is high: she keeps her word to friends."
                        for d in VOCAB.parts["values"]
                    ),
                }
                if meta is None
                else part
            )
        return part

    out, log, engine = _run(theory, tamper, narrow=False)
    repairs = [e for e in log if e["type"] == "repair_applied"]
    assert repairs and "A1" in repairs[0]["fixes"]
    changed = {c["field"]: c["to"] for c in repairs[0]["changes"] if c["field"].startswith("values.levels.")}
    assert changed
    assert "L1" not in repairs[0]["unfixable"]
    text = next(c["to"] for c in repairs[0]["changes"] if c["field"] == "values.narrative")
    assert not [e for e in log if e["type"] == "call" and e["agent"] == "values" and e["round"] == 1]
    said = sc.levels_from(text, "values", VOCAB, "en", K12)
    for key, level in said.items():
        assert level == changed.get(key, "high")  # repaired ones now stated, the rest unchanged
    kept = [s for s in text.split(". ") if " is high:" in s]
    assert len(kept) == 7 - len(changed)
    assert out.persona is not None and out.persona["values"]["narrative"] == text


def test_every_agent_grammar_survives_a_random_walk_in_llguidance(theory, bundled_tokenizer):
    """Under the loop's real schemas (box, scaffold, lexicon words), a walk of random allowed tokens
    through each agent's grammar never errors: the lexer stays within llguidance's budget (two
    distinct ~60 KB word regexes in one grammar once ran it out: LexerTooComplex)."""
    from llguidance import LLMatcher

    from hachimi.generate.agents import agents_of
    from hachimi.generate.narrow import Narrower

    ll, _ = bundled_tokenizer
    loop = PersonaLoop(theory, Settings(max_text=160, max_short=90))
    slot = {"grade": 8, "gender": "female", "academic_level": "high", "subject_bias": []}
    box = Narrower(theory).box(slot, 3)
    rng = random.Random(0)
    for agent in agents_of(theory.schema):
        schema = agent.schema(box, 160, 90, theory.text, "en", loop._scaffold(agent, {}, slot, box, None))
        m = LLMatcher(ll, LLMatcher.grammar_from_json_schema(json.dumps(schema)))
        steps = 0
        while steps < 400 and not m.is_stopped():
            allowed = [i for i, b in enumerate(m.compute_logit_bias()) if b]
            assert allowed and not m.is_error(), (agent.key, m.get_error()[:300])
            assert m.consume_token(rng.choice(allowed)), (agent.key, m.get_error()[:300])
            steps += 1
        assert not m.is_error(), (agent.key, m.get_error()[:300])


def test_clause_words_exclude_every_level_word_of_the_vocabulary():
    """The excluded words come from the pack's vocabulary file, not a list in Python: every
    one-word level phrase and each part of a hyphenated one."""
    import re as _re

    from hachimi.generate.lexicon import word_regex

    words = sc.level_words(VOCAB, "en")
    assert {"low", "medium", "average", "high", "excellent", "mild", "elevated", "middle", "upper"} <= words
    rx = _re.compile(word_regex(words))
    for w in words:
        assert not rx.fullmatch(w), w
    assert rx.fullmatch("kind") and rx.fullmatch("school")
    assert sc.level_words(None, "en") == frozenset()

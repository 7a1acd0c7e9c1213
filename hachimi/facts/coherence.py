"""Persona values -> coherence facts: the agent name spells the name (by the pack's name rules), the
persona's text treats the persona as a student of its gender, and no adult life is attributed to it.
Which fields name the persona and give its gender is schema.toml's [person].

Facts (rules/coherence.lp turns them into violations):
- name_not_pinyin(P), agent_mismatch(P): the name is not one the rules know the form of, or the
  agent name does not spell it ([features.coherence] names: a plug-in module, e.g. k12's pinyin).
- text_gender(P, Field, G): some sentence uses G's pronouns for the persona. Heuristic, per
  sentence: a pronoun of gender G counts as the persona's unless its sentence or the sentence
  before names another person of gender G or of either gender ("her brother ... he", "her teacher
  ... he"; persons.toml [others]) or, in English, by a capitalised name other than the persona's.
  So one stray "he" in a girl's paragraph is found, and a girl's narrative about her brother is
  not; a sentence about someone whose noun is not listed can still mislead it (the heuristic
  prefers a miss to a false alarm).
- adult_role(P, Field, parent | spouse): the persona is described as a parent or a spouse
  (persons.toml [roles]: patterns at the start of a sentence, where the persona is the subject,
  always count; the others only in sentences that name nobody else outside the match).
- adult_topic(P, Field, Topic): adult life (alcohol, smoking, work, money, romance) in a sentence
  that names nobody else, after masking the allowed phrases (age_appropriate.toml).
English words match at word starts, case-insensitively; Chinese ones as characters. Sentences
end at . ! ? ; and their Chinese forms.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import TheoryError
from .reader import Fact, _q

ROLES = ("parent", "spouse")
_SENTENCE = re.compile(r"[^.!?;。！？；\n]+")


def words(terms, whole: bool = True) -> re.Pattern:
    """One pattern for a word list (case-folded text): English terms at a word start (and end, if
    `whole`), Chinese ones anywhere. Longer terms first, so "hers" is not read as "her"."""

    en = [t.casefold() for t in terms if t.isascii()]
    zh = [t for t in terms if not t.isascii()]
    # a trie: the longest word wins where words share a start ("hers" is not read as "her")
    parts = [f"(?<![a-z])(?:{_longest_first(en)}){'(?![a-z])' if whole else ''}"] if en else []
    parts += [f"(?:{_longest_first(zh)})"] if zh else []
    return re.compile("|".join(parts) or r"(?!x)x")


def _longest_first(words: list[str]) -> str:
    """An alternation of the words that prefers the longer of two that share a start: a trie regex
    is greedy along each path, and words that are a prefix of another end with an optional tail."""
    from ..text.patterns import trie_regex

    return trie_regex(words)


@dataclass(frozen=True)
class Persons:
    genders: tuple[str, ...]  # the gender values with pronouns ([pronouns] keys: the gender field's values)
    pronouns: dict[str, re.Pattern]  # gender -> its pronouns (English words, Chinese characters)
    masked: tuple[str, ...]  # words holding 他 / 她 that are no pronoun
    others: dict[str, re.Pattern]  # female / male -> nouns for other people of that gender or either
    anyone: re.Pattern  # any noun for another person
    singular: dict[str, re.Pattern]  # female / male -> the singular nouns of `others` (one person)
    only: dict[str, re.Pattern]  # female / male -> nouns for a person of that gender alone
    role_screen: re.Pattern  # any role pattern, anywhere (a quick first look)
    roles: dict[str, tuple[re.Pattern, ...]]  # parent / spouse -> patterns


@dataclass(frozen=True)
class Names:
    """A pack's name rules: the plug-in module and the data it loaded (hachimi/plugins/)."""

    module: Any  # verdict(name, agent, data), agent_name_pattern(), spell(agent_name), load(dict)
    data: Any

    def verdict(self, name: str, agent: str) -> str:
        return self.module.verdict(name, agent, self.data)

    def agent_name_pattern(self) -> str:
        return self.module.agent_name_pattern()

    def spell(self, agent_name: str) -> str | None:
        return self.module.spell(agent_name)


@dataclass(frozen=True)
class Config:
    names: Names | None  # the name rules, or None: no name check
    persons: Persons | None
    person_fields: tuple[str, ...]
    topics: dict[str, re.Pattern]  # age-appropriate topic -> its terms
    topic_allow: tuple[str, ...]
    topic_fields: tuple[str, ...]
    topic_screen: re.Pattern | None = None  # any topic's word (a quick first look)
    person: Any = None  # the schema's PersonSpec: which fields hold name, agent name, gender


def configure(table: dict, root: Path, file: str, schema) -> Config:
    """[features.coherence] -> Config; its data files are read relative to the theory folder."""
    from pydantic import BaseModel, ConfigDict, ValidationError

    class Table(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)
        names: str | None = None  # name rules: a plug-in module (dotted, or a .py file in the theory folder)
        name_data: str | None = None  # a TOML file of the theory folder those rules load (e.g. surnames)
        persons: str | None = None  # pronoun-gender (a TOML file: pronouns, not_pronoun, others, roles)
        person_fields: list[str] = []
        age_topics: str | None = None  # age-appropriate (a TOML file: topics, allow)
        age_fields: list[str] = []

    try:
        t = Table.model_validate(table)
    except ValidationError as e:
        err = e.errors()[0]
        raise TheoryError(f"[features.coherence] {'.'.join(map(str, err['loc']))}: {err['msg']}", file) from None
    for f in t.person_fields + t.age_fields:
        if f not in schema.by_path or schema.by_path[f].kind != "text":
            raise TheoryError(f"[features.coherence] {f!r} is not a text field such as values.narrative", file)
    if (t.person_fields and not t.persons) or (t.age_fields and not (t.age_topics and t.persons)):
        raise TheoryError(
            "[features.coherence] person_fields need persons; age_fields need age_topics and persons", file
        )
    persons = _persons(_data(root, t.persons, file)) if t.persons else None
    topics, allow, screen = {}, (), None
    if t.age_topics:
        data = _data(root, t.age_topics, file)
        topics = {k: words(v, whole=False) for k, v in data.get("topics", {}).items()}
        screen = words([w for v in data.get("topics", {}).values() for w in v], whole=False)
        allow = tuple(a.casefold() for v in data.get("allow", {}).values() for a in v)
    names = None
    if t.names:
        from ..loader import load_module

        if not (schema.person.name and schema.person.agent_name):
            raise TheoryError("[features.coherence] names: schema.toml's [person] needs name and agent_name", file)
        module = load_module(
            t.names, root, file, "[features.coherence] names", ("verdict", "load", "agent_name_pattern", "spell")
        )
        names = Names(module, module.load(_data(root, t.name_data, file) if t.name_data else {}))
    if t.person_fields and not schema.person.gender:
        raise TheoryError("[features.coherence] person_fields: schema.toml's [person] needs gender", file)
    return Config(names, persons, tuple(t.person_fields), topics, allow, tuple(t.age_fields), screen, schema.person)


def _data(root: Path, name: str, file: str) -> dict:
    path = root / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TheoryError(f"[features.coherence] {name!r}: no such file in the theory folder", file) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise TheoryError(f"not a readable TOML file ({e})", str(path)) from None


def _persons(data: dict) -> Persons:
    try:
        roles = {r: tuple(re.compile(p, re.I | re.M) for p in data.get("roles", {}).get(r, ())) for r in ROLES}
        others = data.get("others", {})
        plural = set(data.get("plural", ["parents", "grandparents", "父母", "家长"]))
        genders = tuple(data["pronouns"])
        return Persons(
            genders=genders,
            pronouns={g: words(data["pronouns"][g]) for g in genders},
            masked=tuple(w for ws in data.get("not_pronoun", {}).values() for w in ws),
            others={g: words(others.get(g, []) + others.get("either", [])) for g in genders},
            anyone=words([w for ws in others.values() for w in ws]),
            singular={
                g: words([w for w in others.get(g, []) + others.get("either", []) if w not in plural]) for g in genders
            },
            only={g: words(others.get(g, [])) for g in genders},
            roles=roles,
            role_screen=words(data.get("roles", {}).get("screen", []), whole=False)
            if data.get("roles", {}).get("screen")
            else re.compile("|".join(p.pattern.lstrip("^") for ps in roles.values() for p in ps) or r"(?!x)x", re.I),
        )
    except re.error as e:
        raise TheoryError(f"[roles] pattern {e.pattern!r}: {e}", "persons.toml") from None
    except (KeyError, TypeError) as e:
        raise TheoryError(
            f"persons file: [pronouns] needs a word list per gender value ({type(e).__name__}: {e})", "persons.toml"
        ) from None


def _sentences(text: str) -> list[str]:
    from ..text.segment import sentence_texts

    return [t.strip() for t in sentence_texts(text.casefold()) if t.strip()]


_CAPITALISED = re.compile(r"(?<![.!?;:]\s)(?<!^)\b[A-Z][a-z]+")


def text_genders(
    text: str, persons: Persons, name_words: frozenset[str] = frozenset(), own: str | None = None
) -> list[str]:
    """Genders whose pronouns the text uses for the persona: any pronoun of gender G that no other
    person can own. Pronouns look back: a pronoun is another person's when a person of gender G or
    of either gender is named before it in its sentence or in the sentence before (a kinship or role
    noun of persons.toml, or an English capitalised name other than the persona's, unless the
    sentence says the named person is of the other gender: "a girl named Mengmeng ... he"). A
    possessive right before a person noun ("live with her parents") is the persona's unless a
    single other person was named before it. A text may give both genders (one stray "he" in a
    girl's paragraph); the rule reports the one that is not the persona's. Heuristic: a person whose
    noun is not listed can still mislead it (it prefers a miss to a false alarm). `own`: the
    persona's gender, whose pronouns need no such analysis (they are reported when present)."""
    from ..text.segment import sentences as spans

    folded = text.casefold()
    if not folded.isascii():
        for w in persons.masked:
            folded = folded.replace(w, "\0" * len(w))
    genders = persons.genders
    present = [g for g in genders if persons.pronouns[g].search(folded)]
    out = [g for g in present if g == own]
    if all(g == own for g in present):
        return out
    sents = spans(text)
    for g in genders:
        if g not in present or g == own:
            continue
        prev_named = False
        for a, b in sents:
            s = folded[a:b]
            people = [m.start() for m in persons.others[g].finditer(s)]
            single = [m.start() for m in persons.singular[g].finditer(s)]
            names = [m.start() - a for m in _CAPITALISED.finditer(text, a, b) if m.group().casefold() not in name_words]
            other = any(persons.only[o].search(s) for o in genders if o != g)
            if names and other and not persons.only[g].search(s):
                names = []  # "a quiet girl named Mengmeng": the name is not a person of gender g
            named_before = prev_named
            for m in persons.pronouns[g].finditer(s):
                p = m.start()
                possessive = persons.anyone.match(s, m.end() + 1) is not None
                excuses = (single if possessive else people) + names
                if not (named_before or any(x < p for x in excuses)):
                    out.append(g)
                    break
            else:
                prev_named = bool(people or names)
                continue
            break
    return out


def adult_roles(text: str, persons: Persons) -> list[str]:
    """Roles (parent, spouse) the text gives the persona. The sentences are searched as one text,
    a sentence a line (the role patterns are compiled with re.M, so ^ is a sentence start)."""
    if not persons.role_screen.search(text.casefold()):
        return []  # the usual case: no role word anywhere
    joined = "\n".join(_sentences(text))
    out: list[str] = []
    for role, patterns in persons.roles.items():
        for p in patterns:
            for m in p.finditer(joined) if role not in out else ():
                a, b = joined.rfind("\n", 0, m.start()) + 1, joined.find("\n", m.end()) % (len(joined) + 1)
                rest = joined[a : m.start()] + " " + joined[m.end() : b]
                if p.pattern.startswith("^") or not persons.anyone.search(rest):
                    out.append(role)
                    break
    return out


def adult_topics(text: str, config: Config, persons: Persons) -> list[str]:
    """Age-appropriate topics found in sentences that name nobody else, allowed phrases masked."""
    found: set[str] = set()
    folded = text.casefold()
    if config.topic_screen is not None and not config.topic_screen.search(folded):
        return []  # the usual case, decided in one pass
    for s in _sentences(text):
        if persons.anyone.search(s):
            continue
        for phrase in config.topic_allow:
            s = s.replace(phrase, "\0" * len(phrase))
        found |= {topic for topic, pattern in config.topics.items() if pattern.search(s)}
    return [t for t in config.topics if t in found]


def facts(values: dict[str, Any], config: Config) -> list[Fact]:
    out: list[Fact] = []
    who = config.person
    name = values.get(who.name) if who and who.name else None
    agent = values.get(who.agent_name) if who and who.agent_name else None
    if config.names is not None and isinstance(name, str):
        v = config.names.verdict(name, agent if isinstance(agent, str) else "")
        if v == "not_pinyin":
            out.append(Fact("name_not_pinyin", "", who.name, True))
        elif v == "mismatch" and isinstance(agent, str):
            out.append(Fact("agent_mismatch", "", who.agent_name, True))
    persons = config.persons
    name_words = (
        frozenset(w.casefold() for w in re.findall(r"[A-Za-z]+", name or "")) if isinstance(name, str) else frozenset()
    )
    for f in config.person_fields:
        text = values.get(f)
        if isinstance(text, str):
            own = values.get(who.gender)
            out += [Fact("text_gender", f",{_q(f)},{g}", f, g) for g in text_genders(text, persons, name_words, own)]
            out += [Fact("adult_role", f",{_q(f)},{r}", f, r) for r in adult_roles(text, persons)]
    for f in config.topic_fields:
        text = values.get(f)
        if isinstance(text, str):
            out += [Fact("adult_topic", f",{_q(f)},{t}", f, t) for t in adult_topics(text, config, persons)]
    return out


def domain(config: Config) -> list[Fact]:
    out: list[Fact] = []
    if config.names is not None:
        out += [
            Fact("name_not_pinyin", "", config.person.name, True),
            Fact("agent_mismatch", "", config.person.agent_name, True),
        ]
    for f in config.person_fields:
        out += [Fact("text_gender", f",{_q(f)},{g}", f, g) for g in config.persons.genders]
        out += [Fact("adult_role", f",{_q(f)},{r}", f, r) for r in ROLES]
    for f in config.topic_fields:
        out += [Fact("adult_topic", f",{_q(f)},{t}", f, t) for t in config.topics]
    return out

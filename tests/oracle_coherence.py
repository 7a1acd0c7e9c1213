"""Persona values -> instance counts of the k12 coherence rules C1-C4, in plain Python (test oracle,
part of tests/oracle_k12.py). Re-implements the documented behaviour (rules/curriculum.lp,
rules/coherence.lp, the docstrings of hachimi/facts/coherence.py and pinyin.py) without hachimi
modules; the data (curriculum facts, word lists) is read from the theory folder."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

THEORY_DIR = Path(__file__).resolve().parents[1] / "constraints" / "k12"
_META = tomllib.loads((THEORY_DIR / "theory.toml").read_text(encoding="utf-8"))
_CFG = _META["features"]["coherence"]
_AGENT_RE = re.compile(_META["features"]["patterns"]["agent_name"]["regex"])


def _toml(name: str) -> dict:
    return tomllib.loads((THEORY_DIR / name).read_text(encoding="utf-8"))


# grades each subject is offered in: offered(S, First, Last) facts of rules/curriculum.lp
OFFERED: dict[str, set[int]] = {}
for _s, _f, _l in re.findall(
    r"^offered\((\w+),\s*(\d+),\s*(\d+)\)\.", (THEORY_DIR / "rules" / "curriculum.lp").read_text(), re.M
):
    OFFERED.setdefault(_s, set()).update(range(int(_f), int(_l) + 1))

_PERSONS = _toml(_CFG["persons"])
_AGE = _toml(_CFG["age_topics"])
_SURNAMES = _toml(_CFG["name_data"])
_ROMANCE_FROM = 10  # rules/coherence.lp adult_topic_from(romance, 10)


def _has(text: str, term: str, whole: bool = True) -> int:
    """Occurrences of term in case-folded text: English at word boundaries, Chinese anywhere."""
    if not term.isascii():
        return text.count(term)
    end = r"(?![a-z])" if whole else ""
    return len(re.findall(r"(?<![a-z])" + re.escape(term.casefold()) + end, text))


def _sents(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[.!?;。！？；\n]", text.casefold()) if s.strip()]


_OTHERS = _PERSONS["others"]
_ALL_OTHERS = [w for ws in _OTHERS.values() for w in ws]


def _names_someone(s: str, words: list[str]) -> bool:
    return any(_has(s, w) for w in words)


_PLURAL = set(_PERSONS.get("plural", ["parents", "grandparents", "父母", "家长"]))


def _positions(s: str, words: list[str]) -> list[int]:
    """Start of every whole-word (English) or substring (Chinese) occurrence of the words."""
    out = []
    for w in words:
        if w.isascii():
            out += [m.start() for m in re.finditer(r"(?<![a-z])" + re.escape(w.casefold()) + r"(?![a-z])", s)]
        else:
            out += [m.start() for m in re.finditer(re.escape(w), s)]
    return out


def _split_keep_case(text: str) -> list[tuple[str, bool]]:
    """Sentences of the original text, each with whether it opens the text (no name test there)."""
    parts, out, start = re.split(r"([.!?;。！？；\n]\s*)", text), [], True
    for i in range(0, len(parts), 2):
        if parts[i].strip():
            out.append((parts[i], start))
        start = False
    return out


def _other_pronoun(text: str, gender: str, name_words: set[str]) -> bool:
    """A pronoun of the other gender that nobody named before it can own (coherence.py docstring)."""
    other = "male" if gender == "female" else "female"
    masked = [w for ws in _PERSONS["not_pronoun"].values() for w in ws]
    prev_named = False
    for raw, first in _split_keep_case(text):
        s = raw.casefold()
        for w in masked:
            s = s.replace(w, "#" * len(w))
        people = _positions(s, _OTHERS[other] + _OTHERS["either"])
        single = _positions(s, [w for w in _OTHERS[other] + _OTHERS["either"] if w not in _PLURAL])
        names = [
            m.start()
            for m in re.finditer(r"\b[A-Z][a-z]+", raw)
            if not (first and m.start() == len(raw) - len(raw.lstrip())) and m.group().casefold() not in name_words
        ]
        if names and _positions(s, _OTHERS[gender]) and not _positions(s, _OTHERS[other]):
            names = []
        for p in _positions(s, _PERSONS["pronouns"][other]):
            after = s[p:].split(None, 2)
            possessive = len(after) > 1 and any(
                after[1].startswith(w) and _positions(after[1], [w]) for w in _ALL_OTHERS
            )
            excuses = (single if possessive else people) + names
            if not prev_named and not any(x < p for x in excuses):
                return True
        prev_named = bool(people or names)
    return False


def _pronoun_gender(text: str, gender: str | None, name_words: set[str] = frozenset()) -> bool:
    sents = _sents(text)
    for w in [w for ws in _PERSONS["not_pronoun"].values() for w in ws]:
        sents = [s.replace(w, "#") for s in sents]
    if gender is not None and _other_pronoun(text, gender, set(name_words)):
        return True
    for role, patterns in _PERSONS["roles"].items():
        if role == "screen":  # a first-look word list, not patterns
            continue
        for pat in patterns:
            rx = re.compile(pat, re.I)
            for s in sents:
                m = rx.search(s)
                if m and (pat.startswith("^") or not _names_someone(s[: m.start()] + " " + s[m.end() :], _ALL_OTHERS)):
                    return True
    return False


def _age(text: str, grade: int | None) -> bool:
    allow = [a.casefold() for ws in _AGE["allow"].values() for a in ws]
    for s in _sents(text):
        if _names_someone(s, _ALL_OTHERS):
            continue
        for a in allow:
            s = s.replace(a, "#" * len(a))
        for topic, terms in _AGE["topics"].items():
            if topic == "romance" and (grade is None or grade >= _ROMANCE_FROM):
                continue
            if any(_has(s, t, whole=False) for t in terms):
                return True
    return False


@lru_cache(maxsize=1)
def _syllables() -> frozenset[str]:
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for r in map(_plain, readings.split(",")):
            if r.isascii() and r.isalpha() and re.search("[aeiouv]", r):
                out.add(r)
    return frozenset(out)


def _plain(reading: str) -> str:
    import unicodedata

    s = reading.replace("ü", "v").replace("Ü", "v")
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _splits(word: str) -> bool:
    ok = {0}
    for i in range(1, len(word) + 1):
        if any(j in ok and word[j:i] in _syllables() for j in range(max(0, i - 6), i)):
            ok.add(i)
    return bool(word) and len(word) in ok


def _agent_verdict(name: str, agent: str) -> str:
    """'ok', 'mismatch' or 'not_pinyin' (see hachimi/plugins/k12/names.py's docstring)."""
    chars = [c for c in name.strip() if c not in " ·•"]
    agent_ok = agent.count("_") == 1 and all(re.fullmatch(r"(?:[a-z]+[1-5])+", p) for p in agent.split("_"))
    fam_a, giv_a = ([x for x in re.findall(r"[a-z]+[1-5]", p)] for p in agent.split("_", 1)) if agent_ok else ([], [])
    if chars and all("\u3400" <= c <= "\u9fff" or ord(c) >= 0x20000 for c in chars):
        from pypinyin import Style, pinyin

        han = "".join(chars)
        two = han[:2]
        k = 2 if (two in _SURNAMES["compound"] or (len(two) == 2 and two in _SURNAMES["readings"])) else 1
        if not agent_ok or len(han) == k or (len(fam_a), len(giv_a)) != (k, len(han) - k):
            return "mismatch"
        for i, (c, syl) in enumerate(zip(han, fam_a + giv_a)):
            opts = {r for rs in pinyin(c, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True) for r in rs}
            opts = {o for o in opts if o.isascii() and o[-1:].isdigit()}
            fixed = _SURNAMES["readings"].get(han[:k])
            if i < k and fixed:
                opts.add(fixed[i])
            elif i < k:
                opts |= set(_SURNAMES["readings"].get(c, ()))
            if opts and syl.replace("v", "u") not in {o.replace("v", "u") for o in opts}:
                return "mismatch"
        return "ok"
    low = name.strip().casefold()
    if not re.fullmatch(r"[a-zü:'’\- ]+", low):
        return "not_pinyin"
    words = [re.sub(r"['’\-]", "", w) for w in low.replace("u:", "v").replace("ü", "v").split()]
    if not words or not all(_splits(w) for w in words):
        return "not_pinyin"
    if not agent_ok:
        return "mismatch"
    fam = [x.rstrip("12345") for x in fam_a]
    giv = [x.rstrip("12345") for x in giv_a]
    if any(x not in _syllables() for x in fam + giv):
        return "mismatch"
    got = ["".join(fam), "".join(giv)]
    want = [words[0], "".join(words[1:])] if len(words) > 1 else None
    if want is None:
        return "ok" if words[0].replace("v", "u") == (got[0] + got[1]).replace("v", "u") else "mismatch"
    return "ok" if [w.replace("v", "u") for w in want] == [g.replace("v", "u") for g in got] else "mismatch"


def check(vals: dict) -> dict[str, int]:
    """vals: field path -> value of a readable persona (missing fields absent)."""
    out: dict[str, int] = {}
    grade = vals.get("enrollment.grade")
    if grade is not None:
        subjects = set(vals.get("academic.strong_subjects") or ()) | set(vals.get("academic.weak_subjects") or ())
        out["subject-grade"] = sum(grade not in OFFERED[s] for s in subjects)
    name, agent = vals.get("enrollment.name"), vals.get("enrollment.agent_name")
    if name is not None:
        v = _agent_verdict(name, agent or "")
        out["agent-name-pinyin"] = int(
            v == "not_pinyin" or (v == "mismatch" and agent is not None and _AGENT_RE.search(agent) is not None)
        )
    gender = vals.get("enrollment.gender")
    name_words = {w.casefold() for w in re.findall(r"[A-Za-z]+", name)} if isinstance(name, str) else set()
    out["pronoun-gender"] = sum(
        _pronoun_gender(vals[f], gender, name_words) for f in _CFG["person_fields"] if isinstance(vals.get(f), str)
    )
    out["age-appropriate"] = sum(_age(vals[f], grade) for f in _CFG["age_fields"] if isinstance(vals.get(f), str))
    return {k: n for k, n in out.items() if n}

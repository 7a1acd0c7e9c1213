"""k12's name rules ([features.coherence] names): the agent name is the tone-numbered pinyin of the
name. The module interface every pack's name rules offer: load(data) -> rules data (from the file
`name_data` names), verdict(name, agent_name, data) -> "ok" | "mismatch" | "not_pinyin",
agent_name_pattern() -> the grammar's pattern for agent names, spell(agent_name) -> the name an
agent name spells (or None).

Name + agent name -> "ok", "mismatch" or "not_pinyin": is the agent name the tone-numbered pinyin
of the name, family name first (陈雨彤 / Chen Yutong -> chen2_yu3tong2)?

- A name in Chinese characters is read with pypinyin, one character at a time with all its readings
  (heteronyms) and, for the family name, its surname readings (单 shan4, 曾 zeng1; surnames.toml),
  so a reading the name may have is never refused; compound surnames (欧阳, 司马, ...) are one
  family name. A character pypinyin does not know accepts any syllable.
- A romanised name ("Chen Yutong") is family name first: its first word is the family name, the
  rest the given name. Each must split into pinyin syllables (the syllables of pypinyin's
  dictionary, read without tones), else the name is not pinyin at all; the agent name with its tone
  digits removed must spell the same letters. Tones cannot be checked from a romanised name.
ü may be written v or u on either side. pypinyin is imported on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_SYLLABLE = re.compile(r"([a-z]+)([1-5])")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")
_ROMAN = re.compile(r"^[a-zü:'’\- ]+$")
_LONGEST = 6  # letters in the longest pinyin syllable (zhuang, shuang)


@dataclass(frozen=True)
class Surnames:
    compound: frozenset[str] = frozenset()  # two-character family names
    readings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # family name -> its syllables


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable in pypinyin's character dictionary (ü as v), vowels required
    (the interjections m, n, ng, hm are not name syllables). Built once (a second: every reading of
    the dictionary) and kept in the user's cache (hachimi/cache.py)."""
    from ...cache import cached

    return frozenset(cached("pinyin-syllables", ("pypinyin",), (), _build_syllables))


def _build_syllables() -> frozenset[str]:
    from pypinyin.contrib.tone_convert import to_normal
    from pypinyin.pinyin_dict import pinyin_dict

    out = set()
    for readings in pinyin_dict.values():
        for r in readings.split(","):
            s = to_normal(r)
            if s.isascii() and s.isalpha() and re.search("[aeiouv]", s):
                out.add(s)
    return frozenset(out)


def _u(s: str) -> str:
    return s.replace("v", "u")


def segments(word: str) -> bool:
    """True if the letters split into pinyin syllables."""
    known, n = syllables(), len(word)
    ok = [True] + [False] * n
    for i in range(1, n + 1):
        ok[i] = any(ok[j] and word[j:i] in known for j in range(max(0, i - _LONGEST), i))
    return n > 0 and ok[n]


def _agent_parts(agent: str) -> tuple[list[str], list[str]] | None:
    if agent.count("_") != 1:
        return None
    fam, giv = agent.split("_")
    parts = (_SYLLABLE.findall(fam), _SYLLABLE.findall(giv))
    if "".join(a + t for a, t in parts[0]) != fam or "".join(a + t for a, t in parts[1]) != giv:
        return None
    return [a + t for a, t in parts[0]], [a + t for a, t in parts[1]]


def verdict(name: str, agent: str, surnames: Surnames) -> str:
    """ "ok", "mismatch" (a pinyin name the agent name does not spell) or "not_pinyin"."""
    name = name.strip()
    han = [c for c in name if c not in " ·•"]
    if han and all(_HAN.match(c) for c in han):
        return _chinese("".join(han), agent, surnames)
    folded = name.casefold().replace("u:", "v").replace("ü", "v")
    if not _ROMAN.match(name.casefold()):
        return "not_pinyin"
    words = [re.sub(r"['’\-]", "", w) for w in folded.split()]
    if not words or not all(segments(w) for w in words):
        return "not_pinyin"
    parts = _agent_parts(agent)
    if parts is None:
        return "mismatch"
    fam, giv = ([w.rstrip("12345") for w in p] for p in parts)
    if not all(s in syllables() for s in fam + giv):
        return "mismatch"
    want = (words[0], "".join(words[1:])) if len(words) > 1 else None
    got = ("".join(fam), "".join(giv))
    if want is None:
        return "ok" if _u(words[0]) == _u(got[0] + got[1]) else "mismatch"
    return "ok" if (_u(want[0]), _u(want[1])) == (_u(got[0]), _u(got[1])) else "mismatch"


def _none(_: str) -> list[str]:
    return [""]


def _chinese(name: str, agent: str, surnames: Surnames) -> str:
    from pypinyin import Style, pinyin

    k = 2 if name[:2] in surnames.compound or (len(name[:2]) == 2 and name[:2] in surnames.readings) else 1
    family, given = name[:k], name[k:]
    parts = _agent_parts(agent)
    if parts is None or not given:
        return "mismatch"
    options = [  # one character at a time, every reading (an unknown character: no constraint)
        {
            _u(r)
            for rs in pinyin(c, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True, errors=_none)
            for r in rs
            if r
        }
        for c in name
    ]
    fixed = surnames.readings.get(family)
    if fixed:
        for i, r in enumerate(fixed):
            options[i].add(_u(r))
    else:
        for i, c in enumerate(family):
            options[i] |= {_u(r) for r in surnames.readings.get(c, ())}
    got = parts[0] + parts[1]
    if (len(parts[0]), len(parts[1])) != (len(family), len(given)):
        return "mismatch"
    return "ok" if all(not opts or _u(s) in opts for s, opts in zip(got, options)) else "mismatch"


def load(data: dict) -> Surnames:
    """The surname data of a lexicon file (compound family names, surname readings)."""
    return Surnames(frozenset(data.get("compound", ())), {k: tuple(v) for k, v in data.get("readings", {}).items()})


@lru_cache(maxsize=1)
def agent_name_pattern() -> str:
    """R6's shape with real pinyin syllables: family (1-2 syllables) _ given (1-3), each with a tone."""
    syl = "(?:" + "|".join(sorted(syllables(), key=lambda x: (-len(x), x))) + ")[1-5]"
    return rf"^{syl}(?:{syl})?_{syl}(?:{syl}){{0,2}}$"


def spell(agent_name: str) -> str | None:
    """The romanised name an agent name spells: chen2_yu3tong2 -> Chen Yutong (None if malformed)."""
    m = re.fullmatch(r"([a-z1-5]+)_([a-z1-5]+)", agent_name or "")
    if not m:
        return None
    return " ".join(re.sub(r"[1-5]", "", part).capitalize() for part in m.groups())

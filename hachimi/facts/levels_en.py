"""English narrative text + dimension names -> the level phrase stated for each dimension, or why none.

Prose states a level next to the dimension it rates: "her moral cultivation is fairly high",
"problem analysis medium", "a fairly high sense of responsibility", "depression and anxiety risk
are both low". So a level is read only in two windows around each mention of a name:

- after it: the first words past the name, skipping only linking words (is, are, remains, rated,
  at, a, level of, both, overall, ...); the next word must begin a level phrase, matched longest
  first ("slightly below average" before "below average", "fairly high" before "high");
- before it, if nothing follows: the phrase that ends right before the name, past articles and
  possessives ("a fairly high moral cultivation", "low anxiety risk", "high in novelty").
A hedge before the phrase ("not high", "hardly average") means no level. A name followed only by
"and" / "," / "as well as" and another name shares that name's level ("fluency and flexibility are
medium"). Everything else is "mentioned, no level": reported, never guessed. Level words inside
other words (low-income, highlight, averaged) never count: matching is on whole words."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WORD = re.compile(r"[a-z]+(?:['-][a-z]+)*")
SENTENCE_END = re.compile(r"[.;!?]")
LINKING = frozenset(
    "is are was were remains remain stays stay seems seem appears appear looks look sits sit stands "
    "stand rated rates rate scored scores score measured at a an the level levels of both all also "
    "still overall generally quite as being considered be to its her his their currently now "
    "relatively".split()
)
# "relatively" also begins phrases; phrases are tried before linking words are skipped
BEFORE = frozenset("a an the her his their its in on for of with and shows show has have".split())
COORDINATORS = ("and", "as well as", "&", ",", "plus")


@dataclass
class Finding:
    name: str
    phrases: list[str] = field(default_factory=list)  # level phrases read, in text order
    spans: list[str] = field(default_factory=list)  # text after each mention (for messages)
    hedged: bool = False

    @property
    def mentioned(self) -> bool:
        return bool(self.spans)


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in WORD.finditer(text)]


def _phrase_at(words: list[tuple[str, int, int]], i: int, phrases: dict[tuple[str, ...], str]) -> tuple[str, int]:
    """The longest level phrase starting at words[i] -> (phrase, number of words), or ('', 0)."""
    for n in (4, 3, 2, 1):
        key = tuple(w for w, _, _ in words[i : i + n])
        if len(key) == n and key in phrases:
            return phrases[key], n
    return "", 0


def _phrase_before(words, phrases) -> str:
    """The level phrase that ends right before the name (past articles and possessives)."""
    j = len(words)
    while j > 0 and words[j - 1][0] in BEFORE:
        j -= 1
    for n in (4, 3, 2, 1):
        key = tuple(w for w, _, _ in words[max(0, j - n) : j])
        if len(key) == n and key in phrases:
            return phrases[key]
    return ""


def find_levels(
    text: str, names: dict[str, list[str]], vocabulary: set[str], hedges: frozenset[str]
) -> dict[str, Finding]:
    """For each dimension (names: dimension -> its names in the text's language, groups included as
    extra keys), the level phrases of `vocabulary` stated next to its mentions."""
    low = text.casefold().replace("_", " ")
    phrases = {tuple(p.split()): p for p in vocabulary}
    flat = sorted(((n.casefold(), d) for d, ns in names.items() for n in ns), key=lambda x: -len(x[0]))
    pattern = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(n) for n, _ in flat) + r")(?![a-z])")
    owner = {n: d for n, d in flat}
    occ = list(pattern.finditer(low))
    findings = {d: Finding(d) for d in names}
    shared = ""
    for k in range(len(occ) - 1, -1, -1):  # backwards, so a coordinated name can share
        m = occ[k]
        d = owner[m.group()]
        stop = SENTENCE_END.search(low, m.end())
        end = min(stop.start() if stop else len(low), occ[k + 1].start() if k + 1 < len(occ) else len(low))
        after = low[m.end() : end]
        words = _words(after)
        phrase, hedged, i = "", False, 0
        while i < len(words):
            phrase, n = _phrase_at(words, i, phrases)
            if phrase:
                break
            if words[i][0] in hedges:
                hedged = True
            elif words[i][0] not in LINKING:
                break
            i += 1
        if not phrase and k + 1 < len(occ) and end == occ[k + 1].start() and after.strip() in COORDINATORS:
            phrase = shared
        if not phrase and not hedged:
            start = occ[k - 1].end() if k else 0
            sentence = max(start, max((s.end() for s in SENTENCE_END.finditer(low, 0, m.start())), default=0))
            before = _words(low[sentence : m.start()])
            if not any(w in hedges for w, _, _ in before[-3:]):
                phrase = _phrase_before(before, phrases)
        shared = "" if hedged else phrase
        f = findings[d]
        f.spans.insert(0, text[m.start() : end].strip())
        if phrase and not hedged:
            f.phrases.insert(0, phrase)
        f.hedged |= hedged
    return findings

"""English prose -> the levels it states for the dimensions it names (hachimi/text/reader.py).

Each sentence becomes a row of items: dimension names (M), level expressions (E) with the modifiers
and negation in front of them, construction words (text/data/en.toml) and other words. A level is
bound to a name, within its sentence and never across another name or a word that ends a clause:

- after the name, through linking words, adverbs, head nouns and parentheticals ("her rule of law
  awareness is, as her teacher notes, just about average"); words of the subject before a linking
  verb are passed over ("her fluency with new material is medium");
- before it, through determiners and "level/degree/sense of", "in/on/for" ("a fairly low degree of
  cultural literacy", "high in novelty");
- names joined by and / commas share one level ("fluency and flexibility are both medium"), or take
  a list in order ("... medium and high respectively");
- a name after a fronted topic ("When it comes to novelty, she is above average"), a pronoun that
  opens the next clause ("It is clearly high"), ellipsis ("and novelty is too", "so is novelty").
A binding through other words is *loose*: read, but not trusted. A hedge ("it is unclear whether")
makes a mention unreadable. Level words inside hyphenated compounds (low-income) never count."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import steps as S
from .reading import Mention, Reading, TextReading
from .segment import sentences
from .vocab import Language, Vocabulary

_TOKEN = re.compile(r"[a-z0-9]+(?=n't)|n't|'[a-z]+|[a-z0-9]+|[^\sa-z0-9]")
LIMIT = 14  # words a binding may pass over (parentheticals not counted)
PARENTHETICAL = 12  # words a parenthetical may hold
_OPEN = {",": ",", "(": ")", "—": "—", "–": "–", "--": "--"}
_COORD_LINK = frozenset([",", "and", "as well as", "along with", "together with", "plus", "&", "her", "his"])
_COORD_FILL = frozenset(["her", "his", "their", "the", "its", "both"])
_MODS = frozenset(["neg", "end", "middle", "keep"])
# before a linking verb these open a phrase of the subject ("her fluency with strong peers is ..."),
# so a level right after them is not the name's
_PREPOSITIONS = frozenset(
    "with in at for of on the a an her his their its this that from into within around near about toward "
    "towards among amongst across between up down by".split()
)


@dataclass(slots=True)
class Item:
    kind: str  # M name, E expression, F construction phrase, W word, P punctuation
    key: str  # dimension / group phrase / expression phrase / the phrase itself
    cats: frozenset  # F and W: what the phrase can be (link, adv, noun, neg, end/middle/keep, ...)
    a: int  # characters in the text
    b: int
    joined_before: bool = False  # glued to the previous token by a hyphen
    joined_after: bool = False


class Compiled:
    """A language's phrase table: token tuple -> (kind, key, categories)."""

    def __init__(self, lang: Language, scales_of: dict[str, str]):
        self.lang = lang
        table: dict[tuple, tuple[str, str, set]] = {}

        def add(phrase: str, kind: str, key: str, cat: str = "") -> None:
            toks = tuple(t for t in _TOKEN.findall(phrase.lower().replace("’", "'")) if t != "-")
            if not toks:
                return
            have = table.get(toks)
            rank = {"M": 0, "E": 1, "R": 2, "F": 3}
            if have is None or rank[kind] < rank[have[0]]:
                table[toks] = (kind, key, set(have[2]) if have else set())
            if cat:
                table[toks][2].add(cat)

        for d, names in lang.names.items():
            for n in names:
                add(n, "M", d)
        for g in lang.groups:
            add(g, "M", "group:" + g)
        for exprs in lang.expressions.values():
            for p in exprs:
                add(p, "E", p)
        g = lang.grammar
        for cat, words in g.get("bridge", {}).items():
            for w in words:
                add(w, "F", w, {"linking": "link", "adverbs": "adv", "nouns": "noun"}[cat])
        for direction, words in g.get("relative", {}).items():
            for w in words:
                add(w, "R", direction)
        for w in g.get("before", {}).get("words", ()):
            add(w, "F", w, "before")
        for cat, words in g.get("words", {}).items():
            for w in words:
                add(w, "F", w, cat)
        for w, kind in lang.modifiers.items():
            add(w, "F", w, kind)
        for w, tier in lang.negators.items():
            add(w, "F", w, "neg")
            add(w, "F", w, "neg:" + tier)
        for w in lang.hedges:
            add(w, "F", w, "hedge")
        self.table = {k: (kind, key, frozenset(c)) for k, (kind, key, c) in table.items()}
        self.longest: dict[str, int] = {}
        for k in self.table:
            self.longest[k[0]] = max(self.longest.get(k[0], 0), len(k))
        self.groups = {"group:" + g: ds for g, ds in lang.groups.items()}
        self.scales_of = scales_of
        self.profile = tuple(g.get("profile", {}).get("frames", ()))
        # a phrase one scale lists may be a modifier + a phrase of another ("relatively high" is a
        # risk phrase; on the level scale it is "relatively" + "high")
        self.parts: dict[str, tuple[list[str], str, str]] = {}
        mods = {**{w: k for w, k in lang.modifiers.items()}, **{w: "neg:" + t for w, t in lang.negators.items()}}
        for exprs in lang.expressions.values():
            for p in exprs:
                words = p.split()
                for i in range(1, len(words)):
                    head, rest = " ".join(words[:i]), " ".join(words[i:])
                    if head in mods:
                        self.parts[p] = ([mods[head]], rest, "")
                        break


_COMPILED: dict[int, Compiled] = {}


def compiled(vocab: Vocabulary, language: str = "en") -> Compiled:
    lang = vocab.languages[language]
    c = _COMPILED.get(id(lang))
    if c is None or c.lang is not lang:
        c = _COMPILED[id(lang)] = Compiled(lang, vocab.scales)
    return c


def items_of(folded: str, a0: int, b0: int, c: Compiled) -> list[Item]:
    """The items of one sentence, folded[a0:b0] (the text lower-cased, same offsets)."""
    ws: list[str] = []  # words and punctuation; a hyphen between two words glues them and is dropped
    starts: list[int] = []
    ends: list[int] = []
    glued: list[bool] = []  # glued to the previous word
    pending = False
    for m in _TOKEN.finditer(folded, a0, b0):
        w, a, b = m.group(), m.start(), m.end()
        if w == "-" and ws and ends[-1] == a and b < b0 and folded[b : b + 1].isalnum() and ws[-1][0].isalnum():
            pending = True
            continue
        ws.append(w)
        starts.append(a)
        ends.append(b)
        glued.append(pending)
        pending = False
    out: list[Item] = []
    table, longest = c.table, c.longest
    i, n = 0, len(ws)
    while i < n:
        w = ws[i]
        most = longest.get(w)
        hit = None
        if most:
            for k in range(min(most, n - i), 0, -1):
                found = table.get(tuple(ws[i : i + k]))
                if found is not None:
                    hit = (k, found)
                    break
        if hit is None:
            kind = "W" if (w[0].isalnum() or w[0] == "'") else "P"
            out.append(Item(kind, w, _EMPTY, starts[i], ends[i], glued[i]))
            i += 1
            continue
        k, (kind, key, cats) = hit
        j = i + k
        item = Item(kind, key, cats, starts[i], ends[j - 1], glued[i], j < n and glued[j])
        if kind in ("E", "M") and (item.joined_before or item.joined_after):
            if kind == "M" and item.joined_after:  # "novelty-wise"
                item.cats = _WISE
            else:  # a level word or a name inside a hyphenated compound is neither
                item.kind = "W"
        elif kind == "F" and "not_levels" in cats:
            item.kind = "W"
        out.append(item)
        i = j
    return out


_EMPTY: frozenset = frozenset()
_WISE = frozenset(["wise"])


# --- level units: an expression with the modifiers and negation in front of it ----------------------


@dataclass(slots=True)
class Unit:
    first: int  # item index of its first modifier (or the expression)
    last: int  # item index of its (last) expression
    phrases: tuple[str, ...]  # one, or two for a range ("low to medium")
    mods: tuple[str, ...]  # modifier kinds, nearest first
    negated: str  # how it is negated ('' for not: text/steps.py NEGATIONS)
    a: int
    b: int

    def steps(self, c: Compiled, vocab: Vocabulary, scale: str, extra_neg: str = "") -> frozenset[str] | None:
        """The steps it allows on `scale`; None if an expression has no entry there."""
        table = c.lang.expressions.get(scale, {})
        order = vocab.orders[scale]
        mods, negated, sets = list(self.mods), S.combine(self.negated, extra_neg), []
        for p in self.phrases:
            got = table.get(p)
            if got is None and p in c.parts:  # "relatively high" on a scale that lists only "high"
                (kind,), base, _ = c.parts[p]
                got = table.get(base)
                if got is not None and kind.startswith("neg:"):
                    negated = S.combine(negated, kind[4:])
                elif got is not None:
                    mods.insert(0, kind)
            if got is None:
                return None
            sets.append(got)
        base = sets[0] if len(sets) == 1 else S.between(sets[0], sets[1], order)
        return S.apply(base, order, mods, negated)


def unit_ending(items: list[Item], k: int) -> Unit | None:
    """The unit whose (last) expression is items[k]."""
    if items[k].kind != "E":
        return None
    first, phrases = k, [items[k].key]
    if k >= 2 and items[k - 1].kind in ("F", "W") and items[k - 1].key in ("to", "or") and items[k - 2].kind == "E":
        first, phrases = k - 2, [items[k - 2].key, items[k].key]
        if first >= 1 and items[first - 1].key == "between":  # "between medium and high" is read below
            first -= 1
    elif k >= 3 and items[k - 1].key == "and" and items[k - 2].kind == "E" and items[k - 3].key == "between":
        first, phrases = k - 3, [items[k - 2].key, items[k].key]
    mods, negated = [], ""
    j = first - 1
    while j >= 0 and items[j].kind == "F":
        cats = items[j].cats
        if "neg" in cats:
            negated = S.combine(negated, _tier(cats))
        elif cats & _MODS:
            mods.append(_kind(cats))
        else:
            break
        j -= 1
    start = j + 1
    return Unit(start, k, tuple(phrases), tuple(mods), negated, items[start].a, items[k].b)


def unit_starting(items: list[Item], k: int) -> Unit | None:
    """The unit that begins at items[k] (a modifier, a negator or an expression), if any."""
    j = k
    while j < len(items) and items[j].kind == "F" and items[j].cats & _MODS:
        j += 1
    if j >= len(items) or items[j].kind != "E":
        return None
    last, phrases = j, [items[j].key]
    if j + 2 < len(items) and items[j + 1].key in ("to", "or") and items[j + 2].kind == "E":
        if k > 0 and items[k - 1].key == "from" and k == j:  # "dropped from moderate to mild": the second
            return Unit(j + 2, j + 2, (items[j + 2].key,), (), "", items[j + 2].a, items[j + 2].b)
        last, phrases = j + 2, [items[j].key, items[j + 2].key]
    mods, negated = [], ""
    for it in items[k:j]:
        if "neg" in it.cats:
            negated = S.combine(negated, _tier(it.cats))
        else:
            mods.insert(0, _kind(it.cats))
    if negated == "plain" and last + 1 < len(items) and items[last + 1].key in ("at all", "in the least"):
        negated = "strong"  # "not strong at all"
    return Unit(k, last, tuple(phrases), tuple(mods), negated, items[k].a, items[last].b)


def _tier(cats: frozenset) -> str:
    return next((c[4:] for c in cats if c.startswith("neg:")), "plain")


def _kind(cats: frozenset) -> str:
    return next(x for x in ("end", "middle", "keep") if x in cats)


# --- binding --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Bound:
    units: list[Unit]  # one, or a list ("medium and high respectively")
    trusted: bool
    construction: str
    negated: str = ""  # a negator apart from the expression ("is not, as they say, high")
    relative: str = ""  # a relative phrase instead ("lower still"): its direction


@dataclass
class Context:
    """What the reader carries from clause to clause: the last names and the last trusted reading."""

    dims: list[str]
    reading: Reading | None = None
    question: bool = False  # the last sentence asked about them ("Her happiness? Fairly low.")


_SUBJECT_SKIP = frozenset("i 'd would we both say think call put let me us honestly well then really so".split())


def _is(it: Item, cat: str) -> bool:
    return it.kind in ("F", "W") and cat in it.cats


def _ends_clause(items: list[Item], k: int) -> bool:
    """Nothing that continues the phrase follows items[k-1]: the end, punctuation, a boundary word,
    'respectively' or a head noun ("fairly high level")."""
    if k >= len(items):
        return True
    it = items[k]
    return (
        it.kind == "P" or _is(it, "boundaries") or _is(it, "respectively") or _is(it, "noun") or it.key in ("and", "if")
    )


def _unit_at(items: list[Item], k: int, ending: bool = False) -> Unit | None:
    u = unit_starting(items, k) if k < len(items) else None
    if u is not None and ending and not _ends_clause(items, u.last + 1):
        return None
    return u


def _parenthetical(items: list[Item], k: int) -> int | None:
    """items[k] opens a parenthetical (, ( — ) with no name and no level in it: the index after it."""
    close = _OPEN.get(items[k].key)
    if close is None:
        return None
    j, words = k + 1, 0
    while j < len(items) and items[j].key != close:
        it = items[j]
        if it.kind in ("M", "E", "R") or (it.kind == "P" and it.key in (";", ":")):
            return None
        words += 1
        if words > PARENTHETICAL:
            return None
        j += 1
    if j >= len(items) or j == k + 1:
        return None
    if close == "," and items[k + 1].key in ("and", "but", "or", "while", "whereas", "so"):
        return None
    return j + 1


def _trailing(items: list[Item], k: int) -> Unit | None:
    """After a comma: bridge words, then a level that ends the clause (", now reaching
    upper-middle", ", rated fairly high", ", high and fairly low respectively")."""
    j = k
    while j < len(items):
        unit = _unit_at(items, j, ending=True)
        if unit is not None:
            return unit
        it = items[j]
        if it.kind not in ("F", "W") or not it.cats & {"link", "adv", "before"} or _is(it, "boundaries"):
            return None
        j += 1
    return None


def _final_appositive(items: list[Item], k: int) -> Bound | None:
    """The sentence ends ", <adverbs> LEVEL" after the clause that named no level: "Family orientation is
    where I'd mark her lowest of all, simply low." (no other name and no other level in between)."""
    commas = [i for i in range(k, len(items)) if items[i].key == ","]
    if not commas or any(it.kind in ("M", "E", "R") for it in items[k : commas[-1]]):
        return None
    unit = _trailing(items, commas[-1] + 1)
    return Bound([unit], True, "appositive") if unit is not None and unit.last == len(items) - 1 else None


def _continues(it: Item) -> bool:
    """What may follow a parenthetical in a statement: a verb, an adverb, a negator, a level."""
    return it.kind == "E" or (it.kind in ("F", "W") and bool(it.cats & {"link", "adv", "neg", "end", "middle", "keep"}))


def _skip_adv(items: list[Item], k: int) -> int:
    while k < len(items) and items[k].kind in ("F", "W") and _is(items[k], "adv") and not _is(items[k], "pronouns"):
        k += 1
    return k


def _attributive(items: list[Item], u: Unit) -> bool:
    """The level word modifies the noun after it ("his weak point", "a strong reading habit"):
    it stands between a determiner and a word that is not a level noun ("a fairly high level",
    "the upper-middle range" rate; "upper middle thanks to her reading" is no noun phrase)."""
    j = u.last + 1
    if j >= len(items) or items[j].kind not in ("W", "F") or u.first == 0:
        return False
    it, before = items[j], items[u.first - 1]
    if _is(it, "level_nouns") or it.cats & {"link", "adv", "before", "boundaries", "neg", "respectively"} - {"noun"}:
        return False
    return before.key in _DETERMINERS and (it.kind == "W" or _is(it, "noun"))


_DETERMINERS = frozenset("a an the his her their its this that my your our".split())


def _vp(items: list[Item], k: int) -> bool:
    """A verb phrase starts at items[k]: adverbs, then a linking word."""
    while k < len(items) and _is(items[k], "adv") and not _is(items[k], "link"):
        k += 1
    return k < len(items) and _is(items[k], "link") and items[k].key != "'s"


def _only(items: list[Item], a: int, b: int, cats: set) -> bool:
    return all(items[i].kind in ("F", "W") and items[i].cats & cats for i in range(a, b))


def _after(items: list[Item], k: int, topic: bool) -> Bound | str | None:
    """The level after a name (items[k]: the first item after it): a Bound, 'hedge', 'ellipsis'
    or None. `topic`: the name was a fronted topic, so a new clause may follow it."""
    start = k
    seen_link, clean, words, negated, new_clause = False, True, 0, "", topic
    while k < len(items) and _is(items[k], "topic_close"):  # "as far as X is concerned"
        k += 1
    while k < len(items):
        it = items[k]
        if it.kind == "M":
            return None
        if it.kind == "R":
            nxt_r = items[k + 1] if k + 1 < len(items) else None
            if (nxt_r is None or nxt_r.kind == "P" or _is(nxt_r, "boundaries")) and (seen_link or k == start or clean):
                return Bound([], True, "relative", negated, it.key)
            clean, k, words = False, k + 1, words + 1
            continue
        if it.kind == "E" or (it.kind == "F" and it.cats & _MODS):
            unit = unit_starting(items, k)
            if unit is not None and _attributive(items, unit):  # "his weak point", "a strong reading habit"
                k, words, clean = unit.last + 1, words + 1, False
                continue
            if unit is not None:
                if k == start or (clean and (seen_link or words == 0)):
                    return Bound([unit], True, "adjacent" if k == start else "copula", negated)
                if clean and not seen_link and not any(items[i].key in _PREPOSITIONS for i in range(start, k)):
                    return Bound([unit], True, "bridge", negated)
                if (
                    not seen_link
                    and k > start
                    and items[k - 1].key in ("at", "as")
                    and all(items[i].key in ("at", "as", "around", "about", "roughly") for i in range(start, k))
                ):
                    return Bound([unit], True, "object", negated)  # "I'd put her X at fairly high"
                if not seen_link:  # inside the subject: "her fluency with strong peers is ..."
                    k, words, clean = unit.last + 1, words + 1, False
                    continue
                return Bound([unit], False, "loose", negated)
            if "neg" in it.cats:
                negated, k = S.combine(negated, _tier(it.cats)), k + 1
                continue
        if it.kind == "P":
            key, nxt = it.key, items[k + 1] if k + 1 < len(items) else None
            label_ok = k == start or all(
                items[i].key == "," or items[i].cats & {"noun", "adv"} for i in range(start, k) if items[i].kind != "M"
            )
            if key in (":", "—", "–", "--", "(") and label_ok:
                unit = _unit_at(items, k + 1)
                if unit is not None:
                    return Bound([unit], True, "label", negated)
            if key in (":", ",") and (topic or (key == ":" and clean)) and not seen_link:
                after = _parenthetical(items, k) if key == "," else None
                if after is not None and after < len(items) and _continues(items[after]):
                    k = after  # "X, as her teacher notes, is ..."
                    continue
                k, new_clause, clean, words = k + 1, True, True, 0  # "When it comes to X, she is ..."
                continue
            if nxt is not None and key == ",":
                after = _parenthetical(items, k)
                if after is not None and after < len(items) and _continues(items[after]):
                    k = after  # "X, as her teacher notes, is ..."
                    continue
                if nxt.key == "which" and label_ok and _vp(items, k + 2):  # "X, which is fairly high"
                    k, seen_link, clean = k + 2, False, True
                    continue
                j = _skip_adv(items, k + 2)
                if nxt.key in ("and", "but") and _vp(items, k + 2):
                    k, clean = k + 2, True
                    continue
                if nxt.key in ("and", "but") and j < len(items) and _is(items[j], "pronouns") and _vp(items, j + 1):
                    k, clean, seen_link = j + 1, True, False  # "stands out, and it is clearly high"
                    continue
                if _is(nxt, "ellipsis_after") and _ends_clause(items, k + 2):
                    return "ellipsis"
                unit = _trailing(items, k + 1)
                if unit is not None:
                    return Bound([unit], True, "appositive", negated)
            if key == ":" and nxt is not None and _is(nxt, "pronouns") and _vp(items, k + 2):
                k, clean, seen_link = k + 2, True, False  # "and it shows: it is high"
                continue
            if key in _OPEN and key != ",":
                after = _parenthetical(items, k)
                if after is not None:
                    k = after
                    continue
                if k == start or label_ok:  # an appositive that is a level: "X, a strong point, ..."
                    j = k + 1
                    while j < len(items) and items[j].key in ("a", "an", "the"):
                        j += 1
                    unit = _unit_at(items, j)
                    if unit is not None and (_ends_clause(items, unit.last + 1)):
                        return Bound([unit], True, "appositive", negated)
            return None
        if _is(it, "hedge"):
            return "hedge"
        if _is(it, "ellipsis_after") and _ends_clause(items, k + 1):
            return "ellipsis"
        if it.key in ("and", "but") and it.kind in ("F", "W"):
            if _vp(items, k + 1):  # "has grown steadily and is now upper-middle"
                k, clean = k + 1, True
                continue
            j = _skip_adv(items, k + 1)
            if j < len(items) and _is(items[j], "pronouns") and _vp(items, j + 1):
                k, clean, seen_link = j + 1, True, False
                continue
            if not seen_link and it.key == "and" and k + 1 < len(items) and items[k + 1].key in _PREPOSITIONS:
                k, words, clean = k + 1, words + 1, False  # within the subject: "toward the class and the community"
                continue
            return None
        if _is(it, "boundaries"):
            if new_clause and not seen_link and (_is(it, "subjects") or it.key in _SUBJECT_SKIP):
                k += 1
                continue
            return _final_appositive(items, k) if seen_link else None
        if _is(it, "link") and not (it.key == "'s" and k > start and items[k - 1].kind == "W"):
            seen_link, clean = True, True
        elif not (it.cats & {"adv", "noun", "before", "link", "keep", "end", "middle"}) and not (
            new_clause and not seen_link and it.key in _SUBJECT_SKIP
        ):
            clean = False
        words += 1
        if words > LIMIT:
            return None
        k += 1
    return None


def _before(items: list[Item], k: int) -> Bound | None:
    """The level right before a name at items[k]: through determiners, 'level of', 'in', 'on'; a
    negator further left in the clause negates it ("is not, by any stretch, lacking in X")."""
    j = k - 1
    while j >= 0:
        it = items[j]
        if it.kind == "E":
            unit = unit_ending(items, j)
            if unit is None:
                return None
            negated, i = "", unit.first - 1
            while i >= 0 and not (items[i].kind in ("M", "E") or _is(items[i], "boundaries") or items[i].key == ";"):
                if "neg" in items[i].cats:
                    negated = _tier(items[i].cats)
                    break
                i -= 1
            return Bound([unit], True, "prenominal", negated)
        if it.kind in ("F", "W") and ("before" in it.cats or it.key in ("a", "an", "the")):
            j -= 1
            continue
        return None
    return None


def _hedged_before(items: list[Item], k: int) -> bool:
    j = k - 1
    while j >= 0 and not (items[j].kind == "P" and items[j].key in (",", ";")) and not items[j].kind == "M":
        if _is(items[j], "hedge"):
            return True
        j -= 1
    return False


def _groups(items: list[Item]) -> list[list[int]]:
    """Runs of names joined by and / commas ("fluency, flexibility and novelty"): item indices."""
    out: list[list[int]] = []
    k = 0
    while k < len(items):
        if items[k].kind != "M":
            k += 1
            continue
        group, j = [k], k + 1
        while True:
            m, joined, comma_and = j, False, False
            while (
                m < len(items)
                and items[m].kind != "M"
                and (
                    items[m].key in _COORD_LINK
                    or items[m].key in _COORD_FILL
                    or _is(items[m], "coordinators")
                    or _is(items[m], "noun")
                )
            ):
                joined |= items[m].key in (",", "&") or _is(items[m], "coordinators")
                comma_and |= items[m].key == "and" and m > j and items[m - 1].key == ","
                m += 1
            if comma_and and len(group) == 1:  # "X, and her Y is ...": a new clause, not a pair
                break
            if m < len(items) and items[m].kind == "M" and joined and m > j:
                group.append(m)
                j = m + 1
            else:
                break
        out.append(group)
        k = group[-1] + 1
    return out


def _list_after(items: list[Item], unit: Unit, n: int) -> list[Unit] | None:
    """'medium, high and fairly low (respectively)': n units in a row starting with `unit`."""
    units, k = [unit], unit.last + 1
    while len(units) < n and k < len(items):
        while k < len(items) and (
            items[k].key in (",", "and", "at", "on", "in", "to") or _is(items[k], "respectively")
        ):
            k += 1
        nxt = unit_starting(items, k) if k < len(items) else None
        if nxt is None:
            return None
        units.append(nxt)
        k = nxt.last + 1
    return units if len(units) == n else None


def _topic(items: list[Item], first: int) -> bool:
    """The name at items[first] is a fronted topic ("When it comes to her X, ...", "As for X, ...")."""
    j = first - 1
    while j >= 0 and items[j].key in ("her", "his", "their", "the", "its"):
        j -= 1
    if j < 0 or not (_is(items[j], "topic_frames") or _is(items[j], "before")):
        return False
    return (
        j == 0
        or items[j - 1].kind == "P"
        or items[j - 1].key in ("and", "but", "so")
        or _is(items[j - 1], "boundaries")
    )


def _ellipsis_before(items: list[Item], first: int) -> bool:
    j = first - 1
    while j >= 0 and items[j].key in ("her", "his", "their", "the", "its", "with"):
        j -= 1
    return j >= 0 and _is(items[j], "ellipsis_before")


class _Reader:
    def __init__(self, text: str, dims: tuple[str, ...], vocab: Vocabulary):
        self.c = compiled(vocab, "en")
        self.vocab, self.wanted = vocab, set(dims)
        self.out = TextReading("en")
        self.ctx = Context([])

    def sentence(self, items: list[Item], span: tuple[int, int], question: bool) -> None:
        groups = _groups(items)
        for group in groups:
            self.group(items, group, span)
        if not groups:
            self.anaphora(items, span)
        self.ctx.question = question

    def group(self, items, group, span) -> None:
        c, out = self.c, self.out
        dims = [d for k in group for d in c.groups.get(items[k].key, (items[k].key,))]
        for k in group:
            for d in c.groups.get(items[k].key, (items[k].key,)):
                if d in self.wanted:
                    out.mentions.append(Mention(d, items[k].a, items[k].b, span))
        first, tail = group[0], group[-1]
        topic = _topic(items, first) or "wise" in items[tail].cats
        if _hedged_before(items, first):
            res: Bound | str | None = "hedge"
        elif _ellipsis_before(items, first):
            res = "ellipsis"
        else:
            res = _after(items, tail + 1, topic)
            if not isinstance(res, Bound) or not res.trusted:
                before = _before(items, first)
                if before is not None:
                    res = before
        self.emit(items, dims, res, span)

    def anaphora(self, items, span) -> None:
        """A clause without names that rates the names before it: "It is clearly high." after
        "Her novelty stands out."; "Fairly low, I'm sorry to say." after "Happiness?"."""
        dims = self.ctx.dims
        if not dims:
            return
        k, others = 0, 0
        while k < len(items) and others <= 3:
            it = items[k]
            if _is(it, "pronouns") and it.key not in ("which", "that"):
                res = _after(items, k + 1, False)
                if isinstance(res, Bound):
                    plural = it.key in ("they", "both", "these", "those", "the pair")
                    if len(dims) == 1 or plural:
                        res.construction = "pronoun"
                        self.emit(items, dims, res, span)
                    return
            unit = _unit_at(items, k, ending=True) if others == 0 else None
            if unit is not None:
                self.emit(items, dims, Bound([unit], True, "answer"), span)
                return
            if not (it.kind == "P" or it.key in _SUBJECT_SKIP or _is(it, "adv")):
                others += 1
            k += 1
        self.ctx.dims = []

    def emit(self, items, dims, res, span) -> None:
        ctx = self.ctx
        if res == "hedge":
            for d in dims:
                self.out.hedged.setdefault(d, span)
            ctx.dims, ctx.reading = dims, None
            return
        if res == "ellipsis" or (isinstance(res, Bound) and res.relative):
            prev = ctx.reading
            if prev is not None:
                for d in dims:
                    if self.vocab.scales.get(d) == self.vocab.scales.get(prev.dimension):
                        st = prev.steps if res == "ellipsis" else self._relative(prev, res.relative)
                        self._add(
                            d,
                            st,
                            True,
                            "ellipsis" if res == "ellipsis" else "relative",
                            prev.expression,
                            prev.span,
                            span,
                            False,
                        )
            ctx.dims, ctx.reading = dims, None
            return
        if not isinstance(res, Bound):
            ctx.dims, ctx.reading = dims, None
            return
        units = res.units
        if len(dims) > 1 and len(units) == 1:
            listed = _list_after(items, units[0], len(dims))
            after = items[(listed or units)[-1].last + 1 :]
            resp = any(_is(it, "respectively") for it in after)
            if listed is not None and (resp or res.construction != "prenominal"):
                units = listed
            elif resp:
                ctx.dims = dims
                return  # a list we could not read: no guess
        elif len(dims) == 1 and len(units) > 1:
            units = units[:1]
        shared = len(dims) > 1 and len(units) == 1
        construction = res.construction if len(dims) == 1 else ("coordination" if shared else "respectively")
        reading = None
        for d, u in zip(dims, units * len(dims) if shared else units):
            scale = self.vocab.scales.get(d)
            if scale is None:
                continue
            st = u.steps(self.c, self.vocab, scale, res.negated)
            reading = self._add(
                d,
                st or frozenset(),
                res.trusted,
                construction,
                _text_of(items, u),
                (u.a, u.b),
                span,
                not shared and not res.negated,
            )
        ctx.dims = dims
        ctx.reading = reading if reading is not None and reading.trusted and reading.steps else None

    def _relative(self, prev: Reading, direction: str) -> frozenset[str]:
        order = self.vocab.orders[self.vocab.scales[prev.dimension]]
        idx = sorted(order.index(s) for s in prev.steps)
        lo, hi = idx[0], idx[-1]
        shift = {"down1": -1, "up1": 1, "down2": -2, "up2": 2}.get(direction)
        if shift is not None:  # "a step below that": each step moved, none off the scale
            return frozenset(order[i + shift] for i in idx if 0 <= i + shift < len(order))
        pick = {
            "lower": lambda i: i < lo,
            "higher": lambda i: i > hi,
            "no_higher": lambda i: i <= hi,
            "no_lower": lambda i: i >= lo,
            "same": lambda i: lo <= i <= hi,
        }[direction]
        return frozenset(s for i, s in enumerate(order) if pick(i))

    def _add(self, d, st, trusted, construction, expr, span, sentence, rewritable) -> Reading:
        r = Reading(d, frozenset(st), trusted, construction, expr, span, sentence, rewritable)
        if d in self.wanted:
            self.out.readings.append(r)
        return r


def read(text: str, dims: tuple[str, ...], vocab: Vocabulary) -> TextReading:
    """What `text` says about `dims` (English)."""
    folded = text.lower().replace("’", "'").replace("_", " ")
    if len(folded) != len(text):  # lower() changed a length (rare letters): keep offsets aligned
        folded = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text).replace("’", "'")
    r = _Reader(text, dims, vocab)
    for a, b in sentences(folded):
        items = items_of(folded, a, b, r.c)
        first = len(r.out.readings)
        r.sentence(items, (a, b), folded[b : b + 1] == "?")
        if any(f in folded[a:b] for f in r.c.profile):  # a comparison within the profile: loose
            for x in r.out.readings[first:]:
                x.trusted, x.construction = False, "within-profile"
    return r.out


def _text_of(items: list[Item], u: Unit) -> str:
    return " ".join(it.key for it in items[u.first : u.last + 1])

"""Chinese prose -> the levels it states for the dimensions it names (hachimi/text/reader.py).

Names and level expressions are found longest first (中等偏上 before 中上 before 中, 较高 before 高);
an expression counts only as a whole word: on its left a name, a modifier, a negator, punctuation or
a construction word (为 是 处于 表现 方面 ...), on its right punctuation, the end or a closing word
(水平 程度 的 ...), so 提高, 中学, 高中, 其中 are never levels. Within a sentence (。！？；) a level is
bound to a name:

- after it, through construction words (法治意识在同龄人中属于中等偏上水平; 在文化素养方面表现一般),
  a label (道德修养：较高) or a parenthetical between commas (法治意识，据班主任观察，属于中等);
- before it, through 的 (具有较高的文化素养, 较强的法治观念);
- names joined by 和 / 与 / 、 share one level (流畅性和灵活性均处于中等水平), or take a list in
  order after 依次为 / 分别为;
- a name followed by 也是如此 / 亦然 takes the level of the name before it.
A modifier (很, 较, 略) or negator (不, 并不, 谈不上) right before an expression changes its set.
Other text between a name and a level makes the binding loose (read, not trusted)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import steps as S
from .reading import Mention, Reading, TextReading
from .segment import sentences
from .vocab import Language, Vocabulary

PARENTHETICAL = 16  # characters a parenthetical between commas may hold
LOOSE = 12  # characters a loose binding may pass over


@dataclass(slots=True)
class Item:
    kind: str  # M name, E expression
    key: str
    a: int
    b: int


class Compiled:
    def __init__(self, lang: Language):
        self.lang = lang
        g = lang.grammar
        names = {n: d for d, ns in lang.names.items() for n in ns}
        names.update({p: "group:" + p for p in lang.groups})
        self.names = names
        self.groups = {"group:" + p: ds for p, ds in lang.groups.items()}
        exprs = {p for t in lang.expressions.values() for p in t}
        self.exprs = exprs
        blocked = set(g.get("words", {}).get("not_levels", ()))
        alts = sorted(set(names) | exprs | blocked, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(a) for a in alts))
        self.blocked = blocked
        self.bridge = frozenset(g.get("bridge", {}).get("words", ()))
        self.bridge_max = max(map(len, self.bridge), default=1)
        self.label = tuple(g.get("bridge", {}).get("label", ()))
        self.right = tuple(g.get("bridge", {}).get("right", ()))
        self.left = tuple(g.get("bridge", {}).get("left", ()))
        w = g.get("words", {})
        self.coord = tuple(sorted(w.get("coordinators", ()), key=len, reverse=True))
        self.markers = tuple(w.get("group_markers", ()))
        self.respectively = tuple(sorted(w.get("respectively", ()), key=len, reverse=True))
        self.ellipsis = tuple(w.get("ellipsis", ()))
        self.frames = tuple(sorted(w.get("topic_frames", ()), key=len, reverse=True))
        self.topic_close = tuple(sorted(w.get("topic_close", ()), key=len, reverse=True))
        self.subjects = tuple(sorted(w.get("subjects", ()), key=len, reverse=True))
        self.mods = sorted(lang.modifiers.items(), key=lambda kv: -len(kv[0]))
        self.negators = sorted(lang.negators, key=len, reverse=True)
        self.tiers = dict(lang.negators)
        self.hedges = tuple(lang.hedges)
        self.profile = tuple(w.get("profile_frames", ()))


_COMPILED: dict[int, Compiled] = {}


def compiled(vocab: Vocabulary) -> Compiled:
    lang = vocab.languages["zh"]
    c = _COMPILED.get(id(lang))
    if c is None or c.lang is not lang:
        c = _COMPILED[id(lang)] = Compiled(lang)
    return c


def _whole(text: str, m: re.Match, c: Compiled, a0: int, names_end: dict[int, int]) -> bool:
    """An expression at m is a word of its own (see the module docstring)."""
    before, after = text[a0 : m.start()], text[m.end() :]
    left_ok = (
        not before
        or m.start() in names_end
        or before.endswith(c.left)
        or any(before[-k:] in c.bridge for k in range(1, min(c.bridge_max, len(before)) + 1))
        or before.endswith(c.coord)
        or any(before.endswith(w) for w, _ in c.mods)
        or any(before.endswith(w) for w in c.negators)
    )
    if not left_ok:
        return False
    if after and not (
        after[0] in "，,。；;、：:！？!?）)」』”\"' \n…—" or after.startswith(c.right) or after.startswith(c.coord)
    ):
        return False
    if m.group() == "中" and (
        after.startswith("的")
        or text[names_end.get(m.start(), m.start()) - 1 : names_end.get(m.start(), m.start())] == "在"
    ):
        return False  # 在<name>中 is "in <name>"
    return True


@dataclass(slots=True)
class Unit:
    phrase: str
    mods: tuple[str, ...]
    negated: str  # how it is negated ('' for not: text/steps.py NEGATIONS)
    a: int  # with its modifiers
    b: int
    text: str = ""

    def steps(self, c: Compiled, vocab: Vocabulary, scale: str) -> frozenset[str] | None:
        s = c.lang.expressions.get(scale, {}).get(self.phrase)
        if s is None:
            return None
        return S.apply(s, vocab.orders[scale], list(self.mods), self.negated)


def _unit(text: str, it: Item, c: Compiled, floor: int) -> Unit:
    """The expression `it` with the modifiers and negators written right before it (not before
    `floor`)."""
    a, mods, negated = it.a, [], ""
    while a > floor:
        hit = next((w for w in c.negators if text.startswith(w, a - len(w)) and a - len(w) >= floor), None)
        if hit:
            negated, a = S.combine(negated, c.tiers[hit]), a - len(hit)
            continue
        mod = next(((w, k) for w, k in c.mods if text.startswith(w, a - len(w)) and a - len(w) >= floor), None)
        if mod is None:
            break
        mods.append(mod[1])
        a -= len(mod[0])
    return Unit(it.key, tuple(mods), negated, a, it.b, text[a : it.b])


def _bridge(gap: str, c: Compiled) -> bool:
    """The gap splits into construction words (greedy, longest first) and spaces."""
    i, n = 0, len(gap)
    while i < n:
        if gap[i] in " \u3000：:":
            i += 1
            continue
        for k in range(min(c.bridge_max, n - i), 0, -1):
            if gap[i : i + k] in c.bridge:
                i += k
                break
        else:
            return False
    return True


def _items(text: str, a0: int, b0: int, c: Compiled) -> list[Item]:
    out: list[Item] = []
    names_end: dict[int, int] = {}  # end of a name -> its start
    for m in c.pattern.finditer(text, a0, b0):
        g = m.group()
        if g in c.names:
            out.append(Item("M", c.names[g], m.start(), m.end()))
            names_end[m.end()] = m.start()
        elif g in c.exprs and _whole(text, m, c, a0, names_end):
            out.append(Item("E", g, m.start(), m.end()))
    return out


def read(text: str, dims: tuple[str, ...], vocab: Vocabulary) -> TextReading:
    c = compiled(vocab)
    out = TextReading("zh")
    wanted = set(dims)
    last: list = []
    for a, b in sentences(text):
        items = _items(text, a, b, c)
        first = len(out.readings)
        _sentence(text, (a, b), items, c, vocab, wanted, out, last)
        if any(f in text[a:b] for f in c.profile):  # a comparison within the profile: loose
            for x in out.readings[first:]:
                x.trusted, x.construction = False, "within-profile"
    return out


def _groups(text: str, items: list[Item], c: Compiled) -> list[list[int]]:
    out, k = [], 0
    while k < len(items):
        if items[k].kind != "M":
            k += 1
            continue
        group = [k]
        while group[-1] + 1 < len(items) and items[group[-1] + 1].kind == "M":
            gap = text[items[group[-1]].b : items[group[-1] + 1].a].strip()
            gap = gap.removesuffix("的").removeprefix("的")
            if gap in c.coord:
                group.append(group[-1] + 1)
            else:
                break
        out.append(group)
        k = group[-1] + 1
    return out


_ASIDE = re.compile(r"——[^——。；]{1,30}——|（[^（）]{1,30}）|\([^()]{1,30}\)")


def _strip(gap: str, words: tuple[str, ...]) -> str:
    """Drop one of `words` from the start of the gap (longest first)."""
    return next((gap[len(w) :] for w in words if gap.startswith(w)), gap)


def _after(
    text: str, items: list[Item], k: int, end: int, c: Compiled, topic: bool
) -> tuple[Unit, bool, str, int] | str | None:
    """The level after the name items[k-1] (items[k] the next item): (unit, trusted, construction,
    index of its expression) or 'hedge' / 'ellipsis' / None."""
    start = items[k - 1].b
    stop = items[k].a if k < len(items) else end
    gap = text[start:stop]
    if any(h in gap for h in c.hedges):
        return "hedge"
    if any(gap.strip("，, ").startswith(e) for e in c.ellipsis):
        return "ellipsis"
    if k >= len(items) or items[k].kind != "E":
        return None
    unit = _unit(text, items[k], c, start)
    gap = _ASIDE.sub("", text[start : unit.a])  # asides in dashes or brackets: 他的灵活性——尤其是…——明显较高
    if gap == "" or gap.strip() in c.label:
        return unit, True, "label" if gap else "adjacent", k
    parts = re.split(r"[，,]", gap)
    if topic:  # 在问题发现方面，她表现突出 / 至于新颖性，她的表现相当突出
        parts[0] = _strip(parts[0], c.topic_close)
    inner = [p for p in parts[1:-1] if p]
    if len(parts) > 1 and any(len(p) > PARENTHETICAL for p in inner):
        return None
    head, last = parts[0], parts[-1]
    if len(parts) > 1:
        last = _strip(last.strip(), c.subjects)
        last = _strip(last, c.subjects)
    ok_head = len(parts) == 1 or topic or head == "" or _bridge(head, c) or len(parts) > 2
    if ok_head and _bridge(last.lstrip("：:—-（( "), c):
        construction = "copula" if len(parts) == 1 else ("topic" if topic else "trailing")
        return unit, True, construction, k
    if len(parts) > 1 or len(gap) > LOOSE:
        return None
    return unit, False, "loose", k


def _before(text: str, items: list[Item], k: int, floor: int, c: Compiled) -> tuple[Unit, bool, str, int] | None:
    """A level right before the name items[k], joined by 的: 较强的法治观念, 具有较高的文化素养."""
    if k == 0 or items[k - 1].kind != "E":
        return None
    gap = text[items[k - 1].b : items[k].a]
    if (
        gap not in ("的", "之", "")
        and not (gap.endswith("的") and _bridge(gap[:-1], c))
        and not (gap.startswith("的") and _bridge(gap[1:], c))
    ):
        return None
    return _unit(text, items[k - 1], c, floor), True, "prenominal", k - 1


def _respectively(text: str, items: list[Item], k: int, n: int, c: Compiled) -> list[int] | None:
    """After a group: 依次为/分别为 and n expressions in a row (k: the index after the group)."""
    if k >= len(items) or items[k].kind != "E":
        return None
    gap = text[items[k - 1].b : items[k].a]
    if not any(r in gap for r in c.respectively):
        return None
    idx = list(range(k, k + n))
    if idx[-1] >= len(items) or any(items[i].kind != "E" for i in idx):
        return None
    return idx


def _sentence(text, sentence, items, c: Compiled, vocab, wanted, out: TextReading, last) -> None:
    a, b = sentence
    for group in _groups(text, items, c):
        dims = [d for k in group for d in c.groups.get(items[k].key, (items[k].key,))]
        for k in group:
            for d in c.groups.get(items[k].key, (items[k].key,)):
                if d in wanted:
                    out.mentions.append(Mention(d, items[k].a, items[k].b, sentence))
        first, tail = group[0], group[-1]
        floor = items[first - 1].b if first > 0 else a
        clause_start = max(text.rfind("，", a, items[first].a), text.rfind(",", a, items[first].a), a - 1) + 1
        if any(h in text[max(clause_start, floor) : items[first].a] for h in c.hedges):
            _hedge(out, dims, sentence, last)
            continue
        resp = _respectively(text, items, tail + 1, len(dims), c) if len(dims) > 1 else None
        if resp is not None:
            for d, i in zip(dims, resp):
                u = _unit(text, items[i], c, items[i - 1].b)
                _emit(out, wanted, vocab, c, d, u, True, "respectively", sentence, True)
            last[:] = [(dims, None)]
            continue
        j = items[first].a
        topic = any(text.startswith(f, j - len(f)) or text.startswith(f, j - len(f) - 2) for f in c.frames)
        res = _after(text, items, tail + 1, b, c, topic)
        if res == "hedge":
            _hedge(out, dims, sentence, last)
            continue
        if res == "ellipsis":
            prev = last[-1][1] if last else None
            for d in dims:
                if prev is not None:
                    _emit(out, wanted, vocab, c, d, prev, True, "ellipsis", sentence, False)
            last[:] = [(dims, prev)]
            continue
        if not isinstance(res, tuple) or not res[1]:
            before = _before(text, items, first, floor, c)
            res = before or res
        if not isinstance(res, tuple):
            last[:] = [(dims, None)]
            continue
        unit, trusted, construction, _ = res
        shared = len(dims) > 1
        for d in dims:
            _emit(
                out,
                wanted,
                vocab,
                c,
                d,
                unit,
                trusted,
                "coordination" if shared else construction,
                sentence,
                not shared and not unit.negated,
            )
        last[:] = [(dims, unit)]


def _hedge(out: TextReading, dims, sentence, last) -> None:
    for d in dims:
        out.hedged.setdefault(d, sentence)
    last[:] = [(dims, None)]


def _emit(out, wanted, vocab, c, d, unit: Unit, trusted, construction, sentence, rewritable, text="") -> None:
    if d not in wanted:
        return
    scale = vocab.scales.get(d)
    st = unit.steps(c, vocab, scale) if scale else None
    out.readings.append(
        Reading(d, st or frozenset(), trusted, construction, unit.text, (unit.a, unit.b), sentence, rewritable)
    )

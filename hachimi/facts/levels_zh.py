"""Chinese narrative text + dimension names -> the level words found per dimension, or why none.

A dimension's span runs from the end of its name to the next dimension name or the sentence end
(。；;！？!? or a newline). Inside it the level words are matched longest first (中等偏上 before 中上
before 中等 before 中, 较高 before 高), and a match counts only as a whole word:

- on its left it touches the dimension name, or a connector (为 是 处于 水平 整体 上 方面 感 ： …);
  so 提高, 降低, 其中, 比较高, 偏低 are never read as levels;
- on its right it touches punctuation, the span end, or a closing word (水平 等级 程度 的 风险 …);
  so 中学, 高中, 高尚, 高于, 中上游 are never read as levels;
- a bare 中 is not a level in the frame 在<dimension>中 ("in …") nor before 的.

A dimension joined to the next one by 和/与/及/、 only ("抑郁风险与焦虑风险均为低") shares its
words. Zero words, words without a v1 value, or words meaning different levels are reported by
`resolve`, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

SENTENCE_END = "。；;！？!?\n"
LEFT_CONNECTORS = (
    "为",
    "是",
    "处于",
    "处在",
    "属于",
    "达到",
    "保持",
    "维持",
    "整体",
    "总体",
    "表现",
    "水平",
    "等级",
    "程度",
    "上",
    "方面",
    "能力",
    "感",
    "都",
    "均",
    "也",
    "则",
    "仍",
    "相对",
    "呈",
    "目前",
    "当前",
    "：",
    ":",
    "，",
    ",",
    " ",
    "、",
)
RIGHT_WORDS = ("水平", "等级", "程度", "层次", "的", "且", "而", "但", "并", "风险", "状态")
RIGHT_PUNCT = set("，,。；;、：:！？!?）)」』”\"' \n")
COORDINATORS = ("和", "与", "及", "以及", "跟", "、", "同")
IN_FRAME = "在"  # 在<dimension>中 = "in <dimension>", not "medium"


@dataclass
class Finding:
    """The level words found for one dimension name, and the text they came from."""

    name: str
    words: list[str] = field(default_factory=list)
    spans: list[str] = field(default_factory=list)

    @property
    def mentioned(self) -> bool:
        return bool(self.spans)


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


def _sentence_end(text: str, start: int) -> int:
    ends = [i for i in (text.find(c, start) for c in SENTENCE_END) if i >= 0]
    return min(ends, default=len(text))


def _is_whole(span: str, match: re.Match[str], in_frame: bool) -> bool:
    before, after = span[: match.start()], span[match.end() :]
    if before and not before.endswith(LEFT_CONNECTORS):
        return False
    if after and after[0] not in RIGHT_PUNCT and not after.startswith(RIGHT_WORDS):
        return False
    if match.group() == "中" and (after.startswith("的") or (not before and in_frame)):
        return False
    return True


def _words_in(span: str, pattern: re.Pattern[str], in_frame: bool) -> list[str]:
    return [m.group() for m in pattern.finditer(span) if _is_whole(span, m, in_frame)]


def find_level_words(text: str, names: Iterable[str], vocabulary: Iterable[str]) -> dict[str, Finding]:
    """For each dimension name, every whole level word (from `vocabulary`) in its spans."""
    names = list(names)
    findings = {name: Finding(name) for name in names}
    occurrences = list(_alternation(names).finditer(text)) if names else []
    pattern = _alternation(vocabulary)
    shared: list[str] = []
    for i in range(len(occurrences) - 1, -1, -1):  # backwards, so a coordinated name can share
        occ = occurrences[i]
        end = _sentence_end(text, occ.end())
        next_start = occurrences[i + 1].start() if i + 1 < len(occurrences) else len(text)
        span = text[occ.end() : min(end, next_start)]
        in_frame = occ.start() > 0 and text[occ.start() - 1] == IN_FRAME
        words = _words_in(span, pattern, in_frame)
        if not words and next_start < end and span.strip() in COORDINATORS:
            words = list(shared)
        shared = words
        finding = findings[occ.group()]
        finding.words[:0] = words
        finding.spans.insert(0, occ.group() + span)
    return findings


def resolve(finding: Finding, table: Mapping[str, str | None], source: str) -> tuple[str | None, str]:
    """The one v1 value of a finding, or None and the reason (naming the original text)."""
    name = finding.name
    if not finding.mentioned:
        return None, f"{name} not mentioned in {source}"
    quoted = " / ".join(_clip(s) for s in finding.spans)
    if not finding.words:
        return None, f"no level word found after {name} in {source}: '{quoted}'"
    unknown = [w for w in dict.fromkeys(finding.words) if table.get(w) is None]
    if unknown:
        words = "、".join(unknown)
        return None, f"level word {words} after {name} in {source} has no v1 value: '{quoted}'"
    values = list(dict.fromkeys(table[w] for w in finding.words))
    if len(values) > 1:
        words = "、".join(dict.fromkeys(finding.words))
        return None, f"conflicting level words {words} after {name} in {source}: '{quoted}'"
    return values[0], ""


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"

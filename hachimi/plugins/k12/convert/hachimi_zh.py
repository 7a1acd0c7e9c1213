"""Original HACHIMI records (Chinese keys and values, JSONL) -> v1 persona dicts plus problems.

Nothing is guessed: a value that cannot be mapped is left out of the persona and named in
`problems` ("<v1 field>: <why>, with the original text"). Levels are read per dimension by the one
text reader (hachimi/text/) with the k12 pack's level vocabulary; the other vocabularies are in
`zh_vocab`. Decisions worth knowing:

- a dimension gets a level only when the reader's trusted readings agree on exactly one step (中等
  means 中, medium; 中等偏上 means 中上, upper_middle; 中下 / 中等偏下 are read as 较低); a word
  that allows several steps (强: fairly high or high) or none is reported, not guessed.
- risks (抑郁风险, 焦虑风险): 低 -> low; 轻 / 轻度 -> mild; 中 / 中等 / 中度 -> moderate; 高 -> high;
  较低 / 偏低 allow low or mild and 较高 moderate or high, so they are reported.
- condition: none_observed if 信息不足或未见显著症状 appears in 心理健康, else tendency.
- narratives are flattened to one paragraph (line breaks -> one space); an object-valued text
  field becomes "key：value。…" in key order. Texts are never truncated: a text over the v1
  model's limit is kept and reported by the final strict-model check.
- whitespace-only lines of a JSONL file are skipped (they hold no record).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..persona import Persona
from . import zh_vocab as V
from ....text.reader import read, resolve

KNOWN_KEYS = (
    "id",
    "姓名",
    "name",
    "年龄",
    "性别",
    "年级",
    "发展阶段",
    "代理名",
    "擅长科目",
    "薄弱科目",
    "学术水平",
    "人格",
    "价值观",
    "社交关系",
    "创造力",
    "心理健康",
    "_采样约束",
)
SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")


@dataclass
class Converted:
    persona: dict | None
    problems: list[str] = field(default_factory=list)


class _Builder:
    """The persona being built, the problems so far, and the v1 paths they name."""

    def __init__(self, obj: dict):
        self.obj = obj
        self.persona: dict = {}
        self.problems: list[str] = []
        self.reported: list[str] = []

    def put(self, path: str, value) -> None:
        *parents, last = path.split(".")
        node = self.persona
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    def problem(self, path: str, message: str) -> None:
        self.reported.append(path)
        self.problems.append(f"{path}: {message}")

    def text(self, path: str, key: str) -> str | None:
        """The original field `key` as one paragraph, or None (reported under `path`)."""
        value = as_text(self.obj.get(key))
        if not value:
            self.problem(path, f"missing or empty {key}")
        return value


def flatten(text: str) -> str:
    """One paragraph: every run of whitespace containing a line break becomes one space."""
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def as_text(value) -> str | None:
    """A text field (string, or object / list of strings) as one paragraph; None if absent."""
    if value is None:
        return None
    if isinstance(value, str):
        return flatten(value)
    if isinstance(value, list):
        return "、".join(t for t in (as_text(v) for v in value) if t)
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            item_text = as_text(item)
            if item_text:
                parts.append(f"{key}：{item_text.rstrip('。；;')}。")
        return "".join(parts)
    return str(value)


def _quote(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# ---- enrollment and academic ------------------------------------------------------------------


def grade_of(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 12:
        return value
    return V.GRADES.get(value.strip()) if isinstance(value, str) else None


def gender_of(value) -> str | None:
    return V.GENDERS.get(value.strip()) if isinstance(value, str) else None


def age_of(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    match = re.fullmatch(r"\s*(\d{1,2})\s*(?:岁|周岁)?\s*", value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def academic_level_of(value) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value in V.ACADEMIC_EXACT:
        return V.ACADEMIC_EXACT[value]
    head = re.split(r"[：:]", value, maxsplit=1)[0].strip()
    return V.ACADEMIC_LEADING.get(head)


def stage_key(text: str) -> str:
    """'形式运算阶段（开始发展抽象思维）' -> '形式运算': notes in （）/() or after ：:—, and the
    suffixes 阶段 / 期 / 水平, removed; 'vs' / '与' read as 对."""
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    text = re.split(r"[：:—，,]", text, maxsplit=1)[0]
    text = re.sub(r"\s*(?:vs\.?|VS\.?|与|对)\s*", "对", text.strip())
    return re.sub(r"(?:阶段|期|水平)$", "", text.strip())


def _scalar(b: _Builder, path: str, key: str, reader, what: str) -> None:
    if key not in b.obj:
        b.problem(path, f"missing {key}")
        return
    value = reader(b.obj[key])
    if value is None:
        b.problem(path, f"cannot read {what} from {key} {_quote(b.obj[key])}")
    else:
        b.put(path, value)


def _stages(b: _Builder) -> None:
    stages = b.obj.get("发展阶段")
    if not isinstance(stages, dict):
        b.problem("enrollment.stages", f"missing or not an object: 发展阶段 {_quote(stages)}")
        return
    for theory, (key, table) in V.STAGE_KEYS.items():
        path, raw = f"enrollment.stages.{theory}", stages.get(key)
        if not isinstance(raw, str) or not raw.strip():
            b.problem(path, f"missing 发展阶段.{key}")
        elif stage_key(raw) not in table:
            b.problem(path, f"unknown stage {_quote(raw)} in 发展阶段.{key}")
        else:
            b.put(path, table[stage_key(raw)])


def _enrollment(b: _Builder) -> None:
    name_key = "name" if "name" in b.obj and "姓名" not in b.obj else "姓名"
    name = b.text("enrollment.name", name_key)
    if name:
        b.put("enrollment.name", name)
    agent = b.obj.get("代理名")
    if isinstance(agent, str) and agent.strip():
        b.put("enrollment.agent_name", agent.strip())
    else:
        b.problem("enrollment.agent_name", f"missing or empty 代理名 {_quote(agent)}")
    _scalar(b, "enrollment.age", "年龄", age_of, "an age")
    _scalar(b, "enrollment.gender", "性别", gender_of, "a gender (男/女)")
    _scalar(b, "enrollment.grade", "年级", grade_of, "a grade (一年级…六年级, 初一…初三, 高一…高三)")
    _stages(b)


def subjects_of(b: _Builder, path: str, source: str, value, allow_empty: bool = False) -> None:
    """Subject names (a list, or a string split on 、，,;；/ and spaces) -> v1 subject ids."""
    if isinstance(value, str):
        items = [] if value.strip() in V.EMPTY_BIAS else re.split(r"[、，,;；/\s]+", value.strip())
    elif isinstance(value, list):
        items = value
    else:
        b.problem(path, f"missing or not a list: {source} {_quote(value)}")
        return
    ids = []
    for item in items:
        subject = V.SUBJECTS.get(item.strip()) if isinstance(item, str) else None
        if subject is None:
            b.problem(path, f"unknown subject {_quote(item)} in {source}")
        else:
            ids.append(subject)
    if ids or (allow_empty and not items):
        b.put(path, ids)
    elif not items:
        b.problem(path, f"no subject in {source}")


def _academic(b: _Builder) -> None:
    subjects_of(b, "academic.strong_subjects", "擅长科目", b.obj.get("擅长科目"))
    subjects_of(b, "academic.weak_subjects", "薄弱科目", b.obj.get("薄弱科目"))
    _scalar(b, "academic.level", "学术水平", academic_level_of, "an academic level")


def _slot(b: _Builder) -> None:
    if "_采样约束" not in b.obj:
        return
    raw = b.obj["_采样约束"]
    if not isinstance(raw, dict):
        b.problem("slot", f"_采样约束 is not an object: {_quote(raw)}")
        return
    readers = {"grade": grade_of, "gender": gender_of, "academic_level": academic_level_of}
    for key, target in V.SLOT_KEYS.items():
        path = f"slot.{target}"
        if target == "subject_bias":
            subjects_of(b, path, "_采样约束.优势学科偏向", raw.get(key, []), allow_empty=True)
        elif raw.get(key) is None:
            b.problem(path, f"missing _采样约束.{key}")
        elif (value := readers[target](raw[key])) is None:
            b.problem(path, f"cannot read _采样约束.{key} {_quote(raw[key])}")
        else:
            b.put(path, value)


# ---- narratives and levels --------------------------------------------------------------------


def _levels(b: _Builder, text: str, source: str, dims: dict[str, str], prefix: str) -> dict[str, str]:
    """Extract one value per dimension (`dims`: Chinese name -> v1 field)."""
    vocab = V.vocabulary()
    levels_text = "".join(s for s in _clauses(text) if V.RADAR_KEY not in s)  # the radar compares, it rates nothing
    reading = read(levels_text, tuple(dims.values()), vocab, "zh")
    found = {}
    for name, target in dims.items():
        value, reason = resolve(reading, target, vocab, name, source)
        if value is None and vocab.scales.get(target) == "risk":
            words = {r.expression[-3:] for r in reading.of(target) if r.trusted}
            mapped = {V.ORIGINAL_RISK[w] for w in V.ORIGINAL_RISK for e in words if e.endswith(w)}
            if len(mapped) == 1:
                value = mapped.pop()
        if value is None:
            quoted = " / ".join(_clip(levels_text[a:b]) for a, b in _sentences_of(reading, target))
            b.problem(f"{prefix}{target}", reason + (f": '{quoted}'" if quoted else ""))
        else:
            found[target] = value
    return found


def _clauses(text: str) -> list[str]:
    """Sentences with their end marks, so they join back into the same text."""
    return re.findall(r"[^。！？!?；;]*[。！？!?；;]?", text)


def _sentences_of(reading, target: str) -> list[tuple[int, int]]:
    return list(dict.fromkeys(m.sentence for m in reading.mentions if m.dimension == target))


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _leveled_text(b: _Builder, part: str, source: str, dims: tuple[str, ...]) -> str | None:
    """Put part.narrative and the part.levels read from it; None (and a problem) without the text."""
    narrative = b.text(f"{part}.narrative", source)
    if not narrative:
        b.problem(f"{part}.levels", f"no {source} text to read levels from")
        return None
    levels = _levels(b, narrative, source, dims, f"{part}.levels.")
    b.put(f"{part}.levels", levels)
    b.put(f"{part}.narrative", narrative)
    return narrative


def _values(b: _Builder) -> None:
    personality = b.text("values.personality", "人格")
    if personality:
        b.put("values.personality", personality)
    _leveled_text(b, "values", "价值观", V.VALUE_DIMENSIONS)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if s.strip()]


def _social_creativity(b: _Builder) -> None:
    relationships = b.text("social.relationships", "社交关系")
    if relationships:
        b.put("social.relationships", relationships)
    narrative = _leveled_text(b, "creativity", "创造力", V.CREATIVITY_DIMENSIONS)
    if narrative is None:
        b.problem("creativity.radar_summary", "no 创造力 text to read a 雷达 summary from")
        return
    radar = next((s for s in sentences(narrative) if V.RADAR_KEY in s), None)
    if radar:
        b.put("creativity.radar_summary", radar)
    else:
        b.problem("creativity.radar_summary", f"no sentence with {V.RADAR_KEY} in 创造力")


# ---- mental health ----------------------------------------------------------------------------


def split_traits(text: str) -> list[str]:
    """'性格特点：敏感细腻、责任心强、略显内向。' -> ['敏感细腻', '责任心强', '略显内向'].

    Split on punctuation only: 和 / 及 also occur inside traits (温和, 随和, 及时)."""
    for sentence in sentences(text):
        for key in V.TRAIT_KEYS:
            if key in sentence:
                rest = sentence.split(key, 1)[1].rstrip("。！？!?")
                rest = re.sub(r"^(?:上|方面)?\s*(?:[：:]|为|是|包括|有)?\s*", "", rest)
                items = [t.strip() for t in re.split(r"[、，,；;/／]", rest)]
                return [re.sub(r"等$", "", t) for t in items if t]
    return []


def _field_by_key(raw: dict, keys: Iterable[str]):
    return next((v for k, v in raw.items() if any(key in k for key in keys)), None)


def _traits(b: _Builder, raw, text: str) -> None:
    listed = _field_by_key(raw, V.TRAIT_KEYS) if isinstance(raw, dict) else None
    if isinstance(listed, list):
        traits = [t for t in (as_text(v) for v in listed) if t]
    else:
        traits = split_traits(text)
    if len(traits) >= 2:
        b.put("mental_health.traits", traits)
    else:
        keys = "/".join(V.TRAIT_KEYS)
        b.problem(
            "mental_health.traits",
            f"no list of two or more traits after {keys} in 心理健康" + (f": {_quote(traits)}" if traits else ""),
        )


def _story(b: _Builder, raw, text: str, target: str, keys: tuple[str, ...]) -> None:
    """background / supports: the object field named by `keys`, else the sentences naming them."""
    value = as_text(_field_by_key(raw, keys)) if isinstance(raw, dict) else None
    value = value or "".join(s for s in sentences(text) if any(k in s for k in keys))
    if value:
        b.put(f"mental_health.{target}", value)
    else:
        b.problem(f"mental_health.{target}", f"no sentence with {'/'.join(keys)} in 心理健康")


def _mental_health(b: _Builder) -> None:
    raw = b.obj.get("心理健康")
    text = b.text("mental_health.narrative", "心理健康")
    if not text:
        b.problem("mental_health", "no 心理健康 text to read indicators from")
        return
    dims = {**V.MENTAL_LEVEL_INDICATORS, **V.MENTAL_RISK_INDICATORS}
    for target, value in _levels(b, text, "心理健康", dims, "mental_health.").items():
        b.put(f"mental_health.{target}", value)
    _traits(b, raw, text)
    b.put("mental_health.condition", "none_observed" if V.NO_SYMPTOMS in text else "tendency")
    _story(b, raw, text, "background", V.BACKGROUND_KEYS)
    _story(b, raw, text, "supports", V.SUPPORT_KEYS)
    b.put("mental_health.narrative", text)


# ---- whole records ----------------------------------------------------------------------------


def _strict_check(b: _Builder) -> None:
    """Report what the strict v1 model rejects, except fields already reported."""
    try:
        Persona.model_validate(b.persona)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"])
            if any(path.startswith(p) or p.startswith(path) for p in b.reported):
                continue
            value = error.get("input")
            shown = f"{value[:30]}…" if isinstance(value, str) and len(value) > 30 else value
            sized = "too_" in error["type"] and isinstance(value, str)
            size = f" ({len(value)} characters)" if sized else ""
            b.problem(path, f"not valid in the v1 model: {error['msg']}: {_quote(shown)}{size}")


def convert_record(obj: dict, line: int | None = None) -> Converted:
    """One original record -> the v1 persona and every problem met on the way."""
    if not isinstance(obj, dict):
        where = f"line {line}: " if line else ""
        return Converted(None, [f"{where}record is not a JSON object: {_quote(obj)[:60]}"])
    b = _Builder(obj)
    record_id = obj.get("id")
    if record_id not in (None, ""):
        b.put("id", str(record_id))
    elif line is not None:
        b.put("id", f"zh-{line}")
    else:
        b.problem("id", "missing id (and no line number to name the record by)")
    for step in (_slot, _enrollment, _academic, _values, _social_creativity, _mental_health):
        step(b)
    for key in obj:
        if key not in KNOWN_KEYS:
            b.problems.append(f"(unmapped) {key}: original field with no v1 counterpart, dropped")
    _strict_check(b)
    return Converted(b.persona, b.problems)


def convert_lines(lines: Iterable[str], start: int = 1) -> Iterator[tuple[int, Converted]]:
    """JSONL lines -> (1-based line number, Converted); a line that is not JSON still yields one."""
    for number, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = f"line {number}: not JSON: {exc.msg} at column {exc.colno}"
            yield number, Converted(None, [reason])
            continue
        yield number, convert_record(obj, line=number)

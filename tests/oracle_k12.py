"""Persona dict -> {k12 rule id: number of violation instances}, in plain Python (test oracle).

An independent re-implementation of the default theory `k12` (DESIGN.md rule table R1-R15,
A1-A6, S1, and the issue-10 rules in oracle_coherence / oracle_levels / oracle_readable) that uses
neither clingo nor Z3 nor any hachimi module except the vocabularies in hachimi.plugins.k12.enums and,
for rules over what prose says, the text readers themselves (hachimi.facts.levels.read,
hachimi.facts.readable), which their own tests check against hand-read text. Parameters (lexicons, length bounds, the agent-name pattern, dimension aliases,
which fields a rule reads, severities) come from constraints/k12/theory.toml, read once at import.

Edge semantics (chosen to match the validator where DESIGN.md is silent):
- a field is *missing* when absent, null, a whitespace-only string, or a list with no non-blank
  item; slot fields are optional, but grade/gender/academic_level are required once a slot object
  is given (slot.subject_bias never is);
- a rule that compares fields fires only when every field it compares is present;
- wrong JSON types, out-of-domain integers and unknown enum values make the input unreadable
  (the validator reports an input error), except an unknown academic.level, which is R15.
- One instance per distinct violation key: stage-age per stage system, subjects-unique /
  subjects-disjoint per subject, non-diagnostic / health-text per lexicon term (however many
  fields use it), prose-quality / single-paragraph per field, required per field, ...
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from hachimi.plugins.k12 import enums as E
from oracle_coherence import check as _coherence
from oracle_levels import check as _levels
from oracle_readable import check as _readable

THEORY_DIR = Path(__file__).resolve().parents[1] / "constraints" / "k12"
_META = tomllib.loads((THEORY_DIR / "theory.toml").read_text(encoding="utf-8"))
_FEAT = _META["features"]
_RULES = {r["id"]: r for r in _META["rule"]}

SEVERITY: dict[str, str] = {rid: r["severity"] for rid, r in _RULES.items()}
ERROR_RULES = frozenset(rid for rid, sev in SEVERITY.items() if sev == "error")

# S1 with an unknown academic.level: DESIGN.md says the academic level must *equal* the slot's;
# an unknown word (R15) is not equal to any slot level, so S1 fires as well.
S1_COMPARES_UNKNOWN_LEVEL = True

# ---------------------------------------------------------------------------------------------
# Parameters from theory.toml

MIN_CHARS: int = _FEAT.get("min_chars", 0)
MAX_CHARS: int = _FEAT.get("max_chars", 10**9)
_AGENT_RE = re.compile(_FEAT["patterns"]["agent_name"]["regex"])
_AGENT_FIELD = _FEAT["patterns"]["agent_name"]["field"]


def _lexicon(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(terms, allowed phrases) of a lexicon, case-folded: its own lists, then those of its `file`
    ([terms] and [allow] tables of lists, in file order)."""
    lex = _FEAT["lexicons"][name]
    data = tomllib.loads((THEORY_DIR / lex["file"]).read_text(encoding="utf-8")) if "file" in lex else {}
    terms = [*lex.get("terms", ()), *(t for ts in data.get("terms", {}).values() for t in ts)]
    allow = [*lex.get("allow", ()), *(a for a_s in data.get("allow", {}).values() for a in a_s)]
    return tuple(dict.fromkeys(t.casefold() for t in terms)), tuple(a.casefold() for a in allow)


_CLINICAL_FIELDS = tuple(_FEAT["lexicons"]["clinical"]["fields"])
_CLINICAL, _CLINICAL_ALLOW = _lexicon("clinical")
_SEVERE_FIELDS = tuple(_FEAT["lexicons"]["severe"]["fields"])
_SEVERE, _SEVERE_ALLOW = _lexicon("severe")
# R13 / R14 read the fields their [[rule]] entries declare (the four narratives).
_PROSE_FIELDS = tuple(_RULES["prose-quality"]["fields"])
_PARAGRAPH_FIELDS = tuple(_RULES["single-paragraph"]["fields"])
_MENTION_DIMS = {"values": E.VALUE_DIMENSIONS, "creativity": E.CREATIVITY_DIMENSIONS}

# ---------------------------------------------------------------------------------------------
# Text features

_WS_SEP = re.compile(r"[\s_\-]+")


def _norm(text: str) -> str:
    """Case-folded, with every run of whitespace, '_' and '-' turned into one space."""
    return _WS_SEP.sub(" ", text.casefold())


# names a narrative may use for a dimension: its display name, its id read with '_' as spaces,
# or an alias from [features.aliases]
_ALIASES = _FEAT.get("aliases", {})
_MENTIONS = {
    field: tuple(tuple({_norm(n) for n in (E.display_name(d), d, *_ALIASES.get(d, ()))}) for d in _MENTION_DIMS[part])
    for field, part in _FEAT["mentions"].items()
}
_MENTION_RULE = {field: f"{part}-mentions" for field, part in _FEAT["mentions"].items()}

_TWO_NEWLINES = re.compile(r"\n[^\S\n]*\n")  # a blank (or whitespace-only) line
_MARKER = r"(?:\d+[.)、]|[-*•·])"
_LIST = re.compile(
    rf"(?:\A|\n)\s*{_MARKER}\s"  # a line starting with a list marker
    r"|(?:\A|\s)1[.)]\s[^\n]+\s2[.)]\s"
)  # an inline enumeration '1. ... 2. '
_FIRST_LINE_MARKER = re.compile(rf"\s*{_MARKER}\s")  # (anchored with .match)
_INLINE_LIST = re.compile(r"(?:\A|\s)1[.)]\s[^\n]+\s2[.)]\s")
_ENDS = ".!?。！？"
_SENT = re.compile(f"[^{_ENDS}]+[{_ENDS}]?")


def _multi_paragraph(text: str) -> bool:
    return "\n" in text and _TWO_NEWLINES.search(text) is not None


def _list_marker(text: str) -> bool:
    if "\n" in text:
        return _LIST.search(text) is not None
    # one line: a marker can only open the text, or be an inline '1. ... 2. ' enumeration
    return _FIRST_LINE_MARKER.match(text) is not None or (
        ("1." in text or "1)" in text) and _INLINE_LIST.search(text) is not None
    )


def _poor_prose(text: str, norm: str) -> bool:
    """R13: too short, too long, or a (non-trivial) sentence repeated. `norm` is _norm(text):
    normalising the whole text equals normalising each sentence, as no run of whitespace, '_'
    or '-' crosses a sentence end."""
    n = len(text.strip())
    if n < MIN_CHARS or n > MAX_CHARS:
        return True
    seen = set()
    for s in _SENT.findall(norm):
        s = s.strip()
        if len(s) > 12:
            if s in seen:
                return True
            seen.add(s)
    return False


def _term_spans(term: str, text: str) -> list[tuple[int, int]]:
    """Where a lexicon term occurs in folded text. Chinese: as a substring. English, on the text's
    words (runs of letters and digits): the term's words in a row (or glued into one word), the last
    one as written or, for a stem ("hospitali*"), any word starting with it, else with a regular
    inflection (-s, -es, -ed, -d, -ing)."""
    if not term.isascii():
        return [(m.start(), m.end()) for m in re.finditer(re.escape(term), text)]
    stem = term.endswith("*")
    parts = [p for p in re.split(r"[\s-]+", term.rstrip("*")) if p]
    words = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", text)]

    def last_ok(w: str, p: str) -> bool:
        if stem:
            return w.startswith(p) and w[len(p) :].isalpha() or w == p
        return w == p or w in {p + e for e in ("s", "es", "ed", "d", "ing")}

    out = []
    for i, (w, a, _) in enumerate(words):
        if len(parts) > 1 and last_ok(w, "".join(parts)):
            out.append((a, words[i][2]))
            continue
        seq = words[i : i + len(parts)]
        if (
            len(seq) == len(parts)
            and all(x[0] == p for x, p in zip(seq[:-1], parts[:-1]))
            and last_ok(seq[-1][0], parts[-1])
        ):
            out.append((a, seq[-1][2]))
    return out


def _terms(texts: list[str], lexicon: tuple[str, ...], allow: tuple[str, ...] = ()) -> int:
    """How many lexicon terms occur in any of the texts, after each allowed phrase (longest first)
    is blotted out of each text (a term inside one does not count); a word two terms match (a
    stem and its plain word) counts once, for the longer term."""
    if not texts:
        return 0
    folded = [t.casefold() for t in texts]
    for phrase in sorted(allow, key=len, reverse=True):
        folded = [t.replace(phrase, "\0" * len(phrase)) for t in folded]
    joined = "\0".join(folded)  # no term contains NUL
    count, taken = 0, []
    for term in sorted(lexicon, key=lambda t: -len(t.rstrip("*"))):
        spans = _term_spans(term, joined)
        if spans and not all(any(a <= x and y <= b for a, b in taken) for x, y in spans):
            count += 1
            taken += spans
    return count


# ---------------------------------------------------------------------------------------------
# Reading: persona dict -> values / missing, or None when the validator reports an input error

_LEVEL_RANK = {v: i for i, v in enumerate(E.LEVELS)}
_RISK_RANK = {v: i for i, v in enumerate(E.RISKS)}
_AGES = frozenset(range(E.AGE_MIN, E.AGE_MAX + 1))
_GRADES = frozenset(E.GRADES)
_SUBJECTS = frozenset(E.SUBJECTS)

_INT, _ENUM, _SET, _LIST_OF_TEXT, _TEXT = range(5)
# (path, kind, domain, required)
_SPEC: list[tuple[str, int, frozenset | None, bool]] = [
    ("id", _TEXT, None, True),
    ("slot.grade", _INT, _GRADES, False),
    ("slot.gender", _ENUM, frozenset(E.GENDERS), False),
    ("slot.academic_level", _ENUM, frozenset(E.ACADEMIC_LEVELS), False),
    ("slot.subject_bias", _SET, _SUBJECTS, False),
    ("enrollment.name", _TEXT, None, True),
    ("enrollment.agent_name", _TEXT, None, True),
    ("enrollment.age", _INT, _AGES, True),
    ("enrollment.gender", _ENUM, frozenset(E.GENDERS), True),
    ("enrollment.grade", _INT, _GRADES, True),
    *((f"enrollment.stages.{s}", _ENUM, frozenset(v), True) for s, v in E.STAGES.items()),
    ("academic.strong_subjects", _SET, _SUBJECTS, True),
    ("academic.weak_subjects", _SET, _SUBJECTS, True),
    ("academic.level", _ENUM, None, True),  # any string: unknown words are R15
    ("values.personality", _TEXT, None, True),
    *((f"values.levels.{d}", _ENUM, frozenset(E.LEVELS), True) for d in E.VALUE_DIMENSIONS),
    ("values.narrative", _TEXT, None, True),
    ("social.relationships", _TEXT, None, True),
    *((f"creativity.levels.{d}", _ENUM, frozenset(E.LEVELS), True) for d in E.CREATIVITY_DIMENSIONS),
    ("creativity.narrative", _TEXT, None, True),
    ("creativity.radar_summary", _TEXT, None, True),
    ("mental_health.overall_state", _ENUM, frozenset(E.LEVELS), True),
    ("mental_health.happiness", _ENUM, frozenset(E.LEVELS), True),
    ("mental_health.depression_risk", _ENUM, frozenset(E.RISKS), True),
    ("mental_health.anxiety_risk", _ENUM, frozenset(E.RISKS), True),
    ("mental_health.traits", _LIST_OF_TEXT, None, True),
    ("mental_health.condition", _ENUM, frozenset(E.CONDITIONS), True),
    ("mental_health.background", _TEXT, None, True),
    ("mental_health.supports", _TEXT, None, True),
    ("mental_health.narrative", _TEXT, None, True),
]
_SPEC_KEYS = [
    (path, tuple(path.split(".")[:-1]), path.split(".")[-1], kind, dom, req) for path, kind, dom, req in _SPEC
]
_PARENTS = sorted({parent for _, parent, *_ in _SPEC_KEYS}, key=len)  # () first, then by depth


def _read(p) -> tuple[dict, list[str]] | None:
    """(present values by path, missing paths), or None for an input error."""
    if not isinstance(p, dict):
        return None
    slot = p.get("slot")
    if slot is not None and not isinstance(slot, dict):
        return None
    has_slot = slot is not None
    vals: dict = {}
    missing: list[str] = []
    nodes = {(): p}  # each object on a field path, looked up once
    for parent in _PARENTS:
        if parent:
            up = nodes[parent[:-1]]
            node = up.get(parent[-1]) if isinstance(up, dict) else None
            nodes[parent] = node if isinstance(node, dict) else None
    for path, parent, leaf, kind, dom, required in _SPEC_KEYS:
        node = nodes[parent]
        v = None if node is None else node.get(leaf)
        if v is None:
            if required or (has_slot and parent == ("slot",) and leaf != "subject_bias"):
                missing.append(path)
            continue
        if kind == _INT:
            if type(v) is not int or v not in dom:  # bool is not an int here
                return None
            vals[path] = v
        elif kind == _ENUM or kind == _TEXT:
            if type(v) is not str:
                return None
            if not v.strip():
                missing.append(path)
            elif dom is not None and v not in dom:
                return None
            else:
                vals[path] = v
        else:  # _SET, _LIST_OF_TEXT
            if type(v) is not list or not all(type(x) is str for x in v):
                return None
            items = [x for x in v if x.strip()]
            if kind == _SET and any(x not in dom for x in items):
                return None
            if not items and required:
                missing.append(path)
            else:
                vals[path] = items
    return vals, missing


def readable(p) -> bool:
    """False where the validator reports an input error instead of a verdict."""
    return _read(p) is not None


# ---------------------------------------------------------------------------------------------
# The rules

# R2 stage ranges (DESIGN.md), ages inclusive
_STAGE_AGES = {
    "piaget": {
        "preoperational": (E.AGE_MIN, 7),
        "concrete_operational": (6, 12),
        "formal_operational": (11, E.AGE_MAX),
    },
    "erikson": {
        "initiative_vs_guilt": (E.AGE_MIN, 6),
        "industry_vs_inferiority": (5, 13),
        "identity_vs_role_confusion": (11, E.AGE_MAX),
    },
    "kohlberg": {
        "preconventional": (E.AGE_MIN, 11),
        "conventional": (9, E.AGE_MAX),
        "postconventional": (15, E.AGE_MAX),
    },
}
_VALUE_PATHS = tuple(f"values.levels.{d}" for d in E.VALUE_DIMENSIONS)
_CREATIVITY_PATHS = tuple(f"creativity.levels.{d}" for d in E.CREATIVITY_DIMENSIONS)
_LOWISH = frozenset(E.LOWISH)
_ANCHOR_VALUES = {"medium": 1, "low": 2, "poor": 3}  # A1
_ANCHOR_CREATIVITY = {"medium": 2, "low": 3, "poor": 4}  # A2
_ANCHOR_MH = frozenset({"low", "poor"})  # A3
_ACADEMIC = frozenset(E.ACADEMIC_LEVELS)
_MH_COMPLETE = (
    "mental_health.overall_state",
    "mental_health.happiness",
    "mental_health.depression_risk",
    "mental_health.anxiety_risk",
    "mental_health.condition",
    "mental_health.background",
    "mental_health.supports",
    "mental_health.traits",
)


def _texts(vals: dict, fields: tuple[str, ...]) -> list[str]:
    out = []
    for f in fields:
        v = vals.get(f)
        if v is not None:
            out.append(" ; ".join(v) if isinstance(v, list) else v)
    return out


def check(p) -> dict[str, int]:
    """Rule id -> number of distinct violation instances ({} when nothing fires or unreadable)."""
    got = _read(p)
    if got is None:
        return {}
    vals, missing = got
    out: dict[str, int] = {}
    missing_set = set(missing)

    def add(rule: str, n: int = 1) -> None:
        if n:
            out[rule] = out.get(rule, 0) + n

    # R7 required
    add("required", len(missing))

    # R1 age-grade, R2 stage-age
    age, grade = vals.get("enrollment.age"), vals.get("enrollment.grade")
    if age is not None and grade is not None and not (grade + 4 <= age <= grade + 7):
        add("age-grade")
    if age is not None:
        for system, ranges in _STAGE_AGES.items():
            stage = vals.get(f"enrollment.stages.{system}")
            if stage is not None:
                lo, hi = ranges[stage]
                if not lo <= age <= hi:
                    add("stage-age")

    # R3 subjects
    strong = vals.get("academic.strong_subjects")
    weak = vals.get("academic.weak_subjects")
    add("subjects-nonempty", ("academic.strong_subjects" in missing_set) + ("academic.weak_subjects" in missing_set))
    dups = set()
    for lst in (strong, weak):
        if lst:
            dups |= {s for s in set(lst) if lst.count(s) > 1}
    add("subjects-unique", len(dups))
    if strong and weak:
        add("subjects-disjoint", len(set(strong) & set(weak)))

    # R4 creativity
    cl = [vals.get(f) for f in _CREATIVITY_PATHS]
    if cl[0] is not None and all(x == cl[0] for x in cl):
        add("creativity-varied")
    feas = vals.get("creativity.levels.feasibility")
    gen = vals.get("creativity.levels.solution_generation")
    if feas is not None and gen is not None and _LEVEL_RANK[feas] <= 1 and _LEVEL_RANK[gen] > 2:
        add("creativity-feasibility")

    # R5 health-text, R11 health-consistency
    pmh = vals.get("values.levels.physical_mental_health")
    healthy = pmh is not None and _LEVEL_RANK[pmh] >= _LEVEL_RANK["fairly_high"]
    if healthy:
        add("health-text", _terms(_texts(vals, _SEVERE_FIELDS), _SEVERE, _SEVERE_ALLOW))
        overall = vals.get("mental_health.overall_state")
        dep = vals.get("mental_health.depression_risk")
        anx = vals.get("mental_health.anxiety_risk")
        if (
            overall is not None
            and dep is not None
            and anx is not None
            and (
                _LEVEL_RANK[overall] < _LEVEL_RANK["medium"]
                or _RISK_RANK[dep] > _RISK_RANK["moderate"]
                or _RISK_RANK[anx] > _RISK_RANK["moderate"]
            )
        ):
            add("health-consistency")

    # R6 agent name
    agent = vals.get(_AGENT_FIELD)
    if agent is not None and _AGENT_RE.search(agent) is None:
        add("agent-name")

    # R8 values, R9 creativity: levels (errors)
    add("values-levels", sum(f not in vals for f in _VALUE_PATHS))
    add(
        "creativity-levels", sum(f not in vals for f in _CREATIVITY_PATHS) + ("creativity.radar_summary" in missing_set)
    )

    # R10 mental health complete
    traits = vals.get("mental_health.traits")
    add(
        "mental-health-complete", sum(f in missing_set for f in _MH_COMPLETE) + (traits is not None and len(traits) < 2)
    )

    # R12 non-diagnostic
    add("non-diagnostic", _terms(_texts(vals, _CLINICAL_FIELDS), _CLINICAL, _CLINICAL_ALLOW))

    # C1-C4 coherence: subjects of the grade, pinyin agent name, pronouns and roles, adult content
    for rule, n in _coherence(vals).items():
        add(rule, n)

    # L1-L3 narrative-level agreement, A4-A6 anchors against pessimism
    for rule, n in _levels(vals).items():
        add(rule, n)

    # T1-T6 readable prose
    for rule, n in _readable(vals).items():
        add(rule, n)

    # R8 / R9 narrative mentions (warnings), R13 prose quality (warning), R14 single paragraph
    norms: dict[str, str] = {}
    for f, dims in _MENTIONS.items():
        text = vals.get(f)
        if text is not None:
            norm = norms[f] = _norm(text)
            add(_MENTION_RULE[f], sum(not any(n in norm for n in names) for names in dims))
    for f in _PROSE_FIELDS:
        text = vals.get(f)
        if text is not None:
            norm = norms.get(f)
            if _poor_prose(text, _norm(text) if norm is None else norm):
                add("prose-quality")
    for f in _PARAGRAPH_FIELDS:
        text = vals.get(f)
        if text is not None and (_multi_paragraph(text) or _list_marker(text)):
            add("single-paragraph")

    # R15 academic level value
    level = vals.get("academic.level")
    level_known = level in _ACADEMIC
    if level is not None and not level_known:
        add("academic-level-value")

    # A1-A3 anchors (need a valid slot level)
    target = vals.get("slot.academic_level")
    if target in _ANCHOR_VALUES:
        have = sum(vals.get(f) in _LOWISH for f in _VALUE_PATHS)
        if have < _ANCHOR_VALUES[target]:
            add("anchor-values")
        have = sum(vals.get(f) in _LOWISH for f in _CREATIVITY_PATHS)
        if have < _ANCHOR_CREATIVITY[target]:
            add("anchor-creativity")
    if target in _ANCHOR_MH:
        overall, happy = vals.get("mental_health.overall_state"), vals.get("mental_health.happiness")
        if overall is not None and happy is not None and overall not in _LOWISH and happy not in _LOWISH:
            add("anchor-mental-health")
        if vals.get("mental_health.depression_risk") == "low" and vals.get("mental_health.anxiety_risk") == "low":
            add("anchor-mental-health")

    # S0: no slot value at all -> the anchors and S1 are reported as not checked (a warning)
    if all(vals.get(f) is None for f in ("slot.grade", "slot.gender", "slot.academic_level")):
        add("slot-absent")

    # S1 slot match
    for slot_f, own_f in (
        ("slot.grade", "enrollment.grade"),
        ("slot.gender", "enrollment.gender"),
        ("slot.academic_level", "academic.level"),
    ):
        want, have = vals.get(slot_f), vals.get(own_f)
        if want is not None and have is not None and want != have:
            if own_f != "academic.level" or level_known or S1_COMPARES_UNKNOWN_LEVEL:
                add("slot-match")
    return out


def valid(counts: dict[str, int]) -> bool:
    """The verdict DESIGN.md defines: no error-severity rule fired."""
    return not any(SEVERITY[r] == "error" for r in counts)


__all__ = ["check", "readable", "valid", "SEVERITY", "ERROR_RULES"]

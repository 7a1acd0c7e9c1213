"""Property tests: the k12 validator vs the plain-Python oracle (tests/oracle_k12.py) on sampled,
mutated and arbitrary personas; the validator never raises and answers every input once."""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from hachimi.plugins.k12 import enums as E
from hachimi.solve.sample import Sampler
from hachimi.plugins.k12.personas import persona
from hachimi.theory.pack import load
from hachimi.validate import Validator

sys.path.insert(0, str(Path(__file__).resolve().parent))
import oracle_k12 as oracle  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
THEORY = load(ROOT / "constraints" / "k12")
FAST = Validator(THEORY, explain=False, repair=False)
FULL = Validator(THEORY)
BASE = json.loads((ROOT / "constraints" / "k12" / "fixtures" / "base.json").read_text())

PROFILE = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


# ---------------------------------------------------------------------------------------------
# helpers


def validate(v: Validator, objs: list) -> list:
    return list(v.validate_objects(objs))


def counts(result) -> dict[str, int]:
    return dict(Counter(v.rule for v in result.violations))


def agree(p: dict, r) -> None:
    """The validator's verdict on p equals the oracle's (or both call p unreadable)."""
    if not oracle.readable(p):
        assert r.error is not None, f"validator gave a verdict on an unreadable persona: {counts(r)}"
        return
    assert r.error is None, f"validator reported an input error on a readable persona: {r.error}"
    want = oracle.check(p)
    got = counts(r)
    if got != want:
        rules = sorted(k for k in set(got) | set(want) if got.get(k, 0) != want.get(k, 0))
        first = rules[0]
        side = "extra" if got.get(first, 0) > want.get(first, 0) else "missed"
        raise mismatch(f"{first}-{side}")(
            f"validator {sorted(got.items())} != oracle {sorted(want.items())}; "
            f"validator violations: {[(v.rule, v.key) for v in r.violations]}"
        )
    assert r.valid == oracle.valid(want)


_MISMATCHES: dict[str, type] = {}


def mismatch(what: str) -> type:
    """One AssertionError subclass per (rule, validator reports more/fewer), so that Hypothesis
    shrinks and reports each kind of disagreement separately."""
    if what not in _MISMATCHES:
        _MISMATCHES[what] = type(f"Disagreement[{what}]", (AssertionError,), {})
    return _MISMATCHES[what]


def get_path(p: dict, path: str, default=None):
    for k in path.split("."):
        if not isinstance(p, dict) or k not in p:
            return default
        p = p[k]
    return p


def text_at(p: dict, path: str) -> str:
    v = get_path(p, path)
    return v if isinstance(v, str) else "A plain sentence about school life."


def list_at(p: dict, path: str) -> list:
    v = get_path(p, path)
    return list(v) if isinstance(v, list) else []


def set_path(p: dict, path: str, value) -> None:
    *head, last = path.split(".")
    for k in head:
        if not isinstance(p.get(k), dict):
            p[k] = {}
        p = p[k]
    p[last] = value


def del_path(p: dict, path: str) -> None:
    *head, last = path.split(".")
    for k in head:
        p = p.get(k)
        if not isinstance(p, dict):
            return
    p.pop(last, None)


# ---------------------------------------------------------------------------------------------
# personas from the sampler

slots_full = st.fixed_dictionaries(
    {
        "grade": st.sampled_from(E.GRADES),
        "gender": st.sampled_from(E.GENDERS),
        "academic_level": st.sampled_from(E.ACADEMIC_LEVELS),
    }
)
slots_any = st.one_of(
    st.none(),
    slots_full,
    st.fixed_dictionaries(
        {},
        optional={
            "grade": st.sampled_from(E.GRADES),
            "gender": st.sampled_from(E.GENDERS),
            "academic_level": st.sampled_from(E.ACADEMIC_LEVELS),
        },
    ),
)


@functools.cache
def _sampler() -> Sampler:
    return Sampler(THEORY)


def sampled(seed: int, slot: dict | None) -> dict | None:
    """persona(Sampler.sample(seed, slot), seed) from one shared sampler: its answer for a seed does
    not depend on the calls made before it (tests/generate/test_narrow_determinism.py)."""
    values = _sampler().sample(seed, slot)
    return None if values is None else persona(values, seed)


@functools.cache
def pool() -> tuple[dict, ...]:
    """Clean personas for every full slot (12 grades x 2 genders x 4 levels), two seeds each,
    drawn in a fixed order from one sampler, so the pool is the same on every run."""
    sampler, out = Sampler(THEORY), []
    for seed in (11, 4242):
        for grade in E.GRADES:
            for gender in E.GENDERS:
                for level in E.ACADEMIC_LEVELS:
                    slot = {"grade": grade, "gender": gender, "academic_level": level}
                    values = sampler.sample(seed * 1000 + grade, slot)
                    if values is not None:
                        out.append(persona(values, seed))
    return tuple(out)


@st.composite
def clean_personas(draw) -> dict:
    """A pooled clean persona, with its slot kept (3 in 4) or dropped."""
    p = copy.deepcopy(draw(st.sampled_from(pool())))
    if draw(st.booleans()) and draw(st.booleans()):
        del p["slot"]
    return p


# ---------------------------------------------------------------------------------------------
# single-field mutations

LEVEL_PATHS = (
    [f"values.levels.{d}" for d in E.VALUE_DIMENSIONS]
    + [f"creativity.levels.{d}" for d in E.CREATIVITY_DIMENSIONS]
    + ["mental_health.overall_state", "mental_health.happiness"]
)
RISK_PATHS = ["mental_health.depression_risk", "mental_health.anxiety_risk"]
STAGE_PATHS = {f"enrollment.stages.{s}": vals for s, vals in E.STAGES.items()}
TEXT_PATHS = [
    "enrollment.name",
    "enrollment.agent_name",
    "values.personality",
    "values.narrative",
    "social.relationships",
    "creativity.narrative",
    "creativity.radar_summary",
    "mental_health.background",
    "mental_health.supports",
    "mental_health.narrative",
]
NARRATIVES = ["values.narrative", "social.relationships", "creativity.narrative", "mental_health.narrative"]
MH_TEXT = ["mental_health.background", "mental_health.supports", "mental_health.narrative"]
SUBJECT_PATHS = ["academic.strong_subjects", "academic.weak_subjects"]
LEAF_PATHS = [
    "id",
    "slot.grade",
    "slot.gender",
    "slot.academic_level",
    "slot.subject_bias",
    "enrollment.age",
    "enrollment.gender",
    "enrollment.grade",
    *STAGE_PATHS,
    *SUBJECT_PATHS,
    "academic.level",
    *LEVEL_PATHS,
    *RISK_PATHS,
    "mental_health.traits",
    "mental_health.condition",
    *TEXT_PATHS,
]
NODE_PATHS = [
    "slot",
    "enrollment",
    "enrollment.stages",
    "academic",
    "values",
    "values.levels",
    "social",
    "creativity",
    "creativity.levels",
    "mental_health",
]
CLINICAL = list(oracle._CLINICAL)  # lexicon terms, theory.toml's and its data file's
SEVERE = list(oracle._SEVERE)
DIMENSIONS = E.VALUE_DIMENSIONS + E.CREATIVITY_DIMENSIONS
ALIASES = oracle._META["features"].get("aliases", {})
WRONG_TYPES = st.sampled_from([True, 13.0, 13.5, "13", [13], {"v": 1}, -1, 0, 1, 20, 100])
BLANKS = st.sampled_from(["", " ", "   ", "\n", "\t "])
UNKNOWN_WORDS = st.sampled_from(
    ["excellent", "High", " high", "medium ", "top", "average", "fairly high", "upper-middle", "优秀", "none"]
)
TEXT_TOKENS = st.sampled_from(
    [
        "a",
        "b",
        "word",
        " ",
        "  ",
        ".",
        "!",
        "?",
        "。",
        "\n",
        "\n\n",
        "\n \n",
        "\t",
        "-",
        "_",
        "*",
        "•",
        "·",
        "、",
        ")",
        "1",
        "2",
        "12",
        "1. ",
        "2. ",
        "1) ",
        "2) ",
        " - ",
        "\n- ",
        "\n3. ",
        "She reads every night",
        "moral cultivation",
        "Rule-Of-Law",
        "social_responsibility",
        "physical and mental health",
        "physical mental health",
        "problem finding",
        "Fluency",
        "medication",
        "Hospitalised",
        "self-harm",
        "self harm",
        "HOPELESS",
        "住院",
        "绝望",
        "抑郁症",
    ]
)
random_text = st.lists(TEXT_TOKENS, max_size=40).map("".join)


def _insert(draw, text: str, piece: str) -> str:
    i = draw(st.integers(0, len(text)))
    return text[:i] + piece + text[i:]


def _sentence_repeat(text: str) -> str:
    first = text.split(".")[0].strip()
    return f"{first}. {text} {first}."


def mutate(draw, p: dict) -> str:
    """Apply one random single-field change to p (in place); returns its description."""
    kind = draw(
        st.sampled_from(
            [
                "age",
                "grade",
                "stage",
                "level",
                "risk",
                "condition",
                "academic_level",
                "subjects",
                "traits",
                "delete",
                "delete_node",
                "null",
                "blank",
                "wrong_type",
                "clinical",
                "severe",
                "blank_line",
                "list_marker",
                "marker_first",
                "repeat",
                "repeat_variant",
                "short",
                "long",
                "unmention",
                "random_text",
                "agent_name",
                "slot",
                "id",
                "health_high",
                "all_equal",
            ]
        )
    )
    if kind == "age":
        v = draw(st.one_of(st.integers(E.AGE_MIN, E.AGE_MAX), st.sampled_from([4, 20, 0, -3])))
        set_path(p, "enrollment.age", v)
    elif kind == "grade":
        v = draw(st.one_of(st.integers(1, 12), st.sampled_from([0, 13, -1])))
        set_path(p, "enrollment.grade", v)
    elif kind == "stage":
        path = draw(st.sampled_from(sorted(STAGE_PATHS)))
        v = draw(st.one_of(st.sampled_from(STAGE_PATHS[path] + E.PIAGET + E.KOHLBERG), UNKNOWN_WORDS))
        set_path(p, path, v)
    elif kind == "level":
        path = draw(st.sampled_from(LEVEL_PATHS))
        v = draw(st.one_of(st.sampled_from(E.LEVELS), st.sampled_from(E.RISKS), UNKNOWN_WORDS))
        set_path(p, path, v)
    elif kind == "risk":
        path = draw(st.sampled_from(RISK_PATHS))
        v = draw(st.one_of(st.sampled_from(E.RISKS), st.sampled_from(E.LEVELS)))
        set_path(p, path, v)
    elif kind == "condition":
        set_path(p, "mental_health.condition", draw(st.sampled_from(E.CONDITIONS + ("diagnosed",))))
    elif kind == "academic_level":
        v = draw(st.one_of(st.sampled_from(E.ACADEMIC_LEVELS), UNKNOWN_WORDS, BLANKS))
        set_path(p, "academic.level", v)
    elif kind == "subjects":
        path = draw(st.sampled_from(SUBJECT_PATHS))
        other = SUBJECT_PATHS[1 - SUBJECT_PATHS.index(path)]
        cur = list_at(p, path)
        how = draw(st.sampled_from(["overlap", "dup", "empty", "blank", "unknown", "random", "not_list"]))
        if how == "overlap":
            cur.insert(draw(st.integers(0, len(cur))), draw(st.sampled_from(list_at(p, other) or ["math"])))
        elif how == "dup":
            cur.append(draw(st.sampled_from(cur or ["art"])))
        elif how == "empty":
            cur = []
        elif how == "blank":
            cur = [draw(BLANKS)] * draw(st.integers(1, 2)) + draw(st.sampled_from([[], cur]))
        elif how == "unknown":
            cur.append(draw(st.sampled_from(["Math", "maths", "drama", "math "])))
        elif how == "random":
            cur = draw(st.lists(st.sampled_from(E.SUBJECTS), max_size=5))
        else:
            cur = draw(st.sampled_from(["math", {"math": 1}, [1], [None]]))
        set_path(p, path, cur)
        kind += ":" + how
    elif kind == "traits":
        v = draw(
            st.one_of(
                st.lists(
                    st.one_of(st.sampled_from(["shy", "curious", "diligent", "hopeless", "on medication"]), BLANKS),
                    max_size=12,
                ),
                st.sampled_from(["shy", [1, 2], ["shy", None]]),
            )
        )
        set_path(p, "mental_health.traits", v)
    elif kind == "delete":
        del_path(p, draw(st.sampled_from(LEAF_PATHS)))
    elif kind == "delete_node":
        del_path(p, draw(st.sampled_from(NODE_PATHS)))
    elif kind == "null":
        set_path(p, draw(st.sampled_from(LEAF_PATHS + NODE_PATHS)), None)
    elif kind == "blank":
        set_path(
            p, draw(st.sampled_from(TEXT_PATHS + LEVEL_PATHS + ["id", "academic.level", "slot.gender"])), draw(BLANKS)
        )
    elif kind == "wrong_type":
        set_path(p, draw(st.sampled_from(LEAF_PATHS + NODE_PATHS)), draw(WRONG_TYPES))
    elif kind in ("clinical", "severe"):
        term = draw(st.sampled_from(CLINICAL if kind == "clinical" else SEVERE))
        term = draw(st.sampled_from([term, term.upper(), term.title()]))
        path = draw(st.sampled_from(MH_TEXT + ["mental_health.traits", "values.narrative"]))
        if path == "mental_health.traits":
            set_path(p, path, list_at(p, path) + [f"sometimes {term}"])
        else:
            set_path(p, path, _insert(draw, text_at(p, path), f" {term} "))
    elif kind == "blank_line":
        path = draw(st.sampled_from(TEXT_PATHS))
        set_path(p, path, _insert(draw, text_at(p, path), draw(st.sampled_from(["\n\n", "\n  \n", "\r\n\r\n", "\n"]))))
    elif kind == "list_marker":
        path = draw(st.sampled_from(TEXT_PATHS))
        piece = draw(
            st.sampled_from(
                [
                    "\n- ",
                    "\n1. ",
                    "\n2) ",
                    "\n• ",
                    "\n· ",
                    "\n* ",
                    " 1. one 2. two ",
                    " 1) a and 2) b ",
                    "\n3、",
                    "- ",
                    "1.",
                    "-x",
                    " 1.5 ",
                    "\n10. ",
                ]
            )
        )
        set_path(p, path, _insert(draw, text_at(p, path), piece))
    elif kind == "marker_first":
        path = draw(st.sampled_from(TEXT_PATHS))
        piece = draw(st.sampled_from(["- ", "• ", "· ", "* ", "1. ", "2. ", "3) ", "4、", "12. ", "  - ", "-", "2.x "]))
        set_path(p, path, piece + text_at(p, path))
    elif kind == "repeat_variant":
        path = draw(st.sampled_from(TEXT_PATHS))
        text = text_at(p, path)
        first = text.split(".")[0].strip()
        again = draw(
            st.sampled_from(
                [
                    first,
                    first.upper(),
                    first.replace(" ", "  "),
                    first.replace(" ", "-"),
                    first.replace(" ", "_"),
                    first + " ",
                ]
            )
        )
        end = draw(st.sampled_from([".", "!", "?", "", "..."]))
        set_path(p, path, f"{text} {again}{end}")
    elif kind == "repeat":
        path = draw(st.sampled_from(TEXT_PATHS))
        set_path(p, path, _sentence_repeat(text_at(p, path)))
    elif kind == "short":
        path = draw(st.sampled_from(TEXT_PATHS))
        set_path(p, path, text_at(p, path)[: draw(st.integers(1, 25))])
    elif kind == "long":
        path = draw(st.sampled_from(TEXT_PATHS))
        extra = " ".join(f"Item {i} went well" for i in range(draw(st.integers(40, 90))))
        set_path(p, path, text_at(p, path) + " " + extra)
    elif kind == "unmention":
        path = draw(st.sampled_from(["values.narrative", "creativity.narrative"]))
        text = text_at(p, path)
        for d in draw(st.lists(st.sampled_from(DIMENSIONS), min_size=1, max_size=4)):
            other = draw(st.sampled_from(["something", d, d.upper(), *ALIASES.get(d, ())]))
            text = text.replace(E.display_name(d), other)
        set_path(p, path, text)
    elif kind == "random_text":
        set_path(p, draw(st.sampled_from(TEXT_PATHS)), draw(random_text))
    elif kind == "agent_name":
        v = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "ChenYutong",
                        "chen2yu3tong2",
                        "chen2_yu3tong2\n",
                        " chen2_yu3tong2",
                        "chen_yutong",
                        "chen2_yu3tong2_x1",
                        "a1b1c1_d1",
                        "chen2_yu3tong2ai4ming2",
                        "ou1yang2_xiao3",
                        "li6_ming2",
                        "Chen2_yu3",
                    ]
                ),
                st.text(alphabet="abz0156_-A ", min_size=1, max_size=14),
            )
        )
        set_path(p, "enrollment.agent_name", v)
    elif kind == "slot":
        how = draw(
            st.sampled_from(
                ["grade", "gender", "level", "bias", "drop_one", "none", "empty", "not_object", "bad_value"]
            )
        )
        if how == "grade":
            set_path(p, "slot.grade", draw(st.integers(1, 12)))
        elif how == "gender":
            set_path(p, "slot.gender", draw(st.sampled_from(E.GENDERS)))
        elif how == "level":
            set_path(p, "slot.academic_level", draw(st.sampled_from(E.ACADEMIC_LEVELS)))
        elif how == "bias":
            set_path(p, "slot.subject_bias", draw(st.lists(st.sampled_from(E.SUBJECTS + ("  ",)), max_size=3)))
        elif how == "drop_one":
            if isinstance(p.get("slot"), dict):
                p["slot"].pop(draw(st.sampled_from(["grade", "gender", "academic_level", "subject_bias"])), None)
        elif how == "none":
            p["slot"] = None
        elif how == "empty":
            p["slot"] = {}
        elif how == "not_object":
            p["slot"] = draw(st.sampled_from([[], "g08", 8]))
        else:
            set_path(
                p,
                draw(st.sampled_from(["slot.grade", "slot.gender", "slot.academic_level"])),
                draw(st.sampled_from([0, 13, "8", "excellent", "High", "other"])),
            )
        kind += ":" + how
    elif kind == "id":
        p["id"] = draw(st.sampled_from(["", "  ", None, 17, "x"]))
    elif kind == "health_high":
        set_path(p, "values.levels.physical_mental_health", draw(st.sampled_from(["fairly_high", "high"])))
    elif kind == "all_equal":
        v = draw(st.sampled_from(E.LEVELS))
        for d in E.CREATIVITY_DIMENSIONS:
            set_path(p, f"creativity.levels.{d}", v)
    return kind


@st.composite
def mutated_personas(draw, max_mutations: int = 3) -> dict:
    p = draw(clean_personas())
    n = draw(st.integers(1, max_mutations))
    for _ in range(n):
        before = copy.deepcopy(p)
        kind = mutate(draw, p)
        note(f"mutation {kind}: {changes(before, p)}")
    return p


def changes(a, b, path: str = "") -> list[str]:
    """The paths where b differs from a, with b's value (for failure reports)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else k
            if k not in b:
                out.append(f"{sub} deleted")
            else:
                out += changes(a.get(k, object()), b[k], sub)
        return out
    return [] if a == b and type(a) is type(b) else [f"{path} = {b!r}"]


# ---------------------------------------------------------------------------------------------
# (a) sampled personas are clean


@settings(max_examples=60, **PROFILE)
@given(seed=st.integers(0, 10**6), slot=slots_full)
def test_sampled_personas_with_a_full_slot_are_clean(seed, slot):
    p = sampled(seed, slot)
    assume(p is not None)
    [r] = validate(FAST, [p])
    noted = [] if p.get("slot") else ["slot-absent"]  # a persona without a slot: the anchors are "not checked"
    assert r.error is None and r.valid and [v.rule for v in r.violations] == noted, [
        (v.rule, v.key) for v in r.violations
    ]
    assert oracle.check(p) == {k: 1 for k in noted}


@settings(max_examples=40, **PROFILE)
@given(seed=st.integers(0, 10**6), slot=slots_any)
def test_sampled_personas_with_any_slot_are_clean(seed, slot):
    """The sampler's slot is optional and may be partial; its personas must still be clean."""
    p = sampled(seed, slot)
    assume(p is not None)
    note(f"persona slot: {p.get('slot')}")
    [r] = validate(FAST, [p])
    noted = [] if p.get("slot") else ["slot-absent"]  # a persona without a slot: the anchors are "not checked"
    assert r.error is None and r.valid and [v.rule for v in r.violations] == noted, [
        (v.rule, v.key) for v in r.violations
    ]
    assert oracle.check(p) == {k: 1 for k in noted}


def test_base_fixture_is_clean():
    [r] = validate(FAST, [BASE])
    assert r.valid and r.violations == []
    assert oracle.check(BASE) == {}


# ---------------------------------------------------------------------------------------------
# (b) mutated personas: validator == oracle


@settings(max_examples=600, **PROFILE)
@given(p=mutated_personas())
def test_mutations_match_the_oracle(p):
    [r] = validate(FAST, [p])
    agree(p, r)


@settings(max_examples=40, **PROFILE)
@given(p=mutated_personas(max_mutations=2))
def test_mutations_explained(p):
    """With explanations on: same verdict, and each error violation names a non-empty core."""
    [r] = validate(FULL, [p])
    for v in r.violations:
        if v.severity == "error":
            assert v.core, f"{v.rule} ({v.key}) has an empty core"
    agree(p, r)


def test_each_deleted_field_is_explained():
    """Deleting any one field of the base fixture: every error violation names a non-empty core."""
    ps = []
    for path in LEAF_PATHS:
        p = copy.deepcopy(BASE)
        del_path(p, path)
        ps.append(p)
    empty = [
        (path, v.rule, v.key)
        for path, r in zip(LEAF_PATHS, validate(FULL, ps))
        for v in r.violations
        if v.severity == "error" and not v.core
    ]
    assert empty == []


_REL = BASE["social"]["relationships"]
EDGE_CASES = {
    # narrative rules (R13, R14) read the four narratives their [[rule]] entries name
    "short supports": ("mental_health.supports", "Her teacher."),
    "blank line in background": ("mental_health.background", "Lives with her parents.\n\nThey work long shifts."),
    "list in radar summary": ("creativity.radar_summary", "Strengths:\n- novelty\n- problem finding"),
    "repeated sentence in personality": ("values.personality", "She is quiet in class. She is quiet in class."),
    # list markers and blank lines in a narrative
    "dash opens a narrative": ("social.relationships", "- " + _REL),
    "bullet opens a narrative": ("social.relationships", "• " + _REL),
    "'2.' opens a narrative": ("social.relationships", "2. " + _REL),
    "'1.' opens a narrative": ("social.relationships", "1. " + _REL),
    "numbered line": ("social.relationships", _REL + "\n3) she also plays chess"),
    "inline 1) 2)": ("social.relationships", _REL + " Plans: 1) read more 2) sleep early "),
    "blank line": ("social.relationships", _REL + "\n \n" + _REL.upper()),
    "numbers in prose": (
        "social.relationships",
        "She has 2 close friends; in grade 7 a quarrel taught her to speak up.",
    ),
    # repeated sentences (R13)
    "repeat, extra spaces": (
        "social.relationships",
        "She has two close friends at school. She has two  close friends at school.",
    ),
    "repeat, other case and hyphens": (
        "social.relationships",
        "She has two close friends at school. SHE HAS TWO-CLOSE FRIENDS AT SCHOOL.",
    ),
    "repeat, other end mark": (
        "social.relationships",
        "She has two close friends at school. She has two close friends at school!",
    ),
    # mentions (R8, R9) and lexicons (R5, R12)
    "mention by alias": ("values.narrative", BASE["values"]["narrative"].replace("rule of law", "法治意识")),
    "mention by id": (
        "values.narrative",
        BASE["values"]["narrative"].replace("physical and mental health", "physical_mental_health"),
    ),
    "no mentions": ("creativity.narrative", "She tinkers with electronics after school and rarely finishes a build."),
    "two clinical terms, two fields": ("mental_health.background", "Diagnosed with PTSD; medication since 2022."),
    "clinical term in a trait": ("mental_health.traits", ["shy", "on Medication"]),
    # enumerations, subjects, slot
    "unknown academic level": ("academic.level", "excellent"),
    "academic level with a space": ("academic.level", " low"),
    "blank academic level": ("academic.level", "  "),
    "subject strong and weak, twice": ("academic.weak_subjects", ["math", "math", "english", "english"]),
    "blank subjects only": ("academic.strong_subjects", ["", " "]),
    "one trait": ("mental_health.traits", ["shy", " "]),
    "agent name with newline": ("enrollment.agent_name", "chen2_yu3tong2\n"),
    "slot without grade": ("slot.grade", None),
    "slot null": ("slot", None),
    "slot empty": ("slot", {}),
    "no id": ("id", None),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_match_the_oracle(name):
    path, value = EDGE_CASES[name]
    p = copy.deepcopy(BASE)
    if value is None:
        del_path(p, path)
    else:
        set_path(p, path, value)
    [r] = validate(FAST, [p])
    agree(p, r)


@settings(max_examples=30, **PROFILE)
@given(ps=st.lists(mutated_personas(max_mutations=2), min_size=2, max_size=8))
def test_batches_match_the_oracle(ps):
    """Many personas in one solve: each result, in input order, still matches the oracle."""
    results = validate(FAST, ps)
    assert len(results) == len(ps)
    for i, (p, r) in enumerate(zip(ps, results), 1):
        assert r.line == i
        agree(p, r)


# ---------------------------------------------------------------------------------------------
# (c) the validator never raises

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


def one_verdict_each(results: list, n: int) -> None:
    assert len(results) == n
    for i, r in enumerate(results, 1):
        assert r.line == i
        if r.error is not None:
            assert r.valid is False and {"line", "column", "reason"} <= set(r.error)
        else:
            assert isinstance(r.valid, bool)
            assert r.valid == (not any(v.severity == "error" for v in r.violations))


@settings(max_examples=60, **PROFILE)
@given(objs=st.lists(json_values, min_size=1, max_size=6))
def test_arbitrary_json_values(objs):
    results = validate(FAST, objs)
    one_verdict_each(results, len(objs))
    for o, r in zip(objs, results):
        if not isinstance(o, dict):
            assert r.error is not None
        else:
            agree(o, r)


@st.composite
def personas_with_junk(draw) -> dict:
    p = copy.deepcopy(draw(st.sampled_from([BASE, *pool()[:3]])))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(
            st.one_of(st.sampled_from(LEAF_PATHS + NODE_PATHS), st.sampled_from(NODE_PATHS).map(lambda n: n + ".extra"))
        )
        set_path(p, path, draw(json_values))
    return p


@settings(max_examples=80, **PROFILE)
@given(ps=st.lists(personas_with_junk(), min_size=1, max_size=4))
def test_personas_with_random_json_at_random_paths(ps):
    results = validate(FAST, ps)
    one_verdict_each(results, len(ps))
    for p, r in zip(ps, results):
        agree(p, r)


@settings(max_examples=60, **PROFILE)
@given(
    lines=st.lists(
        st.one_of(
            st.text(max_size=60),
            json_values.map(json.dumps),
            st.builds(lambda p, cut: json.dumps(p)[:cut], st.just(BASE), st.integers(0, 3000)),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_arbitrary_text_lines(lines):
    results = list(FAST.validate_lines(lines))
    one_verdict_each(results, len(lines))
    for text, r in zip(lines, results):
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            assert r.error is not None
            continue
        if not isinstance(obj, dict):
            assert r.error is not None


@pytest.mark.parametrize("value", [2**64, -(2**63) - 1, 10**30])
def test_integers_beyond_64_bits_are_an_input_error_not_a_crash(value):
    """Arbitrary JSON numbers are unbounded: a huge age is a wrong value, and the run goes on."""
    p = copy.deepcopy(BASE)
    p["enrollment"]["age"] = value
    results = validate(FAST, [p, BASE])
    assert len(results) == 2 and results[0].error is not None and results[1].valid

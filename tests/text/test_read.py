"""The text reader (hachimi/text/): constructions that bind a level to a dimension in English and
Chinese, sets of steps for vague words, modifiers and negation, hedges reported and never guessed,
and level words inside other words never read. The labelled corpus is tested in test_labelled.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hachimi.text.lang import language_of
from hachimi.text.reader import read, resolve
from labelled import VOCAB

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hachimi_zh"
L = ("low", "fairly_low", "medium", "upper_middle", "fairly_high", "high")


def took(text: str, part: str | None = None, trusted_only: bool = True) -> dict[str, object]:
    """dimension -> the set its readings allow (one reading) / a list (several) / 'unread'."""
    dims = VOCAB.parts[part] if part else tuple(VOCAB.scales)
    r = read(text, dims, VOCAB)
    out: dict[str, object] = {}
    for d in dims:
        rs = [x for x in r.of(d) if x.trusted or not trusted_only]
        if rs:
            sets = [set(x.steps) for x in rs]
            out[d] = sets[0] if len(sets) == 1 else sets
        elif d in r.mentioned() or d in r.hedged:
            out[d] = "unread"
    return out


@pytest.mark.parametrize(
    "text, dim, want",
    [
        ("Her rule of law awareness is medium.", "rule_of_law", {"medium"}),
        ("His family-orientation values are strong.", "family_orientation", {"fairly_high", "high"}),
        ("Her legal awareness is, as her homeroom teacher notes, just about average.", "rule_of_law", {"medium"}),
        ("Her respect for the law can be described as low.", "rule_of_law", {"low"}),
        ("She shows a fairly low degree of cultural literacy.", "cultural_literacy", {"fairly_low"}),
        ("When it comes to novelty, she is above average.", "novelty", {"upper_middle", "fairly_high"}),
        ("Her novelty stands out. It is clearly high.", "novelty", {"high"}),
        ("Her flexibility is anything but weak.", "flexibility", {"upper_middle", "fairly_high", "high"}),
        ("Her flexibility is not strong at all.", "flexibility", {"low", "fairly_low", "medium"}),
        ("Her fluency is ahead of most of her classmates.", "fluency", {"upper_middle", "fairly_high", "high"}),
        ("Her fluency is very strong.", "fluency", {"high"}),
        ("His happiness is relatively high.", "happiness", {"fairly_high"}),
        ("Her feasibility is low to medium.", "feasibility", {"low", "fairly_low", "medium"}),
        ("Her anxiety risk has dropped from moderate to mild.", "anxiety_risk", {"mild"}),
        ("Rule-of-law awareness: fairly low; he ignores rules.", "rule_of_law", {"fairly_low"}),
        ("Her fluency with strong peers is medium.", "fluency", {"medium"}),
        ("She comes from a low-income family, and her family orientation is high.", "family_orientation", {"high"}),
        ("I'd put her sense of the rule of law at fairly high.", "rule_of_law", {"fairly_high"}),
    ],
)
def test_english_constructions(text, dim, want):
    assert took(text)[dim] == want


def test_a_level_never_bleeds_into_the_next_clause():
    got = took("Her moral cultivation is fairly high, and her legal awareness is rather weak.", "values")
    assert got == {"moral_cultivation": {"fairly_high"}, "rule_of_law": {"fairly_low", "low"}}
    got = took("She is high in novelty and medium in flexibility.", "creativity")
    assert got == {"novelty": {"high"}, "flexibility": {"medium"}}
    got = took("She identifies problems well, fairly high in problem finding, and her problem analysis is outstanding.")
    assert got["problem_finding"] == {"fairly_high"} and got["problem_analysis"] == {"high"}


def test_coordination_ellipsis_and_respectively():
    assert took("Fluency and flexibility both sit at medium.", "creativity") == {
        "fluency": {"medium"},
        "flexibility": {"medium"},
    }
    got = took(
        "Problem finding, problem analysis and solution generation are fairly high, medium and low respectively."
    )
    assert got == {"problem_finding": {"fairly_high"}, "problem_analysis": {"medium"}, "solution_generation": {"low"}}
    assert took("Her moral cultivation is high. So is her cultural literacy.", "values")["cultural_literacy"] == {
        "high"
    }
    assert took("Overall state fairly low. Happiness lower still.", "mental_health")["happiness"] == {"low"}
    assert took("Her depression and anxiety risk are both low.", "mental_health") == {
        "depression_risk": {"low"},
        "anxiety_risk": {"low"},
    }


def test_hedges_and_level_words_in_other_words_are_not_read():
    assert took("It is unclear whether her anxiety risk is high.", "mental_health") == {"anxiety_risk": "unread"}
    assert took("Her rule of law awareness grew in high school.", "values") == {"rule_of_law": "unread"}
    assert took("Her moral cultivation highlights her kindness.", "values") == {"moral_cultivation": "unread"}
    # "his weak point" is a comparison within the student, not a level: the level is "only medium"
    got = took("He generates solutions well, but refinement is his weak point, only medium.", "creativity")
    assert got["solution_refinement"] == {"medium"}


@pytest.mark.parametrize(
    "text, dim, want",
    [
        ("她的道德修养较高，法治意识处于中等水平。", "rule_of_law", {"medium"}),
        ("在文化素养方面表现一般，家庭观念很强。", "cultural_literacy", {"medium"}),
        ("她具有较高的文化素养和较强的法治观念。", "rule_of_law", {"fairly_high"}),
        ("流畅性和灵活性均处于中等水平，新颖性并不差。", "flexibility", {"medium"}),
        ("流畅性和灵活性均处于中等水平，新颖性并不差。", "novelty", {"medium", "upper_middle", "fairly_high", "high"}),
        ("问题发现、问题分析和提出方案依次为较高、中等和较低。", "solution_generation", {"fairly_low"}),
        ("法治意识，据班主任观察，属于中等。", "rule_of_law", {"medium"}),
        ("在问题发现方面，她表现突出，常能注意到数据异常。", "problem_finding", {"high"}),
        ("新颖性在同龄人中名列前茅，可行性有待提高。", "feasibility", {"fairly_low", "low"}),
        ("他的灵活性——尤其是在数学竞赛中——明显较高。", "flexibility", {"fairly_high"}),
        (
            "她的身心健康不算高，文化素养略显不足。",
            "physical_mental_health",
            {"low", "fairly_low", "medium", "upper_middle", "fairly_high"},
        ),
    ],
)
def test_chinese_constructions(text, dim, want):
    assert took(text)[dim] == want


def test_chinese_level_characters_inside_other_words_are_not_levels():
    assert took("他在高中阶段提高了政治认同。", "values") == {"political_identity": "unread"}
    assert took("在身心健康中，他最关注睡眠。", "values") == {"physical_mental_health": "unread"}
    assert took("抑郁风险是否较高尚难判断。", "mental_health") == {"depression_risk": "unread"}


def test_one_language_detector():
    assert language_of("当前抑郁风险和焦虑风险整体偏低。") == "zh" and language_of("Her fluency is high.") == "en"
    assert language_of("Her name is 陈雨彤 and she likes maths.") == "en"


def test_the_original_authors_example_paragraphs():
    """The example persona of the original generator's prompt: the levels a careful reader takes are
    read (13 of 19, 较好 as upper-middle or fairly high), the hedged descriptions (较为清晰,
    较为稳定, 略显保守 ...) are reported as unread, never guessed."""
    ex = json.loads((FIXTURES / "authors_example.json").read_text(encoding="utf-8"))
    got = {}
    for key, part in (("价值观", "values"), ("创造力", "creativity"), ("心理健康", "mental_health")):
        got.update(took(ex[key], part))
    assert got == {
        "moral_cultivation": {"fairly_high"},
        "physical_mental_health": {"medium"},
        "rule_of_law": "unread",  # 法治意识较为清晰
        "social_responsibility": {"medium"},
        "political_identity": "unread",
        "cultural_literacy": {"medium"},
        "family_orientation": "unread",  # 家庭观念较为稳定
        "fluency": {"upper_middle"},
        "novelty": {"medium"},
        "flexibility": {"fairly_low"},  # 中等偏下
        "feasibility": {"fairly_high"},  # 整体较高
        "problem_finding": {"upper_middle", "fairly_high"},  # 表现较好
        "problem_analysis": {"upper_middle", "fairly_high"},
        "solution_generation": "unread",
        "solution_refinement": "unread",  # 略显保守
        "overall_state": {"upper_middle"},
        "happiness": {"medium"},
        "depression_risk": {"low", "mild"},  # 整体偏低
        "anxiety_risk": {"low", "mild"},
    }


def test_resolve_gives_one_step_or_says_why():
    r = read(
        "Her novelty is strong. Her fluency is medium. Her flexibility is high. Later, her flexibility is low.",
        VOCAB.parts["creativity"],
        VOCAB,
    )
    assert resolve(r, "fluency", VOCAB) == ("medium", "")
    assert "allows fairly high or high" in resolve(r, "novelty", VOCAB)[1]
    assert "conflicting" in resolve(r, "flexibility", VOCAB)[1]
    assert "not mentioned" in resolve(r, "feasibility", VOCAB)[1]

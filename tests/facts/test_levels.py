"""Reading levels in prose (hachimi/facts/levels.py): English and Chinese, graded phrases,
coordinated mentions, hedges reported and never guessed; the original authors' own example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hachimi.facts.levels import language_of, load_vocabulary, read
from hachimi.resources import CONSTRAINTS

VOCAB = load_vocabulary(str(CONSTRAINTS / "k12" / "vocab" / "levels.toml"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hachimi_zh"


def stated(text: str, part: str) -> dict[str, object]:
    """dimension -> its one value, or the reason it has none (mentioned dimensions only)."""
    out = {}
    for d, r in read(text, VOCAB.parts[part], VOCAB).items():
        if r.mentioned:
            out[d] = r.values[0] if len(r.values) == 1 else (r.values or r.reason)
    return out


@pytest.mark.parametrize(
    "text, want",
    [
        ("Her moral cultivation is fairly high: she keeps promises.", "fairly_high"),
        ("His moral cultivation remains slightly below average.", "fairly_low"),
        ("Moral cultivation: upper-middle, thanks to scouting.", "upper_middle"),
        ("She shows a fairly high moral cultivation in class.", "fairly_high"),
        ("Her moral cultivation is on the high side.", "fairly_high"),
        ("Her moral cultivation is average.", "medium"),
        ("Her moral cultivation is not high.", "hedged"),
        ("Her moral cultivation helps low-income classmates.", "no level word"),
        ("Her moral cultivation highlights her kindness.", "no level word"),
    ],
)
def test_english_level_phrases(text, want):
    assert stated(text, "values") == {"moral_cultivation": want}


def test_english_coordination_and_groups():
    text = "Her fluency and flexibility are medium, while novelty is fairly high."
    assert stated(text, "creativity") == {"fluency": "medium", "flexibility": "medium", "novelty": "fairly_high"}
    mh = "She worries before exams; her depression and anxiety risk are both low, and happiness is high."
    assert stated(mh, "mental_health") == {"depression_risk": "low", "anxiety_risk": "low", "happiness": "high"}


def test_conflicting_statements_keep_both_values():
    text = "Her novelty is high. Later we learn her novelty is low."
    assert read(text, VOCAB.parts["creativity"], VOCAB)["novelty"].values == ["high", "low"]


def test_risk_scale_words_differ_from_level_scale_words():
    assert stated("Her anxiety risk is moderate and her overall mental state is moderate.", "mental_health") == {
        "anxiety_risk": "moderate",
        "overall_state": "medium",
    }
    assert stated("Her anxiety risk is elevated.", "mental_health") == {
        "anxiety_risk": "'elevated' has no value on the risk scale"
    }


def test_chinese_graded_and_coordinated():
    text = "当前抑郁风险和焦虑风险整体偏低。综合心理状况处于中等偏上水平。幸福指数中上水平。"
    assert stated(text, "mental_health") == {
        "depression_risk": "mild",
        "anxiety_risk": "mild",
        "overall_state": "upper_middle",
        "happiness": "upper_middle",
    }
    assert language_of(text) == "zh" and language_of("Her fluency is high.") == "en"


def test_the_original_authors_example_paragraphs():
    """The example persona of the original generator's prompt: every level word a careful reader
    takes is read (12), and the hedged descriptions (较为清晰, 表现较好, 略显保守 ...) are reported
    as 'no level word', never guessed."""
    ex = json.loads((FIXTURES / "authors_example.json").read_text(encoding="utf-8"))
    values, creativity, mh = (
        stated(ex[k], p) for k, p in (("价值观", "values"), ("创造力", "creativity"), ("心理健康", "mental_health"))
    )
    assert values == {
        "moral_cultivation": "fairly_high",
        "physical_mental_health": "medium",
        "rule_of_law": "no level word",  # 法治意识较为清晰
        "social_responsibility": "medium",  # 社会责任感中等
        "political_identity": "no level word",
        "cultural_literacy": "medium",
        "family_orientation": "no level word",  # 家庭观念较为稳定
    }
    assert creativity == {
        "fluency": "upper_middle",
        "novelty": "medium",
        "flexibility": "fairly_low",  # 中等偏下
        "feasibility": "fairly_high",  # 整体较高
        "problem_finding": "no level word",  # 表现较好
        "problem_analysis": "no level word",
        "solution_generation": "no level word",
        "solution_refinement": "no level word",  # 略显保守
    }
    assert mh == {
        "overall_state": "upper_middle",
        "happiness": "medium",
        "depression_risk": "mild",
        "anxiety_risk": "mild",
    }
    read_levels = sum(isinstance(v, str) and v != "no level word" for d in (values, creativity, mh) for v in d.values())
    assert read_levels == 12

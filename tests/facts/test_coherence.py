"""Coherence facts: curriculum table, pinyin agent names, pronouns and roles, adult content, lexicon files."""

import re

import pytest

from hachimi.plugins.k12.schema import K12
from hachimi.errors import TheoryError
from hachimi.facts import coherence
from hachimi.plugins.k12.names import Surnames, segments, verdict
from hachimi.facts.text import Terms, terms_in
from hachimi.plugins.k12 import enums as E
from hachimi.theory.pack import lexicon_file

SURNAMES = Surnames(frozenset({"欧阳"}), {"单": ("shan4",)})


@pytest.fixture(scope="module")
def cfg(theory):
    return theory.text.checks["coherence"][1]


def test_curriculum_has_one_span_per_subject(theory):
    text = (theory.root / "rules" / "curriculum.lp").read_text(encoding="utf-8")
    spans = re.findall(r"^offered\((\w+), (\d+), (\d+)\)\.", text, re.M)
    assert sorted(s for s, _, _ in spans) == sorted(E.SUBJECTS)
    table = {s: (int(a), int(b)) for s, a, b in spans}
    assert table["physics"][0] == 8 and table["chemistry"][0] == 9 and table["english"][0] == 3
    assert table["morality_and_law"] == (1, 9) and table["politics"] == (10, 12)
    for grade in E.GRADES:  # every grade keeps enough subjects for 1-3 strong and 1-3 weak ones
        assert sum(a <= grade <= b for a, b in table.values()) >= 6


@pytest.mark.parametrize(
    "name, agent, want",
    [
        ("陈雨彤", "chen2_yu3tong2", "ok"),
        ("陈雨彤", "chen2yu3_tong2", "mismatch"),
        ("陈雨彤", "chen4_yu3tong2", "mismatch"),
        ("单雄信", "shan4_xiong2xin4", "ok"),
        ("欧阳娜娜", "ou1yang2_na4na4", "ok"),
        ("Chen Yutong", "chen2_yu3tong2", "ok"),
        ("Chen Yutong", "chen1_yu1tong1", "ok"),  # tones cannot be checked from a romanised name
        ("Chen Yutong", "wang2_xiao3ming2", "mismatch"),
        ("Lü Xin", "lv3_xin1", "ok"),
        ("Dadrona Yao", "family1yawadi1_williu3dam4cabfde1", "not_pinyin"),
        ("Alejandro Lopez", "alexbj1zm3_aemnab4dffwfx1rldvhg1", "not_pinyin"),
        ("Emma 王", "wang2_ai4ma3", "not_pinyin"),
    ],
)
def test_agent_name_verdicts(name, agent, want):
    assert verdict(name, agent, SURNAMES) == want


def test_syllables_come_from_pypinyin():
    assert segments("yutong") and segments("zhuang") and not segments("dadrona") and not segments("ng")


def test_pronouns_he_throughout_a_girl(cfg):
    text = "He is quiet in class. His friends say he helps them."
    assert coherence.text_genders(text, cfg.persons) == ["male"]


def test_pronouns_her_brother_is_no_false_alarm(cfg):
    text = "She is close to her brother; he is six, and he likes it when she walks him to school."
    assert "male" not in coherence.text_genders(text, cfg.persons)


def test_chinese_pronouns_ignore_other_words(cfg):
    assert coherence.text_genders("她喜欢弹吉他，其他同学也爱听。", cfg.persons) == ["female"]
    assert coherence.text_genders("他每天练习吉他。", cfg.persons) == ["male"]


def test_adult_roles(cfg):
    roles = lambda t: coherence.adult_roles(t, cfg.persons)  # noqa: E731
    assert roles("A very proud and devoted father who has always instilled in his daughter the importance of") == [
        "parent"
    ]
    assert roles("Her husband helps at home.") == ["spouse"]
    assert roles("Her father is a devoted father who works late.") == []
    assert roles("Her grandmother's husband is kind.") == []


def test_age_topics(cfg):
    topics = lambda t: coherence.adult_topics(t, cfg, cfg.persons)  # noqa: E731
    assert topics("She drinks beer and smokes after class.") == ["alcohol", "smoking"]
    assert topics("Her father smokes on the balcony.") == []  # about someone else
    assert topics("She worries about her parents' jobs and joined a no-smoking club.") == []
    assert topics("She keeps updating her notes.") == []  # "dating" only at a word start


def test_facts_and_domain(cfg):
    values = {
        "enrollment.name": "Dadrona Yao",
        "enrollment.agent_name": "family1yawadi1_williu3dam4cabfde1",
        "values.personality": "A very proud and devoted father.",
    }
    atoms = {f.atom(0) for f in coherence.facts(values, cfg)}
    assert atoms == {"name_not_pinyin(0)", 'adult_role(0,"values.personality",parent)'}
    domain = {f.atom(0) for f in coherence.domain(cfg)}
    assert atoms <= domain and len(domain) < 200


def test_configure_refuses_unknown_keys_and_fields(tmp_path):
    with pytest.raises(TheoryError, match="colour"):
        coherence.configure({"colour": "red"}, tmp_path, "theory.toml", K12)
    with pytest.raises(TheoryError, match="not a text field"):
        coherence.configure({"persons": "p.toml", "person_fields": ["enrollment.age"]}, tmp_path, "theory.toml", K12)
    with pytest.raises(TheoryError, match="no such file"):
        coherence.configure(
            {"names": "hachimi.plugins.k12.names", "name_data": "missing.toml"}, tmp_path, "theory.toml", K12
        )
    with pytest.raises(TheoryError, match="no such module"):
        coherence.configure({"names": "hachimi.plugins.nope"}, tmp_path, "theory.toml", K12)
    with pytest.raises(TheoryError, match="lacks verdict"):
        coherence.configure({"names": "json"}, tmp_path, "theory.toml", K12)


def test_lexicon_file_and_allowed_phrases(tmp_path):
    path = tmp_path / "lex.toml"
    path.write_text('[terms]\nen = ["trauma", "disorder"]\n[allow]\nen = ["anxiety risk"]\n', encoding="utf-8")
    assert lexicon_file(path, "[features.lexicons.x]") == (["trauma", "disorder"], ["anxiety risk"])
    path.write_text("[terms]\nen = 3\n", encoding="utf-8")
    with pytest.raises(TheoryError, match="terms.en"):
        lexicon_file(path, "[features.lexicons.x]")
    terms = Terms(["anxiety", "trauma"], ("Anxiety risk",))
    assert terms_in("Her anxiety risk is low; underlying Trauma.", terms) == ["trauma"]


def test_r12_lexicon_comes_from_its_file(theory):
    fields, terms = theory.text.lexicons["clinical"]
    assert {"illicit substance", "trauma", "adhd", "自残", "厌食症", "medication"} <= set(terms)
    assert "depression risk" in theory.text.lexicon_allow["clinical"]

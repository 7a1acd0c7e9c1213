"""Tests of hachimi.convert: original HACHIMI records (fixtures/hachimi_zh) -> v1 personas."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]

from hachimi.plugins.k12.convert import zh_vocab as V  # noqa: E402
from hachimi.plugins.k12.convert.hachimi_zh import (  # noqa: E402
    academic_level_of,
    age_of,
    convert_lines,
    convert_record,
    grade_of,
    stage_key,
)
from hachimi.text.reader import read, resolve  # noqa: E402
from hachimi.plugins.k12 import enums as E  # noqa: E402
from hachimi.plugins.k12.persona import Persona  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "hachimi_zh" / "original.jsonl"
LINES = FIXTURE.read_text(encoding="utf-8").splitlines()
RECORDS = [json.loads(line) for line in LINES]
CONVERTED = dict(convert_lines(LINES))
BY_ID = {c.persona["id"]: c for c in CONVERTED.values()}
CLEAN = [c for c in CONVERTED.values() if not c.problems]


DIMS = {**V.VALUE_DIMENSIONS, **V.CREATIVITY_DIMENSIONS, **V.MENTAL_LEVEL_INDICATORS, **V.MENTAL_RISK_INDICATORS}


def reason_of(text: str, name: str, source: str = "测试") -> tuple[str | None, str]:
    vocab = V.vocabulary()
    return resolve(read(text, (DIMS[name],), vocab, "zh"), DIMS[name], vocab, name, source)


def level_of(text: str, name: str) -> str | None:
    return reason_of(text, name)[0]


# ---- the fixture ------------------------------------------------------------------------------


def test_fixture_has_the_promised_coverage():
    assert len(RECORDS) >= 12
    assert {r["年级"] for r in RECORDS} >= set(V.GRADES) - {"七年级", "八年级", "九年级"}
    assert any("_采样约束" in r for r in RECORDS) and any("_采样约束" not in r for r in RECORDS)


def test_every_record_converts_to_a_persona():
    assert sorted(CONVERTED) == list(range(1, len(LINES) + 1))
    assert all(c.persona is not None for c in CONVERTED.values())


def test_records_without_problems_pass_the_strict_model():
    assert len(CLEAN) >= 10
    for converted in CLEAN:
        Persona.model_validate(converted.persona)


def test_every_problem_names_a_field_and_the_original_text():
    for converted in CONVERTED.values():
        for problem in converted.problems:
            field, _, why = problem.partition(": ")
            assert field and why, problem


def test_record_without_id_is_named_by_its_line():
    line = next(i for i, r in enumerate(RECORDS, 1) if "id" not in r)
    assert CONVERTED[line].persona["id"] == f"zh-{line}"


def test_slot_is_mapped_when_present_and_absent_otherwise():
    assert BY_ID["g08-female-low-000017"].persona["slot"] == {
        "grade": 8,
        "gender": "female",
        "subject_bias": ["math", "physics"],
        "academic_level": "low",
    }
    bias = BY_ID["g03-female-medium-000102"].persona["slot"]["subject_bias"]
    assert bias == ["chinese", "english"]
    assert "slot" not in BY_ID["zh-g01-male-0001"].persona


def test_enrollment_and_academic_mapping():
    persona = BY_ID["g08-female-low-000017"].persona
    assert persona["enrollment"] == {
        "name": "陈雨桐",
        "agent_name": "chen2_yu3tong2",
        "age": 13,
        "gender": "female",
        "grade": 8,
        "stages": {"piaget": "formal_operational", "erikson": "identity_vs_role_confusion", "kohlberg": "conventional"},
    }
    assert persona["academic"] == {"strong_subjects": ["math", "physics"], "weak_subjects": ["english"], "level": "low"}
    young = BY_ID["zh-g01-male-0001"].persona["enrollment"]
    assert young["stages"] == {
        "piaget": "preoperational",
        "erikson": "initiative_vs_guilt",
        "kohlberg": "preconventional",
    }
    g06 = BY_ID["zh-g06-female-0005"].persona
    assert g06["enrollment"]["age"] == 12  # "12岁"
    assert g06["academic"]["strong_subjects"] == ["math", "science"]  # "数学、科学"
    assert g06["enrollment"]["stages"]["piaget"] == "concrete_operational"  # note names 形式运算


# ---- the traps in the fixture -----------------------------------------------------------------


def test_trap_words_near_dimensions_are_not_levels():
    levels = BY_ID["g08-female-low-000017"].persona["values"]["levels"]
    assert levels == {
        "moral_cultivation": "fairly_high",
        "physical_mental_health": "medium",
        "rule_of_law": "upper_middle",
        "social_responsibility": "fairly_low",
        "political_identity": "medium",
        "cultural_literacy": "fairly_high",
        "family_orientation": "high",
    }  # 中学 提高 其中 降低 in the spans


def test_fairly_high_versus_high():
    levels = BY_ID["zh-g01-male-0001"].persona["values"]["levels"]
    assert levels["moral_cultivation"] == "high"
    assert levels["physical_mental_health"] == "fairly_high"
    creativity = BY_ID["zh-g01-male-0001"].persona["creativity"]["levels"]
    assert creativity["fluency"] == "fairly_high" and creativity["novelty"] == "high"


def test_upper_middle_versus_medium():
    values = BY_ID["zh-g05-male-0004"].persona["values"]["levels"]
    assert values["moral_cultivation"] == "upper_middle"
    assert values["physical_mental_health"] == "medium" and values["cultural_literacy"] == "medium"
    assert values["family_orientation"] == "upper_middle"
    creativity = BY_ID["zh-g05-male-0004"].persona["creativity"]["levels"]
    assert creativity["novelty"] == "medium" and creativity["feasibility"] == "medium"  # not 中间


def test_zhongdeng_pianshang_and_gaozhong():
    levels = BY_ID["zh-g10-male-0008"].persona["values"]["levels"]
    assert levels["moral_cultivation"] == "upper_middle"
    assert levels["physical_mental_health"] == "medium"  # 高中课程 in the span


def test_mental_health_text_mapping():
    health = BY_ID["g08-female-low-000017"].persona["mental_health"]
    assert (health["overall_state"], health["happiness"]) == ("medium", "fairly_low")
    assert (health["depression_risk"], health["anxiety_risk"]) == ("mild", "moderate")
    assert health["traits"] == ["敏感细腻", "责任心强", "略显内向"]
    assert health["condition"] == "none_observed"
    assert health["background"].startswith("家庭背景方面") and "支持" in health["supports"]


def test_mental_health_object_and_coordinated_risks():
    health = BY_ID["zh-g05-male-0004"].persona["mental_health"]
    assert (health["overall_state"], health["happiness"]) == ("upper_middle", "medium")
    assert (health["depression_risk"], health["anxiety_risk"]) == ("low", "mild")
    assert health["traits"] == ["好胜", "外向", "有时急躁"]
    assert health["background"].startswith("父母工作忙碌")
    both_low = BY_ID["g09-female-high-000044"].persona["mental_health"]  # 抑郁风险与焦虑风险均为低
    assert (both_low["depression_risk"], both_low["anxiety_risk"]) == ("low", "low")
    assert both_low["traits"] == ["自律", "温和", "责任心强"]


def test_creativity_object_and_radar_summary():
    creativity = BY_ID["g07-male-poor-000031"].persona["creativity"]
    assert creativity["levels"]["flexibility"] == "upper_middle"
    assert creativity["levels"]["problem_analysis"] == "low"
    assert "雷达" in creativity["radar_summary"]
    radar = BY_ID["g08-female-low-000017"].persona["creativity"]["radar_summary"]
    assert radar.startswith("总体雷达来看") and radar.endswith("短板。")


def test_narratives_are_flattened_to_one_paragraph():
    persona = BY_ID["zh-g10-male-0008"].persona
    assert "\n" in RECORDS[7]["社交关系"]
    assert "\n" not in persona["social"]["relationships"]
    assert "\n" not in persona["values"]["narrative"]


# ---- records with problems --------------------------------------------------------------------


def test_unfindable_level_is_reported_not_guessed():
    converted = BY_ID["zh-g04-female-0011"]
    assert "rule_of_law" not in converted.persona["values"]["levels"]
    assert len(converted.problems) == 1
    assert converted.problems[0].startswith("values.levels.rule_of_law: no level word found after 法治意识")
    assert "较为清晰" in converted.problems[0]


def test_unknown_grade_is_reported():
    converted = BY_ID["zh-college-male-0012"]
    assert "grade" not in converted.persona["enrollment"]
    assert converted.problems == [
        'enrollment.grade: cannot read a grade (一年级…六年级, 初一…初三, 高一…高三) from 年级 "大一"'
    ]


def test_unknown_subject_stage_and_off_scale_words_are_reported():
    converted = BY_ID["zh-g02-male-0013"]
    fields = [p.split(":")[0] for p in converted.problems]
    assert fields == ["enrollment.stages.erikson", "academic.strong_subjects"]
    assert "信任对不信任" in converted.problems[0] and "综合实践" in converted.problems[1]
    # graded phrases come from the pack's level vocabulary: 中等偏下 is read as 较低, risk 偏低 as mild
    assert converted.persona["creativity"]["levels"]["novelty"] == "fairly_low"
    assert converted.persona["mental_health"]["depression_risk"] == "mild"
    assert converted.persona["academic"]["strong_subjects"] == ["pe"]
    assert converted.persona["values"]["levels"]["family_orientation"] == "fairly_high"  # 在家庭观念中


def test_broken_record_reports_missing_fields_and_strict_model_errors():
    converted = BY_ID["zh-g09-female-0014"]
    text = "\n".join(converted.problems)
    assert "social.relationships: missing or empty 社交关系" in text
    assert "mental_health.traits:" in text
    assert "(unmapped) 备注:" in text
    assert "enrollment.agent_name: not valid in the v1 model" in text and "HeZihan" in text
    assert converted.persona["academic"]["level"] == "high"  # bare leading 高 before the colon
    assert "social" not in converted.persona


def test_text_over_the_model_limit_is_reported_not_truncated():
    record = copy.deepcopy(RECORDS[0])
    record["社交关系"] = "她和同学相处融洽。" * 120
    converted = convert_record(record)
    assert converted.persona["social"]["relationships"] == record["社交关系"]
    assert any(
        p.startswith("social.relationships: not valid in the v1 model") and "1080 characters" in p
        for p in converted.problems
    )


def test_missing_text_fields_are_left_out_and_reported():
    record = {k: v for k, v in RECORDS[0].items() if k not in ("价值观", "心理健康", "id")}
    converted = convert_record(record)
    assert "levels" not in converted.persona["values"] and "mental_health" not in converted.persona
    fields = {p.split(":")[0] for p in converted.problems}
    assert {"id", "values.narrative", "values.levels", "mental_health.narrative"} <= fields


def test_non_json_lines_report_their_line_number():
    lines = [LINES[0], '{"id": "x", ', "", "[1, 2]", LINES[1]]
    results = dict(convert_lines(lines))
    assert sorted(results) == [1, 2, 4, 5]  # the blank line holds no record
    assert results[2].persona is None and results[2].problems[0].startswith("line 2: not JSON:")
    assert results[4].persona is None and results[4].problems[0].startswith("line 4: record is not")
    assert results[1].persona["id"] == RECORDS[0]["id"] and results[5].persona is not None


# ---- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("身心健康较高，注重提高自己。", "fairly_high"),
        ("身心健康高，注重提高自己。", "high"),
        ("身心健康中上水平。", "upper_middle"),
        ("身心健康为中，进入中学后有所波动。", "medium"),
        ("身心健康中等，高中课程多。", "medium"),
        ("身心健康中等偏上。", "upper_middle"),
        ("身心健康整体较低，希望降低压力。", "fairly_low"),
        ("身心健康是低，其中睡眠最差。", "low"),
        ("身心健康：较高", "fairly_high"),
        ("身心健康处于中上游。", None),  # 中上游 is not a level
        ("身心健康处于中间位置。", None),  # 中间
        ("身心健康比较高。", "fairly_high"),  # graded phrases from the pack's vocabulary
        ("身心健康偏低。", "fairly_low"),
        ("身心健康整体偏高，很少生病。", "fairly_high"),
        ("身心健康中等偏下。", "fairly_low"),
        ("身心健康高于同龄人。", None),  # higher than peers: upper-middle to high, not one v1 value
        ("身心健康正在提高，压力在降低。", None),
        ("在身心健康中，他最关注睡眠。", None),  # 在…中 = "in"
        ("身心健康较高，但成绩处于中等。", "fairly_high"),  # 中等 rates 成绩, not 身心健康
        ("身心健康较高，但身心健康又处于中等。", None),  # conflicting statements
        ("身心健康中下。", "fairly_low"),  # read as 较低, the next step down
        ("道德修养较高。", None),  # not mentioned
    ],
)
def test_level_extraction(text, expected):
    assert level_of(text, "身心健康") == expected


def test_level_extraction_reasons_name_the_problem():
    reasons = {
        name: reason_of(text, name, "价值观")[1]
        for name, text in (
            ("身心健康", "身心健康较高，但身心健康又处于中等。"),
            ("文化素养", "文化素养令人印象深刻。"),
            ("家庭观念", "道德修养较高。"),
        )
    }
    assert "conflicting level words 较高、中等" in reasons["身心健康"]
    assert "no level word found after 文化素养 in 价值观" in reasons["文化素养"]
    assert reasons["家庭观念"] == "家庭观念 not mentioned in 价值观"


def test_coordinated_dimensions_share_the_level_and_stay_separate_otherwise():
    text = "抑郁风险和焦虑风险均为轻度。幸福指数中等，抑郁风险轻度。"
    vocab = V.vocabulary()
    r = read(text, ("depression_risk", "anxiety_risk", "happiness"), vocab, "zh")
    assert resolve(r, "depression_risk", vocab)[0] == "mild"
    assert resolve(r, "anxiety_risk", vocab)[0] == "mild"
    assert resolve(r, "happiness", vocab)[0] == "medium"


@pytest.mark.parametrize(
    "word, risk",
    [
        ("低", "low"),
        ("轻度", "mild"),
        ("轻", "mild"),
        ("较低", None),  # low or mild: not one v1 value
        ("中", "moderate"),
        ("中等", "moderate"),
        ("中度", "moderate"),
        ("高", "high"),
        ("较高", None),  # moderate or high
        ("中上", None),
    ],
)
def test_risk_mapping(word, risk):
    assert level_of(f"焦虑风险为{word}，需要关注。", "焦虑风险") == risk


@pytest.mark.parametrize(
    "raw, key",
    [
        ("形式运算阶段（开始发展抽象思维）", "形式运算"),
        ("具体运算阶段(7-11岁)", "具体运算"),
        ("前运算阶段", "前运算"),
        ("同一性对角色混乱", "同一性对角色混乱"),
        ("身份对角色混乱（自我同一性探索期）", "身份对角色混乱"),
        ("勤奋 vs 自卑", "勤奋对自卑"),
        ("前习俗水平（惩罚与服从取向）", "前习俗"),
        ("习俗水平（好孩子取向）", "习俗"),
        ("后习俗水平", "后习俗"),
    ],
)
def test_stage_key(raw, key):
    assert stage_key(raw) == key


def test_grades_ages_and_academic_levels():
    grades = [
        "一年级",
        "二年级",
        "三年级",
        "四年级",
        "五年级",
        "六年级",
        "初一",
        "初二",
        "初三",
        "高一",
        "高二",
        "高三",
    ]
    assert [grade_of(g) for g in grades] == list(E.GRADES)
    assert grade_of("大一") is None and grade_of(13) is None and grade_of(True) is None
    assert [age_of(a) for a in (13, "13岁", " 9 ", 12.0)] == [13, 13, 9, 12]
    assert age_of("十三岁") is None and age_of(True) is None
    assert [academic_level_of(s) for s in V.ACADEMIC_EXACT] == list(E.ACADEMIC_LEVELS)
    assert academic_level_of("差:倒数") == "poor" and academic_level_of("中等") is None


def test_vocabulary_tables_use_the_v1_enums():
    assert sorted(V.VALUE_DIMENSIONS.values()) == sorted(E.VALUE_DIMENSIONS)
    assert sorted(V.CREATIVITY_DIMENSIONS.values()) == sorted(E.CREATIVITY_DIMENSIONS)
    assert set(V.SUBJECTS.values()) == set(E.SUBJECTS)
    assert set(V.GENDERS.values()) == set(E.GENDERS)
    vocab = V.vocabulary()
    assert {s for steps in vocab.words["zh"]["level"].values() for s in steps} == set(E.LEVELS)
    assert {s for steps in vocab.words["zh"]["risk"].values() for s in steps} == set(E.RISKS)
    for theory, (_, table) in V.STAGE_KEYS.items():
        assert set(table.values()) == set(E.STAGES[theory])

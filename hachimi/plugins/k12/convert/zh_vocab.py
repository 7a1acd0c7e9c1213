"""Vocabulary tables: Chinese words of original HACHIMI records -> v1 enum values."""

from __future__ import annotations

GENDERS = {"男": "male", "女": "female"}

GRADES = {
    "一年级": 1,
    "二年级": 2,
    "三年级": 3,
    "四年级": 4,
    "五年级": 5,
    "六年级": 6,
    "七年级": 7,
    "八年级": 8,
    "九年级": 9,
    "初一": 7,
    "初二": 8,
    "初三": 9,
    "高一": 10,
    "高二": 11,
    "高三": 12,
}

SUBJECTS = {
    "语文": "chinese",
    "数学": "math",
    "英语": "english",
    "物理": "physics",
    "化学": "chemistry",
    "生物": "biology",
    "历史": "history",
    "地理": "geography",
    "政治": "politics",
    "道德与法治": "morality_and_law",
    "美术": "art",
    "音乐": "music",
    "体育": "pe",
    "信息技术": "it",
    "科学": "science",
    "书法": "calligraphy",
    "劳动与技术": "labor",
}

# The four exact strings of the original; a bare leading 高/中/低/差 before the colon also counts.
ACADEMIC_EXACT = {
    "高：成绩全校排名前10%": "high",
    "中：成绩全校排名前10%至30%": "medium",
    "低：成绩全校排名前30%至50%": "low",
    "差：成绩全校排名后50%": "poor",
}
ACADEMIC_LEADING = {"高": "high", "中": "medium", "低": "low", "差": "poor"}

# Stage names after notes and the suffixes 阶段/期/水平 are removed (see hachimi_zh.stage_key).
PIAGET = {"前运算": "preoperational", "具体运算": "concrete_operational", "形式运算": "formal_operational"}
ERIKSON = {
    "主动对内疚": "initiative_vs_guilt",
    "勤奋对自卑": "industry_vs_inferiority",
    "身份对角色混乱": "identity_vs_role_confusion",
    "同一性对角色混乱": "identity_vs_role_confusion",
    "自我同一性对角色混乱": "identity_vs_role_confusion",
}
KOHLBERG = {"前习俗": "preconventional", "习俗": "conventional", "后习俗": "postconventional"}
STAGE_KEYS = {
    "piaget": ("皮亚杰认知发展阶段", PIAGET),
    "erikson": ("埃里克森心理社会发展阶段", ERIKSON),
    "kohlberg": ("科尔伯格道德发展阶段", KOHLBERG),
}

VALUE_DIMENSIONS = {
    "道德修养": "moral_cultivation",
    "身心健康": "physical_mental_health",
    "法治意识": "rule_of_law",
    "社会责任": "social_responsibility",
    "政治认同": "political_identity",
    "文化素养": "cultural_literacy",
    "家庭观念": "family_orientation",
}
CREATIVITY_DIMENSIONS = {
    "流畅性": "fluency",
    "新颖性": "novelty",
    "灵活性": "flexibility",
    "可行性": "feasibility",
    "问题发现": "problem_finding",
    "问题分析": "problem_analysis",
    "提出方案": "solution_generation",
    "改善方案": "solution_refinement",
}
MENTAL_LEVEL_INDICATORS = {"综合心理状况": "overall_state", "幸福指数": "happiness"}
MENTAL_RISK_INDICATORS = {"抑郁风险": "depression_risk", "焦虑风险": "anxiety_risk"}


# Level and risk words (the original's 高 较高 中上 中 较低 低, variants and graded phrases such as
# 偏低 中等偏下 中上水平) are the k12 pack's level vocabulary, read by the one text reader
# (hachimi/text/), as the validator's narrative-level check reads them.
def vocabulary():
    """The k12 pack's level vocabulary (loaded once)."""
    from ....facts.levels import vocabulary_of
    from ..schema import K12
    from ....resources import CONSTRAINTS

    return vocabulary_of(CONSTRAINTS / "k12" / "vocab" / "levels.toml", K12)


# The original format rates risks with its level words; where the pack's reading of such a word allows
# two risk steps (较低: low or mild), the converter keeps its documented one-value mapping.
ORIGINAL_RISK = {"较低": "mild", "偏低": "mild", "比较低": "mild", "较高": "high", "偏高": "high", "比较高": "high"}

NO_SYMPTOMS = "信息不足或未见显著症状"
TRAIT_KEYS = ("性格特征", "性格特点", "特质")
BACKGROUND_KEYS = ("背景", "家庭")
SUPPORT_KEYS = ("支持", "支撑")
RADAR_KEY = "雷达"

SLOT_KEYS = {"年级": "grade", "性别": "gender", "优势学科偏向": "subject_bias", "目标学术水平": "academic_level"}
EMPTY_BIAS = ("", "无", "不限")

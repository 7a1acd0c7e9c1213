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

# Level words of the original (高 较高 中上 中 较低 低), plus 中等 = 中 and 中等偏上 = 中上.
# A value of None marks a word that is recognised as a level but has no v1 counterpart
# (中下 / 中等偏下 fall between 中 and 较低 on a scale that has no such step): reported, never guessed.
LEVEL_WORDS: dict[str, str | None] = {
    "高": "high",
    "较高": "fairly_high",
    "中上": "upper_middle",
    "中等偏上": "upper_middle",
    "中": "medium",
    "中等": "medium",
    "较低": "fairly_low",
    "低": "low",
    "中下": None,
    "中等偏下": None,
}
# Risk words (抑郁风险 / 焦虑风险 -> low mild moderate high).
RISK_WORDS: dict[str, str | None] = {
    "低": "low",
    "轻": "mild",
    "轻度": "mild",
    "较低": "mild",
    "中": "moderate",
    "中等": "moderate",
    "中度": "moderate",
    "高": "high",
    "较高": "high",
    "中上": None,
    "中下": None,
    "中等偏上": None,
    "中等偏下": None,
}

NO_SYMPTOMS = "信息不足或未见显著症状"
TRAIT_KEYS = ("性格特征", "性格特点", "特质")
BACKGROUND_KEYS = ("背景", "家庭")
SUPPORT_KEYS = ("支持", "支撑")
RADAR_KEY = "雷达"

SLOT_KEYS = {"年级": "grade", "性别": "gender", "优势学科偏向": "subject_bias", "目标学术水平": "academic_level"}
EMPTY_BIAS = ("", "无", "不限")

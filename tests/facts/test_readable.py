"""Readable prose (hachimi/facts/readable.py): real words, run-ons, glued names, one language, a
personality that describes, short traits; the [features.readable] table; domain and facts agree."""

from pathlib import Path

import pytest

from hachimi.plugins.k12.schema import K12
from hachimi.errors import TheoryError
from hachimi.facts import readable as R
from conftest import set_path

# verbatim from examples/run-balanced-48/personas.jsonl (line 2, 23, 9) and from issue 10
SALAD = (
    "It's a long story butmoral cultivation was instilled fromiphysical and mental health to legalismin 'the-rule "
    "of laws' which hadto beleasocial responsibilitys such as ethical depolitical identityal justicethat "
    "aloshcultural literacyltyzretainful peoplefamily orientation."
)
FRENCH = (
    "L'exceptionne des personnes de la famille du temps santé légère enlever le développer pour elle restere un "
    "vieillir pendaitlement dans une situation normale et"
)
ISSUE = "aboutmoral cultivation to help people growphysical and mental healthinorder"
MOJIBAKE = "Ainsi, vous allez le développer des rÃ©summations"

CLEAN = [
    "Her moral cultivation is fairly high: she has an uncanny ability to comprehend the mathematical concepts with "
    "ease. Her physical and mental health is medium: she can not only keep herself healthy but also helps her mother.",
    "His rule of law is upper-middle, his social responsibility fairly low, his political identity medium, his "
    "cultural literacy high and his family orientation upper middle; solution refinement is low.",
    "Xiaoming grew up with his grandparents near Wenzhou; in grade five a teacher paired him with a patient "
    "deskmate, and since then he has joined the calligraphy club and speaks up more often in class.",
    "She practises the guzheng every evening and dreams of a place at a key high school after the zhongkao. Exam "
    "weeks make her tense, and she sometimes overthinks small mistakes, but she talks to her homeroom teacher and "
    "recovers once results are out.",
    "She does tai chi with her grandfather in lieu of a gym class, and her rapport with Mia and Han Lei is good.",
    "Her creativity shows in the comics she draws: her inflexibility in group work keeps her flexibility low.",
]
ZH = {
    "enrollment.name": "陈雨桐",
    "values.personality": "她性格内向，做事认真，在班上很少主动发言。",
    "values.narrative": "她的道德修养较高，身心健康中等，法治意识中等，社会责任偏低，政治认同中等，文化素养中上，家庭观念高。",
    "mental_health.narrative": "考试前一周她常常紧张，成绩出来后会慢慢恢复；抑郁风险轻度，未见明显症状。",
    "mental_health.traits": ["对批评敏感", "勤奋"],
}


@pytest.fixture(scope="module")
def cfg(theory):
    return theory.text.checks["readable"][1]


def values(**fields):
    out = {"enrollment.name": "Chen Yutong"}
    out.update({k.replace("__", "."): v for k, v in fields.items()})
    return out


def kinds(vals, cfg) -> set[tuple[str, str]]:
    return {(f.field, f.value) for f in R.facts(vals, cfg) if f.pred == "unreadable"}


def words(vals, cfg, kind) -> str:
    return next(f.value for f in R.facts(vals, cfg) if f.pred == "unreadable_words" and f"{kind}," in f.rest)


@pytest.mark.parametrize("text", CLEAN)
def test_clean_prose_passes(cfg, text):
    assert kinds(values(values__narrative=text, values__personality=text), cfg) == set()
    r = R.read(text, "en", cfg, frozenset({"xiaoming"}))
    assert len(r.run_on) < cfg.s.min_run_ons and r.glued == r.foreign == []  # 'deskmate' alone
    assert r.share >= 0.9


def test_the_quick_screen_agrees_with_reading_word_by_word(cfg):
    for text in CLEAN + [SALAD, ISSUE, "Fine words and one rare word: guzheng."]:
        if R._clean([text], cfg.en, frozenset()):
            r = R.read(text, "en", cfg)
            assert not (r.unknown or r.run_on or r.glued or r.foreign), text


def test_word_salad_is_gibberish(cfg):
    r = R.read(SALAD, "en", cfg)
    assert r.share < cfg.s.error_share
    assert {"butmoral", "fromiphysical", "hadto"} <= set(r.run_on)
    assert {"butmoral", "fromiphysical", "responsibilitys"} <= set(r.glued)
    flags = kinds(values(values__narrative=SALAD), cfg)
    assert {("values.narrative", k) for k in ("unknown_words", "run_on", "glued_name")} <= flags
    assert words(values(values__narrative=SALAD), cfg, "unknown_words").startswith("butmoral, fromiphysical")


def test_glued_dimension_names_and_run_ons_from_the_issue(cfg):
    r = R.read(ISSUE, "en", cfg)
    assert r.glued == ["aboutmoral", "growphysical", "healthinorder"]
    assert r.run_on == ["aboutmoral", "growphysical", "healthinorder"]


def test_one_unlisted_compound_is_no_run_on_field(cfg):
    text = "In grade five her deskmate helped her with math, and they have been close friends since then."
    assert R.read(text, "en", cfg).run_on == ["deskmate"]
    assert kinds(values(social__relationships=text), cfg) == set()


def test_rare_words_crowded_into_a_short_text_are_weak_not_gibberish(cfg):
    """3 words outside the lexicon in 27 (guzheng 1.36, overthinks 1.27, zhongkao unlisted): a warning."""
    text = "She practises the guzheng and dreams of a key high school after the zhongkao; she overthinks small "
    text += "mistakes but talks to her homeroom teacher."
    assert kinds(values(mental_health__narrative=text), cfg) == {("mental_health.narrative", "weak_words")}


def test_weak_prose_between_the_thresholds(cfg):
    text = "There shouldn't be any otherpeople who donot think about these kinds of things thanwhat do"
    assert ("creativity.radar_summary", "weak_words") in kinds(values(creativity__radar_summary=text), cfg)


def test_foreign_drift_mojibake_and_other_scripts(cfg):
    assert ("mental_health.narrative", "wrong_language") in kinds(values(mental_health__narrative=FRENCH), cfg)
    r = R.read("She is tense. " + MOJIBAKE + ", but recovers.", "en", cfg)
    assert {"vous", "allez", "rÃ©summations"} <= set(r.foreign)
    assert R.read("She is more careful thаn her brother.", "en", cfg).foreign == ["thаn"]  # Cyrillic а
    assert R.read("She keeps a diary called 日记本 at home.", "en", cfg).foreign == ["日记本"]
    # one foreign-looking word alone, and names, are not a language drift
    assert R.read("She bought a croissant; her friend Mia Han laughed.", "en", cfg).foreign == []


def test_language_of_the_persona(cfg):
    assert R.language(values(values__narrative=CLEAN[0]), cfg) == "en"
    assert R.language(ZH, cfg) == "zh"
    # an English persona with one Chinese field stays English, and the field is flagged
    mixed = values(values__narrative=CLEAN[0] * 3, mental_health__narrative=ZH["mental_health.narrative"])
    assert R.language(mixed, cfg) == "en"
    assert ("mental_health.narrative", "wrong_language") in kinds(mixed, cfg)


def test_chinese_persona(cfg):
    assert kinds(ZH, cfg) == set()
    latin = dict(ZH, **{"mental_health.supports": "信任的班主任, and two close friends from school."})
    assert kinds(latin, cfg) == {("mental_health.supports", "wrong_language")}
    assert kinds(dict(ZH, **{"values.personality": "陈雨桐"}), cfg) == {("values.personality", "name_only")}
    language = [f for f in R.facts(latin, cfg) if f.pred == "prose_language"]
    assert [f.atom(0) for f in language] == ["prose_language(0,zh)"]


@pytest.mark.parametrize(
    "text,named",
    [
        ("Zheng Caiyuan,", True),
        ("Abraham Lincoln", True),
        ("Bella Bemboi", True),
        ("Chen Yutong", True),
        ("yutong", True),
        ("Mature", False),
        ("Quiet and careful, she thinks before she speaks.", False),
        ("Yutong is curious, stubborn and kind.", False),
    ],
)
def test_personality_that_is_a_name(cfg, text, named):
    assert R.name_only(text, "en", cfg, frozenset({"chen", "yutong"})) is named


def test_traits(cfg):
    good = ["sensitive to criticism", "diligent", "self-critical", "quick to anger"]
    assert R.bad_traits(good, "en", cfg) == []
    bad = ["fourthestandardwisecardinalitynumerandom", "one concise sentence describing all six", "timide et triste"]
    assert R.bad_traits(["curious", *bad], "en", cfg) == bad
    assert R.bad_traits(["对批评敏感", "勤奋"], "zh", cfg) == []


def test_domain_is_finite_and_covers_every_flag(cfg, base, theory):
    dom = {f.atom(0) for f in R.domain(cfg)}
    assert len(dom) == len(cfg.s.fields) * len(R.KINDS) + 2
    assert all(a.startswith("unreadable(") for a in dom)
    junk = values(
        values__personality="Bella Bemboi",
        values__narrative=SALAD,
        mental_health__narrative=FRENCH,
        creativity__radar_summary="There shouldn't be any otherpeople who donot think about these kinds of things "
        "thanwhat do",
        mental_health__traits=["fourthestandardwisecardinalitynumerandom"],
    )
    emitted = R.facts(junk, cfg)
    flags = {f.atom(0) for f in emitted if f.pred == "unreadable"}
    assert len(flags) >= 7 and flags <= dom
    assert {f.pred for f in emitted} == {"unreadable", "unreadable_words", "real_word_share", "prose_language"}


def test_messages_name_the_field_and_the_words(validate_one, base):
    set_path(base, "values.narrative", SALAD)
    set_path(base, "mental_health.traits", ["diligent", "fourthestandardwisecardinalitynumerandom"])
    r = validate_one(base)
    by_rule = {v.rule: v for v in r.violations}
    assert not r.valid
    gib = by_rule["gibberish"]
    assert gib.owner == "values" and gib.fields == ["values.narrative"]
    assert "values.narrative is not readable English prose: only 62% of its words" in gib.message
    assert "butmoral" in gib.message
    assert "fourthestandardwisecardinalitynumerandom" in by_rule["trait-form"].message
    assert by_rule["trait-form"].owner == "mental_health"


def test_base_persona_has_no_readable_violation(validate_one, base):
    assert not [v for v in validate_one(base).violations if v.ref.startswith("T")]


@pytest.mark.parametrize(
    "patch,expect",
    [
        ({"min_zipf": "1.5"}, "min_zipf"),
        ({"colour": 1}, "colour"),
        ({"error_share": 0.95}, "warn_share 0.9 is below error_share 0.95"),
        ({"foreign": ["en"]}, "foreign"),
        ({"fields": ["values.levels"]}, "'values.levels' is not a text field"),
    ],
)
def test_bad_table_is_refused(cfg, patch, expect):
    table = cfg.s.model_dump() | patch
    with pytest.raises(TheoryError, match=r"\[features.readable\]") as e:
        R.configure(table, Path("."), "theory.toml", K12)
    assert expect in str(e.value)

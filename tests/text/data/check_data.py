"""Check the labelled text-layer test data (levels_<lang>.jsonl, personas_<lang>.jsonl, twins_<lang>.jsonl).

Input: the JSONL files next to this script, for every language found (or those named with --lang).
Output: one line per problem on stdout, a summary of counts per language; exit 1 if any problem.

    python tests/text/data/check_data.py            # every language present
    python tests/text/data/check_data.py --lang zh  # one language

Plain Python, no hachimi imports: the data must not depend on the code it tests. The structural
persona checks below restate the k12 rules of DESIGN.md (R1-R4, R6, R10, R11, A1-A6, S1, C1) so a
broken fixture is caught even before the validator runs; text rules (L*, T*, C3, C4, R12, R13) are
what the data tests and are never checked here.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

LEVEL = ["low", "fairly_low", "medium", "upper_middle", "fairly_high", "high"]
RISK = ["low", "mild", "moderate", "high"]
PARTS = {
    "values": [
        "moral_cultivation",
        "physical_mental_health",
        "rule_of_law",
        "social_responsibility",
        "political_identity",
        "cultural_literacy",
        "family_orientation",
    ],
    "creativity": [
        "fluency",
        "novelty",
        "flexibility",
        "feasibility",
        "problem_finding",
        "problem_analysis",
        "solution_generation",
        "solution_refinement",
    ],
    "mental_health": ["overall_state", "happiness", "depression_risk", "anxiety_risk"],
}
RISK_DIMS = {"depression_risk", "anxiety_risk"}
GENDERS = {"female", "male"}

# Construction types each language's level file must cover (>= MIN_PER_CONSTRUCTION correct rows each,
# and at least one wrong-level twin each). A language not listed here is checked for whatever
# constructions it uses.
CONSTRUCTIONS = {
    "zh": [
        "zh-predicate",
        "zh-frame",
        "zh-prenominal",
        "zh-level-of",
        "zh-interrupted",
        "zh-topic",
        "zh-group",
        "zh-respectively",
        "zh-comparison",
        "zh-negation",
        "zh-colon",
        "zh-multi",
        "zh-distractor",
        "zh-original",
        "zh-hedged",
    ],
    "en": [
        "copula",
        "verb-bridge",
        "head-noun",
        "prenominal",
        "interrupted",
        "fronted-topic",
        "pronoun",
        "coordination",
        "ellipsis",
        "respectively",
        "comparison",
        "negation",
        "colon-label",
        "multi-dimension",
        "distractor",
        "hedged",
    ],
}
MIN_ROWS, MIN_TWINS, MIN_PER_CONSTRUCTION, MIN_VOICES = 180, 70, 10, 4
MIN_PERSONAS = 10
MIN_TWIN_RULES = {"L1": 15, "C3": 5, "R12": 5, "T6": 5}
MIN_PERSONA_TWINS = 30
# Per-language minimums where a language's brief asks for more than the defaults above.
MINIMA = {
    "en": {
        "rows": 330,
        "twins": 110,
        "per_construction": 20,
        "per_construction_overrides": {"hedged": 15},
        "voices": 5,
        "personas": 14,
        "persona_twins": 45,
        "twin_rules": {"L1": 22, "C3": 8, "R12": 8, "T6": 7},
    },
}


def minimum(lang: str, key: str, default):
    return MINIMA.get(lang, {}).get(key, default)


TWIN_RULES = {"L1", "L2", "L3", "C3", "C4", "R12", "R13", "T1", "T2", "T3", "T4", "T5", "T6"}

SUBJECTS = {  # subject -> (first grade, last grade) it is offered (k12 rules/curriculum.lp)
    "chinese": (1, 12),
    "math": (1, 12),
    "english": (3, 12),
    "morality_and_law": (1, 9),
    "politics": (10, 12),
    "science": (1, 9),
    "biology": (7, 12),
    "geography": (7, 12),
    "history": (7, 12),
    "physics": (8, 12),
    "chemistry": (9, 12),
    "it": (3, 12),
    "music": (1, 12),
    "art": (1, 12),
    "pe": (1, 12),
    "calligraphy": (3, 12),
    "labor": (1, 12),
}
STAGES = {  # stage -> (min age, max age)
    "piaget": {"preoperational": (0, 7), "concrete_operational": (6, 12), "formal_operational": (11, 99)},
    "erikson": {
        "initiative_vs_guilt": (0, 6),
        "industry_vs_inferiority": (5, 13),
        "identity_vs_role_confusion": (11, 99),
    },
    "kohlberg": {"preconventional": (0, 11), "conventional": (9, 99), "postconventional": (15, 99)},
}
AGENT_NAME = re.compile(r"^(?:[a-z]+[1-5]){1,2}_(?:[a-z]+[1-5]){1,3}$")
ACADEMIC = ["high", "medium", "low", "poor"]
NARRATIVES = [
    "values.personality",
    "values.narrative",
    "social.relationships",
    "creativity.narrative",
    "creativity.radar_summary",
    "mental_health.background",
    "mental_health.supports",
    "mental_health.narrative",
]
LIST_MARKER = re.compile(r"(?m)^\s*(?:\d+[.)、]|[-*•])\s")


def scale(dim: str) -> list[str]:
    return RISK if dim in RISK_DIMS else LEVEL


def read_jsonl(path: Path, problems: list[str]) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            problems.append(f"{path.name}:{n}: blank line")
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(f"{path.name}:{n}: not JSON ({e})")
    return rows


# ---------------------------------------------------------------- level statements


def check_level_row(row: dict, lang: str, where: str, problems: list[str]) -> None:
    keys = {"id", "lang", "voice", "construction", "part", "gender", "text", "truth", "labels", "twin_of", "note"}
    missing = keys - row.keys()
    if missing:
        problems.append(f"{where}: missing keys {sorted(missing)}")
        return
    if row["lang"] != lang:
        problems.append(f"{where}: lang {row['lang']!r} in the {lang} file")
    if not isinstance(row["voice"], str) or not row["voice"]:
        problems.append(f"{where}: empty voice")
    if lang not in CONSTRUCTIONS and not str(row["construction"]).startswith(f"{lang}-"):
        problems.append(f"{where}: construction {row['construction']!r} does not start with '{lang}-'")
    if lang in CONSTRUCTIONS and row["construction"] not in CONSTRUCTIONS[lang]:
        problems.append(f"{where}: unknown construction {row['construction']!r}")
    if row["part"] not in PARTS:
        problems.append(f"{where}: unknown part {row['part']!r}")
        return
    if row["gender"] not in GENDERS:
        problems.append(f"{where}: unknown gender {row['gender']!r}")
    if not isinstance(row["text"], str) or not row["text"].strip() or "\n" in row["text"]:
        problems.append(f"{where}: text empty or multi-line")
    truth, labels = row["truth"], row["labels"]
    if not truth:
        problems.append(f"{where}: empty truth")
    if set(truth) != set(labels):
        problems.append(f"{where}: truth and labels name different dimensions")
    for dim, value in truth.items():
        if dim not in PARTS[row["part"]]:
            problems.append(f"{where}: {dim} is not a {row['part']} dimension")
            continue
        if value not in scale(dim):
            problems.append(f"{where}: truth {dim}={value!r} is not on its scale")
    for dim, values in labels.items():
        if dim not in PARTS[row["part"]]:
            continue
        if not isinstance(values, list) or any(v not in scale(dim) for v in values):
            problems.append(f"{where}: labels {dim}={values!r} not a list of scale steps")
            continue
        if len(set(values)) != len(values) or values != sorted(values, key=scale(dim).index):
            problems.append(f"{where}: labels {dim} repeat a step or are not in scale order")
        if values and row["twin_of"] is None and truth.get(dim) not in values:
            problems.append(
                f"{where}: truth {dim}={truth.get(dim)} is outside its labels {values} "
                f"(allowed only for [] = no readable level)"
            )


def check_twin_row(row: dict, base: dict | None, where: str, problems: list[str]) -> None:
    if base is None:
        problems.append(f"{where}: twin_of {row['twin_of']!r} is not an earlier statement row")
        return
    if base["twin_of"] is not None:
        problems.append(f"{where}: twin of a twin ({base['id']})")
    for key in ("truth", "part", "construction", "gender"):
        if row.get(key) != base.get(key):
            problems.append(f"{where}: {key} differs from its original {base['id']}")
    if row["text"] == base["text"]:
        problems.append(f"{where}: text unchanged from {base['id']}")
    changed = [d for d in row["labels"] if row["labels"][d] != base["labels"].get(d)]
    if not changed:
        problems.append(f"{where}: no dimension's labels changed from {base['id']}")
    for dim in changed:
        if row["truth"].get(dim) in row["labels"][dim]:
            problems.append(f"{where}: changed dimension {dim} still accepts the truth {row['truth'][dim]}")
        if not row["labels"][dim]:
            problems.append(f"{where}: changed dimension {dim} has no readable level (a twin must state a wrong one)")


def check_levels(lang: str, problems: list[str]) -> dict:
    path = HERE / f"levels_{lang}.jsonl"
    rows = read_jsonl(path, problems)
    seen: dict[str, dict] = {}
    for n, row in enumerate(rows, 1):
        where = f"{path.name}:{n} ({row.get('id')})"
        if row.get("id") in seen:
            problems.append(f"{where}: duplicate id")
        check_level_row(row, lang, where, problems)
        if row.get("twin_of") is not None and "labels" in row:
            check_twin_row(row, seen.get(row["twin_of"]), where, problems)
        seen[row.get("id")] = row
    normal = [r for r in rows if r.get("twin_of") is None]
    twins = [r for r in rows if r.get("twin_of") is not None]
    cons = Counter(r.get("construction") for r in normal)
    twin_cons = Counter(r.get("construction") for r in twins)
    voices = Counter(r.get("voice") for r in normal)
    min_rows, min_twins = minimum(lang, "rows", MIN_ROWS), minimum(lang, "twins", MIN_TWINS)
    if len(normal) < min_rows:
        problems.append(f"{path.name}: {len(normal)} statement rows, need >= {min_rows}")
    if len(twins) < min_twins:
        problems.append(f"{path.name}: {len(twins)} wrong-level twins, need >= {min_twins}")
    overrides = minimum(lang, "per_construction_overrides", {})
    for c in CONSTRUCTIONS.get(lang, sorted(cons)):
        want = overrides.get(c, minimum(lang, "per_construction", MIN_PER_CONSTRUCTION))
        if cons[c] < want:
            problems.append(f"{path.name}: construction {c} has {cons[c]} rows, need >= {want}")
        if not twin_cons[c]:
            problems.append(f"{path.name}: no wrong-level twin of construction {c}")
    min_voices = minimum(lang, "voices", MIN_VOICES)
    if len(voices) < min_voices:
        problems.append(f"{path.name}: {len(voices)} voices, need >= {min_voices}")
    if lang == "en":  # the English brief: a hedged row states no level for some dimension it names
        for r in normal:
            if r.get("construction") == "hedged" and not any(v == [] for v in r.get("labels", {}).values()):
                problems.append(f"{path.name} ({r.get('id')}): hedged row with every level readable")
    for key, want in (("part", set(PARTS)), ("gender", GENDERS)):
        got = {r.get(key) for r in normal}
        if want - got:
            problems.append(f"{path.name}: no rows with {key} {sorted(want - got)}")
    return {
        "rows": len(normal),
        "twins": len(twins),
        "constructions": dict(cons),
        "twin_constructions": dict(twin_cons),
        "voices": dict(voices),
        "parts": dict(Counter(r.get("part") for r in normal)),
        "genders": dict(Counter(r.get("gender") for r in normal)),
        "unreadable": sum(1 for r in normal for v in r.get("labels", {}).values() if v == []),
    }


# ---------------------------------------------------------------- personas


def get(obj: dict, path: str):
    for key in path.split("."):
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def lowish(levels: list[str]) -> int:
    return sum(1 for v in levels if v in ("low", "fairly_low", "medium"))


def check_persona(p: dict, lang: str, where: str, problems: list[str]) -> None:
    def bad(msg: str) -> None:
        problems.append(f"{where}: {msg}")

    slot, enr, aca = p.get("slot") or {}, p.get("enrollment") or {}, p.get("academic") or {}
    vals, cre, mh = p.get("values") or {}, p.get("creativity") or {}, p.get("mental_health") or {}
    grade, age = enr.get("grade"), enr.get("age")
    if not isinstance(grade, int) or not 1 <= grade <= 12 or not isinstance(age, int):
        bad("grade or age missing or out of range")
        return
    if not grade + 4 <= age <= grade + 7:
        bad(f"R1 age {age} does not fit grade {grade}")
    for key, spans in STAGES.items():
        stage = (enr.get("stages") or {}).get(key)
        if stage not in spans:
            bad(f"R2 unknown {key} stage {stage!r}")
        elif not spans[stage][0] <= age <= spans[stage][1]:
            bad(f"R2 {key} stage {stage} does not fit age {age}")
    strong, weak = aca.get("strong_subjects") or [], aca.get("weak_subjects") or []
    if (
        not strong
        or not weak
        or len(set(strong)) != len(strong)
        or len(set(weak)) != len(weak)
        or set(strong) & set(weak)
    ):
        bad("R3 subject lists empty, repeated or overlapping")
    for s in strong + weak:
        if s not in SUBJECTS:
            bad(f"unknown subject {s!r}")
        elif not SUBJECTS[s][0] <= grade <= SUBJECTS[s][1]:
            bad(f"C1 subject {s} not taught in grade {grade}")
    bias = slot.get("subject_bias")
    if not isinstance(bias, list) or not 1 <= len(bias) <= 2 or any(s not in SUBJECTS for s in bias):
        bad("slot.subject_bias must list 1-2 subjects")
    if aca.get("level") not in ACADEMIC:
        bad(f"R15 academic level {aca.get('level')!r}")
    for key in ("grade", "gender"):
        if slot.get(key) != enr.get(key):
            bad(f"S1 slot {key} differs from enrollment")
    if slot.get("academic_level") != aca.get("level"):
        bad("S1 slot academic_level differs from academic.level")
    if enr.get("gender") not in GENDERS:
        bad("unknown gender")
    if not AGENT_NAME.match(enr.get("agent_name") or ""):
        bad(f"R6 agent_name {enr.get('agent_name')!r}")
    if lang == "zh" and not re.fullmatch(r"[\u4e00-\u9fff]{2,4}", enr.get("name") or ""):
        bad(f"name {enr.get('name')!r} is not 2-4 Chinese characters")
    vlev = [(vals.get("levels") or {}).get(d) for d in PARTS["values"]]
    clev = [(cre.get("levels") or {}).get(d) for d in PARTS["creativity"]]
    if any(v not in LEVEL for v in vlev + clev):
        bad("R8/R9 a value or creativity level is missing or off the scale")
        return
    os_, hap, dep, anx = (mh.get(k) for k in PARTS["mental_health"])
    if os_ not in LEVEL or hap not in LEVEL or dep not in RISK or anx not in RISK:
        bad("R10 a mental-health indicator is missing or off its scale")
        return
    if len(set(clev)) == 1:
        bad("R4 creativity levels all equal")
    c = dict(zip(PARTS["creativity"], clev))
    if c["feasibility"] in ("low", "fairly_low") and LEVEL.index(c["solution_generation"]) > LEVEL.index("medium"):
        bad("R4 low feasibility with solution_generation above medium")
    traits = mh.get("traits")
    if not isinstance(traits, list) or len(traits) < 2 or mh.get("condition") not in ("none_observed", "tendency"):
        bad("R10 traits (>= 2) or condition")
    pmh = vals["levels"]["physical_mental_health"]
    if LEVEL.index(pmh) >= LEVEL.index("fairly_high") and (
        LEVEL.index(os_) < LEVEL.index("medium") or "high" in (dep, anx)
    ):
        bad("R11 physical_mental_health >= fairly_high needs overall_state >= medium and risks <= moderate")
    level = slot.get("academic_level")
    need = {"medium": (1, 2), "low": (2, 3), "poor": (3, 4)}.get(level)
    if need and (lowish(vlev) < need[0] or lowish(clev) < need[1]):
        bad(f"A1/A2 {level} needs >= {need[0]} value and >= {need[1]} creativity dimensions at medium or lower")
    if level in ("low", "poor") and (lowish([os_, hap]) == 0 or dep == anx == "low"):
        bad("A3 overall_state or happiness at medium or lower, and not both risks low")
    if level == "high":
        very_low = lambda xs: sum(1 for v in xs if v in ("low", "fairly_low"))  # noqa: E731
        if very_low(vlev) > 2 or very_low(clev) > 3:
            bad("A4/A5 high allows at most 2 value and 3 creativity dimensions at fairly_low or lower")
        if very_low([os_, hap]) == 2 or dep == anx == "high":
            bad("A6 high rules out both overall_state and happiness low or both risks high")
    for field in NARRATIVES:
        text = get(p, field)
        if not isinstance(text, str) or not text.strip():
            bad(f"R7 {field} empty")
        elif "\n\n" in text or LIST_MARKER.search(text):
            bad(f"R14 {field} is not one paragraph")


def check_personas(lang: str, problems: list[str]) -> tuple[dict, dict]:
    path = HERE / f"personas_{lang}.jsonl"
    rows = read_jsonl(path, problems)
    ids: dict[str, dict] = {}
    for n, p in enumerate(rows, 1):
        where = f"{path.name}:{n} ({p.get('id')})"
        if p.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids[p.get("id")] = p
        check_persona(p, lang, where, problems)
    min_personas = minimum(lang, "personas", MIN_PERSONAS)
    if len(rows) < min_personas:
        problems.append(f"{path.name}: {len(rows)} personas, need >= {min_personas}")
    for key, want in (("gender", GENDERS), ("academic_level", set(ACADEMIC))):
        got = {get(p, f"slot.{key}") for p in rows}
        if want - got:
            problems.append(f"{path.name}: no persona with {key} {sorted(want - got)}")
    grades = sorted({get(p, "slot.grade") for p in rows} - {None})
    if grades and (min(grades) > 2 or max(grades) < 11 or len(grades) < 6):
        problems.append(f"{path.name}: grades {grades} are not spread over 1-12")
    return ids, {
        "personas": len(rows),
        "grades": grades,
        "levels": dict(Counter(get(p, "slot.academic_level") for p in rows)),
        "genders": dict(Counter(get(p, "slot.gender") for p in rows)),
    }


def diff_paths(a, b, prefix: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            out += diff_paths(a.get(k), b.get(k), f"{prefix}{k}.")
        return out
    return [] if a == b else [prefix.rstrip(".")]


def check_persona_twins(lang: str, personas: dict, problems: list[str]) -> dict:
    path = HERE / f"twins_{lang}.jsonl"
    rows = read_jsonl(path, problems)
    ids, persona_ids = set(), set(personas)
    for n, t in enumerate(rows, 1):
        where = f"{path.name}:{n} ({t.get('id')})"
        missing = {"id", "twin_of", "expected_rule", "field", "defect", "persona"} - t.keys()
        if missing:
            problems.append(f"{where}: missing keys {sorted(missing)}")
            continue
        if t["id"] in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(t["id"])
        if t["expected_rule"] not in TWIN_RULES:
            problems.append(f"{where}: expected_rule {t['expected_rule']!r} is not a text rule")
        base, p = personas.get(t["twin_of"]), t["persona"]
        if base is None:
            problems.append(f"{where}: twin_of {t['twin_of']!r} is not a persona of personas_{lang}.jsonl")
            continue
        if p.get("id") in persona_ids:
            problems.append(f"{where}: persona id {p.get('id')!r} is not unique")
        persona_ids.add(p.get("id"))
        changed = [d for d in diff_paths(base, p) if d != "id"]
        if changed != [t["field"]]:
            problems.append(
                f"{where}: persona differs from {t['twin_of']} in {changed}, expected exactly [{t['field']}]"
            )
        if t["expected_rule"] == "T6" and t["field"] != "mental_health.traits":
            problems.append(f"{where}: a T6 twin must change mental_health.traits")
        if t["expected_rule"] == "C3" and t["field"] not in NARRATIVES:
            problems.append(f"{where}: a C3 twin must change a prose field")
        check_persona(p, lang, where, problems)  # the one defect is textual: structure must stay valid
    rules = Counter(t.get("expected_rule") for t in rows)
    min_twins = minimum(lang, "persona_twins", MIN_PERSONA_TWINS)
    if len(rows) < min_twins:
        problems.append(f"{path.name}: {len(rows)} twins, need >= {min_twins}")
    for rule, want in minimum(lang, "twin_rules", MIN_TWIN_RULES).items():
        if rules[rule] < want:
            problems.append(f"{path.name}: {rules[rule]} {rule} twins, need >= {want}")
    return {"twins": len(rows), "rules": dict(rules)}


def languages() -> list[str]:
    return sorted(
        {p.stem.split("_", 1)[1] for p in HERE.glob("levels_*.jsonl")}
        | {p.stem.split("_", 1)[1] for p in HERE.glob("personas_*.jsonl")}
    )


def check(lang: str, problems: list[str]) -> dict:
    summary: dict = {}
    if (HERE / f"levels_{lang}.jsonl").exists():
        summary["levels"] = check_levels(lang, problems)
    else:
        problems.append(f"levels_{lang}.jsonl missing")
    personas: dict = {}
    if (HERE / f"personas_{lang}.jsonl").exists():
        personas, summary["personas"] = check_personas(lang, problems)
    else:
        problems.append(f"personas_{lang}.jsonl missing")
    if (HERE / f"twins_{lang}.jsonl").exists():
        summary["twins"] = check_persona_twins(lang, personas, problems)
    else:
        problems.append(f"twins_{lang}.jsonl missing")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", action="append", help="language code (repeatable); default: every one present")
    ap.add_argument("--quiet", action="store_true", help="print problems only")
    args = ap.parse_args(argv)
    problems: list[str] = []
    for lang in args.lang or languages():
        summary = check(lang, problems)
        if not args.quiet:
            print(f"[{lang}] " + json.dumps(summary, ensure_ascii=False))
    for line in problems:
        print("PROBLEM", line)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""`survey reference pisa2022` on a small synthetic student file in the official layout: tiers from
the plausible values, weighted (W_FSTUWT) cohort means computed by hand, invalid codes left out."""

from __future__ import annotations

import csv

import pytest

pd = pytest.importorskip("pandas")

from hachimi.survey.instrument import load  # noqa: E402
from hachimi.survey.reference import RiskRule, cohort_means  # noqa: E402


def synthetic(tmp_path, pv_jitter: float = 0.0):
    """Ten girls, PV maths 100..1000 (so: 1 high, 2 medium, 2 low, 5 poor at equal weights),
    weights 1..10, ANXMAT items answered 1..4, life satisfaction alternating 3 / 8."""
    rows = []
    for k in range(10):
        row = {"CNT": "AAA", "W_FSTUWT": float(k + 1), "ST004D01T": 1, "ST016Q01NA": 3 if k % 2 else 8}
        for p in range(1, 11):
            row[f"PV{p}MATH"] = 100.0 * (k + 1) + pv_jitter * p
        row["ST292Q01JA"] = 1 + k % 4
        row["ST292Q03JA"] = 99 if k == 9 else 4 - k % 4  # 99: not administered, left out
        rows.append(row)
    rows.append(dict(rows[0], CNT="BBB"))  # another country, filtered out with --country
    path = tmp_path / "stu.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_weighted_cohort_means_by_hand(tmp_path, cli):
    from hachimi.survey.reference import read_table

    inst = load("pisa2022-student")
    rows = cohort_means(read_table(synthetic(tmp_path)), inst, RiskRule("ST016Q01NA", 5), country="AAA")
    anx = {(r["tier"], r["risk"]): r for r in rows if r["construct"] == "ANXMAT"}
    # student k: PV 100(k+1); top = k=9 (high), k=8,7 medium, k=6,5 low, k=4..0 poor
    # ST292 is coded 1 = strongly agree (the scale's top: value 4), so a code c is the value 5 - c:
    # ANXMAT raw = mean(5 - (1 + k%4), 5 - (4 - k%4)) = 2.5 for k<9; k=9: only Q01, code 2 -> 3
    assert anx[("high", "high")]["mean"] == pytest.approx(3.0) and anx[("high", "high")]["n"] == 1
    # poor & risk high (life sat 3: odd k): k=1, 3 -> both 2.5
    assert anx[("poor", "high")]["mean"] == pytest.approx(2.5)
    # the overall weighted SD over the ten: k=9 (weight 10) at 3.0, the rest at 2.5
    mu = (2.5 * 45 + 3.0 * 10) / 55
    allrow = next(r for r in rows if r["construct"] == "ANXMAT" and r["tier"] == "all")
    assert allrow["mean"] == pytest.approx(mu)
    assert allrow["sd"] == pytest.approx((((2.5 - mu) ** 2 * 45 + (3.0 - mu) ** 2 * 10) / 55) ** 0.5)
    assert not any(r["construct"] == "MATHEFF" for r in rows)  # no MATHEFF items in the file


def test_tiers_average_over_the_ten_plausible_values(tmp_path):
    from hachimi.survey.reference import read_table

    inst = load("pisa2022-student")
    df = read_table(synthetic(tmp_path))
    df = df[df["CNT"] == "AAA"].copy()
    # PV1..PV5 rank student 8 top, PV6..PV10 rank student 9 top: each is "high" in half the PVs
    for p in range(1, 6):
        df.loc[8, f"PV{p}MATH"] = 5000.0
    df.loc[:, "ST292Q03JA"] = df["ST292Q01JA"]  # raw score = ST292Q01JA = 1 + k%4
    rows = cohort_means(df, inst, RiskRule("ST016Q01NA", 5))
    high = {r["risk"]: r for r in rows if r["construct"] == "ANXMAT" and r["tier"] == "high"}
    # ST292 codes 1 = strongly agree (value 4): student 8 (life sat 8 -> low risk) code 1 -> 4, high in
    # PV1-5; student 9 (risk high) code 2 -> 3, high in PV6-10
    assert high["low"]["mean"] == pytest.approx(4.0) and high["high"]["mean"] == pytest.approx(3.0)


def test_the_command_writes_the_compare_layout(tmp_path, cli):
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)
    out = tmp_path / "human.csv"
    r = cli("survey", "reference", "pisa2022", synthetic(tmp_path), "--out", out, "--country", "AAA")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(out.open()))
    assert rows[0].keys() >= {"construct", "tier", "gender", "risk", "mean", "sd", "n"}
    r = cli("survey", "reference", "pisa2022", tmp_path / "nope.csv", "--out", out)
    assert r.exit_code == 2 and "no student file" in r.output


def test_an_spss_file_gives_the_same_cohorts(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    from hachimi.survey.reference import read_table

    inst = load("pisa2022-student")
    csv_path = synthetic(tmp_path)
    df = pd.read_csv(csv_path)
    sav = tmp_path / "stu.sav"
    pyreadstat.write_sav(df, str(sav))
    a = cohort_means(read_table(csv_path), inst, country="AAA")
    b = cohort_means(read_table(sav), inst, country="AAA")
    assert [(r["construct"], r["tier"], r["risk"], round(r["mean"], 9)) for r in a] == [
        (r["construct"], r["tier"], r["risk"], round(r["mean"], 9)) for r in b
    ]


def test_codes_are_mapped_through_each_items_declared_direction():
    """A fixture student file with known codes: J1 (column SRC_J1) is coded 1 = strongly agree, J2
    and J3 1 = strongly disagree, J3 reverse keyed. Read without the direction, the first student's
    JOY would be 3.0 and the second's 2.0; read through it, 4.0 and 1.0."""
    from hachimi.survey.reference import construct_scores

    from conftest import ROOT

    inst = load(str(ROOT / "tests" / "fixtures" / "instruments" / "mini"))
    df = pd.DataFrame(
        {
            "SRC_J1": [1, 4, 9],  # 9: not a code of the scale, left out
            "J2": [4, 1, 2],
            "J3": [1, 4, None],  # "strongly disagree" with "I am sad": keyed 4
            "B1": [3, 1, 2],
        }
    )
    got = construct_scores(df, inst)
    assert list(got["JOY"]) == pytest.approx([4.0, 1.0, 2.0])
    assert list(got["BULL"]) == pytest.approx([3.0, 1.0, 2.0])


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("stu.csv", b"", "empty file (no header, no students)"),
        ("stu.csv", b"CNT,W_FSTUWT\n", "no students (a header and no rows)"),
        ("stu.csv", b"CNT,W_FSTUWT\na,1\nb,2,3,4\n", "not a readable CSV file"),
        ("stu.sav", b"", "not a readable SPSS file"),
        ("stu.sav", b"\x00\x01\x02 random bytes \xff\xfe" * 20, "not a readable SPSS file"),
        ("stu.sas7bdat", b"\x00\x01\x02 random bytes" * 20, "not a readable SAS file"),
    ],
)
def test_unreadable_student_files_are_one_clear_error(tmp_path, name, content, fragment):
    from hachimi.errors import HachimiError
    from hachimi.survey.reference import read_table

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(HachimiError) as e:
        read_table(path)
    assert str(e.value).startswith(f"{path}: {fragment}"), str(e.value)


def test_weights_of_mixed_sign_and_text_are_refused(tmp_path):
    from hachimi.errors import HachimiError
    from hachimi.survey.reference import read_table

    inst = load("pisa2022-student")
    df = read_table(synthetic(tmp_path))
    bad = df.copy()
    bad.loc[2, "W_FSTUWT"] = -3.0
    with pytest.raises(HachimiError, match="1 of 11 students have a negative weight"):
        cohort_means(bad, inst)
    bad = df.copy().astype({"PV3MATH": object})
    bad.loc[4, "PV3MATH"] = "n/a"
    with pytest.raises(HachimiError, match=r"PV3MATH: 1 value\(s\) are not numbers \(first: 'n/a', data row 5\)"):
        cohort_means(bad, inst)

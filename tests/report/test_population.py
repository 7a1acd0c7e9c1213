"""The population-realism table on k12's realism.toml: Wilson intervals, the cluster bootstrap,
verdicts, too-few handling, determinism, the text and HTML renderings, and a theory without
measures."""

import random

import click
import pytest

from hachimi.cli.report_text import population as population_text
from hachimi.report.population import MIN_N, cluster_bootstrap, table, wilson
from hachimi.report.realism import load as realism
from hachimi.plugins.k12 import enums as E


def person(level: str, gender: str, values_lowish: int, creativity_lowish: int, risk: bool, unwell: bool) -> dict:
    """A minimal persona: the first `values_lowish` value dimensions fairly_low, the rest fairly_high."""

    def levels(dims, k):
        return {d: ("fairly_low" if i < k else "fairly_high") for i, d in enumerate(dims)}

    return {
        "enrollment": {"gender": gender},
        "academic": {"level": level},
        "values": {"levels": levels(E.VALUE_DIMENSIONS, values_lowish)},
        "creativity": {"levels": levels(E.CREATIVITY_DIMENSIONS, creativity_lowish)},
        "mental_health": {
            "overall_state": "low" if unwell else "fairly_high",
            "happiness": "upper_middle",
            "depression_risk": "moderate" if risk else "low",
            "anxiety_risk": "mild",
        },
    }


def population(per_level: int = 12, high_all_low: bool = False) -> list[dict]:
    """Lowish shares, risk and low wellbeing that rise from high to poor (i = 0 .. 3)."""
    out = []
    for i, lv in enumerate(E.ACADEMIC_LEVELS):
        for j in range(per_level):
            out.append(
                person(lv, E.GENDERS[j % 2], min(7, 2 * i + j % 2), min(8, 2 * i + j % 3), j < 3 * i, j < 3 * i + 1)
            )
            if high_all_low and lv == "high":
                out[-1]["values"]["levels"] = dict.fromkeys(E.VALUE_DIMENSIONS, "low")
    return out


def test_wilson_against_hand_computed_values():
    # p = k/n, z = 1.96: centre = (p + z^2/2n) / (1 + z^2/n), half = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
    assert wilson(0, 10) == pytest.approx((0.0, 0.27754), abs=1e-5)  # centre = half = 0.19207 / 1.38415
    assert wilson(5, 10) == pytest.approx((0.23659, 0.76341), abs=1e-5)  # 0.5 -/+ 0.36746 / 1.38415
    assert wilson(10, 10) == pytest.approx((0.72246, 1.0), abs=1e-5)
    # 54 of 84: centre = (0.642857 + 0.022866) / 1.045732 = 0.636610, half = 0.104988 / 1.045732 = 0.100397
    assert wilson(54, 84) == pytest.approx((0.53621, 0.73701), abs=1e-5)
    assert wilson(0, 0) == (0.0, 1.0)


def test_cluster_bootstrap_is_wider_than_cells_as_independent_and_seeded():
    ks, ds = [7] * 6 + [0] * 6, [7] * 12  # six personas all lowish, six none: 42 of 84 cells
    lo, hi = cluster_bootstrap(ks, ds)
    w_lo, w_hi = wilson(42, 84)
    assert lo < 0.5 < hi and hi - lo > w_hi - w_lo
    assert cluster_bootstrap(ks, ds) == (lo, hi)
    assert cluster_bootstrap([3] * 5, [7] * 5) == pytest.approx((3 / 7, 3 / 7))


def test_a_plausible_population_passes(theory):
    t = table(population(), theory)
    assert [m.key for m in realism(theory).measures] == list(t["measures"])
    for key, m in t["measures"].items():
        assert m["verdict"] == "plausible", (key, m["message"])
        shares = [m["by_level"][lv]["share"] for lv in E.ACADEMIC_LEVELS]
        assert shares == sorted(shares)
    high = t["measures"]["values_lowish"]["by_level"]["high"]
    assert high["n"] == 12 and high["of"] == 84 and high["k"] == 6 and high["judged"]
    assert t["risk_by_level_gender"]["poor"]["female"]["n"] == 6 and t["unplaced"] == 0
    assert t["by"] == {
        "field": "academic.level",
        "label": "academic level",
        "variable": "academic_level",
        "values": list(E.ACADEMIC_LEVELS),
    }
    assert t["split"] == {
        "field": "enrollment.gender",
        "label": "gender",
        "measure": "elevated_risk",
        "table": "risk_by_level_gender",
    }


def test_high_achievers_all_low_are_implausible_with_the_reason(theory):
    m = table(population(high_all_low=True), theory)["measures"]["values_lowish"]
    assert m["verdict"] == "implausible"
    assert m["message"].startswith(
        "implausible: high achievers lowish on 100% of value dimensions vs 93% for poor "
        "(expected: share increases from high to poor)"
    )
    assert "high achievers lowish on 100% of value dimensions, above the 50% heuristic cap" in m["message"]
    assert "high 100% > medium 36% with disjoint 95% intervals" in m["breaks"]
    assert table(population(high_all_low=True), theory)["measures"]["creativity_lowish"]["verdict"] == "plausible"


def test_a_wrong_step_within_noise_is_listed_not_condemned(theory):
    ps = population()  # elevated risk: medium 3/12, low 6/12; make it medium 7/12 (intervals overlap)
    for p in [p for p in ps if p["academic"]["level"] == "medium"][:7]:
        p["mental_health"]["depression_risk"] = "high"
    m = table(ps, theory)["measures"]["elevated_risk"]
    assert m["verdict"] == "plausible" and m["breaks"] == ["medium 58% > low 50%"]
    assert m["message"] == "plausible (steps out of order, within noise: medium 58% > low 50%)"


def test_levels_with_too_few_personas_are_not_judged(theory):
    t = table(population(per_level=MIN_N - 1, high_all_low=True), theory)
    for m in t["measures"].values():
        assert m["verdict"] == "too few to judge"
        assert m["message"] == f"too few to judge (levels with at least {MIN_N} personas: none)"
        assert not any(s["judged"] for s in m["by_level"].values())
    ps = [p for p in population(high_all_low=True) if p["academic"]["level"] != "high"]
    ps += [p for p in population(per_level=MIN_N - 1, high_all_low=True) if p["academic"]["level"] == "high"]
    m = table(ps, theory)["measures"]["values_lowish"]  # high is all low but too few: the rest is judged
    assert m["verdict"] == "plausible" and not m["by_level"]["high"]["judged"]


def test_unknown_levels_and_missing_fields_are_left_out(theory):
    ps = population() + [{"academic": {"level": "excellent"}}, {"values": {}}]
    ps[0] = {**ps[0], "mental_health": {}}
    t = table(ps, theory)
    assert t["unplaced"] == 2 and t["personas"] == 50
    assert t["measures"]["elevated_risk"]["by_level"]["high"]["n"] == 11
    assert t["measures"]["values_lowish"]["by_level"]["high"]["n"] == 12


def test_deterministic_and_independent_of_order(theory):
    ps = population(high_all_low=True)
    shuffled = ps[:]
    random.Random(1).shuffle(shuffled)
    assert table(ps, theory) == table(ps, theory) == table(shuffled, theory)


def test_text_rendering_names_measures_levels_and_verdicts(theory):
    text = click.unstyle(population_text(table(population(high_all_low=True), theory)))
    assert "Population realism" in text and "cluster bootstrap" in text
    assert "lowish value levels (cells)" in text and "100% [100-100%] n=12" in text
    assert "values_lowish (increases from high to poor): implausible: high achievers" in text
    assert "depression or anxiety risk moderate/high, by level x gender:" in text
    assert "\n  female " in text and "\n  male " in text
    ps = population() + [{"academic": {"level": "excellent"}}]
    assert "1 personas have no known academic level and are left out" in population_text(table(ps, theory))


@pytest.mark.parametrize("run,name", [("run-balanced-16", "k12"), ("run-motivation-8", "k12-motivation")])
def test_k12s_table_is_the_one_it_was_before_the_pack_declared_it(run, name):
    """The committed example reports were written when the measures were Python constants: the
    table from k12's realism.toml (inherited by k12-motivation) is the same, plus what names its
    grouping (`by`, `split`)."""
    import json

    from conftest import ROOT
    from hachimi.theory.locate import locate
    from hachimi.theory.pack import load

    folder = ROOT / "examples" / run
    personas = [json.loads(x) for x in (folder / "personas.jsonl").read_text().splitlines()]
    old = json.loads((folder / "report" / "metrics.json").read_text())["population"]
    new = table(personas, load(locate(name)))
    assert {k: new[k] for k in old} == old
    assert set(new) - set(old) <= {"by", "split"}


def test_the_html_section_names_levels_and_the_split(theory):
    from pathlib import Path

    from hachimi.report.html import _population

    page = _population(table(population(high_all_low=True), theory), Path("population.png"))
    assert "<th>measure</th><th>high</th><th>medium</th><th>low</th><th>poor</th>" in page
    assert "<h3>Depression or anxiety risk moderate/high, by academic level x gender</h3>" in page
    assert "<tr><th>gender</th><th>high</th>" in page and "heuristic cap for high: 50%" in page


def test_a_theory_without_measures_gets_a_note(theory, tmp_path):
    """No realism.toml in the theory's chain: no table, a note the text and the page show."""
    import shutil

    from hachimi.report.html import _population
    from hachimi.report.plots import population as population_png
    from hachimi.theory.pack import load

    bare = tmp_path / "bare"
    shutil.copytree(theory.root, bare, ignore=shutil.ignore_patterns("realism.toml"))
    t = table(population(), load(bare))
    assert t == {
        "personas": 48,
        "note": "not measured: the theory k12 declares no population-realism measures "
        "(no realism.toml in its folder or in those of the theories it extends)",
    }
    assert click.unstyle(population_text(t)) == f"Population realism: {t['note']}"
    assert _population(t, None) == f"<h2>Population realism</h2><p>{t['note']}.</p>"
    assert population_png(t, tmp_path) is None and not (tmp_path / "population.png").exists()

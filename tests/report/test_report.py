"""`hachimi report` on a real (template-model) run: files, metrics, and a datasets-loadable folder."""

import json

import pytest

from hachimi.generate.loop import Settings
from hachimi.generate.session import Session
from hachimi.generate.filler import template_engine
from hachimi.report.build import build
from hachimi.report.metrics import distinct, kl


@pytest.fixture(scope="module")
def run(theory, tmp_path_factory):
    from hachimi.population.allocate import allocate
    from hachimi.population.feasibility import check
    from hachimi.population.plan import load
    from hachimi.population.slots import from_plan

    plan = load("plans/k12-balanced.toml", theory.schema)
    counts = allocate(plan, 16, 0)
    planned = from_plan(plan, counts, 0, check(plan, theory).alternatives, theory.schema)
    out = tmp_path_factory.mktemp("run") / "r"
    Session(theory, template_engine(theory), Settings(), out, 0, planned=planned, plan=plan, attempts_per_slot=2).run()
    return out


def test_report_files_and_metrics(run, theory):
    m = build(run, theory)
    rep = run / "report"
    files = {p.name for p in rep.iterdir()}
    assert {"index.html", "metrics.json", "quota.png", "rules.png", "levels.png", "population.png"} <= files
    assert m["personas"] == 16 and m["schema_valid"] == 1.0 and m["theory_valid"] == 1.0
    assert m["quota"]["kl"] == 0.0 and m["quota"]["shortfall"] == 0
    assert 0 < m["distinct_2"] <= 1 and m["lexical_pairs"] == 0
    assert json.loads((rep / "metrics.json").read_text())["personas"] == 16
    page = (rep / "index.html").read_text()
    assert "Quota per cell" in page and "quota.png" in page
    assert "<h2>Population realism</h2>" in page and "population.png" in page
    pop = json.loads((rep / "metrics.json").read_text())["population"]
    assert pop["personas"] == 16 and set(pop["measures"]) >= {"values_lowish", "elevated_risk"}
    assert sum(s["n"] for s in pop["measures"]["values_lowish"]["by_level"].values()) == 16


def test_report_command_prints_the_population_table(run, tmp_path):
    from click.testing import CliRunner

    from hachimi.cli.report_cmd import report_cmd

    r = CliRunner().invoke(report_cmd, [str(run), "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert "Population realism" in r.output and "lowish value levels (cells)" in r.output
    assert "verdicts (expected trend per measure" in r.output


def test_dataset_folder_loads_with_datasets(run, theory):
    datasets = pytest.importorskip("datasets")
    build(run, theory)
    ds = datasets.load_dataset(str(run / "report" / "dataset"), split="train")
    assert len(ds) == 16 and "enrollment" in ds.column_names
    card = (run / "report" / "dataset" / "README.md").read_text()
    assert "k12-balanced" in card and "seed 0" in card


def test_distinct_and_kl():
    assert distinct(["a b a b"], 1) == (0.5, 0.5)
    assert kl({"x": 2, "y": 2}, {"x": 1, "y": 1}) == 0.0 and kl({"x": 4, "y": 0}, {"x": 1, "y": 1}) > 0.6


def test_report_recounts_quotas_from_the_file(run, theory, tmp_path):
    import shutil

    cut = tmp_path / "cut"
    shutil.copytree(run, cut)
    lines = (cut / "personas.jsonl").read_text().splitlines()
    (cut / "personas.jsonl").write_text("\n".join(lines[:10]) + "\n")
    m = build(cut, theory)
    assert m["personas"] == 10 and m["quota"]["shortfall"] == 6
    assert sum(c["realised"] for c in m["quota"]["cells"].values()) == 10
    assert "run.json counts 16 accepted, personas.jsonl holds 10" in m["notes"]

"""A run remembers its pack by content and resolved folder: report/audit find it from any working
folder; a pack that changed or is gone is an error naming what was tried and suggesting --theory;
every persona records the plan cell it was generated for."""

from __future__ import annotations

import json
import shutil

import pytest

from hachimi.errors import HachimiError
from hachimi.store.run_theory import theory_of
from conftest import ROOT


def _run(theory_folder, out, plan=None, n=4):
    from hachimi.generate.filler import template_engine
    from hachimi.generate.loop import Settings
    from hachimi.generate.session import Session
    from hachimi.population.prepare import planned_slots
    from hachimi.theory.pack import load

    theory = load(theory_folder)
    prepared = planned_slots(theory, n, 0, plan)
    Session(theory, template_engine(theory), Settings(), out, 0, planned=prepared.slots, plan=prepared.plan).run()
    return theory


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A run of a private copy of k12 (a relative-path-free record), made from another folder."""
    base = tmp_path_factory.mktemp("runs")
    pack = base / "mypack"
    shutil.copytree(ROOT / "constraints" / "k12", pack)
    (pack / "theory.toml").write_text(
        (pack / "theory.toml").read_text() + "\n# my own copy\n"
    )  # not the bundled k12's hash
    theory = _run(pack, base / "run", ROOT / "plans" / "k12-balanced.toml", n=6)
    return base, pack, theory


def test_run_json_records_the_resolved_folder_and_hash(made):
    base, pack, theory = made
    entry = json.loads((base / "run" / "run.json").read_text())["theory"]
    assert entry["path"] == str(pack.resolve()) and entry["hash"] == theory.hash
    plan = json.loads((base / "run" / "run.json").read_text())["plan"]
    assert plan["file"] == str((ROOT / "plans" / "k12-balanced.toml").resolve())


def test_found_from_any_working_folder(made, tmp_path, monkeypatch):
    base, pack, theory = made
    monkeypatch.chdir(tmp_path)
    assert theory_of(base / "run").root.resolve() == pack.resolve()


def test_every_persona_records_its_cell(made):
    base, _, _ = made
    cells = json.loads((base / "run" / "run.json").read_text())["cells"]
    personas = [json.loads(x) for x in (base / "run" / "personas.jsonl").read_text().splitlines()]
    assert personas and all(p["slot"]["cell"] in cells for p in personas)
    for p in personas:  # the label names the slot's own values
        assert p["slot"]["cell"].startswith(f"grade={p['slot']['grade']},gender={p['slot']['gender']},")


def test_a_changed_pack_is_used_with_a_warning(made, tmp_path):
    base, pack, _ = made
    changed = tmp_path / "run"
    shutil.copytree(base / "run", changed)
    edited = tmp_path / "edited"
    shutil.copytree(pack, edited)
    (edited / "theory.toml").write_text((edited / "theory.toml").read_text() + "\n# an edit\n")
    doc = json.loads((changed / "run.json").read_text())
    doc["theory"]["path"] = str(edited)
    (changed / "run.json").write_text(json.dumps(doc))
    said = []
    theory = theory_of(changed, warn=said.append)  # used, with a warning that says it changed
    assert theory.root == edited and len(said) == 1
    assert str(edited.resolve()) in said[0] and "has changed since the run" in said[0] and "--theory" in said[0]
    assert theory_of(changed, str(edited), warn=said.append).root == edited and len(said) == 1  # as given


def test_a_missing_pack_names_the_path_tried(made, tmp_path):
    base, _, _ = made
    gone = tmp_path / "run"
    shutil.copytree(base / "run", gone)
    doc = json.loads((gone / "run.json").read_text())
    doc["theory"]["path"], doc["theory"]["name"] = str(tmp_path / "nowhere"), "nowhere-pack"
    (gone / "run.json").write_text(json.dumps(doc))
    with pytest.raises(HachimiError) as e:
        theory_of(gone)
    assert f"{tmp_path / 'nowhere'} (not found)" in str(e.value) and "--theory" in str(e.value)


def test_report_from_elsewhere_uses_the_runs_pack(made, tmp_path, monkeypatch, cli):
    from hachimi.cli import report_cmd
    from hachimi.cli.main import cli as group

    group.add_command(report_cmd.report_cmd)
    base, _, _ = made
    monkeypatch.chdir(tmp_path)
    r = cli("report", base / "run", "--out", tmp_path / "rep", "--format", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["personas"] == 6

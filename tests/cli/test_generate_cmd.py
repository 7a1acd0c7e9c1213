"""`hachimi generate` as a user runs it (template model): the JSON summary, byte-identical reruns
with many slots in flight, and a run folder that cannot be made."""

import json

import pytest


@pytest.fixture
def gen(cli):
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    return lambda *a: cli("generate", "--model", "template", *a)


def test_same_command_twice_with_k8_is_byte_identical(gen, tmp_path):
    outs = []
    for k in range(2):
        out = tmp_path / f"r{k}"
        r = gen(
            "--plan",
            "plans/k12-balanced.toml",
            "--n",
            "16",
            "--seed",
            "5",
            "--out",
            out,
            "--concurrency",
            "8",
            "--format",
            "json",
        )
        assert r.exit_code == 0, r.output
        doc = json.loads(r.stdout)
        assert doc["counts"]["accepted"] == 16 and doc["per_accepted"]["calls"] == 5.0
        outs.append((out / "personas.jsonl").read_bytes())
    assert outs[0] == outs[1]
    manifest = json.loads((tmp_path / "r0" / "run.json").read_text())
    assert manifest["concurrency"] == 8 and manifest["this_session"]["mean_batch"] > 4


def test_k_does_not_change_the_personas_on_a_batch_invariant_engine(gen, tmp_path):
    for k in (1, 6):
        assert gen("--n", "6", "--seed", "2", "--out", tmp_path / f"k{k}", "--concurrency", str(k)).exit_code == 0
    assert (tmp_path / "k1" / "personas.jsonl").read_bytes() == (tmp_path / "k6" / "personas.jsonl").read_bytes()


def test_folder_that_cannot_be_created(gen, tmp_path):
    (tmp_path / "file").write_text("x")
    r = gen("--n", "1", "--out", tmp_path / "file" / "run")
    assert r.exit_code == 2 and "cannot create the run folder" in r.output and "Traceback" not in r.output


def test_free_narratives_are_part_of_the_run_identity(gen, tmp_path):
    import re

    def narratives(out):
        lines = (out / "personas.jsonl").read_text().splitlines()
        return [json.loads(line)["values"]["narrative"] for line in lines]

    on, off = tmp_path / "on", tmp_path / "off"
    assert gen("--n", "2", "--seed", "3", "--out", on).exit_code == 0
    r = gen("--n", "2", "--seed", "3", "--out", off, "--narrative", "free")
    assert r.exit_code == 0, r.output
    head = re.compile(r"^(Her|His|Their) moral cultivation is ")
    assert all(head.match(n) for n in narratives(on))
    assert not any(head.match(n) for n in narratives(off))
    assert json.loads((on / "run.json").read_text())["identity"]["settings"]["narrative"] == "scaffold"
    assert json.loads((off / "run.json").read_text())["identity"]["settings"]["narrative"] == "free"
    r = gen("--n", "2", "--seed", "3", "--out", on, "--narrative", "free")  # a different run: refused
    assert r.exit_code == 2 and '"narrative": "scaffold"' in r.output and "Traceback" not in r.output
    r = gen("--n", "2", "--seed", "3", "--out", off)  # the model's style (scaffold) is not the folder's
    assert r.exit_code == 2 and '"narrative": "free"' in r.output


def test_no_scaffold_is_a_deprecated_alias_of_free(gen, tmp_path):
    r = gen("--n", "1", "--seed", "3", "--out", tmp_path / "a", "--no-scaffold")
    assert r.exit_code == 0, r.output
    assert "--no-scaffold is deprecated; it means --narrative free" in r.output
    assert json.loads((tmp_path / "a" / "run.json").read_text())["identity"]["settings"]["narrative"] == "free"
    r = gen("--n", "1", "--seed", "3", "--out", tmp_path / "a", "--narrative", "free")  # the same run
    assert r.exit_code == 0, r.output
    r = gen("--n", "1", "--out", tmp_path / "b", "--no-scaffold", "--narrative", "scaffold")
    assert r.exit_code == 2 and "contradicts" in r.output and not (tmp_path / "b").exists()


def test_a_folder_from_before_the_narrative_option_resumes_under_its_style(gen, tmp_path):
    """run.json written when the setting was `scaffold: true/false`: true is today's scaffold."""
    out = tmp_path / "r"
    assert gen("--n", "2", "--seed", "3", "--out", out).exit_code == 0
    manifest = json.loads((out / "run.json").read_text())
    settings = manifest["identity"]["settings"]
    settings["scaffold"] = settings.pop("narrative") == "scaffold"
    (out / "run.json").write_text(json.dumps(manifest))
    assert gen("--n", "2", "--seed", "3", "--out", out).exit_code == 0
    settings["scaffold"] = False  # free narratives with lexicon words: no style of today's
    (out / "run.json").write_text(json.dumps(manifest))
    for style in ("scaffold", "free"):
        r = gen("--n", "2", "--seed", "3", "--out", out, "--narrative", style)
        assert r.exit_code == 2 and "before --narrative" in r.output


def test_the_run_keeps_its_indexes_up_to_date_as_it_writes(gen, tmp_path):
    """When generate ends, slots.sqlite and audit.sqlite cover the whole attempts log: a resume and
    an audit read them without catching up."""
    import sqlite3

    out = tmp_path / "r"
    r = gen("--n", "6", "--seed", "2", "--out", out)
    assert r.exit_code == 0, r.output
    size = (out / "attempts.jsonl").stat().st_size
    for name in ("slots.sqlite", "audit.sqlite"):
        con = sqlite3.connect(out / name)
        meta = dict(con.execute("SELECT key, value FROM meta"))
        con.close()
        assert int(meta["offset"]) == size, name
    con = sqlite3.connect(out / "audit.sqlite")
    ids = {row[0] for row in con.execute("SELECT DISTINCT persona FROM attempts")}
    con.close()
    assert ids == {json.loads(x)["id"] for x in (out / "personas.jsonl").read_text().splitlines()}

"""`hachimi text read` as a user runs it: what was read from each sentence, as text and JSON."""

import json

from conftest import ROOT

NATURAL = ROOT / "tests" / "text" / "data" / "personas_en.jsonl"


def test_text_read_one_persona_shows_each_reading(cli):
    pid = json.loads(NATURAL.read_text().splitlines()[5])["id"]
    r = cli("text", "read", NATURAL, "--id", pid)
    assert r.exit_code == 0 and pid in r.output
    assert "values.narrative" in r.output and "creativity.narrative" in r.output
    assert "agrees" in r.output and "contradicts" not in r.output


def test_text_read_json_and_a_contradiction(cli, tmp_path, base):
    base["values"]["narrative"] = "Her moral cultivation, as her teacher notes, is rather weak. She reads a lot."
    f = tmp_path / "p.jsonl"
    f.write_text(json.dumps(base) + "\n")
    r = cli("text", "read", f, "--line", 1, "--format", "json")
    rows = json.loads(r.output)["readings"]
    [row] = [x for x in rows if x["dimension"] == "moral_cultivation"]
    assert row["allows"] == ["low", "fairly_low"] and row["verdict"] == "contradicts" and row["trusted"]
    assert row["words"] == "rather weak" and row["construction"] == "copula"


def test_text_read_a_sentence(cli):
    r = cli("text", "read", "--sentence", "When it comes to novelty, she is well above average.", "--format", "json")
    d = json.loads(r.output)
    assert d["readings"][0]["dimension"] == "novelty" and d["readings"][0]["allows"] == ["fairly_high", "high"]


def test_text_read_bad_input_is_one_line(cli, tmp_path):
    r = cli("text", "read", tmp_path / "missing.jsonl")
    assert r.exit_code == 2 and "no such file" in r.output
    f = tmp_path / "p.jsonl"
    f.write_text('{"id": "a"}\n')
    r = cli("text", "read", f, "--id", "zzz")
    assert r.exit_code == 2 and "no id 'zzz' found" in r.output
    r = cli("text", "read", "--sentence", "x", "--part", "nope")
    assert r.exit_code == 2 and "not one of" in r.output

"""Bad input to every survey command, as a user makes it: one clear line naming the file (and the
line or key), exit 2 where nothing can go on, a warning and the rest used where it can; never a
traceback; never answers scored for personas that did not give them."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT

MINI = ROOT / "tests" / "fixtures" / "instruments" / "mini"
RUN = ROOT / "examples" / "run-balanced-16"


@pytest.fixture
def survey(cli):
    from hachimi.cli import survey_cmd
    from hachimi.cli.main import cli as group

    group.add_command(survey_cmd.survey)

    def run(*a):
        r = cli("survey", *a)
        assert "Traceback" not in r.output, r.output
        return r

    return run


def ask(people, out, *more) -> tuple:
    """`survey administer` of a personas file into a survey folder on the template engine."""
    common = ("--model", "template", "--instrument", MINI, "--theory", "k12", "--check-share", "1")
    return ("administer", people, *common, "--out", out, "--format", "json", *more)


def _personas(n=6) -> list[dict]:
    return [json.loads(x) for x in (RUN / "personas.jsonl").read_text(encoding="utf-8").splitlines()[:n]]


def _write(path, rows):
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8"
    )


@pytest.fixture
def surveyed(survey, tmp_path):
    """Six personas (a file of their own) answered the mini instrument on the template engine."""
    people = tmp_path / "run" / "personas.jsonl"
    people.parent.mkdir()
    _write(people, _personas())
    out = tmp_path / "run" / "survey"
    r = survey(*ask(people, out))
    assert r.exit_code == 0, r.output
    return people, out


def test_persona_lines_without_an_id_are_named_and_left_out(survey, tmp_path):
    people = tmp_path / "p.jsonl"
    ps = _personas(3)
    no_id = {k: v for k, v in ps[1].items() if k != "id"}
    _write(people, [ps[0], no_id, ps[0], "[1, 2]", {**ps[2], "id": ""}, ps[2]])
    r = survey(
        "administer",
        people,
        "--model",
        "template",
        "--instrument",
        MINI,
        "--out",
        tmp_path / "o",
        "--theory",
        "k12",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    assert f"{people}:2: no id" in r.stderr and f"{people}:3: id {ps[0]['id']} appears again" in r.stderr
    assert f"{people}:4: " in r.stderr and f"{people}:5: no id" in r.stderr
    answered = {json.loads(x)["persona"] for x in (tmp_path / "o" / "answers.jsonl").read_text().splitlines()}
    assert answered == {ps[0]["id"], ps[2]["id"]}


def test_torn_and_corrupt_answers_are_skipped_with_their_line_everywhere(survey, surveyed):
    people, out = surveyed
    lines = (out / "answers.jsonl").read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    del broken["scores"]
    text = "\n".join([lines[0], json.dumps(broken), "not json at all", *lines[2:]]) + '\n{"persona": "x", "ki'
    (out / "answers.jsonl").write_text(text, encoding="utf-8")
    for cmd in ("score", "compare"):
        r = survey(cmd, out, "--format", "json")
        assert r.exit_code == 0, r.output
        assert "answers.jsonl:2: items or scores missing" in r.stderr and "answers.jsonl:3: " in r.stderr
        assert f"answers.jsonl:{len(lines) + 2}: " in r.stderr  # the torn last line
        assert json.loads(r.stdout)["answers"]["blocks_unreadable"] == 3
    # administer repairs the torn line and asks the unreadable blocks again
    r = survey(*ask(people, out))
    assert r.exit_code == 0 and json.loads(r.stdout)["asked"] == 1, r.output  # the block of line 2
    r = survey("score", out, "--format", "json")
    assert json.loads(r.stdout)["answers"]["blocks_used"] == len(lines)


@pytest.mark.parametrize(
    "content,fragment",
    [
        ("{not json", "survey.json: not JSON"),
        ("\udcff".encode("utf-8", "surrogatepass"), "survey.json: not UTF-8"),
        ("{}", "survey.json: no 'identity' in it"),
        ('{"identity": {"settings": {"instrument": "mini"}}}', "survey.json: no 'seed' in it"),
        ("[]", "survey.json: no "),
    ],
)
def test_a_corrupt_survey_json_is_one_line(survey, surveyed, content, fragment):
    people, out = surveyed
    m = out / "survey.json"
    m.write_bytes(content if isinstance(content, bytes) else content.encode())
    for args in (
        ("score", out),
        ("compare", out),
        ("administer", people, "--model", "template", "--instrument", MINI, "--out", out, "--theory", "k12"),
    ):
        r = survey(*args)
        assert r.exit_code == 2 and fragment in r.output, (args, r.output)


def test_regenerated_personas_are_asked_again_never_scored_with_old_answers(survey, surveyed):
    people, out = surveyed
    ps = _personas()
    before = json.loads(survey("score", out, "--format", "json").stdout)
    assert before["answers"]["blocks_of_changed_personas"] == 0 and len(before["personas"]) == 6
    # the run is made again with the same ids: two personas now have other content, one is gone
    ps[0]["values"]["personality"] = "Someone else entirely."
    ps[1]["enrollment"]["age"] += 1
    _write(people, ps[:5])
    r = survey("score", out, "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert sorted(doc["personas"]) == sorted(p["id"] for p in ps[2:5])  # only answers they gave
    assert doc["answers"]["blocks_of_changed_personas"] > 0 and doc["answers"]["blocks_of_missing_personas"] > 0
    assert "of 2 persona(s) whose content changed" in r.stderr and "of 1 persona(s) that no longer exist" in r.stderr
    r = survey(*ask(people, out))
    counts = json.loads(r.stdout)
    assert counts["changed_personas"] == 2 and counts["asked"] > 0
    doc = json.loads(survey("score", out, "--format", "json").stdout)
    assert sorted(doc["personas"]) == sorted(p["id"] for p in ps[:5])
    assert doc["answers"]["blocks_of_changed_personas"] == 0 and doc["answers"]["blocks_superseded"] > 0


def test_a_moved_survey_folder_still_scores_or_says_which_paths_it_tried(survey, surveyed, tmp_path):
    people, out = surveyed
    moved = tmp_path / "elsewhere" / "survey"
    moved.parent.mkdir()
    shutil.move(str(out), moved)  # the personas stay where they were: the absolute path finds them
    r = survey("score", moved, "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)["personas"]) == 6, r.output
    shutil.move(str(people), tmp_path / "p.jsonl")  # now they are gone from both places
    r = survey("score", moved)
    assert r.exit_code == 2 and f"not at {tmp_path / 'elsewhere' / 'personas.jsonl'} nor {people}" in r.output
    assert "--personas FILE" in r.output
    r = survey("compare", moved, "--personas", tmp_path / "p.jsonl", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["personas"] == 6, r.output
    # the whole run moved together: the relative path still leads to it
    shutil.move(str(tmp_path / "p.jsonl"), people)
    shutil.move(str(moved), out)
    shutil.move(str(tmp_path / "run"), tmp_path / "run2")
    r = survey("score", tmp_path / "run2" / "survey", "--format", "json")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize(
    "content,fragment",
    [
        (b"", "no rows"),
        (b"construct,tier,gender,risk,mean\n", "no rows"),
        (b"construct,tier,gender\nJOY,high,female\n", "missing column(s) risk, mean"),
        (b"construct,tier,gender,risk,mean\nJOY,high,female,low,high\n", ":2: mean must be a number, got 'high'"),
        (b"construct,tier,gender,risk,mean,sd\nJOY,high,female,low,1,x\n", ":2: sd must be a number, got 'x'"),
        (b"construct,tier,gender,risk,mean\nJOY,high,female,low,nan\n", ":2: mean must be a finite number"),
        (b"\xff\xfe\x00\x01garbage", "not a UTF-8 CSV file"),
    ],
)
def test_bad_reference_csvs_for_compare(survey, surveyed, tmp_path, content, fragment):
    _, out = surveyed
    ref = tmp_path / "human.csv"
    ref.write_bytes(content)
    r = survey("compare", out, "--reference", ref)
    assert r.exit_code == 2 and fragment in r.output, r.output


@pytest.mark.parametrize(
    "name,content,fragment",
    [
        ("stu.csv", b"", "empty file"),
        ("stu.sav", b"\x00\x01random bytes\xff" * 30, "not a readable SPSS file"),
        ("stu.csv", b"CNT,W_FSTUWT\n", "no students"),
        ("stu.csv", b"CNT,W_FSTUWT,ST004D01T\nAAA,1,1\n", "are columns of the student file"),
    ],
)
def test_bad_student_files_for_reference(survey, tmp_path, name, content, fragment):
    stu = tmp_path / name
    stu.write_bytes(content)
    r = survey("reference", "pisa2022", stu, "--out", tmp_path / "h.csv")
    assert r.exit_code == 2 and fragment in r.output and not (tmp_path / "h.csv").exists(), r.output


def test_weights_of_mixed_sign_are_refused(survey, tmp_path):
    pd = pytest.importorskip("pandas")
    row = {
        "CNT": "AAA",
        "ST004D01T": 1,
        "ST016Q01NA": 7,
        **{f"PV{k}MATH": 500.0 for k in range(1, 11)},
        "ST292Q01JA": 2,
    }
    pd.DataFrame([{**row, "W_FSTUWT": 2.0}, {**row, "W_FSTUWT": -1.0}]).to_csv(tmp_path / "stu.csv", index=False)
    r = survey("reference", "pisa2022", tmp_path / "stu.csv", "--out", tmp_path / "h.csv")
    assert r.exit_code == 2 and "W_FSTUWT: 1 of 2 students have a negative weight" in r.output, r.output

"""README's "Write a theory" tutorial, followed as a newcomer would: every marked block of the
README is a command to run or a file to write, in order, in an empty folder. If the README and the
product drift apart, this fails."""

from __future__ import annotations

import json
import re
import shlex

from conftest import ROOT

BLOCK = re.compile(r"<!-- tutorial: (?P<what>[^>]+?) -->\s*```[a-z]*\n(?P<body>.*?)```", re.S)


def steps() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["what"].strip(), m["body"]) for m in BLOCK.finditer(readme)]


def test_the_tutorial_has_its_steps():
    kinds = [what for what, _ in steps()]
    assert kinds[0] == "run" and kinds[-1] == "run" and len(kinds) == 8


def test_following_the_tutorial_gives_a_theory_that_generates_valid_personas(tmp_path, monkeypatch, cli):
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    monkeypatch.chdir(tmp_path)
    for what, body in steps():
        if what == "run":
            for line in body.strip().splitlines():
                for command in line.split("&&"):
                    argv = shlex.split(command)
                    assert argv[0] == ".venv/bin/hachimi", command
                    r = cli(*argv[1:])
                    assert r.exit_code == 0, (command, r.output)
            continue
        path, _, mode = what.partition(" ")
        target = tmp_path / path
        if mode == "+" and path.endswith(".json"):
            doc = json.loads(target.read_text(encoding="utf-8"))
            doc.update(json.loads(body))
            target.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif mode == "+":
            target.write_text(target.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(body, encoding="utf-8")
    personas = [json.loads(x) for x in (tmp_path / "runs/t/personas.jsonl").read_text().splitlines()]
    assert len(personas) == 12
    for p in personas:  # the narrowed grammar kept every persona inside its age band
        hours, age = p["sleep"]["weeknight_hours"], p["enrollment"]["age"]
        assert (9 <= hours <= 12) if age <= 12 else (8 <= hours <= 10), (age, hours)
    assert (tmp_path / "my-theory-schemas" / "sleep.schema.json").is_file()
    r = cli("theory", "test", "my-theory")
    assert "153 cases over 43 rules: 153 passed" in r.output  # k12's 151 + the tutorial's 2

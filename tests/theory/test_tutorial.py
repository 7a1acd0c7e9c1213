"""README's "Write a theory" tutorial, followed as a newcomer would: every marked block of the
README is a command to run (`run`, or `run (exit N)` for one that must refuse) or a file to write,
in order, in an empty folder; a ```text block right after a run block is output the commands must
print. If the README and the product drift apart, this fails.

It is also the issue's "hidden pack" bar: a pack written from the README alone (a new part and
agent, an ASP rule, a Z3 rule, a text rule, a plan on its own field) lints, tests, checks,
generates with the template model, validates, and audits a broken persona to exactly its own
fields; with its extra lexicon table k12's R5 and R12 still fire; its Real-declared variant is
refused by lint; a pack that removes k12's clinical lexicon is told it lost R12."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

from conftest import ROOT

BLOCK = re.compile(
    r"<!-- tutorial: (?P<what>[^>]+?) -->\s*```[a-z]*\n(?P<body>.*?)```(?:\s*```text\n(?P<shown>.*?)```)?", re.S
)
RUN = re.compile(r"^run(?: \(exit (?P<code>\d+)\))?$")


def steps() -> list[tuple[str, str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [(m["what"].strip(), m["body"], m["shown"] or "") for m in BLOCK.finditer(readme)]


def test_the_tutorial_has_its_steps():
    kinds = [what for what, _, _ in steps()]
    assert kinds[0] == "run" and len(kinds) == 19
    assert {"my-theory/numeric/sleep_screen.smt2", "sleep-plan.toml", "run (exit 1)"} <= set(kinds)


def _run(command: str, cli, cwd) -> tuple[int, str]:
    argv = shlex.split(command)
    if argv[0] == ".venv/bin/hachimi":
        r = cli(*argv[1:])
        return r.exit_code, r.output
    # anything else (the python one-liner of step 12) runs in a shell, with this interpreter
    line = command.replace(".venv/bin/python", shlex.quote(sys.executable))
    p = subprocess.run(line, shell=True, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def test_following_the_tutorial_gives_a_theory_that_generates_valid_personas(tmp_path, monkeypatch, cli):
    from hachimi.cli import audit_cmd, generate_cmd, plan_cmd
    from hachimi.cli.main import cli as group

    for cmd in (generate_cmd.generate, plan_cmd.plan_cmd, audit_cmd.audit_cmd):
        group.add_command(cmd)
    monkeypatch.chdir(tmp_path)
    printed = {}
    for what, body, shown in steps():
        if m := RUN.match(what):
            want, out = int(m["code"] or 0), ""
            for line in body.strip().splitlines():
                for command in line.split("&&") if ">" not in line else [line]:
                    code, text = _run(command.strip(), cli, tmp_path)
                    out += text
                    last = code
                    if code != 0 and want == 0:
                        raise AssertionError((command, text))
            assert last == want, (body, out)
            for expected in shown.strip().splitlines():
                assert expected.strip() in out, (expected, out)
            printed[body.strip()] = out
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
    assert len(personas) == 16
    for p in personas:  # the narrowed grammar kept every persona inside its age band and its stratum
        hours, age, screen = p["sleep"]["weeknight_hours"], p["enrollment"]["age"], p["sleep"]["screen_before_bed"]
        assert (9 <= hours <= 12) if age <= 12 else (8 <= hours <= 10), (age, hours)
        assert screen != "often" or hours <= 10
        assert p["slot"]["cell"].endswith(f"screens={screen}") and 5 <= p["slot"]["grade"] <= 8
    assert sum(p["sleep"]["screen_before_bed"] == "often" for p in personas) == 8
    assert (tmp_path / "my-theory-schemas" / "sleep.schema.json").is_file()
    r = cli("theory", "test", "my-theory", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["failed"] == 0 and doc["cases"] == 157  # k12's 151 + the tutorial's 6
    fired = {(o["rule"], o["expect"]) for o in doc["outcomes"] if o["ok"]}
    assert {("health-text", "fail"), ("non-diagnostic", "fail")} <= fired  # R5 and R12 still fire
    audit = cli("audit", "--file", "broken.jsonl", "--theory", "my-theory", "--format", "json")
    v = json.loads(audit.stdout)["violations"]
    assert [(x["rule"], x["owner"], x["fields"]) for x in v] == [
        ("sleep-hours-age", "sleep", ["enrollment.age", "sleep.weeknight_hours"])
    ]

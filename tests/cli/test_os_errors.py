"""Errors from the operating system are answers, not tracebacks (issue 18, part 5). Every command,
run as a user runs it, with a missing input, an input that is a folder (or a file where a folder is
expected), an unreadable input, an output in a read-only place or one it may not write, and an
output on a full disk: one line naming the path, exit 2, no traceback, and no output left half
written (what was there before is as it was).

The tests run as root, where chmod stops nothing, so permission and full-disk errors are injected
(`Faults`: the calls hachimi and its libraries make - open, os.open, os.write, os.mkdir, os.replace,
os.unlink, os.access, os.listdir, os.scandir, sqlite3.connect - raise what the kernel would raise for
paths under a chosen folder; a full disk takes a few bytes, then refuses). Where mounting is
permitted, a real full and a real read-only tmpfs are used too."""

from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest

from conftest import ROOT

RUN = ROOT / "examples" / "run-balanced-16"
SURVEY = ROOT / "examples" / "survey-16"


class Faults:
    """OS errors for paths under chosen roots: deny (no read, no write: EACCES), readonly (writes,
    creations, renames and removals fail with EROFS or EACCES; reads work) and full (a write takes
    the room that is left, a few bytes, then fails with ENOSPC, as on a full disk)."""

    def __init__(self, mp: pytest.MonkeyPatch):
        self.rules: list[tuple[str, str, int]] = []
        self.room: dict[str, int] = {}
        self.full_fds: set[int] = set()
        real = {
            name: getattr(os, name)
            for name in ("open", "write", "pwrite", "close", "mkdir", "replace", "rename", "unlink", "remove")
        }
        real |= {"rmdir": os.rmdir, "access": os.access, "listdir": os.listdir, "scandir": os.scandir}
        self.real, self.real_open, self.real_connect = real, builtins.open, sqlite3.connect

        def opener(file, mode="r", *a, **k):
            rule = self.match(file)
            if rule and not isinstance(file, int):
                root, kind, err = rule
                writing = any(c in mode for c in "wax+")
                if kind == "deny":
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(file))
                if writing and kind == "readonly":
                    raise OSError(err, os.strerror(err), os.fspath(file))
                if writing and kind == "full":
                    return _FullFile(self.real_open(file, mode, *a, **k), self, root)
            return self.real_open(file, mode, *a, **k)

        def os_open(path, flags, mode=0o777, *, dir_fd=None):
            rule = None if dir_fd is not None else self.match(path)
            writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)
            if rule:
                self._refuse(rule, path, writing)
            fd = real["open"](path, flags, mode, dir_fd=dir_fd)
            if rule and writing and rule[1] == "full":
                self.full_fds.add(fd)
                self.fd_root = getattr(self, "fd_root", {}) | {fd: rule[0]}
            return fd

        def os_write(fd, data):
            if fd in self.full_fds:
                return self.spend(self.fd_root[fd], data, lambda d: real["write"](fd, d))
            return real["write"](fd, data)

        def os_pwrite(fd, data, offset):
            if fd in self.full_fds:
                return self.spend(self.fd_root[fd], data, lambda d: real["pwrite"](fd, d, offset))
            return real["pwrite"](fd, data, offset)

        def os_close(fd):
            self.full_fds.discard(fd)
            return real["close"](fd)

        def changing(name):
            def call(path, *a, dir_fd=None, **k):
                rule = None if dir_fd is not None else self.match(path)
                if rule:
                    if name == "mkdir" and os.path.lexists(path):
                        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fspath(path))
                    self._refuse(rule, path, True)
                if name in ("replace", "rename") and a and (rule := self.match(a[0])):
                    self._refuse(rule, a[0], True)
                return real[name](path, *a, **k) if dir_fd is None else real[name](path, *a, dir_fd=dir_fd, **k)

            return call

        def listing(name):
            def call(path=".", *a, **k):
                rule = None if isinstance(path, int) else self.match(path)
                if rule and rule[1] == "deny":
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
                return real[name](path, *a, **k)

            return call

        def access(path, mode, *a, **k):
            rule = None if isinstance(path, int) else self.match(path)
            if rule and (rule[1] == "deny" or (mode & os.W_OK and rule[1] == "readonly")):
                return False
            return real["access"](path, mode, *a, **k)

        def connect(db, *a, **k):
            rule = self.match(db) if isinstance(db, (str, os.PathLike)) and str(db) != ":memory:" else None
            if rule and rule[1] in ("deny", "readonly"):
                raise sqlite3.OperationalError("unable to open database file")
            if rule and rule[1] == "full":
                with self.real_open(db, "ab") as fh:
                    fh.write(b"SQLite format 3\0")  # what a full disk leaves: a start
                return _FullDatabase()
            return self.real_connect(db, *a, **k)

        mp.setattr(builtins, "open", opener)
        mp.setattr(io, "open", opener)
        for name, fn in (("open", os_open), ("write", os_write), ("pwrite", os_pwrite), ("close", os_close)):
            mp.setattr(os, name, fn)
        for name in ("mkdir", "replace", "rename", "unlink", "remove", "rmdir"):
            mp.setattr(os, name, changing(name))
        for name in ("listdir", "scandir"):
            mp.setattr(os, name, listing(name))
        mp.setattr(os, "access", access)
        mp.setattr(sqlite3, "connect", connect)

    def deny(self, path) -> None:
        self.rules.append((os.path.abspath(path), "deny", errno.EACCES))

    def readonly(self, path, err: int = errno.EROFS) -> None:
        self.rules.append((os.path.abspath(path), "readonly", err))

    def full(self, path, room: int = 16) -> None:
        self.rules.append((os.path.abspath(path), "full", errno.ENOSPC))
        self.room[os.path.abspath(path)] = room

    def match(self, path):
        if isinstance(path, int):
            return None
        p = os.path.abspath(os.fsdecode(os.fspath(path)))
        return next((r for r in self.rules if p == r[0] or p.startswith(r[0] + os.sep)), None)

    def _refuse(self, rule, path, writing: bool) -> None:
        _, kind, err = rule
        if kind == "deny":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        if writing and kind == "readonly":
            raise OSError(err, os.strerror(err), os.fspath(path))

    def spend(self, root: str, data, write) -> int:
        """Write what still fits under root; refuse the rest with ENOSPC (no file name, as the kernel)."""
        left = self.room[root]
        if len(data) <= left:
            self.room[root] = left - len(data)
            return write(data)
        if left:
            write(data[:left])
            self.room[root] = 0
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullFile:
    def __init__(self, fh, faults: Faults, root: str):
        self._fh, self._faults, self._root = fh, faults, root

    def write(self, data):
        self._faults.spend(self._root, data, lambda d: (self._fh.write(d), self._fh.flush()))
        return len(data)

    def __getattr__(self, name):
        return getattr(self._fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()

    def __iter__(self):
        return iter(self._fh)


class _FullDatabase:
    def _full(self, *a, **k):
        raise sqlite3.OperationalError("database or disk is full")

    execute = executescript = executemany = commit = _full

    def close(self):
        pass


@pytest.fixture
def faults(monkeypatch):
    return Faults(monkeypatch)


@pytest.fixture
def hachimi(cli, monkeypatch):
    """Every command of `hachimi --help`, run in this process; semantic near-duplicates are off
    (the report tolerates a missing embedding model; loading it takes seconds and is not what is
    tested here)."""
    from hachimi.cli.main import register
    from hachimi.dedup import embed
    from hachimi.errors import MissingExtraError

    register()

    def no_embeddings(*a, **k):
        raise MissingExtraError("population", "sentence-transformers")

    monkeypatch.setattr(embed, "embed", no_embeddings)
    return cli


@pytest.fixture
def world(tmp_path):
    """Inputs a user has: a small run folder (3 personas, no plan) with its old report, a survey
    folder with its old tables and report, a theory, an instrument, a student file, a reference
    file, an empty folder; `out` is where outputs go."""
    run = tmp_path / "run"
    shutil.copytree(RUN, run)
    (run / "personas.jsonl").write_text("".join((RUN / "personas.jsonl").read_text().splitlines(True)[:3]))
    manifest = json.loads((run / "run.json").read_text())
    manifest["plan"], manifest["cells"] = None, {}
    (run / "run.json").write_text(json.dumps(manifest))
    shutil.copytree(SURVEY, tmp_path / "s16", ignore=shutil.ignore_patterns("survey-refusal-first-wording"))
    shutil.copytree(ROOT / "constraints" / "k12", tmp_path / "k12")
    shutil.copytree(ROOT / "instruments" / "pisa2022-student", tmp_path / "inst")
    shutil.copy(ROOT / "tests" / "fixtures" / "hachimi_zh" / "original.jsonl", tmp_path / "zh.jsonl")
    shutil.copy(ROOT / "examples" / "personas.jsonl", tmp_path / "personas.jsonl")
    shutil.copy(ROOT / "plans" / "k12-balanced.toml", tmp_path / "plan.toml")
    rows = ["construct,tier,gender,risk,mean,sd,n"]
    rows += [f"MATHEFF,{t},{g},{r},0.{k},1,50" for k, (t, g, r) in enumerate(_cohorts())]
    (tmp_path / "human.csv").write_text("\n".join(rows) + "\n")
    head = ["CNT", "W_FSTUWT", "ST004D01T", "ST016Q01NA", *[f"PV{p}MATH" for p in range(1, 11)], "ST292Q01JA"]
    lines = [",".join(head)]
    lines += [
        ",".join(map(str, ["AAA", k + 1, 1 + k % 2, 3 + k % 6, *[100 * (k + 1)] * 10, 1 + k % 4])) for k in range(10)
    ]
    (tmp_path / "stu.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "dir").mkdir()
    (tmp_path / "out").mkdir()
    return {
        "run": run,
        "sv": tmp_path / "s16" / "survey",
        "k12": tmp_path / "k12",
        "inst": tmp_path / "inst",
        "zh": tmp_path / "zh.jsonl",
        "personas": tmp_path / "personas.jsonl",
        "plan": tmp_path / "plan.toml",
        "human": tmp_path / "human.csv",
        "stu": tmp_path / "stu.csv",
        "dir": tmp_path / "dir",
        "out": tmp_path / "out",
        "missing": tmp_path / "missing",
        "tmp": tmp_path,
    }


def _cohorts():
    return [(t, g, r) for t in ("high", "medium", "low", "poor") for g in ("female", "male") for r in ("low", "high")]


def tree(folder, leftovers: tuple[str, ...] = ()) -> dict[str, bytes | None]:
    """Every file under folder with its bytes, and every folder (what must be as it was after a
    failed command); names in `leftovers` are not counted."""
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        return {}
    found: dict[str, bytes | None] = {}
    for top, dirs, files in os.walk(folder):
        for name in dirs:
            found[os.path.relpath(os.path.join(top, name), folder) + "/"] = None
        for name in files:
            if name in leftovers:
                continue
            p = os.path.join(top, name)
            with open(p, "rb") as fh:
                found[os.path.relpath(p, folder)] = fh.read()
    return found


NOTES = ("loading ", "loaded in ", "note: ", "warning: ")


def one_line(r, named) -> str:
    """exit 2, no traceback, and one error line that names `named`; any other line is a note."""
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output, r.output
    lines = [x for x in r.output.splitlines() if x.strip()]
    errors = [x for x in lines if x.startswith("hachimi: error: ")]
    assert len(errors) == 1, r.output
    assert all(x in errors or x.startswith(NOTES) for x in lines), r.output
    assert str(named) in errors[0], (str(named), errors[0])
    return errors[0]


# (id, args, what is missing/denied/a folder: (kind, path), the path the line must name, words it must say)
INPUTS = [
    ("validate-missing", ("validate", "{missing}"), None, "{missing}", "no such file"),
    ("validate-folder", ("validate", "{dir}"), None, "{dir}", "is a folder"),
    ("validate-unreadable", ("validate", "{personas}"), ("deny", "{personas}"), "{personas}", "permission denied"),
    ("convert-missing", ("convert", "--from", "hachimi-zh", "{missing}", "{out}/c.jsonl"), None, "{missing}", ""),
    ("convert-folder", ("convert", "--from", "hachimi-zh", "{dir}", "{out}/c.jsonl"), None, "{dir}", "directory"),
    (
        "convert-unreadable",
        ("convert", "--from", "hachimi-zh", "{zh}", "{out}/c.jsonl"),
        ("deny", "{zh}"),
        "{zh}",
        "not readable",
    ),
    ("dedup-missing", ("dedup", "--no-semantic", "{missing}"), None, "{missing}", "does not exist"),
    ("dedup-folder", ("dedup", "--no-semantic", "{dir}"), None, "{dir}", "directory"),
    ("dedup-unreadable", ("dedup", "--no-semantic", "{personas}"), ("deny", "{personas}"), "{personas}", "readable"),
    ("plan-missing", ("plan", "{missing}", "--n", "5"), None, "{missing}", ""),
    ("plan-folder", ("plan", "{dir}", "--n", "5"), None, "{dir}", "directory"),
    ("plan-unreadable", ("plan", "{plan}", "--n", "5"), ("deny", "{plan}"), "{plan}", "not readable"),
    ("text-missing", ("text", "read", "{missing}"), None, "{missing}", "no such file"),
    ("text-folder", ("text", "read", "{dir}"), None, "{dir}", "is a folder"),
    ("text-unreadable", ("text", "read", "{personas}"), ("deny", "{personas}"), "{personas}", "permission denied"),
    *[
        case
        for sub in ("lint", "test", "check", "vocab")
        for case in (
            (f"theory-{sub}-missing", ("theory", sub, "{missing}"), None, "{missing}", "no theory folder"),
            (f"theory-{sub}-a-file", ("theory", sub, "{personas}"), None, "{personas}", "no theory folder"),
            (
                f"theory-{sub}-unreadable",
                ("theory", sub, "{k12}"),
                ("deny", "{k12}/theory.toml"),
                "{k12}/theory.toml",
                "permission denied",
            ),
        )
    ],
    (
        "theory-new-unreadable-base",
        ("theory", "new", "{out}/t", "--extends", "{k12}"),
        ("deny", "{k12}/theory.toml"),
        "{k12}/theory.toml",
        "permission denied",
    ),
    (
        "schema-export-unreadable-theory",
        ("schema", "export", "--theory", "{k12}", "--out", "{out}/s"),
        ("deny", "{k12}/schema.toml"),
        "{k12}/schema.toml",
        "permission denied",
    ),
    ("schema-check-missing", ("schema", "check", "--dir", "{missing}"), None, "{missing}", "no such folder"),
    ("schema-check-a-file", ("schema", "check", "--dir", "{personas}"), None, "{personas}", "is a file"),
    ("survey-lint-missing", ("survey", "lint", "{missing}"), None, "{missing}", "no instrument"),
    ("survey-lint-a-file", ("survey", "lint", "{personas}"), None, "{personas}", "no instrument"),
    (
        "survey-lint-unreadable",
        ("survey", "lint", "{inst}"),
        ("deny", "{inst}/instrument.toml"),
        "{inst}/instrument.toml",
        "permission denied",
    ),
    *[
        (
            f"survey-administer-{what}",
            ("survey", "administer", src, "--model", "template", "--out", "{out}/sa"),
            fault,
            named,
            words,
        )
        for what, src, fault, named, words in (
            ("missing", "{missing}", None, "{missing}", "does not exist"),
            ("empty-folder", "{dir}", None, "{dir}/personas.jsonl", "no personas"),
            ("unreadable", "{run}", ("deny", "{run}/personas.jsonl"), "{run}/personas.jsonl", "permission denied"),
        )
    ],
    ("survey-score-missing", ("survey", "score", "{missing}"), None, "{missing}", "not a survey folder"),
    ("survey-score-a-file", ("survey", "score", "{personas}"), None, "{personas}", "is a file"),
    (
        "survey-score-unreadable",
        ("survey", "score", "{sv}"),
        ("deny", "{sv}/answers.jsonl"),
        "{sv}/answers.jsonl",
        "permission denied",
    ),
    (
        "survey-compare-missing-reference",
        ("survey", "compare", "{sv}", "--reference", "{missing}"),
        None,
        "{missing}",
        "",
    ),
    (
        "survey-compare-folder-reference",
        ("survey", "compare", "{sv}", "--reference", "{dir}"),
        None,
        "{dir}",
        "directory",
    ),
    (
        "survey-compare-unreadable-reference",
        ("survey", "compare", "{sv}", "--reference", "{human}"),
        ("deny", "{human}"),
        "{human}",
        "not readable",
    ),
    *[
        (
            f"survey-reference-{what}",
            ("survey", "reference", "pisa2022", src, "--out", "{out}/h.csv"),
            fault,
            src,
            words,
        )
        for what, src, fault, words in (
            ("missing", "{missing}", None, "no student file"),
            ("folder", "{dir}", None, "directory"),
            ("unreadable", "{stu}", ("deny", "{stu}"), "not readable"),
        )
    ],
    ("report-missing", ("report", "{missing}", "--theory", "k12"), None, "{missing}", "not a run folder"),
    ("report-a-file", ("report", "{personas}", "--theory", "k12"), None, "{personas}", "is a file"),
    (
        "report-unreadable",
        ("report", "{run}", "--theory", "k12"),
        ("deny", "{run}/personas.jsonl"),
        "{run}/personas.jsonl",
        "permission denied",
    ),
    ("audit-missing", ("audit", "{missing}", "--rules"), None, "{missing}/attempts.jsonl", "no such file"),
    (
        "audit-unreadable",
        ("audit", "{run}", "--rules"),
        ("deny", "{run}/attempts.jsonl"),
        "{run}/attempts.jsonl",
        "permission denied",
    ),
    ("audit-file-missing", ("audit", "--file", "{missing}"), None, "{missing}", "does not exist"),
    ("audit-file-folder", ("audit", "--file", "{dir}"), None, "{dir}", "directory"),
    ("audit-file-unreadable", ("audit", "--file", "{personas}"), ("deny", "{personas}"), "{personas}", "readable"),
    *[
        (
            f"generate-plan-{what}",
            ("generate", "--model", "template", "--out", "{out}/g", "--plan", plan),
            fault,
            plan,
            words,
        )
        for what, plan, fault, words in (
            ("missing", "{missing}", None, "no plan file"),
            ("folder", "{dir}", None, "directory"),
            ("unreadable", "{plan}", ("deny", "{plan}"), "not readable"),
        )
    ],
    (
        "generate-unreadable-theory",
        ("generate", "--model", "template", "--out", "{out}/g", "--theory", "{k12}"),
        ("deny", "{k12}/theory.toml"),
        "{k12}/theory.toml",
        "permission denied",
    ),
]


@pytest.mark.parametrize("args,fault,named,words", [c[1:] for c in INPUTS], ids=[c[0] for c in INPUTS])
def test_an_input_it_cannot_read(hachimi, faults, world, args, fault, named, words):
    """A missing input, a folder for a file (or a file for a folder), an input it may not read."""
    before = tree(world["out"])
    if fault:
        faults.deny(fault[1].format(**world))
    line = one_line(hachimi(*[a.format(**world) for a in args]), named.format(**world))
    assert words in line.lower(), line
    assert tree(world["out"]) == before  # nothing written, not even a start


# (id, args, the folder the fault is on, the path the line must name); the folder must be as it was
OUTPUTS = [
    (
        "validate-o",
        ("validate", "{personas}", "-j", "1", "--format", "jsonl", "-o", "{out}/v.jsonl"),
        "{out}",
        "{out}/v.jsonl",
    ),
    (
        "validate-repair",
        ("validate", "{personas}", "-j", "1", "--repair", "-o", "{out}/r.jsonl"),
        "{out}",
        "{out}/r.jsonl",
    ),
    ("convert", ("convert", "--from", "hachimi-zh", "{zh}", "{out}/c.jsonl"), "{out}", "{out}/c.jsonl"),
    ("theory-new", ("theory", "new", "{out}/t"), "{out}", "{out}/t"),
    ("theory-new-deep", ("theory", "new", "{out}/a/b/t"), "{out}", "{out}/a"),
    ("schema-export", ("schema", "export", "--out", "{out}/s"), "{out}", "{out}/s"),
    ("survey-score", ("survey", "score", "{sv}"), "{sv}", "{sv}/scores.csv"),
    ("survey-compare", ("survey", "compare", "{sv}", "--reference", "{human}"), "{sv}", "{sv}/compare.json"),
    ("survey-reference", ("survey", "reference", "pisa2022", "{stu}", "--out", "{out}/h.csv"), "{out}", "{out}/h.csv"),
    ("report-out", ("report", "{run}", "--theory", "k12", "--out", "{out}/rep"), "{out}", "{out}/rep"),
    ("report-in-run", ("report", "{run}", "--theory", "k12"), "{run}", "{run}/report"),
    # (audit of a read-only run folder works through the user's cache: tests/audit/test_store_incremental.py)
    ("audit-html", ("audit", "{run}", "--html", "{out}/a.html"), "{out}", "{out}/a.html"),
    ("generate", ("generate", "--model", "template", "--n", "1", "--out", "{out}/g"), "{out}", "{out}/g"),
    (
        "survey-administer",
        ("survey", "administer", "{run}", "--model", "template", "--out", "{out}/sa"),
        "{out}",
        "{out}/sa",
    ),
]
WHY = {
    "readonly": ("read-only file system", lambda f, p: f.readonly(p)),
    "no-permission": ("permission denied", lambda f, p: f.readonly(p, errno.EACCES)),
    "full": ("no space left on device", lambda f, p: f.full(p)),
}
# a full disk is tested where it must leave nothing; generate and survey administer keep what they
# wrote and resume (test_a_disk_that_fills_during_a_run_resumes)
OUTPUT_CASES = [
    (f"{c[0]}-{why}", *c[1:], why)
    for c in OUTPUTS
    for why in WHY
    if not (why == "full" and c[0] in ("generate", "survey-administer"))
]


@pytest.mark.parametrize("args,where,named,why", [c[1:] for c in OUTPUT_CASES], ids=[c[0] for c in OUTPUT_CASES])
def test_an_output_it_cannot_write(hachimi, faults, world, args, where, named, why):
    """A read-only location, one it may not write, a full disk: one line naming the output, and the
    location exactly as it was (an old report, old tables: untouched; no temporary, no half file)."""
    where = where.format(**world)
    before = tree(where)
    words, inject = WHY[why]
    inject(faults, where)
    line = one_line(hachimi(*[a.format(**world) for a in args]), named.format(**world))
    assert words in line.lower(), line
    assert tree(where) == before


def test_reading_goes_on_past_a_bad_line(hachimi, world):
    """A survey folder whose answers.jsonl has a torn line (a crash) and whose personas file has a
    line that is not JSON: each is reported with its line, the rest is scored."""
    answers = world["sv"] / "answers.jsonl"
    answers.write_text(answers.read_text() + '{"persona": "g01-fem')
    personas = world["sv"].parent / "personas.jsonl"
    personas.write_text("not json\n" + personas.read_text())
    r = hachimi("survey", "score", world["sv"], "--format", "json")
    assert r.exit_code == 0, r.output
    assert f"{personas}:1: not JSON" in r.stderr and f"{answers}:35: torn last line" in r.stderr
    assert len(json.loads(r.stdout)["personas"]) == 16


def test_answers_that_are_a_folder(hachimi, world):
    (world["sv"] / "answers.jsonl").unlink()
    (world["sv"] / "answers.jsonl").mkdir()
    line = one_line(hachimi("survey", "score", world["sv"]), world["sv"] / "answers.jsonl")
    assert "is a folder" in line


@pytest.mark.parametrize("command", ["generate", "administer"])
def test_a_disk_that_fills_during_a_run_resumes(hachimi, faults, world, command):
    """A disk that fills during generate or survey administer: one line naming the run, what was
    written is kept, and the same command run again (with room) finishes the job, with the result an
    uninterrupted run gives."""
    if command == "generate":
        args = ("generate", "--model", "template", "--n", "2", "--seed", "3", "--out")
        result = "personas.jsonl"
    else:
        args = ("survey", "administer", world["run"], "--model", "template", "--form", "short", "--out")
        result = "answers.jsonl"
    clean = hachimi(*args, world["tmp"] / "clean")
    assert clean.exit_code in (0, 1), clean.output
    out = world["out"] / "r"
    faults.full(world["out"], room=3000)
    line = one_line(hachimi(*args, out), out)
    assert "no space left on device" in line and "run the same command again" in line
    faults.rules.clear()
    again = hachimi(*args, out)
    assert again.exit_code == clean.exit_code, again.output
    assert _records(out / result) == _records(world["tmp"] / "clean" / result)


def _records(path):
    return sorted(
        json.dumps({k: v for k, v in json.loads(x).items() if "second" not in k}, sort_keys=True)
        for x in path.read_text().splitlines()
    )


def test_models_with_an_unreadable_model_file(hachimi, faults, world, monkeypatch):
    folder = world["tmp"] / "models"
    folder.mkdir()
    shutil.copy(ROOT / "models" / "openai-endpoint.toml", folder / "mine.toml")
    monkeypatch.setenv("HACHIMI_MODELS_DIR", str(folder))
    faults.deny(folder / "mine.toml")
    one_line(hachimi("models"), folder / "mine.toml")


def test_stdout_on_a_full_disk(hachimi, monkeypatch):
    """`hachimi theory vocab > /dev/full`: one line, exit 2."""
    import click

    real = click.echo

    def echo(message=None, file=None, nl=True, err=False, color=None):
        if not err:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(message, file=file, nl=nl, err=err, color=color)

    monkeypatch.setattr(click, "echo", echo)
    r = hachimi("theory", "vocab")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.strip() == "hachimi: error: no space left on device; free some space or write somewhere else"


def test_reasons_in_words():
    from hachimi.fsio import fs_error, reason

    assert reason(OSError(errno.EISDIR, "Is a directory", "x")) == "is a folder"
    assert reason(sqlite3.OperationalError("database or disk is full")) == "no space left on device"
    assert str(fs_error(PermissionError(errno.EACCES, "Permission denied", "/a/b"))) == (
        "/a/b: permission denied; check its permissions (ls -l) or use another path"
    )


# A real full disk and a real read-only disk, where this machine lets a test mount a tmpfs.


@pytest.fixture
def tmpfs(tmp_path):
    mounted = []

    def mount(size: str, readonly: bool = False, fill: bool = False, seed=None):
        where = tmp_path / f"mnt-{uuid.uuid4().hex[:6]}"
        where.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip() or r.returncode}")
        mounted.append(where)
        if seed:
            seed(where)
        if fill:
            with open(where / "filler", "wb", buffering=0) as fh:
                try:
                    while True:
                        fh.write(b"\0" * 4096)
                except OSError:
                    pass
        if readonly:
            subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        return where

    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.mark.parametrize(
    "args,named",
    [
        (("validate", "{personas}", "-j", "1", "-o", "{disk}/v.jsonl"), "{disk}/v.jsonl"),
        (("convert", "--from", "hachimi-zh", "{zh}", "{disk}/c.jsonl"), "{disk}/c.jsonl"),
        (("schema", "export", "--out", "{disk}/s"), "{disk}/s"),
        (("theory", "new", "{disk}/t"), "{disk}/t"),
        (("survey", "reference", "pisa2022", "{stu}", "--out", "{disk}/h.csv"), "{disk}/h.csv"),
    ],
    ids=["validate", "convert", "schema-export", "theory-new", "survey-reference"],
)
@pytest.mark.parametrize("disk", ["full", "readonly"])
def test_a_real_full_or_readonly_disk(hachimi, world, tmpfs, args, named, disk):
    where = tmpfs("256k", readonly=disk == "readonly", fill=disk == "full")
    before = tree(where)
    paths = world | {"disk": where}
    line = one_line(hachimi(*[a.format(**paths) for a in args]), named.format(**paths))
    assert ("no space left on device" if disk == "full" else "read-only file system") in line
    assert tree(where) == before


def test_a_real_disk_that_fills_during_generate(hachimi, world, tmpfs):
    where = tmpfs("32k")
    args = ("generate", "--model", "template", "--n", "12", "--seed", "5", "--out", where / "g")
    line = one_line(hachimi(*args), where / "g")
    assert "no space left on device" in line
    subprocess.run(["mount", "-o", "remount,size=16m", str(where)], check=True)
    again = hachimi(*args)
    clean = hachimi(*args[:-1], world["tmp"] / "clean")
    assert again.exit_code == clean.exit_code, again.output
    assert _records(where / "g" / "personas.jsonl") == _records(world["tmp"] / "clean" / "personas.jsonl")

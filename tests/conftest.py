"""Shared fixtures: the k12 theory, a validator, the golden persona, a CLI runner."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
K12 = ROOT / "constraints" / "k12"


@pytest.fixture(scope="session")
def theory():
    from hachimi.theory.pack import load

    return load(K12)


@pytest.fixture(scope="session")
def validator(theory):
    from hachimi.validate import Validator

    return Validator(theory)


@pytest.fixture(scope="session")
def _base():
    return json.loads((K12 / "fixtures" / "base.json").read_text(encoding="utf-8"))


@pytest.fixture
def base(_base):
    """A fresh copy of the golden valid persona."""
    return copy.deepcopy(_base)


@pytest.fixture
def validate_one(validator):
    def run(persona):
        return next(validator.validate_objects([persona]))

    return run


@pytest.fixture
def cli():
    from hachimi.cli.main import cli as group, main  # noqa: F401
    from hachimi.cli import convert_cmd, schema_cmd, text_cmd, theory_cmd, validate_cmd

    for cmd in (validate_cmd.validate, theory_cmd.theory, schema_cmd.schema, convert_cmd.convert, text_cmd.text_cmd):
        group.add_command(cmd)
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(group, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture
def theory_copy(tmp_path):
    """A writable copy of k12 to break on purpose."""
    dst = tmp_path / "k12copy"
    shutil.copytree(K12, dst)
    return dst


def set_path(p: dict, path: str, value) -> dict:
    *parents, last = path.split(".")
    node = p
    for k in parents:
        node = node.setdefault(k, {})
    node[last] = value
    return p


@pytest.fixture(scope="session")
def bundled_tokenizer():
    """(llguidance tokenizer, transformers tokenizer) of the bundled model, from its GGUF (no weights)."""
    hf = pytest.importorskip("llguidance.hf")
    from hachimi.engines import models

    spec = models.get("smollm2-135m-instruct")
    folder, _ = models.locate(spec)
    if folder is None:
        pytest.skip("bundled model package not installed")
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder, gguf_file=spec.gguf_file)
    return hf.from_tokenizer(tok), tok

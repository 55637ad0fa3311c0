# Everything runs from a local virtual environment, .venv, built on first use.
# The stamp files record which extras are installed; editing pyproject.toml reinstalls.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCHMARKS := $(sort $(wildcard benchmarks/*.py))

# make lab options: PORT (unset: Jupyter's own choice, $JUPYTER_PORT or 8888) and ARGS, more
# `jupyter lab` flags (e.g. ARGS="--no-browser"). Jupyter's environment variables work as usual.
PORT ?=
ARGS ?=

.PHONY: lab test notebooks bench

# Jupyter refuses to run as root unless told to (containers often run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
# Serve the repository root (README and sources are a click away), open the tour, and log only
# warnings, so the server prints little besides its URL.
LAB_FLAGS := --ServerApp.root_dir=. --ServerApp.log_level=WARN --LabApp.log_level=WARN \
	$(if $(PORT),--ServerApp.port=$(PORT))

lab: $(VENV)/.installed-lab
	@exec $(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_FLAGS) $(ARGS) notebooks/00-tour.ipynb

# Unit tests, the browser tests (tests/browser: real JupyterLab in the system's Chromium; skipped,
# saying how to install it, where there is none), then strict nbval on every notebook.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -rs tests
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -p no:python notebooks/

# Re-execute every notebook in place and store it as JupyterLab saves it (tools/notebook_form.py),
# so stored outputs are what nbval expects and a second run changes nothing.
notebooks: $(VENV)/.installed-test
	$(BIN)/python tools/notebook_form.py run notebooks/*.ipynb

bench: $(VENV)/.installed-test
	@test -n "$(BENCHMARKS)" || { echo "no benchmarks/*.py to run" >&2; exit 1; }
	set -e; for script in $(BENCHMARKS); do echo "== $$script"; $(BIN)/python $$script; done

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# What a reader needs to run the notebooks: the package and JupyterLab, no test tools.
$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[lab]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

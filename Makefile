# Everything runs from a local virtual environment, .venv, built on first use.
# The stamp files record which extras are installed; editing pyproject.toml reinstalls.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCHMARKS := $(sort $(wildcard benchmarks/*.py))

.PHONY: lab test notebooks bench

# Jupyter refuses to run as root unless told to (containers often run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.installed-lab
	exec $(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00-tour.ipynb

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests
	$(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg -p no:python notebooks/

# Re-execute every notebook in place with one tool, so stored outputs are what nbval expects.
notebooks: $(VENV)/.installed-lab
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False notebooks/*.ipynb

bench: $(VENV)/.installed-test
	@test -n "$(BENCHMARKS)" || { echo "no benchmarks/*.py to run" >&2; exit 1; }
	set -e; for script in $(BENCHMARKS); do echo "== $$script"; $(BIN)/python $$script; done

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[lab,test]'
	touch $@

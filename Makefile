# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONSTRAINTS ?= constraints.txt
export KERAS_BACKEND ?= jax

.PHONY: demo test lint bench clean install constraints

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=23,<27"

# The stamp re-installs only when the package's requirements change.
$(VENV)/.installed: $(BIN)/activate pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e ".[keras,examples,report,tensorboard,ray,dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/tunesmith demo

test: install
	$(BIN)/ruff check tunesmith tests examples benchmarks
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --doctest-modules tunesmith  # the examples in docstrings

lint: install
	$(BIN)/ruff check tunesmith tests examples benchmarks
	$(BIN)/ruff format --check tunesmith tests examples benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache

# Re-resolve the newest versions pyproject.toml allows, in a scratch environment,
# and write them to constraints.txt (a deliberate refresh, never part of CI).
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade "pip>=23,<27"
	.venv-constraints/bin/pip install --quiet -e ".[keras,examples,report,tensorboard,ray,dev]"
	{ sed -n '1,/^[^#]/{/^#/p}' constraints.txt; \
	  .venv-constraints/bin/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .venv-constraints

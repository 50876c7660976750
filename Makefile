# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export KERAS_BACKEND ?= jax

.PHONY: demo test lint bench clean install

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=23,<27"

# The stamp re-installs only when the package's requirements change.
$(VENV)/.installed: $(BIN)/activate pyproject.toml
	$(BIN)/pip install --quiet -e ".[keras,examples,report,tensorboard,dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/tunesmith demo

test: install
	$(BIN)/ruff check tunesmith tests examples benchmarks
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check tunesmith tests examples benchmarks
	$(BIN)/ruff format --check tunesmith tests examples benchmarks

clean:
	rm -rf $(VENV) runs .pytest_cache

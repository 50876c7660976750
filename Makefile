# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
CONSTRAINTS ?= constraints.txt
export KERAS_BACKEND ?= jax

.PHONY: demo test test-fast lint bench clean install constraints vendor docs

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=23,<27"

# The stamp re-installs only when the package's requirements change.
$(VENV)/.installed: $(BIN)/activate pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e ".[keras,examples,report,tensorboard,ray,dashboard,mlflow,wandb,docs,dev]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/tunesmith demo

test: install
	$(BIN)/ruff check tunesmith tests examples benchmarks
	$(BIN)/mypy tunesmith  # strict on the core packages (pyproject.toml)
	$(BIN)/python -m pytest --durations=25
	$(BIN)/python -m pytest --doctest-modules tunesmith  # the examples in docstrings

# The inner loop: the suite minus the slow kinds that tests/conftest.py marks (CI runs all).
test-fast:
	@test -e $(VENV)/.installed || $(MAKE) install
	$(BIN)/python -m pytest -m "not slow and not subprocess and not workers and not ray and not browser and not server and not keras" --durations=10

# The documentation site (mkdocs.yml, docs/) into site/; a warning fails the build.
docs: install
	$(BIN)/mkdocs build --strict

lint: install
	$(BIN)/ruff check tunesmith tests examples benchmarks
	$(BIN)/ruff format --check tunesmith tests examples benchmarks
	$(BIN)/mypy tunesmith

clean:
	rm -rf $(VENV) runs .pytest_cache

# Re-resolve the newest versions pyproject.toml allows, in a scratch environment,
# and write them to constraints.txt (a deliberate refresh, never part of CI).
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/pip install --quiet --upgrade "pip>=23,<27"
	.venv-constraints/bin/pip install --quiet -e ".[keras,examples,report,tensorboard,ray,dashboard,mlflow,wandb,docs,dev]"
	{ sed -n '1,/^[^#]/{/^#/p}' constraints.txt; \
	  .venv-constraints/bin/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .venv-constraints

# Fetch the vendored charting library again from npm and check it is the same file.
ECHARTS_VERSION := 6.1.0
ECHARTS_SHA256  := b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0
vendor:
	rm -rf .vendor && mkdir .vendor
	cd .vendor && npm pack --silent echarts@$(ECHARTS_VERSION) && tar xzf echarts-$(ECHARTS_VERSION).tgz
	echo "$(ECHARTS_SHA256)  .vendor/package/dist/echarts.min.js" | sha256sum -c -
	cp .vendor/package/dist/echarts.min.js tunesmith/web/static/vendor/echarts.min.js
	rm -rf .vendor

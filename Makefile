# The two commands of the README are `make run` and `make test`; every target creates the
# virtual environment from the pinned lock file on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench lock clean screenshots

install: $(STAMP)

# Rebuilt whenever a lock or the project metadata changes. The dev lock is the runtime lock
# (requirements.lock, what the Docker image installs) plus the test and lint tools.
$(STAMP): requirements-dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	@touch $(STAMP)

# Runs the bot; without a token it explains how to get one and starts the local sandbox (a
# stand-in for Discord with a demo server and a web page, on 127.0.0.1 only) to try it meanwhile.
run: $(STAMP)
	$(BIN)/veille run --sandbox

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The README's pictures of the sandbox, taken by its browser test in Debian's chromium (install
# fonts-noto-color-emoji for the emoji to show).
screenshots: $(STAMP)
	SANDBOX_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/sandbox/test_page.py

# Every benchmark prints a table with ratios to a baseline measured in the same run. Some need
# ../shared/corpus; bench/ingest.py takes about ten minutes (its baseline is slow on purpose).
bench: $(STAMP)
	@for script in bench/[!_]*.py; do \
		module=bench.$$(basename $$script .py); \
		echo "== $$module"; $(BIN)/python -m $$module || exit 1; \
	done

# Re-pins every dependency after a change in pyproject.toml (needs the package registry).
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 -q
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

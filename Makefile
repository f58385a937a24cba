# The two commands of the README are `make run` and `make test`; every target creates the
# virtual environment from the pinned lock file on first use, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench lock clean

install: $(STAMP)

# Rebuilt whenever the lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	@touch $(STAMP)

# Runs the bot; without a token it explains how to get one and checks the configuration.
run: $(STAMP)
	$(BIN)/veille run --guide

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	@for script in bench/*.py; do \
		case $$script in */_*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

# Re-pins every dependency after a change in pyproject.toml (needs the registry).
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements.lock -q

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

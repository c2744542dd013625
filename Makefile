# alliance-conf: `make run` to try it, `make test` to prove it.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
RUN_STAMP := $(VENV)/.installed-run
NODE_STAMP := node_modules/.installed
FLASK  := $(BIN)/flask --app wsgi
PORT   ?= 5000
PYTEST_ARGS ?= -n auto  # one worker per core; `PYTEST_ARGS= make test` runs in one process

.PHONY: install node-modules run test test-browser lint format services clean translations compile-translations

# `make run` installs what running needs; `make test` adds the test tools.
$(RUN_STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[prod]'
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,prod]'
	touch $(STAMP)

# npm packages (package-lock.json): world-atlas (the map data the world maps read at run time)
# and axe-core (the browser tests' accessibility checks). Without npm the app still runs: a
# map is replaced by a note.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
	  echo "npm is missing: no world map (world-atlas) and no accessibility checks (axe-core)." >&2; \
	fi

node-modules: $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)

## Migrate the local SQLite database, load the seed conference and serve on 127.0.0.1:$(PORT).
run: $(RUN_STAMP) $(NODE_STAMP) compile-translations
	$(FLASK) db upgrade heads
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

## Start what the tests need, then run every test on SQLite and PostgreSQL.
test: install services compile-translations
	$(BIN)/pytest $(PYTEST_ARGS)

## Only the real-browser journeys and accessibility checks (screenshots: test-artifacts/screenshots/).
test-browser: install services compile-translations
	$(BIN)/pytest tests/browser $(PYTEST_ARGS)

## The interface's catalogues: compile them (.po -> .mo; build output, not committed).
compile-translations: $(RUN_STAMP)
	$(BIN)/python scripts/translations.py compile

## Extract every marked string and update each language's .po (then translate what is new).
translations: $(RUN_STAMP)
	$(BIN)/python scripts/translations.py update

services:
	@bash scripts/test-services.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache test-artifacts

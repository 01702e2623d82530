# Two commands: `make run` (set up everything and serve on http://127.0.0.1:5000, or `make run PORT=5050`)
# and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app mediation
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PORT ?= 5000
# Installed once each, again whenever the declared dependencies change: what serving needs (`make run`), and
# that plus the test tools (pytest, Playwright, ruff, ...).
RUNTIME := $(VENV)/.installed-runtime
TOOLS := $(VENV)/.installed
SECRET_KEY_FILE := instance/secret_key
# `make run`'s flask commands sign sessions with the key of this checkout, over plain http on 127.0.0.1 (a
# secure-only cookie would never come back).
SERVING := SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" SESSION_COOKIE_SECURE=false

.PHONY: run test lint translations messages lifecycle-doc screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TOOLS): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(RUNTIME)
	$(BIN)/pybabel compile -d mediation/translations -D messages 2>&1 | grep -v '^compiling' || true

# A random key, made once and kept out of git (instance/ is ignored).
$(SECRET_KEY_FILE): | $(BIN)/python
	mkdir -p $(@D)
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@.new && mv $@.new $@

run: $(RUNTIME) translations $(SECRET_KEY_FILE)
	$(SERVING) $(FLASK) db upgrade
	$(SERVING) $(FLASK) mediation seed-demo --if-empty
	$(SERVING) $(FLASK) run --host 127.0.0.1 --port $(PORT)

# Browser tests drive Debian's Chromium (never a downloaded browser); install it when missing.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null; \
	else echo "Browser tests need Debian's chromium: sudo apt-get install chromium fonts-noto-cjk"; fi

lint: $(TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The suite on SQLite at 15:30 UTC, then on PostgreSQL at 16:30 UTC (00:30 the next day in China), with the
# machine's zone set to UTC: both sides of China's midnight, and in the second run a machine date that is not
# China's, so a date taken from the machine's zone fails (TEST_CLOCK: tests/conftest.py). The PostgreSQL run
# happens even when the SQLite run failed; the last two lines say how each went, and make fails if either
# did. Without a PostgreSQL server that answers, that run is skipped, or failed under CI.
test: $(TOOLS) translations /usr/bin/chromium lint
	@sqlite=failed; postgresql=failed; \
	TZ=UTC TEST_CLOCK=15:30 $(BIN)/pytest && sqlite=passed; \
	if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== again on PostgreSQL =="; \
	  TZ=UTC TEST_CLOCK=16:30 TEST_BACKEND=postgresql TEST_PG_ADMIN_URL='$(PG_URL)' $(BIN)/pytest && postgresql=passed; \
	elif [ -n "$$CI" ]; then postgresql="failed (no PostgreSQL answers at $(PG_URL))"; \
	else postgresql="skipped (no PostgreSQL answers at $(PG_URL))"; fi; \
	echo "== SQLite at 15:30 UTC: $$sqlite"; \
	echo "== PostgreSQL at 16:30 UTC: $$postgresql"; \
	[ "$$sqlite" = passed ] && [ "$${postgresql%% *}" != failed ]

# Refresh the README's pictures: the browser tests save them as they walk the journey.
screenshots: $(TOOLS) translations /usr/bin/chromium
	SCREENSHOTS=1 $(BIN)/pytest tests/browser -q

lifecycle-doc: $(RUNTIME) $(SECRET_KEY_FILE)
	SECRET_KEY="$$(cat $(SECRET_KEY_FILE))" $(FLASK) mediation lifecycle-doc

# Extract the interface's strings into the catalogue template and merge them into each language.
# templates/_macros is scanned too: by default Babel skips folders whose name starts with an underscore.
messages: $(RUNTIME)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* ._ __pycache__" -o mediation/translations/messages.pot .
	$(BIN)/pybabel update -i mediation/translations/messages.pot -d mediation/translations --no-fuzzy-matching

# Pages over HTTP (gunicorn, 2 workers) with Debian's wrk, beside a bare Flask page; not part of `make test`.
bench: $(RUNTIME)
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install -y wrk"; exit 1; }
	$(BIN)/python -m bench.http

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis

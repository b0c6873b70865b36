# graphsvc: the two commands are `make run` and `make test`.
# Every install comes from the lock files in requirements/ (exact versions, with hashes); `make lock` rewrites them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements/dev.lock pyproject.toml | cksum | cut -d' ' -f1)
SIZE   ?= 10k 100k
LOCK_FLAGS := --universal --generate-hashes --python-version 3.11 --quiet
# The GraphQL-over-HTTP conformance audit (tests/api/test_graphql_http_audit.py) is a small node project: its
# packages come from its committed package-lock.json by `npm ci`, nothing else of the repository uses npm.
AUDIT  := tests/audit
AUDIT_STAMP := $(AUDIT)/node_modules/.installed-$(shell cksum < $(AUDIT)/package-lock.json | cut -d' ' -f1)

.PHONY: install lock db run test test-fast lint bench clean-db help

help:
	@echo "make run    - install, start the managed Neo4j, migrate, load the demo CMDB if empty, serve the API"
	@echo "make test   - install, then the whole test suite against a real Neo4j"
	@echo "make lint   - ruff and mypy --strict"
	@echo "make lock   - re-resolve every dependency to its newest allowed version and rewrite requirements/*.lock"
	@echo "make bench  - every benchmark on generated CMDBs of 10k and 100k CIs (SIZE=1m: a million), see docs/benchmarks.md"

# The dev lock holds the runtime lock's versions plus the test, lint and build tools; graphsvc itself goes in
# editable, with no dependency of its own resolved (--no-deps) and its build backend taken from the lock.
$(STAMP): requirements/dev.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(AUDIT_STAMP): $(AUDIT)/package-lock.json $(AUDIT)/package.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(AUDIT) && npm ci --no-audit --no-fund --loglevel=error && touch $(CURDIR)/$(AUDIT_STAMP); \
	else \
		echo "npm not found: the GraphQL-over-HTTP audit's packages are not installed and its test will be skipped" \
			"(apt-get install nodejs npm, then make install)"; \
	fi

install: $(STAMP) $(AUDIT_STAMP)

# Upgrading is a deliberate commit: run this, run `make test`, commit requirements/ with the result.
lock: install
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) --upgrade -o requirements/runtime.lock
	$(BIN)/uv pip compile requirements/build.in $(LOCK_FLAGS) --upgrade -o requirements/build.lock
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_FLAGS) --upgrade \
		-c requirements/runtime.lock -c requirements/build.lock -o requirements/dev.lock

# With NEO4J_URI set, that Neo4j is used and no local server is started.
db: install
	@if [ -z "$$NEO4J_URI" ]; then $(BIN)/graphsvc db start; fi
	$(BIN)/graphsvc migrate

# Development: introspection on for GraphiQL's docs and autocompletion (off by default: docs/security.md).
run: db
	$(BIN)/graphsvc seed demo --if-empty
	GRAPHSVC_INTROSPECTION=$${GRAPHSVC_INTROSPECTION:-true} $(BIN)/graphsvc serve --admin-link

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

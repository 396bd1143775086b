# make run: create .venv, install, build dist/ from data/.   make test: the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run build serve test test-servers lint bench clean records-page

run: build

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/migration-lod build --data data --out dist

dist/migration-lod.nt: $(STAMP) $(wildcard data/*.yaml data/*.csv data/*.json ontology/*.ttl shapes/*.ttl)
	$(BIN)/migration-lod build --data data --out dist

serve: dist/migration-lod.nt
	$(BIN)/migration-lod serve dist/migration-lod.nt --host 127.0.0.1 --port $${PORT:-8000}

# Tests talk to real servers and clients: Oxigraph comes with the test extras (pip); Virtuoso (push) and
# OpenRefine (reconciliation) from Debian, installed here when missing and running as root (as CI does);
# otherwise their tests are skipped, saying why.
test-servers:
	@missing=""; \
	for pair in virtuoso-t:virtuoso-opensource-7 openrefine:openrefine; do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing for the tests that need them"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "not installed and this is not root:$$missing; the tests that need them will be skipped"; fi; \
	fi

# One worker per core; a test file stays on one worker, so that its servers and fixtures start once.
test: $(STAMP) test-servers
	$(BIN)/python -m pytest -n auto --dist loadfile
	$(BIN)/ruff check src tests bench

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

# RECORDS.md ships with the package; it is written from the kinds table (a test says when it is stale).
records-page: $(STAMP)
	$(BIN)/migration-lod fields > src/migration_lod/RECORDS.md

clean:
	rm -rf dist .pytest_cache .ruff_cache .hypothesis

bench: $(STAMP)
	$(BIN)/python bench/run.py $(if $(SIZES),--sizes $(SIZES),)

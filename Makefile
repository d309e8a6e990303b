# Set-up and everyday tasks. `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install install-spark demo test lint format bench lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

install-spark: install  ## the optional Spark engine of the evaluation (needs Java 17 or later)
	$(BIN)/python -m pip install --quiet -r requirements-spark.lock

demo: install  ## generate a synthetic province, load it and serve on http://127.0.0.1:8000/
	$(BIN)/xinyong demo

test: install  ## the whole suite; PostgreSQL too when XINYONG_TEST_POSTGRES_URL is set
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install  ## ruff, and the import contracts of the layers (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install  ## ingest throughput (see bench/README.md)
	$(BIN)/python bench/ingest.py

lock:  ## re-resolve pinned dependencies into requirements.lock
	rm -rf /tmp/xinyong-lock && $(PYTHON) -m venv /tmp/xinyong-lock
	/tmp/xinyong-lock/bin/pip install --quiet --upgrade pip
	/tmp/xinyong-lock/bin/pip install --quiet -e '.[dev]'
	/tmp/xinyong-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf $(VENV) var

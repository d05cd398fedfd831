# Every target installs what it needs first: nothing is expected on the
# machine but Python 3 and apt-get.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help demo test lint typecheck docs pytest matrix bench soak clean system-packages

help:
	@echo "make demo    - serve the example project on http://127.0.0.1:8000/"
	@echo "make test    - ruff, mypy (strict), docs (-W) and the whole pytest suite"
	@echo "make matrix  - the test suite over every supported Python x Django"
	@echo "make bench   - speed and memory, side by side with the alternatives"

system-packages:
	@bash .ci/system-packages

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,docs,bench]"
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	$(BIN)/sphinx-build -W --keep-going -q -b doctest docs docs/_build/doctest

pytest: $(STAMP) system-packages
	$(BIN)/pytest

test: system-packages $(STAMP) lint typecheck docs pytest

matrix: system-packages $(STAMP)
	$(BIN)/nox $(NOXARGS)

demo: $(STAMP)
	@bash .ci/system-packages --minimal
	$(MAKE) -C examples serve PYTHON=$(abspath $(BIN)/python)

bench: system-packages $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .nox docs/_build .coverage htmlcov examples/var

soak: system-packages $(STAMP)
	DLSHORTCUTS_SOAK_SECONDS=60 $(BIN)/python -m pytest tests/test_soak.py --no-cov -p no:randomly -s

# Every target installs what it needs first: nothing is expected on the
# machine but Python 3 and apt-get. Missing Debian packages come from
# .ci/system-packages, Python packages go into .venv/ inside the checkout,
# and both steps do nothing when everything is already there.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help demo demo-packages demo-nginx test lint typecheck docs pytest matrix bench soak clean system-packages

help:
	@echo "make demo    - serve the example project on http://127.0.0.1:8000/"
	@echo "make demo-nginx - the example project behind nginx on http://127.0.0.1:8080/"
	@echo "make test    - ruff, mypy (strict), docs (-W, doctest) and the whole pytest suite"
	@echo "make matrix  - the test suite over every supported Python x Django (NOXARGS=... to pick)"
	@echo "make bench   - speed and memory, side by side with the alternatives"

system-packages:
	@bash .ci/system-packages

# Reinstalled only when the package metadata or the tool settings change.
$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[test,docs,bench]"
	@touch $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The package and the tests against the test settings, then the demo
# against its own settings (examples/mypy.ini).
typecheck: $(STAMP)
	$(BIN)/mypy
	cd examples && $(abspath $(BIN))/mypy --config-file mypy.ini

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	$(BIN)/sphinx-build -W --keep-going -q -b doctest docs docs/_build/doctest

# pytest exits non-zero (5) when it collects no test, so an empty run fails.
pytest: system-packages $(STAMP)
	$(BIN)/pytest

test: system-packages $(STAMP) lint typecheck docs pytest

matrix: system-packages $(STAMP)
	$(BIN)/nox $(NOXARGS)

# The demo needs only libmagic (and python3-venv) from Debian.
demo-packages:
	@bash .ci/system-packages --minimal

demo: demo-packages $(STAMP)
	$(MAKE) -C examples serve PYTHON=$(abspath $(BIN)/python)

# gunicorn behind nginx, downloads handed over with X-Accel-Redirect
# (examples/nginx/serve.py; DEMO_NGINX_ADDRESS=host:port to move it).
demo-nginx: system-packages $(STAMP)
	cd examples && $(abspath $(BIN)/python) nginx/serve.py

bench: system-packages $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .nox docs/_build .coverage htmlcov examples/var

soak: system-packages $(STAMP)
	DLSHORTCUTS_SOAK_SECONDS=60 $(BIN)/python -m pytest tests/wire/test_soak.py --no-cov -p no:randomly -s

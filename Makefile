# Every target installs what it needs first: nothing is expected on the
# machine but Python 3 and apt-get. Missing Debian packages come from
# .ci/system-packages, Python packages go into .venv/ inside the checkout,
# and both steps do nothing when everything is already there.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help demo demo-packages demo-nginx test dist-test lint typecheck docs pytest matrix bench soak clean system-packages

help:
	@echo "make demo    - serve the example project on http://127.0.0.1:8000/"
	@echo "make demo-nginx - the example project behind nginx on http://127.0.0.1:8080/"
	@echo "make test    - ruff, mypy (strict), docs (-W, doctest), the whole pytest suite, then the built wheel"
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

# Azurite, the Azure Storage emulator the tests start, from npm into
# node_modules/ (package.json, package-lock.json); redone when they change.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# pytest exits non-zero (5) when it collects no test, so an empty run fails.
pytest: system-packages $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest

# The built artifacts: sdist and wheel built and `twine check`ed, the wheel
# installed into a clean virtualenv, the in-process tests run against it
# from the unpacked sdist (.ci/test-dist).
dist-test: $(STAMP)
	bash .ci/test-dist $(BIN)/python

test: system-packages $(STAMP) lint typecheck docs pytest dist-test

matrix: system-packages $(STAMP) $(NODE_STAMP)
	$(BIN)/nox $(NOXARGS)

# The demo needs only libmagic (and python3-venv) from Debian.
demo-packages:
	@bash .ci/system-packages --minimal

# The demo has its own light virtualenv (examples/.venv): Django, requests,
# python-magic, django-stubs-ext (the demo's settings use it) and the
# package, editable, with their dependencies: a dozen packages, not the
# test/docs/bench extras. ADDRESS=host:port moves it (examples/README.md).
DEMO_VENV := examples/.venv
DEMO_STAMP := $(DEMO_VENV)/.installed

$(DEMO_STAMP): setup.cfg pyproject.toml
	@test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet -e . django-stubs-ext
	@touch $@

demo: demo-packages $(DEMO_STAMP)
	$(MAKE) -C examples serve PYTHON=$(abspath $(DEMO_VENV)/bin/python)

# gunicorn behind nginx, downloads handed over with X-Accel-Redirect
# (examples/nginx/serve.py; DEMO_NGINX_ADDRESS=host:port to move it).
demo-nginx: system-packages $(STAMP)
	cd examples && $(abspath $(BIN)/python) nginx/serve.py

bench: system-packages $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(DEMO_VENV) .nox docs/_build .coverage htmlcov examples/var dist build

soak: system-packages $(STAMP)
	DLSHORTCUTS_SOAK_SECONDS=60 $(BIN)/python -m pytest tests/wire/test_soak.py --no-cov -p no:randomly -s

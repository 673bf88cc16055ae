# Quick start: `make demo` (set up, analyse the bundled example) and `make test` (set up, run
# every test). Both create .venv, install the package with its test extras, and install
# Debian's graphviz when the `dot` program is missing; only `make test` installs Debian's
# chromium (for the browser test of the HTML report) when it is missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
EXAMPLE ?= examples/trust-score-platform.yaml
OUT ?= out

.PHONY: demo test check setup system-packages browser bench clean catalogs templates

demo: setup system-packages
	$(PY) -m threatmodel analyze $(EXAMPLE) -o $(OUT)/$(basename $(notdir $(EXAMPLE)))
	@echo "Reports are in $(OUT)/$(basename $(notdir $(EXAMPLE)))/"

# -n auto: one test process per core (pytest-xdist); loadgroup keeps the browser tests on one
# worker, so that they share one Chromium
test: setup system-packages browser
	$(PY) -m pytest -n auto --dist loadgroup

# lint, formatting and types, zero findings each (the dev extra's ruff and mypy, configured in
# pyproject.toml); CI runs it before the tests
check: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy threatmodel

# after changing a shipped catalog or the YAML loader: parse the shipped catalogs again into
# catalogs/compiled.json, which runs read instead of the YAML (a test fails while it is stale)
catalogs: setup
	$(PY) -m threatmodel.catalog_cache

# after changing report.html.j2 or the HTML environment's settings: compile the shipped template
# again into threatmodel/render/compiled_report.py, which runs import instead of compiling it
# (a test fails while it is stale)
templates: setup
	$(PY) -c 'from threatmodel.render import html, template_cache as t; \
	  t.write(html.shipped_environment(), html.template_source(), html.TEMPLATE)'

setup: $(VENV)/.installed

# editable_mode=compat: the checkout is put on sys.path by a plain .pth line; setuptools' default
# import hook costs every Python start in the venv about 12 ms (49 million instructions)
EDITABLE := --config-settings editable_mode=compat

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(EDITABLE) -e '.[test]'
	touch $@

$(VENV)/.dev-installed: setup.cfg | $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check $(EDITABLE) -e '.[test,dev]'
	touch $@

system-packages:
	@command -v dot >/dev/null 2>&1 || { \
	  echo "installing Debian's graphviz system-wide with apt-get (its dot program draws the diagrams)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; }

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium system-wide with apt-get (only the HTML report's browser test uses it)"; \
	  { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "could not install chromium: the browser test will be skipped"; }

bench: setup
	$(PY) benchmarks/bench.py

clean:
	rm -rf $(VENV) $(OUT) threatmodel-out build *.egg-info

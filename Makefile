# Quick start: `make run` (the dashboard on http://localhost:8501) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

CHROMIUM := /usr/bin/chromium

.PHONY: run test bench validate countries clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

# The browser tests drive Debian's Chromium (no browser download): install it when missing.
$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

test: $(VENV)/.installed-test $(CHROMIUM)
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) bench/run.py

validate: $(VENV)/.installed
	$(PY) -m strategic_sites validate geodata

# Rebuild geodata/countries.geojson from Natural Earth (npm package world-atlas@2.0.2).
countries: $(VENV)/.installed
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent world-atlas@2.0.2 >/dev/null && tar xzf world-atlas-2.0.2.tgz && \
	cd - >/dev/null && $(PY) scripts/build_countries.py $$tmp/package/countries-10m.json geodata/countries.geojson && rm -rf $$tmp

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts

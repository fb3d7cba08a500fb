# Quick start: `make run` (the dashboard on http://localhost:8501) and `make test`
# (`make test-fast`: the same without the browser tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

CHROMIUM := /usr/bin/chromium
NGINX := /usr/sbin/nginx

.PHONY: run test test-fast bench load readers validate countries requirements screenshot clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml or the pins change. requirements.txt constrains the
# install, so the tests run with exactly the versions a deployment installs.
$(VENV)/.installed: pyproject.toml requirements.txt | $(PY)
	$(PY) -m pip install --quiet -c requirements.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -c requirements.txt -e '.[test]'
	touch $@

# For contributors: reload on save (a deployment runs with no file watcher: .streamlit/config.toml).
run: $(VENV)/.installed
	$(PY) -m streamlit run serve.py --server.port $(PORT) --server.fileWatcherType auto --server.runOnSave true

# The browser tests drive Debian's Chromium (no browser download): install it when missing.
$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

# The replica tests put Debian's nginx (the proxy of docs/deploy/compose.yaml) in front of two
# app processes: install it when missing. Only the test starts it, on a free port.
$(NGINX):
	@echo "Installing Debian's nginx-light for the replica tests"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null

test: $(VENV)/.installed-test $(CHROMIUM) $(NGINX)
	$(PY) -m pytest

# The unit and AppTest tests alone: no Chromium, no served app (the `browser` marker, given to
# everything in tests/browser/ by its conftest).
test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -m "not browser" -n auto

# The map against the naive baseline, FastMarkerCluster and the floor app at 215 to 100k events,
# in Chromium (Playwright), the image export, the uploads and the data API: rewrites bench/results.md. `$(PY) bench/run.py --quick` for a short run.
bench: $(VENV)/.installed-test $(CHROMIUM)
	$(PY) bench/run.py
	$(PY) bench/images.py
	$(PY) bench/uploads.py
	$(PY) bench/api.py

# Many users at once: 20 browser sessions against one server, 5 rounds; adds its section to
# bench/results.md. `$(PY) bench/load.py --sessions 5 --rounds 1` for a short run.
load: $(VENV)/.installed-test $(CHROMIUM)
	$(PY) bench/load.py

# Many readers at once with no browser (Streamlit's protocol, bench/protocol.py): bursts of 50, 100
# and 200, the capacity at steady arrivals, stalled readers, against the floor app; adds its section
# to bench/results.md. `$(PY) bench/readers.py --quick` for a short run.
readers: $(VENV)/.installed-test
	$(PY) bench/readers.py

validate: $(VENV)/.installed
	$(PY) -m strategic_sites validate geodata

# Rebuild geodata/countries.geojson from Natural Earth (npm package world-atlas@2.0.2).
countries: $(VENV)/.installed
	$(PY) -m pip install --quiet -c requirements.txt -e '.[scripts]'
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent world-atlas@2.0.2 >/dev/null && tar xzf world-atlas-2.0.2.tgz && \
	cd - >/dev/null && $(PY) scripts/build_countries.py $$tmp/package/countries-10m.json geodata/countries.geojson && rm -rf $$tmp

# Pin the runtime dependencies of pyproject.toml (and what they pull in) for deployment.
requirements: | $(PY)
	$(PY) -m pip install --quiet -e .
	$(PY) scripts/requirements.py
	touch $(VENV)/.installed

# Refresh docs/screenshot.png (the README's picture) from the browser test of the map page.
screenshot: $(VENV)/.installed-test $(CHROMIUM)
	SCREENSHOT_DOCS=1 $(PY) -m pytest tests/browser/test_map_browser.py -k offline

clean:
	rm -rf $(VENV) .pytest_cache tests/artifacts

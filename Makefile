# Two commands on a fresh machine:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CATALOGS := $(wildcard locales/*/LC_MESSAGES/agent_assistant.po)

.PHONY: run test install install-test catalogs extract bench bundle self-test screenshots clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e '.[test,build]'
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

bench: install
	$(PY) benchmarks/run_all.py

bundle: install
	$(VENV)/bin/pyinstaller --noconfirm --clean build.spec
	@du -sh dist/agent-assistant

# End-to-end check of an installation, offscreen on a temporary data folder (docs/deployment.md);
# `make bundle` then `dist/agent-assistant/agent-assistant --self-test` checks the frozen app.
self-test: install
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/agent-assistant --self-test

screenshots: install
	$(PY) tools/screenshots.py $(ARGS)

clean:
	rm -rf build dist $(VENV)

# Two commands on a fresh machine:  make run  |  make test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CATALOGS := $(wildcard locales/*/LC_MESSAGES/agent_assistant.po)

.PHONY: run test install install-test catalogs bench bundle self-test screenshots clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(PIP) install --quiet -e '.[test,build]'
	touch $@

install: $(VENV)/.installed catalogs

catalogs: $(VENV)/.installed
	@if [ -n "$(CATALOGS)" ]; then $(VENV)/bin/pybabel compile -q -d locales -D agent_assistant; fi

run: install
	$(VENV)/bin/agent-assistant $(ARGS)

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: install
	$(PY) benchmarks/run_all.py

bundle: install
	$(VENV)/bin/pyinstaller --noconfirm --clean build.spec

clean:
	rm -rf build dist $(VENV)

# gonogo: two commands on a fresh machine.
#   make demo   run the release gate against the embedded demo stack (GO expected)
#   make test   run gonogo's own tests
# Both install what they need first (Debian packages as root, then .venv from requirements.lock).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
FAULT  ?=
ARGS   ?=
FAULT_ARGS := $(foreach f,$(FAULT),--demo-fault $(f))

.PHONY: demo test setup system venv lint docs lock clean help

help:
	@echo "make demo              run the gate on the embedded demo stack (verdict GO, exit 0)"
	@echo "make demo FAULT=hsts-missing   ... with a fault injected (verdict NO-GO, exit 1)"
	@echo "make test              run gonogo's own tests"
	@echo "make lint              ruff + mypy"
	@echo "make docs              regenerate docs/checks.md from catalogue/*.toml"

demo: setup
	$(PY) -m pytest --env demo $(FAULT_ARGS) $(ARGS)

test: setup
	$(PY) -m pytest tests -n 2 $(ARGS)

setup: system venv

system:
	@scripts/ensure-system-packages.sh

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

lint: venv
	$(VENV)/bin/ruff check src tests checks smoke
	$(VENV)/bin/mypy

docs: venv
	$(VENV)/bin/gonogo checks --markdown > docs/checks.md

lock: venv
	$(PY) -m pip freeze --exclude-editable | sed '1i # Pinned dependencies of gonogo (pip freeze of a working venv). Regenerate: make lock' > requirements.lock

clean:
	rm -rf $(VENV) .demo reports/*/ build *.egg-info

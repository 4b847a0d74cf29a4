# gonogo: two commands on a fresh machine.
#   make demo   run the release gate against the embedded demo stack (GO expected)
#   make test   run gonogo's own tests
# Both install what they need first (Debian packages as root, then .venv from requirements.lock,
# which includes tox: .venv/bin/tox -e gate -- ...).
# make reports a failing command as "Error N" (N = the gate's exit code: 1 NO-GO, 2 interrupted,
# 3 internal error, 4 configuration error) and then exits 2 itself; run .venv/bin/pytest directly
# when a script needs the gate's own exit code.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
FAULT  ?=
ARGS   ?=
FAULT_ARGS := $(foreach f,$(FAULT),--demo-fault $(f))
# the load stage (~15 s of locust) is left out of `make demo`, which stays quick: `make demo-load`
DEMO_MARK ?= not load

.PHONY: demo demo-load test setup system venv lint docs lock clean help

help:
	@echo "make demo              run the gate on the embedded demo stack (verdict GO, exit 0)"
	@echo "make demo FAULT=hsts-missing   ... with a fault injected: the verdict follows its severity"
	@echo "                       (hsts-missing fails a blocker: NO-GO, the gate exits 1, make prints"
	@echo "                       'Error 1' and exits 2 itself; a major-only fault is CONDITIONAL, exit 0)"
	@echo "make demo-load         the load stage alone on the demo stack (locust, ~15 s; FAULT=slow-api...)"
	@echo "make test              run gonogo's own tests"
	@echo "make lint              ruff + mypy"
	@echo "make docs              regenerate docs/checks.md, environment-file.md, security-grading.md"
	@echo "make lock              re-pin requirements.lock from the working .venv"

demo: setup
	$(PY) -m pytest --env demo -m "$(DEMO_MARK)" $(FAULT_ARGS) $(ARGS)

demo-load: setup
	$(PY) -m pytest --env demo -m load $(FAULT_ARGS) $(ARGS)

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
	$(VENV)/bin/ruff check src tests checks smoke load bench
	$(VENV)/bin/ruff format --check src tests checks smoke load bench
	$(VENV)/bin/mypy

docs: venv
	$(VENV)/bin/gonogo checks --markdown > docs/checks.md
	$(VENV)/bin/gonogo envs --reference > docs/environment-file.md
	cd tests/rules && ../../$(PY) grading_table.py > ../../docs/security-grading.md

lock: venv
	$(PY) -m pip freeze --exclude-editable | sed '1i # Pinned dependencies of gonogo (pip freeze of a working venv). Regenerate: make lock' > requirements.lock

clean:
	rm -rf $(VENV) .demo reports/*/ build *.egg-info

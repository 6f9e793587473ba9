# Two commands on a fresh machine: `make demo` shows the product, `make test` runs the tests.
# Both create the virtual environment in .venv on first use. `make lint` is what CI checks before the tests.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
# FORMAT_CHECK=no leaves `ruff format --check` out of `make lint` (to lint before formatting a change)
FORMAT_CHECK ?= yes

.PHONY: demo test install clean lint ruff-check format-check typecheck

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,postgres]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/actionbot demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

lint: ruff-check $(if $(filter yes,$(FORMAT_CHECK)),format-check) typecheck

ruff-check: $(STAMP)
	$(VENV)/bin/ruff check .

format-check: $(STAMP)
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache

# The two commands of the quick start: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# An editable install that puts src/ on sys.path (a .pth line). setuptools' default for
# this layout (kg.shipped maps to the checkout's root) is an import hook that costs every
# `kg` command 30 ms of start-up; the checkout needs no kg.shipped (Project.locate finds it).
EDITABLE := --config-settings editable_mode=compat

.PHONY: run test setup setup-test bench clean

$(BIN)/kg: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q $(EDITABLE) -e .
	touch $(BIN)/kg

setup: $(BIN)/kg

$(VENV)/.test-deps: $(BIN)/kg
	$(BIN)/pip install -q $(EDITABLE) -e '.[test]'
	touch $@

setup-test: $(VENV)/.test-deps

## Load and validate the shipped graph, print a summary of what it holds.
run: setup
	$(BIN)/kg summary

## Type-check the package and run the test suite.
test: setup-test
	$(BIN)/mypy
	$(BIN)/pytest

clean:
	rm -rf $(VENV)

"""The docstring examples of the public API run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

import kg

#: the modules of public names, and those of the SHACL engine (its examples show how it reads)
MODULES = sorted({module for module in kg._EXPORTS.values()}
                 | {"shacl.shapes", "shacl.sparql", "shacl.engine", "terms", "xsd"})


@pytest.mark.parametrize("name", ["kg", *(f"kg.{m}" for m in MODULES)])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failed == 0


def test_public_names_resolve_lazily_and_are_listed():
    for name in kg.__all__:
        assert getattr(kg, name) is not None
    assert isinstance(kg.__version__, str)
    with pytest.raises(AttributeError):
        kg.no_such_name  # noqa: B018

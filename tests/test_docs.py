"""The docstring examples of every module run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = sorted(module.name for module in pkgutil.iter_modules(kg.__path__))
#: Modules whose docstrings show examples: one that loses them all fails here.
WITH_EXAMPLES = {"kg", "kg.export", "kg.graph", "kg.publish", "kg.results", "kg.sparqltext",
                 "kg.synth", "kg.terms", "kg.xsd"}


@pytest.mark.parametrize("name", ["kg", *(f"kg.{m}" for m in MODULES)])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failed == 0
    if name in WITH_EXAMPLES:
        assert attempted > 0, f"{name} lost its docstring examples"


@pytest.mark.parametrize("name", [f"kg.{m}" for m in MODULES])
def test_every_name_a_module_exports_exists(name):
    """queries.__all__ still named with_prologue, gone to sparqltext: `from kg.queries
    import *` failed with an AttributeError."""
    module = importlib.import_module(name)
    missing = [n for n in getattr(module, "__all__", ()) if not hasattr(module, n)]
    assert missing == []


def test_every_public_module_is_walked():
    assert {"graph", "export", "sparqltext", "terms", "xsd", "results", "queries"} <= set(MODULES)


def test_public_names_resolve_lazily_and_are_listed():
    for name in kg.__all__:
        assert getattr(kg, name) is not None
    assert isinstance(kg.__version__, str)
    with pytest.raises(AttributeError):
        kg.no_such_name  # noqa: B018

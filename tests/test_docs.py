"""The docstring examples of every module run as tests, the subpackages' (kg.shacl) included."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

#: Every module of the package, those of its subpackages too ("kg.shacl.engine").
MODULES = sorted(module.name for module in pkgutil.walk_packages(kg.__path__, "kg."))
#: Modules whose docstrings show examples: one that loses them all fails here.
WITH_EXAMPLES = {"kg", "kg.export", "kg.graph", "kg.publish", "kg.results", "kg.sparqltext",
                 "kg.synth", "kg.terms", "kg.untrusted", "kg.validate", "kg.xsd",
                 "kg.shacl.engine", "kg.shacl.shapes", "kg.shacl.sparql"}


@pytest.mark.parametrize("name", ["kg", *MODULES])
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failed == 0
    if name in WITH_EXAMPLES:
        assert attempted > 0, f"{name} lost its docstring examples"


@pytest.mark.parametrize("name", MODULES)
def test_every_name_a_module_exports_exists(name):
    """queries.__all__ still named with_prologue, gone to sparqltext: `from kg.queries
    import *` failed with an AttributeError."""
    module = importlib.import_module(name)
    missing = [n for n in getattr(module, "__all__", ()) if not hasattr(module, n)]
    assert missing == []


def test_every_public_module_is_walked():
    assert {"kg.graph", "kg.export", "kg.sparqltext", "kg.terms", "kg.xsd", "kg.results",
            "kg.queries", "kg.validate", "kg.shacl", "kg.shacl.engine", "kg.shacl.shapes",
            "kg.shacl.compile", "kg.shacl.sparql"} <= set(MODULES)
    # a module with examples that is renamed or moved must not leave the check silently
    assert WITH_EXAMPLES - {"kg"} <= set(MODULES)


def test_public_names_resolve_lazily_and_are_listed():
    for name in kg.__all__:
        assert getattr(kg, name) is not None
    assert isinstance(kg.__version__, str)
    with pytest.raises(AttributeError):
        kg.no_such_name  # noqa: B018

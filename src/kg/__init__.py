"""kg: the Balikpapan industry knowledge graph as a library.

The data flows one way: load -> validate -> query -> export.

>>> import kg
>>> graph = kg.load_graph()
>>> len(graph.source_graphs())
5
>>> row = kg.run_saved(graph, "post-holder-on-date", post="post:head-dkumkmp-balikpapan",
...                    on="2024-11-25").values()[0]
>>> row["holderLabel"], row["answer"]
('Heru Ressandy', 'attested on that date')

Public names are imported on first use, so that ``import kg`` (and the
``kg`` command's start-up) does not pay for rdflib, pySHACL or pyoxigraph
until a command needs them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "EndpointError": "errors",
    "InputError": "errors",
    "KGError": "errors",
    "LimitError": "errors",
    "ParameterError": "errors",
    "ProvenanceError": "errors",
    "QueryError": "errors",
    "SourceFileError": "errors",
    "StoreError": "errors",
    "RdfFormat": "formats",
    "KnowledgeGraph": "graph",
    "LoadReport": "graph",
    "load_graph": "graph",
    "load_store": "graph",
    "open_store": "graph",
    "Project": "project",
    "ValidationReport": "report",
    "ValidationResult": "report",
    "Shapes": "shacl",
    "validate": "validate",
    "validate_files": "validate",
    "validate_graph": "validate",
    "project_shapes": "validate",
    "IRI": "terms",
    "Backend": "backends",
    "QueryResult": "results",
    "RemoteBackend": "backends",
    "ResultCapWarning": "backends",
    "Parameter": "queries",
    "ParamType": "queries",
    "QueryLibrary": "queries",
    "SavedQuery": "queries",
    "run_query": "queries",
    "run_saved": "queries",
    "ResultFormat": "results",
    "render": "results",
    "export": "export",
    "export_to": "export",
    "PublishReport": "publish",
    "publish": "publish",
    "SynthSummary": "synth",
    "synthesize": "synth",
    "AddResult": "add",
    "GraphAddition": "add",
    "SourceDescription": "add",
    "add": "add",
    "Limits": "untrusted",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from .errors import EndpointError, InputError, KGError, LimitError, ParameterError, ProvenanceError, QueryError, SourceFileError, StoreError
    from .formats import RdfFormat
    from .graph import KnowledgeGraph, LoadReport, load_graph, load_store, open_store
    from .project import Project
    from .report import ValidationReport, ValidationResult
    from .shacl import Shapes
    from .validate import project_shapes, validate, validate_files, validate_graph
    from .terms import IRI
    from .backends import Backend, RemoteBackend, ResultCapWarning
    from .queries import Parameter, ParamType, QueryLibrary, SavedQuery, run_query, run_saved
    from .results import QueryResult, ResultFormat, render
    from .export import export, export_to
    from .publish import PublishReport, publish
    from .synth import SynthSummary, synthesize
    from .add import AddResult, GraphAddition, SourceDescription, add
    from .untrusted import Limits


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version
        try:
            value: Any = version("kg")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0.0.0"
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    else:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


class _CallableModule(types.ModuleType):
    """A module named as the public function it defines (``kg.validate``, ``kg.export``,
    ``kg.add``, ``kg.publish``), called as that function."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)


class _Package(types.ModuleType):
    """The ``kg`` package. Importing its module ``kg.validate`` (as ``kg.cli`` and any
    ``from kg.validate import ...`` do) binds the module to the package's attribute
    ``validate``, where the function ``kg.validate`` was: ``kg.validate(graph)`` then
    failed with "'module' object is not callable", depending on what was imported
    first. Such a module is made callable as its function, and stays the module for
    ``kg.validate.validate_graph``."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name \
                and type(value) is types.ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

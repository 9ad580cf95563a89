"""kg: the Balikpapan industry knowledge graph as a library.

The data flows one way: load -> validate -> query -> export.

>>> import kg
>>> graph = kg.load_graph()
>>> len(graph.source_graphs())
5
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    EndpointError, InputError, KGError, LimitError, ParameterError, ProvenanceError,
    QueryError, SourceFileError, StoreError,
)
from .formats import RdfFormat
from .load import KnowledgeGraph, Project, load_graph, load_ontology, load_shapes
from .validate import ValidationReport, ValidationResult, validate
from .fastshacl import FastValidator, ValidationStore, validate_fast
from .backends import IRI, Backend, EmbeddedBackend, QueryResult, RemoteBackend, ResultCapWarning
from .queries import Parameter, ParamType, QueryLibrary, SavedQuery, run_query, run_saved
from .results import ResultFormat, render
from .export import export
from .publish import PublishReport, publish
from .store import LoadReport, OxigraphBackend, load_store, open_store
from .synth import SynthSummary, synthesize
from .add import AddResult, GraphAddition, SourceDescription, add
from .untrusted import Limits

try:
    __version__ = version("kg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "KGError", "InputError", "SourceFileError", "LimitError", "ParameterError",
    "ProvenanceError", "QueryError", "EndpointError", "StoreError",
    "RdfFormat", "Project", "KnowledgeGraph", "load_graph", "load_ontology", "load_shapes",
    "ValidationReport", "ValidationResult", "validate",
    "FastValidator", "ValidationStore", "validate_fast",
    "Backend", "EmbeddedBackend", "QueryResult", "IRI",
    "QueryLibrary", "SavedQuery", "Parameter", "ParamType", "run_saved", "run_query",
    "ResultFormat", "render",
    "RemoteBackend", "ResultCapWarning", "publish", "PublishReport", "export",
    "OxigraphBackend", "open_store", "load_store", "LoadReport", "synthesize", "SynthSummary",
    "add", "AddResult", "GraphAddition", "SourceDescription", "Limits",
]

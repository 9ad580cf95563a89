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
]

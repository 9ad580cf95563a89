"""The IRIs the engine reads and writes: SHACL's vocabulary and the few RDF/RDFS/OWL terms.

Kept apart so that the reader of the shapes graph, the compiler and the
report all name a term the same way (``SH.minCount``, ``RDF.type``).
"""

from __future__ import annotations

import pyoxigraph as ox

SH_NS = "http://www.w3.org/ns/shacl#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


class _Namespace:
    """``NS.name`` -> ``ox.NamedNode(namespace + name)`` (``NS["class"]`` for Python keywords)."""

    def __init__(self, base: str) -> None:
        self._base = base
        self._made: dict[str, ox.NamedNode] = {}

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        term = self[name]
        setattr(self, name, term)  # found as a plain attribute from now on
        return term

    def __getitem__(self, name: str) -> ox.NamedNode:
        term = self._made.get(name)
        if term is None:
            term = self._made[name] = ox.NamedNode(self._base + name)
        return term

    def __contains__(self, term: object) -> bool:
        return isinstance(term, ox.NamedNode) and term.value.startswith(self._base)

    def local(self, term: ox.NamedNode) -> str:
        """The name after the namespace (``minCount`` for ``sh:minCount``)."""
        return term.value[len(self._base):]


SH = _Namespace(SH_NS)
RDF = _Namespace(RDF_NS)
RDFS = _Namespace(RDFS_NS)
OWL = _Namespace(OWL_NS)
XSD = _Namespace(XSD_NS)

DEFAULT_GRAPH = ox.DefaultGraph()
TRUE = ox.Literal("true", datatype=XSD.boolean)
FALSE = ox.Literal("false", datatype=XSD.boolean)

#: The severities, most severe first.
SEVERITIES = (SH.Violation, SH.Warning, SH.Info)

__all__ = ["SH", "RDF", "RDFS", "OWL", "XSD", "SH_NS", "RDF_NS", "RDFS_NS", "OWL_NS", "XSD_NS",
           "DEFAULT_GRAPH", "TRUE", "FALSE", "SEVERITIES"]

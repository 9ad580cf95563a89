"""The project's namespaces as rdflib ``Namespace`` objects, built from :mod:`kg.prefixes`."""

from __future__ import annotations

from rdflib import Graph, Namespace

from .prefixes import BASE, CODE_LISTS, OWN_PREFIXES, PREFIXES, RESOURCE_KINDS, STANDARD_PREFIXES, sparql_prologue

KG = Namespace(OWN_PREFIXES["kg"])
KGSH = Namespace(OWN_PREFIXES["kgsh"])
SOURCE = Namespace(OWN_PREFIXES["source"])
SCHEMA = Namespace(STANDARD_PREFIXES["schema"])
SDMX_DIMENSION = Namespace(STANDARD_PREFIXES["sdmx-dimension"])
SDMX_MEASURE = Namespace(STANDARD_PREFIXES["sdmx-measure"])
SDMX_ATTRIBUTE = Namespace(STANDARD_PREFIXES["sdmx-attribute"])

STANDARD: dict[str, Namespace] = {p: Namespace(iri) for p, iri in STANDARD_PREFIXES.items()}
OWN: dict[str, Namespace] = {p: Namespace(iri) for p, iri in OWN_PREFIXES.items()}


def bind_prefixes(graph: Graph) -> None:
    """Bind every project prefix on an rdflib Graph or Dataset (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


__all__ = [
    "BASE", "CODE_LISTS", "RESOURCE_KINDS", "PREFIXES", "sparql_prologue", "bind_prefixes",
    "KG", "KGSH", "SOURCE", "SCHEMA", "SDMX_DIMENSION", "SDMX_MEASURE", "SDMX_ATTRIBUTE",
    "STANDARD", "OWN",
]

"""Every prefix of the project, as plain strings: the one source for them.

``ontology/README.md`` documents them. Plain strings, free of
rdflib and pyoxigraph, so that commands which only need prefix text (listing
saved queries) start fast.
"""

from __future__ import annotations

from collections.abc import Iterable

BASE = "https://kg.example/"

#: Resource namespaces, prefix -> path under id/: one per kind of thing the data describes.
RESOURCE_KINDS = {
    "source": "source", "person": "person", "body": "body", "post": "post",
    "holding": "holding", "place": "place", "facility": "facility",
    "program": "program", "event": "event", "policy": "policy",
    "obs": "observation", "finding": "finding", "date": "date", "period": "period",
}
#: Code lists (SKOS concept schemes in ontology/vocabularies.ttl).
CODE_LISTS = (
    "sector", "size", "indicator", "uom", "qualifier", "basis", "role", "orgtype",
    "level", "instrument", "status", "legal", "eventtype", "assessment", "storage",
    "attribute",
)

STANDARD_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "qb": "http://purl.org/linked-data/cube#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "schema": "http://schema.org/",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "qudt": "http://qudt.org/schema/qudt/",  # units: qudt:hasQuantityKind, qudt:ucumCode
}

OWN_PREFIXES: dict[str, str] = {
    "kg": BASE + "def/",
    "kgsh": BASE + "shapes/",
    "code": BASE + "code/",  # the concept schemes themselves: code:sector, code:uom, ...
    **{prefix: f"{BASE}id/{path}/" for prefix, path in RESOURCE_KINDS.items()},
    **{code: f"{BASE}code/{code}/" for code in CODE_LISTS},
}

#: prefix -> namespace IRI, standard vocabularies first.
PREFIXES: dict[str, str] = {**STANDARD_PREFIXES, **OWN_PREFIXES}

#: The namespace of source articles: an article's IRI names its graph.
SOURCE_PREFIX = OWN_PREFIXES["source"]


def prefix_lines(prefixes: Iterable[tuple[str, str]]) -> str:
    """``PREFIX`` lines for (prefix, namespace) pairs, to put before a query."""
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in prefixes)

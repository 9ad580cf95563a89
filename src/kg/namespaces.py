"""Every prefix and namespace of the project, bound in one place.

The table in ``ontology/README.md`` documents them; ``PREFIXES`` is the one
source that loaders, serializers, saved queries and the JSON-LD context use.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, XSD

BASE = "https://kg.example/"

KG = Namespace(BASE + "def/")
KGSH = Namespace(BASE + "shapes/")
SCHEMA = Namespace("http://schema.org/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")

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
)

SOURCE = Namespace(BASE + "id/source/")

STANDARD: dict[str, Namespace] = {
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dct": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "org": Namespace(str(ORG)),
    "prov": Namespace(str(PROV)),
    "qb": Namespace(str(QB)),
    "time": Namespace(str(TIME)),
    "sh": Namespace(str(SH)),
    "schema": SCHEMA,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-measure": SDMX_MEASURE,
    "sdmx-attribute": SDMX_ATTRIBUTE,
}

OWN: dict[str, Namespace] = {
    "kg": KG,
    "kgsh": KGSH,
    "code": Namespace(BASE + "code/"),  # the concept schemes themselves: code:sector, code:uom, ...
    **{prefix: Namespace(f"{BASE}id/{path}/") for prefix, path in RESOURCE_KINDS.items()},
    **{code: Namespace(f"{BASE}code/{code}/") for code in CODE_LISTS},
}

#: prefix -> namespace IRI, standard vocabularies first.
PREFIXES: dict[str, str] = {p: str(ns) for p, ns in {**STANDARD, **OWN}.items()}


def bind_prefixes(graph: Graph) -> None:
    """Bind every project prefix on an rdflib Graph or Dataset (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def sparql_prologue() -> str:
    """``PREFIX`` lines for every project prefix, to put before a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

"""JSON-LD written by kg: streamed, one node object at a time, compacted with the shipped context.

The shipped context (``src/kg/context.jsonld``) is inlined, so that any
JSON-LD processor reads the document without fetching anything. Compaction
here is what that context allows: prefixed names, the context's short keys
(``prefLabel``, ``obsValue``...), values coerced where a key says so, and
every other value in its exact lexical form (``{"@value": "19.23", "@type":
"xsd:decimal"}``, never a JSON number, which a reader would turn into a
double). Reading the document back gives the same statements
(``tests/test_export.py`` reads it with pyoxigraph and with rdflib).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

from .parse import CONTEXT_FILE
from .terms import XSD_STRING

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def shipped_context() -> dict[str, Any]:
    """The ``@context`` of ``src/kg/context.jsonld``."""
    document = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    context: dict[str, Any] = document["@context"]
    return context


class Compactor:
    """Terms as the shipped context writes them: keys, prefixed names, coerced values."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.prefixes = {key: value for key, value in context.items()
                         if isinstance(value, str) and not key.startswith("@")}
        #: property IRI -> (key, coercion: "@id", a datatype IRI, or None)
        self.keys: dict[str, tuple[str, str | None]] = {}
        for key, value in context.items():
            if isinstance(value, dict) and "@id" in value:
                iri = self.expand(value["@id"])
                coercion = value.get("@type")
                self.keys.setdefault(iri, (key, self.expand(coercion) if coercion not in (
                    None, "@id") else coercion))
        self._by_length = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        #: IRI -> how it is written: the same IRIs come again and again (classes, codes,
        #: periods); bounded, as a national graph names millions of things
        self._written: dict[str, str] = {}

    def expand(self, text: str) -> str:
        prefix, colon, local = text.partition(":")
        if colon and prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return text

    def iri(self, iri: str) -> str:
        """A prefixed name where one fits and reads back as the same IRI, else the IRI."""
        written = self._written.get(iri)
        if written is None:
            if len(self._written) > 200_000:
                self._written.clear()
            written = self._written[iri] = self._compact(iri)
        return written

    def _compact(self, iri: str) -> str:
        for prefix, namespace in self._by_length:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                if not local.startswith("//") and local not in ("",):
                    return f"{prefix}:{local}"
        return iri

    def key(self, predicate: str) -> tuple[str, str | None]:
        found = self.keys.get(predicate)
        return found if found is not None else (self.iri(predicate), None)

    def value(self, term: Any, coercion: str | None) -> Any:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value) if coercion == "@id" else {"@id": self.iri(term.value)}
        if isinstance(term, ox.BlankNode):
            return {"@id": f"_:{term.value}"}
        if term.language:
            return {"@value": term.value, "@language": term.language}
        datatype = term.datatype.value
        if coercion is not None and coercion == datatype:
            return term.value
        if term.datatype == XSD_STRING and coercion is None:
            return term.value
        return {"@value": term.value, "@type": self.iri(datatype)}


def jsonld_chunks(quads: Iterable[ox.Quad], context: dict[str, Any] | None = None) -> Iterator[str]:
    """The quads as a compacted JSON-LD document, in pieces (one node object each).

    Quads are grouped per graph (pyoxigraph yields a graph's quads together);
    a graph's node objects are held until the graph ends, so memory follows
    the largest graph, not the data.
    """
    context = shipped_context() if context is None else context
    compactor = Compactor(context)
    yield '{\n"@context": ' + json.dumps(context, ensure_ascii=False) + ',\n"@graph": ['
    first = True
    current: Any = None
    nodes: dict[Any, dict[str, list[Any]]] = {}

    def flush() -> Iterator[str]:
        nonlocal first
        if not nodes:
            return
        objects = [node_object(compactor, subject, properties)
                   for subject, properties in nodes.items()]
        if isinstance(current, ox.DefaultGraph) or current is None:
            pieces = objects
        else:
            pieces = [{"@id": compactor.iri(current.value) if isinstance(current, ox.NamedNode)
                       else f"_:{current.value}", "@graph": objects}]
        for piece in pieces:
            yield ("\n" if first else ",\n") + json.dumps(piece, ensure_ascii=False)
            first = False
        nodes.clear()

    for quad in quads:
        graph = quad.graph_name if isinstance(quad, ox.Quad) else ox.DefaultGraph()
        if graph != current:
            yield from flush()
            current = graph
        nodes.setdefault(quad.subject, {}).setdefault(quad.predicate.value, []).append(quad.object)
    yield from flush()
    yield "\n]}\n"


def node_object(compactor: Compactor, subject: Any, properties: dict[str, list[Any]]
                ) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": compactor.iri(subject.value)
                            if isinstance(subject, ox.NamedNode) else f"_:{subject.value}"}
    types = properties.pop(RDF_TYPE, [])
    iri_types = [t for t in types if isinstance(t, ox.NamedNode)]
    if iri_types:
        shown = sorted(compactor.iri(t.value) for t in iri_types)
        node["@type"] = shown[0] if len(shown) == 1 else shown
    others = [t for t in types if not isinstance(t, ox.NamedNode)]
    if others:
        properties[RDF_TYPE] = others
    for predicate in sorted(properties):
        key, coercion = compactor.key(predicate)
        terms = properties[predicate]
        if len(terms) == 1:
            node[key] = compactor.value(terms[0], coercion)
        else:  # in a stable order (the same graph writes the same bytes)
            node[key] = [compactor.value(v, coercion) for v in sorted(terms, key=str)]
    return node


def jsonld_text(quads: Iterable[ox.Quad]) -> str:
    """The quads as a compacted JSON-LD document (text)."""
    return "".join(jsonld_chunks(quads))


__all__ = ["shipped_context", "Compactor", "jsonld_chunks", "jsonld_text"]

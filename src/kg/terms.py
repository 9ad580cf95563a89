"""RDF terms: pyoxigraph's, shown short, read as Python values, and converted at the edges.

kg holds every term as a pyoxigraph term (``NamedNode``, ``BlankNode``,
``Literal``). This module shows them the way a person reads them
(``person:heru-ressandy``, ``"Heru"@id``, ``2024``), turns them into Python
values, and is the one converter to and from rdflib terms, for the edges
where rdflib is the better tool (pySHACL, JSON-LD compaction): rdflib is
imported only there.

>>> short(ox.NamedNode("https://kg.example/id/person/heru-ressandy"))
'person:heru-ressandy'
>>> short(ox.Literal("2024", datatype=ox.NamedNode(XSD + "gYear")))
'"2024"^^xsd:gYear'
>>> python(ox.Literal("2024", datatype=ox.NamedNode(XSD + "gYear")))
2024
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Union

import pyoxigraph as ox

from .prefixes import PREFIXES
from .xsd import XSD, python_value

if TYPE_CHECKING:
    from rdflib.term import Node

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
Subject = Union[ox.NamedNode, ox.BlankNode]
#: Any term a quad may hold: a term, or an RDF-star quoted triple (which kg never writes,
#: but a parser may read).
AnyTerm = Union[ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple]
GraphName = Union[ox.NamedNode, ox.BlankNode, ox.DefaultGraph]

XSD_STRING = ox.NamedNode(XSD + "string")
RDF_LANGSTRING = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")
DEFAULT_GRAPH = ox.DefaultGraph()


class IRI(str):
    """An IRI as a Python value: a ``str`` that says it names something."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


#: namespace -> prefix, longest namespace first, so that ``indicator:`` wins over ``code:``.
_BY_NAMESPACE = sorted(((ns, p) for p, ns in PREFIXES.items()), key=lambda kv: -len(kv[0]))


#: a local name that needs no escaping in Turtle or SPARQL
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")


def compact(iri: str) -> str:
    """``prefix:local`` for an IRI under a project prefix (a plain local name), else the IRI."""
    for namespace, prefix in _BY_NAMESPACE:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local == "" or _LOCAL.match(local):
                return f"{prefix}:{local}"
    return iri


def shown_iri(iri: str) -> str:
    """An IRI as a person reads it: ``prefix:local`` under a project prefix, else ``<IRI>``."""
    shown = compact(iri)
    return shown if shown != iri else f"<{iri}>"


def preferred_label(labels: Iterable[object]) -> str | None:
    """The label kg shows of these: the Indonesian one, else the English, else any literal."""
    by_language: dict[str | None, str] = {}
    for label in labels:
        if isinstance(label, ox.Literal):
            by_language.setdefault(label.language, label.value)
    for language in ("id", "en", None):
        if language in by_language:
            return by_language[language]
    return next(iter(by_language.values()), None)


def short(term: AnyTerm | ox.DefaultGraph | None) -> str:
    """A term as a person reads it: a prefixed name or ``<IRI>``, a quoted literal, ``_:b``."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shown_iri(term.value)
    if isinstance(term, ox.Literal):
        text = str(ox.Literal(term.value))  # quoted and escaped as N-Triples writes it
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype == XSD_STRING:
            return text
        return f"{text}^^{short(term.datatype)}"
    if isinstance(term, ox.DefaultGraph):
        return "(default graph)"
    return str(term)


def python(term: Term | None) -> object:
    """A term as a plain Python value: ``IRI``, str, int, Decimal, float, bool, date ...

    A language-tagged or plain literal is its text; a typed literal its value
    (``xsd:gYear`` an int year); a literal whose text does not fit its
    datatype stays text; a blank node is ``"_:id"``; None stays None.
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return term.value
    return python_value(term.value, term.datatype.value)


def iri_of(text: str) -> ox.NamedNode:
    """``prefix:local`` (a project prefix), ``<IRI>`` or a full IRI as a NamedNode.

    Raises:
        ValueError: not an absolute IRI after expansion.
    """
    text = text.strip().removeprefix("<").removesuffix(">")
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    return ox.NamedNode(text)


# --------------------------------------------------------------------------- rdflib, at the edges

def to_rdflib(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term (``xsd:string`` literals plain, as rdflib parses them;
    a typed literal keeps its text, valid or not).

    Raises:
        TypeError: not an IRI, blank node, literal or the default graph.
    """
    from rdflib import BNode, Literal, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == XSD_STRING:
            return Literal(term.value)
        # normalize=False: the text as the store holds it (rdflib would rewrite "2011-01-01"
        # ^^xsd:dateTime, which is not a dateTime, as "2011-01-01T00:00:00")
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"not an RDF term: {term!r}")


def from_rdflib(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term (rdflib's default graph as ``DefaultGraph``).

    Raises:
        TypeError: not an IRI, blank node or literal.
    """
    from rdflib import BNode, Literal, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    if term == DATASET_DEFAULT_GRAPH_ID:
        return DEFAULT_GRAPH
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        try:
            return ox.BlankNode(str(term))
        except ValueError:  # rdflib accepts labels N-Triples does not: keep them apart
            return ox.BlankNode("x" + str(term).encode("utf-8").hex())
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


__all__ = ["Term", "Subject", "AnyTerm", "GraphName", "IRI", "XSD_STRING", "RDF_LANGSTRING", "DEFAULT_GRAPH",
           "compact", "shown_iri", "preferred_label", "short", "python", "iri_of", "to_rdflib", "from_rdflib"]

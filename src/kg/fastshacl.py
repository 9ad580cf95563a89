"""Fast validation: the project's SHACL shapes compiled to SPARQL and run by pyoxigraph.

pySHACL (:func:`kg.validate.validate`) is the reference. This engine reads the
same shapes graph and returns the same :class:`~kg.validate.ValidationReport`
(severity, focus node, path, value, message, shape and constraint component
of every result), so that the CLI and the tests need not know which engine
ran. It implements the SHACL features ``shapes/`` uses, listed in
:data:`SHAPE_PARAMETERS`, and refuses a shape that uses anything else
(:class:`~kg.errors.KGError` naming the shape and the feature) rather than
skip it.

How it runs:

- data and ontology are merged into the default graph of a
  :class:`pyoxigraph.Store` (:class:`ValidationStore`), and nothing else:
  one set of triples, as pySHACL sees the merged rdflib graph (pyoxigraph's
  union of named graphs would count a triple stated by two sources twice,
  and named graphs in the same store slow default-graph queries thirtyfold);
- each property shape, under each shape with targets, becomes at most three
  queries over all its focus nodes at once: the values that fail a
  value-level constraint (``sh:class``, ``sh:datatype``, ``sh:in``,
  ``sh:or``, ...), the value counts (``sh:minCount``, ``sh:maxCount``,
  ``sh:hasValue``, qualified counts), and languages used twice
  (``sh:uniqueLang``);
- a SPARQL constraint runs once with ``$this`` unbound and keeps the rows of
  the shape's focus nodes; one whose meaning depends on ``$this`` being bound
  beforehand (an aggregate not grouped by ``$this``, LIMIT, OFFSET) runs once
  per focus node with ``$this`` substituted, as pySHACL runs every one;
- the literals a query flags are checked again in Python with pySHACL's own
  rules (what counts as an ill-typed literal is the rdflib's verdict).

**Literals the store rewrites.** A pyoxigraph store keeps numbers in
canonical form and derived integer types as ``xsd:integer``:
``"2"^^xsd:positiveInteger`` is read back as ``"2"^^xsd:integer``,
``"87.0"^^xsd:decimal`` as ``"87"^^xsd:decimal``. :class:`ValidationStore`
records every literal the store would rewrite (its :class:`LexicalIndex`);
the focus nodes whose values include one are validated in Python from the
original literals, so ``sh:datatype xsd:positiveInteger`` judges what the
data says. What still sees the rewritten literals: SPARQL constraints (none
of the project's reads a derived integer type or a lexical form), paths other
than a predicate or a sequence ending in one, and any store built elsewhere
(:meth:`ValidationStore.wrap`), which has no record of what it rewrote.

``focus`` restricts validation to the given nodes (``kg add``): each query
then starts from those that are focus nodes of its shape, and class tests
look at each value rather than join the class's instances, so validating
the nodes an addition touches takes a fraction of a second whatever the size
of the graph (``bench/validation.py`` measures it).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from .errors import KGError
from .load import KnowledgeGraph
from .namespaces import bind_prefixes
from .validate import SEVERITIES, ValidationReport, ValidationResult, relative, show, sources_of

__all__ = ["FastValidator", "ValidationStore", "LexicalIndex", "validate_fast",
           "SHAPE_PARAMETERS", "ONTOLOGY_GRAPH"]

OxTerm = Union[ox.NamedNode, ox.BlankNode, ox.Literal]

#: The named graph a store may keep the ontology in (next to the default graph, where
#: the engine reads it): never listed as a source of a result.
ONTOLOGY_GRAPH = "https://kg.example/def/"

#: The shape parameters the engine implements. Any other ``sh:`` term on a shape
#: is refused.
SHAPE_PARAMETERS: frozenset[URIRef] = frozenset({
    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
    SH.property, SH.sparql, SH.path, SH.severity, SH.message, SH.deactivated,
    SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue, SH.languageIn,
    SH.uniqueLang, SH.pattern, SH.flags, SH.minCount, SH.maxCount,
    SH["or"], SH["and"], SH["not"], SH.xone, SH.node,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
})
#: Non-validating shape terms: read by people, ignored by validation.
ANNOTATIONS = frozenset({SH.name, SH.description, SH.order, SH.group, SH.defaultValue})
SPARQL_PARAMETERS = frozenset({SH.select, SH.message, SH.prefixes, SH.deactivated})

SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)
#: Predicates whose objects are shapes (or lists of shapes).
SHAPE_REFERENCES = (SH.property, SH.node, SH.qualifiedValueShape, SH["not"])
SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)

#: Datatypes a pyoxigraph store may rewrite (canonical lexical form, or the datatype
#: itself for the derived integer types).
XSD_REWRITTEN = frozenset(XSD[name] for name in (
    "boolean", "float", "double", "decimal", "integer", "nonPositiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "nonNegativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger",
    "dateTime", "dateTimeStamp", "time", "date", "gYearMonth", "gYear", "gMonthDay",
    "gDay", "gMonth", "duration", "yearMonthDuration", "dayTimeDuration", "string"))
_REWRITTEN_OX = frozenset(ox.NamedNode(str(t)) for t in XSD_REWRITTEN)
_OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES,
               ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
               ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML}
#: Datatypes whose lexical form the store checks: a SPARQL cast to them fails on an
#: ill-typed literal.
XSD_CASTABLE = frozenset(XSD[name] for name in (
    "boolean", "float", "double", "decimal", "integer", "dateTime", "time", "date",
    "gYearMonth", "gYear", "gMonthDay", "gDay", "gMonth", "duration",
    "yearMonthDuration", "dayTimeDuration"))

_XSD_STRING = ox.NamedNode(str(XSD.string))
_DEFAULT = ox.DefaultGraph()
_THIS = ox.Variable("this")
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_PARSER = ox.Store()  # empty: parses queries
_SEVERITY_ORDER = {name: i for i, name in enumerate(SEVERITIES.values())}


# --------------------------------------------------------------------------- terms

def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term.

    Raises:
        KGError: the term is neither an IRI, a blank node nor a literal.
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return _blank(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise KGError(f"cannot hand the term {term!r} to pyoxigraph: not an IRI, blank node or literal")


def _blank(label: str) -> ox.BlankNode:
    try:
        return ox.BlankNode(label)
    except ValueError:  # rdflib accepts labels N-Triples does not: keep them apart, consistently
        return ox.BlankNode("x" + label.encode("utf-8").hex())


def from_ox(term: Any) -> Node:
    """A pyoxigraph term as an rdflib term (plain literals without a datatype, as rdflib parses them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise KGError(f"cannot read the term {term!r} from the store")


def _same_literal(a: Literal, b: Literal) -> bool:
    return (str(a), a.datatype, a.language) == (str(b), b.datatype, b.language)


def _quads(store: ox.Store, s: Any, p: Any, o: Any) -> Iterator[ox.Quad]:
    """The default graph's quads matching a pattern (terms of any kind: none matches a literal subject)."""
    if isinstance(s, ox.Literal):
        return iter(())
    return store.quads_for_pattern(s, p, o, _DEFAULT)


def _select(store: ox.Store, query: str, **options: Any) -> ox.QuerySolutions:
    """The solutions of a SELECT query."""
    solutions = store.query(query, **options)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _sparql(term: OxTerm) -> str:
    """A term as SPARQL text (N-Triples syntax, which SPARQL reads)."""
    return str(term)


# --------------------------------------------------------------------------- the store

@dataclass
class LexicalIndex:
    """The literals a store holds otherwise than the data states them.

    ``originals[(s, p, o)]``: the literals (as rdflib reads them, as pySHACL
    sees them) that the store holds as the triple ``s p o``; recorded only
    where that differs from what the store gives back.
    """

    originals: dict[tuple[OxTerm, OxTerm, OxTerm], frozenset[Literal]] = field(default_factory=dict)
    by_literal: dict[OxTerm, set[Literal]] = field(default_factory=dict)
    predicates: set[OxTerm] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.originals)

    def record(self, triples: Sequence[tuple[OxTerm, OxTerm, Literal]],
               held: Callable[[tuple[OxTerm, OxTerm, OxTerm]], bool] = lambda key: False) -> None:
        """Record ``triples`` (with literal objects the store may rewrite), once in the store.

        ``held(key)``: whether the store held the triple before (the data it
        came from stated the literal as the store gives it back).
        """
        canonical = _canonical_forms(lit for _, _, lit in triples)
        rewritten = {lit for lit, held_as in canonical.items()
                     if not _same_literal(from_ox(held_as), lit)}  # type: ignore[arg-type]
        # a triple needs a record if its literal was rewritten, or if the store already
        # holds it for a rewritten one (then this literal is one more the triple stands for)
        touched = {(s, p, canonical[o]) for s, p, o in triples
                   if o in rewritten or (s, p, canonical[o]) in self.originals}
        if not touched:
            return
        grouped: dict[tuple[OxTerm, OxTerm, OxTerm], set[Literal]] = {}
        for s, p, o in triples:
            key = (s, p, canonical[o])
            if key in touched:
                grouped.setdefault(key, set()).add(o)
        for key, literals in grouped.items():
            merged = set(self.originals.get(key, ())) | literals
            if key not in self.originals and held(key):
                merged.add(from_ox(key[2]))  # type: ignore[arg-type]
            self.originals[key] = frozenset(merged)
            self.by_literal.setdefault(key[2], set()).update(merged)
            self.predicates.add(key[1])


def _canonical_forms(literals: Iterable[Literal]) -> dict[Literal, OxTerm]:
    """What a store holds for each literal: each goes through a scratch store once."""
    items = list(dict.fromkeys(literals))
    scratch = ox.Store()
    p = ox.NamedNode("urn:kg:fastshacl:literal")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:kg:fastshacl:{i}"), p, to_ox(lit))
                   for i, lit in enumerate(items))
    found: dict[Literal, OxTerm] = {}
    for quad in scratch:
        found[items[int(quad.subject.value.rsplit(":", 1)[1])]] = quad.object
    return found


def _nt_literal(term: Literal) -> str:
    text = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is not None:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


class ValidationStore:
    """Data and ontology merged in the default graph of a pyoxigraph Store, as the engine reads them.

    Build it with :meth:`from_graph` (from rdflib) or :meth:`from_files`
    (straight from RDF files), which also record the literals the store
    rewrites; or wrap a store already holding the merge with :meth:`wrap`.
    :meth:`add` adds statements (``kg add``).

    The store holds nothing but the default graph: pyoxigraph answers
    default-graph queries some thirty times slower when the same store also
    holds named graphs. Which source states what (for the report) comes from
    ``provenance`` (the rdflib graph), else from ``sources``, a second store
    with the named graphs.
    """

    def __init__(self, store: ox.Store, *, lexical: LexicalIndex | None = None,
                 provenance: KnowledgeGraph | None = None, sources: ox.Store | None = None,
                 origins: dict[URIRef, Path] | None = None) -> None:
        self.store = store
        self.lexical = lexical if lexical is not None else LexicalIndex()
        self.provenance = provenance
        self._named: ox.Store | None = sources
        self._source_files: list[Path] = []
        #: subject -> the source graphs stating something about it (from_files, add)
        self._stated_in: dict[Any, set[str]] = {}
        self.origins = dict(origins or (provenance.origins if provenance is not None else {}))

    @classmethod
    def from_graph(cls, graph: KnowledgeGraph | Graph, ontology: Graph | None = None, *,
                   path: str | Path | None = None) -> ValidationStore:
        """A new store holding ``graph`` (all its named graphs, merged) and ``ontology``.

        ``path``: an on-disk store there (default: in memory). The graphs are
        only read.
        """
        store = ox.Store(str(path)) if path is not None else ox.Store()
        validation = cls(store, provenance=graph if isinstance(graph, KnowledgeGraph) else None)
        triples: Iterable[tuple[Node, Node, Node]]
        if isinstance(graph, KnowledgeGraph):
            triples = ((s, p, o) for s, p, o, _ in graph.dataset.quads((None, None, None, None)))
        elif isinstance(graph, Dataset):
            triples = ((s, p, o) for s, p, o, _ in graph.quads((None, None, None, None)))
        else:
            triples = graph
        validation.add(triples)
        if ontology is not None:
            validation.add(ontology)
        return validation

    @classmethod
    def from_files(cls, data: Iterable[Path], ontology: Iterable[Path] = (), *,
                   path: str | Path | None = None) -> ValidationStore:
        """A new store read straight from RDF files (no rdflib graph in between).

        Every statement goes to the default graph, which validation reads;
        which source states what (for the report) is read again from the data
        files when a report first needs it.

        Raises:
            SourceFileError: a file cannot be read or parsed.
        """
        from .errors import SourceFileError
        from .formats import RdfFormat

        store = ox.Store(str(path)) if path is not None else ox.Store()
        validation = cls(store)
        validation._source_files = list(data)
        rewritten: list[tuple[OxTerm, OxTerm, Literal]] = []
        seen: dict[ox.Literal, Literal] = {}
        triples: list[ox.Triple] = []
        stated_in = validation._stated_in
        for file in [*validation._source_files, *ontology]:
            fmt = _OX_FORMATS[RdfFormat.from_path(file).extension]
            is_data = file in validation._source_files
            try:
                for q in ox.parse(path=str(file), format=fmt, base_iri=file.resolve().as_uri()):
                    triple = q.triple
                    triples.append(triple)
                    if is_data:  # which source states what, for the report
                        graph = q.graph_name
                        if type(graph) is not ox.DefaultGraph:  # noqa: E721
                            stated_in.setdefault(triple.subject, set()).add(graph.value)
                            validation.origins.setdefault(URIRef(graph.value), file)
                    o = triple.object
                    # the literals as the file states them (the store rewrites some)
                    if type(o) is ox.Literal and (o.datatype in _REWRITTEN_OX or (  # noqa: E721
                            o.language and o.language != o.language.lower())):
                        stated = seen.get(o)
                        if stated is None:
                            stated = seen[o] = from_ox(o)  # type: ignore[assignment]
                        rewritten.append((triple.subject, triple.predicate, stated))  # type: ignore[arg-type]
            except (SyntaxError, ValueError, OSError) as exc:
                raise SourceFileError(file, f"cannot be read: {exc}") from exc
        # every statement once in the default graph; N-Triples read by the store beats
        # building a Python Quad per statement
        store.load(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                   ox.RdfFormat.N_TRIPLES, to_graph=_DEFAULT, lenient=True)
        validation.lexical.record(rewritten)
        return validation

    @property
    def named(self) -> ox.Store:
        """The source graphs (for the report), read on first use."""
        if self._named is None and not self._source_files:
            self._named = self.store  # a wrapped store: its own named graphs, if any
        if self._named is None:
            from .formats import RdfFormat

            self._named = ox.Store()
            for file in self._source_files:
                before = set(self._named.named_graphs())
                self._named.load(path=str(file), base_iri=file.resolve().as_uri(),
                                 format=_OX_FORMATS[RdfFormat.from_path(file).extension])
                for name in set(self._named.named_graphs()) - before:
                    self.origins.setdefault(URIRef(name.value), file)
        return self._named

    @classmethod
    def wrap(cls, store: ox.Store) -> ValidationStore:
        """A store that already holds data and ontology merged in its default graph.

        Its named graphs, if any, tell which source states what (for the
        report), but slow every query down (see the class); literals it
        rewrote on loading are judged as it holds them.

        Raises:
            KGError: the default graph is empty (data only in named graphs).
        """
        if not any(True for _ in store.quads_for_pattern(None, None, None, _DEFAULT)):
            raise KGError(
                "the store's default graph is empty: the fast engine reads data and ontology "
                "merged in the default graph (a union of named graphs would count a statement "
                "made by two sources twice); add every statement to the default graph too")
        return cls(store)

    def add(self, triples: Iterable[tuple[Node, Node, Node]], *,
            source: URIRef | None = None) -> int:
        """Add rdflib triples to the default graph; return how many were given.

        ``source``: the source graph stating them (named in reports about their subjects).
        """
        lines: list[str] = []
        blank: list[ox.Quad] = []
        rewritable: list[tuple[OxTerm, OxTerm, Literal]] = []
        for s, p, o in triples:
            if source is not None:
                self._stated_in.setdefault(to_ox(s), set()).add(str(source))
            if type(o) is Literal:  # noqa: E721 - exact type: the common case, fast
                if o.language:
                    if o.language != o.language.lower():
                        rewritable.append((to_ox(s), to_ox(p), o))
                elif o.datatype in XSD_REWRITTEN:
                    rewritable.append((to_ox(s), to_ox(p), o))
                obj = _nt_literal(o)
            elif type(o) is URIRef:  # noqa: E721
                obj = f"<{o}>"
            else:
                obj = ""
            if obj and type(s) is URIRef and type(p) is URIRef:  # noqa: E721
                lines.append(f"<{s}> <{p}> {obj} .\n")
            else:  # blank nodes keep their labels this way (a parser would rename them)
                blank.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o), _DEFAULT))  # type: ignore[arg-type]
        held: set[tuple[Any, ...]] = set()
        for s_, p_, _ in rewritable:
            held.update((s_, p_, q.object) for q in _quads(self.store, s_, p_, None))
        if lines:
            self.store.load("".join(lines), ox.RdfFormat.N_TRIPLES, to_graph=_DEFAULT,
                            lenient=True)
        if blank:
            self.store.extend(blank)
        if rewritable:
            self.lexical.record(rewritable, held.__contains__)
        return len(lines) + len(blank)

    def __len__(self) -> int:
        return len(self.store)

    # ---- what the report says about a node

    def label(self, node: Node) -> str | None:
        """The node's Indonesian (else English, else any) skos:prefLabel, as :func:`kg.validate.label_of`."""
        labels: dict[str | None, str] = {}
        for quad in _quads(self.store, to_ox(node), ox.NamedNode(str(SKOS.prefLabel)), None):
            if isinstance(quad.object, ox.Literal):
                labels[quad.object.language] = quad.object.value
        for lang in ("id", "en", None):
            if lang in labels:
                return labels[lang]
        return next(iter(labels.values()), None)

    def sources(self, node: Node) -> tuple[str, ...]:
        """The source graphs stating something about ``node``, as :func:`kg.validate.sources_of`."""
        if self.provenance is not None:
            return sources_of(self.provenance, node)
        term: Any = to_ox(node)
        names = sorted(self._stated_in.get(term, ()))
        if not names and not self._source_files and not isinstance(term, ox.Literal):
            names = sorted({q.graph_name.value for q in self.named.quads_for_pattern(term, None, None)
                            if not isinstance(q.graph_name, ox.DefaultGraph)})
        if not names:  # stated by no source: the sources that point at it
            names = sorted({q.graph_name.value for q in self.named.quads_for_pattern(None, None, term)
                            if not isinstance(q.graph_name, ox.DefaultGraph)})
        shown = []
        for name in names:
            if name == ONTOLOGY_GRAPH:
                continue
            origin = self.origins.get(URIRef(name))
            shown.append(f"{name} ({relative(origin)})" if origin else name)
        return tuple(shown)


# --------------------------------------------------------------------------- pySHACL's rules, in Python

def _actual_datatype(value: Literal, datatype: URIRef) -> bool:
    """pySHACL's DatatypeConstraintComponent._assert_actual_datatype."""
    import datetime
    from decimal import Decimal

    v = value.value
    if datatype in (XSD.string, RDF.langString):
        return isinstance(v, (str, bytes))
    expected: dict[URIRef, type | tuple[type, ...]] = {
        XSD.integer: int, XSD.float: float, XSD.decimal: Decimal, XSD.boolean: bool,
        XSD.date: datetime.date, XSD.time: datetime.time, XSD.dateTime: datetime.datetime}
    if datatype in expected:
        return isinstance(v, expected[datatype])
    return True


def datatype_ok(value: Node, datatype: URIRef) -> bool:
    """Whether ``value`` matches ``sh:datatype datatype``, by pySHACL's rules."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
        return _actual_datatype(value, datatype)
    if datatype == RDFS.Literal:
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return _actual_datatype(value, datatype)
    if datatype == RDF.langString and value.language:
        return _actual_datatype(value, datatype)
    return False


def language_ok(value: Node, languages: frozenset[str]) -> bool:
    """``sh:languageIn``, by pySHACL's rules (the whole tag, or its first part)."""
    if not isinstance(value, Literal) or not value.language:
        return False
    tag = str(value.language)
    return "*" in languages or tag.lower() in languages or tag.split("-")[0].lower() in languages


def pattern_ok(value: Node, regex: re.Pattern[str]) -> bool:
    """``sh:pattern``, by pySHACL's rules (blank nodes never match)."""
    if isinstance(value, BNode):
        return False
    if isinstance(value, Literal) and value.value is not None and \
            value.datatype in (None, RDF.langString, XSD.string):
        text = str(value.value)
    else:
        text = str(value)
    return bool(regex.match(text) or regex.search(text))


NODE_KINDS = {
    SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})", SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}


def node_kind_ok(value: Node, kind: URIRef) -> bool:
    if isinstance(value, BNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral)
    if isinstance(value, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.BlankNodeOrIRI, SH.IRIOrLiteral)


def _string(text: str) -> str:
    """A SPARQL string literal."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


# --------------------------------------------------------------------------- compiled constraints

class Context:
    """What running the compiled constraints needs from the store: class hierarchies."""

    def __init__(self, store: ox.Store, *, joins: bool = True) -> None:
        self.store = store
        #: whole-graph runs test classes by joins (one hash table per class and query);
        #: runs on a few focus nodes test each value on its own (EXISTS)
        self.joins = joins
        self._classes: dict[tuple[OxTerm, URIRef], bool] = {}
        self._subclasses: dict[URIRef, frozenset[OxTerm]] = {}
        self._names = 0
        self._pending: dict[tuple[str, URIRef], tuple[str, str]] = {}

    def subclasses(self, cls: URIRef) -> frozenset[OxTerm]:
        """``cls`` and its subclasses (``rdfs:subClassOf*`` in data and ontology)."""
        if cls not in self._subclasses:
            found = {ox.NamedNode(str(cls))} | {r["c"] for r in _select(
                self.store, f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>+ <{cls}> }}")}
            self._subclasses[cls] = frozenset(found)
        return self._subclasses[cls]

    def instance_pattern(self, v: str, cls: URIRef) -> str:
        """A graph pattern: ``v`` is an instance of ``cls`` (or of a subclass).

        The hierarchy is looked up once: a property path ``rdf:type/rdfs:subClassOf*``
        would be walked from the class, over all its instances, for each value.
        """
        self._names += 1
        t = f"?_t{self._names}"
        classes = " ".join(sorted(_sparql(c) for c in self.subclasses(cls)))
        return f"VALUES {t} {{ {classes} }} {v} <{RDF.type}> {t} ."

    def instance_of(self, v: str, cls: URIRef) -> str:
        """A SPARQL expression: ``v`` is an instance of ``cls`` (or of a subclass).

        With joins, the expression reads a flag that a block from :meth:`blocks`
        binds; the query must put those blocks after the pattern binding ``v``.
        """
        if not self.joins:
            return f"EXISTS {{ {self.instance_pattern(v, cls)} }}"
        if (v, cls) not in self._pending:
            self._names += 1
            flag = f"?_c{self._names}"
            block = (f"OPTIONAL {{ SELECT DISTINCT {v} (true AS {flag}) WHERE "
                     f"{{ {self.instance_pattern(v, cls)} }} }}")
            self._pending[(v, cls)] = (flag, block)
        return f"BOUND({self._pending[(v, cls)][0]})"

    def blocks(self) -> str:
        """The blocks the expressions made since the last call need (see :meth:`instance_of`)."""
        found = " ".join(block for _, block in self._pending.values())
        self._pending = {}
        return found

    def has_class(self, node: Node, cls: URIRef) -> bool:
        if isinstance(node, Literal):
            return False
        key = (to_ox(node), cls)
        if key not in self._classes:
            classes = " ".join(sorted(_sparql(c) for c in self.subclasses(cls)))
            answer = _select(
                self.store,
                f"SELECT ?v WHERE {{ VALUES ?t {{ {classes} }} ?v <{RDF.type}> ?t }} LIMIT 1",
                substitutions={ox.Variable("v"): key[0]})
            self._classes[key] = any(True for _ in answer)
        return self._classes[key]


@dataclass(frozen=True)
class Constraint:
    """One value-level constraint: a test each value node passes or fails on its own."""

    component: URIRef
    sparql: Callable[[str, Context], str]   #: the SPARQL expression "``v`` passes" (v: a variable)
    python: Callable[[Node, Context], bool]  #: the same test in Python, by pySHACL's rules
    checks_literals: bool = True            #: whether the store's verdict on a literal needs a second look


@dataclass(frozen=True)
class NestedShape:
    """A shape used as a value test (``sh:or``, ``sh:node``, ``sh:qualifiedValueShape``...)."""

    node: Node
    constraints: tuple[Constraint, ...]

    def sparql(self, v: str, ctx: Context) -> str:
        if not self.constraints:
            return "true"
        return "(" + " && ".join(f"COALESCE({c.sparql(v, ctx)}, false)"
                                 for c in self.constraints) + ")"

    def python(self, value: Node, ctx: Context) -> bool:
        return all(c.python(value, ctx) for c in self.constraints)


@dataclass(frozen=True)
class Qualified:
    shape: NestedShape
    min_count: int | None
    max_count: int | None


@dataclass(frozen=True)
class Result:
    """One result before it is rendered (rdflib terms)."""

    severity: URIRef
    focus: Node
    path: Node | None
    value: Node | None
    messages: tuple[Literal, ...]
    shape: Node
    component: URIRef
    source_constraint: Node | None = None


@dataclass
class PropertyCheck:
    """A property shape (or a node shape's own constraints: ``path`` None) on the focus nodes of ``parent``."""

    parent: Node
    shape: Node
    path: Node | None
    path_sparql: str | None
    severity: URIRef
    messages: tuple[Literal, ...]
    values: tuple[Constraint, ...] = ()
    min_count: int | None = None
    max_count: int | None = None
    has_value: tuple[Node, ...] = ()
    unique_lang: bool = False
    qualified: tuple[Qualified, ...] = ()
    last_predicate: OxTerm | None = None   #: the path's last step, when it is a predicate
    prefix_sparql: str | None = None       #: the path before that step (sequence paths)

    @property
    def counts(self) -> bool:
        return (self.min_count is not None or self.max_count is not None or bool(self.has_value)
                or bool(self.qualified))

    def result(self, focus: Node, component: URIRef, value: Node | None = None) -> Result:
        return Result(self.severity, focus, self.path, value, self.messages, self.shape, component)


@dataclass
class SparqlCheck:
    """A SPARQL-based constraint (``sh:sparql`` / ``sh:select``) on the focus nodes of ``parent``."""

    parent: Node
    shape: Node
    constraint: Node
    path: Node | None
    query: str
    severity: URIRef
    shape_messages: tuple[Literal, ...]
    messages: tuple[Literal, ...]
    prebound: bool        #: run once per focus node with $this bound (else once, $this free)


@dataclass
class TargetedShape:
    node: Node
    classes: tuple[URIRef, ...] = ()
    subjects_of: tuple[URIRef, ...] = ()
    objects_of: tuple[URIRef, ...] = ()
    nodes: tuple[Node, ...] = ()
    checks: list[PropertyCheck] = field(default_factory=list)
    sparql: list[SparqlCheck] = field(default_factory=list)
    compiled: bool = False  #: whether ``checks`` and ``sparql`` are filled in

    def has_targets(self) -> bool:
        return bool(self.classes or self.subjects_of or self.objects_of or self.nodes)

    def target_patterns(self, ctx: Context) -> list[str]:
        """One SPARQL group per kind of target, binding ``?this``."""
        patterns = [f"{{ {ctx.instance_pattern('?this', c)} }}" for c in self.classes]
        patterns += [f"{{ ?this <{p}> ?_o }}" for p in self.subjects_of]
        patterns += [f"{{ ?_s <{p}> ?this }}" for p in self.objects_of]
        if self.nodes:
            patterns.append("{ VALUES ?this { " + " ".join(_sparql(to_ox(n)) for n in self.nodes)
                            + " } }")
        return patterns

    def targets(self, ctx: Context) -> str:
        """A pattern binding ``?this`` to each focus node once."""
        if len(self.classes) == 1 and not (self.subjects_of or self.objects_of or self.nodes) \
                and len(ctx.subclasses(self.classes[0])) == 1:
            # one class, no subclass: one rdf:type triple per focus node, no DISTINCT needed
            return f"?this <{RDF.type}> <{self.classes[0]}> ."
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(self.target_patterns(ctx)) + " } }"

    def is_target(self, node: OxTerm, ctx: Context) -> bool:
        """Whether ``node`` is a focus node (by index lookups: no query)."""
        store = ctx.store
        if self.classes and not isinstance(node, ox.Literal):
            types = {q.object for q in store.quads_for_pattern(node, _RDF_TYPE, None, _DEFAULT)}
            if any(types & ctx.subclasses(c) for c in self.classes):
                return True
        if not isinstance(node, ox.Literal):
            for p in self.subjects_of:
                if any(True for _ in store.quads_for_pattern(node, ox.NamedNode(str(p)), None,
                                                             _DEFAULT)):
                    return True
        for p in self.objects_of:
            if any(True for _ in store.quads_for_pattern(None, ox.NamedNode(str(p)), node,
                                                         _DEFAULT)):
                return True
        return any(to_ox(n) == node for n in self.nodes)


# --------------------------------------------------------------------------- the compiler

class ShapesCompiler:
    """Reads a shapes graph into :class:`TargetedShape` objects, or refuses it."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self.nested: dict[Node, NestedShape] = {}
        self._nesting: set[Node] = set()

    def name(self, node: Node) -> str:
        try:
            return self.g.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) \
                else f"_:{node}"
        except Exception:
            return f"<{node}>"

    def describe(self, shape: Node) -> str:
        """A shape's IRI; for a blank node, what holds it and its path."""
        if not isinstance(shape, BNode):
            return self.name(shape)
        path = self.g.value(shape, SH.path)
        holder = next((s for p in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"])
                       for s in self.g.subjects(p, shape)), None)
        said = "a blank-node shape"
        if path is not None and isinstance(path, URIRef):
            said += f" on {self.name(path)}"
        if holder is not None:
            said += f" of {self.describe(holder)}"
        return said

    def refuse(self, shape: Node, what: str) -> KGError:
        return KGError(f"shape {self.describe(shape)}: {what} is not supported by the fast "
                       "validation engine; validate with --engine pyshacl, or extend "
                       "src/kg/fastshacl.py")

    def one(self, shape: Node, prop: URIRef) -> Node | None:
        values = list(self.g.objects(shape, prop))
        if len(values) > 1:
            raise self.refuse(shape, f"more than one {self.name(prop)}")
        return values[0] if values else None

    def items(self, shape: Node, head: Node) -> list[Node]:
        try:
            return list(Collection(self.g, head))
        except Exception as exc:
            raise KGError(f"shape {self.name(shape)}: {head} is not an RDF list: {exc}") from exc

    def integer(self, shape: Node, prop: URIRef) -> int | None:
        value = self.one(shape, prop)
        if value is None:
            return None
        if not isinstance(value, Literal) or not isinstance(value.value, int):
            raise KGError(f"shape {self.name(shape)}: {self.name(prop)} must be an integer")
        return int(value.value)

    def shape_nodes(self) -> set[Node]:
        """Every node the shapes graph uses as a shape."""
        found: set[Node] = set()
        for kind in SHAPE_TYPES:
            found.update(self.g.subjects(RDF.type, kind))
        for prop in (*TARGETS, SH.path, SH.property, SH.sparql):
            found.update(self.g.subjects(prop, None))
        for prop in SHAPE_REFERENCES:
            found.update(self.g.objects(None, prop))
        for prop in SHAPE_LISTS:
            for _, head in self.g.subject_objects(prop):
                found.update(Collection(self.g, head))
        return found

    def check_parameters(self, shapes: set[Node]) -> None:
        for shape in shapes:
            for prop in set(self.g.predicates(shape, None)):
                if str(prop).startswith(str(SH)) and prop not in SHAPE_PARAMETERS \
                        and prop not in ANNOTATIONS:
                    raise self.refuse(shape, self.name(prop))
            if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
                raise self.refuse(shape, "an implicit class target (a shape that is a class)")
            if self.one(shape, SH.qualifiedValueShapesDisjoint) is not None:
                raise self.refuse(shape, "sh:qualifiedValueShapesDisjoint")

    def compile(self, *, lazy: bool = False) -> list[TargetedShape]:
        """The shapes with targets; their constraints compiled now, or with ``lazy`` by
        :meth:`compile_top` when a validation first needs them."""
        shapes = self.shape_nodes()
        self.check_parameters(shapes)
        targeted = []
        for shape in sorted(shapes, key=str):
            if self.deactivated(shape):
                continue
            top = TargetedShape(
                shape,
                classes=tuple(sorted(self.g.objects(shape, SH.targetClass), key=str)),  # type: ignore[arg-type]
                subjects_of=tuple(sorted(self.g.objects(shape, SH.targetSubjectsOf), key=str)),  # type: ignore[arg-type]
                objects_of=tuple(sorted(self.g.objects(shape, SH.targetObjectsOf), key=str)),  # type: ignore[arg-type]
                nodes=tuple(sorted(self.g.objects(shape, SH.targetNode), key=str)))
            if not top.has_targets():
                continue
            if not lazy:
                self.compile_top(top)
            targeted.append(top)
        return targeted

    def deactivated(self, shape: Node) -> bool:
        flag = self.one(shape, SH.deactivated)
        return isinstance(flag, Literal) and flag.value is True

    def severity(self, shape: Node) -> URIRef:
        severity = self.one(shape, SH.severity)
        if severity is None:
            return SH.Violation
        if severity not in SEVERITIES:
            raise self.refuse(shape, f"the severity {severity}")
        return severity  # type: ignore[return-value]

    def messages(self, shape: Node) -> tuple[Literal, ...]:
        return tuple(sorted((m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal)),
                            key=str))

    def compile_top(self, top: TargetedShape) -> None:
        if top.compiled:
            return
        top.compiled = True
        shape = top.node
        path = self.one(shape, SH.path)
        own = self.check(top.node, shape, path)
        if own is not None:
            top.checks.append(own)
        for prop in sorted(self.g.objects(shape, SH.property), key=str):
            if self.deactivated(prop):
                continue
            prop_path = self.one(prop, SH.path)
            if prop_path is None:
                raise KGError(f"shape {self.name(prop)} is a value of sh:property but has no sh:path")
            for nested in (SH.property, SH.sparql):
                if self.one(prop, nested) is not None and nested == SH.property:
                    raise self.refuse(prop, "sh:property inside a property shape")
            check = self.check(shape, prop, prop_path)
            if check is not None:
                top.checks.append(check)
            for constraint in sorted(self.g.objects(prop, SH.sparql), key=str):
                sparql = self.sparql(shape, prop, constraint, prop_path)
                if sparql is not None:
                    top.sparql.append(sparql)
        for constraint in sorted(self.g.objects(shape, SH.sparql), key=str):
            sparql = self.sparql(shape, shape, constraint, path)
            if sparql is not None:
                top.sparql.append(sparql)

    def check(self, parent: Node, shape: Node, path: Node | None) -> PropertyCheck | None:
        values = self.value_constraints(shape)
        counts = {p: self.integer(shape, p) for p in (SH.minCount, SH.maxCount)}
        has_value = tuple(self.g.objects(shape, SH.hasValue))
        unique = self.one(shape, SH.uniqueLang)
        unique_lang = isinstance(unique, Literal) and unique.value is True
        qualified: list[Qualified] = []
        q_shape = self.one(shape, SH.qualifiedValueShape)
        if q_shape is not None:
            qualified.append(Qualified(self.nested_shape(q_shape),
                                       self.integer(shape, SH.qualifiedMinCount),
                                       self.integer(shape, SH.qualifiedMaxCount)))
        if path is None and (any(v is not None for v in counts.values()) or unique_lang
                             or qualified):
            raise self.refuse(shape, "a cardinality constraint on a node shape")
        if path is None and has_value:
            values = values + (self.has_value_constraint(has_value),)
            has_value = ()
        if not values and not has_value and not unique_lang and not qualified and \
                all(v is None for v in counts.values()):
            return None
        messages = self.messages(shape)
        if not messages:
            raise self.refuse(shape, "a constraint without sh:message (pySHACL would word "
                                     "the message itself)")
        check = PropertyCheck(parent, shape, path, self.path(shape, path) if path is not None
                              else None, self.severity(shape), messages, values,
                              counts[SH.minCount], counts[SH.maxCount], has_value, unique_lang,
                              tuple(qualified))
        if isinstance(path, URIRef):
            check.last_predicate = ox.NamedNode(str(path))
        elif path is not None:
            steps = self.items(shape, path) if (path, RDF.first, None) in self.g else []
            if steps and isinstance(steps[-1], URIRef):
                check.last_predicate = ox.NamedNode(str(steps[-1]))
                head = steps[:-1]
                check.prefix_sparql = "/".join(self.path(shape, s) for s in head)
        return check

    def has_value_constraint(self, values: tuple[Node, ...]) -> Constraint:
        terms = [to_ox(v) for v in values]

        def sparql(v: str, ctx: Context) -> str:
            return "(" + " && ".join(f"sameTerm({v}, {_sparql(t)})" for t in terms) + ")"
        return Constraint(SH.HasValueConstraintComponent, sparql,
                          lambda value, ctx: all(value == hv for hv in values))

    def path(self, shape: Node, path: Node) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(path, URIRef):
            return f"<{path}>"
        if isinstance(path, Literal):
            raise KGError(f"shape {self.name(shape)}: a path cannot be a literal")
        if (path, RDF.first, None) in self.g:
            steps = self.items(shape, path)
            if len(steps) < 2:
                raise KGError(f"shape {self.name(shape)}: a sequence path needs two steps or more")
            return "(" + "/".join(self.path(shape, s) for s in steps) + ")"
        for prop, template in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                               (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
            inner = self.one(path, prop)
            if inner is not None:
                return template.format(self.path(shape, inner))
        alternatives = self.one(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(shape, s) for s in self.items(shape, alternatives)) + ")"
        raise self.refuse(shape, "this kind of property path")

    def nested_shape(self, node: Node) -> NestedShape:
        if node in self.nested:
            return self.nested[node]
        if node in self._nesting:
            raise self.refuse(node, "a recursive shape")
        if self.one(node, SH.property) is not None or self.one(node, SH.sparql) is not None \
                or self.one(node, SH.path) is not None:
            raise self.refuse(node, "a shape with sh:property, sh:sparql or sh:path used as a "
                                    "value test (sh:node, sh:or, sh:qualifiedValueShape ...)")
        for prop in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape):
            if self.one(node, prop) is not None:
                raise self.refuse(node, f"{self.name(prop)} in a shape used as a value test")
        self._nesting.add(node)
        try:
            if self.deactivated(node):
                constraints: tuple[Constraint, ...] = ()
            else:
                constraints = self.value_constraints(node)
                has_value = tuple(self.g.objects(node, SH.hasValue))
                if has_value:
                    constraints += (self.has_value_constraint(has_value),)
        finally:
            self._nesting.discard(node)
        nested = self.nested[node] = NestedShape(node, constraints)
        return nested

    def value_constraints(self, shape: Node) -> tuple[Constraint, ...]:
        """The constraints of ``shape`` that test each value node on its own."""
        found: list[Constraint] = []
        for cls in sorted(self.g.objects(shape, SH["class"]), key=str):
            found.append(self.class_constraint(cls))  # type: ignore[arg-type]
        datatype = self.one(shape, SH.datatype)
        if datatype is not None:
            found.append(self.datatype_constraint(shape, datatype))  # type: ignore[arg-type]
        kind = self.one(shape, SH.nodeKind)
        if kind is not None:
            if kind not in NODE_KINDS:
                raise self.refuse(shape, f"sh:nodeKind {kind}")
            template = NODE_KINDS[URIRef(str(kind))]
            found.append(Constraint(SH.NodeKindConstraintComponent,
                                    lambda v, ctx, template=template: template.format(v=v),  # type: ignore[misc]
                                    lambda value, ctx, kind=kind: node_kind_ok(value, kind),  # type: ignore[misc]
                                    checks_literals=False))
        members = self.one(shape, SH["in"])
        if members is not None:
            found.append(self.in_constraint(shape, members))
        languages = self.one(shape, SH.languageIn)
        if languages is not None:
            found.append(self.language_constraint(shape, languages))
        for pattern in sorted(self.g.objects(shape, SH.pattern), key=str):
            found.append(self.pattern_constraint(shape, pattern))
        node = self.one(shape, SH.node)
        if node is not None:
            nested = self.nested_shape(node)
            found.append(Constraint(SH.NodeConstraintComponent, nested.sparql, nested.python))
        for prop, component in ((SH["or"], SH.OrConstraintComponent),
                                (SH["and"], SH.AndConstraintComponent),
                                (SH.xone, SH.XoneConstraintComponent)):
            head = self.one(shape, prop)
            if head is not None:
                found.append(self.logical(shape, prop, component,
                                          [self.nested_shape(m) for m in self.items(shape, head)]))
        negated = self.one(shape, SH["not"])
        if negated is not None:
            inner = self.nested_shape(negated)
            found.append(Constraint(SH.NotConstraintComponent,
                                    lambda v, ctx, inner=inner: f"!{inner.sparql(v, ctx)}",  # type: ignore[misc]
                                    lambda value, ctx, inner=inner: not inner.python(value, ctx)))  # type: ignore[misc]
        return tuple(found)

    def class_constraint(self, cls: URIRef) -> Constraint:
        return Constraint(
            SH.ClassConstraintComponent,
            lambda v, ctx: ctx.instance_of(v, cls),
            lambda value, ctx: ctx.has_class(value, cls), checks_literals=False)

    def datatype_constraint(self, shape: Node, datatype: URIRef) -> Constraint:
        if not isinstance(datatype, URIRef) or datatype == RDFS.Datatype:
            raise self.refuse(shape, f"sh:datatype {datatype}")
        if datatype == RDF.langString:
            def sparql(v: str, ctx: Context) -> str:
                return f'(isLiteral({v}) && lang({v}) != "")'
        elif datatype == XSD.string:
            def sparql(v: str, ctx: Context) -> str:
                return f'(isLiteral({v}) && lang({v}) = "" && datatype({v}) = <{XSD.string}>)'
        elif datatype == RDFS.Literal:
            def sparql(v: str, ctx: Context) -> str:
                return f"isLiteral({v})"
        elif datatype in XSD_CASTABLE:
            def sparql(v: str, ctx: Context) -> str:
                return (f"(isLiteral({v}) && datatype({v}) = <{datatype}> "
                        f"&& isLiteral(<{datatype}>({v})))")
        else:
            def sparql(v: str, ctx: Context) -> str:
                return f"(isLiteral({v}) && datatype({v}) = <{datatype}>)"
        return Constraint(SH.DatatypeConstraintComponent, sparql,
                          lambda value, ctx: datatype_ok(value, datatype))

    def in_constraint(self, shape: Node, head: Node) -> Constraint:
        members = self.items(shape, head)
        if any(isinstance(m, BNode) for m in members):
            raise self.refuse(shape, "a blank node in sh:in")
        terms = [to_ox(m) for m in members]

        def sparql(v: str, ctx: Context) -> str:
            if not terms:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {_sparql(t)})" for t in terms) + ")"
        return Constraint(SH.InConstraintComponent, sparql,
                          lambda value, ctx: value in members)

    def language_constraint(self, shape: Node, head: Node) -> Constraint:
        tags = self.items(shape, head)
        if not all(isinstance(t, Literal) and isinstance(t.value, str) for t in tags):
            raise KGError(f"shape {self.name(shape)}: sh:languageIn takes a list of strings")
        languages = frozenset(str(t).lower() for t in tags)

        def sparql(v: str, ctx: Context) -> str:
            if "*" in languages:
                return f'(isLiteral({v}) && lang({v}) != "")'
            listed = ", ".join(_string(t) for t in sorted(languages))
            return (f'(isLiteral({v}) && lang({v}) != "" && (LCASE(lang({v})) IN ({listed}) || '
                    f'LCASE(STRBEFORE(CONCAT(lang({v}), "-"), "-")) IN ({listed})))')
        return Constraint(SH.LanguageInConstraintComponent, sparql,
                          lambda value, ctx: language_ok(value, languages))

    def pattern_constraint(self, shape: Node, pattern: Node) -> Constraint:
        flags_node = self.one(shape, SH.flags)
        flags = str(flags_node).lower() if flags_node is not None else ""
        re_flags = (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
        try:
            regex = re.compile(str(pattern), re_flags)
        except re.error as exc:
            raise KGError(f"shape {self.name(shape)}: sh:pattern {pattern!s} is not a "
                          f"regular expression: {exc}") from exc
        sparql_flags = "".join(f for f in "im" if f in flags)

        def sparql(v: str, ctx: Context) -> str:
            return (f"(!isBlank({v}) && REGEX(STR({v}), {_string(str(pattern))}, "
                    f"{_string(sparql_flags)}))")
        return Constraint(SH.PatternConstraintComponent, sparql,
                          lambda value, ctx: pattern_ok(value, regex))

    def logical(self, shape: Node, prop: URIRef, component: URIRef,
                members: list[NestedShape]) -> Constraint:
        if not members:
            raise KGError(f"shape {self.name(shape)}: {self.name(prop)} has an empty list")
        if prop == SH["or"]:
            def sparql(v: str, ctx: Context) -> str:
                return "(" + " || ".join(m.sparql(v, ctx) for m in members) + ")"

            def python(value: Node, ctx: Context) -> bool:
                return any(m.python(value, ctx) for m in members)
        elif prop == SH["and"]:
            def sparql(v: str, ctx: Context) -> str:
                return "(" + " && ".join(m.sparql(v, ctx) for m in members) + ")"

            def python(value: Node, ctx: Context) -> bool:
                return all(m.python(value, ctx) for m in members)
        else:
            def sparql(v: str, ctx: Context) -> str:
                return "((" + " + ".join(f"IF({m.sparql(v, ctx)}, 1, 0)" for m in members) + ") = 1)"

            def python(value: Node, ctx: Context) -> bool:
                return sum(1 for m in members if m.python(value, ctx)) == 1
        return Constraint(component, sparql, python)

    # ---- SPARQL-based constraints

    def prefixes(self, constraint: Node) -> dict[str, str]:
        """pySHACL's prefixes for a SPARQL constraint: rdf, rdfs, owl and the declared ones."""
        found = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
        ontologies = set(self.g.subjects(RDF.type, OWL.Ontology))
        every = {d for o in ontologies for d in self.g.objects(o, SH.declare)}
        for holder in self.g.objects(constraint, SH.prefixes):
            declares = set(self.g.objects(holder, SH.declare))
            if not (declares and holder in ontologies):
                declares |= every
            for declare in declares:
                prefix = self.one(declare, SH.prefix)
                namespace = self.one(declare, SH.namespace)
                if prefix is None or namespace is None:
                    raise KGError(f"{self.name(declare)}: a prefix declaration needs one "
                                  "sh:prefix and one sh:namespace")
                found[str(prefix)] = str(namespace)
        return found

    def sparql(self, parent: Node, shape: Node, constraint: Node,
               path: Node | None) -> SparqlCheck | None:
        for prop in set(self.g.predicates(constraint, None)):
            if str(prop).startswith(str(SH)) and prop not in SPARQL_PARAMETERS:
                raise self.refuse(shape, f"{self.name(prop)} on the SPARQL constraint "
                                         f"{self.name(constraint)}")
        if self.deactivated(constraint):
            return None
        select = self.one(constraint, SH.select)
        if select is None:
            raise self.refuse(shape, f"the SPARQL constraint {self.name(constraint)} without "
                                     "sh:select (SPARQL-based constraint components, ASK "
                                     "validators)")
        text = str(select)
        code = _without_comments_and_strings(text)
        for keyword in ("MINUS", "VALUES", "SERVICE"):
            if re.search(rf"\b{keyword}\b", code, re.I):
                raise KGError(f"shape {self.name(shape)}: the SPARQL constraint "
                              f"{self.name(constraint)} must not use {keyword}")
        if re.search(r"[\$\?]shapesGraph\b", code):
            raise self.refuse(shape, "$shapesGraph in a SPARQL constraint")
        if re.search(r"[\$\?]failure\b", code):
            raise self.refuse(shape, "?failure in a SPARQL constraint")
        if re.search(r"AS\s+[\$\?](this|shapesGraph|currentShape)\b", code, re.I):
            raise KGError(f"shape {self.name(shape)}: the SPARQL constraint "
                          f"{self.name(constraint)} rebinds a pre-bound variable with AS")
        projection = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", code, re.I | re.S)
        if projection is None or not re.search(r"[?$]this\b|\*", projection.group(1)):
            raise self.refuse(shape, f"the SPARQL constraint {self.name(constraint)} does not "
                                     "SELECT $this (pySHACL binds it all the same)")
        if path is not None:
            text = re.sub(r"([\s{}()])[\$\?]PATH\b",
                          lambda m: m.group(1) + self.path(shape, path), text)
        elif re.search(r"[\$\?]PATH\b", code):
            raise KGError(f"shape {self.name(shape)}: $PATH in a SPARQL constraint of a "
                          "shape without sh:path")
        text = re.sub(r"([\s{}()])[\$\?]currentShape\b",
                      lambda m: m.group(1) + f"<{shape}>", text) if isinstance(shape, URIRef) \
            else text
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in
                           self.prefixes(constraint).items())
        query = prologue + text
        try:
            _PARSER.query(query)  # pyoxigraph reads SPARQL more strictly than rdflib
        except SyntaxError as exc:
            raise self.refuse(shape, f"the SPARQL constraint {self.name(constraint)}, which "
                                     f"pyoxigraph cannot parse ({' '.join(str(exc).split())[:200]}),")
        try:
            prebound = _needs_prebinding(query)
        except Exception as exc:
            raise KGError(f"shape {self.name(shape)}: the SPARQL constraint "
                          f"{self.name(constraint)} does not parse: {exc}") from exc
        messages = self.messages(constraint)
        shape_messages = self.messages(shape)
        if not messages and not shape_messages:
            raise self.refuse(shape, f"the SPARQL constraint {self.name(constraint)} without "
                                     "sh:message")
        return SparqlCheck(parent, shape, constraint, path, query, self.severity(shape),
                           shape_messages, messages, prebound)


def _without_comments_and_strings(text: str) -> str:
    """SPARQL text with its string literals and comments blanked (for keyword checks)."""
    text = re.sub(r'"""(.|\n)*?"""|\'\'\'(.|\n)*?\'\'\'|"([^"\\\n]|\\.)*"|\'([^\'\\\n]|\\.)*\'',
                  '""', text)
    return re.sub(r"#[^\n]*", "", text)


_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.I)
_SELECT = re.compile(r"\bSELECT\b(.*?)(?=\bWHERE\b|\{)", re.I | re.S)
_GROUP_BY = re.compile(r"\bGROUP\s+BY\b(.*?)(?=\bHAVING\b|\bORDER\b|\bLIMIT\b|\bOFFSET\b|\}|$)",
                       re.I | re.S)


def _needs_prebinding(query: str) -> bool:
    """Whether the query means something else with ``$this`` free than with it bound first.

    Grouping and slicing do: an aggregate over all focus nodes is not the
    aggregate over one, unless grouped by ``$this``; LIMIT and OFFSET keep the
    rows of some focus nodes only. Judged from the text, conservatively: every
    SELECT that aggregates needs a GROUP BY naming ``$this``.
    """
    code = _without_comments_and_strings(query)
    if re.search(r"\b(LIMIT|OFFSET)\b", code, re.I):
        return True
    if not _AGGREGATE.search(code):
        return False
    aggregating = sum(1 for m in _SELECT.finditer(code) if _AGGREGATE.search(m.group(1)))
    by_this = sum(1 for m in _GROUP_BY.finditer(code) if re.search(r"[?$]this\b", m.group(1)))
    grouped = len(_GROUP_BY.findall(code))
    return aggregating == 0 or by_this != grouped or by_this < aggregating


# --------------------------------------------------------------------------- the validator

_compiled: weakref.WeakKeyDictionary[Graph, tuple[int, list[TargetedShape]]] = \
    weakref.WeakKeyDictionary()


def compile_shapes(shapes: Graph) -> list[TargetedShape]:
    """The shapes graph compiled (once per graph and size).

    Raises:
        KGError: a shape uses a feature the engine does not implement.
    """
    cached = _compiled.get(shapes)
    if cached is not None and cached[0] == len(shapes):
        return cached[1]
    compiled = ShapesCompiler(shapes).compile()
    _compiled[shapes] = (len(shapes), compiled)
    return compiled


class FastValidator:
    """The shapes, compiled once; :meth:`validate` runs them on a :class:`ValidationStore`.

    Raises (on construction):
        KGError: a shape uses a feature the engine does not implement.
    """

    def __init__(self, shapes: Graph, *, lazy: bool = False) -> None:
        """``lazy``: compile each shape when a validation first needs it (validating a few
        focus nodes needs a few shapes; compiling them all takes a quarter of a second).
        A shape the engine cannot run is then refused only when it is needed."""
        self.shapes = shapes
        self.compiler: ShapesCompiler | None = None
        if lazy:
            self.compiler = ShapesCompiler(shapes)
            self.targeted = self.compiler.compile(lazy=True)
        else:
            self.targeted = compile_shapes(shapes)

    def ready(self, top: TargetedShape) -> TargetedShape:
        """``top`` with its constraints compiled."""
        if not top.compiled and self.compiler is not None:
            self.compiler.compile_top(top)
        return top

    def validate(self, data: ValidationStore, *, strict: bool = False,
                 focus: Iterable[Node] | None = None) -> ValidationReport:
        """Validate the store; with ``focus``, only those nodes (as focus nodes).

        Raises:
            KGError: a query fails (a broken SPARQL constraint).
        """
        run = _Run(self, data, None if focus is None else list(dict.fromkeys(focus)))
        results = run.results()
        return _report(self.shapes, data, results, strict)


class _Run:
    """One validation of one store."""

    def __init__(self, validator: FastValidator, data: ValidationStore,
                 focus: list[Node] | None) -> None:
        self.validator = validator
        self.data = data
        self.store = data.store
        self.ctx = Context(data.store, joins=focus is None)
        self.focus = None if focus is None else [to_ox(f) for f in focus]
        self.found: list[Result] = []
        self._targets: dict[int, dict[OxTerm, bool]] = {}

    def query(self, text: str, **options: Any) -> Any:
        try:
            return self.store.query(text, **options)
        except (SyntaxError, OSError, ValueError) as exc:
            raise KGError(f"the fast validation engine could not run a query: {exc}\n{text}") \
                from exc

    # ---- focus nodes

    def clauses(self, top: TargetedShape) -> list[tuple[str, dict[ox.Variable, OxTerm] | None]]:
        """How a query reaches the focus nodes of ``top``: (pattern, substitutions) pairs.

        The whole graph: one subquery over the targets. Given focus nodes:
        those that are targets, as VALUES (blank nodes, which VALUES cannot
        name, one query each with ``?this`` substituted).
        """
        if self.focus is None:
            return [(top.targets(self.ctx), None)]
        targets = self.targets_among(top, self.focus)
        named = [f for f in self.focus if f in targets and not isinstance(f, ox.BlankNode)]
        clauses: list[tuple[str, dict[ox.Variable, OxTerm] | None]] = []
        if named:
            clauses.append(("VALUES ?this { " + " ".join(_sparql(f) for f in named) + " }", None))
        clauses += [("", {_THIS: f}) for f in self.focus
                    if f in targets and isinstance(f, ox.BlankNode)]
        return clauses

    def rows(self, top: TargetedShape, text: Callable[[str], str]) -> Iterator[Any]:
        for clause, substitutions in self.clauses(top):
            options = {"substitutions": substitutions} if substitutions else {}
            yield from self.query(text(clause), **options)

    def targets_among(self, top: TargetedShape, nodes: Iterable[OxTerm]) -> set[OxTerm]:
        """The nodes that are focus nodes of ``top``."""
        key = id(top)
        known = self._targets.setdefault(key, {})
        found = set()
        for node in nodes:
            if node not in known:
                known[node] = top.is_target(node, self.ctx)
            if known[node]:
                found.add(node)
        return found

    # ---- everything

    def results(self) -> list[Result]:
        for top in self.validator.targeted:
            if self.focus is not None and not self.targets_among(top, self.focus):
                continue
            self.validator.ready(top)
            for check in top.checks:
                self.property_check(top, check)
            for sparql in top.sparql:
                self.sparql_check(top, sparql)
        return self.found

    # ---- property shapes

    def rewritten_focus(self, top: TargetedShape, check: PropertyCheck) -> set[OxTerm]:
        """Focus nodes whose values include literals the store rewrote: judged in Python."""
        lexical = self.data.lexical
        if check.path is None or check.last_predicate not in lexical.predicates:
            return set()
        holders = [s for (s, p, _) in lexical.originals if p == check.last_predicate]
        if not check.prefix_sparql:
            candidates = set(holders)
        else:
            candidates = set()
            for holder in dict.fromkeys(holders):
                candidates.update(r["this"] for r in self.query(
                    f"SELECT DISTINCT ?this ?x WHERE {{ ?this {check.prefix_sparql} ?x }}",
                    substitutions={ox.Variable("x"): holder}))
        if self.focus is not None:
            candidates &= set(self.focus)
        return self.targets_among(top, candidates) if candidates else set()

    def property_check(self, top: TargetedShape, check: PropertyCheck) -> None:
        in_python = self.rewritten_focus(top, check)
        if check.values:
            self.value_check(top, check, in_python)
        if check.counts:
            self.count_check(top, check, in_python)
        if check.unique_lang:
            self.unique_lang_check(top, check, in_python)
        for node in in_python:
            self.found.extend(self.evaluate(check, node))

    def value_check(self, top: TargetedShape, check: PropertyCheck, skip: set[OxTerm]) -> None:
        # a node shape's own constraints test the focus node itself (no BIND(?this AS ?v):
        # a substituted ?this is not seen by an expression with no pattern to join)
        v = "?v" if check.path_sparql else "?this"
        flags = [f"?f{i}" for i in range(len(check.values))]
        binds = " ".join(f"BIND(!COALESCE({c.sparql(v, self.ctx)}, false) AS {f})"
                         for c, f in zip(check.values, flags))
        reach = f"?this {check.path_sparql} ?v ." if check.path_sparql else ""
        reach += " " + self.ctx.blocks()
        selected = "?this ?v" if check.path_sparql else "?this"

        def text(focus: str) -> str:
            return (f"SELECT DISTINCT {selected} {' '.join(flags)} WHERE {{ {focus} "
                    f"{reach} {binds} FILTER({' || '.join(flags)}) }}")

        for row in self.rows(top, text):
            node = row["this"]
            if node in skip:
                continue
            value = from_ox(row[v[1:]])
            for constraint, flag in zip(check.values, flags):
                if row[flag[1:]].value != "true":
                    continue
                if isinstance(value, Literal) and constraint.checks_literals and \
                        constraint.python(value, self.ctx):
                    continue  # the store's verdict; pySHACL's rules say it passes
                self.found.append(check.result(from_ox(node), constraint.component, value))

    def count_check(self, top: TargetedShape, check: PropertyCheck, skip: set[OxTerm]) -> None:
        for row in self.rows(top, self.count_query(check)):
            node = row["this"]
            if node in skip:
                continue
            # the counts, again from the values themselves, by pySHACL's rules
            self.found.extend(self.evaluate(check, node, parts=("counts",)))

    def count_query(self, check: PropertyCheck) -> Callable[[str], str]:
        """One query for every count of a check: value counts, qualified counts, sh:hasValue."""
        binds, having = [], []
        if check.min_count is not None:
            having.append(f"COUNT(DISTINCT ?v) < {check.min_count}")
        if check.max_count is not None:
            having.append(f"COUNT(DISTINCT ?v) > {check.max_count}")
        for i, q in enumerate(check.qualified):
            test = q.shape.sparql('?v', self.ctx)
            binds.append(f"{self.ctx.blocks()} BIND(IF({test}, ?v, ?_none) AS ?q{i})")
            if q.min_count is not None:
                having.append(f"COUNT(DISTINCT ?q{i}) < {q.min_count}")
            if q.max_count is not None:
                having.append(f"COUNT(DISTINCT ?q{i}) > {q.max_count}")
        for hv in check.has_value:
            having.append(f"MAX(COALESCE(IF(sameTerm(?v, {_sparql(to_ox(hv))}), 1, 0), 0)) = 0")

        def text(focus: str) -> str:
            return (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this "
                    f"{check.path_sparql} ?v . {' '.join(binds)} }} }} GROUP BY ?this "
                    f"HAVING ({' || '.join(having)})")
        return text

    def unique_lang_check(self, top: TargetedShape, check: PropertyCheck,
                          skip: set[OxTerm]) -> None:
        def text(focus: str) -> str:
            return (f"SELECT ?this ?lang WHERE {{ {focus} ?this {check.path_sparql}"
                    f' ?v . FILTER(isLiteral(?v) && lang(?v) != "") BIND(LCASE(lang(?v)) AS '
                    f"?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?v) > 1)")

        for row in self.rows(top, text):
            if row["this"] not in skip:
                self.found.append(check.result(from_ox(row["this"]),
                                               SH.UniqueLangConstraintComponent))

    def values_of(self, check: PropertyCheck, node: OxTerm) -> list[Node]:
        """The value nodes of ``node`` for the check's path, as the data states them."""
        if check.path_sparql is None:
            return [from_ox(node)]
        originals = self.data.lexical.originals
        if check.last_predicate is not None and check.prefix_sparql:
            holders = [r["x"] for r in self.query(
                f"SELECT DISTINCT ?this ?x WHERE {{ ?this {check.prefix_sparql} ?x }}",
                substitutions={_THIS: node})]
        elif check.last_predicate is not None:
            holders = [node]
        else:
            return [from_ox(r["v"]) for r in self.query(
                f"SELECT DISTINCT ?this ?v WHERE {{ ?this {check.path_sparql} ?v }}",
                substitutions={_THIS: node})]
        values: dict[Node, None] = {}
        for holder in holders:
            if isinstance(holder, ox.Literal):
                continue
            for quad in self.store.quads_for_pattern(holder, check.last_predicate, None,  # type: ignore[arg-type]
                                                     _DEFAULT):
                stated = originals.get((holder, check.last_predicate, quad.object))  # type: ignore[arg-type]
                for value in (stated if stated is not None else (from_ox(quad.object),)):
                    values[value] = None
        return list(values)

    def evaluate(self, check: PropertyCheck, node: OxTerm,
                 parts: tuple[str, ...] = ("values", "counts", "lang")) -> list[Result]:
        """The check on one focus node, in Python, by pySHACL's rules."""
        focus = from_ox(node)
        values = self.values_of(check, node)
        found: list[Result] = []
        if "values" in parts:
            for constraint in check.values:
                for value in values:
                    if not constraint.python(value, self.ctx):
                        found.append(check.result(focus, constraint.component, value))
        if "counts" in parts:
            if check.min_count is not None and len(values) < check.min_count:
                found.append(check.result(focus, SH.MinCountConstraintComponent))
            if check.max_count is not None and len(values) > check.max_count:
                found.append(check.result(focus, SH.MaxCountConstraintComponent))
            for hv in check.has_value:
                if not any(v == hv for v in values):
                    found.append(check.result(focus, SH.HasValueConstraintComponent))
            for q in check.qualified:
                conforming = sum(1 for v in values if q.shape.python(v, self.ctx))
                if q.max_count is not None and conforming > q.max_count:
                    found.append(check.result(focus, SH.QualifiedMaxCountConstraintComponent))
                if q.min_count is not None and conforming < q.min_count:
                    found.append(check.result(focus, SH.QualifiedMinCountConstraintComponent))
        if "lang" in parts and check.unique_lang:
            seen: set[str] = set()
            twice: set[str] = set()
            for value in values:
                if isinstance(value, Literal) and value.language:
                    tag = str(value.language).lower()
                    (twice if tag in seen else seen).add(tag)
            found.extend(check.result(focus, SH.UniqueLangConstraintComponent) for _ in twice)
        return found

    # ---- SPARQL constraints

    def sparql_check(self, top: TargetedShape, check: SparqlCheck) -> None:
        rows: list[tuple[OxTerm, Any, list[str]]] = []
        if check.prebound or self.focus is not None:
            nodes = self.focus if self.focus is not None else None
            focus_nodes = self.targets_among(top, nodes) if nodes is not None else \
                {r["this"] for r in self.query("SELECT ?this WHERE " + top.targets(self.ctx))}
            for node in focus_nodes:
                solutions = self.query(check.query, substitutions={_THIS: node})
                names = [v.value for v in solutions.variables]
                rows.extend((node, s, names) for s in solutions)
        else:
            solutions = self.query(check.query)
            names = [v.value for v in solutions.variables]
            collected = list(solutions)
            if any(s["this"] is None for s in collected) if "this" in names else collected:
                check.prebound = True  # $this not bound by every row: run it as pySHACL does
                return self.sparql_check(top, check)
            wanted = self.targets_among(top, (s["this"] for s in collected))
            rows = [(s["this"], s, names) for s in collected if s["this"] in wanted]
        seen: set[tuple[Any, ...]] = set()
        for node, solution, names in rows:
            bound = {name: solution[name] for name in names if solution[name] is not None}
            key = (node, tuple(sorted((k, str(v)) for k, v in bound.items())))
            if key in seen:
                continue
            seen.add(key)
            self.found.append(self.sparql_result(check, node, bound))

    def sparql_result(self, check: SparqlCheck, node: OxTerm, bound: dict[str, Any]) -> Result:
        focus = from_ox(node)
        this = bound.pop("this", None)
        path = bound.pop("path", None)
        value = bound.pop("value", None)
        others = {name: self.stated(term) for name, term in bound.items()}
        this_ = self.stated(this) if this is not None else None
        path_ = from_ox(path) if path is not None else None
        value_ = self.stated(value) if value is not None else (
            focus if check.path is None else None)
        variables: dict[str, Node] = dict(others)
        for name, term in (("this", this_), ("path", path_), ("value", value_)):
            if term is not None:
                variables[name] = term
        messages = tuple(Literal(_fill(str(m), variables)) for m in
                         (*check.messages, *check.shape_messages))
        return Result(check.severity, this_ or focus, path_ or check.path, value_, messages,
                      check.shape, SH.SPARQLConstraintComponent, check.constraint)

    def stated(self, term: OxTerm) -> Node:
        """A term the store gives, as the data stated it (when the store rewrote one literal only)."""
        node = from_ox(term)
        if isinstance(term, ox.Literal):
            stated = self.data.lexical.by_literal.get(term)
            if stated is not None and len(stated) == 1:
                return next(iter(stated))
        return node


def _fill(message: str, variables: dict[str, Node]) -> str:
    """pySHACL's message templating: ``{?var}`` / ``{$var}`` replaced by the value's text."""
    for name, value in variables.items():
        try:
            message = re.sub("{{[?$]{}}}".format(name), str(value), message)
        except re.error:
            message = message.replace("{?" + name + "}", str(value)) \
                .replace("{$" + name + "}", str(value))
    return message


# --------------------------------------------------------------------------- the report

def _report(shapes: Graph, data: ValidationStore, results: list[Result],
            strict: bool) -> ValidationReport:
    report = Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():  # as pySHACL's report
        report.namespace_manager.bind(prefix, namespace)
    bind_prefixes(report)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(not any(r.severity == SH.Violation for r in results))))
    rendered: list[ValidationResult] = []
    labels: dict[Node, str | None] = {}
    sources: dict[Node, tuple[str, ...]] = {}
    for result in results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.resultSeverity, result.severity))
        report.add((node, SH.focusNode, result.focus))
        report.add((node, SH.sourceShape, result.shape))
        report.add((node, SH.sourceConstraintComponent, result.component))
        if result.source_constraint is not None:
            report.add((node, SH.sourceConstraint, result.source_constraint))
        if result.path is not None:
            report.add((node, SH.resultPath, result.path))
            _copy_structure(shapes, result.path, report)
        if result.value is not None:
            report.add((node, SH.value, result.value))
        for text in result.messages:
            report.add((node, SH.resultMessage, text))
        message = report.value(node, SH.resultMessage)
        if result.focus not in labels:
            labels[result.focus] = data.label(result.focus)
            sources[result.focus] = data.sources(result.focus)
        rendered.append(ValidationResult(
            severity=SEVERITIES[result.severity],
            focus=str(result.focus),
            focus_label=labels[result.focus],
            path=show(report, result.path),
            value=show(report, result.value),
            message=" ".join(str(message).split()) if message is not None else "(no message)",
            shape=show(report, result.shape),
            constraint=show(report, result.component),
            sources=sources[result.focus]))
    rendered.sort(key=lambda r: (_SEVERITY_ORDER[r.severity], r.sources, r.focus, r.path or "",
                                 r.message, r.value or ""))
    return ValidationReport(tuple(rendered), strict=strict, report_graph=report)


def _copy_structure(source: Graph, node: Node, into: Graph) -> None:
    """Copy what hangs off a blank node (a complex path) into the report."""
    todo = [node]
    seen: set[Node] = set()
    while todo:
        current = todo.pop()
        if not isinstance(current, BNode) or current in seen:
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            into.add((current, p, o))
            todo.append(o)


# --------------------------------------------------------------------------- the entry point

def validate_fast(data: KnowledgeGraph | Graph | ValidationStore | ox.Store, shapes: Graph,
                  ontology: Graph | None = None, *, strict: bool = False,
                  focus: Iterable[Node] | None = None) -> ValidationReport:
    """Validate ``data`` against ``shapes`` with the fast engine: same report as pySHACL's.

    ``data``: a :class:`~kg.load.KnowledgeGraph` or rdflib graph (copied, with
    ``ontology``, into an in-memory store: the input is never changed), a
    :class:`ValidationStore`, or a pyoxigraph Store holding data and
    ontology merged in its default graph (``ontology`` is then not read).
    ``focus``: validate only these nodes as focus nodes (``kg add``); results
    about other nodes are not computed.

    Raises:
        KGError: a shape uses a feature the engine does not implement, or a
            query fails.
    """
    validator = FastValidator(shapes)
    if isinstance(data, ox.Store):
        store = ValidationStore.wrap(data)
    elif isinstance(data, ValidationStore):
        store = data
    else:
        store = ValidationStore.from_graph(data, ontology)
    return validator.validate(store, strict=strict, focus=focus)

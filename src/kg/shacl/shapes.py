"""The shapes graph, read into a model the engine compiles: shapes, paths, constraints.

:class:`Shapes` holds a SHACL shapes graph in the default graph of a
pyoxigraph Store (read from files, text or another store) and reads it, on
first use, into :class:`Shape` objects: each shape's targets, path, severity,
messages and constraints, one :class:`Constraint` per value of a parameter
(``sh:class ex:A, ex:B`` is two constraints, as SHACL says), its SPARQL-based
constraints (:class:`SparqlConstraint`) and the instances of SPARQL-based
constraint components declared in the graph (:class:`CustomConstraint`).

Reading follows the SHACL specification (https://www.w3.org/TR/shacl/): a
shape with ``sh:path`` is a property shape; a shape that is also an
``rdfs:Class`` targets its instances; parameters of unknown components are
ignored. A shapes graph SHACL calls ill-formed (a ``sh:minCount`` that is not
an integer, a path that is not a path, a prefix declaration without its
namespace) raises :class:`~kg.errors.ShapesError` naming the shape. What the
engine does not run itself (SHACL-AF targets and rules, JavaScript,
``$shapesGraph``) is recorded on the shape (:attr:`Shape.unsupported`) and
run by pySHACL instead (:mod:`kg.validate`).

No rdflib here: :meth:`Shapes.rdflib` converts the graph for pySHACL, at the
edge, when a shape needs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, NamedTuple, Union, cast

import pyoxigraph as ox

from ..errors import ShapesError, SourceFileError
from ..terms import short
from .vocab import DEFAULT_GRAPH, OWL, RDF, RDFS, SH, SH_NS

if TYPE_CHECKING:
    from rdflib import Graph

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]
Node = Union[ox.NamedNode, ox.BlankNode]

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".trig": ox.RdfFormat.TRIG,
            ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD,
            ".json": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
            ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3}


# The model's classes are NamedTuples and plain classes, not dataclasses: creating thirty
# dataclasses (and importing the module) took a fifth of `kg validate`'s 0.2 s start-up.
# Constraints are never compared.

# --------------------------------------------------------------------------- paths

_PATH_TEMPLATES = {"inverse": "^{}", "zeroOrMore": "{}*", "oneOrMore": "{}+", "zeroOrOne": "{}?"}


class Path(NamedTuple):
    """A SHACL property path (https://www.w3.org/TR/shacl/#property-paths).

    ``kind`` is one of ``predicate``, ``inverse``, ``sequence``, ``alternative``,
    ``zeroOrMore``, ``oneOrMore``, ``zeroOrOne``; ``node`` is the path as the shapes
    graph writes it (the predicate's IRI, or the blank node of a complex path).
    """

    node: Node
    kind: str
    predicate: ox.NamedNode | None = None
    steps: tuple[Path, ...] = ()

    def sparql(self) -> str:
        """The path as a SPARQL 1.1 property path (SHACL paths map one to one)."""
        if self.predicate is not None:
            return str(self.predicate)
        if self.kind == "sequence":
            return "(" + "/".join(step.sparql() for step in self.steps) + ")"
        if self.kind == "alternative":
            return "(" + "|".join(step.sparql() for step in self.steps) + ")"
        inner = self.steps[0].sparql()
        return _PATH_TEMPLATES[self.kind].format(inner if self.steps[0].predicate is not None
                                                 else f"({inner})")

    def predicates(self) -> Iterator[ox.NamedNode]:
        """Every predicate the path walks."""
        if self.predicate is not None:
            yield self.predicate
        for step in self.steps:
            yield from step.predicates()


# --------------------------------------------------------------------------- constraints
# One class per core constraint component (some per family: sh:minExclusive and its three
# siblings are one RangeConstraint); each instance is one value of one parameter on one shape.

class ClassConstraint(NamedTuple):
    cls: Term


class DatatypeConstraint(NamedTuple):
    datatype: ox.NamedNode


class NodeKindConstraint(NamedTuple):
    kind: ox.NamedNode


class MinCountConstraint(NamedTuple):
    number: int             #: (not ``count``: tuples have a method of that name)


class MaxCountConstraint(NamedTuple):
    number: int


#: How a value must compare with the bound of sh:minExclusive and its three siblings.
RANGE_OPERATORS = {"minExclusive": ">", "minInclusive": ">=", "maxExclusive": "<",
                   "maxInclusive": "<="}


class RangeConstraint(NamedTuple):
    parameter: str          #: minExclusive, minInclusive, maxExclusive, maxInclusive
    bound: Term

    @property
    def operator(self) -> str:
        return RANGE_OPERATORS[self.parameter]


class LengthConstraint(NamedTuple):
    parameter: str          #: minLength or maxLength
    length: int


class PatternConstraint(NamedTuple):
    pattern: str
    flags: str = ""


class LanguageInConstraint(NamedTuple):
    languages: tuple[str, ...]


class UniqueLangConstraint(NamedTuple):
    pass


class PairConstraint(NamedTuple):
    """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals."""

    parameter: str
    predicate: ox.NamedNode


class NotConstraint(NamedTuple):
    shape: Node


class LogicalConstraint(NamedTuple):
    """sh:and, sh:or, sh:xone over a list of shapes."""

    parameter: str          #: and, or, xone
    shapes: tuple[Node, ...]


class NodeConstraint(NamedTuple):
    shape: Node


class QualifiedConstraint(NamedTuple):
    """sh:qualifiedValueShape with one of its counts; ``siblings`` when the shapes are disjoint."""

    shape: Node
    min_count: int | None
    max_count: int | None
    siblings: tuple[Node, ...] = ()


class ClosedConstraint(NamedTuple):
    allowed: frozenset[ox.NamedNode]


class HasValueConstraint(NamedTuple):
    value: Term


class InConstraint(NamedTuple):
    values: tuple[Term, ...]


Constraint = Union[ClassConstraint, DatatypeConstraint, NodeKindConstraint, MinCountConstraint,
                   MaxCountConstraint, RangeConstraint, LengthConstraint, PatternConstraint,
                   LanguageInConstraint, UniqueLangConstraint, PairConstraint, NotConstraint,
                   LogicalConstraint, NodeConstraint, QualifiedConstraint, ClosedConstraint,
                   HasValueConstraint, InConstraint]
_COMPONENTS = {
    ClassConstraint: "Class", DatatypeConstraint: "Datatype", NodeKindConstraint: "NodeKind",
    MinCountConstraint: "MinCount", MaxCountConstraint: "MaxCount",
    PatternConstraint: "Pattern", LanguageInConstraint: "LanguageIn",
    UniqueLangConstraint: "UniqueLang", NotConstraint: "Not", NodeConstraint: "Node",
    ClosedConstraint: "Closed", HasValueConstraint: "HasValue", InConstraint: "In"}


def component_of(constraint: Constraint) -> ox.NamedNode:
    """The IRI of the constraint's component (``sh:MinCountConstraintComponent`` ...)."""
    if isinstance(constraint, QualifiedConstraint):
        name = "QualifiedMinCount" if constraint.min_count is not None else "QualifiedMaxCount"
    elif isinstance(constraint, (RangeConstraint, LengthConstraint, PairConstraint,
                                 LogicalConstraint)):
        name = constraint.parameter[0].upper() + constraint.parameter[1:]
    else:
        name = _COMPONENTS[type(constraint)]
    return SH[name + "ConstraintComponent"]


# --------------------------------------------------------------------------- SHACL-SPARQL

class SparqlConstraint(NamedTuple):
    """A SPARQL-based constraint (``sh:sparql``): a SELECT query and its messages."""

    node: Node
    select: str
    prefixes: tuple[tuple[str, str], ...]
    messages: tuple[ox.Literal, ...]


class Validator(NamedTuple):
    """A validator of a SPARQL-based constraint component: a SELECT or an ASK query."""

    node: Node
    kind: str                          #: "select" or "ask"
    text: str
    prefixes: tuple[tuple[str, str], ...]
    messages: tuple[ox.Literal, ...]


class Parameter(NamedTuple):
    path: ox.NamedNode
    name: str                          #: the variable it binds (the path's local name)
    optional: bool


class Component(NamedTuple):
    """A SPARQL-based constraint component declared in the shapes graph."""

    node: ox.NamedNode
    parameters: tuple[Parameter, ...]
    validator: Validator | None
    node_validator: Validator | None
    property_validator: Validator | None
    messages: tuple[ox.Literal, ...]
    unsupported: str | None = None     #: e.g. only JavaScript validators


class CustomConstraint(NamedTuple):
    """A SPARQL-based constraint component applied to a shape with its parameter values."""

    component: Component
    validator: Validator
    bindings: tuple[tuple[str, Term], ...]   #: parameter name -> value


# --------------------------------------------------------------------------- shapes

class Targets(NamedTuple):
    classes: tuple[Term, ...] = ()
    nodes: tuple[Term, ...] = ()
    subjects_of: tuple[ox.NamedNode, ...] = ()
    objects_of: tuple[ox.NamedNode, ...] = ()

    def any(self) -> bool:
        """Whether there is a target at all."""
        return bool(self.classes or self.nodes or self.subjects_of or self.objects_of)


class Shape:
    """One shape: what it targets, the path of a property shape, and its constraints.

    (A plain class: see the note on the model's classes above.)
    """

    __slots__ = ("node", "path", "targets", "severity", "messages", "deactivated",
                 "constraints", "properties", "sparql", "custom", "unsupported")

    def __init__(self, node: Node, path: Path | None, targets: Targets, severity: ox.NamedNode,
                 messages: tuple[ox.Literal, ...], deactivated: bool, *,
                 constraints: tuple[Constraint, ...] = (), properties: tuple[Node, ...] = (),
                 sparql: tuple[SparqlConstraint, ...] = (),
                 custom: tuple[CustomConstraint, ...] = (),
                 unsupported: tuple[str, ...] = ()) -> None:
        self.node = node
        self.path = path
        self.targets = targets
        self.severity = severity
        self.messages = messages
        self.deactivated = deactivated
        self.constraints = constraints
        self.properties = properties        #: its sh:property shapes
        self.sparql = sparql
        self.custom = custom
        #: what the engine cannot run in this shape itself (pySHACL runs the shape instead)
        self.unsupported = unsupported

    def __repr__(self) -> str:
        return f"Shape({self.node!r}, path={self.path.sparql() if self.path else None})"

    @property
    def is_property(self) -> bool:
        return self.path is not None

    def references(self) -> Iterator[Node]:
        """The shapes this one uses (sh:property, sh:node, sh:not, sh:and ...)."""
        yield from self.properties
        for constraint in self.constraints:
            if isinstance(constraint, (NotConstraint, NodeConstraint)):
                yield constraint.shape
            elif isinstance(constraint, LogicalConstraint):
                yield from constraint.shapes
            elif isinstance(constraint, QualifiedConstraint):
                yield constraint.shape
                yield from constraint.siblings


#: Parameters of the core components: a node with one of them is a shape.
CORE_PARAMETERS = frozenset(SH[name] for name in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive",
    "maxExclusive", "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or",
    "xone", "node", "property", "qualifiedValueShape", "qualifiedMinCount",
    "qualifiedMaxCount", "qualifiedValueShapesDisjoint", "closed", "ignoredProperties",
    "hasValue", "in", "sparql"))
TARGET_PARAMETERS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: SHACL Advanced Features and SHACL-JS: run by pySHACL, never ignored silently.
ADVANCED = {SH.target: "a SPARQL-based or custom target (sh:target)",
            SH.rule: "SHACL rules (sh:rule)", SH.condition: "rule conditions (sh:condition)",
            SH.js: "a JavaScript constraint (sh:js)", SH.expression: "node expressions (sh:expression)",
            SH.values: "node expressions (sh:values)"}
NODE_KINDS = frozenset(SH[k] for k in ("IRI", "BlankNode", "Literal", "BlankNodeOrIRI",
                                       "BlankNodeOrLiteral", "IRIOrLiteral"))


class Shapes:
    """A SHACL shapes graph: the default graph of a pyoxigraph Store, read once into shapes.

    Build it with :meth:`from_files`, :meth:`from_text` or :meth:`from_store`;
    the engine reads :attr:`targeted` and :meth:`shape`.

    >>> shapes = Shapes.from_text('''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...     ex:S a sh:NodeShape ; sh:targetClass ex:C ;
    ...         sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:datatype ex:T ] .''')
    >>> [short(s.node) for s in shapes.targeted]
    ['<http://example.org/S>']
    >>> [type(c).__name__ for c in shapes.shape(shapes.targeted[0].properties[0]).constraints]
    ['DatatypeConstraint', 'MinCountConstraint']
    """

    def __init__(self, store: ox.Store, *, files: Iterable[FilePath] = ()) -> None:
        self.store = store
        self.files = tuple(files)
        self._shapes: dict[Term, Shape] = {}
        self._targeted: list[Shape] | None = None
        self._components: dict[ox.NamedNode, Component] | None = None
        self._rdflib: Graph | None = None
        self._structures: dict[Term, tuple[ox.Triple, ...]] = {}
        self._subclasses: dict[Term, frozenset[Term]] = {}
        self._about: dict[Term, dict[ox.NamedNode, list[Term]]] = {}

    # ---- building

    @classmethod
    def from_files(cls, paths: Iterable[str | FilePath]) -> Shapes:
        """The shapes graph in RDF files (Turtle, N-Triples, TriG, JSON-LD, RDF/XML), merged.

        Raises:
            SourceFileError: a file cannot be read or parsed (names file, line and column).
        """
        store = ox.Store()
        files = [FilePath(p) for p in paths]
        for path in files:
            load_file(store, path)
        return cls(store, files=files)

    @classmethod
    def from_text(cls, text: str, *, format: ox.RdfFormat = ox.RdfFormat.TURTLE,
                  base_iri: str | None = None) -> Shapes:
        """The shapes graph written in ``text`` (Turtle by default).

        Raises:
            ShapesError: the text does not parse.
        """
        store = ox.Store()
        try:
            store.load(text.encode("utf-8"), format, base_iri=base_iri, to_graph=DEFAULT_GRAPH)
        except SyntaxError as exc:
            raise ShapesError(f"the shapes do not parse: {exc}") from exc
        return cls(store)

    @classmethod
    def from_store(cls, store: ox.Store) -> Shapes:
        """The shapes graph in the default graph of ``store`` (read, never changed)."""
        return cls(store)

    def rdflib(self) -> Graph:
        """The shapes graph as an rdflib Graph, for pySHACL (converted once)."""
        if self._rdflib is None:
            from rdflib import Graph

            from ..terms import to_rdflib

            graph = Graph()
            for quad in self.store.quads_for_pattern(None, None, None, DEFAULT_GRAPH):
                graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                           to_rdflib(quad.object)))
            self._rdflib = graph
        return self._rdflib

    def __len__(self) -> int:
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, DEFAULT_GRAPH))

    # ---- reading the graph

    def about(self, subject: Term) -> dict[ox.NamedNode, list[Term]]:
        """What the graph says of a node: predicate -> objects (read once; do not change it)."""
        found = self._about.get(subject)
        if found is None:
            found = self._about[subject] = {}
            if not isinstance(subject, ox.Literal):
                for quad in self.store.quads_for_pattern(subject, None, None, DEFAULT_GRAPH):
                    found.setdefault(quad.predicate, []).append(cast(Term, quad.object))
        return found

    def objects(self, subject: Term, predicate: ox.NamedNode) -> list[Term]:
        return list(self.about(subject).get(predicate, ()))

    def subjects(self, predicate: ox.NamedNode, obj: Term | None = None) -> list[Node]:
        return [cast(Node, q.subject)
                for q in self.store.quads_for_pattern(None, predicate, obj, DEFAULT_GRAPH)]

    def value(self, subject: Term, predicate: ox.NamedNode) -> Term | None:
        """The one value of ``predicate`` (None when absent).

        Raises:
            ShapesError: more than one value.
        """
        found = self.objects(subject, predicate)
        if len(found) > 1:
            raise ShapesError(f"shape {self.describe(subject)}: {short(predicate)} has "
                              f"{len(found)} values, SHACL allows one")
        return found[0] if found else None

    def items(self, head: Term, owner: Term, parameter: ox.NamedNode) -> list[Term]:
        """The members of an RDF list.

        Raises:
            ShapesError: ``head`` is not a well-formed list.
        """
        found: list[Term] = []
        seen: set[Term] = set()
        node = head
        while node != RDF.nil:
            first = self.objects(node, RDF.first)
            rest = self.objects(node, RDF.rest)
            if isinstance(node, ox.Literal) or len(first) != 1 or len(rest) != 1 or node in seen:
                raise ShapesError(f"shape {self.describe(owner)}: the value of "
                                  f"{short(parameter)} is not a well-formed RDF list")
            seen.add(node)
            found.append(first[0])
            node = rest[0]
        return found

    def is_instance(self, node: Term, cls: ox.NamedNode) -> bool:
        """Whether ``node`` is a SHACL instance of ``cls`` in the shapes graph (subclasses too)."""
        types = set(self.objects(node, RDF.type))
        return bool(types & self.subclasses(cls))

    def subclasses(self, cls: Term) -> frozenset[Term]:
        """``cls`` and its subclasses in the shapes graph."""
        if cls not in self._subclasses:
            found: set[Term] = {cls}
            todo = [cls]
            while todo:
                for sub in self.subjects(RDFS.subClassOf, todo.pop()):
                    if sub not in found:
                        found.add(sub)
                        todo.append(sub)
            self._subclasses[cls] = frozenset(found)
        return self._subclasses[cls]

    def describe(self, node: Term) -> str:
        """A shape as a person finds it: its IRI, or for a blank node what holds it."""
        if not isinstance(node, ox.BlankNode):
            return short(node)
        path = self.objects(node, SH.path)
        said = "a blank-node shape"
        if path and isinstance(path[0], ox.NamedNode):
            said += f" on {short(path[0])}"
        for predicate in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
            holders = self.subjects(predicate, node)
            if holders:
                return f"{said} of {self.describe(holders[0])}"
        return said

    def structure(self, node: Term) -> tuple[ox.Triple, ...]:
        """The triples hanging off a blank node (a complex path), to copy into a report."""
        if not isinstance(node, ox.BlankNode):
            return ()
        if node not in self._structures:
            found: list[ox.Triple] = []
            todo: list[Term] = [node]
            seen: set[Term] = set()
            while todo:
                current = todo.pop()
                if not isinstance(current, ox.BlankNode) or current in seen:
                    continue
                seen.add(current)
                for quad in self.store.quads_for_pattern(current, None, None, DEFAULT_GRAPH):
                    found.append(quad.triple)
                    todo.append(cast(Term, quad.object))
            self._structures[node] = tuple(found)
        return self._structures[node]

    # ---- the shapes

    @property
    def targeted(self) -> list[Shape]:
        """The shapes with targets, not deactivated: what validation starts from.

        Raises:
            ShapesError: the shapes graph is ill-formed.
        """
        if self._targeted is None:
            nodes: set[Term] = set()
            for predicate in (*TARGET_PARAMETERS, SH.target):
                nodes.update(self.subjects(predicate))
            for kind in (SH.NodeShape, SH.PropertyShape):
                for shape_class in self.subclasses(kind):
                    for node in self.subjects(RDF.type, shape_class):
                        if self.is_class(node):
                            nodes.add(node)
            shapes = [self.shape(node) for node in sorted(nodes, key=str)
                      if not isinstance(node, ox.Literal)]
            self._targeted = [s for s in shapes if not s.deactivated
                              and (s.targets.any() or s.unsupported)]
        return self._targeted

    def is_class(self, node: Term) -> bool:
        return self.is_instance(node, RDFS.Class) or self.is_instance(node, OWL.Class)

    def shape(self, node: Term) -> Shape:
        """The shape ``node`` (read once).

        Raises:
            ShapesError: the shape is ill-formed.
        """
        found = self._shapes.get(node)
        if found is None:
            if isinstance(node, ox.Literal):
                raise ShapesError(f"the literal {short(node)} is used as a shape")
            found = self._shapes[node] = _read_shape(self, node)
        return found

    def unsupported(self, shape: Shape) -> list[str]:
        """Why the engine cannot run ``shape`` (its own reasons and those of every shape it uses)."""
        reasons: list[str] = []
        seen: set[Term] = set()
        todo = [shape.node]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            current = self.shape(node)
            reasons.extend(r for r in current.unsupported if r not in reasons)
            todo.extend(current.references())
        return reasons

    @property
    def components(self) -> dict[ox.NamedNode, Component]:
        """The SPARQL-based constraint components declared in the graph, by IRI."""
        if self._components is None:
            self._components = {}
            for cls in self.subclasses(SH.ConstraintComponent):
                for node in self.subjects(RDF.type, cls):
                    if isinstance(node, ox.NamedNode) and node not in self._components:
                        self._components[node] = _read_component(self, node)
        return self._components

    def prefixes(self, holder: Term) -> tuple[tuple[str, str], ...]:
        """The prefixes a SPARQL query of ``holder`` declares (``sh:prefixes``), SHACL 5.2.1.

        Each value of ``sh:prefixes`` brings its ``sh:declare`` values and those of
        what it ``owl:imports``; one with no declaration at all stands for every
        ontology of the graph (pySHACL reads it so).

        Raises:
            ShapesError: a declaration without exactly one prefix and one namespace,
                or one prefix bound to two namespaces.
        """
        found: dict[str, str] = {}
        for value in self.objects(holder, SH.prefixes):
            declarations = self._declarations(value)
            if not declarations:
                for ontology in self.subjects(RDF.type, OWL.Ontology):
                    declarations.extend(self._declarations(ontology))
            for declaration in declarations:
                prefix = self.value(declaration, SH.prefix)
                namespace = self.value(declaration, SH.namespace)
                if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                    raise ShapesError(f"{self.describe(declaration)}: a prefix declaration needs "
                                      "one sh:prefix and one sh:namespace, both literals")
                if found.get(prefix.value, namespace.value) != namespace.value:
                    raise ShapesError(f"{self.describe(holder)}: the prefix {prefix.value!r} is "
                                      "declared for two namespaces")
                found[prefix.value] = namespace.value
        return tuple(sorted(found.items()))

    def _declarations(self, node: Term) -> list[Term]:
        found: list[Term] = []
        seen: set[Term] = set()
        todo = [node]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found.extend(self.objects(current, SH.declare))
            todo.extend(self.objects(current, OWL.imports))
        return found


# --------------------------------------------------------------------------- the reader

def load_file(store: ox.Store, path: FilePath, *, default_graph: bool = True) -> None:
    """Parse an RDF file into ``store``: everything into the default graph, or with
    ``default_graph`` False the named graphs of TriG, N-Quads and JSON-LD kept as they are.

    Raises:
        SourceFileError: unknown suffix, unreadable, or does not parse.
    """
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SourceFileError(path, f"unknown RDF file suffix {path.suffix!r}: use one of "
                                    f"{', '.join(sorted(_FORMATS))}")
    dataset = fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD)
    # a dataset format read into the default graph goes through a scratch store
    target = ox.Store() if default_graph and dataset else store
    try:
        if default_graph and not dataset:
            target.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(),
                        to_graph=DEFAULT_GRAPH)
        else:
            target.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except FileNotFoundError:
        raise SourceFileError(path, "no such file") from None
    except OSError as exc:
        raise SourceFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    except SyntaxError as exc:
        raise SourceFileError(path, f"syntax error: {_parser_message(exc)}",
                              **_parser_position(exc)) from None
    if target is not store:  # the file's named graphs too: a shapes graph is one graph
        store.extend(ox.Quad(q.subject, q.predicate, q.object, DEFAULT_GRAPH) for q in target)


_POSITION = re.compile(r"line (\d+)(?: (?:column|between columns) (\d+))?")


def _parser_position(exc: SyntaxError) -> dict[str, int]:
    found = _POSITION.search(str(exc))
    if not found:
        return {}
    return {"line": int(found.group(1)),
            **({"column": int(found.group(2))} if found.group(2) else {})}


def _parser_message(exc: SyntaxError) -> str:
    text = " ".join(str(exc).split())
    return re.sub(r"^Parser error at [^:]*: ", "", text)


def _integer(shapes: Shapes, node: Term, parameter: ox.NamedNode) -> int | None:
    value = shapes.value(node, parameter)
    if value is None:
        return None
    if not (isinstance(value, ox.Literal) and re.fullmatch(r"[+-]?\d+", value.value.strip())):
        raise ShapesError(f"shape {shapes.describe(node)}: {short(parameter)} must be an "
                          f"integer, not {short(value)}")
    return int(value.value)


def _boolean(shapes: Shapes, node: Term, parameter: ox.NamedNode) -> bool:
    value = shapes.value(node, parameter)
    return isinstance(value, ox.Literal) and value.value in ("true", "1")


def _read_path(shapes: Shapes, owner: Term, node: Term, depth: int = 0) -> Path:
    def bad(why: str) -> ShapesError:
        return ShapesError(f"shape {shapes.describe(owner)}: the value of sh:path {why}")

    if depth > 50:
        raise bad("nests too deeply (a cycle?)")
    if isinstance(node, ox.NamedNode):
        return Path(node, "predicate", predicate=node)
    if not isinstance(node, ox.BlankNode):
        raise bad("is a literal, not a path")
    if shapes.objects(node, RDF.first):
        steps = tuple(_read_path(shapes, owner, step, depth + 1)
                      for step in shapes.items(node, owner, SH.path))
        if len(steps) < 2:
            raise bad("is a sequence path of fewer than two steps")
        return Path(node, "sequence", steps=steps)
    kinds = [(p, k) for p, k in ((SH.inversePath, "inverse"), (SH.alternativePath, "alternative"),
                                 (SH.zeroOrMorePath, "zeroOrMore"), (SH.oneOrMorePath, "oneOrMore"),
                                 (SH.zeroOrOnePath, "zeroOrOne"))
             if shapes.objects(node, p)]
    if len(kinds) != 1:
        raise bad("is not a SHACL path (a predicate, a list, or one of sh:inversePath, "
                  "sh:alternativePath, sh:zeroOrMorePath, sh:oneOrMorePath, sh:zeroOrOnePath)")
    predicate, kind = kinds[0]
    inner = shapes.value(node, predicate)
    assert inner is not None
    if kind == "alternative":
        members = tuple(_read_path(shapes, owner, m, depth + 1)
                        for m in shapes.items(inner, owner, SH.alternativePath))
        if len(members) < 2:
            raise bad("is an alternative path of fewer than two members")
        return Path(node, kind, steps=members)
    return Path(node, kind, steps=(_read_path(shapes, owner, inner, depth + 1),))


def _node(shapes: Shapes, owner: Term, value: Term, parameter: ox.NamedNode) -> Node:
    if isinstance(value, ox.Literal):
        raise ShapesError(f"shape {shapes.describe(owner)}: the value of {short(parameter)} "
                          f"must be a shape, not the literal {short(value)}")
    return value


def _read_shape(shapes: Shapes, node: Node) -> Shape:
    """One shape, read from the graph (its references are read when they are used)."""
    g = shapes
    unsupported: list[str] = []
    path_node = g.value(node, SH.path)
    path = _read_path(g, node, path_node) if path_node is not None else None
    severity = g.value(node, SH.severity)
    if severity is not None and not isinstance(severity, ox.NamedNode):
        raise ShapesError(f"shape {g.describe(node)}: sh:severity must be an IRI")
    classes = list(g.objects(node, SH.targetClass))
    if (g.is_instance(node, SH.NodeShape) or g.is_instance(node, SH.PropertyShape)) \
            and g.is_class(node):
        classes.append(node)  # an implicit class target
    for predicate in (SH.targetSubjectsOf, SH.targetObjectsOf):
        for value in g.objects(node, predicate):
            if not isinstance(value, ox.NamedNode):
                raise ShapesError(f"shape {g.describe(node)}: {short(predicate)} takes an IRI")
    targets = Targets(
        classes=tuple(dict.fromkeys(classes)),
        nodes=tuple(g.objects(node, SH.targetNode)),
        subjects_of=tuple(v for v in g.objects(node, SH.targetSubjectsOf)
                          if isinstance(v, ox.NamedNode)),
        objects_of=tuple(v for v in g.objects(node, SH.targetObjectsOf)
                         if isinstance(v, ox.NamedNode)))
    for predicate, why in ADVANCED.items():
        if g.objects(node, predicate):
            unsupported.append(why)
    messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, ox.Literal))
    constraints = _read_constraints(g, node, path is not None)
    sparql = []
    for value in g.objects(node, SH.sparql):
        constraint = _node(g, node, value, SH.sparql)
        if _boolean(g, constraint, SH.deactivated):
            continue
        select = g.value(constraint, SH.select)
        if not isinstance(select, ox.Literal):
            if g.objects(constraint, SH.ask):
                raise ShapesError(f"shape {g.describe(node)}: a SPARQL-based constraint "
                                  "takes sh:select, not sh:ask")
            raise ShapesError(f"shape {g.describe(node)}: the SPARQL-based constraint "
                              f"{g.describe(constraint)} has no sh:select")
        sparql.append(SparqlConstraint(
            constraint, select.value, g.prefixes(constraint),
            tuple(m for m in g.objects(constraint, SH.message) if isinstance(m, ox.Literal))))
    custom: list[CustomConstraint] = []
    for component in g.components.values():
        custom.extend(_apply_component(g, node, component, path is not None, unsupported))
    return Shape(
        node=node, path=path, targets=targets, severity=severity or SH.Violation,
        messages=messages, deactivated=_boolean(g, node, SH.deactivated),
        constraints=tuple(constraints),
        properties=tuple(_node(g, node, v, SH.property) for v in g.objects(node, SH.property)),
        sparql=tuple(sparql), custom=tuple(custom), unsupported=tuple(unsupported))


def _read_constraints(g: Shapes, node: Node, is_property: bool) -> list[Constraint]:
    found: list[Constraint] = []
    about = g.about(node)

    def values(name: str) -> list[Term]:
        return about.get(SH[name], [])

    def bad(why: str) -> ShapesError:
        return ShapesError(f"shape {g.describe(node)}: {why}")

    found.extend(ClassConstraint(c) for c in values("class"))
    for datatype in values("datatype"):
        if not isinstance(datatype, ox.NamedNode):
            raise bad("sh:datatype takes an IRI")
        found.append(DatatypeConstraint(datatype))
    for kind in values("nodeKind"):
        if kind not in NODE_KINDS:
            raise bad(f"sh:nodeKind {short(kind)} is not one of SHACL's six node kinds")
        found.append(NodeKindConstraint(kind))  # type: ignore[arg-type]
    if is_property:  # cardinality is defined on property shapes only
        for predicate, made in ((SH.minCount, MinCountConstraint), (SH.maxCount, MaxCountConstraint)):
            count = _integer(g, node, predicate)
            if count is not None:
                found.append(made(count))
    for parameter in RANGE_OPERATORS:
        found.extend(RangeConstraint(parameter, bound) for bound in values(parameter))
    for parameter in ("minLength", "maxLength"):
        length = _integer(g, node, SH[parameter])
        if length is not None:
            found.append(LengthConstraint(parameter, length))
    flags = g.value(node, SH.flags)
    for pattern in values("pattern"):
        if not isinstance(pattern, ox.Literal):
            raise bad("sh:pattern takes a string")
        found.append(PatternConstraint(pattern.value, flags.value if isinstance(flags, ox.Literal)
                                       else ""))
    for head in values("languageIn"):
        tags = g.items(head, node, SH.languageIn)
        if not all(isinstance(t, ox.Literal) for t in tags):
            raise bad("sh:languageIn takes a list of strings")
        found.append(LanguageInConstraint(tuple(t.value for t in tags
                                                if isinstance(t, ox.Literal))))
    if is_property and _boolean(g, node, SH.uniqueLang):
        found.append(UniqueLangConstraint())
    for parameter in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
        for other in values(parameter):
            if not isinstance(other, ox.NamedNode):
                raise bad(f"sh:{parameter} takes an IRI")
            found.append(PairConstraint(parameter, other))
    found.extend(NotConstraint(_node(g, node, v, SH["not"])) for v in values("not"))
    for parameter in ("and", "or", "xone"):
        for head in values(parameter):
            members = tuple(_node(g, node, m, SH[parameter])
                            for m in g.items(head, node, SH[parameter]))
            found.append(LogicalConstraint(parameter, members))
    found.extend(NodeConstraint(_node(g, node, v, SH.node)) for v in values("node"))
    qualified = values("qualifiedValueShape")
    if qualified and is_property:
        low = _integer(g, node, SH.qualifiedMinCount)
        high = _integer(g, node, SH.qualifiedMaxCount)
        siblings: list[Node] = []
        if _boolean(g, node, SH.qualifiedValueShapesDisjoint):
            for parent in g.subjects(SH.property, node):
                for sibling in g.objects(parent, SH.property):
                    siblings.extend(_node(g, sibling, s, SH.qualifiedValueShape)
                                    for s in g.objects(sibling, SH.qualifiedValueShape))
        for value in qualified:
            shape = _node(g, node, value, SH.qualifiedValueShape)
            others = tuple(dict.fromkeys(s for s in siblings if s != shape))
            if low is not None:
                found.append(QualifiedConstraint(shape, low, None, others))
            if high is not None:
                found.append(QualifiedConstraint(shape, None, high, others))
    if _boolean(g, node, SH.closed):
        allowed = {p.predicate for p in (g.shape(v).path for v in g.objects(node, SH.property))
                   if p is not None and p.predicate is not None}
        for head in values("ignoredProperties"):
            for member in g.items(head, node, SH.ignoredProperties):
                if isinstance(member, ox.NamedNode):
                    allowed.add(member)
        found.append(ClosedConstraint(frozenset(allowed)))
    found.extend(HasValueConstraint(v) for v in values("hasValue"))
    for head in values("in"):
        found.append(InConstraint(tuple(g.items(head, node, SH["in"]))))
    return found


def _local_name(iri: str) -> str:
    """SHACL's local name of an IRI: the longest NCName at its end."""
    found = re.search(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*$", iri)
    return found.group(0) if found else ""


def _read_validator(g: Shapes, component: Term, predicate: ox.NamedNode) -> tuple[Validator | None, str | None]:
    """The component's validator for ``predicate`` (None when it has none), or why it cannot run."""
    nodes = g.objects(component, predicate)
    if not nodes:
        return None, None
    node = _node(g, component, nodes[0], predicate)
    select = g.value(node, SH.select)
    ask = g.value(node, SH.ask)
    messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, ox.Literal))
    if isinstance(select, ox.Literal):
        return Validator(node, "select", select.value, g.prefixes(node), messages), None
    if isinstance(ask, ox.Literal):
        return Validator(node, "ask", ask.value, g.prefixes(node), messages), None
    return None, f"the constraint component {short(component)} has a validator that is not " \
                 "SPARQL (JavaScript?)"


def _read_component(g: Shapes, node: ox.NamedNode) -> Component:
    parameters = []
    for value in g.objects(node, SH.parameter):
        path = g.value(value, SH.path)
        if not isinstance(path, ox.NamedNode):
            raise ShapesError(f"constraint component {short(node)}: each sh:parameter needs "
                              "one sh:path, an IRI")
        parameters.append(Parameter(path, _local_name(path.value), _boolean(g, value, SH.optional)))
    if not parameters:
        raise ShapesError(f"constraint component {short(node)} declares no sh:parameter")
    found: dict[str, Validator | None] = {}
    reasons = []
    for key, predicate in (("validator", SH.validator), ("node", SH.nodeValidator),
                           ("property", SH.propertyValidator)):
        found[key], why = _read_validator(g, node, predicate)
        if why:
            reasons.append(why)
    if found["validator"] is not None and found["validator"].kind != "ask":
        raise ShapesError(f"constraint component {short(node)}: sh:validator must be an "
                          "ASK validator (SELECT validators are node or property validators)")
    return Component(node, tuple(parameters), found["validator"], found["node"], found["property"],
                     tuple(m for m in g.objects(node, SH.message) if isinstance(m, ox.Literal)),
                     "; ".join(reasons) or None)


def _apply_component(g: Shapes, shape: Node, component: Component, is_property: bool,
                     unsupported: list[str]) -> list[CustomConstraint]:
    """The constraints a SPARQL-based component makes on ``shape``: one per combination of
    parameter values, none when a mandatory parameter has no value."""
    values: list[tuple[str, list[Term]]] = []
    for parameter in component.parameters:
        found = g.objects(shape, parameter.path)
        if not found and not parameter.optional:
            return []
        if found:
            values.append((parameter.name, found))
    chosen = (component.property_validator if is_property else component.node_validator) \
        or component.validator
    if chosen is None:
        if component.unsupported:
            unsupported.append(component.unsupported)
        return []  # no validator for this kind of shape: SHACL ignores the component here
    combinations: list[tuple[tuple[str, Term], ...]] = [()]
    for name, options in values:
        combinations = [(*done, (name, option)) for done in combinations for option in options]
    return [CustomConstraint(component, chosen, combination) for combination in combinations]


__all__ = ["Shapes", "Shape", "Path", "Targets", "Constraint", "SparqlConstraint", "Validator",
           "Component", "CustomConstraint", "Parameter", "load_file", "Term", "Node",
           "ClassConstraint", "DatatypeConstraint", "NodeKindConstraint", "MinCountConstraint",
           "MaxCountConstraint", "RangeConstraint", "LengthConstraint", "PatternConstraint",
           "LanguageInConstraint", "UniqueLangConstraint", "PairConstraint", "NotConstraint",
           "LogicalConstraint", "NodeConstraint", "QualifiedConstraint", "ClosedConstraint",
           "HasValueConstraint", "InConstraint", "SH_NS", "component_of", "RANGE_OPERATORS"]

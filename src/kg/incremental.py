"""Validating an addition: only the focus nodes it can affect, on the part of the graph they read.

A new statement ``(s, p, o)`` can change the validation result of a focus node
``f`` of a shape only if evaluating that shape on ``f`` reads the statement.
Reading follows the shape's property paths (forward, inverse, sequences,
alternatives, ``*``/``+``), nested shapes (``sh:node``, ``sh:property``,
``sh:and``/``or``/``xone``/``not``, ``sh:qualifiedValueShape``), ``rdf:type``
(``sh:class``, class targets), every property of a closed shape, and the triple
patterns of SPARQL constraints, connected to ``$this`` (the at-most-one-holder
check reads *other* holdings of the same post: ``$this kg:post ?post . ?other
kg:post ?post``). From the shapes this module derives, per shape with targets,
its **reach**: which predicates it follows in which direction, and how far.

Then, for an addition:

1. **affected focus nodes**: from each node at which a new statement is read,
   walk the reach backwards (as far as the shape reaches) and keep the shape's
   targets: the nodes whose result may change;
2. **neighbourhood**: from each affected focus node, walk the reach forwards and
   collect the statements met (every statement about every node met), plus the
   class hierarchy: all the shapes can read about those nodes;
3. the neighbourhood is validated, by the engine ``kg validate`` uses: the fast
   engine (:mod:`kg.shacl`) is given the affected nodes as its focus nodes;
   pySHACL validates every target it finds there and only the results about
   affected nodes are kept (the others' neighbourhoods are incomplete). The
   whole data is never copied: the walks read the source graphs and the
   ontology through :class:`UnionView`.

Results about nodes outside the affected set are unchanged by the addition, so
the full report after the addition is the report before it, with the affected
nodes' results replaced (``tests/test_add.py`` checks this against full
validation for every fixture).

When the shapes use something whose reach cannot be bounded (a SPARQL pattern
not connected to ``$this``, a SPARQL target, rules, node expressions, custom
constraint components) or the addition changes the schema (``rdfs:subClassOf``
...), the whole graph is validated instead, and the scope says why.

pySHACL's own ``focus_nodes`` option is not used: in 0.40 it also filters the
value nodes that ``sh:node`` / ``sh:not`` evaluate, so nested violations vanish.

The cost follows the addition, not the data: a 10-statement figure added to
the five shipped articles is validated in ~0.03 s (fast engine; full: ~0.13 s)
or ~0.1 s (pySHACL; full: ~1.8 s).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import weakref
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
from rdflib.term import Node

from .errors import KGError
from .load import KnowledgeGraph
from .namespaces import PREFIXES, bind_prefixes
from .report import ValidationReport

if TYPE_CHECKING:
    from .shacl import Shapes

__all__ = ["ShapeAnalysis", "Reach", "Scope", "validate_addition", "validate_full",
           "combined_graph", "result_keys", "shapes_of", "GraphProvenance"]

#: Stands for "any predicate" (closed shapes, SPARQL patterns with a variable predicate).
ANY = URIRef("urn:kg:incremental:any-predicate")
_PATH_PLACEHOLDER = URIRef("urn:kg:incremental:shape-path")

#: Statements that change what the shapes mean rather than what the data says.
SCHEMA_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                     OWL.equivalentClass, OWL.imports}


@dataclass
class Reach:
    """What a shape reads around its focus node: predicates per direction, and how far."""

    forward: set[URIRef] = field(default_factory=set)
    inverse: set[URIRef] = field(default_factory=set)
    depth: int | None = 0               #: None: unbounded (``*`` paths, recursive shapes)
    unbounded_reason: str | None = None  #: why it cannot be bounded at all (then: full validation)
    #: constants a SPARQL constraint reads whatever the focus node (``EXISTS { code:sector a
    #: skos:ConceptScheme }``): what the reach finds from them is read for every focus node
    anchors: set[Node] = field(default_factory=set)

    def reached(self, depth: int | None) -> None:
        if self.depth is None:
            return
        self.depth = None if depth is None else max(self.depth, depth)

    def everywhere(self, why: str) -> None:
        if self.unbounded_reason is None:
            self.unbounded_reason = why


@dataclass(frozen=True)
class Targets:
    classes: frozenset[Node]
    nodes: frozenset[Node]
    subjects_of: frozenset[Node]
    objects_of: frozenset[Node]


@dataclass(frozen=True)
class TopShape:
    shape: Node
    targets: Targets
    reach: Reach


_ANALYSES: dict[str, ShapeAnalysis] = {}
_TARGET_KINDS = ("classes", "nodes", "subjects_of", "objects_of")
#: The environment variable naming the folder kg keeps caches in.
CACHE_ENV = "KG_CACHE_DIR"


def cache_folder() -> Path | None:
    """Where kg keeps what it can compute again: ``$KG_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``; None when ``$KG_CACHE_DIR`` is ``off``."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given:
        return None if given.lower() == "off" else Path(given)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "kg"


def from_n3(text: str) -> Node:
    """An IRI or literal written by ``Node.n3()`` (the cache's notation)."""
    from rdflib.util import from_n3 as parse

    node = parse(text)
    if not isinstance(node, (URIRef, Literal)):
        raise ValueError(f"not an IRI or literal: {text}")
    return node


def _add(depth: int | None, length: int | None) -> int | None:
    return None if depth is None or length is None else depth + length


class ShapeAnalysis:
    """The reach of every shape with targets in a shapes graph (computed once, reused)."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.top: list[TopShape] = []
        self.full_reason: str | None = None
        self._prologue = self._prefixes()
        self._custom_parameters = {
            path for comp in shapes.subjects(RDF.type, SH.ConstraintComponent)
            for param in shapes.objects(comp, SH.parameter)
            for path in shapes.objects(param, SH.path)}
        for shape in self._targeted():
            reach = Reach()
            self._apply(shape, 0, reach, frozenset())
            if shapes.value(shape, SH.target) is not None:
                reach.everywhere("it has a SPARQL-based target (sh:target)")
            if reach.unbounded_reason and self.full_reason is None:
                self.full_reason = f"shape {_name(shapes, shape)}: {reach.unbounded_reason}"
            self.top.append(TopShape(shape, self._targets_of(shape), reach))
        if self.full_reason is None and any(True for _ in shapes.subjects(SH.rule, None)):
            self.full_reason = "the shapes hold SHACL rules (sh:rule), which change the data"

    @classmethod
    def of_files(cls, paths: Iterable[Path], shapes: Graph) -> ShapeAnalysis:
        """The analysis of ``shapes`` (read from ``paths``), reused while the files' bytes
        stay the same: the analysis parses every SPARQL constraint with rdflib, which takes
        most of a second. Reused within the process, and across processes through a file
        in the cache folder (:func:`cache_folder`), as Python reuses its ``.pyc`` files."""
        digest = hashlib.sha256(Path(__file__).read_bytes())  # this code, then the shapes
        for path in sorted(paths):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        key = digest.hexdigest()
        if key not in _ANALYSES:
            _ANALYSES[key] = cls._from_cache(key, shapes) or cls(shapes)._cached(key)
        return _ANALYSES[key]

    @classmethod
    def _from_cache(cls, key: str, shapes: Graph) -> ShapeAnalysis | None:
        folder = cache_folder()
        if folder is None:
            return None
        try:
            saved = json.loads((folder / f"shape-analysis-{key}.json").read_text("utf-8"))
            top = [TopShape(from_n3(t["shape"]),
                            Targets(*(frozenset(map(from_n3, t["targets"][k])) for k in _TARGET_KINDS)),
                            Reach({URIRef(str(from_n3(n))) for n in t["forward"]},
                                  {URIRef(str(from_n3(n))) for n in t["inverse"]},
                                  t["depth"], t["unbounded_reason"], set(map(from_n3, t["anchors"]))))
                   for t in saved["top"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # none yet, or unreadable: analyse again
        analysis = cls.__new__(cls)
        analysis.shapes, analysis.top, analysis.full_reason = shapes, top, saved["full_reason"]
        return analysis

    def _cached(self, key: str) -> ShapeAnalysis:
        """Save the analysis for the next process (not when it names blank nodes: their
        labels change from one parse to the next)."""
        folder = cache_folder()
        nodes = [n for t in self.top for n in (t.shape, *t.reach.anchors, *t.targets.nodes)]
        if folder is None or any(isinstance(n, BNode) for n in nodes):
            return self
        saved = {"full_reason": self.full_reason, "top": [{
            "shape": t.shape.n3(), "forward": sorted(n.n3() for n in t.reach.forward),
            "inverse": sorted(n.n3() for n in t.reach.inverse), "depth": t.reach.depth,
            "unbounded_reason": t.reach.unbounded_reason,
            "anchors": sorted(n.n3() for n in t.reach.anchors),
            "targets": {k: sorted(n.n3() for n in getattr(t.targets, k)) for k in _TARGET_KINDS},
        } for t in self.top]}
        target = folder / f"shape-analysis-{key}.json"
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temp.write_text(json.dumps(saved, indent=1), "utf-8")
            os.replace(temp, target)
        except OSError:
            temp.unlink(missing_ok=True)  # a read-only home: no cache, no harm
        return self

    # ----------------------------------------------------------------- shapes graph

    def _prefixes(self) -> dict[str, str]:
        found = dict(PREFIXES)
        for declaration in self.shapes.objects(None, SH.declare):
            prefix = self.shapes.value(declaration, SH.prefix)
            namespace = self.shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                found[str(prefix)] = str(namespace)
        return found

    def _prologue_for(self, query: str) -> str:
        # only the prefixes the query uses: rdflib's parser is slow on long prologues
        return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in self._prologue.items()
                       if re.search(rf"(?<![\w-]){re.escape(name)}:", query))

    def _targeted(self) -> list[Node]:
        g = self.shapes
        found: set[Node] = set()
        for prop in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                     SH.target):
            found.update(g.subjects(prop, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in g.subjects(RDF.type, kind):
                if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
                    found.add(shape)
        return sorted((s for s in found if not self._deactivated(s)), key=str)

    def _deactivated(self, shape: Node) -> bool:
        value = self.shapes.value(shape, SH.deactivated)
        return isinstance(value, Literal) and value.toPython() is True

    def _targets_of(self, shape: Node) -> Targets:
        g = self.shapes
        classes = set(g.objects(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
            classes.add(shape)
        return Targets(frozenset(classes), frozenset(g.objects(shape, SH.targetNode)),
                       frozenset(g.objects(shape, SH.targetSubjectsOf)),
                       frozenset(g.objects(shape, SH.targetObjectsOf)))

    def _list(self, node: Node | None) -> list[Node]:
        if node is None:
            return []
        return list(Collection(self.shapes, node))

    # ----------------------------------------------------------------- reach

    def _apply(self, shape: Node, depth: int | None, reach: Reach, stack: frozenset[Node]) -> None:
        """``shape`` applied to a node at ``depth`` from the focus node."""
        g = self.shapes
        if self._deactivated(shape):
            return
        if shape in stack:  # a recursive shape: no bound on how far it reads
            reach.reached(None)
            return
        stack = stack | {shape}
        reach.reached(depth)
        path = g.value(shape, SH.path)
        value_depth = depth
        if path is not None:
            value_depth = _add(depth, self._path(path, reach, inverse=False))
            reach.reached(value_depth)
        for prop in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for other in g.objects(shape, prop):
                if isinstance(other, URIRef):
                    reach.forward.add(other)
                    reach.reached(_add(depth, 1))
        closed = g.value(shape, SH.closed)
        if isinstance(closed, Literal) and closed.toPython() is True:
            reach.forward.add(ANY)
            reach.reached(_add(depth, 1))
        for constraint in g.objects(shape, SH.sparql):
            self._sparql(constraint, depth, path, reach)
        if (shape, SH.expression, None) in g or (shape, SH.rule, None) in g:
            reach.everywhere("it uses SHACL-AF node expressions or rules")
        if self._custom_parameters & set(g.predicates(shape, None)):
            reach.everywhere("it uses a custom (SPARQL-based) constraint component")
        # constraints on the value nodes (the node itself, for a node shape)
        nested = [*g.objects(shape, SH.node), *g.objects(shape, SH["not"]),
                  *g.objects(shape, SH.qualifiedValueShape)]
        for prop in (SH["and"], SH["or"], SH.xone):
            for members in g.objects(shape, prop):
                nested.extend(self._list(members))
        disjoint = g.value(shape, SH.qualifiedValueShapesDisjoint)
        if isinstance(disjoint, Literal) and disjoint.toPython() is True:
            for parent in g.subjects(SH.property, shape):
                for sibling in g.objects(parent, SH.property):
                    nested.extend(g.objects(sibling, SH.qualifiedValueShape))
        for inner in nested:
            self._apply(inner, value_depth, reach, stack)
        for prop_shape in g.objects(shape, SH.property):
            self._apply(prop_shape, value_depth if path is not None else depth, reach, stack)

    def _path(self, path: Node, reach: Reach, *, inverse: bool) -> int | None:
        """Record a SHACL property path's predicates; return its length (None: unbounded)."""
        g = self.shapes
        if isinstance(path, URIRef):
            (reach.inverse if inverse else reach.forward).add(path)
            return 1
        inner = g.value(path, SH.inversePath)
        if inner is not None:
            return self._path(inner, reach, inverse=not inverse)
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            lengths = [self._path(p, reach, inverse=inverse) for p in self._list(alternatives)]
            return None if None in lengths else max((n for n in lengths if n is not None),
                                                    default=0)
        for prop in (SH.zeroOrMorePath, SH.oneOrMorePath):
            inner = g.value(path, prop)
            if inner is not None:
                self._path(inner, reach, inverse=inverse)
                return None
        inner = g.value(path, SH.zeroOrOnePath)
        if inner is not None:
            return self._path(inner, reach, inverse=inverse)
        total: int | None = 0
        for step in self._list(path):  # a sequence path
            total = _add(total, self._path(step, reach, inverse=inverse))
        return total

    def _sparql(self, constraint: Node, depth: int | None, path: Node | None,
                reach: Reach) -> None:
        from rdflib.plugins.sparql import prepareQuery

        g = self.shapes
        if self._deactivated(constraint):
            return
        query = g.value(constraint, SH.select) or g.value(constraint, SH.ask)
        if query is None:
            reach.everywhere("a SPARQL constraint without sh:select or sh:ask")
            return
        text = str(query).replace("$PATH", f"<{_PATH_PLACEHOLDER}>")
        try:
            algebra = prepareQuery(self._prologue_for(text) + text).algebra
        except Exception as exc:  # a query pySHACL will reject too; be safe
            reach.everywhere(f"its SPARQL constraint does not parse here ({exc})")
            return
        patterns: list[tuple[Node, object, Node]] = []
        links: list[tuple[Node, Node]] = []
        flags: list[str] = []
        _collect(algebra, patterns, links, flags, top=True)
        if flags:
            reach.everywhere(f"its SPARQL constraint uses {flags[0]}")
            return
        lengths = [self.path_length(p, path) for _, p, _ in patterns]
        from_this = _distances({Variable("this")}, patterns, lengths, links)
        loose = [i for i, (s, _, o) in enumerate(patterns)
                 if s not in from_this or o not in from_this]
        anchors = {t for i in loose for t in (patterns[i][0], patterns[i][2])
                   if not isinstance(t, (Variable, Literal))}
        from_anchors = _distances(anchors, [patterns[i] for i in loose],
                                  [lengths[i] for i in loose], links)
        reach.anchors |= anchors
        for i, (s, p, o) in enumerate(patterns):
            distance = from_anchors if i in loose else from_this
            if s not in distance or o not in distance:
                reach.everywhere("a SPARQL pattern connected neither to $this nor to a constant")
                return
            ds, do = distance[s], distance[o]
            # read from the nearer end; at equal distances both ends are bound by other
            # patterns and the statement is among those about the subject (always read)
            if ds is None or do is None or ds <= do:
                self._sparql_path(p, path, reach, inverse=False)
            if ds is None or do is None or do < ds:
                self._sparql_path(p, path, reach, inverse=True)
            # walking the pattern from its nearer end reads this far
            nearer = None if ds is None or do is None else min(ds, do)
            reach.reached(_add(nearer if i in loose else _add(depth, nearer), lengths[i]))

    def _sparql_path(self, p: object, shape_path: Node | None, reach: Reach, *,
                     inverse: bool) -> int | None:
        if isinstance(p, Variable):
            (reach.inverse if inverse else reach.forward).add(ANY)
            return 1
        if p == _PATH_PLACEHOLDER:
            if shape_path is None:
                (reach.inverse if inverse else reach.forward).add(ANY)
                return 1
            return self._path(shape_path, reach, inverse=inverse)
        if isinstance(p, URIRef):
            (reach.inverse if inverse else reach.forward).add(p)
            return 1
        if isinstance(p, InvPath):
            return self._sparql_path(p.arg, shape_path, reach, inverse=not inverse)
        if isinstance(p, SequencePath):
            total: int | None = 0
            for step in p.args:
                total = _add(total, self._sparql_path(step, shape_path, reach, inverse=inverse))
            return total
        if isinstance(p, AlternativePath):
            lengths = [self._sparql_path(a, shape_path, reach, inverse=inverse) for a in p.args]
            return None if None in lengths else max((n for n in lengths if n is not None),
                                                    default=0)
        if isinstance(p, MulPath):
            length = self._sparql_path(p.path, shape_path, reach, inverse=inverse)
            return length if p.mod == "?" else None
        if isinstance(p, NegatedPath):
            reach.forward.add(ANY)
            reach.inverse.add(ANY)
            return 1
        reach.forward.add(ANY)
        reach.inverse.add(ANY)
        return None

    def path_length(self, p: object, shape_path: Node | None) -> int | None:
        return self._sparql_path(p, shape_path, Reach(), inverse=False)


def _name(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return f"<{node}>"
    return "(a blank-node shape)"


def _variables(node: object, found: set[Node]) -> None:
    if isinstance(node, Variable):
        found.add(node)
    elif isinstance(node, dict):
        for value in node.values():
            _variables(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _variables(value, found)


def _collect(node: object, patterns: list[tuple[Node, object, Node]],
             links: list[tuple[Node, Node]], flags: list[str], *, top: bool = False) -> None:
    """Triple patterns and variable-to-variable links of a SPARQL algebra tree."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        name = node.name
        if name in ("ServiceGraphPattern", "Service"):
            flags.append("SERVICE")
            return
        if not top and name == "ToMultiSet":  # a sub-select: only its projection is shared
            inner_patterns: list[tuple[Node, object, Node]] = []
            inner_links: list[tuple[Node, Node]] = []
            _collect(node.get("p"), inner_patterns, inner_links, flags, top=True)
            projected = set(_projection(node))

            def scoped(term: Node) -> Node:
                if isinstance(term, Variable) and term not in projected:
                    return Variable(f"{term}__in_subquery_{id(node)}")
                return term

            patterns.extend((scoped(a), scoped(b) if isinstance(b, Variable) else b, scoped(c))
                            for a, b, c in inner_patterns)
            links.extend((scoped(a), scoped(b)) for a, b in inner_links)
            return
        if not top and name in ("SelectQuery", "SubSelect"):
            flags.append("a sub-query")
            return
        if name in ("BGP", "TriplesBlock"):
            for triple in node.get("triples") or []:
                s, p, o = triple
                patterns.append((s, p, o))
        if name == "Extend":
            found: set[Node] = set()
            _variables(node.get("expr"), found)
            links.extend((node["var"], v) for v in found)
        if (name == "RelationalExpression" and node.get("op") == "=") or \
                name == "Builtin_sameTerm":
            found = set()
            _variables(node, found)
            ordered = sorted(found, key=str)
            links.extend(zip(ordered, ordered[1:]))
        for key, value in node.items():
            if key in ("triples", "_vars", "PV"):
                continue
            _collect(value, patterns, links, flags)
    elif isinstance(node, dict):
        for value in node.values():
            _collect(value, patterns, links, flags)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _collect(value, patterns, links, flags)


def _projection(node: object) -> list[Node]:
    """The variables a sub-select projects (its first Project's PV)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    todo = [node]
    while todo:
        current = todo.pop(0)
        if isinstance(current, CompValue):
            if current.name == "Project":
                return list(current.get("PV") or [])
            todo.extend(v for k, v in current.items() if k != "_vars")
    return []


def _distances(starts: set[Node], patterns: list[tuple[Node, object, Node]],
               lengths: list[int | None], links: list[tuple[Node, Node]]
               ) -> dict[Node, int | None]:
    """Shortest distance (in statements; None: unbounded) from ``starts`` to pattern terms.

    Only variables (and the starts) are walked through: a constant elsewhere in a
    pattern is a value to match, not a way on (it is read from the other end).
    """
    edges: dict[Node, list[tuple[Node, int | None]]] = {}
    for (s, _, o), length in zip(patterns, lengths):
        edges.setdefault(s, []).append((o, length))
        edges.setdefault(o, []).append((s, length))
    for a, b in links:
        edges.setdefault(a, []).append((b, 0))
        edges.setdefault(b, []).append((a, 0))
    distance: dict[Node, int | None] = {start: 0 for start in starts}
    changed = True
    while changed:  # Bellman-Ford on a tiny graph; a finite distance beats None (unbounded)
        changed = False
        for node, d in list(distance.items()):
            if node not in starts and not isinstance(node, Variable):
                continue
            for other, length in edges.get(node, []):
                candidate = _add(d, length)
                if other not in distance:
                    distance[other] = candidate
                    changed = True
                else:
                    current = distance[other]
                    if candidate is not None and (current is None or candidate < current):
                        distance[other] = candidate
                        changed = True
    return distance


# ---------------------------------------------------------------------- validating


@dataclass(frozen=True)
class Scope:
    """What a validation looked at."""

    mode: str                    #: "incremental" or "full"
    reason: str                  #: why full, or what the incremental run covered
    focus: frozenset[Node]       #: the affected focus nodes (every focus node when full)
    statements: int              #: statements handed to pySHACL
    seconds: float

    def describe(self) -> str:
        if self.mode == "full":
            return f"full validation ({self.reason}): {self.statements} statements, " \
                   f"{self.seconds:.2f} s"
        return (f"incremental validation: {len(self.focus)} affected focus node(s), "
                f"{self.statements} statements checked, {self.seconds:.2f} s")


def combined_graph(graph: KnowledgeGraph, ontology: Graph) -> Graph:
    """All statements of all graphs, and the ontology: what pySHACL sees in a full validation."""
    merged = graph.union()
    for triple in ontology:
        merged.add(triple)
    return merged


class UnionView:
    """All source graphs and the ontology, read as one graph, without copying them.

    Only the lookups the walks need; each triple is reported once even when
    several graphs state it.
    """

    def __init__(self, graph: KnowledgeGraph, ontology: Graph) -> None:
        self.dataset = graph.dataset
        self.ontology = ontology

    def triples(self, pattern: tuple[Node | None, Node | None, Node | None]
                ) -> Iterator[tuple[Node, Node, Node]]:
        seen: set[tuple[Node, Node, Node]] = set()
        # a store has the merge at hand (kg.storeview): each triple once, however many
        # graphs repeat it (a period is described in thousands of graphs)
        merged = getattr(self.dataset, "merged_triples", None)
        data = merged(pattern) if merged is not None else (
            (s, p, o) for s, p, o, _ in self.dataset.quads((*pattern, None)))
        for s, p, o in data:
            if (s, p, o) not in seen:
                seen.add((s, p, o))
                yield s, p, o
        for triple in self.ontology.triples(pattern):
            if triple not in seen:
                seen.add(triple)
                yield triple

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        return next(self.triples(triple), None) is not None

    def objects(self, s: Node, p: Node | None) -> Iterator[Node]:
        return (o for _, _, o in self.triples((s, p, None)))

    def subjects(self, p: Node | None, o: Node) -> Iterator[Node]:
        return (s for s, _, _ in self.triples((None, p, o)))

    def predicate_objects(self, s: Node) -> Iterator[tuple[Node, Node]]:
        return ((p, o) for _, p, o in self.triples((s, None, None)))

    def subject_predicates(self, o: Node) -> Iterator[tuple[Node, Node]]:
        return ((s, p) for s, p, _ in self.triples((None, None, o)))

    def subject_objects(self, p: Node) -> Iterator[tuple[Node, Node]]:
        return ((s, o) for s, _, o in self.triples((None, p, None)))


def _superclasses(graph: Graph | UnionView) -> dict[Node, set[Node]]:
    parents: dict[Node, set[Node]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        parents.setdefault(sub, set()).add(sup)
    closure: dict[Node, set[Node]] = {}

    def up(cls: Node) -> set[Node]:
        if cls in closure:
            return closure[cls]
        closure[cls] = {cls}
        todo, seen = [cls], {cls}
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closure[cls] = seen
        return seen

    for cls in list(parents):
        up(cls)
    return closure


def _is_target(node: Node, targets: Targets, graph: Graph | UnionView,
               supers: dict[Node, set[Node]]) -> bool:
    if node in targets.nodes:
        return True
    if targets.classes:
        for cls in graph.objects(node, RDF.type):
            if supers.get(cls, {cls}) & targets.classes:
                return True
    if any((node, p, None) in graph for p in targets.subjects_of):
        return True
    return any((None, p, node) in graph for p in targets.objects_of)


def _walk_back(graph: Graph | UnionView, starts: set[Node], reach: Reach) -> set[Node]:
    """Every node from which the reach can arrive at one of ``starts``."""
    seen = {n for n in starts if not isinstance(n, Literal)}
    frontier = set(seen)
    steps = 0
    while frontier and (reach.depth is None or steps < reach.depth):
        steps += 1
        found: set[Node] = set()
        for node in frontier:
            for p in reach.forward:
                found.update(graph.subjects(None if p == ANY else p, node))
            for p in reach.inverse:
                found.update(graph.objects(node, None if p == ANY else p))
        frontier = {n for n in found if n not in seen and not isinstance(n, Literal)}
        seen |= frontier
    return seen


def _walk_forward(graph: Graph | UnionView, start: Node, reach: Reach, into: Graph,
                  best: dict[Node, int], copied: set[Node]) -> None:
    """Copy into ``into`` every statement the reach can read from ``start``.

    ``best`` (shortest depth each node was expanded at, per shape) and ``copied``
    (nodes whose statements are already in ``into``) are shared between calls.
    """
    frontier = [start]
    depth = 0
    best[start] = 0
    while frontier:
        found: list[Node] = []
        for node in frontier:
            if node not in copied:  # everything said about a node met: types, closed shapes
                copied.add(node)
                for p, o in graph.predicate_objects(node):
                    into.add((node, p, o))
            if reach.depth is not None and depth >= reach.depth:
                continue
            for p in reach.forward:
                found.extend(o for o in graph.objects(node, None if p == ANY else p)
                             if not isinstance(o, Literal))
            for p in reach.inverse:
                pairs = graph.subject_predicates(node) if p == ANY else \
                    ((s, p) for s in graph.subjects(p, node))
                for s, q in pairs:
                    into.add((s, q, node))
                    found.append(s)
        depth += 1
        frontier = []
        for node in found:
            if best.get(node, depth + 1) > depth:  # not yet expanded from this close
                best[node] = depth
                frontier.append(node)


def validate_addition(graph: KnowledgeGraph, added: Iterable[tuple[Node, Node, Node]],
                      shapes: Graph, ontology: Graph, *, strict: bool = False,
                      analysis: ShapeAnalysis | None = None,
                      engine: str | None = None) -> tuple[ValidationReport, Scope]:
    """Validate ``graph`` (which already holds the ``added`` statements) where they matter.

    ``engine``: as :func:`kg.validate.validate` (default: the project's default engine).

    Raises:
        KGError: the shapes could not be run, or an unknown engine.
    """
    started = time.perf_counter()
    analysis = analysis or ShapeAnalysis(shapes)
    added = list(added)
    reason = analysis.full_reason
    if reason is None:
        schema = next((p for _, p, _ in added if p in SCHEMA_PREDICATES), None)
        if schema is not None:
            reason = f"the addition states {_name(shapes, schema)}, which changes the schema"
    if reason is not None:
        whole = combined_graph(graph, ontology)
        report = _run(whole, shapes, graph, None, strict, engine)
        return report, Scope("full", reason, frozenset(), len(whole),
                             time.perf_counter() - started)
    everything = UnionView(graph, ontology)

    supers = _superclasses(everything)
    affected: set[Node] = set()
    for top in analysis.top:
        reach = top.reach
        starts: set[Node] = set()
        for s, p, o in added:
            if p == RDF.type or p in reach.forward or ANY in reach.forward or \
                    p in top.targets.subjects_of:
                starts.add(s)
            if p in reach.inverse or ANY in reach.inverse or p in top.targets.objects_of:
                starts.add(o)
        for node in _walk_back(everything, starts, reach):
            if _is_target(node, top.targets, everything, supers):
                affected.add(node)

    neighbourhood = Graph()
    bind_prefixes(neighbourhood)
    for sub, sup in everything.subject_objects(RDFS.subClassOf):
        neighbourhood.add((sub, RDFS.subClassOf, sup))
    copied: set[Node] = set()
    for top in analysis.top:
        best: dict[Node, int] = {}
        for node in affected:
            if _is_target(node, top.targets, everything, supers):
                _walk_forward(everything, node, top.reach, neighbourhood, best, copied)
                for p in top.targets.objects_of:
                    for s in everything.subjects(p, node):
                        neighbourhood.add((s, p, node))
    report = _run(neighbourhood, shapes, graph, affected, strict, engine)
    return report, Scope("incremental", "", frozenset(affected), len(neighbourhood),
                         time.perf_counter() - started)


def validate_full(graph: KnowledgeGraph, shapes: Graph, ontology: Graph, *,
                  strict: bool = False, engine: str | None = None) -> ValidationReport:
    """The whole graph validated the same way (for comparison and measurement)."""
    return _run(combined_graph(graph, ontology), shapes, graph, None, strict, engine)


def _run(data: Graph, shapes: Graph, graph: KnowledgeGraph, focus: set[Node] | None,
         strict: bool, engine: str | None) -> ValidationReport:
    """``data`` validated by ``engine`` (:func:`kg.validate.validate`); with ``focus``, only
    those focus nodes.

    Sources and labels are read from ``graph`` (the whole data), not from ``data``.
    Glue until additions work on a store: ``data`` is copied into one.
    """
    from .terms import from_rdflib
    from .validate import validate

    store = ox.Store()
    store.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in data)
    return validate(store, shapes_of(shapes), strict=strict, engine=engine,
                    focus=None if focus is None else [from_rdflib(n) for n in focus],
                    provenance=GraphProvenance(graph, data))


_SHAPES: weakref.WeakKeyDictionary[Graph, tuple[int, Shapes]] = weakref.WeakKeyDictionary()


def shapes_of(graph: Graph) -> Shapes:
    """The shapes of an rdflib shapes graph, for :func:`kg.validate.validate` (once per graph)."""
    from .shacl import Shapes
    from .terms import from_rdflib

    cached = _SHAPES.get(graph)
    if cached is None or cached[0] != len(graph):
        store = ox.Store()
        store.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in graph)
        cached = _SHAPES[graph] = (len(graph), Shapes.from_store(store))
    return cached[1]


class GraphProvenance:
    """Labels from the validated ``data``, sources (and their files) from the whole ``graph``."""

    def __init__(self, graph: KnowledgeGraph, data: Graph) -> None:
        self.graph = graph
        self.data = data

    def label(self, term: object) -> str | None:
        from .terms import to_rdflib

        labels = {lit.language: str(lit) for lit in self.data.objects(to_rdflib(term), SKOS.prefLabel)
                  if isinstance(lit, Literal)}
        for lang in ("id", "en", None):
            if lang in labels:
                return labels[lang]
        return next(iter(labels.values()), None)

    def sources(self, term: object) -> tuple[str, ...]:
        from .terms import to_rdflib
        from .validate import relative

        node = to_rdflib(term)
        dataset = self.graph.dataset
        names = sorted({str(g) for _, _, _, g in dataset.quads((node, None, None, None))})
        if not names:
            names = sorted({str(g) for _, _, _, g in dataset.quads((None, None, node, None))})
        shown = []
        for name in names:
            origin = self.graph.origins.get(URIRef(name))
            shown.append(f"{name} ({relative(origin)})" if origin else name)
        return tuple(shown)


def result_keys(report: ValidationReport, focus: set[Node] | None = None) -> list[tuple[str, ...]]:
    """Results as comparable tuples (for tests: incremental == full): focus node, path
    (``_`` for a complex one), value, severity, message, component, shape (``_`` when blank),
    the terms written as N-Triples."""
    wanted = None if focus is None else {n.n3() for n in focus}
    keys = []
    for result in report.results:
        terms = result.terms
        if terms is None:
            continue

        def shown(term: object, blank: str = "_") -> str:
            if term is None:
                return ""
            return blank if isinstance(term, ox.BlankNode) else str(term)
        key = (str(terms.focus), shown(terms.path), shown(terms.value, str(terms.value)),
               str(terms.severity), result.message, str(terms.component), shown(terms.shape))
        if wanted is None or key[0] in wanted:
            keys.append(key)
    return sorted(keys)

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
   copy the statements met (every statement about every node met), plus the
   class hierarchy, into a small in-memory store: all the shapes can read
   about those nodes;
3. the neighbourhood is validated by :func:`kg.validate.validate` with the
   affected nodes as its focus nodes.

The walks read the graph's merged default graph (data and vocabulary, each
triple once) with the addition on top, by index lookups: the same code for a
graph in memory and a store of millions on disk, and the cost follows the
addition, not the data. Results about nodes outside the affected set are
unchanged by the addition, so the full report after the addition is the
report before it, with the affected nodes' results replaced
(``tests/test_add.py`` checks this against full validation for every fixture).

When the shapes use something whose reach cannot be bounded (a SPARQL pattern
not connected to ``$this``, a SPARQL target, rules, node expressions, custom
constraint components) or the addition changes the schema (``rdfs:subClassOf``
...), the whole graph is validated instead, and the scope says why.

The triple patterns of SPARQL constraints are read with rdflib's SPARQL parser
(the one Python parser that gives the algebra), once per version of the
shapes: the analysis is cached in ``~/.cache/kg`` (``KG_CACHE_DIR``; ``off``
disables it), so that ``kg add`` neither parses SPARQL nor imports rdflib again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import pyoxigraph as ox

from .prefixes import PREFIXES, prefix_lines
from .terms import DEFAULT_GRAPH, AnyTerm, Term, short

if TYPE_CHECKING:
    from .graph import KnowledgeGraph
    from .report import ValidationReport
    from .shacl import Shapes

__all__ = ["ShapeAnalysis", "Reach", "Scope", "validate_addition", "validate_whole"]

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST, RDF_REST, RDF_NIL = (ox.NamedNode(RDF + n) for n in ("first", "rest", "nil"))
SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
#: Stands for "any predicate" (closed shapes, SPARQL patterns with a variable predicate).
ANY = ox.NamedNode("urn:kg:reach:any-predicate")
_PATH_PLACEHOLDER = "urn:kg:reach:shape-path"

#: Statements that change what the shapes mean rather than what the data says.
SCHEMA_PREDICATES = frozenset(ox.NamedNode(i) for i in (
    RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range",
    OWL + "equivalentClass", OWL + "imports"))
#: The environment variable naming the folder kg keeps caches in.
CACHE_ENV = "KG_CACHE_DIR"


class Reach:
    """What a shape reads around its focus node: predicates per direction, and how far.

    (Plain classes and named tuples here, not dataclasses: importing ``dataclasses``
    cost ``kg add`` 18 ms of start-up.)
    """

    def __init__(self, forward: set[ox.NamedNode] | None = None,
                 inverse: set[ox.NamedNode] | None = None, depth: int | None = 0,
                 unbounded_reason: str | None = None,
                 anchors: set[AnyTerm] | None = None) -> None:
        self.forward = forward if forward is not None else set()
        self.inverse = inverse if inverse is not None else set()
        self.depth = depth                        #: None: unbounded (``*`` paths, recursive shapes)
        self.unbounded_reason = unbounded_reason  #: why it cannot be bounded (then: full validation)
        #: constants a SPARQL constraint reads whatever the focus node (``EXISTS { code:sector a
        #: skos:ConceptScheme }``): what the reach finds from them is read for every focus node
        self.anchors = anchors if anchors is not None else set()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reach) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def reached(self, depth: int | None) -> None:
        if self.depth is None:
            return
        self.depth = None if depth is None else max(self.depth, depth)

    def everywhere(self, why: str) -> None:
        if self.unbounded_reason is None:
            self.unbounded_reason = why


class Targets(NamedTuple):
    classes: frozenset[AnyTerm]
    nodes: frozenset[AnyTerm]
    subjects_of: frozenset[AnyTerm]
    objects_of: frozenset[AnyTerm]


_TARGET_KINDS = ("classes", "nodes", "subjects_of", "objects_of")


class TopShape(NamedTuple):
    shape: AnyTerm
    targets: Targets
    reach: Reach


def cache_folder() -> Path | None:
    """Where kg keeps what it can compute again: ``$KG_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``; None when ``$KG_CACHE_DIR`` is ``off``."""
    given = os.environ.get(CACHE_ENV, "").strip()
    if given:
        return None if given.lower() == "off" else Path(given)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "kg"


def _add(depth: int | None, length: int | None) -> int | None:
    return None if depth is None or length is None else depth + length


def _term(text: str) -> AnyTerm:
    """A term written in N-Triples (the cache's notation)."""
    if text.startswith("<") and text.endswith(">"):
        return ox.NamedNode(text[1:-1])
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    return next(iter(ox.parse(f"<urn:x> <urn:x> {text} .", ox.RdfFormat.N_TRIPLES))).object


class ShapesGraph:
    """Lookups in a shapes graph held by a pyoxigraph store (its default graph)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def objects(self, s: AnyTerm, p: ox.NamedNode) -> list[AnyTerm]:
        if isinstance(s, ox.Literal):
            return []
        return [q.object for q in self.store.quads_for_pattern(s, p, None, DEFAULT_GRAPH)]

    def value(self, s: AnyTerm, p: ox.NamedNode) -> AnyTerm | None:
        found = self.objects(s, p)
        return found[0] if found else None

    def subjects(self, p: ox.NamedNode, o: AnyTerm | None) -> list[AnyTerm]:
        return [q.subject for q in self.store.quads_for_pattern(None, p, o, DEFAULT_GRAPH)]

    def predicates(self, s: AnyTerm) -> set[ox.NamedNode]:
        if isinstance(s, ox.Literal):
            return set()
        return {q.predicate for q in self.store.quads_for_pattern(s, None, None, DEFAULT_GRAPH)}

    def has(self, s: AnyTerm, p: ox.NamedNode, o: AnyTerm) -> bool:
        return not isinstance(s, ox.Literal) and next(
            self.store.quads_for_pattern(s, p, o, DEFAULT_GRAPH), None) is not None

    def items(self, head: AnyTerm | None) -> list[AnyTerm]:
        """The members of an RDF list."""
        found: list[AnyTerm] = []
        seen: set[AnyTerm] = set()
        while head is not None and head != RDF_NIL and head not in seen:
            seen.add(head)
            first = self.value(head, RDF_FIRST)
            if first is not None:
                found.append(first)
            head = self.value(head, RDF_REST)
        return found

    def is_true(self, s: AnyTerm, p: ox.NamedNode) -> bool:
        value = self.value(s, p)
        return isinstance(value, ox.Literal) and value.value in ("true", "1")


class ShapeAnalysis:
    """The reach of every shape with targets in a shapes graph (computed once, reused)."""

    def __init__(self, shapes: ox.Store) -> None:
        g = self.g = ShapesGraph(shapes)
        self.top: list[TopShape] = []
        self.full_reason: str | None = None
        self._prologue = self._prefixes()
        self._custom_parameters = {
            path for comp in g.subjects(RDF_TYPE, _sh("ConstraintComponent"))
            for param in g.objects(comp, _sh("parameter"))
            for path in g.objects(param, _sh("path"))}
        for shape in self._targeted():
            reach = Reach()
            self._apply(shape, 0, reach, frozenset())
            if g.value(shape, _sh("target")) is not None:
                reach.everywhere("it has a SPARQL-based target (sh:target)")
            if reach.unbounded_reason and self.full_reason is None:
                self.full_reason = f"shape {short(shape)}: {reach.unbounded_reason}"
            self.top.append(TopShape(shape, self._targets_of(shape), reach))
        if self.full_reason is None and g.subjects(_sh("rule"), None):
            self.full_reason = "the shapes hold SHACL rules (sh:rule), which change the data"

    @classmethod
    def of_files(cls, paths: Iterable[Path], shapes: ox.Store) -> ShapeAnalysis:
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
    def _from_cache(cls, key: str, shapes: ox.Store) -> ShapeAnalysis | None:
        folder = cache_folder()
        if folder is None:
            return None
        try:
            saved = json.loads((folder / f"shape-analysis-{key}.json").read_text("utf-8"))
            top = [TopShape(_term(t["shape"]),
                            Targets(*(frozenset(map(_term, t["targets"][k])) for k in _TARGET_KINDS)),
                            Reach({ox.NamedNode(n) for n in t["forward"]},
                                  {ox.NamedNode(n) for n in t["inverse"]},
                                  t["depth"], t["unbounded_reason"], set(map(_term, t["anchors"]))))
                   for t in saved["top"]]
        except (OSError, ValueError, KeyError, TypeError, SyntaxError, StopIteration):
            return None  # none yet, or unreadable: analyse again
        analysis = cls.__new__(cls)
        analysis.g, analysis.top, analysis.full_reason = ShapesGraph(shapes), top, saved["full_reason"]
        return analysis

    def _cached(self, key: str) -> ShapeAnalysis:
        """Save the analysis for the next process (not when it names blank nodes: their
        labels change from one parse to the next)."""
        folder = cache_folder()
        nodes = [n for t in self.top for n in (t.shape, *t.reach.anchors, *t.targets.nodes)]
        if folder is None or any(isinstance(n, ox.BlankNode) for n in nodes):
            return self
        saved = {"full_reason": self.full_reason, "top": [{
            "shape": str(t.shape), "forward": sorted(n.value for n in t.reach.forward),
            "inverse": sorted(n.value for n in t.reach.inverse), "depth": t.reach.depth,
            "unbounded_reason": t.reach.unbounded_reason,
            "anchors": sorted(str(n) for n in t.reach.anchors),
            "targets": {k: sorted(str(n) for n in getattr(t.targets, k)) for k in _TARGET_KINDS},
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
        declarations = [q.object for q in self.g.store.quads_for_pattern(
            None, _sh("declare"), None, DEFAULT_GRAPH)]
        for declaration in declarations:
            prefix = self.g.value(declaration, _sh("prefix"))
            namespace = self.g.value(declaration, _sh("namespace"))
            if isinstance(prefix, ox.Literal) and isinstance(namespace, (ox.Literal, ox.NamedNode)):
                found[prefix.value] = namespace.value
        return found

    def _prologue_for(self, query: str) -> str:
        import re

        # only the prefixes the query uses: rdflib's parser is slow on long prologues
        return prefix_lines((name, iri) for name, iri in self._prologue.items()
                            if re.search(rf"(?<![\w-]){re.escape(name)}:", query))

    def _implicit_class(self, shape: AnyTerm) -> bool:
        return any(self.g.has(shape, RDF_TYPE, ox.NamedNode(c)) for c in
                   (RDFS + "Class", OWL + "Class"))

    def _targeted(self) -> list[AnyTerm]:
        g = self.g
        found: set[AnyTerm] = set()
        for name in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf",
                     "target"):
            found.update(g.subjects(_sh(name), None))
        for kind in ("NodeShape", "PropertyShape"):
            found.update(s for s in g.subjects(RDF_TYPE, _sh(kind)) if self._implicit_class(s))
        return sorted((s for s in found if not g.is_true(s, _sh("deactivated"))), key=str)

    def _targets_of(self, shape: AnyTerm) -> Targets:
        g = self.g
        classes = set(g.objects(shape, _sh("targetClass")))
        if self._implicit_class(shape):
            classes.add(shape)
        return Targets(frozenset(classes), frozenset(g.objects(shape, _sh("targetNode"))),
                       frozenset(g.objects(shape, _sh("targetSubjectsOf"))),
                       frozenset(g.objects(shape, _sh("targetObjectsOf"))))

    # ----------------------------------------------------------------- reach

    def _apply(self, shape: AnyTerm, depth: int | None, reach: Reach, stack: frozenset[AnyTerm]) -> None:
        """``shape`` applied to a node at ``depth`` from the focus node."""
        g = self.g
        if g.is_true(shape, _sh("deactivated")):
            return
        if shape in stack:  # a recursive shape: no bound on how far it reads
            reach.reached(None)
            return
        stack = stack | {shape}
        reach.reached(depth)
        path = g.value(shape, _sh("path"))
        value_depth = depth
        if path is not None:
            value_depth = _add(depth, self._path(path, reach, inverse=False))
            reach.reached(value_depth)
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in g.objects(shape, _sh(name)):
                if isinstance(other, ox.NamedNode):
                    reach.forward.add(other)
                    reach.reached(_add(depth, 1))
        if g.is_true(shape, _sh("closed")):
            reach.forward.add(ANY)
            reach.reached(_add(depth, 1))
        for constraint in g.objects(shape, _sh("sparql")):
            self._sparql(constraint, depth, path, reach)
        if g.objects(shape, _sh("expression")) or g.objects(shape, _sh("rule")):
            reach.everywhere("it uses SHACL-AF node expressions or rules")
        if self._custom_parameters & g.predicates(shape):
            reach.everywhere("it uses a custom (SPARQL-based) constraint component")
        # constraints on the value nodes (the node itself, for a node shape)
        nested = [*g.objects(shape, _sh("node")), *g.objects(shape, _sh("not")),
                  *g.objects(shape, _sh("qualifiedValueShape"))]
        for name in ("and", "or", "xone"):
            for members in g.objects(shape, _sh(name)):
                nested.extend(g.items(members))
        if g.is_true(shape, _sh("qualifiedValueShapesDisjoint")):
            for parent in g.subjects(_sh("property"), shape):
                for sibling in g.objects(parent, _sh("property")):
                    nested.extend(g.objects(sibling, _sh("qualifiedValueShape")))
        for inner in nested:
            self._apply(inner, value_depth, reach, stack)
        for prop_shape in g.objects(shape, _sh("property")):
            self._apply(prop_shape, value_depth if path is not None else depth, reach, stack)

    def _path(self, path: AnyTerm, reach: Reach, *, inverse: bool) -> int | None:
        """Record a SHACL property path's predicates; return its length (None: unbounded)."""
        g = self.g
        if isinstance(path, ox.NamedNode):
            (reach.inverse if inverse else reach.forward).add(path)
            return 1
        inner = g.value(path, _sh("inversePath"))
        if inner is not None:
            return self._path(inner, reach, inverse=not inverse)
        alternatives = g.value(path, _sh("alternativePath"))
        if alternatives is not None:
            lengths = [self._path(p, reach, inverse=inverse) for p in g.items(alternatives)]
            return None if None in lengths else max((n for n in lengths if n is not None),
                                                    default=0)
        for name in ("zeroOrMorePath", "oneOrMorePath"):
            inner = g.value(path, _sh(name))
            if inner is not None:
                self._path(inner, reach, inverse=inverse)
                return None
        inner = g.value(path, _sh("zeroOrOnePath"))
        if inner is not None:
            return self._path(inner, reach, inverse=inverse)
        total: int | None = 0
        for step in g.items(path):  # a sequence path
            total = _add(total, self._path(step, reach, inverse=inverse))
        return total

    def _sparql(self, constraint: AnyTerm, depth: int | None, path: AnyTerm | None,
                reach: Reach) -> None:
        from rdflib.plugins.sparql import prepareQuery

        g = self.g
        if g.is_true(constraint, _sh("deactivated")):
            return
        query = g.value(constraint, _sh("select")) or g.value(constraint, _sh("ask"))
        if not isinstance(query, ox.Literal):
            reach.everywhere("a SPARQL constraint without sh:select or sh:ask")
            return
        text = query.value.replace("$PATH", f"<{_PATH_PLACEHOLDER}>")
        try:
            algebra = prepareQuery(self._prologue_for(text) + text).algebra
        except Exception as exc:  # a query the validator will reject too; be safe
            reach.everywhere(f"its SPARQL constraint does not parse here ({exc})")
            return
        patterns: list[tuple[Any, Any, Any]] = []
        links: list[tuple[Any, Any]] = []
        flags: list[str] = []
        _collect(algebra, patterns, links, flags, top=True)
        if flags:
            reach.everywhere(f"its SPARQL constraint uses {flags[0]}")
            return
        from rdflib import Literal, Variable

        from .terms import from_rdflib

        lengths = [self.path_length(p, path) for _, p, _ in patterns]
        from_this = _distances({Variable("this")}, patterns, lengths, links)
        loose = [i for i, (s, _, o) in enumerate(patterns)
                 if s not in from_this or o not in from_this]
        anchors = {t for i in loose for t in (patterns[i][0], patterns[i][2])
                   if not isinstance(t, (Variable, Literal))}
        from_anchors = _distances(anchors, [patterns[i] for i in loose],
                                  [lengths[i] for i in loose], links)
        reach.anchors |= {from_rdflib(a) for a in anchors}
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

    def _sparql_path(self, p: Any, shape_path: AnyTerm | None, reach: Reach, *,
                     inverse: bool) -> int | None:
        from rdflib import URIRef, Variable
        from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

        if isinstance(p, Variable):
            (reach.inverse if inverse else reach.forward).add(ANY)
            return 1
        if isinstance(p, URIRef) and str(p) == _PATH_PLACEHOLDER:
            if shape_path is None:
                (reach.inverse if inverse else reach.forward).add(ANY)
                return 1
            return self._path(shape_path, reach, inverse=inverse)
        if isinstance(p, URIRef):
            (reach.inverse if inverse else reach.forward).add(ox.NamedNode(str(p)))
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

    def path_length(self, p: Any, shape_path: AnyTerm | None) -> int | None:
        return self._sparql_path(p, shape_path, Reach(), inverse=False)


_ANALYSES: dict[str, ShapeAnalysis] = {}


def _variables(node: object, found: set[Any]) -> None:
    from rdflib import Variable

    if isinstance(node, Variable):
        found.add(node)
    elif isinstance(node, dict):
        for value in node.values():
            _variables(value, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _variables(value, found)


def _collect(node: object, patterns: list[tuple[Any, Any, Any]],
             links: list[tuple[Any, Any]], flags: list[str], *, top: bool = False) -> None:
    """Triple patterns and variable-to-variable links of an rdflib SPARQL algebra tree."""
    from rdflib import Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        name = node.name
        if name in ("ServiceGraphPattern", "Service"):
            flags.append("SERVICE")
            return
        if not top and name == "ToMultiSet":  # a sub-select: only its projection is shared
            inner_patterns: list[tuple[Any, Any, Any]] = []
            inner_links: list[tuple[Any, Any]] = []
            _collect(node.get("p"), inner_patterns, inner_links, flags, top=True)
            projected = set(_projection(node))

            def scoped(term: Any) -> Any:
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
            found: set[Any] = set()
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


def _projection(node: object) -> list[Any]:
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


def _distances(starts: set[Any], patterns: list[tuple[Any, Any, Any]],
               lengths: list[int | None], links: list[tuple[Any, Any]]) -> dict[Any, int | None]:
    """Shortest distance (in statements; None: unbounded) from ``starts`` to pattern terms.

    Only variables (and the starts) are walked through: a constant elsewhere in a
    pattern is a value to match, not a way on (it is read from the other end).
    """
    from rdflib import Variable

    edges: dict[Any, list[tuple[Any, int | None]]] = {}
    for (s, _, o), length in zip(patterns, lengths):
        edges.setdefault(s, []).append((o, length))
        edges.setdefault(o, []).append((s, length))
    for a, b in links:
        edges.setdefault(a, []).append((b, 0))
        edges.setdefault(b, []).append((a, 0))
    distance: dict[Any, int | None] = {start: 0 for start in starts}
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


class Scope(NamedTuple):
    """What a validation looked at."""

    mode: str                    #: "incremental" or "full"
    reason: str                  #: why full, or what the incremental run covered
    focus: frozenset[AnyTerm]       #: the affected focus nodes (every focus node when full)
    statements: int              #: statements validated
    seconds: float

    def describe(self) -> str:
        if self.mode == "full":
            return f"full validation ({self.reason}): {self.statements} statements, " \
                   f"{self.seconds:.2f} s"
        return (f"incremental validation: {len(self.focus)} affected focus node(s), "
                f"{self.statements} statements checked, {self.seconds:.2f} s")


class WithAddition:
    """The graph's merged default graph with an addition on top, read by index lookups.

    A pattern's answer is kept for the validation: the walks of every shape ask about
    the same few nodes again and again (the nodes are few; each answer small).
    """

    def __init__(self, graph: KnowledgeGraph, added: Iterable[ox.Quad]) -> None:
        self.graph = graph
        self.added = ox.Store()
        self.added.extend(ox.Quad(q.subject, q.predicate, q.object) for q in added)
        self._answers: dict[tuple[Any, Any, Any], list[ox.Quad]] = {}

    def triples(self, s: AnyTerm | None, p: ox.NamedNode | None, o: AnyTerm | None
                ) -> Iterator[ox.Quad]:
        if isinstance(s, ox.Literal):
            return iter(())
        key = (s, p, o)
        found = self._answers.get(key)
        if found is None:
            found = list(self.graph.triples(s, p, o))
            found += [q for q in self.added.quads_for_pattern(s, p, o, DEFAULT_GRAPH)
                      if q not in self.graph.store]
            if s is not None or o is not None:  # whole-graph scans are asked once: not kept
                self._answers[key] = found
        return iter(found)

    def objects(self, s: AnyTerm, p: ox.NamedNode | None) -> Iterator[AnyTerm]:
        return (q.object for q in self.triples(s, p, None))

    def subjects(self, p: ox.NamedNode | None, o: AnyTerm) -> Iterator[AnyTerm]:
        return (q.subject for q in self.triples(None, p, o))

    def has(self, s: AnyTerm, p: ox.NamedNode | None, o: AnyTerm | None) -> bool:
        return next(self.triples(s, p, o), None) is not None


def _superclasses(view: WithAddition) -> dict[AnyTerm, set[AnyTerm]]:
    parents: dict[AnyTerm, set[AnyTerm]] = {}
    for quad in view.triples(None, SUBCLASS_OF, None):
        parents.setdefault(quad.subject, set()).add(quad.object)
    closure: dict[AnyTerm, set[AnyTerm]] = {}
    for cls in list(parents):
        seen, todo = {cls}, [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closure[cls] = seen
    return closure


def _is_target(node: AnyTerm, targets: Targets, view: WithAddition,
               supers: dict[AnyTerm, set[AnyTerm]]) -> bool:
    if node in targets.nodes:
        return True
    if targets.classes:
        for cls in view.objects(node, RDF_TYPE):
            if supers.get(cls, {cls}) & targets.classes:
                return True
    if any(view.has(node, p, None) for p in targets.subjects_of):  # type: ignore[arg-type]
        return True
    return any(view.has(None, p, node) for p in targets.objects_of)  # type: ignore[arg-type]


def _walk_back(view: WithAddition, starts: set[AnyTerm], reach: Reach) -> set[AnyTerm]:
    """Every node from which the reach can arrive at one of ``starts``."""
    seen: set[AnyTerm] = {n for n in starts if not isinstance(n, ox.Literal)}
    frontier = set(seen)
    steps = 0
    while frontier and (reach.depth is None or steps < reach.depth):
        steps += 1
        found: set[AnyTerm] = set()
        for node in frontier:
            for p in reach.forward:
                found.update(view.subjects(None if p == ANY else p, node))
            for p in reach.inverse:
                found.update(view.objects(node, None if p == ANY else p))
        frontier = {n for n in found if n not in seen and not isinstance(n, ox.Literal)}
        seen |= frontier
    return seen


def _walk_forward(view: WithAddition, start: AnyTerm, reach: Reach, into: list[ox.Quad],
                  best: dict[AnyTerm, int], copied: set[AnyTerm]) -> None:
    """Copy into ``into`` every statement the reach can read from ``start``.

    ``best`` (shortest depth each node was expanded at, per shape) and ``copied``
    (nodes whose statements are already in ``into``) are shared between calls.
    """
    frontier = [start]
    depth = 0
    best[start] = 0
    while frontier:
        found: list[AnyTerm] = []
        for node in frontier:
            if node not in copied:  # everything said about a node met: types, closed shapes
                copied.add(node)
                into.extend(view.triples(node, None, None))
            if reach.depth is not None and depth >= reach.depth:
                continue
            for p in reach.forward:
                found.extend(o for o in view.objects(node, None if p == ANY else p)
                             if not isinstance(o, ox.Literal))
            for p in reach.inverse:
                for quad in view.triples(None, None if p == ANY else p, node):
                    into.append(quad)
                    found.append(quad.subject)
        depth += 1
        frontier = []
        for node in found:
            if best.get(node, depth + 1) > depth:  # not yet expanded from this close
                best[node] = depth
                frontier.append(node)


class Provenance:
    """Labels and sources for a report on a neighbourhood: read from the whole graph and the
    addition, not from the neighbourhood."""

    def __init__(self, graph: KnowledgeGraph, added: list[ox.Quad]) -> None:
        self.graph = graph
        self.added = added

    def label(self, node: AnyTerm) -> str | None:
        found = self.graph.label(node)
        if found is not None:
            return found
        labels = {q.object.language: q.object.value for q in self.added
                  if q.subject == node and q.predicate.value.endswith("core#prefLabel")
                  and isinstance(q.object, ox.Literal)}
        return next((labels[lang] for lang in ("id", "en", None) if lang in labels),
                    next(iter(labels.values()), None))

    def sources(self, node: AnyTerm) -> tuple[str, ...]:
        from .validate import relative

        vocabulary = set(self.graph.vocabulary_graphs())
        names = {q.graph_name for q in self.graph.quads(node)} | \
            {q.graph_name for q in self.added if q.subject == node}
        if not names:
            names = {q.graph_name for q in self.graph.quads(None, None, node)} | \
                {q.graph_name for q in self.added if q.object == node}
        shown = []
        for name in sorted((n for n in names if isinstance(n, ox.NamedNode)
                            and n not in vocabulary), key=lambda n: n.value):
            origin = self.graph.origin(name)
            shown.append(f"{name.value} ({relative(origin)})" if origin else name.value)
        return tuple(shown)


def validate_addition(graph: KnowledgeGraph, added: list[ox.Quad], shapes: Shapes, *,
                      strict: bool = False, analysis: ShapeAnalysis | None = None,
                      engine: str | None = None) -> tuple[ValidationReport, Scope]:
    """Validate ``graph`` with the ``added`` statements (not yet in it) where they matter.

    ``engine``: as :func:`kg.validate.validate`.

    Raises:
        KGError: the shapes could not be run, or an unknown engine.
    """
    from .validate import validate

    started = time.perf_counter()
    analysis = analysis or ShapeAnalysis(shapes.store)
    reason = analysis.full_reason
    if reason is None:
        schema = next((q.predicate for q in added if q.predicate in SCHEMA_PREDICATES), None)
        if schema is not None:
            reason = f"the addition states {short(schema)}, which changes the schema"
    view = WithAddition(graph, added)
    provenance = Provenance(graph, added)
    if reason is not None:
        whole = ox.Store()
        whole.bulk_extend(graph.triples())
        whole.extend(ox.Quad(q.subject, q.predicate, q.object) for q in added)
        report = validate(whole, shapes, strict=strict, engine=engine, provenance=provenance)
        return report, Scope("full", reason, frozenset(), len(whole),
                             time.perf_counter() - started)
    supers = _superclasses(view)
    affected: set[AnyTerm] = set()
    triples = [(q.subject, q.predicate, q.object) for q in added]
    for top in analysis.top:
        reach = top.reach
        starts: set[AnyTerm] = set()
        for s, p, o in triples:
            if p == RDF_TYPE or p in reach.forward or ANY in reach.forward or \
                    p in top.targets.subjects_of:
                starts.add(s)
            if p in reach.inverse or ANY in reach.inverse or p in top.targets.objects_of:
                starts.add(o)
        for node in _walk_back(view, starts, reach):
            if _is_target(node, top.targets, view, supers):
                affected.add(node)
    neighbourhood: list[ox.Quad] = list(view.triples(None, SUBCLASS_OF, None))
    copied: set[AnyTerm] = set()
    for top in analysis.top:
        best: dict[AnyTerm, int] = {}
        for node in affected:
            if _is_target(node, top.targets, view, supers):
                _walk_forward(view, node, top.reach, neighbourhood, best, copied)
                for target in top.targets.objects_of:
                    neighbourhood.extend(view.triples(None, cast(ox.NamedNode, target), node))
    store = ox.Store()
    store.extend(neighbourhood)
    report = validate(store, shapes, strict=strict, focus=cast("set[Term]", affected),
                      engine=engine, provenance=provenance)
    return report, Scope("incremental", "", frozenset(affected), len(store),
                         time.perf_counter() - started)


def validate_whole(graph: KnowledgeGraph, added: list[ox.Quad], shapes: Shapes, *,
                   strict: bool = False, engine: str | None = None) -> ValidationReport:
    """The graph with the addition validated as a whole (for comparison and measurement)."""
    from .validate import validate

    whole = ox.Store()
    whole.bulk_extend(graph.triples())
    whole.extend(ox.Quad(q.subject, q.predicate, q.object) for q in added)
    return validate(whole, shapes, strict=strict, engine=engine,
                    provenance=Provenance(graph, added))

"""Running the shapes on a pyoxigraph Store: the queries, and the results they yield.

:class:`Engine` validates the **default graph** of a store against a
:class:`~kg.shacl.shapes.Shapes` graph and returns :class:`Outcome`: the
results (as :class:`~kg.report.ResultTerms`) and the shapes it handed back
because it cannot run them (:mod:`kg.validate` runs those with pySHACL).

A shape is run on a :class:`~kg.shacl.compile.Focus` (its targets in the
whole graph, or given focus nodes), all its focus nodes at once, together
with the shapes that share them (a node shape and its property shapes:
:meth:`_Run.group`). Each query walks from the focus nodes (a LATERAL join)
along a union with a branch per property shape:

- one grouped query **counts** (``sh:minCount``, ``sh:maxCount``,
  ``sh:hasValue``, qualified counts) and **screens** the values with the
  value tests that need no class join (``sh:datatype``, ``sh:in``,
  ``sh:pattern``, ``sh:or`` of inlined shapes ...) and ``sh:uniqueLang``;
  only when the screen finds a failing value does a second query say which
  (valid data, the common case at scale, is walked once);
- **class tests** depend on the value only: they run on the distinct values
  of each path, joined with the instances of each class;
- ``sh:equals``, ``sh:disjoint``, ``sh:lessThan(OrEquals)`` and ``sh:closed``
  are a query each;
- a shape used inside another that cannot be inlined as an expression
  (it has property shapes, SPARQL, or is recursive) is **validated on the
  value nodes** themselves, and a value conforms when that yields no result;
  what a node's conformance to a shape is, is remembered for the run (a
  node being decided is taken to conform: recursion stops there, as in
  pySHACL);
- **SHACL-SPARQL** (``sh:sparql``, SPARQL-based constraint components) runs
  the user's query as the right side of a LATERAL join from the focus nodes,
  which pre-binds ``$this`` as SHACL says (:mod:`kg.shacl.sparql`); an ASK
  validator becomes ``FILTER NOT EXISTS`` over the value nodes.

On a store that also holds named graphs, class tests and SHACL-SPARQL over all
focus nodes run on a copy of the default graph restricted to the predicates
they name (:meth:`_Run.store_for` says why).

Given focus nodes (``kg add``), a shape runs on those that are its targets
(found by index lookups), and class tests look each value up instead of
joining whole classes: the cost follows the focus nodes, not the graph. A
blank focus node cannot be named in a query: its shapes run on the whole
graph, and the results about it are kept.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import pyoxigraph as ox

from ..errors import KGError, ShapesError
from ..prefixes import prefix_lines
from ..report import ResultTerms
from ..terms import short
from .sparql import check, fill, group_of_ask, predicates, split_prologue, substitute, uses
from .compile import (FUNCTIONS, Compiler, Context, Focus, Hierarchy, Names, NodesFocus,
                      TargetFocus, ValuesFocus, one_of, string, text)
from .shapes import (ClassConstraint, ClosedConstraint, Constraint, CustomConstraint,
                     DatatypeConstraint, HasValueConstraint, InConstraint, LanguageInConstraint,
                     LengthConstraint, LogicalConstraint, MaxCountConstraint, MinCountConstraint,
                     NodeConstraint, NodeKindConstraint, NotConstraint, PairConstraint, Path,
                     PatternConstraint, QualifiedConstraint, RangeConstraint, Shape, Shapes,
                     SparqlConstraint, Term, UniqueLangConstraint, component_of)
from .vocab import DEFAULT_GRAPH, RDF, SH

#: Constraints judged value by value (on a node shape also sh:hasValue, the node itself).
VALUE_TESTS = (ClassConstraint, DatatypeConstraint, NodeKindConstraint, RangeConstraint,
               LengthConstraint, PatternConstraint, LanguageInConstraint, InConstraint,
               NodeConstraint, NotConstraint, LogicalConstraint)
_PREBOUND = {"this", "currentShape", "shapesGraph"}
_IRI = re.compile(r"<([^<>\"\s]*)>")
#: The name of the shapes graph beside the data, for queries that read it ($shapesGraph).
SHAPES_GRAPH = ox.NamedNode("urn:kg:shacl:shapes-graph")


class Unsupported(Exception):
    """A shape the engine cannot run; the message says why (pySHACL runs it instead)."""


class Outcome:
    """What a run found, and which shapes it left to the reference implementation."""

    def __init__(self) -> None:
        self.results: list[ResultTerms] = []
        #: the targeted shapes not run, each with why
        self.fallback: list[tuple[Shape, list[str]]] = []


class Engine:
    """The shapes of one shapes graph, read once; :meth:`run` validates a store with them.

    >>> shapes = Shapes.from_text('''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ...     ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .''')
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("http://example.org/a"), RDF.type,
    ...                   ox.NamedNode("http://example.org/C")))
    >>> [short(r.component) for r in Engine(shapes).run(store).results]
    ['sh:MinCountConstraintComponent']
    """

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self.compiler = Compiler(shapes)
        self._patterns: dict[tuple[str, str], bool] = {}
        self._predicates: dict[str, set[str] | None] = {}

    @classmethod
    def of(cls, shapes: Shapes) -> Engine:
        """The engine of a shapes graph, made once per :class:`Shapes` (what it read and
        compiled is kept for the next run: ``kg add`` validates many times)."""
        engine = _ENGINES.get(shapes)
        if engine is None:
            engine = _ENGINES[shapes] = cls(shapes)
        return engine

    def run(self, store: ox.Store, *, focus: Iterable[Term] | None = None) -> Outcome:
        """Validate the default graph of ``store``; with ``focus``, only those focus nodes.

        Raises:
            ShapesError: the shapes are ill-formed, or a SHACL-SPARQL query breaks SHACL's
                rules or reports a failure.
            KGError: a query the engine wrote fails (a bug: the message holds the query).
        """
        return _Run(self, store, None if focus is None else list(dict.fromkeys(focus))).run()

    def predicates(self, query: str) -> set[str] | None:
        """:func:`kg.shacl.sparql.predicates` of a query of the shapes graph (read once)."""
        if query not in self._predicates:
            self._predicates[query] = predicates(query, {}) if query else set()
        return self._predicates[query]

    def pattern_ok(self, store: ox.Store, pattern: str, flags: str) -> bool:
        """Whether pyoxigraph reads ``pattern`` as a regular expression (else REGEX is an error)."""
        key = (pattern, flags)
        if key not in self._patterns:
            answer = store.query(f"SELECT (REGEX(\"\", {string(pattern)}, {string(flags)}) AS ?ok) "
                                 "WHERE {}")
            assert isinstance(answer, ox.QuerySolutions)
            self._patterns[key] = next(iter(answer))[0] is not None
        return self._patterns[key]


_ENGINES: weakref.WeakKeyDictionary[Shapes, Engine] = weakref.WeakKeyDictionary()


#: Named graphs a store holds before a whole-graph SHACL-SPARQL query runs on a copy of
#: its default graph (see :meth:`_Run.store_for`): the penalty comes from a node that many
#: graphs describe, and the shipped data (7 graphs) spent 24 ms of 0.25 s copying.
COPY_ABOVE = 50


class _Run:
    """One validation of one store."""

    def __init__(self, engine: Engine, store: ox.Store, focus: list[Term] | None) -> None:
        self.engine = engine
        self.shapes = engine.shapes
        self.compiler = engine.compiler
        self.store = store
        self.focus = focus
        self.hierarchy = Hierarchy(store)
        self.memo: dict[Term, dict[Term, bool]] = {}
        self.deciding: dict[Term, set[Term]] = {}
        self.types: dict[Term, set[Any]] = {}    # the rdf:type of given focus nodes
        self._with_shapes: ox.Store | None = None
        self._named: bool | None = None          # whether the store holds named graphs
        self._isolated: ox.Store | None = None   # see store_for
        self._copied: set[str | None] = set()    # its predicates (None: all of them)

    def run(self) -> Outcome:
        outcome = Outcome()
        for shape in self.shapes.targeted:
            reasons = self.shapes.unsupported(shape)
            if reasons:
                outcome.fallback.append((shape, reasons))
                continue
            try:
                outcome.results.extend(self.top(shape))
            except Unsupported as exc:
                outcome.fallback.append((shape, [str(exc)]))
        return outcome

    # ---- queries

    def select(self, query: str, *, user: bool = False,
               store: ox.Store | None = None) -> ox.QuerySolutions:
        """The solutions of a query. ``user``: it embeds a query of the shapes graph, which
        pyoxigraph may read more strictly than rdflib (then pySHACL runs the shape)."""
        try:
            answer = (store or self.store).query(
                query, custom_functions=FUNCTIONS)  # type: ignore[arg-type]
        except SyntaxError as exc:
            if user:
                raise Unsupported("pyoxigraph cannot run its SPARQL query: "
                                  + " ".join(str(exc).split())[:300]) from exc
            raise KGError(f"the fast validation engine wrote a query it cannot run ({exc}):\n"
                          f"{query}") from exc
        except (OSError, RuntimeError, ValueError) as exc:
            raise KGError(f"the fast validation engine could not run a query ({exc}):\n"
                          f"{query}") from exc
        assert isinstance(answer, ox.QuerySolutions)
        return answer

    def nodes(self, focus: Focus) -> set[Term]:
        """The focus nodes themselves."""
        names = Names()
        return {row[0] for row in self.select(
            f"SELECT DISTINCT ?this WHERE {{ {focus.pattern('?this', names)} }}")}

    # ---- targets

    def top(self, shape: Shape) -> list[ResultTerms]:
        if self.focus is None:
            return self.validate(shape, TargetFocus(shape.targets, self.hierarchy))
        targets = [n for n in self.focus if self.is_target(n, shape)]
        named = [n for n in targets if not isinstance(n, ox.BlankNode)]
        blank = {n for n in targets if isinstance(n, ox.BlankNode)}
        found = self.validate(shape, NodesFocus(named)) if named else []
        if blank:  # a query cannot name a blank node: the whole graph, then the results about it
            found += [r for r in self.validate(shape, TargetFocus(shape.targets, self.hierarchy))
                      if r.focus in blank]
        return found

    def is_target(self, node: Term, shape: Shape) -> bool:
        """Whether ``node`` is a focus node of ``shape`` (index lookups, no query)."""
        t = shape.targets
        if node in t.nodes:
            return True
        if not isinstance(node, ox.Literal):
            if t.classes:
                types = self.types.get(node)
                if types is None:
                    types = self.types[node] = {
                        q.object for q in self.store.quads_for_pattern(node, RDF.type, None,
                                                                       DEFAULT_GRAPH)}
                if any(types & self.hierarchy.subclasses(c) for c in t.classes):
                    return True
            for p in t.subjects_of:
                if next(self.store.quads_for_pattern(node, p, None, DEFAULT_GRAPH), None):
                    return True
        return any(next(self.store.quads_for_pattern(None, p, node, DEFAULT_GRAPH), None)
                   for p in t.objects_of)

    # ---- a shape on focus nodes

    def validate(self, shape: Shape, focus: Focus) -> list[ResultTerms]:
        """Every result of ``shape`` on the focus nodes (those of its property shapes too)."""
        return self.group([shape], focus)

    def group(self, shapes: Sequence[Shape], focus: Focus) -> list[ResultTerms]:
        """Every result of shapes that share their focus nodes: a node shape and its property
        shapes, or the property shapes of a property shape (on its value nodes).

        One query counts the values of every property shape per focus node and screens them
        with the value tests that need no class join (a focus node's values are looked up once
        for all shapes); only when a value fails, another query says which. Class tests run on
        the distinct values; the rest is per shape.
        """
        members: list[Shape] = []
        todo = [s for s in shapes if not s.deactivated]
        while todo:  # a node shape's property shapes have its focus nodes
            shape = todo.pop(0)
            members.append(shape)
            if shape.path is None:
                todo.extend(p for p in (self.shapes.shape(n) for n in shape.properties)
                            if not p.deactivated)
        found, failing, languages = self.counts(members, focus)
        found += self.value_tests(members, focus, screened=not failing)
        if languages:
            found += self.unique_lang(members, focus)
        for shape in members:
            if shape.path is not None:
                nested = [self.shapes.shape(n) for n in shape.properties]
                if nested:
                    found += self.group(nested, ValuesFocus(focus, shape.path.sparql(),
                                                            per_focus=True))
            for constraint in shape.constraints:
                if isinstance(constraint, PairConstraint):
                    found += self.pair(shape, constraint, focus)
                elif isinstance(constraint, ClosedConstraint):
                    found += self.closed(shape, constraint, focus)
            for sparql in shape.sparql:
                found += self.sparql_constraint(shape, sparql, focus)
            for custom in shape.custom:
                found += self.custom_constraint(shape, custom, focus)
        return found

    def each(self, focus: Focus, names: Names, pattern: str, *, blocks: bool = False) -> str:
        """The focus nodes joined with ``pattern`` (which reads ``?this``) as a LATERAL join,
        which evaluates the pattern from each focus node: joined the plain way, a union is
        evaluated on its own first (every value of every path in the graph: 0.25 s instead of
        0.003 s on ten focus nodes at 100k statements; over all targets, no slower).
        ``blocks``: the pattern holds join blocks of class tests, which LATERAL would evaluate
        again for each focus node: joined the plain way then (on all targets only: on a few
        focus nodes, class tests are lookups, not blocks)."""
        if blocks:
            return f"{focus.pattern('?this', names)} {pattern}"
        return f"{focus.pattern('?this', names)} LATERAL {{ {pattern} }}"

    def reach(self, shape: Shape) -> str:
        """A pattern binding ``?v`` to each value node of ``?this``."""
        if shape.path is None:
            return "BIND(?this AS ?v)"
        return f"?this {shape.path.sparql()} ?v ."

    def branches(self, members: Sequence[tuple[int, Shape]],
                 extra: dict[int, str] | None = None) -> str:
        """A union binding ``?_kgk`` to the index of each member and ``?v`` to the value nodes
        of a property shape (a node shape's value is ``?this`` itself: a group in a union
        cannot see ``?this``, bound outside it); ``extra``: more of each branch, by index."""
        return " UNION ".join(
            f"{{ {'' if shape.path is None else self.reach(shape)} BIND({i} AS ?_kgk) "
            f"{(extra or {}).get(i, '')} }}" for i, shape in members)

    def value_tests(self, members: Sequence[Shape], focus: Focus, *,
                    screened: bool = False) -> list[ResultTerms]:
        """The value tests of the shapes: those inlined as expressions in at most two queries,
        the others by validating the shapes they name on the value nodes.

        The first query has a branch per property shape binding its values; its tests are
        evaluated there, on that shape's values only, and only the failing values leave it.
        Class tests join the instances of each class (in a branch, pyoxigraph would compute
        them again for each focus node), and depend on the value only: the second query
        tests each distinct value of each shape once (a thousand observations name the same
        region), and the focus nodes of a failing value are looked for afterwards.

        ``screened``: the counting query found no value failing the tests of the first
        query (:meth:`counts`): it is not run.
        """
        found: list[ResultTerms] = []
        names = Names()
        ctx = Context(self.hierarchy, joins=focus.joins, names=names)
        parts: list[str] = []
        flags: list[tuple[int, Constraint, str]] = []
        joined: list[tuple[int, Constraint, str]] = []   # tests reading class join blocks
        for index, shape in enumerate(members):
            own = ctx if shape.path is not None else \
                Context(self.hierarchy, joins=focus.joins, names=names)
            inlined, validated = self.plan(shape, own)
            if validated:
                found += self.validated_tests(shape, validated, focus)
            if not inlined:
                continue
            if shape.path is None:  # the value is ?this, which a branch of a union cannot see
                found += self.node_tests(shape, inlined, own, focus, names)
                continue
            inside = []
            for constraint, expression in inlined:
                if "?_kgc" in expression:
                    joined.append((index, constraint, expression))
                    continue
                flag = f"?_kgf{len(flags)}"
                flags.append((index, constraint, flag))
                inside.append((f"BIND(!COALESCE({expression}, false) AS {flag})", flag))
            if inside:
                parts.append(f"{{ {self.reach(shape)} BIND({index} AS ?_kgk) "
                             f"{' '.join(b for b, _ in inside)} "
                             f"FILTER({' || '.join(f for _, f in inside)}) }}")
        keys = " ".join(focus.keys("?this"))
        if parts and not screened:
            query = (f"SELECT DISTINCT ?this {keys} ?_kgk ?v {' '.join(f for _, _, f in flags)} "
                     f"WHERE {{ {self.each(focus, names, ' UNION '.join(parts))} }}")
            for row in self.select(query):
                for index, constraint, flag in flags:
                    if row[flag[1:]] == _TRUE:
                        found.append(self.result(members[index], row["this"], constraint,
                                                 row["v"]))
        if joined:
            found += self.class_tests(members, joined, ctx, focus, names)
        return found

    def class_tests(self, members: Sequence[Shape], tests: Sequence[tuple[int, Constraint, str]],
                    ctx: Context, focus: Focus, names: Names) -> list[ResultTerms]:
        """Tests reading class join blocks, on the distinct values of each shape; then, for the
        shapes with failing values, their focus nodes (only when something fails)."""
        tested = sorted({index for index, _, _ in tests})
        flags = [f"?_kgj{n}" for n in range(len(tests))]
        binds = " ".join(f"BIND(IF(?_kgk = {index}, !COALESCE({e}, false), false) AS {flag})"
                         for (index, _, e), flag in zip(tests, flags))
        # The values of a predicate path are looked for over the whole graph, not from the
        # focus nodes: a superset, found by one scan of the predicate instead of a lookup per
        # focus node; a failing value of another subject only makes the second step run.
        scans = [f"{{ ?_kgs {members[i].path.predicate} ?v BIND({i} AS ?_kgk) }}"  # type: ignore[union-attr]
                 for i in tested if members[i].path.predicate is not None]  # type: ignore[union-attr]
        walked = [(i, members[i]) for i in tested if members[i].path.predicate is None]  # type: ignore[union-attr]
        if walked:
            scans.append(f"{{ {self.each(focus, names, self.branches(walked))} }}")
        query = (f"SELECT DISTINCT ?_kgk WHERE {{ {{ SELECT DISTINCT ?_kgk ?v WHERE {{ "
                 f"{' UNION '.join(scans)} }} }} {ctx.blocks()} {binds} "
                 f"FILTER({' || '.join(flags)}) }}")
        failing = {int(row["_kgk"].value)
                   for row in self.select(query, store=self.store_for(focus, query))}
        found: list[ResultTerms] = []
        for index in sorted(failing):
            shape = members[index]
            own = Context(self.hierarchy, joins=True, names=Names())
            mine = [(c, e) for c, e in self.plan(shape, own)[0] if "?_kgc" in e]
            mine_flags = [f"?_kgf{n}" for n in range(len(mine))]
            keys = " ".join(focus.keys("?this"))
            query = (f"SELECT DISTINCT ?this {keys} ?v {' '.join(mine_flags)} WHERE {{ "
                     f"{focus.pattern('?this', own.names)} {self.reach(shape)} {own.blocks()} "
                     + " ".join(f"BIND(!COALESCE({e}, false) AS {f})"
                                for (_, e), f in zip(mine, mine_flags))
                     + f" FILTER({' || '.join(mine_flags)}) }}")
            for row in self.select(query):
                for (constraint, _), flag in zip(mine, mine_flags):
                    if row[flag[1:]] == _TRUE:
                        found.append(self.result(shape, row["this"], constraint, row["v"]))
        return found

    def plan(self, shape: Shape, ctx: Context) -> tuple[list[tuple[Constraint, str]],
                                                        list[Constraint]]:
        """The value tests of a shape: those inlined (with their expressions), the others."""
        inlined: list[tuple[Constraint, str]] = []
        validated: list[Constraint] = []
        v = "?v" if shape.path is not None else "?this"
        for constraint in shape.constraints:
            if not (isinstance(constraint, VALUE_TESTS) or (
                    shape.path is None and isinstance(constraint, HasValueConstraint))):
                continue
            if isinstance(constraint, PatternConstraint) and \
                    not self.engine.pattern_ok(self.store, constraint.pattern, constraint.flags):
                raise Unsupported(f"sh:pattern {constraint.pattern!r} is not a regular "
                                  "expression pyoxigraph reads")
            expression = self.compiler.expression(constraint, v, ctx)
            if expression is None:
                validated.append(constraint)
            else:
                inlined.append((constraint, expression))
        return inlined, validated

    def node_tests(self, shape: Shape, inlined: Sequence[tuple[Constraint, str]], ctx: Context,
                   focus: Focus, names: Names) -> list[ResultTerms]:
        """A node shape's inlined value tests: its focus nodes that fail them."""
        flags = [f"?_kgf{n}" for n in range(len(inlined))]
        binds = " ".join(f"BIND(!COALESCE({e}, false) AS {f})"
                         for (_, e), f in zip(inlined, flags))
        keys = " ".join(focus.keys("?this"))
        query = (f"SELECT DISTINCT ?this {keys} {' '.join(flags)} WHERE {{ "
                 f"{focus.pattern('?this', names)} {ctx.blocks()} {binds} "
                 f"FILTER({' || '.join(flags)}) }}")
        found = []
        for row in self.select(query):
            for (constraint, _), flag in zip(inlined, flags):
                if row[flag[1:]] == _TRUE:  # sh:hasValue names no value: it is missing
                    found.append(self.result(shape, row["this"], constraint, None if isinstance(
                        constraint, HasValueConstraint) else row["this"]))
        return found

    def validated_tests(self, shape: Shape, constraints: Sequence[Constraint],
                        focus: Focus) -> list[ResultTerms]:
        """Shape-based value tests whose shapes cannot be inlined: the shapes are validated on
        the value nodes, and a value passes as the sets of nodes failing them say."""
        found = []
        pairs = self.pairs(shape, focus)
        values = focus if shape.path is None else ValuesFocus(focus, shape.path.sparql())
        for constraint in constraints:
            failing = {s: self.failing(s, values) for s in _shapes_of(constraint)}
            for this, _, value in pairs:
                if not _passes(constraint, value, failing):
                    found.append(self.result(shape, this, constraint, value))
        return found

    def pairs(self, shape: Shape, focus: Focus) -> list[tuple[Term, tuple[Term, ...], Term]]:
        """Every (focus node, its keys, value node) triple (see :meth:`Focus.keys`)."""
        names = Names()
        keys = focus.keys("?this")
        return [(row["this"], tuple(row[k[1:]] for k in keys), row["v"]) for row in self.select(
            f"SELECT DISTINCT ?this {' '.join(keys)} ?v WHERE {{ {focus.pattern('?this', names)} "
            f"{self.reach(shape)} }}")]

    def failing(self, node: Term, focus: Focus) -> set[Term]:
        """The focus nodes that do not conform to the shape ``node`` (remembered for the run)."""
        shape = self.shapes.shape(node)
        if shape.deactivated:
            return set()
        nodes = self.nodes(focus)
        known = self.memo.setdefault(node, {})
        deciding = self.deciding.setdefault(node, set())
        new = nodes - known.keys() - deciding
        if new:
            deciding |= new
            try:
                bad = {r.focus for r in self.validate(shape, focus)}
            finally:
                deciding -= new
            for n in new:
                known[n] = n not in bad
        return {n for n in nodes if known.get(n) is False}

    def counts(self, members: Sequence[Shape], focus: Focus
               ) -> tuple[list[ResultTerms], bool, bool]:
        """sh:minCount, sh:maxCount, sh:hasValue and the qualified counts of the property
        shapes, per focus node, in one grouped query; and, screened in the same query,
        whether any value fails a value test that needs no class join (then
        :meth:`value_tests` says which) and whether two values share a language tag where
        sh:uniqueLang forbids it (then :meth:`unique_lang` says where)."""
        names = Names()
        ctx = Context(self.hierarchy, joins=focus.joins, names=names)
        screen: dict[int, str] = {}
        for index, shape in enumerate(members):
            if shape.path is None:
                continue
            aside = Context(self.hierarchy, joins=focus.joins, names=names)  # blocks unused
            tests = [e for _, e in self.plan(shape, aside)[0] if "?_kgc" not in e]
            if tests:
                screen[index] = ("BIND(IF(" + " || ".join(f"!COALESCE({e}, false)" for e in tests)
                                 + ", 1, 0) AS ?_kgb)")
        #: (shape index, constraint, aggregate, failing when)
        columns: list[tuple[int, Constraint, str, str]] = []
        binds: list[str] = []
        python: list[tuple[Shape, QualifiedConstraint]] = []
        for index, shape in enumerate(members):
            if shape.path is None:
                continue
            values = f"IF(?_kgk = {index}, ?v, ?_kgnone)"
            for j, c in enumerate(shape.constraints):
                if isinstance(c, MinCountConstraint):
                    columns.append((index, c, f"COUNT(DISTINCT {values})", f"< {c.number}"))
                elif isinstance(c, MaxCountConstraint):
                    columns.append((index, c, f"COUNT(DISTINCT {values})", f"> {c.number}"))
                elif isinstance(c, HasValueConstraint):
                    test = one_of("?v", (c.value,))
                    columns.append((index, c, f"MAX(COALESCE(IF(?_kgk = {index} && {test}, 1, 0), "
                                              f"0))", "= 0"))
                elif isinstance(c, QualifiedConstraint):
                    inner = self.compiler.shape_expression(c.shape, "?v", ctx)
                    others = [self.compiler.shape_expression(s, "?v", ctx) for s in c.siblings]
                    if inner is None or any(o is None for o in others):
                        python.append((shape, c))
                        continue
                    test = " && ".join([f"COALESCE({inner}, false)",
                                        *(f"!COALESCE({o}, false)" for o in others)])
                    q = f"?_kgq{index}_{j}"
                    binds.append(f"BIND(IF(?_kgk = {index} && {test}, ?v, ?_kgnone) AS {q})")
                    if c.min_count is not None:
                        columns.append((index, c, f"COUNT(DISTINCT {q})", f"< {c.min_count}"))
                    else:
                        columns.append((index, c, f"COUNT(DISTINCT {q})", f"> {c.max_count}"))
        found: list[ResultTerms] = []
        failing_value = shared_language = False
        if screen:
            columns.append((-1, UniqueLangConstraint(), "MAX(COALESCE(?_kgb, 0))", "> 0"))
        unique = [(i, shape) for i, shape in enumerate(members) if shape.path is not None
                  and any(isinstance(c, UniqueLangConstraint) for c in shape.constraints)]
        if unique:
            columns.append((-2, UniqueLangConstraint(), "MAX(COALESCE(?_kgl, 0))", "> 0"))
        if columns:
            counted = sorted({index for index, _, _, _ in columns if index >= 0} | set(screen))
            # each aggregate once (sh:minCount and sh:maxCount count the same values), and
            # filtered by its alias: a HAVING clause would compute the aggregates again
            alias: dict[str, str] = {}
            for _, _, aggregate, _ in columns:
                alias.setdefault(aggregate, f"?_kgn{len(alias)}")
            aggregates = " ".join(f"({a} AS {n})" for a, n in alias.items())
            failing = " || ".join(f"({alias[a]} {test})" for _, _, a, test in columns)
            keys = " ".join(focus.keys("?this"))
            parts = [self.branches([(i, members[i]) for i in counted], screen)] if counted else []
            for _, shape in unique:  # rows only where two values share a language tag
                assert shape.path is not None
                parts.append(f"{{ ?this {shape.path.sparql()} ?_kgl1, ?_kgl2 . "
                             f'FILTER(isLiteral(?_kgl1) && lang(?_kgl1) != "" && '
                             f"isLiteral(?_kgl2) && !sameTerm(?_kgl1, ?_kgl2) && "
                             f"LCASE(lang(?_kgl1)) = LCASE(lang(?_kgl2))) BIND(1 AS ?_kgl) }}")
            union = " UNION ".join(parts)
            blocks = ctx.blocks()
            optional = f"OPTIONAL {{ {union} {blocks} {' '.join(binds)} }}"
            query = (f"SELECT * WHERE {{ {{ SELECT ?this {keys} {aggregates} WHERE {{ "
                     f"{self.each(focus, names, optional, blocks=bool(blocks))}"
                     f" }} GROUP BY ?this {keys} }} FILTER({failing}) }}")
            for row in self.select(query):
                for index, constraint, aggregate, test in columns:
                    count = int(row[alias[aggregate][1:]].value)
                    op, bound = test.split()
                    if {"<": count < int(bound), ">": count > int(bound),
                            "=": count == int(bound)}[op]:
                        if index == -1:  # the screen: a value fails a test
                            failing_value = True
                        elif index == -2:  # the screen: two values share a language
                            shared_language = True
                        else:
                            found.append(self.result(members[index], row["this"], constraint))
        for shape, constraint in python:
            found += self.qualified(shape, [constraint], focus)
        return found, failing_value, shared_language

    def qualified(self, shape: Shape, constraints: Sequence[QualifiedConstraint],
                  focus: Focus) -> list[ResultTerms]:
        """Qualified counts whose shapes are validated on the values rather than inlined."""
        assert shape.path is not None
        values = ValuesFocus(focus, shape.path.sparql())
        names = Names()
        keys = focus.keys("?this")
        by_focus: dict[tuple[Term, tuple[Term, ...]], set[Term]] = {
            (row["this"], tuple(row[k[1:]] for k in keys)): set() for row in self.select(
                f"SELECT DISTINCT ?this {' '.join(keys)} WHERE "
                f"{{ {focus.pattern('?this', names)} }}")}
        for this, key, value in self.pairs(shape, focus):
            by_focus.setdefault((this, key), set()).add(value)
        found = []
        for c in constraints:
            bad = self.failing(c.shape, values)
            bad_siblings = [self.failing(s, values) for s in c.siblings]
            for (this, _), nodes in by_focus.items():
                count = sum(1 for n in nodes if n not in bad
                            and all(n in other for other in bad_siblings))
                if (c.min_count is not None and count < c.min_count) or \
                        (c.max_count is not None and count > c.max_count):
                    found.append(self.result(shape, this, c))
        return found

    def unique_lang(self, members: Sequence[Shape], focus: Focus) -> list[ResultTerms]:
        """sh:uniqueLang of the property shapes: a result per focus node and language tag that
        two of its values share (pairs of values of one focus node: cheaper than grouping)."""
        unique = [(i, shape) for i, shape in enumerate(members) if shape.path is not None
                  and any(isinstance(c, UniqueLangConstraint) for c in shape.constraints)]
        if not unique:
            return []
        names = Names()
        keys = " ".join(focus.keys("?this"))
        branches = " UNION ".join(
            f"{{ ?this {shape.path.sparql()} ?v, ?_kgw . BIND({i} AS ?_kgk) "  # type: ignore[union-attr]
            f'FILTER(isLiteral(?v) && lang(?v) != "" && isLiteral(?_kgw) && !sameTerm(?v, ?_kgw) '
            f"&& LCASE(lang(?v)) = LCASE(lang(?_kgw))) }}" for i, shape in unique)
        query = (f"SELECT DISTINCT ?this {keys} ?_kgk ?lang WHERE {{ "
                 f"{self.each(focus, names, branches)} BIND(LCASE(lang(?v)) AS ?lang) }}")
        found = []
        for row in self.select(query):
            shape = members[int(row["_kgk"].value)]
            constraint = next(c for c in shape.constraints if isinstance(c, UniqueLangConstraint))
            found.append(self.result(shape, row["this"], constraint))
        return found

    def pair(self, shape: Shape, c: PairConstraint, focus: Focus) -> list[ResultTerms]:
        """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals: one result per value."""
        names = Names()
        p = str(c.predicate)
        reach = self.reach(shape)
        keys = " ".join(focus.keys("?this"))
        if c.parameter == "equals":
            query = (f"SELECT DISTINCT ?this {keys} ?v WHERE {{ {{ {focus.pattern('?this', names)} {reach} "
                     f"FILTER NOT EXISTS {{ ?this {p} ?v }} }} UNION {{ "
                     f"{focus.pattern('?this', names)} ?this {p} ?v . "
                     f"FILTER NOT EXISTS {{ {self.reach_of('?v', shape)} }} }} }}")
        elif c.parameter == "disjoint":
            query = (f"SELECT DISTINCT ?this {keys} ?v WHERE {{ {focus.pattern('?this', names)} "
                     f"{reach} ?this {p} ?v . }}")
        else:
            op = "<" if c.parameter == "lessThan" else "<="
            # one result per value and value of the other property it is not less than
            query = (f"SELECT DISTINCT ?this {keys} ?v ?_kgo WHERE {{ "
                     f"{focus.pattern('?this', names)} {reach} ?this {p} ?_kgo . "
                     f"FILTER(!COALESCE(?v {op} ?_kgo, false)) }}")
        return [self.result(shape, row["this"], c, row["v"]) for row in self.select(query)]

    def reach_of(self, value: str, shape: Shape) -> str:
        """A pattern: ``value`` is a value node of ``?this``."""
        if shape.path is None:
            return f"FILTER(sameTerm(?this, {value}))"
        return f"?this {shape.path.sparql()} {value} ."

    def closed(self, shape: Shape, c: ClosedConstraint, focus: Focus) -> list[ResultTerms]:
        """sh:closed: every statement about a value node whose predicate the shape does not allow."""
        names = Names()
        allowed = ", ".join(sorted(str(a) for a in c.allowed))
        keep = f"FILTER(?_kgp NOT IN ({allowed}))" if allowed else ""
        keys = " ".join(focus.keys("?this"))
        query = (f"SELECT DISTINCT ?this {keys} ?v ?_kgp ?_kgo WHERE {{ "
                 f"{focus.pattern('?this', names)} {self.reach(shape)} ?v ?_kgp ?_kgo . {keep} }}")
        return [self.result(shape, row["this"], c, row["_kgo"], path=row["_kgp"])
                for row in self.select(query)]

    # ---- SHACL-SPARQL

    def prepare(self, shape: Shape, query: str, where: str) -> str:
        """``query`` with what SHACL fixes before it runs written in: $PATH, $currentShape,
        $shapesGraph (:meth:`store_for`).

        Raises:
            Unsupported: $currentShape of a blank-node shape.
            ShapesError: $PATH in a node shape's query.
        """
        if uses(query, "shapesGraph"):
            query = substitute(query, "shapesGraph", str(SHAPES_GRAPH))
        if shape.path is not None:
            query = substitute(query, "PATH", shape.path.sparql())
        elif uses(query, "PATH"):
            raise ShapesError(f"{where} uses $PATH, but shape {self.shapes.describe(shape.node)} "
                              "has no sh:path")
        if uses(query, "currentShape"):
            if isinstance(shape.node, ox.BlankNode):
                raise Unsupported(f"{where} uses $currentShape of a blank-node shape")
            query = substitute(query, "currentShape", text(shape.node))
        return query

    def sparql_constraint(self, shape: Shape, c: SparqlConstraint,
                          focus: Focus) -> list[ResultTerms]:
        where = f"the SPARQL constraint {self.shapes.describe(c.node)}"
        prologue, query = split_prologue(c.select)
        check(query, _PREBOUND)
        query = self.prepare(shape, query, where)
        found = []
        for this, row in self.lateral(c.prefixes, prologue, query, focus):
            found.append(self.solution(shape, this, row, SH.SPARQLConstraintComponent,
                                       c.messages, source_constraint=c.node))
        return found

    def store_for(self, focus: Focus, written: str, user: str = "") -> ox.Store:
        """The store a SHACL-SPARQL query runs on.

        A query reading the shapes graph (``$shapesGraph``, optional in SHACL) runs on a
        copy of the default graph with the shapes graph beside it as the named graph
        :data:`SHAPES_GRAPH`. A query over all focus nodes of a store that also holds named
        graphs runs on a copy of the default graph, restricted to the predicates the query
        names: pyoxigraph's in-memory store finds a subject's statements in the default
        graph by walking its statements in every graph, and a node that a thousand source
        graphs describe (a period, a region) then costs a thousand steps per lookup
        (``ObservationShape-basePeriodBeforeRefPeriod`` took 10 s at 1M statements, 0.02 s
        on the copy). The data's store is never changed.

        ``written``: the query as kg wrote it (IRIs only, no variable predicate); ``user``:
        the text in it that comes from the shapes graph, with its prefixes.
        """
        if str(SHAPES_GRAPH) in user:
            if self._with_shapes is None:
                scratch = ox.Store()
                scratch.extend(self.store.quads_for_pattern(None, None, None, DEFAULT_GRAPH))
                scratch.extend(ox.Quad(q.subject, q.predicate, q.object, SHAPES_GRAPH)
                               for q in self.shapes.store.quads_for_pattern(None, None, None,
                                                                            DEFAULT_GRAPH))
                self._with_shapes = scratch
            return self._with_shapes
        if not focus.joins:  # a few focus nodes: a few lookups
            return self.store
        if self._named is None:  # with few graphs the copy costs more than it saves
            self._named = sum(1 for _ in islice(self.store.named_graphs(), COPY_ABOVE)) \
                >= COPY_ABOVE
        if not self._named:
            return self.store
        wanted = self.engine.predicates(user)
        if wanted is not None:
            wanted = wanted | set(_IRI.findall(written))
        if self._isolated is None:
            self._isolated = ox.Store()
        if wanted is None or None in self._copied:  # any statement may be read: all of them
            if None not in self._copied:
                self._isolated.clear()
                self._isolated.bulk_extend(self.store.quads_for_pattern(None, None, None,
                                                                        DEFAULT_GRAPH))
                self._copied.add(None)
            return self._isolated
        for predicate in sorted(wanted - self._copied):
            self._isolated.extend(self.store.quads_for_pattern(None, ox.NamedNode(predicate),
                                                               None, DEFAULT_GRAPH))
            self._copied.add(predicate)
        return self._isolated

    def lateral(self, prefixes: Iterable[tuple[str, str]], prologue: str, query: str,
                focus: Focus) -> Iterator[tuple[Term, dict[str, Term]]]:
        """The solutions of a SELECT query with $this pre-bound to each focus node (deduplicated)."""
        names = Names()
        declared = prefix_lines(prefixes)
        full = (f"{declared}{prologue}\nSELECT * WHERE {{ {focus.pattern('?this', names)} "
                f"LATERAL {{ {query} \n}} }}")
        seen: set[tuple[Any, ...]] = set()
        answer = self.select(full, user=True, store=self.store_for(
            focus, full, f"{declared}{prologue}\n{query}"))
        variables = [v.value for v in answer.variables]
        for solution in answer:
            row = {name: solution[name] for name in variables if solution[name] is not None}
            key = tuple(sorted(row.items(), key=lambda kv: kv[0]))
            if key in seen:
                continue
            seen.add(key)
            failure = row.get("failure")
            if isinstance(failure, ox.Literal) and failure.value in ("true", "1"):
                raise ShapesError(f"a SPARQL query of the shapes reported a failure (?failure) "
                                  f"for the focus node {short(row['this'])}")
            yield row["this"], row

    def solution(self, shape: Shape, this: Term, row: dict[str, Term], component: ox.NamedNode,
                 messages: Sequence[ox.Literal], *, source_constraint: Term | None = None,
                 parameters: dict[str, Term] | None = None) -> ResultTerms:
        """The result a solution of a SHACL-SPARQL query makes."""
        value = row.get("value")
        if value is None and shape.path is None:
            value = this
        path = row.get("path")
        values = {**(parameters or {}), **row, "this": this}
        if value is not None:
            values["value"] = value
        message = row.get("message")
        texts: tuple[ox.Literal, ...]
        if isinstance(message, ox.Literal):
            texts = (message,)
        else:
            texts = tuple(ox.Literal(fill(m.value, values), language=m.language or None)
                          for m in (*messages, *shape.messages))
        if not texts:
            texts = (ox.Literal(f"{short(source_constraint or component)} reported "
                                f"{short(value or this)}"),)
        return self.result(shape, this, None, value, path=path, component=component,
                           messages=texts, source_constraint=source_constraint)

    def custom_constraint(self, shape: Shape, c: CustomConstraint,
                          focus: Focus) -> list[ResultTerms]:
        """A SPARQL-based constraint component, its parameters written into the validator."""
        validator = c.validator
        where = f"the validator of {short(c.component.node)}"
        parameters = dict(c.bindings)
        prologue, query = split_prologue(validator.text)
        check(query, _PREBOUND | ({"value"} if validator.kind == "ask" else set()))
        for name, value in parameters.items():
            if isinstance(value, ox.BlankNode):
                raise Unsupported(f"{where}: the parameter ${name} is a blank node, which a "
                                  "query cannot name")
            query = substitute(query, name, text(value))
        query = self.prepare(shape, query, where)
        messages = validator.messages or c.component.messages
        component = c.component.node
        if validator.kind == "select":
            return [self.solution(shape, this, row, component, messages, parameters=parameters)
                    for this, row in self.lateral(validator.prefixes, prologue, query, focus)]
        names = Names()
        declared = prefix_lines(validator.prefixes)
        reach = self.reach(shape).replace("?v", "?value")
        keys = " ".join(focus.keys("?this"))
        full = (f"{declared}{prologue}\nSELECT DISTINCT ?this {keys} ?value WHERE {{ "
                f"{focus.pattern('?this', names)} {reach} FILTER NOT EXISTS "
                f"{group_of_ask(query)} }}")
        return [self.solution(shape, row["this"], {"value": row["value"]}, component, messages,
                              parameters=parameters)
                for row in self.select(full, user=True, store=self.store_for(
                    focus, full, f"{declared}{prologue}\n{query}"))]

    # ---- results

    def result(self, shape: Shape, focus: Term, constraint: Constraint | None,
               value: Term | None = None, *, path: Term | None = None,
               component: ox.NamedNode | None = None,
               messages: tuple[ox.Literal, ...] | None = None,
               source_constraint: Term | None = None) -> ResultTerms:
        """A result of ``shape`` about ``focus`` (path: the shape's unless given)."""
        triples: tuple[ox.Triple, ...] = ()
        if path is None and shape.path is not None:
            path = shape.path.node
            triples = self.shapes.structure(path)
        if component is None:
            assert constraint is not None
            component = component_of(constraint)
        if messages is None:
            messages = shape.messages or (ox.Literal(default_message(constraint, shape.path,
                                                                     value)),)
        return ResultTerms(severity=shape.severity, focus=focus, shape=shape.node,
                           component=component, path=path, path_triples=triples, value=value,
                           source_constraint=source_constraint, messages=messages)


_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def _shapes_of(constraint: Constraint) -> list[Term]:
    if isinstance(constraint, (NodeConstraint, NotConstraint)):
        return [constraint.shape]
    if isinstance(constraint, LogicalConstraint):
        return list(constraint.shapes)
    return []


def _passes(constraint: Constraint, value: Term, failing: dict[Term, set[Term]]) -> bool:
    """A shape-based value test, from the sets of values failing each shape it names."""
    if isinstance(constraint, NodeConstraint):
        return value not in failing[constraint.shape]
    if isinstance(constraint, NotConstraint):
        return value in failing[constraint.shape]
    assert isinstance(constraint, LogicalConstraint)
    passed = [value not in failing[s] for s in constraint.shapes]
    if constraint.parameter == "and":
        return all(passed)
    if constraint.parameter == "or":
        return any(passed)
    return sum(passed) == 1


def default_message(constraint: Constraint | None, path: Path | None, value: Term | None) -> str:
    """The message of a result whose shape has no sh:message (in pySHACL's manner)."""
    c = constraint
    on = f" on {path.sparql()}" if path is not None else ""
    shown = short(value) if value is not None else ""
    if isinstance(c, ClassConstraint):
        return f"Value {shown} does not have class {short(c.cls)}"
    if isinstance(c, DatatypeConstraint):
        return f"Value {shown} is not a literal of datatype {short(c.datatype)}"
    if isinstance(c, NodeKindConstraint):
        return f"Value {shown} is not of node kind {short(c.kind)}"
    if isinstance(c, MinCountConstraint):
        return f"Fewer than {c.number} values{on}"
    if isinstance(c, MaxCountConstraint):
        return f"More than {c.number} values{on}"
    if isinstance(c, RangeConstraint):
        return f"Value {shown} is not {c.operator} {short(c.bound)}"
    if isinstance(c, LengthConstraint):
        which = "shorter" if c.parameter == "minLength" else "longer"
        return f"Value {shown} is {which} than {c.length} characters"
    if isinstance(c, PatternConstraint):
        return f"Value {shown} does not match the pattern {c.pattern!r}"
    if isinstance(c, LanguageInConstraint):
        return f"Value {shown} is not tagged with one of the languages {', '.join(c.languages)}"
    if isinstance(c, UniqueLangConstraint):
        return f"More than one value{on} has the same language tag"
    if isinstance(c, PairConstraint):
        return f"Value {shown} breaks sh:{c.parameter} {short(c.predicate)}"
    if isinstance(c, NotConstraint):
        return f"Value {shown} conforms to the shape {short(c.shape)}, which it must not"
    if isinstance(c, LogicalConstraint):
        return f"Value {shown} does not conform to sh:{c.parameter} of its shapes"
    if isinstance(c, NodeConstraint):
        return f"Value {shown} does not conform to the shape {short(c.shape)}"
    if isinstance(c, QualifiedConstraint):
        bound = f"at least {c.min_count}" if c.min_count is not None else f"at most {c.max_count}"
        return f"Not {bound} values{on} conform to the shape {short(c.shape)}"
    if isinstance(c, ClosedConstraint):
        return f"The closed shape does not allow the value {shown}"
    if isinstance(c, HasValueConstraint):
        return f"Missing the value {short(c.value)}{on}"
    if isinstance(c, InConstraint):
        return f"Value {shown} is not one of the values sh:in lists"
    return "The value does not conform"


__all__ = ["Engine", "Outcome", "Unsupported", "default_message"]

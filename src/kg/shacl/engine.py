"""Running the shapes on a pyoxigraph Store: the queries, and the results they yield.

:class:`Engine` validates the **default graph** of a store against a
:class:`~kg.shacl.shapes.Shapes` graph and returns :class:`Outcome`: the
results (as :class:`~kg.report.ResultTerms`) and the shapes it handed back
because it cannot run them (:mod:`kg.validate` runs those with pySHACL).

A shape is run on a :class:`~kg.shacl.compile.Focus` (its targets in the
whole graph, or given focus nodes), all its focus nodes at once:

- the **value tests** of a shape (``sh:class``, ``sh:datatype``, ``sh:in``,
  ``sh:or`` of inlined shapes ...) are one query: the value nodes that fail
  any of them, with a flag per test;
- the **counts** (``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, qualified
  counts) are one grouped query, ``sh:uniqueLang`` another; ``sh:equals``,
  ``sh:disjoint``, ``sh:lessThan(OrEquals)`` and ``sh:closed`` one each;
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

Given focus nodes (``kg add``), a shape runs on those that are its targets
(found by index lookups), and class tests look each value up instead of
joining whole classes: the cost follows the focus nodes, not the graph. A
blank focus node cannot be named in a query: its shapes run on the whole
graph, and the results about it are kept.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import KGError, ShapesError
from ..report import ResultTerms
from ..terms import short
from . import sparql as sq
from .compile import (FUNCTIONS, Compiler, Context, Focus, Hierarchy, Names, NodesFocus,
                      TargetFocus, ValuesFocus, one_of, string, text)
from .shapes import (ClassConstraint, ClosedConstraint, Constraint, CustomConstraint,
                     DatatypeConstraint, HasValueConstraint, InConstraint, LanguageInConstraint,
                     LengthConstraint, LogicalConstraint, MaxCountConstraint, MinCountConstraint,
                     NodeConstraint, NodeKindConstraint, NotConstraint, PairConstraint, Path,
                     PatternConstraint, QualifiedConstraint, RangeConstraint, Shape, Shapes,
                     SparqlConstraint, Term, UniqueLangConstraint)
from .vocab import DEFAULT_GRAPH, RDF, SH

#: Constraints judged value by value (on a node shape also sh:hasValue, the node itself).
VALUE_TESTS = (ClassConstraint, DatatypeConstraint, NodeKindConstraint, RangeConstraint,
               LengthConstraint, PatternConstraint, LanguageInConstraint, InConstraint,
               NodeConstraint, NotConstraint, LogicalConstraint)
_PREBOUND = {"this", "currentShape", "shapesGraph"}
#: The name of the shapes graph beside the data, for queries that read it ($shapesGraph).
SHAPES_GRAPH = ox.NamedNode("urn:kg:shacl:shapes-graph")


class Unsupported(Exception):
    """A shape the engine cannot run; the message says why (pySHACL runs it instead)."""


@dataclass
class Outcome:
    """What a run found, and which shapes it left to the reference implementation."""

    results: list[ResultTerms] = field(default_factory=list)
    #: the targeted shapes not run, each with why
    fallback: list[tuple[Shape, list[str]]] = field(default_factory=list)


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
        self._with_shapes: ox.Store | None = None

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
                types = {q.object for q in self.store.quads_for_pattern(node, RDF.type, None,
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
        if shape.deactivated:
            return []
        found = self.value_tests(shape, focus)
        if shape.path is not None:
            found += self.counts(shape, focus)
            if any(isinstance(c, UniqueLangConstraint) for c in shape.constraints):
                found += self.unique_lang(shape, focus)
        for constraint in shape.constraints:
            if isinstance(constraint, PairConstraint):
                found += self.pair(shape, constraint, focus)
            elif isinstance(constraint, ClosedConstraint):
                found += self.closed(shape, constraint, focus)
        values = focus if shape.path is None else \
            ValuesFocus(focus, shape.path.sparql(), per_focus=True)
        for node in shape.properties:
            found += self.validate(self.shapes.shape(node), values)
        for sparql in shape.sparql:
            found += self.sparql_constraint(shape, sparql, focus)
        for custom in shape.custom:
            found += self.custom_constraint(shape, custom, focus)
        return found

    def reach(self, shape: Shape) -> str:
        """A pattern binding ``?v`` to each value node of ``?this``."""
        if shape.path is None:
            return "BIND(?this AS ?v)"
        return f"?this {shape.path.sparql()} ?v ."

    def value_tests(self, shape: Shape, focus: Focus) -> list[ResultTerms]:
        tests: list[Constraint] = [c for c in shape.constraints if isinstance(c, VALUE_TESTS)
                                   or (shape.path is None and isinstance(c, HasValueConstraint))]
        if not tests:
            return []
        names = Names()
        ctx = Context(self.hierarchy, joins=focus.joins, names=names)
        v = "?v" if shape.path is not None else "?this"
        inlined: list[tuple[Constraint, str]] = []
        validated: list[Constraint] = []
        for constraint in tests:
            if isinstance(constraint, PatternConstraint) and \
                    not self.engine.pattern_ok(self.store, constraint.pattern, constraint.flags):
                raise Unsupported(f"sh:pattern {constraint.pattern!r} is not a regular "
                                  "expression pyoxigraph reads")
            expression = self.compiler.expression(constraint, v, ctx)
            if expression is None:
                validated.append(constraint)
            else:
                inlined.append((constraint, expression))
        found: list[ResultTerms] = []
        if inlined:
            reach = self.reach(shape) if shape.path is not None else ""
            flags = [f"?_kgf{i}" for i in range(len(inlined))]
            binds = " ".join(f"BIND(!COALESCE({e}, false) AS {f})"
                             for (_, e), f in zip(inlined, flags))
            keys = " ".join(focus.keys("?this"))
            query = (f"SELECT DISTINCT ?this {keys} {v if v != '?this' else ''} {' '.join(flags)} "
                     f"WHERE {{ {focus.pattern('?this', names)} {reach} {ctx.blocks()} {binds} "
                     f"FILTER({' || '.join(flags)}) }}")
            for row in self.select(query):
                this, value = row["this"], row[v[1:]]
                for (constraint, _), flag in zip(inlined, flags):
                    if row[flag[1:]] == _TRUE:  # sh:hasValue names no value: it is missing
                        found.append(self.result(shape, this, constraint, None if isinstance(
                            constraint, HasValueConstraint) else value))
        if validated:
            pairs = self.pairs(shape, focus)
            values = focus if shape.path is None else ValuesFocus(focus, shape.path.sparql())
            for constraint in validated:
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

    def counts(self, shape: Shape, focus: Focus) -> list[ResultTerms]:
        """sh:minCount, sh:maxCount, sh:hasValue and the qualified counts, per focus node."""
        assert shape.path is not None
        names = Names()
        ctx = Context(self.hierarchy, joins=focus.joins, names=names)
        columns: list[tuple[Constraint, str, str]] = []   # constraint, aggregate, failing when
        binds: list[str] = []
        python: list[QualifiedConstraint] = []
        for i, c in enumerate(shape.constraints):
            if isinstance(c, MinCountConstraint):
                columns.append((c, "COUNT(DISTINCT ?v)", f"< {c.count}"))
            elif isinstance(c, MaxCountConstraint):
                columns.append((c, "COUNT(DISTINCT ?v)", f"> {c.count}"))
            elif isinstance(c, HasValueConstraint):
                columns.append((c, f"MAX(IF(COALESCE({one_of('?v', (c.value,))}, false), 1, 0))",
                                "= 0"))
            elif isinstance(c, QualifiedConstraint):
                test = self.compiler.shape_expression(c.shape, "?v", ctx)
                others = [self.compiler.shape_expression(s, "?v", ctx) for s in c.siblings]
                if test is None or any(o is None for o in others):
                    python.append(c)
                    continue
                test = " && ".join([f"COALESCE({test}, false)",
                                    *(f"!COALESCE({o}, false)" for o in others)])
                binds.append(f"BIND(IF({test}, ?v, ?_kgnone) AS ?_kgq{i})")
                if c.min_count is not None:
                    columns.append((c, f"COUNT(DISTINCT ?_kgq{i})", f"< {c.min_count}"))
                else:
                    columns.append((c, f"COUNT(DISTINCT ?_kgq{i})", f"> {c.max_count}"))
        found: list[ResultTerms] = []
        if columns:
            aggregates = " ".join(f"({a} AS ?_kgn{i})" for i, (_, a, _) in enumerate(columns))
            having = " || ".join(f"({a} {test})" for _, a, test in columns)
            keys = " ".join(focus.keys("?this"))
            query = (f"SELECT ?this {keys} {aggregates} WHERE {{ {focus.pattern('?this', names)} "
                     f"OPTIONAL {{ {self.reach(shape)} {ctx.blocks()} {' '.join(binds)} }} }} "
                     f"GROUP BY ?this {keys} HAVING ({having})")
            for row in self.select(query):
                for i, (constraint, _, test) in enumerate(columns):
                    count = int(row[f"_kgn{i}"].value)
                    op, bound = test.split()
                    if {"<": count < int(bound), ">": count > int(bound),
                            "=": count == int(bound)}[op]:
                        found.append(self.result(shape, row["this"], constraint))
        if python:
            found += self.qualified(shape, python, focus)
        return found

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

    def unique_lang(self, shape: Shape, focus: Focus) -> list[ResultTerms]:
        names = Names()
        constraint = next(c for c in shape.constraints if isinstance(c, UniqueLangConstraint))
        keys = " ".join(focus.keys("?this"))
        query = (f"SELECT ?this {keys} ?lang WHERE {{ {focus.pattern('?this', names)} "
                 f'{self.reach(shape)} FILTER(isLiteral(?v) && lang(?v) != "") '
                 f"BIND(LCASE(lang(?v)) AS ?lang) }} "
                 f"GROUP BY ?this {keys} ?lang HAVING (COUNT(DISTINCT ?v) > 1)")
        return [self.result(shape, row["this"], constraint) for row in self.select(query)]

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
        if sq.uses(query, "shapesGraph"):
            query = sq.substitute(query, "shapesGraph", str(SHAPES_GRAPH))
        if shape.path is not None:
            query = sq.substitute(query, "PATH", shape.path.sparql())
        elif sq.uses(query, "PATH"):
            raise ShapesError(f"{where} uses $PATH, but shape {self.shapes.describe(shape.node)} "
                              "has no sh:path")
        if sq.uses(query, "currentShape"):
            if isinstance(shape.node, ox.BlankNode):
                raise Unsupported(f"{where} uses $currentShape of a blank-node shape")
            query = sq.substitute(query, "currentShape", text(shape.node))
        return query

    def sparql_constraint(self, shape: Shape, c: SparqlConstraint,
                          focus: Focus) -> list[ResultTerms]:
        where = f"the SPARQL constraint {self.shapes.describe(c.node)}"
        prologue, query = sq.split_prologue(c.select)
        sq.check(query, _PREBOUND)
        query = self.prepare(shape, query, where)
        found = []
        for this, row in self.lateral(c.prefixes, prologue, query, focus):
            found.append(self.solution(shape, this, row, SH.SPARQLConstraintComponent,
                                       c.messages, source_constraint=c.node))
        return found

    def store_for(self, query: str) -> ox.Store:
        """The store a SHACL-SPARQL query runs on: the data's, or, for a query reading the
        shapes graph (``$shapesGraph``, optional in SHACL), a copy of the data's default graph
        with the shapes graph beside it as the named graph :data:`SHAPES_GRAPH` (the data's
        store is never changed)."""
        if str(SHAPES_GRAPH) not in query:
            return self.store
        if self._with_shapes is None:
            scratch = ox.Store()
            scratch.extend(self.store.quads_for_pattern(None, None, None, DEFAULT_GRAPH))
            scratch.extend(ox.Quad(q.subject, q.predicate, q.object, SHAPES_GRAPH)
                           for q in self.shapes.store.quads_for_pattern(None, None, None,
                                                                        DEFAULT_GRAPH))
            self._with_shapes = scratch
        return self._with_shapes

    def lateral(self, prefixes: Iterable[tuple[str, str]], prologue: str, query: str,
                focus: Focus) -> Iterator[tuple[Term, dict[str, Term]]]:
        """The solutions of a SELECT query with $this pre-bound to each focus node (deduplicated)."""
        names = Names()
        declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes)
        full = (f"{declared}{prologue}\nSELECT * WHERE {{ {focus.pattern('?this', names)} "
                f"LATERAL {{ {query} \n}} }}")
        seen: set[tuple[Any, ...]] = set()
        answer = self.select(full, user=True, store=self.store_for(query))
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
            texts = tuple(ox.Literal(sq.fill(m.value, values), language=m.language or None)
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
        prologue, query = sq.split_prologue(validator.text)
        sq.check(query, _PREBOUND | ({"value"} if validator.kind == "ask" else set()))
        for name, value in parameters.items():
            if isinstance(value, ox.BlankNode):
                raise Unsupported(f"{where}: the parameter ${name} is a blank node, which a "
                                  "query cannot name")
            query = sq.substitute(query, name, text(value))
        query = self.prepare(shape, query, where)
        messages = validator.messages or c.component.messages
        component = c.component.node
        if validator.kind == "select":
            return [self.solution(shape, this, row, component, messages, parameters=parameters)
                    for this, row in self.lateral(validator.prefixes, prologue, query, focus)]
        names = Names()
        declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in validator.prefixes)
        reach = self.reach(shape).replace("?v", "?value")
        keys = " ".join(focus.keys("?this"))
        full = (f"{declared}{prologue}\nSELECT DISTINCT ?this {keys} ?value WHERE {{ "
                f"{focus.pattern('?this', names)} {reach} FILTER NOT EXISTS "
                f"{sq.group_of_ask(query)} }}")
        return [self.solution(shape, row["this"], {"value": row["value"]}, component, messages,
                              parameters=parameters)
                for row in self.select(full, user=True, store=self.store_for(query))]

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
            component = _component(constraint)
        if messages is None:
            messages = shape.messages or (ox.Literal(default_message(constraint, shape.path,
                                                                     value)),)
        return ResultTerms(severity=shape.severity, focus=focus, shape=shape.node,
                           component=component, path=path, path_triples=triples, value=value,
                           source_constraint=source_constraint, messages=messages)


_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def _component(constraint: Constraint) -> ox.NamedNode:
    if isinstance(constraint, QualifiedConstraint):
        return SH.QualifiedMinCountConstraintComponent if constraint.min_count is not None \
            else SH.QualifiedMaxCountConstraintComponent
    return constraint.component_iri


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
        return f"Fewer than {c.count} values{on}"
    if isinstance(c, MaxCountConstraint):
        return f"More than {c.count} values{on}"
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

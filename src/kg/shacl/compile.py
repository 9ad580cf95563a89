"""Constraints compiled to SPARQL: value tests as expressions, focus nodes as patterns.

Two things the engine's queries are made of:

- **value tests**: a core constraint that judges each value node on its own
  (``sh:class``, ``sh:datatype``, ``sh:in``, ``sh:pattern``, ``sh:or`` ...)
  becomes a SPARQL expression that is true when the value passes
  (:meth:`Compiler.expression`). A shape used inside another
  (``sh:node``, ``sh:or`` ...) is inlined as the conjunction of its tests when
  every constraint it has is such a test, and each of its property shapes only
  asks for a value (``sh:hasValue``, an ``EXISTS``) (:meth:`Compiler.shape_expression`);
  otherwise it returns None and the engine decides conformance by validating
  the shape on the value nodes themselves.
- **focus nodes**: a :class:`Focus` writes a graph pattern binding a variable
  to each focus node once: a shape's targets over the whole graph
  (:class:`TargetFocus`), given nodes (:class:`NodesFocus`), or the value nodes
  of a path from other focus nodes (:class:`ValuesFocus`).

Class tests cost most at scale. A run over the whole graph tests classes by
joins: the instances of a class (and its subclasses) are found once per
query, in a block the query puts after the pattern binding the value
(:meth:`Context.blocks`). A run on a few focus nodes tests each value with
``EXISTS`` (index lookups), so that its cost follows the focus nodes, not the
graph. Subclasses are read from the data graph (``rdfs:subClassOf*``), once
per class and run.

``sh:datatype`` also checks that a literal's text is a value of its datatype
(:func:`kg.xsd.well_formed`). A typed literal the store read as a value is
stored canonical, and casting it gives it back: that settles almost every
literal in SPARQL; the others (text the store could not read, types it does
not read such as ``xsd:anyURI``) are judged by ``well_formed``, called from
the query as a custom function (:data:`WELL_FORMED`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import cast

import pyoxigraph as ox

from ..xsd import INTEGER_RANGES, KNOWN, STRINGS, well_formed
from .shapes import (ClassConstraint, ClosedConstraint, Constraint, DatatypeConstraint,
                     HasValueConstraint, InConstraint, LanguageInConstraint, LengthConstraint,
                     LogicalConstraint, NodeConstraint, NodeKindConstraint, NotConstraint,
                     PairConstraint, PatternConstraint, RangeConstraint, Shapes, Targets, Term)
from .vocab import FALSE, RDF, RDFS, SH, TRUE, XSD

#: The custom function the queries call for :func:`kg.xsd.well_formed`.
WELL_FORMED = ox.NamedNode("urn:kg:shacl:well-formed")


def _well_formed(term: object) -> ox.Literal:
    if isinstance(term, ox.Literal):
        return TRUE if well_formed(term.value, term.datatype.value) else FALSE
    return FALSE


#: Custom functions every engine query may call.
FUNCTIONS: dict[ox.NamedNode, Callable[..., object]] = {WELL_FORMED: _well_formed}

#: Datatypes pyoxigraph reads as values (and can cast to): their valid literals are canonical.
CASTABLE = frozenset(XSD[name] for name in (
    "string", "boolean", "decimal", "integer", "float", "double", "date", "time", "dateTime",
    "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay", "duration", "yearMonthDuration",
    "dayTimeDuration"))
#: Characters that are not XML characters: not in any string literal (kg.xsd.well_formed).
_NOT_XML_CHAR = r'"[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x{FFFE}\\x{FFFF}]"'
_NODE_KINDS = {
    "IRI": "isIRI({v})", "BlankNode": "isBlank({v})", "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})", "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})"}


def text(term: Term) -> str:
    """A term as SPARQL text (blank nodes cannot be written: callers keep them out)."""
    if isinstance(term, ox.BlankNode):
        raise ValueError(f"a blank node cannot be written in a query: {term}")
    return str(term)


def string(value: str) -> str:
    """A SPARQL string literal."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


class Names:
    """Fresh variable names for one query (``?_kg1``, ``?_kg2`` ...): never a user's."""

    def __init__(self) -> None:
        self.count = 0

    def fresh(self, stem: str = "") -> str:
        self.count += 1
        return f"?_kg{stem}{self.count}"


class Hierarchy:
    """The classes of the data graph: a class and its subclasses, read once each."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._below: dict[Term, frozenset[Term]] = {}

    def subclasses(self, cls: Term) -> frozenset[Term]:
        """``cls`` and every class below it (``rdfs:subClassOf+``)."""
        found = self._below.get(cls)
        if found is None:
            below: set[Term] = {cls}
            if not isinstance(cls, ox.Literal):
                todo: list[Term] = [cls]
                while todo:
                    for quad in self.store.quads_for_pattern(None, RDFS.subClassOf, todo.pop(),
                                                             ox.DefaultGraph()):
                        subject = cast(Term, quad.subject)
                        if subject not in below:
                            below.add(subject)
                            todo.append(subject)
            found = self._below[cls] = frozenset(below)
        return found

    def values(self, cls: Term) -> str | None:
        """The class and its subclasses as a VALUES list (None when none can be written)."""
        named = sorted(str(c) for c in self.subclasses(cls) if isinstance(c, ox.NamedNode))
        return " ".join(named) if named else None


class Context:
    """What compiling one query needs: fresh names, the class hierarchy, and how to test classes.

    ``joins``: test classes by joining their instances (whole-graph runs) rather
    than by a lookup per value (runs on a few focus nodes).
    """

    def __init__(self, hierarchy: Hierarchy, *, joins: bool, names: Names | None = None) -> None:
        self.hierarchy = hierarchy
        self.joins = joins
        self.names = names or Names()
        self._blocks: dict[tuple[str, Term], tuple[str, str]] = {}

    def instance_pattern(self, v: str, cls: Term) -> str | None:
        """A pattern: ``v`` is an instance of ``cls`` or of a subclass (None: it cannot be)."""
        classes = self.hierarchy.values(cls)
        if classes is None:
            return None
        t = self.names.fresh("t")
        return f"VALUES {t} {{ {classes} }} {v} {RDF.type} {t} ."

    def instance_of(self, v: str, cls: Term, *, join: bool = True) -> str:
        """An expression: ``v`` is an instance of ``cls`` (with joins, see :meth:`blocks`)."""
        pattern = self.instance_pattern(v, cls)
        if pattern is None:
            return "false"
        if not (self.joins and join):
            return f"EXISTS {{ {pattern} }}"
        key = (v, cls)
        if key not in self._blocks:
            flag = self.names.fresh("c")
            self._blocks[key] = (flag, f"OPTIONAL {{ SELECT DISTINCT {v} (true AS {flag}) "
                                       f"WHERE {{ {pattern} }} }}")
        return f"BOUND({self._blocks[key][0]})"

    def blocks(self) -> str:
        """The join blocks the expressions made since the last call: the query puts them
        after the pattern that binds the value variable, before the expressions."""
        found = " ".join(block for _, block in self._blocks.values())
        self._blocks = {}
        return found


class Compiler:
    """Compiles the constraints of one shapes graph to SPARQL expressions."""

    def __init__(self, shapes: Shapes) -> None:
        self.shapes = shapes
        self._inlinable: dict[Term, bool] = {}

    # ---- value tests

    def expression(self, constraint: Constraint, v: str, ctx: Context, *,
                   join: bool = True) -> str | None:
        """An expression true when the value ``v`` passes ``constraint`` (never an error:
        callers wrap it in COALESCE); None when it is no value test or uses a shape that
        cannot be inlined.

        ``join``: whether class tests may use join blocks (not inside EXISTS).
        """
        c = constraint
        if isinstance(c, ClassConstraint):
            return ctx.instance_of(v, c.cls, join=join)
        if isinstance(c, DatatypeConstraint):
            return datatype_test(v, c.datatype)
        if isinstance(c, NodeKindConstraint):
            return _NODE_KINDS[SH.local(c.kind)].format(v=v)
        if isinstance(c, RangeConstraint):
            if isinstance(c.bound, ox.BlankNode):
                return "false"
            return f"({v} {c.operator} {text(c.bound)})"
        if isinstance(c, LengthConstraint):
            op = ">=" if c.parameter == "minLength" else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {c.length})"
        if isinstance(c, PatternConstraint):
            flags = f", {string(c.flags)}" if c.flags else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {string(c.pattern)}{flags}))"
        if isinstance(c, LanguageInConstraint):
            if not c.languages:
                return "false"
            tests = " || ".join(f"langMatches(lang({v}), {string(t)})" for t in c.languages)
            return f"(isLiteral({v}) && ({tests}))"
        if isinstance(c, InConstraint):
            return one_of(v, c.values)
        if isinstance(c, HasValueConstraint):
            return one_of(v, (c.value,))
        if isinstance(c, NodeConstraint):
            return self.shape_expression(c.shape, v, ctx, join=join)
        if isinstance(c, NotConstraint):
            inner = self.shape_expression(c.shape, v, ctx, join=join)
            return None if inner is None else f"!{inner}"
        if isinstance(c, LogicalConstraint):
            members = [self.shape_expression(s, v, ctx, join=join) for s in c.shapes]
            if any(m is None for m in members):
                return None
            if not members:
                return "true" if c.parameter == "and" else "false"
            if c.parameter == "and":
                return "(" + " && ".join(members) + ")"  # type: ignore[arg-type]
            if c.parameter == "or":
                return "(" + " || ".join(members) + ")"  # type: ignore[arg-type]
            return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)"
        return None

    def node_expression(self, constraint: Constraint, v: str, ctx: Context, *,
                        join: bool = True) -> str | None:
        """Like :meth:`expression`, and also the constraints a node shape reads the graph for
        (``sh:closed``, ``sh:equals`` ...), as EXISTS tests: a nested node shape's tests."""
        c = constraint
        n = ctx.names
        if isinstance(c, ClosedConstraint):
            p, o = n.fresh("p"), n.fresh("o")
            allowed = ", ".join(sorted(str(a) for a in c.allowed))
            keep = f"FILTER({p} NOT IN ({allowed}))" if allowed else ""
            return f"(isLiteral({v}) || NOT EXISTS {{ {v} {p} {o} {keep} }})"
        if isinstance(c, PairConstraint):
            o = n.fresh("o")
            p = str(c.predicate)
            if c.parameter == "equals":
                return (f"(!isLiteral({v}) && EXISTS {{ {v} {p} {v} }} && NOT EXISTS "
                        f"{{ {v} {p} {o} FILTER(!sameTerm({o}, {v})) }})")
            if c.parameter == "disjoint":
                return f"(isLiteral({v}) || NOT EXISTS {{ {v} {p} {v} }})"
            op = "<" if c.parameter == "lessThan" else "<="
            return (f"(isLiteral({v}) || NOT EXISTS {{ {v} {p} {o} "
                    f"FILTER(!COALESCE({v} {op} {o}, false)) }})")
        return self.expression(c, v, ctx, join=join)

    def shape_expression(self, node: Term, v: str, ctx: Context, *, join: bool = True) -> str | None:
        """An expression true when ``v`` conforms to the shape ``node``; None when the shape
        cannot be inlined (property shapes, SPARQL, recursion ...)."""
        if not self.inlinable(node):
            return None
        shape = self.shapes.shape(node)
        if shape.deactivated:
            return "true"
        tests = []
        for constraint in shape.constraints:
            found = self.node_expression(constraint, v, ctx, join=join)
            if found is None:
                return None
            tests.append(f"COALESCE({found}, false)")
        for prop in map(self.shapes.shape, shape.properties):
            if not prop.deactivated:
                assert prop.path is not None
                tests.extend(f"EXISTS {{ {v} {prop.path.sparql()} {text(c.value)} }}"
                             for c in prop.constraints if isinstance(c, HasValueConstraint))
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def inlinable(self, node: Term, stack: frozenset[Term] = frozenset()) -> bool:
        """Whether a shape can be inlined as an expression: a node shape whose constraints
        are all value tests (or graph tests of the node), on shapes that can be too."""
        if node in self._inlinable:
            return self._inlinable[node]
        if node in stack:
            return False  # a recursive shape: validated, not inlined
        shape = self.shapes.shape(node)
        ok = shape.deactivated or (
            shape.path is None and not shape.sparql and not shape.custom and not shape.unsupported
            and all(_is_node_test(c) for c in shape.constraints)
            and all(self.has_value_only(p) for p in shape.properties)
            and all(self.inlinable(ref, stack | {node}) for ref in shape.references()
                    if ref not in shape.properties))
        if not stack:
            self._inlinable[node] = ok
        return ok

    def has_value_only(self, node: Term) -> bool:
        """Whether a property shape only asks for given values (``sh:hasValue``, IRIs and
        literals): inlined as an ``EXISTS`` per value. The code-list membership shapes
        (``skos:inScheme`` has the value ``code:<list>``) are such; validating them on the
        value nodes instead cost a shipped ``kg validate`` twice its time."""
        shape = self.shapes.shape(node)
        return shape.deactivated or (
            shape.path is not None and not shape.properties and not shape.sparql
            and not shape.custom and not shape.unsupported
            and all(isinstance(c, HasValueConstraint) and not isinstance(c.value, ox.BlankNode)
                    for c in shape.constraints))


def _is_node_test(constraint: Constraint) -> bool:
    return isinstance(constraint, (ClassConstraint, DatatypeConstraint, NodeKindConstraint,
                                   RangeConstraint, LengthConstraint, PatternConstraint,
                                   LanguageInConstraint, InConstraint, HasValueConstraint,
                                   NodeConstraint, NotConstraint, LogicalConstraint,
                                   ClosedConstraint, PairConstraint))


def one_of(v: str, values: Iterable[Term]) -> str:
    """``v`` is one of the terms (RDF term equality, as ``sh:in`` and ``sh:hasValue`` mean)."""
    tests = [f"sameTerm({v}, {text(t)})" for t in values if not isinstance(t, ox.BlankNode)]
    return "(" + " || ".join(tests) + ")" if tests else "false"


def datatype_test(v: str, datatype: ox.NamedNode) -> str:
    """``v`` is a literal of ``datatype`` whose text is a value of it."""
    if datatype == RDF.langString:
        return f'(isLiteral({v}) && lang({v}) != "" && !REGEX(STR({v}), {_NOT_XML_CHAR}))'
    typed = f"isLiteral({v}) && datatype({v}) = {datatype}"
    if datatype.value in STRINGS:
        return f"({typed} && !REGEX(STR({v}), {_NOT_XML_CHAR}))"
    if datatype in CASTABLE:
        return f"({typed} && (COALESCE(sameTerm({v}, {datatype}({v})), false) || {WELL_FORMED}({v})))"
    if datatype.value in KNOWN or datatype.value in INTEGER_RANGES:
        return f"({typed} && {WELL_FORMED}({v}))"
    return f"({typed})"


# --------------------------------------------------------------------------- focus nodes

class Focus:
    """The focus nodes of a run, as a graph pattern binding a variable to each once."""

    #: whether class tests join whole classes (many focus nodes) or look values up (few)
    joins: bool = True

    def pattern(self, var: str, names: Names) -> str:
        raise NotImplementedError

    def keys(self, var: str) -> list[str]:
        """Variables the pattern binds besides ``var`` that make a focus node count once per
        outer focus node (a query keeps them apart: SHACL reports each)."""
        return []


class TargetFocus(Focus):
    """The targets of a shape in the whole graph."""

    joins = True

    def __init__(self, targets: Targets, hierarchy: Hierarchy) -> None:
        self.targets = targets
        self.hierarchy = hierarchy

    def pattern(self, var: str, names: Names) -> str:
        t = self.targets
        if len(t.classes) == 1 and not (t.nodes or t.subjects_of or t.objects_of):
            below = self.hierarchy.subclasses(t.classes[0])
            if len(below) == 1 and isinstance(t.classes[0], ox.NamedNode):
                # one class, no subclass: one rdf:type triple per focus node, no DISTINCT needed
                return f"{var} {RDF.type} {t.classes[0]} ."
        parts = []
        for cls in t.classes:
            classes = self.hierarchy.values(cls)
            if classes is not None:
                c = names.fresh("t")
                parts.append(f"{{ VALUES {c} {{ {classes} }} {var} {RDF.type} {c} }}")
        parts += [f"{{ {var} {p} {names.fresh('o')} }}" for p in t.subjects_of]
        parts += [f"{{ {names.fresh('s')} {p} {var} }}" for p in t.objects_of]
        nodes = [text(n) for n in t.nodes if not isinstance(n, ox.BlankNode)]
        if nodes:
            parts.append(f"{{ VALUES {var} {{ {' '.join(nodes)} }} }}")
        if not parts:
            return "FILTER(false)"
        return f"{{ SELECT DISTINCT {var} WHERE {{ {' UNION '.join(parts)} }} }}"


class NodesFocus(Focus):
    """Given focus nodes (IRIs and literals: a query cannot name a blank node)."""

    joins = False

    def __init__(self, nodes: Iterable[Term]) -> None:
        self.nodes = list(dict.fromkeys(nodes))

    def pattern(self, var: str, names: Names) -> str:
        return f"VALUES {var} {{ {' '.join(text(n) for n in self.nodes)} }}"


class ValuesFocus(Focus):
    """The value nodes of a path from other focus nodes.

    ``per_focus``: each value node once per outer focus node it is a value of (the
    focus nodes of ``sh:property`` shapes: a result is reported for each), else once.
    """

    def __init__(self, outer: Focus, path: str, *, per_focus: bool = False) -> None:
        self.outer = outer
        self.path = path
        self.per_focus = per_focus
        self.joins = outer.joins

    def keys(self, var: str) -> list[str]:
        if not self.per_focus:
            return []
        start = f"{var}_kgo"
        return [start, *self.outer.keys(start)]

    def pattern(self, var: str, names: Names) -> str:
        if self.per_focus:
            start = f"{var}_kgo"
            kept = " ".join(self.keys(var))
        else:
            start, kept = names.fresh("f"), ""
        return (f"{{ SELECT DISTINCT {kept} {var} WHERE {{ {self.outer.pattern(start, names)} "
                f"{start} {self.path} {var} . }} }}")


__all__ = ["Compiler", "Context", "Hierarchy", "Names", "Focus", "TargetFocus", "NodesFocus",
           "ValuesFocus", "FUNCTIONS", "WELL_FORMED", "datatype_test", "one_of", "text", "string"]

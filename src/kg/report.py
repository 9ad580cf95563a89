"""The validation report: its results, and their renderings for people and for programs.

A :class:`ValidationReport` holds :class:`ValidationResult` objects, each
said so that a maintainer can find and mend it: severity, focus node (and its
label), path, value, message, the shape and constraint component that found
it, and the source graphs (with their files) that state the focus node. It
renders as text (one line per result), JSON, and Turtle: the W3C
``sh:ValidationReport`` graph, built and written by pyoxigraph from the terms
each result keeps (:class:`ResultTerms`). Both validation engines
(:mod:`kg.validate`) produce it; non-conformance is a result, not an error.

Terms are shown as elsewhere in kg (:func:`kg.terms.short`): IRIs compacted
with the project prefixes, literals quoted, complex paths as SPARQL writes
them (``^kg:x``, ``a/b``, ``(a|b)``, ``(a)*``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, NamedTuple, Union

import pyoxigraph as ox

from .prefixes import PREFIXES
from .terms import short

Term = Union[ox.NamedNode, ox.BlankNode, ox.Literal]

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#: severity IRI -> its name in a report; other IRIs are shown short (SHACL allows them)
SEVERITIES = {SH + "Violation": "Violation", SH + "Warning": "Warning", SH + "Info": "Info"}
_ORDER = {name: i for i, name in enumerate(SEVERITIES.values())}
_XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


class ResultTerms(NamedTuple):
    """One result as RDF terms: what the W3C report graph says of it."""

    severity: ox.NamedNode
    focus: Term
    shape: Term
    component: ox.NamedNode
    path: Term | None = None
    #: the structure of a complex path (the triples hanging off its blank node)
    path_triples: tuple[ox.Triple, ...] = ()
    value: Term | None = None
    source_constraint: Term | None = None
    messages: tuple[ox.Literal, ...] = ()


#: The fields of a result as people read it (what compares equal, what JSON holds).
FIELDS = ("severity", "focus", "focus_label", "path", "value", "message", "shape", "constraint",
          "sources")


class ValidationResult:
    """One thing a shape found wrong, said so that a maintainer can find and mend it.

    (A plain class, not a dataclass: importing dataclasses was a tenth of
    ``kg validate``'s start-up. Immutable; equal when the fields of :data:`FIELDS` are.)
    """

    __slots__ = (*FIELDS, "terms")

    severity: str                   #: "Violation", "Warning" or "Info" (else the IRI, short)
    focus: str                      #: the focus node's IRI (or blank node label, or literal text)
    focus_label: str | None         #: its skos:prefLabel, when it has one
    path: str | None                #: the property path, compacted with the project prefixes
    value: str | None               #: the offending value, as N-Triples-like text
    message: str                    #: the shape's sh:message (or a default one)
    shape: str | None               #: the shape that produced it
    constraint: str | None          #: the SHACL constraint component
    sources: tuple[str, ...]        #: source graphs stating the focus node (and their files)
    terms: ResultTerms | None       #: the same result as RDF terms (for the report graph)

    def __init__(self, severity: str, focus: str, focus_label: str | None, path: str | None,
                 value: str | None, message: str, shape: str | None, constraint: str | None,
                 sources: tuple[str, ...] = (), terms: ResultTerms | None = None) -> None:
        for name, given in zip((*FIELDS, "terms"), (severity, focus, focus_label, path, value,
                                                     message, shape, constraint, tuple(sources),
                                                     terms)):
            object.__setattr__(self, name, given)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a ValidationResult cannot be changed ({name})")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValidationResult) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "ValidationResult(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in FIELDS) + ")"

    @classmethod
    def from_terms(cls, terms: ResultTerms, *, label: str | None = None,
                   sources: tuple[str, ...] = ()) -> ValidationResult:
        """The result as people read it, from its terms and what provenance says of the focus."""
        return cls(
            severity=SEVERITIES.get(terms.severity.value) or short(terms.severity),
            focus=terms.focus.value,
            focus_label=label,
            path=show_path(terms.path, terms.path_triples) if terms.path is not None else None,
            value=short(terms.value) if terms.value is not None else None,
            message=pick_message(terms.messages),
            shape=short(terms.shape),
            constraint=short(terms.component),
            sources=sources,
            terms=terms)

    def line(self) -> str:
        """The result as one line of text."""
        focus = self.focus + (f' ("{self.focus_label}")' if self.focus_label else "")
        parts = [f"{self.severity:<9} {focus}"]
        if self.path:
            parts.append(f"path {self.path}")
        if self.value is not None:
            parts.append(f"value {self.value}")
        text = "  ".join(parts) + f": {self.message}"
        if self.sources:
            text += f"  [in {', '.join(self.sources)}]"
        return text

    def as_dict(self) -> dict[str, object]:
        """The fields of :data:`FIELDS`, as JSON writes them."""
        found: dict[str, object] = {name: getattr(self, name) for name in FIELDS}
        found["sources"] = list(self.sources)
        return found


def sort_key(result: ValidationResult) -> tuple[object, ...]:
    """The order of a report: by severity, then where the focus node is stated, then the node."""
    return (_ORDER.get(result.severity, -1), result.sources, result.focus, result.path or "",
            result.message, result.value or "")


class ValidationReport:
    """What validation found. Non-conformance is a result, not an exception.

    ``warnings``: what the reader should know about how it was made (a shape
    the fast engine handed to pySHACL, and why).
    """

    __slots__ = ("results", "strict", "warnings")

    def __init__(self, results: Iterable[ValidationResult], strict: bool = False,
                 warnings: Iterable[str] = ()) -> None:
        self.results: tuple[ValidationResult, ...] = tuple(results)
        self.strict = strict
        self.warnings: tuple[str, ...] = tuple(warnings)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ValidationReport) and (
            self.results, self.strict, self.warnings) == (other.results, other.strict,
                                                          other.warnings)

    def __hash__(self) -> int:
        return hash((self.results, self.strict, self.warnings))

    def __repr__(self) -> str:
        return f"ValidationReport({len(self.results)} results, {self.summary()!r})"

    @property
    def counts(self) -> dict[str, int]:
        """Number of results per severity (all three keys always present)."""
        found = Counter(r.severity for r in self.results)
        return {name: found.get(name, 0) for name in SEVERITIES.values()}

    @property
    def conforms(self) -> bool:
        """No violation (and, when strict, no warning either); a severity of the shapes'
        own counts as a violation, info never fails."""
        passing = {"Info"} if self.strict else {"Info", "Warning"}
        return all(r.severity in passing for r in self.results)

    def summary(self) -> str:
        c = self.counts
        verdict = "conforms" if self.conforms else "does not conform"
        return (f"{c['Violation']} violation(s), {c['Warning']} warning(s), "
                f"{c['Info']} info: {verdict}")

    def to_text(self) -> str:
        """One line per result, then the summary counts."""
        return "".join(r.line() + "\n" for r in self.results) + self.summary() + "\n"

    def to_json(self) -> str:
        """The report as JSON: ``conforms``, ``strict``, ``counts``, ``results``, ``warnings``."""
        import json

        return json.dumps({"conforms": self.conforms, "strict": self.strict,
                           "counts": self.counts,
                           "results": [r.as_dict() for r in self.results],
                           "warnings": list(self.warnings)},
                          ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        """The W3C ``sh:ValidationReport`` graph as Turtle (``sh:conforms`` is :attr:`conforms`)."""
        prefixes = {p: ns for p, ns in PREFIXES.items()}
        written = ox.serialize(self.triples(), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        assert written is not None
        return written.decode("utf-8")

    def triples(self) -> list[ox.Triple]:
        """The report graph: the report node, and each result with its terms."""
        report = ox.BlankNode()
        found = [ox.Triple(report, ox.NamedNode(RDF + "type"), _sh("ValidationReport")),
                 ox.Triple(report, _sh("conforms"),
                           ox.Literal("true" if self.conforms else "false", datatype=_XSD_BOOLEAN))]
        for result in self.results:
            if result.terms is not None:
                node = ox.BlankNode()
                found.append(ox.Triple(report, _sh("result"), node))
                found.extend(result_triples(node, result.terms))
        return found


def result_triples(node: ox.BlankNode, terms: ResultTerms) -> list[ox.Triple]:
    """The triples of one ``sh:ValidationResult``."""
    found = [ox.Triple(node, ox.NamedNode(RDF + "type"), _sh("ValidationResult")),
             ox.Triple(node, _sh("resultSeverity"), terms.severity),
             ox.Triple(node, _sh("focusNode"), terms.focus),
             ox.Triple(node, _sh("sourceShape"), terms.shape),
             ox.Triple(node, _sh("sourceConstraintComponent"), terms.component)]
    if terms.path is not None:
        found.append(ox.Triple(node, _sh("resultPath"), terms.path))
        found.extend(terms.path_triples)
    if terms.value is not None:
        found.append(ox.Triple(node, _sh("value"), terms.value))
    if terms.source_constraint is not None:
        found.append(ox.Triple(node, _sh("sourceConstraint"), terms.source_constraint))
    found.extend(ox.Triple(node, _sh("resultMessage"), m) for m in terms.messages)
    return found


def read_results(quads: Iterable[ox.Quad | ox.Triple]) -> list[ResultTerms]:
    """The results of a report graph (pySHACL's, or one written by :meth:`ValidationReport.to_turtle`).

    Results that are only the ``sh:detail`` of another are left out.
    """
    by_subject: dict[Any, list[tuple[ox.NamedNode, Any]]] = {}
    details: set[Any] = set()
    for quad in quads:
        by_subject.setdefault(quad.subject, []).append((quad.predicate, quad.object))
        if quad.predicate.value == SH + "detail":
            details.add(quad.object)

    def one(node: Term, name: str) -> Term | None:
        return next((o for p, o in by_subject.get(node, ()) if p.value == SH + name), None)

    def structure(node: Term | None) -> tuple[ox.Triple, ...]:
        found: list[ox.Triple] = []
        todo, seen = [node], set()
        while todo:
            current = todo.pop()
            if not isinstance(current, ox.BlankNode) or current in seen:
                continue
            seen.add(current)
            for p, o in by_subject.get(current, ()):
                found.append(ox.Triple(current, p, o))
                todo.append(o)
        return tuple(found)

    results = []
    for node, pairs in by_subject.items():
        if node in details or not any(p.value == RDF + "type" and o.value == SH + "ValidationResult"
                                      for p, o in pairs):
            continue
        severity, focus = one(node, "resultSeverity"), one(node, "focusNode")
        shape, component = one(node, "sourceShape"), one(node, "sourceConstraintComponent")
        path = one(node, "resultPath")
        results.append(ResultTerms(
            severity=severity if isinstance(severity, ox.NamedNode) else _sh("Violation"),
            focus=focus if focus is not None else ox.Literal(""),
            shape=shape if shape is not None else ox.Literal(""),
            component=component if isinstance(component, ox.NamedNode) else _sh("Unknown"),
            path=path, path_triples=structure(path), value=one(node, "value"),
            source_constraint=one(node, "sourceConstraint"),
            messages=tuple(sorted((o for p, o in pairs if p.value == SH + "resultMessage"
                                   and isinstance(o, ox.Literal)), key=lambda m: m.value))))
    return results


def pick_message(messages: Iterable[ox.Literal]) -> str:
    """The message a report line shows: an English (or untagged) one, whitespace collapsed.

    Among several, the first in alphabetical order: both engines pick the same.
    """
    found = list(messages)
    if not found:
        return "(no message)"
    chosen = min([m for m in found if m.language in (None, "", "en")] or found,
                 key=lambda m: m.value)
    return " ".join(chosen.value.split())


def show_path(path: Term, triples: Iterable[ox.Triple] = ()) -> str:
    """A SHACL path as SPARQL writes it, from its node and the triples of its structure."""
    by: dict[tuple[Any, str], Any] = {(t.subject, t.predicate.value): t.object for t in triples}

    def items(head: Term | None) -> list[Term]:
        found: list[Term] = []
        while head is not None and head.value != RDF + "nil" and len(found) < 1000:
            first = by.get((head, RDF + "first"))
            if first is None:
                break
            found.append(first)
            head = by.get((head, RDF + "rest"))
        return found

    def show(node: Term | None) -> str:
        if node is None:
            return "?"
        if not isinstance(node, ox.BlankNode):
            return short(node)
        if (node, RDF + "first") in by:
            return "/".join(show(step) for step in items(node))
        inverse = by.get((node, SH + "inversePath"))
        if inverse is not None:
            return f"^{show(inverse)}"
        alternatives = by.get((node, SH + "alternativePath"))
        if alternatives is not None:
            return "(" + "|".join(show(step) for step in items(alternatives)) + ")"
        for name, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
            inner = by.get((node, SH + name))
            if inner is not None:
                return f"({show(inner)}){mark}"
        return short(node)

    return show(path)


__all__ = ["ValidationReport", "ValidationResult", "ResultTerms", "SEVERITIES", "read_results",
           "result_triples", "show_path", "pick_message", "sort_key"]

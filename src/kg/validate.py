"""Validation: the data (all source graphs merged) against the SHACL shapes.

pySHACL does the work, or the fast engine (:mod:`kg.fastshacl`: the shapes
compiled to SPARQL for pyoxigraph, same results, the default); this module
turns the report graph into a :class:`ValidationReport` a person or a program
can read, with every result traced to the source graph (and file) its focus
node comes from. The input graph is never changed: both engines run on a
merged copy, with the ontology mixed into that copy only, so that
``sh:class`` sees ``rdfs:subClassOf``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from .load import KnowledgeGraph
from .namespaces import bind_prefixes

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    """One thing a shape found wrong, said so that a maintainer can find and mend it."""

    severity: str                   #: "Violation", "Warning" or "Info"
    focus: str                      #: the focus node's IRI (or blank node id)
    focus_label: str | None         #: its skos:prefLabel, when it has one
    path: str | None                #: the property path, compacted with the project prefixes
    value: str | None               #: the offending value, as N-Triples-like text
    message: str                    #: the shape's sh:message (or pySHACL's text)
    shape: str | None               #: the shape that produced it
    constraint: str | None          #: the SHACL constraint component
    sources: tuple[str, ...] = ()   #: source graphs stating the focus node (and their files)

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


@dataclass(frozen=True)
class ValidationReport:
    """What validation found. Non-conformance is a result, not an exception."""

    results: tuple[ValidationResult, ...]
    strict: bool = False
    report_graph: Graph = field(default_factory=Graph, compare=False, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        """Number of results per severity (all three keys always present)."""
        found = Counter(r.severity for r in self.results)
        return {name: found.get(name, 0) for name in SEVERITIES.values()}

    @property
    def conforms(self) -> bool:
        """No violation (and, when strict, no warning either)."""
        failing = {"Violation", "Warning"} if self.strict else {"Violation"}
        return not any(r.severity in failing for r in self.results)

    def summary(self) -> str:
        c = self.counts
        verdict = "conforms" if self.conforms else "does not conform"
        return (f"{c['Violation']} violation(s), {c['Warning']} warning(s), "
                f"{c['Info']} info: {verdict}")

    def to_text(self) -> str:
        """One line per result, then the summary counts."""
        return "".join(r.line() + "\n" for r in self.results) + self.summary() + "\n"

    def to_json(self) -> str:
        """The report as JSON: ``conforms``, ``counts`` and ``results``."""
        return json.dumps({"conforms": self.conforms, "strict": self.strict,
                           "counts": self.counts,
                           "results": [asdict(r) for r in self.results]},
                          ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        """pySHACL's own ``sh:ValidationReport`` graph as Turtle."""
        return self.report_graph.serialize(format="turtle")


#: The validation engines: "fast" compiles the shapes to SPARQL run by pyoxigraph
#: (:mod:`kg.fastshacl`), "pyshacl" is the reference. Both give the same results on
#: every fixture and on the shipped data (tests/test_fastshacl.py); "fast" is the
#: default because it is (measured in bench/validation.py) far faster at scale.
ENGINES = ("fast", "pyshacl")
DEFAULT_ENGINE = "fast"


def validate(graph: KnowledgeGraph, shapes: Graph, ontology: Graph, *,
             strict: bool = False, focus: Iterable[Node] | None = None,
             engine: str | None = None) -> ValidationReport:
    """Validate ``graph`` (all its named graphs, merged) against ``shapes``.

    ``focus``, when given, limits the report to results about those nodes.
    ``engine``: one of :data:`ENGINES` (default :data:`DEFAULT_ENGINE`).

    Raises:
        KGError: the shapes could not be run (a broken shape, or one the fast
            engine does not support), or an unknown engine.
    """
    from .errors import KGError

    engine = engine or DEFAULT_ENGINE
    if engine == "fast":
        from .fastshacl import validate_fast

        return validate_fast(graph, shapes, ontology, strict=strict, focus=focus)
    if engine != "pyshacl":
        raise KGError(f"unknown validation engine {engine!r}: use one of {', '.join(ENGINES)}")
    from pyshacl import validate as shacl_validate

    # pySHACL's ont_graph brings only OWL/RDFS axioms along; the code lists
    # (SKOS concepts) must be in the data copy for sh:class and skos:inScheme
    # checks to see them, and so that the concepts themselves are validated.
    data = graph.union()
    data += ontology
    try:
        with parsed_once():
            _, report_graph, _ = shacl_validate(
                data, shacl_graph=shapes, inference="none",
                advanced=True, allow_warnings=True, inplace=True)
    except Exception as exc:  # pySHACL's errors mean the shapes cannot be run
        raise KGError(f"the shapes could not be run: {exc}") from exc
    bind_prefixes(report_graph)
    wanted = set(focus) if focus is not None else None
    results = [read_result(report_graph, node, data, graph)
               for node in report_graph.subjects(RDF.type, SH.ValidationResult)]
    if wanted is not None:
        results = [r for r in results if r.focus in {str(n) for n in wanted}]
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    results.sort(key=lambda r: (order[r.severity], r.sources, r.focus, r.path or "", r.message))
    return ValidationReport(tuple(results), strict=strict, report_graph=report_graph)


#: SPARQL text (with base and namespaces) -> rdflib's translated query, for the process.
_PREPARED: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], object] = {}


@contextmanager
def parsed_once() -> Iterator[None]:
    """Parse each SPARQL query text once per process while pySHACL runs.

    pySHACL hands rdflib the text of a SHACL-SPARQL constraint once per focus
    node, and rdflib parses it anew each time: parsing was 15 of 18 seconds
    when validating the shipped data. The translated query is reused instead,
    also across runs (``kg add`` validates in many small runs).
    """
    from rdflib.plugins.sparql import processor

    original = processor.SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            if key not in _PREPARED:
                _PREPARED[key] = processor.translateQuery(
                    processor.parseQuery(strOrQuery), base, initNs)
            strOrQuery = _PREPARED[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    processor.SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        processor.SPARQLProcessor.query = original  # type: ignore[method-assign]


def read_result(report: Graph, node: Node, data: Graph, graph: KnowledgeGraph) -> ValidationResult:
    """One ``sh:ValidationResult`` of pySHACL's report as a :class:`ValidationResult`."""
    def one(prop: URIRef) -> Node | None:
        return report.value(node, prop)

    focus = one(SH.focusNode)
    path = one(SH.resultPath)
    value = one(SH.value)
    message = one(SH.resultMessage)
    severity = SEVERITIES.get(URIRef(str(one(SH.resultSeverity))), "Violation")
    return ValidationResult(
        severity=severity,
        focus=str(focus),
        focus_label=label_of(data, focus),
        path=show(report, path),
        value=show(report, value),
        message=" ".join(str(message).split()) if message is not None else "(no message)",
        shape=show(report, one(SH.sourceShape)),
        constraint=show(report, one(SH.sourceConstraintComponent)),
        sources=sources_of(graph, focus),
    )


def label_of(data: Graph, node: Node | None) -> str | None:
    """The node's Indonesian (else English, else any) preferred label."""
    if node is None:
        return None
    labels = {lit.language: str(lit) for lit in data.objects(node, SKOS.prefLabel)
              if isinstance(lit, Literal)}
    for lang in ("id", "en", None):
        if lang in labels:
            return labels[lang]
    return next(iter(labels.values()), None)


def show(graph: Graph, term: Node | None) -> str | None:
    """A term as short readable text (prefixed name, quoted literal, path)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:
            return f"<{term}>"
    if isinstance(term, Literal):
        return term.n3(graph.namespace_manager)
    if isinstance(term, BNode):  # a complex path: sh:inversePath, sequence ...
        inverse = graph.value(term, SH.inversePath)
        if inverse is not None:
            return f"^{show(graph, inverse)}"
        if graph.value(term, RDF.first) is not None:  # a sequence path
            return "/".join(show(graph, step) or "?" for step in Collection(graph, term))
        alternatives = graph.value(term, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(show(graph, step) or "?"
                                  for step in Collection(graph, alternatives)) + ")"
        for repeat, mark in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                             (SH.zeroOrOnePath, "?")):
            inner = graph.value(term, repeat)
            if inner is not None:
                return f"({show(graph, inner)}){mark}"
        return f"_:{term}"
    return str(term)


def sources_of(graph: KnowledgeGraph, node: Node | None) -> tuple[str, ...]:
    """The graphs stating something about ``node``, each with the file it was read from."""
    if node is None:
        return ()
    names = sorted({str(g) for _, _, _, g in graph.dataset.quads((node, None, None, None))})
    if not names:
        names = sorted({str(g) for _, _, _, g in graph.dataset.quads((None, None, node, None))})
    shown = []
    for name in names:
        origin: Path | None = graph.origins.get(URIRef(name))
        shown.append(f"{name} ({relative(origin)})" if origin else name)
    return tuple(shown)


def relative(path: Path) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)

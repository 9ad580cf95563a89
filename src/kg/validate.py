"""Validation: the one dispatch from a store and shapes to a :class:`~kg.report.ValidationReport`.

:func:`validate` validates the **default graph** of a pyoxigraph Store (where
kg keeps the merge of every source graph, with the ontology and code lists)
against :class:`~kg.shacl.Shapes`:

- ``engine="fast"`` (the default): :mod:`kg.shacl`, the shapes compiled to
  SPARQL run by pyoxigraph. A shape it cannot run (SHACL-AF targets or
  rules, JavaScript, ``$shapesGraph``, SPARQL that pyoxigraph does not read)
  is run by pySHACL, for that shape only, and the report's ``warnings`` name
  it. Nothing else imports rdflib or pySHACL: the fast path starts in
  hundredths of a second.
- ``engine="pyshacl"``: every shape by pySHACL, the reference implementation.

pySHACL is an edge (this module is the only one that calls it). It reads an
rdflib copy of the store's default graph (:func:`kg.terms.to_rdflib`), so it
sees the literals as the store holds them, as the fast engine does. pySHACL
0.40 accepts a pyoxigraph Store as its data graph, but validates the union
of *all* its graphs (a triple stated by two sources counts twice: the
shipped data's cold storage then fails to add up) and, on a copy of the
default graph alone, ran twice as slowly as on the rdflib copy.

Every result is traced to where its focus node is stated (``provenance``:
:class:`StoreProvenance` by default, reading the store's named graphs), so a
report line names the source graph and its file. :func:`validate_files`
validates any RDF files against any shapes files, outside the project, as
pySHACL's command line does (``kg validate --shapes``).

>>> import pyoxigraph as ox
>>> from kg.shacl import Shapes
>>> shapes = Shapes.from_text('''
...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
...     ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ;
...                                              sh:message "ex:a needs an ex:p" ] .''')
>>> report = validate(ox.Store(), shapes)
>>> report.conforms, [r.message for r in report.results]
(False, ['ex:a needs an ex:p'])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from .errors import KGError, ShapesError
from .report import ResultTerms, ValidationReport, ValidationResult, read_results, sort_key
from .shacl.shapes import Shape, Shapes, Term
from .terms import preferred_label

if TYPE_CHECKING:
    from rdflib import Graph

    from .graph import KnowledgeGraph
    from .project import Project

#: The validation engines: "fast" compiles the shapes to SPARQL run by pyoxigraph
#: (:mod:`kg.shacl`), "pyshacl" is the reference. Both give the same results on the
#: W3C SHACL suite, every fixture and the shipped data (tests/test_shacl_w3c.py,
#: tests/test_fastshacl.py); "fast" is far faster at scale (bench/validation.py).
ENGINES = ("fast", "pyshacl")
DEFAULT_ENGINE = "fast"

_DEFAULT = ox.DefaultGraph()
_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
_SH = "http://www.w3.org/ns/shacl#"


class Provenance(Protocol):
    """What a report says about a focus node besides the result: its label and its sources."""

    def label(self, term: Term) -> str | None: ...

    def sources(self, term: Term) -> tuple[str, ...]: ...


class StoreProvenance:
    """Labels and sources read from the store itself.

    ``label``: the node's ``skos:prefLabel`` in the default graph (Indonesian, else
    English, else any). ``sources``: the named graphs holding statements about the
    node (else pointing at it), each with the file it was read from when
    ``origins`` (graph IRI -> file) knows it; graphs named by an ``owl:Ontology``
    (the vocabularies) and those in ``exclude`` are never sources.
    """

    def __init__(self, store: ox.Store, origins: Mapping[str, Path] | None = None, *,
                 exclude: Iterable[str] = ()) -> None:
        self.store = store
        self.origins = dict(origins or {})
        self.exclude = set(exclude)

    def label(self, term: Term) -> str | None:
        if isinstance(term, ox.Literal):
            return None
        return preferred_label(q.object for q in self.store.quads_for_pattern(
            term, _PREF_LABEL, None, _DEFAULT))

    def sources(self, term: Term) -> tuple[str, ...]:
        names: set[ox.NamedNode | ox.BlankNode] = set()
        if not isinstance(term, ox.Literal):
            names = {q.graph_name for q in self.store.quads_for_pattern(term, None, None)
                     if not isinstance(q.graph_name, ox.DefaultGraph)}
        if not names:
            names = {q.graph_name for q in self.store.quads_for_pattern(None, None, term)
                     if not isinstance(q.graph_name, ox.DefaultGraph)}
        shown = []
        for name in sorted(names, key=lambda n: n.value):
            if name.value in self.exclude or self._vocabulary(name):
                continue
            origin = self.origins.get(name.value)
            shown.append(f"{name.value} ({relative(origin)})" if origin else name.value)
        return tuple(shown)

    def _vocabulary(self, name: ox.NamedNode | ox.BlankNode) -> bool:
        return any(True for _ in self.store.quads_for_pattern(name, _RDF_TYPE, _ONTOLOGY))


def validate(data: ox.Store | KnowledgeGraph, shapes: Shapes | None = None, *,
             project: Project | None = None, strict: bool = False,
             focus: Iterable[Term] | None = None, engine: str | None = None,
             provenance: Provenance | None = None) -> ValidationReport:
    """Validate the default graph of ``data`` against ``shapes``.

    ``data``: a pyoxigraph Store, or a :class:`~kg.graph.KnowledgeGraph` (``kg.load_graph()``,
    ``kg.open_store(PATH)``), whose results are then traced to its source graphs and
    files (as :func:`validate_graph`). ``shapes``: default the project's (``shapes/`` of
    ``project``, else of :meth:`Project.locate`); with them, data that holds no ontology
    is validated together with the project's ``ontology/`` (read into a copy: ``data``
    stays as it is), whose classes and code lists the shapes read.
    ``focus``: validate only these nodes as focus nodes (each shape that targets
    them); results about other nodes are not computed (fast) or dropped (pySHACL).
    ``engine``: one of :data:`ENGINES` (default :data:`DEFAULT_ENGINE`).
    ``provenance``: labels and sources of focus nodes (default: read from ``data``).
    The store is never changed.

    Raises:
        ShapesError: the shapes are ill-formed, or a SHACL-SPARQL query breaks the rules
            of SHACL (what the SHACL test suite calls a failure).
        KGError: an unknown engine, or pySHACL could not run the shapes.
    """
    from .graph import KnowledgeGraph

    if isinstance(data, KnowledgeGraph):
        provenance = provenance or GraphProvenance(data)
        data = data.store
    if shapes is None:
        from .project import Project

        project = project or Project.locate()
        shapes = project_shapes(project)
        data = with_ontology(data, project)
    engine = engine or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise KGError(f"unknown validation engine {engine!r}: use one of {', '.join(ENGINES)}")
    wanted = None if focus is None else list(dict.fromkeys(focus))
    warnings: list[str] = []
    if next(data.quads_for_pattern(None, None, None, _DEFAULT), None) is None and \
            next(iter(data.named_graphs()), None) is not None:
        warnings.append("the store's default graph is empty, its named graphs are not: "
                        "validation reads the default graph (merge the named graphs into it, "
                        "as kg.graph.merge does)")
    if engine == "fast":
        from .shacl.engine import Engine

        outcome = Engine.of(shapes).run(data, focus=wanted)
        found = outcome.results
        if outcome.fallback:
            for shape, reasons in outcome.fallback:
                warnings.append(f"shape {shapes.describe(shape.node)} was validated by pySHACL: "
                                f"the fast engine does not run {'; '.join(reasons)}")
            found += _pyshacl(data, shapes, [shape for shape, _ in outcome.fallback], wanted)
    else:
        found = _pyshacl(data, shapes, None, wanted)
    provenance = provenance or StoreProvenance(data)
    labels: dict[Term, str | None] = {}
    sources: dict[Term, tuple[str, ...]] = {}
    results = []
    for terms in found:
        if terms.focus not in labels:
            labels[terms.focus] = provenance.label(terms.focus)
            sources[terms.focus] = provenance.sources(terms.focus)
        results.append(ValidationResult.from_terms(terms, label=labels[terms.focus],
                                                   sources=sources[terms.focus]))
    results.sort(key=sort_key)
    return ValidationReport(tuple(results), strict=strict, warnings=tuple(warnings))


def with_ontology(data: ox.Store, project: Project) -> ox.Store:
    """``data`` if its default graph declares an ontology, else a copy of it in memory with
    the project's ``ontology/`` added (each file in its graph, merged into the default graph).

    Raises:
        SourceFileError: an ontology file does not parse.
    """
    if next(data.quads_for_pattern(None, _RDF_TYPE, _ONTOLOGY, _DEFAULT), None) is not None:
        return data
    from .graph import load_vocabulary, merge
    from .parse import rdf_files

    copy = ox.Store()
    copy.extend(data)
    names = [load_vocabulary(copy, path) for path in rdf_files(project.ontology_dir)]
    merge(copy, names)
    return copy


# --------------------------------------------------------------------------- the graph, files

class GraphProvenance:
    """Labels and sources of focus nodes read from a :class:`~kg.graph.KnowledgeGraph`:
    its source graphs (never the vocabulary's), each with the file it was read from."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self._vocabulary = set(graph.vocabulary_graphs())

    def label(self, term: Term) -> str | None:
        return None if isinstance(term, ox.Literal) else self.graph.label(term)

    def graphs(self, term: Term) -> set[ox.NamedNode]:
        """The source graphs stating something about ``term``, else pointing at it."""
        names = set() if isinstance(term, ox.Literal) else \
            {q.graph_name for q in self.graph.quads(term)}
        if not names:
            names = {q.graph_name for q in self.graph.quads(None, None, term)}
        return {n for n in names if isinstance(n, ox.NamedNode) and n not in self._vocabulary}

    def sources(self, term: Term) -> tuple[str, ...]:
        return self.shown(self.graphs(term))

    def shown(self, names: Iterable[ox.NamedNode]) -> tuple[str, ...]:
        shown = []
        for name in sorted(names, key=lambda n: n.value):
            origin = self.graph.origin(name)
            shown.append(f"{name.value} ({relative(origin)})" if origin else name.value)
        return tuple(shown)


def project_shapes(project: Project) -> Shapes:
    """The shapes of a project (``shapes/``), read once per process while the files stay the same.

    Raises:
        SourceFileError: a shapes file does not parse.
    """
    from .parse import rdf_files

    files = rdf_files(project.shapes_dir)
    key = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    if key not in _SHAPES:
        _SHAPES[key] = Shapes.from_files(files)
    return _SHAPES[key]


_SHAPES: dict[tuple[tuple[str, int, int], ...], Shapes] = {}


def validate_graph(graph: KnowledgeGraph, shapes: Shapes | None = None, *, strict: bool = False,
                   engine: str | None = None, focus: Iterable[Term] | None = None,
                   guards: bool = False, files: Sequence[Path] = ()) -> ValidationReport:
    """Validate a graph (in memory or on disk): its merged default graph, results traced to
    the source graphs and files that state each focus node. ``shapes``: default the
    shapes of :meth:`Project.locate`'s project.

    ``guards``: add the results of :mod:`kg.guards` (each statement's ``dct:source`` is
    its graph; every class and property is declared in the ontology or reused from a
    standard vocabulary), as ``kg validate`` does; ``files``: the extra files read into
    the graph, named where their statements break a guard.

    Raises:
        ShapesError: the shapes are ill-formed.
        KGError: an unknown engine, or pySHACL could not run the shapes.
    """
    if shapes is None:
        from .project import Project

        shapes = project_shapes(Project.locate())
    report = validate(graph.store, shapes, strict=strict, engine=engine, focus=focus,
                      provenance=GraphProvenance(graph))
    if guards:
        from .guards import graph_results

        found = graph_results(graph, files=files)
        if found:
            report = ValidationReport(sorted((*report.results, *found), key=sort_key),
                                      strict=strict, warnings=report.warnings)
    return report


def validate_files(shapes_files: Sequence[str | Path], data_files: Sequence[str | Path], *,
                   vocabulary: Sequence[Path] = (), strict: bool = False,
                   engine: str | None = None, guards: bool = False) -> ValidationReport:
    """Validate RDF files (with ``vocabulary`` files, as the project's ``ontology/``) against
    shapes files (``kg validate --shapes SHAPES DATA...``, ``kg load --validate``).

    The data files are the user's own, read as the project's files are (``kg load``
    loads them as they are); ``kg validate FILE`` without ``--shapes`` reads them as
    untrusted input. ``guards``: as :func:`validate_graph` (for the project's own files).

    Raises:
        SourceFileError: a file cannot be read or parsed.
        ShapesError: the shapes are ill-formed.
        KGError: an unknown engine, or pySHACL could not run the shapes.
    """
    from .graph import read_files

    graph = read_files([Path(f) for f in data_files], vocabulary)
    return validate_graph(graph, Shapes.from_files(shapes_files), strict=strict, engine=engine,
                          guards=guards, files=[Path(f) for f in data_files])


def relative(path: Path) -> str:
    """A path relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- pySHACL, at the edge

def _pyshacl(data: ox.Store, shapes: Shapes, only: list[Shape] | None,
             focus: list[Term] | None) -> list[ResultTerms]:
    """Results of pySHACL on an rdflib copy of the default graph: all shapes, or ``only`` those.

    Raises:
        ShapesError: pySHACL found the shapes ill-formed or a SPARQL query breaks the rules.
        KGError: pySHACL could not run.
    """
    from pyshacl import validate as shacl_validate
    from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError, \
        ValidationFailure

    from .terms import from_rdflib

    options: dict[str, Any] = {}
    keep: set[Term] | None = None
    if only is not None:
        if all(isinstance(s.node, ox.NamedNode) for s in only):
            options["use_shapes"] = [s.node.value for s in only]
        else:  # pySHACL names the shapes to run by IRI: run all, keep these shapes' results
            keep = set()
            todo: list[Term] = [s.node for s in only]
            while todo:
                node = todo.pop()
                if node not in keep:
                    keep.add(node)
                    todo.extend(shapes.shape(node).properties)
    graph = rdflib_graph(data)
    try:
        with quiet_rdflib(), parsed_once():
            _, report, _ = shacl_validate(graph, shacl_graph=shapes.rdflib(), inference="none",
                                          advanced=True, allow_warnings=True, allow_infos=True,
                                          inplace=True, **options)
    except (ValidationFailure, ConstraintLoadError, ShapeLoadError) as exc:
        raise ShapesError(f"pySHACL refused the shapes: {' '.join(str(exc).split())}") from exc
    except (ReportableRuntimeError, NotImplementedError) as exc:
        raise ShapesError(f"pySHACL could not run the shapes: {' '.join(str(exc).split())}") \
            from exc
    except Exception as exc:  # pySHACL's other errors (from rdflib) mean it cannot run them
        raise KGError(f"pySHACL could not run the shapes: {' '.join(str(exc).split())}") from exc
    if isinstance(report, Exception):  # pySHACL returns some failures in place of the report
        raise ShapesError(f"pySHACL refused the shapes: {' '.join(str(report).split())}")
    triples = [ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o)) for s, p, o in report]
    found = read_results(triples)
    if keep is not None:
        found = [r for r in found if r.shape in keep]
    if focus is not None:
        wanted = set(focus)
        found = [r for r in found if r.focus in wanted]
    return found


@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Keep rdflib's warnings and logged tracebacks off stderr while pySHACL runs.

    What they are about (a literal rdflib cannot convert, a deprecated call of
    pySHACL's) is no problem of the user's: the report says what is wrong.
    """
    import logging
    import warnings

    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def rdflib_graph(store: ox.Store) -> Graph:
    """The default graph of a store as an rdflib Graph (for pySHACL)."""
    from rdflib import Graph

    from .terms import to_rdflib

    graph = Graph()
    for quad in store.quads_for_pattern(None, None, None, _DEFAULT):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


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


__all__ = ["validate", "validate_graph", "validate_files", "project_shapes", "Provenance",
           "StoreProvenance", "GraphProvenance",
           "ValidationReport", "ValidationResult", "Shapes", "ENGINES", "DEFAULT_ENGINE",
           "parsed_once", "rdflib_graph", "relative"]

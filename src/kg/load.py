"""Reading RDF files: ontology, shapes and data -> rdflib graphs.

The shipped data is one file per source article in ``data/``, each holding
the named graph of that article; :func:`load_graph` reads them all into one
``Dataset`` (one named graph per source) and remembers which file each graph
came from. Parsing errors become :class:`~kg.errors.SourceFileError` naming
file, line and column. Nothing here reaches the network: JSON-LD contexts are
resolved from the shipped copy or refused.
"""

from __future__ import annotations

import json

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from .errors import SourceFileError
from .formats import RdfFormat
from .project import Project
from .namespaces import BASE, bind_prefixes

if TYPE_CHECKING:
    import pyoxigraph as ox

    from .untrusted import Limits
    from .validate import StoreProvenance

#: The IRI under which the shipped JSON-LD context may be referenced; it is
#: resolved to ``src/kg/context.jsonld``, never fetched.
CONTEXT_IRI = BASE + "context.jsonld"
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")

RDF_SUFFIXES = {fmt.extension for fmt in RdfFormat} | {".json"}


@dataclass
class KnowledgeGraph:
    """The data: one named graph per source article, and the file each came from."""

    dataset: Dataset
    origins: dict[URIRef, Path] = field(default_factory=dict)

    def source_graphs(self) -> list[URIRef]:
        """The names of the graphs that hold statements, sorted."""
        return sorted(URIRef(str(g.identifier)) for g in self.dataset.graphs()
                      if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g))

    def union(self) -> Graph:
        """All statements of all graphs merged into one new Graph (a copy)."""
        merged = Graph()
        bind_prefixes(merged)
        for s, p, o, _ in self.dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
        return merged

    def __len__(self) -> int:
        return sum(1 for _ in self.dataset.quads((None, None, None, None)))


def new_dataset() -> Dataset:
    """An empty Dataset with the project's prefixes bound."""
    dataset = Dataset()
    bind_prefixes(dataset)
    return dataset


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files in a folder (not recursive), sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in RDF_SUFFIXES)


def parse_into(dataset: Dataset, path: Path, *, fmt: RdfFormat | None = None,
               text: str | None = None) -> list[URIRef]:
    """Parse one file into ``dataset``; return the names of the graphs it wrote to.

    Triples of a triples-only format (Turtle, N-Triples) go to the default graph.

    Raises:
        SourceFileError: the file cannot be read, is not UTF-8 text, or does not parse.
    """
    fmt = fmt or RdfFormat.from_path(path)
    if text is None:
        text = read_text(path)
    if fmt is RdfFormat.JSONLD:
        text = json.dumps(resolve_jsonld_contexts(path, text))
    before = {g.identifier for g in dataset.graphs() if len(g)}
    sizes = {g.identifier: len(g) for g in dataset.graphs()}
    try:
        dataset.parse(data=text, format=fmt.rdflib_name, publicID=path.resolve().as_uri())
    except SourceFileError:
        raise
    except Exception as exc:  # rdflib raises many kinds; all mean "does not parse"
        raise syntax_error(path, text, exc) from exc
    touched = [URIRef(str(g.identifier)) for g in dataset.graphs()
               if len(g) and (g.identifier not in before or len(g) != sizes.get(g.identifier))]
    return sorted(touched)


def read_text(path: Path) -> str:
    """A file's text, as UTF-8.

    Raises:
        SourceFileError: missing, unreadable, binary, or not UTF-8.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(path, "no such file") from None
    except IsADirectoryError:
        raise SourceFileError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise SourceFileError(path, f"cannot be read: {exc.strerror}") from None
    if b"\x00" in raw:
        raise SourceFileError(path, "is a binary file, not RDF text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceFileError(path, "is not UTF-8 text; save it as UTF-8", line=line) from None


_RDFLIB_LINE = re.compile(r"(?:line|Line)\s+(\d+)")


def syntax_error(path: Path, text: str, exc: Exception) -> SourceFileError:
    """A parser exception as a ``SourceFileError`` with file, line and column where known."""
    why = getattr(exc, "_why", None) or getattr(exc, "msg", None) or str(exc)
    why = " ".join(str(why).split()) or type(exc).__name__
    offset = getattr(exc, "_i", None)
    if isinstance(offset, int) and 0 <= offset <= len(text):
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return SourceFileError(path, f"syntax error: {why}", line=line, column=column)
    if isinstance(getattr(exc, "lines", None), int):
        return SourceFileError(path, f"syntax error: {why}", line=exc.lines + 1)  # type: ignore[attr-defined]
    found = _RDFLIB_LINE.search(str(exc))
    if found:
        return SourceFileError(path, f"syntax error: {why}", line=int(found.group(1)))
    if isinstance(exc, json.JSONDecodeError):
        return SourceFileError(path, f"not JSON: {exc.msg}", line=exc.lineno, column=exc.colno)
    return SourceFileError(path, f"syntax error: {why}")


def resolve_jsonld_contexts(path: Path, text: str) -> object:
    """The JSON-LD document with every ``@context`` reference made local.

    The shipped context (``CONTEXT_IRI``) is inlined; any other referenced
    context is refused, because fetching it would reach the network.

    Raises:
        SourceFileError: not JSON, or a context that is not the shipped one.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"not JSON: {exc.msg}", line=exc.lineno,
                              column=exc.colno) from None
    shipped: object | None = None

    # A context can hide a reference in many places: a string or list at "@context",
    # "@import" inside a context, a "@context" inside a context, a term's scoped
    # "@context" (property- or type-scoped), at any depth of the document. Every one
    # is made local here; rdflib is left nothing it could fetch.
    def local(ref: object) -> object:
        nonlocal shipped
        if isinstance(ref, str):
            if ref.rstrip("#") != CONTEXT_IRI:
                raise SourceFileError(
                    path, f"JSON-LD context {ref!r} would have to be fetched; kg never fetches "
                    f"contexts: inline it, or use the shipped one ({CONTEXT_IRI})")
            if shipped is None:
                shipped = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
            return shipped
        if isinstance(ref, list):
            return [local(item) for item in ref]
        if isinstance(ref, dict):
            merged: dict[str, object] = {}
            if "@import" in ref:  # JSON-LD 1.1: the imported context, then this one's terms
                imported = local(ref["@import"]) if isinstance(ref["@import"], str) else None
                if not isinstance(imported, dict):
                    raise SourceFileError(path, "JSON-LD @import must name a context document")
                merged.update(imported)
            for key, value in ref.items():
                if key != "@import":
                    merged[key] = local(value) if key == "@context" else walk(value)
            return merged
        return ref

    def walk(node: object) -> object:
        if isinstance(node, dict):
            return {key: (local(value) if key == "@context" else walk(value))
                    for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document)


def load_graph(project: Project | None = None, *, extra: Iterable[Path] = (),
               limits: Limits | None = None) -> KnowledgeGraph:
    """The shipped data of ``project`` (and ``extra`` files), one named graph per source.

    ``extra`` files are untrusted (given on the command line): they are read with
    the limits and checks of :mod:`kg.untrusted` (``limits``, else ``KG_MAX_*``).
    ``data/`` is read as a whole: never half of an interrupted or running ``kg add``.

    Raises:
        SourceFileError: a file cannot be read or parsed.
        LimitError: an extra file is over a limit.
        InputError: an extra file has several problems (one line each).
        StoreError: an interrupted ``kg add`` cannot be settled.
    """
    from .datafiles import consistent_read
    from .untrusted import parse_untrusted

    project = project or Project.locate()
    # the untrusted files first: a bad one fails before data/ is read.
    # Blank nodes are the shapes' business here (kgsh:NoBlankNodeShape); kg add refuses them.
    extras = [(path, parse_untrusted(path, limits=limits, allow_blank_nodes=True))
              for path in extra]
    graph = KnowledgeGraph(new_dataset())
    with consistent_read(project.data_dir):
        for path in rdf_files(project.data_dir):
            for name in parse_into(graph.dataset, path):
                graph.origins.setdefault(name, path)
    for path, parsed in extras:
        for s, p, o, g in parsed.quads((None, None, None, None)):
            graph.dataset.graph(g).add((s, p, o))
        for name in sorted({URIRef(str(g)) for _, _, _, g in parsed.quads((None, None, None, None))}):
            graph.origins.setdefault(name, path)
    return graph


def validation_store(graph: KnowledgeGraph, ontology: Iterable[Path] = ()) -> tuple[ox.Store, StoreProvenance]:
    """The graph as :func:`kg.validate.validate` reads it: a pyoxigraph Store with every
    source graph, their merge in the default graph, and the ``ontology`` files there too;
    and the provenance that names each source graph's file.

    Glue until loading is done by pyoxigraph itself (the data is read twice meanwhile).

    Raises:
        SourceFileError: an ontology file cannot be read or parsed.
    """
    import pyoxigraph as ox

    from .shacl.shapes import load_file
    from .terms import from_rdflib
    from .validate import StoreProvenance

    store = ox.Store()
    store.extend(ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), from_rdflib(g))
                 for s, p, o, g in graph.dataset.quads((None, None, None, None))
                 if g is not None)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    for path in ontology:
        load_file(store, path)
    origins = {str(name): path for name, path in graph.origins.items()}
    return store, StoreProvenance(store, origins)


def load_rdf(paths: Iterable[Path]) -> Graph:
    """Files of triples (ontology, shapes) merged into one Graph.

    Raises:
        SourceFileError: a file cannot be read or parsed.
    """
    merged = Graph()
    bind_prefixes(merged)
    for path in paths:
        fmt = RdfFormat.from_path(path)
        try:
            merged.parse(data=read_text(path), format=fmt.rdflib_name,
                         publicID=path.resolve().as_uri())
        except Exception as exc:
            if isinstance(exc, SourceFileError):
                raise
            raise syntax_error(path, read_text(path), exc) from exc
    return merged


def load_ontology(project: Project | None = None) -> Graph:
    """Every file of ``ontology/`` (ontology and code lists) in one Graph."""
    project = project or Project.locate()
    return load_rdf(rdf_files(project.ontology_dir))


def load_shapes(project: Project | None = None) -> Graph:
    """Every file of ``shapes/`` in one Graph."""
    project = project or Project.locate()
    return load_rdf(rdf_files(project.shapes_dir))

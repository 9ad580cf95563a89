"""The on-disk store: the graph in pyoxigraph (RocksDB), loaded in bulk, reopened in milliseconds.

The embedded backend parses every file into rdflib on each start; that is
right for the shipped graph and wrong for millions of triples (with 1M
triples rdflib takes half a minute and a gigabyte to load). A store is a
folder that :func:`load_store` fills once with pyoxigraph's bulk loader (its
native parsers, no triple passes through Python) and that
:class:`OxigraphBackend` opens again in milliseconds, read-only, so that
several readers can share it.

Queries see the same dataset as on the embedded backend: each source graph
under its article's IRI, and as the default graph the merge of all graphs,
each triple once. The loader writes that merge into the store's default graph
(:func:`with_merge`) rather than use pyoxigraph's union of quads, in which a
triple stated by ten sources matches ten times. Answers are the same
:class:`~kg.backends.QueryResult` of rdflib terms. One difference shows in
the terms, not in their values: the store keeps typed literals in canonical
form, so ``47.0`` (an ``xsd:decimal``) comes back as ``"47"^^xsd:decimal``,
``087`` as ``87``, and ``"2"^^xsd:positiveInteger`` as ``"2"^^xsd:integer``;
:meth:`QueryResult.values` gives equal Python values. For that reason
``kg validate`` checks files, never a store (the shapes want ``xsd:positiveInteger``).

Loading replaces the store as a whole: the new store is built in a folder
beside it and swapped in only when every file has loaded, so a file that does
not parse leaves the old store as it was. ``add=True`` adds files to an
existing store instead (each file is parsed once before anything is written).
Do not load into a store while another process reads it.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     graphs = load_store(f"{folder}/store").graphs
...     backend = open_store(f"{folder}/store")
...     found = backend.run("ASK { ?s a kg:SourceArticle }").boolean
...     del backend
>>> graphs, found
(5, True)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .backends import QueryResult, query_kind
from .errors import InputError, QueryError, SourceFileError, StoreError
from .formats import RdfFormat
from .load import Project, new_dataset, parse_into, rdf_files
from .namespaces import PREFIXES, SOURCE, bind_prefixes

if TYPE_CHECKING:
    import pyoxigraph

#: The environment variable naming the store the CLI uses when ``--store`` is not given.
STORE_ENV = "KG_STORE"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: Quads given to pyoxigraph's bulk loader at a time: it holds a whole call's quads in
#: memory. Loading 1.1M statements in one call peaked at 2 GB; in batches of 25,000 at
#: 122 MB, in about the same time (a call costs some 15 ms).
BULK_BATCH = 25_000
#: Terms converted per query are remembered up to this many (rdflib literals are slow to make).
TERM_CACHE_LIMIT = 500_000


# --------------------------------------------------------------------------- querying

class OxigraphBackend:
    """Queries over a pyoxigraph store made by :func:`load_store` (on disk, or in memory).

    The default graph of every query is the merge of the store's graphs; the
    store is never changed by a query.
    """

    def __init__(self, store: pyoxigraph.Store, *, path: Path | None = None) -> None:
        self.store = store
        self.path = path

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = True) -> OxigraphBackend:
        """The store in folder ``path`` (made by :func:`load_store`), opened read-only by default.

        Raises:
            StoreError: there is no store at ``path``, or it cannot be opened.
        """
        folder = Path(path)
        if not is_store(folder):
            hint = "" if folder.exists() else "; make one with `kg load --store PATH`"
            raise StoreError(f"{folder}: not a kg store (no pyoxigraph database there){hint}")
        return cls(open_database(folder, read_only=read_only), path=folder)

    def run(self, query: str) -> QueryResult:
        """Run ``query`` (the full text, prologue included) on the merge of the graphs.

        Raises:
            QueryError: not a query (an update), or it does not parse or fails to run.
        """
        kind = query_kind(query)
        try:
            # the project prefixes, as rdflib offers the prefixes bound on the graph
            answer = self.store.query(query, prefixes=PREFIXES)
            return result_from_oxigraph(answer, kind)
        except SyntaxError as exc:
            why = " ".join(str(exc).split())
            why = why if len(why) <= 160 else why[:157] + "..."
            raise QueryError(f"the query does not parse: {why}") from None
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None

    def source_graphs(self) -> list[URIRef]:
        """The names of the graphs that hold statements, sorted."""
        answer = self.run("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(URIRef(str(row["g"])) for row in answer.rows if row["g"] is not None)

    def __len__(self) -> int:
        """The statements of the named graphs (the merged default graph not counted again)."""
        return count(self.store)[0]

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "in memory"
        return f"OxigraphBackend({where})"


def result_from_oxigraph(answer: object, kind: str) -> QueryResult:
    """A pyoxigraph answer (solutions, boolean or triples) as a QueryResult of rdflib terms."""
    import pyoxigraph as ox

    convert = TermConverter()
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        rows = tuple(dict(zip(variables, (None if term is None else convert(term)
                                          for term in solution)))
                     for solution in answer)
        return QueryResult("SELECT", variables=variables, rows=rows)
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult("ASK", boolean=bool(answer))
    graph = Graph()
    bind_prefixes(graph)
    for triple in answer:  # type: ignore[attr-defined]
        graph.add((convert(triple.subject), convert(triple.predicate), convert(triple.object)))
    return QueryResult("DESCRIBE" if kind == "DESCRIBE" else "CONSTRUCT", graph=graph)


class TermConverter:
    """pyoxigraph terms to rdflib terms, remembering those already made.

    Making an rdflib ``Literal`` costs some microseconds (it parses the
    value); results repeat terms a lot, so each distinct term is made once.
    ``xsd:string`` literals become plain literals, as rdflib parses them.
    """

    def __init__(self) -> None:
        self.made: dict[object, Node] = {}
        self.datatypes: dict[str, URIRef] = {}

    def __call__(self, term: object) -> Node:
        made = self.made.get(term)
        if made is None:
            if len(self.made) >= TERM_CACHE_LIMIT:
                self.made.clear()
            made = self.made[term] = self.make(term)
        return made

    def make(self, term: object) -> Node:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            datatype = term.datatype.value
            if datatype == XSD_STRING:
                return Literal(term.value)
            known = self.datatypes.get(datatype)
            if known is None:
                known = self.datatypes[datatype] = URIRef(datatype)
            return Literal(term.value, datatype=known)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        raise QueryError(f"the store answered a term kg does not handle: {term!r}")


def open_store(path: str | Path, *, read_only: bool = True) -> OxigraphBackend:
    """The store at ``path`` (made by :func:`load_store` or ``kg load``), ready to query.

    Read-only by default: several processes may read one store at once.

    Raises:
        StoreError: there is no store at ``path``, or it cannot be opened.
    """
    return OxigraphBackend.open(path, read_only=read_only)


# --------------------------------------------------------------------------- the store folder

def is_store(folder: Path) -> bool:
    """Whether ``folder`` holds a pyoxigraph (RocksDB) database."""
    return (folder / "CURRENT").is_file() and (folder / "IDENTITY").is_file()


def open_database(folder: Path, *, read_only: bool) -> pyoxigraph.Store:
    """Open the database in ``folder``.

    Raises:
        StoreError: it cannot be opened (locked by a writer, damaged, not readable).
    """
    import pyoxigraph as ox

    try:
        return ox.Store.read_only(str(folder)) if read_only else ox.Store(str(folder))
    except OSError as exc:
        why = " ".join(str(exc).split())
        if "lock" in why.lower():
            why += " (another process writes to it; wait for it to finish)"
        raise StoreError(f"{folder}: the store cannot be opened: {why}") from None


@dataclass(frozen=True)
class LoadReport:
    """What :func:`load_store` did."""

    path: Path
    files: tuple[Path, ...]
    quads: int       #: statements the store holds afterwards
    graphs: int      #: named graphs it holds afterwards
    seconds: float   #: loading, swap included
    added: bool = False

    def to_text(self) -> str:
        verb = "added" if self.added else "loaded"
        rate = self.quads / self.seconds if self.seconds and not self.added else 0.0
        speed = f" ({rate:,.0f} statements/s)" if rate else ""
        return (f"{verb} {len(self.files)} file(s) into {self.path} in {self.seconds:.1f} s"
                f"{speed}: the store holds {self.quads:,} statements in {self.graphs:,} graphs\n")


def load_store(path: str | Path, files: Iterable[str | Path] | None = None, *,
               add: bool = False, project: Project | None = None) -> LoadReport:
    """Fill the store at ``path`` with ``files`` (default: the project's ``data/``) by bulk loading.

    Without ``add`` the store is replaced as a whole: built beside ``path``
    and swapped in once every file has loaded; with ``add`` the files are
    added to the existing store (or a new one). Each file keeps its named
    graphs; triples of a Turtle or N-Triples file go to the default graph.

    Raises:
        SourceFileError: a file is missing or does not parse (file:line:column);
            nothing is changed.
        InputError: a file's format is unknown, or ``path`` holds something
            that is not a store.
        StoreError: the store cannot be written (locked, no space, no permission).
    """
    from .storeview import record_files

    started = time.monotonic()
    target = Path(path)
    if files is None:
        project = project or Project.locate()
        sources = tuple(rdf_files(project.data_dir))
    else:
        sources = tuple(Path(f) for f in files)
    formats = [(source, RdfFormat.from_path(source)) for source in sources]
    for source, _ in formats:
        if not source.is_file():
            raise SourceFileError(source, "no such file" if not source.exists()
                                  else "is a folder, not a file")
    if target.exists() and not (is_store(target) or (target.is_dir() and not any(target.iterdir()))):
        raise InputError(f"{target} exists and is not a kg store: give a new folder, or a store "
                         "made by `kg load`")
    if add:
        for source, fmt in formats:  # the bulk loader is not transactional: check first
            check_parses(source, fmt)
        store = open_database(target, read_only=False) if is_store(target) else new_store(target)
        try:
            record_files(target, bulk_load(store, formats), add=True)
            quads, graphs = count(store)
        finally:
            del store
        return LoadReport(target, sources, quads, graphs, time.monotonic() - started, added=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.loading-", dir=target.parent))
    try:
        store = new_store(building)
        try:
            record_files(building, bulk_load(store, formats), add=False)
            store.optimize()
            quads, graphs = count(store)
        finally:
            del store
        swap_in(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return LoadReport(target, sources, quads, graphs, time.monotonic() - started)


def new_store(folder: Path) -> pyoxigraph.Store:
    import pyoxigraph as ox

    try:
        return ox.Store(str(folder))
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create a store there: {exc}") from None


def swap_in(building: Path, target: Path) -> None:
    """Put the finished store ``building`` where ``target`` is, replacing an old store there.

    Raises:
        StoreError: the folders cannot be renamed.
    """
    old: Path | None = None
    try:
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(building, target)
    except OSError as exc:
        if old is not None and not target.exists():
            os.replace(old, target)
        raise StoreError(f"{target}: cannot put the new store in place: {exc.strerror}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def bulk_load(store: pyoxigraph.Store, files: Iterable[tuple[Path, RdfFormat]]) -> dict[str, Path]:
    """Load the files with pyoxigraph's bulk loader; return the file each graph came from.

    Each file is read by pyoxigraph's native parser with its own prefixes
    and base IRI (JSON-LD through kg's own reader, which never fetches a
    context); the quads of all files go to the loader as one stream cut in
    batches of :data:`BULK_BATCH`, so that many small files cost no more than
    one big one, and memory stays flat whatever the size.

    Raises:
        SourceFileError: a file does not parse.
        StoreError: the store cannot be written.
    """
    import pyoxigraph as ox

    origins: dict[str, Path] = {}
    quads = with_merge(files, origins)
    try:
        while batch := list(islice(quads, BULK_BATCH)):
            store.bulk_extend(batch)
    except OSError as exc:
        raise StoreError(f"loading into the store failed: {exc}") from None
    return origins


def with_merge(files: Iterable[tuple[Path, RdfFormat]],
               origins: dict[str, Path]) -> Iterator[pyoxigraph.Quad]:
    """The quads of the files, each followed by its triple in the default graph.

    The default graph is the merge of all graphs: pyoxigraph's own union
    default graph (``use_default_graph_as_union``) is a union of quads, in
    which a triple that ten sources state matches ten times, and a query with
    several OPTIONALs over such triples multiplies the repeats before DISTINCT
    removes them (``facilities`` took 70 s on 9 synthetic years). A store is a
    set, so the default graph holds each triple once, as the embedded
    backend's merged view does; it costs about a third more space.

    ``origins`` gets the file each named graph comes from (its first file).
    The loop is the loader's Python hot path: one type test per quad, no
    comparison of terms.
    """
    import pyoxigraph as ox

    quad_of, default = ox.Quad, ox.DefaultGraph
    for source, fmt in files:
        last = None
        for quad in quads_in(source, fmt):
            yield quad
            graph = quad.graph_name
            if type(graph) is not default:  # noqa: E721
                yield quad_of(quad.subject, quad.predicate, quad.object)
                name = graph.value  # type: ignore[union-attr]
                if name != last:
                    last = name
                    origins.setdefault(name, source)


def quads_in(source: Path, fmt: RdfFormat) -> Iterator[pyoxigraph.Quad]:
    """The quads of one file, read by pyoxigraph (JSON-LD by kg's reader).

    Raises:
        SourceFileError: the file does not parse, or cannot be read.
    """
    import pyoxigraph as ox

    if fmt is RdfFormat.JSONLD:
        dataset = new_dataset()
        parse_into(dataset, source)
        data = dataset.serialize(format="nquads").encode("utf-8")
        yield from ox.parse(data, ox.RdfFormat.N_QUADS)
        return
    try:
        with source.open("rb") as stream:
            if b"\x00" in stream.read(4096):
                raise SourceFileError(source, "is a binary file, not RDF text")
        yield from ox.parse(path=str(source), format=ox_format(fmt),
                            base_iri=source.resolve().as_uri())
    except SyntaxError as exc:
        raise parse_error(source, exc) from None
    except OSError as exc:
        raise SourceFileError(source, f"cannot be read: {exc.strerror or exc}") from None


def check_parses(source: Path, fmt: RdfFormat) -> None:
    """Parse ``source`` without storing anything.

    Raises:
        SourceFileError: it does not parse.
    """
    for _ in quads_in(source, fmt):
        pass


def parse_error(source: Path, exc: SyntaxError) -> SourceFileError:
    """pyoxigraph's SyntaxError (``Parser error at line L column C: why``) as a SourceFileError."""
    why = str(exc.msg if exc.msg else exc)
    if why.startswith("Parser error at line"):
        why = why.split(": ", 1)[-1]
    return SourceFileError(source, f"syntax error: {' '.join(why.split())}", line=exc.lineno,
                           column=exc.offset)


def count(store: pyoxigraph.Store) -> tuple[int, int]:
    """Statements in the named graphs, and the number of named graphs."""
    import pyoxigraph as ox

    answer = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(answer, ox.QuerySolutions)
    statements = next(iter(answer))[0]
    assert isinstance(statements, ox.Literal)
    return int(statements.value), sum(1 for _ in store.named_graphs())


# --------------------------------------------------------------------------- reading a store back

def resolve_graph(backend: OxigraphBackend, name: str) -> URIRef:
    """The graph of the store that ``name`` means: an IRI, ``source:STEM`` or the bare STEM.

    Raises:
        InputError: the store has no such graph.
    """
    import pyoxigraph as ox

    text = name.strip().removeprefix("<").removesuffix(">")
    prefix, colon, local = text.partition(":")
    candidates = [text, str(SOURCE) + text]
    if colon and prefix in PREFIXES:
        candidates.insert(0, PREFIXES[prefix] + local)
    for candidate in candidates:
        if "://" in candidate and backend.store.contains_named_graph(ox.NamedNode(candidate)):
            return URIRef(candidate)
    known = backend.source_graphs()
    shown = ", ".join(str(g) for g in known[:5]) + (f" ... ({len(known)} in all)"
                                                     if len(known) > 5 else "")
    raise InputError(f"no source graph {name!r} in the store; known: {shown or '(none)'}")


#: Source graphs listed one by one by :func:`describe_store`; a national store has thousands.
DESCRIBE_SOURCES = 50


def describe_store(backend: OxigraphBackend) -> str:
    """What the store holds, as :func:`kg.summary.describe` says it of a loaded graph.

    Counted by SPARQL in the store, so it takes seconds for millions of statements.
    """
    from rdflib.namespace import NamespaceManager

    manager = NamespaceManager(Graph())
    bind_prefixes(manager.graph)

    def short(iri: object) -> str:
        try:
            return manager.normalizeUri(URIRef(str(iri)))
        except Exception:
            return f"<{iri}>"

    sizes = {str(row["g"]): int(str(row["n"])) for row in backend.run(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows}
    about: dict[str, tuple[str, str]] = {}
    for row in backend.run(
            "PREFIX kg: <https://kg.example/def/> PREFIX schema: <http://schema.org/> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?g (SAMPLE(?name) AS ?who) (SAMPLE(?date) AS ?when) WHERE { GRAPH ?g { "
            "OPTIONAL { ?g schema:publisher ?publisher . OPTIONAL { ?publisher skos:prefLabel "
            "?name FILTER(LANG(?name) = 'id') } } OPTIONAL { ?g kg:statedDate ?date } "
            "?g a kg:SourceArticle } } GROUP BY ?g").rows:
        about[str(row["g"])] = (str(row["who"] or "publisher unknown"),
                                str(row["when"] or "no date"))
    lines = [f"{sum(sizes.values())} statements in {len(sizes)} source graphs"]
    for number, name in enumerate(sorted(sizes)):
        if number == DESCRIBE_SOURCES:
            lines.append(f"  ... and {len(sizes) - DESCRIBE_SOURCES} more source graphs")
            break
        who, when = about.get(name, ("publisher unknown", "no date"))
        lines.append(f"  {short(name):<32} {sizes[name]:>5} triples  {who}, {when}")
    classes = backend.run(
        "SELECT ?class (COUNT(DISTINCT ?entity) AS ?n) WHERE { ?entity a ?class } GROUP BY ?class")
    typed = backend.run("SELECT (COUNT(DISTINCT ?entity) AS ?n) WHERE { ?entity a ?class }")
    lines.append(f"{typed.rows[0]['n']} typed entities, by class:")
    counted = sorted(((str(r["class"]), int(str(r["n"]))) for r in classes.rows),
                     key=lambda kv: (-kv[1], kv[0]))
    for cls, number in counted:
        lines.append(f"  {short(cls):<40} {number:>4}")
    return "\n".join(lines) + "\n"


def export_store(backend: OxigraphBackend, fmt: RdfFormat, *, source: str | None = None) -> str:
    """The store (or one source graph) serialized as ``fmt``, by pyoxigraph's writers.

    As :func:`kg.export.export`: TriG, N-Quads and JSON-LD keep the named
    graphs, Turtle and N-Triples hold the union of the selected graphs. One
    difference: JSON-LD comes out *expanded* (full IRIs, no ``@context``), as
    pyoxigraph writes it, where :func:`kg.export.export` compacts it with the
    shipped context; the statements are the same, and compacting a million of
    them through rdflib's JSON-LD writer takes minutes.

    Raises:
        InputError: ``source`` names no graph of the store.
    """
    import pyoxigraph as ox

    names = [resolve_graph(backend, source)] if source is not None else None
    store = backend.store
    prefixes = PREFIXES if fmt in (RdfFormat.TRIG, RdfFormat.TURTLE) else None
    data: bytes | None
    if fmt.has_graphs:  # the named graphs: the default graph is their merge (see with_merge)
        data = ox.serialize(quads_of(store, names or backend.source_graphs()),
                            format=ox_format(fmt), prefixes=prefixes)
    else:
        graph_filter = "" if names is None else f"VALUES ?g {{ <{names[0]}> }}"
        answer = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {graph_filter} "
                             "GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(answer, ox.QueryTriples)
        data = ox.serialize(answer, format=ox_format(fmt), prefixes=prefixes)
    return (data or b"").decode("utf-8")


def quads_of(store: pyoxigraph.Store, names: list[URIRef]) -> Iterator[pyoxigraph.Quad]:
    import pyoxigraph as ox

    for name in names:
        yield from store.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))


def ox_format(fmt: RdfFormat) -> pyoxigraph.RdfFormat:
    """pyoxigraph's name for a format (kg reads JSON-LD with its own reader, which never
    fetches a context; pyoxigraph writes it)."""
    import pyoxigraph as ox

    return {RdfFormat.TURTLE: ox.RdfFormat.TURTLE, RdfFormat.TRIG: ox.RdfFormat.TRIG,
            RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
            RdfFormat.NQUADS: ox.RdfFormat.N_QUADS, RdfFormat.JSONLD: ox.RdfFormat.JSON_LD}[fmt]


__all__ = ["OxigraphBackend", "LoadReport", "open_store", "load_store", "export_store",
           "describe_store", "is_store", "STORE_ENV", "TermConverter"]

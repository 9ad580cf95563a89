"""The graph: one pyoxigraph store, in memory or on disk, with the same layout in both.

- **Source graphs.** The statements of each source article live in the named
  graph of the article's IRI (``source:<stem>``), read from ``data/``.
- **Vocabulary graphs.** Each file of ``ontology/`` lives in the named graph of
  the ontology it declares (``https://kg.example/def/`` for the classes and
  properties, ``https://kg.example/code/`` for the SKOS code lists), so that
  the labels of classes, properties and codes can be queried, exported and
  published with the data.
- **The default graph** is the merge of all of them, each triple once (a
  store is a set). pyoxigraph's own union default graph repeats a triple once
  per graph that states it, and a query with several OPTIONALs multiplies the
  repeats (the saved ``facilities`` took 70 s on 9 synthetic years); the
  merge costs about a third more space and answers as a set.

:func:`load_graph` builds the project's graph in memory (a few milliseconds
for the shipped data); :func:`load_store` fills an on-disk store once with
pyoxigraph's bulk loader, and :func:`open_store` reopens it in milliseconds,
read-only, so that several readers share it. Both are a :class:`KnowledgeGraph`;
"in memory" or "on disk" only says where the store lives.

The store keeps typed literals in canonical form: ``"47.0"^^xsd:decimal``
reads back as ``"47"^^xsd:decimal``, ``"2"^^xsd:positiveInteger`` as
``"2"^^xsd:integer``, ``"1"^^xsd:boolean`` as ``"true"``, and language tags
in lower case: equal values, and the same in memory and on disk. The model
uses no derived integer type (``kg:rank`` is an ``xsd:integer``).

>>> graph = load_graph()
>>> len(graph.source_graphs()), len(graph.vocabulary_graphs())
(5, 2)
>>> graph.query("ASK { indicator:umkm-count skos:prefLabel ?label }").boolean
True
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import pyoxigraph as ox

from .errors import InputError, QueryError, SourceFileError, StoreError
from .formats import RdfFormat
from .parse import load_file, quads_of, rdf_files
from .prefixes import PREFIXES
from .project import Project
from .results import QueryResult
from .sparqltext import query_kind, refuse_service, star_order, syntax_error_at
from .terms import DEFAULT_GRAPH, AnyTerm, Term, preferred_label, short

if TYPE_CHECKING:
    from .untrusted import Limits

#: The environment variable naming the store the CLI uses when ``--store`` is not given.
STORE_ENV = "KG_STORE"
#: Beside the database, in a store folder: which file each graph was loaded from.
FILES_NAME = "kg-files.json"

OWL_ONTOLOGY = ox.NamedNode("http://www.w3.org/2002/07/owl#Ontology")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_VOCABULARY_QUERY = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a "
                     "<http://www.w3.org/2002/07/owl#Ontology> } }")
_MERGE = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


class KnowledgeGraph:
    """The project's graph in a pyoxigraph store (see the module docstring for its layout).

    ``origins`` says which file each named graph was read from.
    """

    def __init__(self, store: ox.Store, *, path: Path | None = None,
                 origins: Origins | None = None, read_only: bool = False) -> None:
        self.store = store
        self.path = path
        self.read_only = read_only
        self.origins = origins if origins is not None else Origins(())
        self._vocabulary: list[ox.NamedNode] | None = None

    # ---- what it holds

    def named_graphs(self) -> list[ox.NamedNode]:
        """Every named graph that holds statements, sorted."""
        return sorted((g for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)
                       and next(self.store.quads_for_pattern(None, None, None, g), None)),
                      key=lambda g: g.value)

    def vocabulary_graphs(self) -> list[ox.NamedNode]:
        """The graphs of the ontology and code lists: each named by the ``owl:Ontology`` it declares."""
        if self._vocabulary is None:
            found = self.store.query(_VOCABULARY_QUERY)
            assert isinstance(found, ox.QuerySolutions)
            self._vocabulary = sorted((cast(ox.NamedNode, row[0]) for row in found),
                                      key=lambda g: g.value)
        return list(self._vocabulary)

    def source_graphs(self) -> list[ox.NamedNode]:
        """The graphs of the source articles: every named graph but the vocabulary's, sorted."""
        vocabulary = set(self.vocabulary_graphs())
        return [g for g in self.named_graphs() if g not in vocabulary]

    def quads(self, subject: AnyTerm | None = None, predicate: Term | None = None,
              obj: AnyTerm | None = None, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
        """The statements of the named graphs matching a pattern (``graph``: one of them).

        The merged default graph is not included: each statement comes once per
        graph that states it.
        """
        if isinstance(subject, ox.Literal):
            return
        for quad in self.store.quads_for_pattern(subject, predicate, obj, graph):  # type: ignore[arg-type]
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                yield quad

    def mentions(self, node: AnyTerm) -> bool:
        """Whether a named graph says something about ``node`` (as a subject)."""
        return next(self.quads(node), None) is not None

    def triples(self, subject: AnyTerm | None = None, predicate: Term | None = None,
                obj: AnyTerm | None = None) -> Iterator[ox.Quad]:
        """The triples of the merged default graph matching a pattern, each once."""
        if isinstance(subject, ox.Literal):
            return iter(())
        return self.store.quads_for_pattern(subject, predicate, obj, DEFAULT_GRAPH)  # type: ignore[arg-type]

    def __len__(self) -> int:
        """The statements of the source graphs (a triple stated by two sources counts twice)."""
        return sum(graph_size(self.store, g) for g in self.source_graphs())

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "in memory"
        return f"KnowledgeGraph({where})"

    # ---- reading and changing it

    def query(self, text: str, *, default_graph: Sequence[ox.NamedNode] | None = None,
              named_graphs: Sequence[ox.NamedNode] | None = None) -> QueryResult:
        """Run a SPARQL query (the project prefixes need no declaring) on the graph.

        The default graph is the merge of all graphs unless ``default_graph``
        names graphs to use instead; ``named_graphs`` restricts what ``GRAPH``
        sees. ``SERVICE`` is refused: kg never reaches the network for a query.

        Raises:
            QueryError: an update, a ``SERVICE``, or a query that does not parse or fails.
        """
        refuse_service(text)
        options: dict[str, object] = {"prefixes": PREFIXES}
        if default_graph is not None:
            options["default_graph"] = list(default_graph)
        if named_graphs is not None:
            options["named_graphs"] = list(named_graphs)
        try:
            answer = self.store.query(text, **options)  # type: ignore[arg-type]
            # the kind from the answer: the query text is tokenized only to tell a
            # DESCRIBE from a CONSTRUCT
            kind = "SELECT" if isinstance(answer, (ox.QuerySolutions, ox.QueryBoolean)) \
                else query_kind(text)
            result = QueryResult.of(answer, kind)
            order = star_order(text) if result.variables else None
            if order:  # `SELECT *`: the columns in the order of the query, not sorted by name
                at = {name: number for number, name in enumerate(order)}
                result.variables = tuple(sorted(result.variables,
                                                key=lambda v: at.get(v, len(at))))
            return result
        except SyntaxError as exc:
            query_kind(text)  # an update says so
            raise QueryError(f"the query does not parse: {syntax_message(exc, text)}") from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None

    def run(self, query: str) -> QueryResult:
        """:meth:`query`, as every :class:`~kg.backends.Backend` runs one."""
        return self.query(query)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add statements: each in its named graph, and its triple in the merged default graph.

        One transaction: all or nothing.

        Raises:
            StoreError: the store is read-only or cannot be written.
        """
        given = list(quads)
        given += [ox.Quad(q.subject, q.predicate, q.object) for q in given
                  if not isinstance(q.graph_name, ox.DefaultGraph)]
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; nothing was added")
        try:
            self.store.extend(given)
            if self.path is not None:
                self.store.flush()
        except OSError as exc:
            raise StoreError(f"{self.path or 'the graph'}: cannot be written ({exc})") from None
        finally:
            self._vocabulary = None  # an added graph may declare an ontology

    def origin(self, graph: ox.NamedNode | str) -> Path | None:
        """The file the named graph was read from (None when unknown)."""
        return self.origins.get(graph.value if isinstance(graph, ox.NamedNode) else graph)

    def label(self, node: AnyTerm) -> str | None:
        """The node's Indonesian (else English, else any) ``skos:prefLabel``."""
        return preferred_label(q.object for q in self.triples(node, SKOS_PREF_LABEL, None))

    def describe(self, *, sources_shown: int = 50) -> str:
        """What the graph holds: statements per source and vocabulary graph, the union,
        typed entities per class. Counted by SPARQL, so a store of millions takes seconds."""
        return describe(self, sources_shown=sources_shown)


SKOS_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


def graph_size(store: ox.Store, graph: ox.NamedNode) -> int:
    """The statements of one named graph."""
    answer = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    assert isinstance(answer, ox.QuerySolutions)
    return int(cast(ox.Literal, next(iter(answer))[0]).value)


def syntax_message(exc: SyntaxError, text: str) -> str:
    """pyoxigraph's syntax error about the query ``text`` as one line: where, and what."""
    why = " ".join(str(exc.msg or exc).split())
    found = syntax_error_at(text, why)
    if found is not None:
        line, column, what = found
        why = f"line {line}, column {column}: {what}"
    return why if len(why) <= 240 else why[:237] + "..."


# --------------------------------------------------------------------------- which file is whose

class Origins:
    """Which file each named graph was read from, worked out when first asked.

    Reading a file into a store natively tells nothing of the graphs it holds;
    finding out for every file would cost a listing of the store per file
    (seconds for thousands). Most graphs are named after their file
    (``source:<stem>`` in ``<stem>.trig``); for the others the files are
    parsed, in order, until one states the graph.
    """

    def __init__(self, files: Sequence[Path], known: dict[str, Path | str] | None = None, *,
                 complete: bool = False) -> None:
        self.files = list(files)
        #: graph -> its file (a store's record gives paths as text: made Paths on lookup,
        #: a national store names thousands)
        self.known: dict[str, Path | str] = dict(known or {})
        #: whether ``known`` names every graph (a store's record): nothing to look for
        self.complete = complete
        self._scanned = 0
        self._by_stem = {f.stem: f for f in reversed(self.files)}

    def get(self, graph: str) -> Path | None:
        found = self.known.get(graph)
        if found is not None or self.complete:
            return None if found is None else Path(found)
        stem = graph.rstrip("/").rsplit("/", 1)[-1]
        if stem in self._by_stem:
            return self._by_stem[stem]
        while self._scanned < len(self.files):
            file = self.files[self._scanned]
            self._scanned += 1
            try:
                for quad in quads_of(file):
                    name = quad.graph_name
                    if isinstance(name, ox.NamedNode):
                        self.known.setdefault(name.value, file)
            except SourceFileError:
                continue
            if graph in self.known:
                return Path(self.known[graph])
        return None

    def __setitem__(self, graph: str, file: Path) -> None:
        self.known[graph] = file
        if file not in self.files:
            self.files.append(file)


# --------------------------------------------------------------------------- building a graph

def load_graph(project: Project | None = None, *, extra: Iterable[Path] = (),
               limits: Limits | None = None) -> KnowledgeGraph:
    """The project's graph in memory: ``data/``, ``ontology/``, and ``extra`` files.

    ``extra`` files are untrusted (given on the command line): they are read
    with the limits and checks of :mod:`kg.untrusted` (``limits``, else
    ``KG_MAX_*``), before anything else. ``data/`` is read as a whole: never
    half of an interrupted or running ``kg add``.

    Raises:
        SourceFileError: a file cannot be read or parsed.
        LimitError: an extra file is over a limit.
        InputError: an extra file has several problems (one line each).
        StoreError: an interrupted ``kg add`` cannot be settled.
    """
    from .datafiles import consistent_read

    project = project or Project.locate()
    extras: list[tuple[Path, list[ox.Quad]]] = []
    if extra:
        from .untrusted import parse_untrusted

        # blank nodes are the shapes' business here (kgsh:NoBlankNodeShape); kg add refuses them
        extras = [(path, parse_untrusted(path, limits=limits, allow_blank_nodes=True))
                  for path in extra]
    with consistent_read(project.data_dir):
        graph = read_files(rdf_files(project.data_dir), rdf_files(project.ontology_dir))
    if extras:
        from itertools import chain

        # one transaction for every file (all or nothing), then the merge natively: a
        # transaction per file with its merged triples made in Python took twice as long
        graph.store.extend(chain.from_iterable(quads for _, quads in extras))
        names = {path: {q.graph_name for q in quads} for path, quads in extras}
        merge(graph.store, sorted((n for found in names.values() for n in found
                                   if isinstance(n, ox.NamedNode)), key=lambda n: n.value))
        for path, found in names.items():
            for name in found:
                if isinstance(name, ox.NamedNode):
                    graph.origins.known.setdefault(name.value, path)
    return graph


def read_files(data: Sequence[Path], vocabulary: Iterable[Path] = ()) -> KnowledgeGraph:
    """A graph in memory read from trusted files: ``data`` (source graphs) and ``vocabulary``.

    Raises:
        SourceFileError: a file does not parse, or a vocabulary file declares no ontology.
    """
    store = ox.Store()
    fill(store, data, vocabulary)
    return KnowledgeGraph(store, origins=Origins(data))


def fill(store: ox.Store, data: Iterable[Path], vocabulary: Iterable[Path], *,
         bulk: bool = False) -> None:
    """Read the vocabulary files and the data files into ``store``, then merge the default graph.

    Raises:
        SourceFileError: a file does not parse, or a vocabulary file declares no ontology.
    """
    for path in vocabulary:
        load_vocabulary(store, path, bulk=bulk)
    for path in data:
        load_file(store, path, bulk=bulk)
    merge(store)


def load_vocabulary(store: ox.Store, path: Path, *, bulk: bool = False) -> ox.NamedNode:
    """One file of ``ontology/`` into the graph named by the ``owl:Ontology`` it declares.

    Raises:
        SourceFileError: it does not parse, or does not declare exactly one ontology.
    """
    scratch = ox.Store()  # read twice, natively: cheaper than each statement through Python
    load_file(scratch, path)
    names = {q.subject for q in scratch.quads_for_pattern(None, RDF_TYPE, OWL_ONTOLOGY)
             if isinstance(q.subject, ox.NamedNode)}
    if len(names) != 1:
        raise SourceFileError(path, "a vocabulary file declares one ontology, whose IRI names its "
                              f"graph (`<IRI> a owl:Ontology`); found {len(names)}")
    name = cast(ox.NamedNode, names.pop())
    load_file(store, path, to_graph=name, bulk=bulk)
    return name


def refresh_vocabulary(graph: KnowledgeGraph, files: Sequence[Path], *,
                       write: bool = True) -> list[ox.NamedNode]:
    """Make the vocabulary graphs of a store those of ``files`` (the project's ``ontology/``)
    where they differ: a store holds the vocabulary of the moment ``kg load`` made it, and a
    concept added to ``ontology/vocabularies.ttl`` since must count (the one edit a new
    code-list concept needs). One update; returns the graphs that changed (``write``
    False: only says which differ).

    Raises:
        SourceFileError: a vocabulary file does not parse or declares no ontology.
        StoreError: the store cannot be written.
    """
    scratch = ox.Store()
    names = {load_vocabulary(scratch, path) for path in files}
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    changed = []
    for name in sorted(names, key=lambda n: n.value):
        new = {q.triple for q in scratch.quads_for_pattern(None, None, None, name)}
        old = {q.triple for q in graph.store.quads_for_pattern(None, None, None, name)}
        if new == old:
            continue
        changed.append(name)
        for t in old - new:
            removed.append(ox.Quad(t.subject, t.predicate, t.object, name))
            stated_elsewhere = any(q.graph_name != name for q in graph.store.quads_for_pattern(
                t.subject, t.predicate, t.object) if not isinstance(q.graph_name, ox.DefaultGraph))
            if not stated_elsewhere:
                removed.append(ox.Quad(t.subject, t.predicate, t.object))
        added += [ox.Quad(t.subject, t.predicate, t.object, g)
                  for t in new - old for g in (name, DEFAULT_GRAPH)]
    if changed and write:
        def data(quads: list[ox.Quad]) -> str:
            return " ".join(f"GRAPH {q.graph_name} {{ {q.triple} }}" if isinstance(
                q.graph_name, ox.NamedNode) else f"{q.triple} ." for q in quads)

        try:
            graph.store.update(f"DELETE DATA {{ {data(removed)} }} ; "
                               f"INSERT DATA {{ {data(added)} }}")
            if graph.path is not None:
                graph.store.flush()
        except OSError as exc:
            raise StoreError(f"{graph.path}: cannot be written ({exc})") from None
        graph._vocabulary = None
    return changed


def merge(store: ox.Store, graphs: Sequence[ox.NamedNode] | None = None) -> None:
    """Put the triples of the named graphs (or of ``graphs``) into the default graph."""
    if graphs is None:
        store.update(_MERGE)
    elif graphs:
        values = " ".join(str(g) for g in graphs)
        store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} "
                     "GRAPH ?g { ?s ?p ?o } }")


# --------------------------------------------------------------------------- on disk

def is_store(folder: Path) -> bool:
    """Whether ``folder`` holds a pyoxigraph (RocksDB) database."""
    return (folder / "CURRENT").is_file() and (folder / "IDENTITY").is_file()


def open_store(path: str | Path, *, read_only: bool = True) -> KnowledgeGraph:
    """The store at ``path`` (made by :func:`load_store` or ``kg load``).

    Read-only by default: several processes may read one store at once.

    Raises:
        StoreError: there is no store at ``path``, or it cannot be opened.
    """
    folder = Path(path)
    if not is_store(folder):
        raise StoreError(f"{folder}: no kg store there; make one with `kg load --store {folder}`")
    try:
        store = ox.Store.read_only(str(folder)) if read_only else ox.Store(str(folder))
    except OSError as exc:
        why = " ".join(str(exc).split())
        if "lock" in why.lower():
            why += " (another process writes to it; wait for it to finish)"
        raise StoreError(f"{folder}: the store cannot be opened: {why}") from None
    known: dict[str, Path | str] = read_record(folder).get("graphs", {})
    return KnowledgeGraph(store, path=folder, read_only=read_only,
                          origins=Origins((), known, complete=True))


class LoadReport(NamedTuple):
    """What :func:`load_store` did. (A named tuple: ``dataclasses`` costs start-up 10 ms.)"""

    path: Path
    files: tuple[Path, ...]
    quads: int       #: statements of the named graphs afterwards
    graphs: int      #: named graphs afterwards
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
    """Fill the store at ``path`` with ``files`` (default: the project's ``data/``) and the
    project's vocabulary, by bulk loading.

    Without ``add`` the store is replaced as a whole: built beside ``path`` and
    swapped in once every file has loaded, so a file that does not parse
    changes nothing. With ``add`` the files are added to the existing store.
    Each file keeps its named graphs; triples of a Turtle or N-Triples file go
    to the default graph.

    Raises:
        SourceFileError: a file is missing or does not parse (file:line:column);
            nothing is changed.
        InputError: a file's format is unknown, or ``path`` holds something that is not a store.
        StoreError: the store cannot be written (locked, no space, no permission).
    """
    started = time.monotonic()
    project = project or Project.locate()
    target = Path(path)
    sources = tuple(Path(f) for f in files) if files is not None else \
        tuple(rdf_files(project.data_dir))
    for source in sources:
        RdfFormat.from_path(source)
        if not source.is_file():
            raise SourceFileError(source, "no such file" if not source.exists()
                                  else "is a folder, not a file")
    if target.exists() and not (is_store(target) or (target.is_dir() and not any(target.iterdir()))):
        raise InputError(f"{target} exists and is not a kg store: give a new folder, or a store "
                         "made by `kg load`")
    if add:
        for source in sources:  # the bulk loader is not transactional: check first
            for _ in quads_of(source):
                pass
        store = new_store(target) if not is_store(target) else open_store(target, read_only=False).store
        try:
            origins = bulk_fill(store, sources, [])
            record_files(target, origins, add=True)
            quads, graphs = count(store)
        finally:
            del store
        return LoadReport(target, sources, quads, graphs, time.monotonic() - started, added=True)
    import shutil
    import tempfile
    import traceback

    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.loading-", dir=target.parent))
    try:
        store = new_store(building)
        try:
            origins = bulk_fill(store, sources, rdf_files(project.ontology_dir))
            store.optimize()
            record_files(building, origins, add=False)
            quads, graphs = count(store)
        finally:
            del store
        swap_in(building, target)
    except BaseException as exc:
        # The frames of the failure (bulk_fill, load_file) still hold the half-built store
        # open: RocksDB would write its files again after the folder is removed.
        traceback.clear_frames(exc.__traceback__)
        shutil.rmtree(building, ignore_errors=True)
        raise
    return LoadReport(target, sources, quads, graphs, time.monotonic() - started)


#: Quads given to pyoxigraph's bulk loader at a time: it holds a whole call's quads in
#: memory. Loading 1.1M statements in one call peaked at 2 GB; in batches of 25,000 at
#: 122 MB, in about the same time (a call costs some 15 ms). One ``bulk_load`` per file
#: costs far more: a store is written per call (52 s for 552 files of 1.1M statements).
BULK_BATCH = 25_000


def bulk_fill(store: ox.Store, data: Sequence[Path], vocabulary: Iterable[Path]) -> dict[str, Path]:
    """Bulk-load the files, each statement also into the merged default graph; return the
    file each source graph came from.

    The statements of all files go to the loader as one stream cut in batches
    of :data:`BULK_BATCH`, so that many small files cost no more than one big
    one, and memory stays flat whatever the size.

    Raises:
        SourceFileError: a file does not parse, or a vocabulary file declares no ontology.
        StoreError: the store cannot be written.
    """
    from itertools import chain, islice

    origins: dict[str, Path] = {}
    named = chain.from_iterable(vocabulary_quads(path) for path in vocabulary)
    quads = chain(with_merge(named, None, {}), *(
        with_merge(quads_of(path), path, origins) for path in data))
    try:
        while batch := list(islice(quads, BULK_BATCH)):
            store.bulk_extend(batch)
    except OSError as exc:
        raise StoreError(f"loading into the store failed: {exc}") from None
    return origins


def vocabulary_quads(path: Path) -> Iterator[ox.Quad]:
    """A vocabulary file's statements in the graph of the ontology it declares.

    Raises:
        SourceFileError: it does not parse, or does not declare exactly one ontology.
    """
    scratch = ox.Store()
    name = load_vocabulary(scratch, path)
    yield from scratch.quads_for_pattern(None, None, None, name)


def with_merge(quads: Iterable[ox.Quad], source: Path | None,
               origins: dict[str, Path]) -> Iterator[ox.Quad]:
    """The quads, each of a named graph followed by its triple in the default graph;
    ``origins`` gets the file each named graph comes from (its first file).

    The loader's Python hot path: one type test per quad, no comparison of terms.
    """
    quad_of, default = ox.Quad, ox.DefaultGraph
    last = None
    for quad in quads:
        yield quad
        graph = quad.graph_name
        if type(graph) is not default:  # noqa: E721
            yield quad_of(quad.subject, quad.predicate, quad.object)
            if source is not None:
                name = graph.value  # type: ignore[union-attr]
                if name != last:
                    last = name
                    origins.setdefault(name, source)


def new_store(folder: Path) -> ox.Store:
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
        import shutil

        shutil.rmtree(old, ignore_errors=True)


def count(store: ox.Store) -> tuple[int, int]:
    """Statements in the named graphs, and the number of named graphs."""
    answer = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(answer, ox.QuerySolutions)
    return (int(cast(ox.Literal, next(iter(answer))[0]).value),
            sum(1 for _ in store.named_graphs()))


def record_files(store: Path, origins: dict[str, Path], *, add: bool) -> None:
    """Write which file each source graph of ``store`` comes from (with ``add``: merged with
    the old record), and the one folder they lie in (``kg add --store`` writes there)."""
    from .atomic import write_atomically

    graphs = {name: str(path.resolve()) for name, path in origins.items()}
    folders = {str(Path(p).parent) for p in graphs.values()}
    if add:
        old = read_record(store)
        graphs = {**old.get("graphs", {}), **graphs}
        if old.get("folder") is not None and folders <= {old["folder"]}:
            folders = {old["folder"]}
        else:  # a new folder, or no record of one: look at every file
            folders = {str(Path(p).parent) for p in graphs.values()}
    content = {"version": 1, "folder": folders.pop() if len(folders) == 1 else None,
               "graphs": dict(sorted(graphs.items()))}
    # one line: json's C encoder (``indent`` falls back to the Python one, 30 ms at 500 graphs)
    write_atomically(store / FILES_NAME, json.dumps(content) + "\n")


def read_record(store: Path) -> dict[str, Any]:
    """The store's record of its files (empty when it has none).

    Raises:
        StoreError: the record is unreadable.
    """
    path = store / FILES_NAME
    if not path.is_file():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable ({exc}); load the store again with `kg load`") \
            from None
    if not isinstance(found, dict) or not isinstance(found.get("graphs"), dict):
        raise StoreError(f"{path}: not a record of kg's; load the store again with `kg load`")
    return found


# --------------------------------------------------------------------------- describing it

def describe(graph: KnowledgeGraph, *, sources_shown: int = 50) -> str:
    """Statements per source and vocabulary graph, the union, typed entities per class."""
    sizes = {row["g"].value: int(row["n"].value) for row in graph.query(  # type: ignore[union-attr]
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows}
    vocabulary = [g.value for g in graph.vocabulary_graphs()]
    sources = sorted(g for g in sizes if g not in vocabulary)
    about: dict[str, tuple[str, str]] = {}
    for row in graph.query(
            "SELECT ?g (SAMPLE(?name) AS ?who) (SAMPLE(?date) AS ?when) WHERE { GRAPH ?g { "
            "?g a kg:SourceArticle OPTIONAL { ?g schema:publisher ?publisher OPTIONAL { "
            "?publisher skos:prefLabel ?name FILTER(LANG(?name) = 'id') } } "
            "OPTIONAL { ?g kg:statedDate ?date } } } GROUP BY ?g").rows:
        who, when = row["who"], row["when"]
        about[row["g"].value] = (who.value if who is not None else "publisher unknown",  # type: ignore[union-attr]
                                 when.value if when is not None else "date not printed")
    union = int(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"].value)  # type: ignore[union-attr]
    stated = sum(sizes[g] for g in sources)
    lines = [f"{stated} statements in {len(sources)} source graphs (a statement made by several "
             "sources counts once for each)"]
    for number, name in enumerate(sources):
        if number == sources_shown:
            lines.append(f"  ... and {len(sources) - sources_shown} more source graphs")
            break
        publisher, date = about.get(name, ("not described", "no date"))
        lines.append(f"  {short(ox.NamedNode(name)):<32} {sizes[name]:>5} statements  "
                     f"{publisher}, {date}")
    lines.append(f"{sum(sizes[g] for g in vocabulary)} statements in {len(vocabulary)} "
                 "vocabulary graphs (ontology and code lists)")
    for name in vocabulary:
        # only a file already known: finding one out would parse every data file (seconds
        # for a store of millions), and no data file states a vocabulary graph
        known = graph.origins.known.get(name)
        origin = Path(known) if known is not None else None
        lines.append(f"  {short(ox.NamedNode(name)):<32} {sizes[name]:>5} statements"
                     + (f"  {origin.name}" if origin else ""))
    lines.append(f"{union} distinct triples in the default graph, the union of all graphs "
                 "(each triple once)")
    classes = graph.query(
        "SELECT ?class (COUNT(DISTINCT ?entity) AS ?n) WHERE { GRAPH ?g { ?entity a ?class } "
        f"FILTER(?g NOT IN ({', '.join(f'<{v}>' for v in vocabulary) or '<urn:kg:none>'})) }} "
        "GROUP BY ?class").rows
    typed = graph.query(
        "SELECT (COUNT(DISTINCT ?entity) AS ?n) WHERE { GRAPH ?g { ?entity a ?class } "
        f"FILTER(?g NOT IN ({', '.join(f'<{v}>' for v in vocabulary) or '<urn:kg:none>'})) }}").rows
    lines.append(f"{typed[0]['n'].value} typed entities in the source graphs, by class:")  # type: ignore[union-attr]
    counted = sorted(((row["class"], int(row["n"].value)) for row in classes),  # type: ignore[union-attr]
                     key=lambda kv: (-kv[1], str(kv[0])))
    for cls, number in counted:
        lines.append(f"  {short(cls):<40} {number:>4}")
    return "\n".join(lines) + "\n"


__all__ = ["KnowledgeGraph", "Origins", "LoadReport", "STORE_ENV", "FILES_NAME", "load_graph",
           "open_store", "load_store", "is_store", "read_files", "fill", "merge", "describe", "record_files",
           "read_record"]

"""``kg add`` on an on-disk store: the store read as the data, and kept in step with the files.

``kg add`` reads the data to place, check and validate an addition. Without a
store it parses every file of ``data/`` with rdflib, which is right for the
shipped graph and takes half a minute for a million statements. With a store
(``kg add --store PATH`` or ``$KG_STORE``) it reads the store instead, and
only what it asks for: :class:`StoreData` answers the lookups of
:mod:`kg.add` and :mod:`kg.incremental` (``quads`` by pattern, ``graph(name)``)
from the store's indexes, with the addition held on top in a small in-memory
store until it is written. The cost then follows the addition, not the data.

The files stay the record; the store is their index. Every graph of a store
remembers the file it was loaded from (``kg-files.json`` in the store folder,
written by :func:`kg.store.load_store`), and an addition is written to both:

1. the statements to insert are written beside the store
   (``kg-pending.nq``, with the SHA-256 of each file's new content), fsynced;
2. the files change, all at once or not at all (:func:`kg.datafiles.commit`);
3. the store inserts the statements in one transaction, in their graphs and
   in the merged default graph; ``kg-pending.nq`` is removed.

A crash between 1 and 3 leaves ``kg-pending.nq``; the next ``kg add`` on the
store (:meth:`StoreData.settle`) inserts its statements if the files hold the
new content (the commit happened), else drops it. Inserting twice is harmless:
a store is a set.

All the files a store's graphs come from must lie in one folder (the one
``kg add`` locks and writes, the store's *data folder*); new source graphs get
a new file there.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from .errors import StoreError
from .terms import from_rdflib, to_rdflib

__all__ = ["StoreData", "FILES_NAME", "PENDING_NAME", "record_files", "read_files"]

#: Beside the database, in the store folder: which file each graph was loaded from.
FILES_NAME = "kg-files.json"
#: Beside the database: an addition written to the files but maybe not yet to the store.
PENDING_NAME = "kg-pending.nq"

_DEFAULT = ox.DefaultGraph()
Quad = tuple[Node, Node, Node, URIRef]


# --------------------------------------------------------------------------- kg-files.json

def record_files(store: Path, origins: dict[str, Path], *, add: bool) -> None:
    """Write which file each graph of ``store`` comes from (with ``add``: merged with the old)."""
    graphs = {name: str(path.resolve()) for name, path in origins.items()}
    if add:
        graphs = {**read_files(store), **graphs}
    folders = {str(Path(p).parent) for p in graphs.values()}
    content = {"version": 1, "folder": folders.pop() if len(folders) == 1 else None,
               "graphs": dict(sorted(graphs.items()))}
    _write_synced(store / FILES_NAME, json.dumps(content, indent=1).encode("utf-8"))


def read_files(store: Path) -> dict[str, str]:
    """graph IRI -> file (absolute path) of ``store``; empty when it has no record."""
    return dict(_read_record(store).get("graphs", {}))


def _read_record(store: Path) -> dict[str, Any]:
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


def data_folder(store: Path) -> Path:
    """The folder ``kg add`` writes the store's files in (see the module docstring).

    Raises:
        StoreError: the store has no record of its files, or they lie in several folders.
    """
    from .store import is_store

    if not is_store(store):
        raise StoreError(f"{store}: not a kg store; make one with `kg load --store {store}`")
    record = _read_record(store)
    if not record:
        raise StoreError(f"{store}: the store does not record which files it was loaded from "
                         "(made by an older kg); load it again with `kg load --store "
                         f"{store} FILE...`")
    if not record.get("folder"):
        raise StoreError(f"{store}: its graphs come from files in several folders; kg add "
                         "writes to one: put the files in one folder and load them again")
    return Path(record["folder"])


def _write_synced(path: Path, content: bytes) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    with temp.open("wb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temp, path)


# --------------------------------------------------------------------------- reading a store

class StoreData:
    """A store read as the data by ``kg add``: stands where a :class:`~kg.load.KnowledgeGraph` does.

    ``dataset`` answers pattern lookups over the source graphs (never the
    merged default graph: each statement once per graph that states it, as
    rdflib's ``Dataset.quads`` does), with what :meth:`StoreDataset.graph`
    ``.add`` was given on top; ``origins`` says which file holds each graph.
    """

    def __init__(self, store: ox.Store, path: Path, *, writable: bool) -> None:
        self.store = store
        self.path = path
        self.writable = writable
        self.folder = data_folder(path)
        self.dataset = StoreDataset(store)
        self.origins = Origins(read_files(path))

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False) -> StoreData:
        """The store at ``path``, for an addition (read-write) or a dry run (read-only).

        Raises:
            StoreError: not a store, locked by another writer, or no record of its files.
        """
        from .store import is_store, open_database

        folder = Path(path)
        if not is_store(folder):
            raise StoreError(f"{folder}: not a kg store; make one with `kg load --store {folder}`")
        data_folder(folder)  # fails before the database is opened
        return cls(open_database(folder, read_only=read_only), folder, writable=not read_only)

    # ---- writing

    def settle(self) -> str | None:
        """Finish an addition an earlier ``kg add`` wrote to the files but not to the store.

        Call it after :func:`kg.datafiles.recover`, holding the writers' lock.
        """
        pending = self.path / PENDING_NAME
        if not pending.exists():
            return None
        try:
            header, _, body = pending.read_bytes().partition(b"\n")
            expected: dict[str, str] = json.loads(header.decode("utf-8").lstrip("# "))
        except (OSError, ValueError) as exc:
            raise StoreError(f"{pending}: unreadable record of an interrupted kg add ({exc}); "
                             f"load the store again with `kg load`") from None
        committed = all(
            (self.folder / name).is_file() and
            hashlib.sha256((self.folder / name).read_bytes()).hexdigest() == digest
            for name, digest in expected.items())
        if committed:
            self._insert(ox.parse(body, ox.RdfFormat.N_QUADS))
        pending.unlink()
        return ("completed an interrupted kg add in the store" if committed else
                "dropped an interrupted kg add the files do not hold")

    def prepare(self, quads: Iterable[Quad], contents: dict[str, bytes]) -> bytes:
        """Write ``kg-pending.nq`` (step 1 of the module docstring); return its N-Quads."""
        body = ox.serialize((ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), from_rdflib(g))
                             for s, p, o, g in quads), format=ox.RdfFormat.N_QUADS) or b""
        digests = {name: hashlib.sha256(content).hexdigest() for name, content in contents.items()}
        _write_synced(self.path / PENDING_NAME,
                      b"# " + json.dumps(digests).encode("utf-8") + b"\n" + body)
        return body

    def apply(self, body: bytes) -> None:
        """Insert the prepared statements (step 3) and remove ``kg-pending.nq``.

        Raises:
            StoreError: the store cannot be written; the next ``kg add`` retries.
        """
        self._insert(ox.parse(body, ox.RdfFormat.N_QUADS))
        (self.path / PENDING_NAME).unlink(missing_ok=True)

    def record(self, graph: URIRef, file: Path) -> None:
        """Remember the file of a new graph in ``kg-files.json``."""
        if self.origins.get(graph) != file:
            self.origins[graph] = file
            self.origins.files[str(graph)] = str(file)
            record_files(self.path, {str(graph): file}, add=True)

    def _insert(self, quads: Iterable[ox.Quad]) -> None:
        given = list(quads)  # each in its graph, and in the merged default graph (kg.store)
        given += [ox.Quad(q.subject, q.predicate, q.object) for q in given
                  if type(q.graph_name) is not ox.DefaultGraph]  # noqa: E721
        try:
            self.store.extend(given)  # one transaction
            self.store.flush()
        except OSError as exc:
            raise StoreError(f"{self.path}: the store cannot be written ({exc}); the files "
                             "hold the addition, the next kg add on the store inserts it") from None


class Origins(dict[URIRef, Path]):
    """graph -> file, made on lookup from the store's record (a national store has thousands)."""

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__()
        self.files = files

    def get(self, key: URIRef, default: Path | None = None) -> Path | None:  # type: ignore[override]
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        file = self.files.get(str(key))
        return Path(file) if file is not None else default


class StoreDataset:
    """The source graphs of a store, looked up as rdflib's ``Dataset.quads`` / ``graph`` do."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.pending = ox.Store()  # in memory: the addition, in canonical form as the store's

    def quads(self, pattern: tuple[Node | None, Node | None, Node | None, Node | None]
              ) -> Iterator[Quad]:
        s, p, o, g = (None if t is None else from_rdflib(t) for t in pattern)  # type: Any, Any, Any, Any
        for store in (self.store, self.pending):
            for quad in store.quads_for_pattern(s, p, o, g):
                if type(quad.graph_name) is ox.DefaultGraph:  # noqa: E721 - the merge
                    continue
                yield (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object),
                       URIRef(quad.graph_name.value))

    def merged_triples(self, pattern: tuple[Node | None, Node | None, Node | None]
                       ) -> Iterator[tuple[Node, Node, Node]]:
        """The triples matching ``pattern`` in any graph, from the merged default graph.

        Each once from the store (plus, maybe again, those of the addition).
        """
        s, p, o = (None if t is None else from_rdflib(t) for t in pattern)  # type: Any, Any, Any
        for quad in self.store.quads_for_pattern(s, p, o, _DEFAULT):
            yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)
        for quad in self.pending.quads_for_pattern(s, p, o):
            yield to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)

    def graph(self, name: Node) -> GraphView:
        return GraphView(self, URIRef(str(name)))


class GraphView:
    """One source graph of a :class:`StoreDataset`: ``(s, p, o) in view`` and ``view.add``."""

    def __init__(self, dataset: StoreDataset, name: URIRef) -> None:
        self.dataset = dataset
        self.name = name

    def __contains__(self, triple: tuple[Node | None, Node | None, Node | None]) -> bool:
        return next(self.dataset.quads((*triple, self.name)), None) is not None

    def add(self, triple: tuple[Node, Node, Node]) -> None:
        s, p, o = (from_rdflib(t) for t in triple)
        self.dataset.pending.add(ox.Quad(s, p, o, ox.NamedNode(str(self.name))))

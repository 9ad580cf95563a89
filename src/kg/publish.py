"""Publishing the graph into a triple store, one named graph per source article.

Two ways in, whichever the store offers:

- the SPARQL 1.1 Graph Store HTTP Protocol (``graph_store``): one ``PUT`` per
  graph, which replaces that graph (Virtuoso: ``/sparql-graph-crud-auth``,
  HTTP Digest auth);
- SPARQL 1.1 Update on the query endpoint (``endpoint``, where no graph
  store is given): ``DROP SILENT GRAPH`` then ``INSERT DATA`` in chunks
  (Virtuoso: ``/sparql-auth``).

Either way each graph is replaced as a whole, so publishing again is
idempotent: the store ends with exactly the local graphs' triples. Graphs the
store holds that are not local ones are left alone. Where a query endpoint is
given, the triples of each graph are counted in the store afterwards.

>>> from kg.load import load_graph
>>> publish(load_graph())  # doctest: +SKIP
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.term import Node

from .errors import EndpointError, InputError
from .load import KnowledgeGraph
from .remote import HttpClient, with_query

#: Triples per ``INSERT DATA`` request on the SPARQL Update route.
CHUNK_TRIPLES = 2000


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph as published: triples sent, and triples the store then held."""

    name: URIRef
    triples: int
    stored: int | None = None  #: counted in the store afterwards; None without a query endpoint


@dataclass(frozen=True)
class PublishReport:
    """What :func:`publish` did: where, by which protocol, which graphs, how long it took."""

    target: str
    protocol: str  #: "graph-store" or "update"
    graphs: tuple[PublishedGraph, ...]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)

    @property
    def mismatched(self) -> tuple[PublishedGraph, ...]:
        """Graphs whose count in the store differs from the triples sent."""
        return tuple(g for g in self.graphs if g.stored is not None and g.stored != g.triples)

    def to_text(self) -> str:
        how = ("Graph Store Protocol (PUT per graph)" if self.protocol == "graph-store"
               else "SPARQL Update (DROP + INSERT DATA)")
        lines = [f"published {self.triples} triples in {len(self.graphs)} graphs to "
                 f"{self.target} by {how} in {self.seconds:.2f} s"]
        for g in self.graphs:
            stored = "" if g.stored is None else f"  (the store holds {g.stored})"
            lines.append(f"  {g.name}  {g.triples} triples{stored}")
        for g in self.mismatched:
            lines.append(f"warning: {g.name}: sent {g.triples} triples, the store holds {g.stored}")
        return "\n".join(lines) + "\n"


def publish(graph: KnowledgeGraph, *, endpoint: str | None = None, graph_store: str | None = None,
            user: str | None = None, password: str | None = None, timeout: float = 60.0,
            chunk_triples: int = CHUNK_TRIPLES) -> PublishReport:
    """Replace each source graph of ``graph`` in a store with the local one.

    With ``graph_store`` the graphs go by the Graph Store Protocol, else by
    SPARQL Update to ``endpoint``; with ``endpoint`` the store's count of each
    graph is read back.

    Raises:
        InputError: neither ``endpoint`` nor ``graph_store`` is given.
        EndpointError: the store is unreachable, refuses (HTTP status and the
            first line of its answer), or times out.
    """
    if endpoint is None and graph_store is None:
        raise InputError("say where to publish: a SPARQL endpoint, or a graph store URL")
    started = time.monotonic()
    names = graph.source_graphs()
    sent: dict[URIRef, int] = {}
    if graph_store is not None:
        store = HttpClient(graph_store, timeout=timeout, user=user, password=password)
        for name in names:
            sent[name] = put_graph(store, name, graph.dataset.graph(name))
        target, protocol = graph_store, "graph-store"
    else:
        assert endpoint is not None
        client = HttpClient(endpoint, timeout=timeout, user=user, password=password)
        for name in names:
            sent[name] = replace_by_update(client, name, graph.dataset.graph(name),
                                           chunk_triples=chunk_triples)
        target, protocol = endpoint, "update"
    stored: dict[URIRef, int] = {}
    if endpoint is not None:
        stored = count_in_store(endpoint, names, timeout=timeout, user=user, password=password)
    published = tuple(PublishedGraph(name, sent[name], stored.get(name, 0) if endpoint else None)
                      for name in names)
    return PublishReport(target, protocol, published, time.monotonic() - started)


def put_graph(store: HttpClient, name: URIRef, triples: Graph) -> int:
    """Replace graph ``name`` in the store with ``triples`` (Graph Store Protocol ``PUT``).

    Sent as N-Triples, which every Turtle reader reads, labelled ``text/turtle``
    because that is the media type every graph store accepts.

    Raises:
        EndpointError: the store refused or could not be reached.
    """
    body = triples.serialize(format="nt", encoding="utf-8")
    store.request("PUT", with_query(store.url, [("graph", str(name))]), data=body,
                  headers={"Content-Type": "text/turtle; charset=utf-8"})
    return len(triples)


def replace_by_update(client: HttpClient, name: URIRef, triples: Graph, *,
                      chunk_triples: int = CHUNK_TRIPLES) -> int:
    """Replace graph ``name`` with ``triples`` by SPARQL Update: drop it, then insert in chunks.

    The drop travels with the first chunk, in one request, so that a store
    never shows the graph empty between two requests. A failure half-way
    leaves the graph partly loaded; publishing again repairs it.

    Raises:
        EndpointError: the store refused or could not be reached.
    """
    drop = f"DROP SILENT GRAPH {name.n3()}"
    chunks = list(chunked(triples, chunk_triples)) or [[]]
    for number, chunk in enumerate(chunks):
        operations = [drop] if number == 0 else []
        if chunk:
            lines = "\n".join(f"    {s.n3()} {p.n3()} {o.n3()} ." for s, p, o in chunk)
            operations.append(f"INSERT DATA {{\n  GRAPH {name.n3()} {{\n{lines}\n  }}\n}}")
        form = urllib.parse.urlencode([("update", " ;\n".join(operations))])
        client.request("POST", client.url, data=form.encode("utf-8"), headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    return len(triples)


def chunked(triples: Graph, size: int) -> Iterator[list[tuple[Node, Node, Node]]]:
    """The triples of ``triples`` in lists of at most ``size``, in a stable order."""
    ordered = sorted(triples, key=lambda t: (str(t[0]), str(t[1]), t[2].n3()))
    for start in range(0, len(ordered), max(size, 1)):
        yield ordered[start:start + max(size, 1)]


def count_in_store(endpoint: str, names: list[URIRef], *, timeout: float,
                   user: str | None, password: str | None) -> dict[URIRef, int]:
    """How many triples the store holds in each of the graphs ``names``.

    Raises:
        EndpointError: the endpoint is unreachable or answers badly.
    """
    from .backends import RemoteBackend

    if not names:
        return {}
    values = " ".join(name.n3() for name in names)
    query = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
             "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    backend = RemoteBackend(endpoint, timeout=timeout, user=user, password=password)
    counts: dict[URIRef, int] = {}
    for row in backend.run(query).rows:
        g, n = row.get("g"), row.get("n")
        try:
            counts[URIRef(str(g))] = int(str(n))
        except ValueError:
            raise EndpointError(f"{endpoint} answered a count that is not a number: {n!r}") from None
    return counts

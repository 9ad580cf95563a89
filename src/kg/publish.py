"""Publishing the graph into a triple store, one named graph per source article.

Two ways in, whichever the store offers:

- the SPARQL 1.1 Graph Store HTTP Protocol (``graph_store``): one ``PUT`` per
  graph, which replaces that graph (Virtuoso: ``/sparql-graph-crud-auth``,
  HTTP Digest auth);
- SPARQL 1.1 Update on the query endpoint (``endpoint``, where no graph
  store is given): ``DROP SILENT GRAPH`` then ``INSERT DATA`` in chunks
  (Virtuoso: ``/sparql-auth``), sent by SPARQLWrapper as queries are.

Either way each graph is replaced as a whole, so publishing again is
idempotent: the store ends with exactly the local graphs' triples. The source
graphs and the vocabulary graphs (ontology and code lists) are published, so
that the store can answer with the labels of codes, classes and properties.
Graphs the store holds that are not local ones are left alone. Where a query
endpoint is given, the triples of each graph are counted in the store afterwards.
A publisher's ``base`` mints the IRIs under their own domain, as ``kg export --base``
does (:func:`kg.export.rebased`).

>>> from kg.graph import load_graph
>>> publish(load_graph(), endpoint="http://127.0.0.1:8890/sparql")  # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import EndpointError, InputError
from .export import check_base, rebased, rebased_iri
from .graph import KnowledgeGraph
from .remote import HttpClient, SparqlClient, with_query

#: Triples per ``INSERT DATA`` request on the SPARQL Update route.
CHUNK_TRIPLES = 2000


@dataclass(frozen=True)
class PublishedGraph:
    """One named graph as published: triples sent, and triples the store then held."""

    name: str
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
            chunk_triples: int = CHUNK_TRIPLES, base: str | None = None) -> PublishReport:
    """Replace each source graph and vocabulary graph of ``graph`` in a store with the local one.

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
    if base is not None:
        check_base(base)
    started = time.monotonic()
    local = graph.source_graphs() + graph.vocabulary_graphs()
    names = [published(name, base) for name in local]
    sent: dict[str, int] = {}
    if graph_store is not None:
        store = HttpClient(graph_store, timeout=timeout, user=user, password=password)
        for here, name in zip(local, names):
            sent[name.value] = put_graph(store, name, triples_of(graph, here, base=base))
        target, protocol = graph_store, "graph-store"
    else:
        assert endpoint is not None
        client = SparqlClient(HttpClient(endpoint, timeout=timeout, user=user, password=password))
        for here, name in zip(local, names):
            sent[name.value] = replace_by_update(client, name, triples_of(graph, here, base=base),
                                                 chunk_triples=chunk_triples)
        target, protocol = endpoint, "update"
    stored: dict[str, int] = {}
    if endpoint is not None:
        stored = count_in_store(endpoint, names, timeout=timeout, user=user, password=password)
    graphs = tuple(PublishedGraph(name.value, sent[name.value],
                                  stored.get(name.value, 0) if endpoint else None)
                   for name in names)
    return PublishReport(target, protocol, graphs, time.monotonic() - started)


def triples_of(graph: KnowledgeGraph, name: ox.NamedNode, *,
               base: str | None = None) -> list[ox.Triple]:
    """The triples of one named graph, in a stable order (subject, predicate, object);
    with ``base``, their IRIs under it (:func:`kg.export.rebased`)."""
    triples: Iterable[ox.Triple] = (q.triple for q in
                                    graph.store.quads_for_pattern(None, None, None, name))
    if base is not None:
        triples = rebased(triples, base)
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def published(name: ox.NamedNode, base: str | None) -> ox.NamedNode:
    """The name of graph ``name`` in the store: under ``base`` when one is given."""
    return name if base is None else ox.NamedNode(rebased_iri(name.value, base))


def put_graph(store: HttpClient, name: ox.NamedNode, triples: list[ox.Triple]) -> int:
    """Replace graph ``name`` in the store with ``triples`` (Graph Store Protocol ``PUT``).

    Sent as N-Triples, which every Turtle reader reads, labelled ``text/turtle``
    because that is the media type every graph store accepts.

    Raises:
        EndpointError: the store refused or could not be reached.
    """
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    store.request("PUT", with_query(store.url, [("graph", name.value)]), data=body,
                  headers={"Content-Type": "text/turtle; charset=utf-8"})
    return len(triples)


def replace_by_update(client: SparqlClient, name: ox.NamedNode, triples: list[ox.Triple], *,
                      chunk_triples: int = CHUNK_TRIPLES) -> int:
    """Replace graph ``name`` with ``triples`` by SPARQL Update: drop it, then insert in chunks.

    The drop travels with the first chunk, in one request, so that a store
    never shows the graph empty between two requests. A failure half-way
    leaves the graph partly loaded; publishing again repairs it. Triples with
    a blank node (an OWL restriction in an ontology, say) go together in one
    last ``INSERT { } WHERE { }``: ``INSERT DATA`` may not hold blank nodes on
    every store (Virtuoso refuses them), and chunks would cut a blank node's
    triples apart, making one node two.

    Raises:
        EndpointError: the store refused or could not be reached.
    """
    drop = f"DROP SILENT GRAPH {name}"
    size = max(chunk_triples, 1)
    ground: list[ox.Triple] = []
    blank: list[ox.Triple] = []
    for t in triples:
        has_blank = isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        (blank if has_blank else ground).append(t)
    chunks = [ground[start:start + size] for start in range(0, len(ground), size)] or [[]]
    for number, chunk in enumerate(chunks):
        operations = [drop] if number == 0 else []
        if chunk:
            lines = "\n".join(f"    {t} ." for t in chunk)
            operations.append(f"INSERT DATA {{\n  GRAPH {name} {{\n{lines}\n  }}\n}}")
        client.send_update(" ;\n".join(operations))
    if blank:
        lines = "\n".join(f"    {t} ." for t in blank)
        client.send_update(f"INSERT {{\n  GRAPH {name} {{\n{lines}\n  }}\n}} WHERE {{}}")
    return len(triples)


def count_in_store(endpoint: str, names: list[ox.NamedNode], *, timeout: float,
                   user: str | None, password: str | None) -> dict[str, int]:
    """How many triples the store holds in each of the graphs ``names``.

    Raises:
        EndpointError: the endpoint is unreachable or answers badly.
    """
    from .backends import RemoteBackend

    if not names:
        return {}
    values = " ".join(str(name) for name in names)
    query = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
             "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    backend = RemoteBackend(endpoint, timeout=timeout, user=user, password=password)
    counts: dict[str, int] = {}
    for row in backend.run(query).rows:
        g, n = row.get("g"), row.get("n")
        try:
            counts[g.value] = int(n.value)  # type: ignore[union-attr]
        except (ValueError, AttributeError):
            raise EndpointError(f"{endpoint} answered a count that is not a number: {n!r}") from None
    return counts

"""Where queries run: the project's graph (in memory or on disk), or a remote endpoint.

A :class:`Backend` takes the text of a SPARQL query and answers a
:class:`~kg.results.QueryResult` of pyoxigraph terms, the same whichever ran it:

- a :class:`~kg.graph.KnowledgeGraph` (in memory, or an on-disk store): its
  default graph is the merge of all its graphs, ``GRAPH ?g`` sees each source
  graph under the article's IRI and the vocabulary graphs;
- :class:`RemoteBackend`: a SPARQL 1.1 endpoint over HTTP, reached through
  SPARQLWrapper (:mod:`kg.remote`, imported only when a remote query runs).

A triple stated by several sources is one row in the merged default graph but
one row per graph on stores whose default graph is the union of quads
(Virtuoso): saved queries say ``DISTINCT`` or ``GRAPH ?g`` so that both answer alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from .errors import EndpointError, QueryError
from .results import QueryResult
from .sparqltext import positions_in_own_text, prologue, query_kind
from .terms import Term

if TYPE_CHECKING:
    from .remote import Answer


class Backend(Protocol):
    """Something that runs SPARQL queries."""

    def run(self, query: str) -> QueryResult:
        """Run ``query``; the project prefixes need no declaring.

        Raises:
            QueryError: the query does not parse or fails to run.
            EndpointError: a remote store is unreachable or answers badly.
        """
        ...


# --------------------------------------------------------------------------- remote endpoint

#: Rows Virtuoso answers at most by default ([SPARQL] ResultSetMaxRows), without an error.
VIRTUOSO_ROW_CAP = 10_000

GRAPH_MEDIA_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/ntriples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE, "application/turtle": ox.RdfFormat.TURTLE,
}


class ResultCapWarning(UserWarning):
    """A remote result may be cut short by the store's row cap."""


class RemoteBackend:
    """Queries sent to a SPARQL 1.1 endpoint over HTTP, by SPARQLWrapper (:mod:`kg.remote`).

    SELECT and ASK are asked for as SPARQL JSON results (Virtuoso's older
    ``typed-literal`` form included), CONSTRUCT and DESCRIBE as N-Triples or
    Turtle; answers become the same :class:`QueryResult` of pyoxigraph terms as
    the local graph's. ``default_graph`` (one IRI or several) is sent as
    ``default-graph-uri``: without it a store chooses its own default graph,
    which on Virtuoso is the union of *every* graph it holds, its system
    graphs included. ``named_graph`` (one or several) is sent as
    ``named-graph-uri``: the graphs ``GRAPH ?g`` sees (by the protocol, a
    request that names default graphs and no named graphs has none; Virtuoso
    shows every graph then). ``user`` and ``password`` are offered with HTTP
    Digest or Basic auth, as the store asks. ``timeout`` is in seconds.

    Row cap: stores cap the rows of one answer without an error (Virtuoso:
    10,000, ``ResultSetMaxRows`` in its ``[SPARQL]`` section, reported in the
    ``X-SPARQL-MaxRows`` header; an ``OFFSET`` past the cap fails). An answer
    that reaches the cap warns with :class:`ResultCapWarning`; page through
    larger results with ``ORDER BY`` + ``LIMIT``/``OFFSET`` below the cap, or
    raise the cap on the server.
    """

    def __init__(self, endpoint: str, *, timeout: float = 30.0, user: str | None = None,
                 password: str | None = None,
                 default_graph: str | Sequence[str] | None = None,
                 named_graph: str | Sequence[str] | None = None) -> None:
        """A backend for ``endpoint``; nothing is sent yet.

        Raises:
            EndpointError: ``endpoint`` is not an http(s) URL.
        """
        from .remote import HttpClient

        self.endpoint = endpoint
        self.timeout = timeout
        self.default_graphs = iris(default_graph)
        self.named_graphs = iris(named_graph)
        self._http = HttpClient(endpoint, timeout=timeout, user=user, password=password)

    def run(self, query: str) -> QueryResult:
        """Send ``query`` to the endpoint; its answer as a QueryResult.

        Raises:
            QueryError: not a query (an update), or the endpoint refused it as malformed (HTTP 400).
            EndpointError: unreachable, timed out, an HTTP error, or an answer
                that is not the SPARQL results or RDF asked for.
        """
        return self.run_with(query)

    def run_with(self, query: str, *, default_graph: Sequence[str] | None = None,
                 named_graphs: Sequence[str] | None = None) -> QueryResult:
        """:meth:`run`, with the dataset of this one query named (else the backend's own).

        Raises:
            QueryError: not a query (an update), or the endpoint refused it as malformed (HTTP 400).
            EndpointError: unreachable, timed out, an HTTP error, or an answer
                that is not the SPARQL results or RDF asked for.
        """
        from .remote import SparqlClient

        own = query
        hidden = prologue(own)
        query = hidden + own
        kind = query_kind(query)
        client = SparqlClient(
            self._http,
            default_graphs=list(default_graph) if default_graph is not None else self.default_graphs,
            named_graphs=list(named_graphs) if named_graphs is not None else self.named_graphs)
        try:
            answer = client.send_query(query)
        except EndpointError as exc:
            if " answered HTTP 400" in str(exc):
                # the store counts lines from the prologue the user never wrote
                why = positions_in_own_text(str(exc), own, hidden.count("\n"))
                raise QueryError(f"the endpoint refused the query: {why}") from None
            raise
        if kind in ("SELECT", "ASK"):
            result = results_from_json(self.endpoint, answer.text(), kind)
            # Virtuoso names its cap in a header when it applies it; other stores
            # may cap silently, so exactly Virtuoso's default cap is suspect too.
            cap_header = answer.headers.get("X-SPARQL-MaxRows", "").strip()
            capped = (len(result.rows) >= int(cap_header) if cap_header.isdigit()
                      else len(result.rows) == VIRTUOSO_ROW_CAP)
            if kind == "SELECT" and capped:
                warnings.warn(
                    f"{self.endpoint} answered {len(result.rows)} rows, its row cap: the result "
                    "may be cut short; page with ORDER BY and LIMIT/OFFSET", ResultCapWarning,
                    stacklevel=2)
            return result
        return graph_result(self.endpoint, answer, kind)

    def __repr__(self) -> str:
        return f"RemoteBackend({self.endpoint!r})"


def iris(given: str | Sequence[str] | None) -> tuple[str, ...]:
    """One IRI or several (or None) as a tuple of strings."""
    if given is None:
        return ()
    if isinstance(given, str):
        return (given,)
    return tuple(str(g) for g in given)


def results_from_json(endpoint: str, text: str, kind: str) -> QueryResult:
    """SPARQL 1.1 JSON results as a QueryResult.

    Raises:
        EndpointError: not JSON, or not the shape of SPARQL JSON results.
    """
    import json

    def malformed(why: str) -> EndpointError:
        return EndpointError(f"{endpoint} answered malformed SPARQL JSON results: {why}")

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        start = " ".join(text[:60].split())
        raise EndpointError(f"{endpoint} answered something that is not JSON "
                            f"({exc.msg} at line {exc.lineno}; it starts {start!r})") from None
    if not isinstance(document, dict):
        raise malformed("the top level is not an object")
    if kind == "ASK":
        if not isinstance(document.get("boolean"), bool):
            raise malformed("an ASK answer without a true/false \"boolean\"")
        return QueryResult("ASK", boolean=document["boolean"])
    head, results = document.get("head"), document.get("results")
    if not isinstance(head, dict) or not isinstance(results, dict):
        raise malformed("no \"head\" and \"results\" objects")
    names = head.get("vars", [])
    bindings = results.get("bindings")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise malformed("\"head\".\"vars\" is not a list of names")
    if not isinstance(bindings, list):
        raise malformed("\"results\".\"bindings\" is not a list")
    rows: list[dict[str, Term | None]] = []
    for number, binding in enumerate(bindings, start=1):
        if not isinstance(binding, dict):
            raise malformed(f"row {number} is not an object")
        row: dict[str, Term | None] = dict.fromkeys(names)
        for name, value in binding.items():
            if name not in row:
                raise malformed(f"row {number} binds {name!r}, which is not in \"head\".\"vars\"")
            try:
                row[name] = term_from_json(value)
            except ValueError as exc:
                raise malformed(f"row {number}, variable {name!r}: {exc}") from None
        rows.append(row)
    return QueryResult("SELECT", variables=tuple(names), rows=tuple(rows))


def term_from_json(value: object) -> Term:
    """One RDF term of SPARQL JSON results (``typed-literal`` included) as a pyoxigraph term.

    Raises:
        ValueError: not a term of a known type.
    """
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise ValueError("not an object with a \"value\" string")
    kind, text = value.get("type"), value["value"]
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return blank_node(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if isinstance(language, str) and language:
            return ox.Literal(text, language=language)
        if isinstance(datatype, str) and datatype:
            return ox.Literal(text, datatype=ox.NamedNode(datatype))
        if kind == "typed-literal":
            raise ValueError("a typed-literal without a datatype")
        return ox.Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


def blank_node(label: str) -> ox.BlankNode:
    """A blank node of a SPARQL JSON answer, the same for the same label within it.

    Virtuoso writes labels as ``nodeID://b10003``, which is no blank node
    identifier: such a label becomes one made of its hexadecimal bytes.
    """
    label = label.removeprefix("_:")
    try:
        return ox.BlankNode(label)
    except ValueError:
        return ox.BlankNode("x" + label.encode("utf-8").hex())


def graph_result(endpoint: str, answer: Answer, kind: str) -> QueryResult:
    """A CONSTRUCT or DESCRIBE answer (N-Triples or Turtle) as a QueryResult.

    Raises:
        EndpointError: another media type, or RDF that does not parse.
    """
    rdf_format = GRAPH_MEDIA_TYPES.get(answer.media_type)
    if rdf_format is None:
        raise EndpointError(f"{endpoint} answered {answer.media_type or 'no media type'} to a "
                            f"{kind}; expected N-Triples or Turtle")
    try:
        triples = tuple(q.triple for q in ox.parse(answer.body, rdf_format))
    except (SyntaxError, ValueError) as exc:
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise EndpointError(f"{endpoint} answered {answer.media_type} that does not parse: "
                            f"{why}") from None
    return QueryResult(kind, triples=triples)


__all__ = ["Backend", "RemoteBackend", "ResultCapWarning", "results_from_json", "term_from_json"]

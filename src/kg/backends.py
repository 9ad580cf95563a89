"""Where queries run, and what they answer.

A :class:`Backend` takes the full text of a SPARQL query (prologue included)
and answers a :class:`QueryResult`, the same whichever store ran it:

- :class:`EmbeddedBackend`: rdflib over a loaded :class:`~kg.load.KnowledgeGraph`.
  Its default graph is the union of the source graphs; ``GRAPH ?g`` sees each
  source graph under the article's IRI.

A triple stated by several sources is one row in the embedded union but one
row per graph on stores whose default graph is the union of quads (Virtuoso):
saved queries say ``DISTINCT`` or ``GRAPH ?g`` so that both answer alike.

>>> from kg.load import load_graph
>>> backend = EmbeddedBackend(load_graph())
>>> backend.run("ASK { ?s ?p ?o }").boolean
True
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node, Variable

from .errors import EndpointError, QueryError

if TYPE_CHECKING:
    from rdflib.query import Result

    from .load import KnowledgeGraph
    from .remote import Answer

QUERY_KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class IRI(str):
    """An IRI as a Python value: a ``str`` that says it names something."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"IRI({str.__repr__(self)})"


@dataclass(frozen=True)
class QueryResult:
    """The answer to one query: rows of RDF terms, a boolean, or a graph.

    ``kind`` is "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE". A SELECT has
    ``variables`` and ``rows`` (each row maps every variable to its term, or
    None where unbound); an ASK has ``boolean``; a CONSTRUCT or DESCRIBE has
    ``graph``.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[dict[str, Node | None], ...] = ()
    boolean: bool | None = None
    graph: Graph | None = field(default=None, compare=False)

    def values(self) -> list[dict[str, object]]:
        """The rows with Python values: ``IRI``, str, int, Decimal, float, date, bool ...

        A language-tagged or plain literal is its text; a typed literal its
        Python value (``xsd:gYear`` an int year); a literal whose text does not
        fit its datatype stays text; a blank node is ``"_:id"``; unbound is None.
        """
        return [{name: to_python(term) for name, term in row.items()} for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


class Backend(Protocol):
    """Something that runs SPARQL queries."""

    def run(self, query: str) -> QueryResult:
        """Run ``query`` (the full text, prologue included).

        Raises:
            QueryError: the query does not parse or fails to run.
            EndpointError: a remote store is unreachable or answers badly.
        """
        ...


class EmbeddedBackend:
    """Queries over a loaded graph, in process (rdflib).

    The graph is not copied and never changed: queries see a union view of
    the same store.
    """

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph
        self._view = Dataset(store=graph.dataset.store, default_union=True)

    def run(self, query: str) -> QueryResult:
        """Run ``query`` on the union of the source graphs.

        Raises:
            QueryError: the query does not parse or fails to run.
        """
        try:
            # rdflib evaluates lazily: errors surface while the rows are read
            return result_from_rdflib(self._view.query(query))
        except QueryError:
            raise
        except Exception as exc:  # pyparsing, rdflib evaluation errors ...
            raise QueryError(f"the query failed: {describe_query_error(query, exc)}") from exc

    def __repr__(self) -> str:
        return f"EmbeddedBackend({len(self.graph.source_graphs())} source graphs)"


def result_from_rdflib(result: Result) -> QueryResult:
    """An rdflib query result (local, or parsed from an endpoint's answer) as a QueryResult.

    Raises:
        QueryError: the result is of an unknown kind.
    """
    kind = str(result.type).upper()
    if kind == "SELECT":
        variables = tuple(str(v) for v in (result.vars or ()))
        rows: tuple[dict[str, Node | None], ...] = tuple(
            {name: binding.get(Variable(name)) for name in variables}
            for binding in result.bindings)
        return QueryResult(kind, variables=variables, rows=rows)
    if kind == "ASK":
        return QueryResult(kind, boolean=bool(result.askAnswer))
    if kind in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        from .namespaces import bind_prefixes

        bind_prefixes(graph)
        if result.graph is not None:
            for triple in result.graph:
                graph.add(triple)
        return QueryResult(kind, graph=graph)
    raise QueryError(f"unknown kind of query result {result.type!r}")


def to_python(term: Node | None) -> object:
    """One RDF term as a plain Python value (see :meth:`QueryResult.values`)."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return IRI(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        if term.datatype is None or term.language is not None:
            return str(term)
        if term.datatype == XSD.gYear:
            text = str(term)
            return int(text) if text.lstrip("-").isdigit() else text
        value = term.toPython()
        if isinstance(value, (bool, int, float, Decimal, datetime.date, datetime.time,
                              datetime.datetime, datetime.timedelta, str)):
            return value
        return str(term)
    return str(term)


def describe_query_error(query: str, exc: Exception) -> str:
    """A parser or evaluation error as one line, with line and column where known."""
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    message = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
    message = " ".join(str(message).split())
    if isinstance(line, int) and type(exc).__name__ == "ParseException":
        text = query.splitlines()[line - 1] if 0 < line <= len(query.splitlines()) else ""
        return f"syntax error at line {line}, column {column}: {message} (near {text.strip()[:60]!r})"
    return message


# --------------------------------------------------------------------------- remote endpoint

#: Rows Virtuoso answers at most by default ([SPARQL] ResultSetMaxRows), without an error.
VIRTUOSO_ROW_CAP = 10_000

UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                          "ADD", "WITH"})
SPARQL_JSON = "application/sparql-results+json"
GRAPH_MEDIA_TYPES = {
    "application/n-triples": "nt", "text/plain": "nt", "text/ntriples": "nt",
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/turtle": "turtle",
}


class ResultCapWarning(UserWarning):
    """A remote result may be cut short by the store's row cap."""


class RemoteBackend:
    """Queries sent to a SPARQL 1.1 endpoint over HTTP (the SPARQL Protocol).

    SELECT and ASK are asked for as SPARQL JSON results (Virtuoso's older
    ``typed-literal`` form included), CONSTRUCT and DESCRIBE as N-Triples or
    Turtle; answers become the same :class:`QueryResult` and rdflib terms as
    the embedded backend's. ``default_graph`` (one IRI or several) is sent as
    ``default-graph-uri``: without it a store chooses its own default graph,
    which on Virtuoso is the union of *every* graph it holds, its system
    graphs included. ``user`` and ``password`` are offered with HTTP Digest
    or Basic auth, as the store asks.

    Row cap: stores cap the rows of one answer without an error (Virtuoso:
    10,000, ``ResultSetMaxRows`` in its ``[SPARQL]`` section, reported in the
    ``X-SPARQL-MaxRows`` header; an ``OFFSET`` past the cap fails). An answer
    that reaches the cap warns with :class:`ResultCapWarning`; page through
    larger results with ``ORDER BY`` + ``LIMIT``/``OFFSET`` below the cap, or
    raise the cap on the server.
    """

    def __init__(self, endpoint: str, *, timeout: float = 30.0, user: str | None = None,
                 password: str | None = None,
                 default_graph: str | Sequence[str] | None = None) -> None:
        from .remote import HttpClient

        self.endpoint = endpoint
        self.timeout = timeout
        if default_graph is None:
            self.default_graphs: tuple[str, ...] = ()
        elif isinstance(default_graph, str):
            self.default_graphs = (default_graph,)
        else:
            self.default_graphs = tuple(str(g) for g in default_graph)
        self._client = HttpClient(endpoint, timeout=timeout, user=user, password=password)

    def run(self, query: str) -> QueryResult:
        """Send ``query`` to the endpoint; its answer as a QueryResult.

        Raises:
            QueryError: not a query (an update), or the endpoint refused it as malformed (HTTP 400).
            EndpointError: unreachable, timed out, an HTTP error, or an answer
                that is not the SPARQL results or RDF asked for.
        """
        import urllib.parse

        kind = query_kind(query)
        accept = (f"{SPARQL_JSON}, application/json;q=0.9" if kind in ("SELECT", "ASK")
                  else "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5")
        form = [("query", query)] + [("default-graph-uri", g) for g in self.default_graphs]
        try:
            answer = self._client.request(
                "POST", self.endpoint, data=urllib.parse.urlencode(form).encode("utf-8"),
                headers={"Accept": accept,
                         "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        except EndpointError as exc:
            if " answered HTTP 400" in str(exc):
                raise QueryError(f"the endpoint refused the query: {exc}") from None
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


def query_kind(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of ``query`` (its first keyword after the prologue).

    Raises:
        QueryError: an update, or no query form at all.
    """
    from .queries import tokens

    for kind, value, _ in tokens(query):
        if kind != "word":
            continue
        word = value.upper()
        if word in QUERY_KINDS:
            return word
        if word in UPDATE_WORDS:
            raise QueryError(f"{value} is an update; only SELECT, ASK, CONSTRUCT and DESCRIBE "
                             "queries are run (`kg publish` loads data into a store)")
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


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
    rows: list[dict[str, Node | None]] = []
    for number, binding in enumerate(bindings, start=1):
        if not isinstance(binding, dict):
            raise malformed(f"row {number} is not an object")
        row: dict[str, Node | None] = dict.fromkeys(names)
        for name, value in binding.items():
            if name not in row:
                raise malformed(f"row {number} binds {name!r}, which is not in \"head\".\"vars\"")
            try:
                row[name] = term_from_json(value)
            except ValueError as exc:
                raise malformed(f"row {number}, variable {name!r}: {exc}") from None
        rows.append(row)
    return QueryResult("SELECT", variables=tuple(names), rows=tuple(rows))


def term_from_json(value: object) -> Node:
    """One RDF term of SPARQL JSON results (``typed-literal`` included) as an rdflib term.

    Raises:
        ValueError: not a term of a known type.
    """
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise ValueError("not an object with a \"value\" string")
    kind, text = value.get("type"), value["value"]
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        datatype = value.get("datatype")
        if isinstance(language, str) and language:
            return Literal(text, lang=language)
        if isinstance(datatype, str) and datatype:
            return Literal(text, datatype=URIRef(datatype))
        if kind == "typed-literal":
            raise ValueError("a typed-literal without a datatype")
        return Literal(text)
    raise ValueError(f"unknown term type {kind!r}")


def graph_result(endpoint: str, answer: Answer, kind: str) -> QueryResult:
    """A CONSTRUCT or DESCRIBE answer (N-Triples or Turtle) as a QueryResult.

    Raises:
        EndpointError: another media type, or RDF that does not parse.
    """
    from .namespaces import bind_prefixes

    rdf_format = GRAPH_MEDIA_TYPES.get(answer.media_type)
    if rdf_format is None:
        raise EndpointError(f"{endpoint} answered {answer.media_type or 'no media type'} to a "
                            f"{kind}; expected N-Triples or Turtle")
    graph = Graph()
    bind_prefixes(graph)
    try:
        graph.parse(data=answer.text(), format=rdf_format)
    except Exception as exc:  # rdflib raises many kinds; all mean "does not parse"
        why = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise EndpointError(f"{endpoint} answered {answer.media_type} that does not parse: "
                            f"{why}") from None
    return QueryResult(kind, graph=graph)


__all__ = ["IRI", "QueryResult", "Backend", "EmbeddedBackend", "result_from_rdflib", "to_python",
           "QUERY_KINDS", "RemoteBackend", "ResultCapWarning"]

"""The SPARQL 1.1 Protocol at ``/sparql``: queries by GET, POST form and POST direct.

- **Requests** (https://www.w3.org/TR/sparql11-protocol/): ``query`` in the URL
  (GET), in a form body (``application/x-www-form-urlencoded``) or as the body
  (``application/sparql-query``), UTF-8; ``default-graph-uri`` and
  ``named-graph-uri`` (repeatable) make up the dataset of the query, overriding
  its ``FROM``. Without them the default graph is the merge of every graph
  (each triple once) and ``GRAPH ?g`` sees each source and vocabulary graph.
- **Answers** by content negotiation (``Accept`` with q-values and wildcards,
  or ``format``/``output``): SELECT and ASK as SPARQL JSON (the default), XML,
  CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (the default), JSON-LD,
  N-Triples or RDF/XML; 406 with the offered types when none is acceptable.
  pyoxigraph writes the answer where it can (:meth:`Dataset.serialize`): a
  request costs a parse of its parameters and one query.
- **Without a query**, ``GET /sparql`` answers the SPARQL Service Description
  (Turtle by default): the endpoint, its language and result formats, and its
  dataset, the union default graph and a named graph per source and vocabulary
  graph (found by a query, so that it describes a remote endpoint too).
- **Read-only.** An update (``update=``, ``application/sparql-update``, or an
  update in ``query``) is 403, as is a ``SERVICE``: the server never reaches the
  network for a query. The time limit is 503, the result cap 400. Every client
  error is a 4xx with a one-line plain-text reason.

The endpoint is a plain ASGI application (no Request object, no response
classes): the Oxigraph server is the measure of its speed.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from ..errors import EndpointError, QueryError
from ..results import QueryResult, ResultFormat, to_csv, to_json, to_tsv, triples_text
from ..sparqltext import UPDATE_WORDS, operation_form, refuse_service
from .context import Context
from .dataset import QueryTimeout, ResultCapExceeded, Written

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
ALLOW = "GET, HEAD, POST, OPTIONS"
READ_ONLY = ("this endpoint is read-only: updates are refused (kg add and kg publish change "
             "the graph)")
FORMATS_NS = "http://www.w3.org/ns/formats/"


class Offer(NamedTuple):
    """A format the endpoint answers in."""

    media_type: str
    content_type: str                       #: the Content-Type header of the answer
    name: str                               #: as ``format=`` names it
    rows: ox.QueryResultsFormat | None      #: for SELECT and ASK
    graph: ox.RdfFormat | None              #: for CONSTRUCT and DESCRIBE (None: JSON-LD)
    iri: str                                #: the W3C IRI of the format (service description)
    aliases: tuple[str, ...] = ()


R = ox.QueryResultsFormat
ROW_OFFERS = (
    Offer("application/sparql-results+json", "application/sparql-results+json", "json",
          R.JSON, None, FORMATS_NS + "SPARQL_Results_JSON", ("application/json",)),
    Offer("application/sparql-results+xml", "application/sparql-results+xml", "xml",
          R.XML, None, FORMATS_NS + "SPARQL_Results_XML", ("application/xml", "text/xml")),
    Offer("text/csv", "text/csv; charset=utf-8", "csv", R.CSV, None,
          FORMATS_NS + "SPARQL_Results_CSV"),
    Offer("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv",
          R.TSV, None, FORMATS_NS + "SPARQL_Results_TSV"),
)
GRAPH_OFFERS = (
    Offer("text/turtle", "text/turtle; charset=utf-8", "turtle", None, ox.RdfFormat.TURTLE,
          FORMATS_NS + "Turtle", ("application/x-turtle",)),
    Offer("application/ld+json", "application/ld+json", "jsonld", None, None,
          FORMATS_NS + "JSON-LD", ("application/json",)),
    Offer("application/n-triples", "application/n-triples", "ntriples", None,
          ox.RdfFormat.N_TRIPLES, FORMATS_NS + "N-Triples", ("text/plain",)),
    Offer("application/rdf+xml", "application/rdf+xml", "rdfxml", None, ox.RdfFormat.RDF_XML,
          FORMATS_NS + "RDF_XML", ("application/xml", "text/xml")),
)
_SHORT_NAMES = {"ttl": "turtle", "json-ld": "jsonld", "nt": "ntriples", "n-triples": "ntriples",
                "rdf": "rdfxml", "rdf/xml": "rdfxml", "srj": "json", "srx": "xml"}


class ClientError(Exception):
    """A request the endpoint refuses: its status and one-line reason."""

    def __init__(self, status: int, reason: str, headers: Sequence[tuple[bytes, bytes]] = ()
                 ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = list(headers)


# --------------------------------------------------------------------------- negotiation

def media_ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (``type/subtype``, lower case).

    >>> media_ranges("text/csv;q=0.5, application/*")
    [('text/csv', 0.5), ('application/*', 1.0)]
    """
    ranges = []
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else media + "/*"
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0  # an unreadable weight accepts nothing
        ranges.append((media, q))
    return ranges


def quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value ``ranges`` give ``media_type``: that of the most specific range matching it."""
    kind = media_type.split("/", 1)[0] + "/*"
    best, specificity = 0.0, -1
    for media, q in ranges:
        rank = 2 if media == media_type else 1 if media == kind else 0 if media == "*/*" else -1
        if rank > specificity:
            best, specificity = q, rank
    return best


def choose(offers: tuple[Offer, ...], ranges: list[tuple[str, float]] | None) -> Offer | None:
    """The offer the client prefers; None when none is acceptable. On a tie, an offer its own
    media type matches before one an alias matches (``text/*`` is CSV, not XML as
    ``text/xml``), then the first offered. ``ranges`` None: no Accept header, the first offer."""
    if ranges is None:
        return offers[0]
    chosen, best = None, (0.0, False)
    for offer in offers:
        own = quality(offer.media_type, ranges)
        alias = max((quality(media, ranges) for media in offer.aliases), default=0.0)
        score = (own, True) if own >= alias else (alias, False)
        if score[0] > 0 and score > best:
            chosen, best = offer, score
    return chosen


def by_name(name: str) -> tuple[Offer | None, Offer | None]:
    """The offers that ``format=NAME`` (a short name or a media type) means for rows and graphs.

    Raises:
        ClientError: not a format of this endpoint.
    """
    key = name.strip().lower()
    key = _SHORT_NAMES.get(key, key)
    found = [(o.rows is not None, o) for o in (*ROW_OFFERS, *GRAPH_OFFERS)
             if key == o.name or key == o.media_type or key in o.aliases]
    if not found:
        known = ", ".join(o.name for o in (*ROW_OFFERS, *GRAPH_OFFERS))
        raise ClientError(400, f"unknown format {name!r}: use one of {known} or a media type")
    rows = next((o for is_rows, o in found if is_rows), None)
    graph = next((o for is_rows, o in found if not is_rows), None)
    return rows, graph


# --------------------------------------------------------------------------- writing answers

def xml_results(result: QueryResult) -> bytes:
    """SPARQL Query Results XML of rows or a boolean written by kg (a remote endpoint's answer)."""
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n']
    if result.kind == "ASK":
        out.append(f"<head/>\n<boolean>{'true' if result.boolean else 'false'}</boolean>\n")
    else:
        out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>"
                                      for v in result.variables) + "</head>\n<results>\n")
        for row in result.rows:
            out.append("<result>")
            for name, term in row.items():
                if term is None:
                    continue
                if isinstance(term, ox.NamedNode):
                    value = f"<uri>{escape(term.value)}</uri>"
                elif isinstance(term, ox.BlankNode):
                    value = f"<bnode>{escape(term.value)}</bnode>"
                elif term.language:
                    value = f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
                else:
                    value = (f"<literal datatype={quoteattr(term.datatype.value)}>"
                             f"{escape(term.value)}</literal>")
                out.append(f"<binding name={quoteattr(name)}>{value}</binding>")
            out.append("</result>\n")
        out.append("</results>\n")
    out.append("</sparql>\n")
    return "".join(out).encode("utf-8")


def written_by_kg(result: QueryResult, offer: Offer) -> bytes:
    """An answer pyoxigraph did not write (a remote endpoint's, JSON-LD, ``SELECT *``, large)."""
    if result.kind in ("SELECT", "ASK"):
        if offer.rows is R.XML:
            return xml_results(result)
        if result.kind == "ASK":
            if offer.rows is R.JSON:
                return to_json_boolean(result)
            return b"true" if result.boolean else b"false"
        writer = {R.JSON: to_json, R.CSV: to_csv, R.TSV: to_tsv}[offer.rows or R.JSON]
        return writer(result).encode("utf-8")
    if offer.graph is ox.RdfFormat.RDF_XML:
        return ox.serialize(result.triples or (), format=ox.RdfFormat.RDF_XML) or b""
    fmt = ResultFormat.TURTLE if offer.graph is ox.RdfFormat.TURTLE else \
        ResultFormat.NTRIPLES if offer.graph is ox.RdfFormat.N_TRIPLES else ResultFormat.JSONLD
    return triples_text(result.triples or (), fmt).encode("utf-8")


def to_json_boolean(result: QueryResult) -> bytes:
    return b'{"head":{},"boolean":%s}' % (b"true" if result.boolean else b"false")


# --------------------------------------------------------------------------- the endpoint

async def read_body(receive: Receive) -> bytes:
    """The body of a request.

    Raises:
        ClientError: larger than the server's limit (the guard of the application says so
            while it is read; the endpoint is reached past the exception handlers).
    """
    chunks = []
    while True:
        try:
            message = await receive()
        except HTTPException as refused:
            raise ClientError(refused.status_code, str(refused.detail)) from None
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def parameters(raw: bytes) -> dict[str, list[str]]:
    """The parameters of a query string or form body (``+`` a space, ``%XX`` a byte, UTF-8).

    >>> parameters(b"query=ASK%20%7B%7D&default-graph-uri=urn%3Ax&x=a+b%zz")
    {'query': ['ASK {}'], 'default-graph-uri': ['urn:x'], 'x': ['a b%zz']}

    Raises:
        ClientError: a parameter is not percent-encoded UTF-8.
    """
    found: dict[str, list[str]] = {}
    try:
        for pair in raw.split(b"&"):
            if pair:
                name, _, value = pair.partition(b"=")
                found.setdefault(unquoted(name), []).append(unquoted(value))
    except UnicodeDecodeError:
        raise ClientError(400, "the parameters are not percent-encoded UTF-8") from None
    return found


def unquoted(raw: bytes) -> str:
    """``raw`` percent-decoded as a form value (a ``%`` not followed by two hex digits stays).

    What :func:`urllib.parse.unquote_plus` does, five times faster on a query with many
    escapes: ``%XX`` made ``\\xXX`` and decoded by the C escape decoder.
    """
    raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        try:
            raw = codecs.escape_decode(raw.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
        except ValueError:  # a stray %: decoded one escape at a time
            raw = unquote_to_bytes(raw)
    return raw.decode("utf-8")


def media_type_of(value: str) -> tuple[str, str | None]:
    """The media type of a Content-Type header and its charset (None when not given)."""
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, found = param.partition("=")
        if key.strip().lower() == "charset":
            charset = found.strip().strip('"').lower()
    return media.strip().lower(), charset


class Endpoint:
    """``/sparql``: the protocol (an ASGI application)."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.dataset = context.dataset
        self.max_query = context.options.max_query
        #: Accept header -> (offer for rows, offer for graphs): clients send the same ones
        self._negotiated: dict[bytes, tuple[Offer | None, Offer | None]] = {}
        #: the named graphs of the dataset, and which are vocabulary graphs (read once)
        self._graphs: list[tuple[str, bool]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head = scope["method"] == "HEAD"
        try:
            status, content_type, body, extra = await self.answer(scope, receive)
        except ClientError as refused:
            status, content_type, extra = refused.status, "text/plain; charset=utf-8", refused.headers
            body = (refused.reason.replace("\n", " ") + "\n").encode("utf-8")
        headers = [(b"content-type", content_type.encode("latin-1")),
                   (b"content-length", str(len(body)).encode("latin-1")),
                   (b"vary", b"accept"), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})

    async def answer(self, scope: Scope, receive: Receive
                     ) -> tuple[int, str, bytes, list[tuple[bytes, bytes]]]:
        """(status, content type, body, more headers) of one request.

        Raises:
            ClientError: the request is refused.
        """
        method = scope["method"]
        url_params = parameters(scope["query_string"])
        text: str | None = None
        if method in ("GET", "HEAD"):
            params = url_params
            if "update" in params:
                raise ClientError(403, READ_ONLY)
        elif method == "POST":
            params, text = await self.posted(scope, receive, url_params)
        elif method == "OPTIONS":
            return 204, "text/plain; charset=utf-8", b"", [(b"allow", ALLOW.encode())]
        else:
            raise ClientError(405, f"{method} is not a method of the SPARQL protocol: query by "
                                   "GET or POST", [(b"allow", ALLOW.encode())])
        if text is None:
            queries = params.get("query", ())
            if len(queries) > 1:
                raise ClientError(400, "more than one query parameter: send one query per request")
            if not queries:
                if method == "POST":
                    raise ClientError(400, "no query: send it as the query parameter of the form, "
                                           "or as the body with Content-Type "
                                           "application/sparql-query")
                return await self.service_description(scope)
            text = queries[0]
        return await self.run(scope, text, params)

    async def posted(self, scope: Scope, receive: Receive, url_params: dict[str, list[str]]
                     ) -> tuple[dict[str, list[str]], str | None]:
        """The parameters of a POST, and the query when it is the body.

        Raises:
            ClientError: a media type other than a form or a query, not UTF-8, an update.
        """
        content_type = ""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value.decode("latin-1")
        media, charset = media_type_of(content_type)
        if media == SPARQL_UPDATE:
            raise ClientError(403, READ_ONLY)
        if media not in (FORM, SPARQL_QUERY):
            raise ClientError(415, (f"the media type {media} is not one of the protocol's"
                                    if media else "the request does not say its media type")
                              + f": POST a query as {FORM} (query=...) or as "
                                f"{SPARQL_QUERY}")
        if charset is not None and charset not in ("utf-8", "utf8"):
            raise ClientError(415, f"the charset {charset} is refused: send the query in UTF-8")
        body = await read_body(receive)
        try:
            decoded = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ClientError(400, "the body is not UTF-8") from None
        if media == SPARQL_QUERY:
            if "query" in url_params:
                raise ClientError(400, "a query both in the body and in the URL: send one")
            return url_params, decoded
        params = parameters(body)
        if "update" in params:
            raise ClientError(403, READ_ONLY)
        for name, values in url_params.items():
            params.setdefault(name, []).extend(values)
        return params, None

    def offers(self, scope: Scope, params: dict[str, list[str]]
               ) -> tuple[Offer | None, Offer | None]:
        """What the client accepts for rows and for graphs (``format`` over ``Accept``).

        Raises:
            ClientError: an unknown ``format``.
        """
        named = params.get("format") or params.get("output")
        if named:
            return by_name(named[0])
        accept = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
        if accept is None:
            return ROW_OFFERS[0], GRAPH_OFFERS[0]
        found = self._negotiated.get(accept)
        if found is None:
            ranges = media_ranges(accept.decode("latin-1"))
            found = choose(ROW_OFFERS, ranges), choose(GRAPH_OFFERS, ranges)
            if len(self._negotiated) > 512:
                self._negotiated.clear()
            self._negotiated[accept] = found
        return found

    async def run(self, scope: Scope, text: str, params: dict[str, list[str]]
                  ) -> tuple[int, str, bytes, list[tuple[bytes, bytes]]]:
        if len(text) > self.max_query:
            raise ClientError(413, f"the query is longer than the server's limit of "
                                   f"{self.max_query} characters")
        if not text.strip():
            raise ClientError(400, "the query is empty")
        default_graph = graph_iris(params, "default-graph-uri")
        named_graphs = graph_iris(params, "named-graph-uri")
        rows_offer, graph_offer = self.offers(scope, params)
        try:
            refuse_service(text)
            answer = await self.dataset.aserialize(
                text, rows_offer.rows if rows_offer and rows_offer.rows else R.JSON,
                graph_offer.graph if graph_offer else ox.RdfFormat.TURTLE,
                default_graph=default_graph, named_graphs=named_graphs,
                base_iri=endpoint_url(scope))
        except QueryTimeout as exc:
            raise ClientError(503, str(exc), [(b"retry-after", b"5")]) from None
        except ResultCapExceeded as exc:
            raise ClientError(400, str(exc)) from None
        except EndpointError as exc:
            raise ClientError(502, str(exc)) from None
        except QueryError as exc:
            if "SERVICE" in str(exc) and "refused" in str(exc):
                raise ClientError(403, str(exc)) from None
            if operation_form(text) in UPDATE_WORDS:
                raise ClientError(403, READ_ONLY) from None
            raise ClientError(400, str(exc)) from None
        kind = answer.kind
        graph_kind = kind in ("CONSTRUCT", "DESCRIBE")
        offer = graph_offer if graph_kind else rows_offer
        if offer is None:
            offers = GRAPH_OFFERS if graph_kind else ROW_OFFERS
            raise ClientError(406, f"none of the accepted media types is offered for a {kind} "
                                   f"answer; offered: {', '.join(o.media_type for o in offers)}")
        body = answer.body if isinstance(answer, Written) else written_by_kg(answer, offer)
        return 200, offer.content_type, body, []

    # ---- the service description

    async def service_description(self, scope: Scope
                                  ) -> tuple[int, str, bytes, list[tuple[bytes, bytes]]]:
        _, offer = self.offers(scope, {})
        if offer is None:
            raise ClientError(406, "none of the accepted media types is offered for the service "
                                   "description; offered: "
                                   + ", ".join(o.media_type for o in GRAPH_OFFERS))
        try:
            graphs = await self.named_graphs()
        except QueryTimeout as exc:
            raise ClientError(503, str(exc), [(b"retry-after", b"5")]) from None
        except EndpointError as exc:
            raise ClientError(502, str(exc)) from None
        triples = description(endpoint_url(scope), graphs)
        if offer.graph is ox.RdfFormat.TURTLE:  # with its own prefixes, not the project's
            body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={
                "sd": SD, "dcterms": "http://purl.org/dc/terms/"}) or b""
        else:
            body = written_by_kg(QueryResult("CONSTRUCT", triples=tuple(triples)), offer)
        return 200, offer.content_type, body, []

    async def named_graphs(self) -> list[tuple[str, bool]]:
        """Each named graph of the dataset, and whether it is a vocabulary graph (by SPARQL:
        the same on a remote endpoint)."""
        if self._graphs is None:
            found = await self.dataset.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
            if not found.rows:  # an endpoint that does not list graphs for an empty pattern
                found = await self.dataset.select(
                    "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
            vocabulary = await self.dataset.select(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a "
                "<http://www.w3.org/2002/07/owl#Ontology> } }")
            vocabulary_graphs = {row["g"] for row in vocabulary.rows}
            self._graphs = sorted((g.value, g in vocabulary_graphs) for g in
                                  (row["g"] for row in found.rows)
                                  if isinstance(g, ox.NamedNode))
        return self._graphs


def graph_iris(params: dict[str, list[str]], name: str) -> list[str] | None:
    """The IRIs of a dataset parameter (None when not given).

    Raises:
        ClientError: a value is not an absolute IRI.
    """
    values = params.get(name)
    if values is None:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise ClientError(400, f"{name} {value[:200]!r} is not an absolute IRI") from None
    return values


def endpoint_url(scope: Scope) -> str:
    """The URL the client reached the endpoint at."""
    host = ""
    for name, value in scope["headers"]:
        if name == b"host":
            host = value.decode("latin-1")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] in (None, 80, 443) else f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{scope['path']}"


SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")


def description(endpoint: str, graphs: list[tuple[str, bool]]) -> list[ox.Triple]:
    """The SPARQL Service Description of the endpoint at ``endpoint`` over ``graphs``."""
    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), \
        ox.BlankNode("default")
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, DESCRIPTION, ox.Literal(
            "kg serve: read-only (updates and SERVICE are refused); each query has a time "
            "limit and a result cap", language="en")),
        *(ox.Triple(service, sd("resultFormat"), ox.NamedNode(o.iri))
          for o in (*ROW_OFFERS, *GRAPH_OFFERS)),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
        ox.Triple(default, DESCRIPTION, ox.Literal(
            "the merge of every named graph (each triple once): the statements of all the "
            "sources and the vocabulary", language="en")),
    ]
    for number, (iri, vocabulary) in enumerate(graphs):
        named, graph = ox.BlankNode(f"named{number}"), ox.BlankNode(f"graph{number}")
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(iri)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, DESCRIPTION, ox.Literal(
                "a vocabulary graph (ontology or code lists)" if vocabulary
                else "the statements of one source", language="en")),
        ]
    return triples


#: Where the endpoint is served.
PATHS = ("/sparql", "/sparql/")


def routes(context: Context) -> list[BaseRoute]:
    """``/sparql`` (and ``/sparql/``): every method goes to the endpoint, which says 405 itself."""
    endpoint = Endpoint(context)
    return [Route(path, endpoint, name="sparql" if path == PATHS[0] else None) for path in PATHS]


__all__ = ["Endpoint", "Offer", "PATHS", "ROW_OFFERS", "GRAPH_OFFERS", "choose", "media_ranges", "routes"]

"""The graph in a real triple store: published to Virtuoso, queried there, answering as locally.

The Virtuoso tests use the session's private server (``tests/virtuoso_server.py``);
the error tests use closed ports and a tiny local HTTP server that answers
whatever a test wants.
"""

from __future__ import annotations

import datetime
import http.server
import json
import math
import re
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.backends import (
    EmbeddedBackend, QueryResult, RemoteBackend, ResultCapWarning, results_from_json, to_python,
)
from kg.errors import EndpointError, QueryError
from kg.load import KnowledgeGraph
from kg.namespaces import STANDARD
from kg.publish import PublishReport, publish
from kg.queries import QueryLibrary
from kg.remote import HttpClient

XSD = STANDARD["xsd"]  # a plain Namespace: rdflib's XSD object warns when pytest inspects it

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
SAVED = sorted(p.stem for p in QUERIES.glob("*.rq"))
OWN_GRAPHS = 'FILTER(STRSTARTS(STR(?g), "https://kg.example/id/source/"))'
COUNT_PER_GRAPH = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } " + OWN_GRAPHS
                   + " } GROUP BY ?g")
TIMINGS: dict[str, float] = {}


# ----------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def published(virtuoso, shipped: KnowledgeGraph) -> PublishReport:
    """The shipped graph published once, by the Graph Store Protocol."""
    report = publish(shipped, endpoint=virtuoso.sparql_auth, graph_store=virtuoso.graph_crud_auth,
                     user=virtuoso.user, password=virtuoso.password)
    TIMINGS["publish"] = report.seconds
    TIMINGS["virtuoso start"] = virtuoso.start_seconds
    return report


@pytest.fixture(scope="module")
def remote(virtuoso, published: PublishReport, shipped: KnowledgeGraph) -> RemoteBackend:
    """The anonymous endpoint, its default graph made of the source graphs."""
    return RemoteBackend(virtuoso.sparql, default_graph=[str(g) for g in shipped.source_graphs()])


@pytest.fixture(scope="module")
def embedded(shipped: KnowledgeGraph) -> EmbeddedBackend:
    return EmbeddedBackend(shipped)


@pytest.fixture(scope="module")
def library() -> QueryLibrary:
    return QueryLibrary.load(QUERIES)


def store_counts(virtuoso) -> dict[str, int]:  # type: ignore[no-untyped-def]
    rows = RemoteBackend(virtuoso.sparql).run(COUNT_PER_GRAPH).values()
    return {str(row["g"]): int(row["n"]) for row in rows}  # type: ignore[call-overload]


def local_counts(graph: KnowledgeGraph) -> dict[str, int]:
    return {str(name): len(graph.dataset.graph(name)) for name in graph.source_graphs()}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# ----------------------------------------------------------------------------- comparing answers

def plain(value: object) -> object:
    """A Python value with every number as a float, for comparison with a tolerance."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    return value


def same(a: object, b: object) -> bool:
    """Equal values of the same type (an IRI is not a string); numbers within a tolerance."""
    a, b = plain(a), plain(b)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return type(a) is type(b) and a == b


def sort_key(row: dict[str, object]) -> tuple[str, ...]:
    def text(value: object) -> str:
        value = plain(value)
        return f"{value:.6g}" if isinstance(value, float) else f"{type(value).__name__}:{value}"
    return tuple(text(row[name]) for name in sorted(row))


NUMERIC = {XSD.decimal, XSD.integer, XSD.double, XSD.float, XSD.positiveInteger,
           XSD.nonNegativeInteger, XSD.int, XSD.long}


def by_value(term: Node | None) -> object:
    """A term, with numbers as their value: Virtuoso stores "47.0"^^xsd:decimal as 47."""
    if isinstance(term, Literal) and term.datatype in NUMERIC:
        return ("number", term.datatype, Decimal(str(term)))
    return term


def triples_by_value(graph: Graph) -> set[tuple[object, object, object]]:
    """The triples of a graph without blank nodes, literals compared by value (see by_value)."""
    return {(s, p, by_value(o)) for s, p, o in graph}


def rows_match(local: list[dict[str, object]], there: list[dict[str, object]]) -> bool:
    return len(local) == len(there) and all(
        row.keys() == other.keys() and all(same(row[k], other[k]) for k in row)
        for row, other in zip(local, there))


def has_order_by(query: str) -> bool:
    without_comments = re.sub(r"(?m)#.*$", "", query)
    return re.search(r"(?i)\bORDER\s+BY\b", without_comments) is not None


def assert_same_answer(query: str, local: QueryResult, there: QueryResult) -> None:
    assert there.kind == local.kind
    if local.kind == "ASK":
        assert there.boolean == local.boolean
    elif local.kind == "SELECT":
        assert there.variables == local.variables
        mine, theirs = local.values(), there.values()
        if not has_order_by(query):
            mine, theirs = sorted(mine, key=sort_key), sorted(theirs, key=sort_key)
        assert rows_match(mine, theirs), (
            f"embedded answered {len(mine)} rows, Virtuoso {len(theirs)}:\n"
            f"embedded {mine[:8]}\nVirtuoso {theirs[:8]}")
    else:
        assert local.graph is not None and there.graph is not None
        assert triples_by_value(local.graph) == triples_by_value(there.graph)


# ----------------------------------------------------------------------------- publishing

@pytest.mark.virtuoso
def test_publish_sends_every_source_graph_and_the_store_holds_them(published, shipped, virtuoso):
    assert [g.name for g in published.graphs] == shipped.source_graphs()
    assert published.triples == len(shipped)
    for graph in published.graphs:
        assert graph.triples == graph.stored == len(shipped.dataset.graph(graph.name))
    assert published.mismatched == ()
    assert store_counts(virtuoso) == local_counts(shipped)


@pytest.mark.virtuoso
def test_the_store_holds_exactly_the_local_triples_per_graph(published, virtuoso, shipped):
    backend = RemoteBackend(virtuoso.sparql)
    for name in shipped.source_graphs():
        there = backend.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        assert there.graph is not None
        assert triples_by_value(there.graph) == triples_by_value(shipped.dataset.graph(name)), name


@pytest.mark.virtuoso
@pytest.mark.parametrize("route", ["graph-store", "update"])
def test_publishing_again_is_idempotent(published, virtuoso, shipped, route):
    before = store_counts(virtuoso)
    store = {"graph_store": virtuoso.graph_crud_auth} if route == "graph-store" else {}
    for _ in range(2):
        report = publish(shipped, endpoint=virtuoso.sparql_auth, user=virtuoso.user,
                         password=virtuoso.password, chunk_triples=500, **store)
        assert report.protocol == route
        assert report.mismatched == ()
    assert store_counts(virtuoso) == before == local_counts(shipped)


@pytest.mark.virtuoso
def test_publish_replaces_a_graph_the_store_holds_differently(published, virtuoso, shipped):
    name = shipped.source_graphs()[0]
    stray = "INSERT DATA { GRAPH <%s> { <https://kg.example/stray> <https://kg.example/p> 1 } }" % name
    client = HttpClient(virtuoso.sparql_auth, user=virtuoso.user, password=virtuoso.password)
    client.request("POST", virtuoso.sparql_auth, data=urlencode({"update": stray}).encode(),
                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert store_counts(virtuoso)[str(name)] == len(shipped.dataset.graph(name)) + 1
    publish(shipped, endpoint=virtuoso.sparql_auth, graph_store=virtuoso.graph_crud_auth,
            user=virtuoso.user, password=virtuoso.password)
    assert store_counts(virtuoso) == local_counts(shipped)


@pytest.mark.virtuoso
def test_cli_publish_prints_graphs_and_triples(kg, virtuoso, shipped, monkeypatch):
    monkeypatch.setenv("KG_ENDPOINT_USER", virtuoso.user)
    monkeypatch.setenv("KG_ENDPOINT_PASSWORD", virtuoso.password)
    run = kg("publish", "--endpoint", virtuoso.sparql_auth, "--graph-store", virtuoso.graph_crud_auth)
    assert run.code == 0, run
    assert f"published {len(shipped)} triples in {len(shipped.source_graphs())} graphs" in run.out
    for name in shipped.source_graphs():
        size = len(shipped.dataset.graph(name))
        assert f"{name}  {size} triples  (the store holds {size})" in run.out


@pytest.mark.virtuoso
def test_publish_without_credentials_is_refused_in_one_line(kg, virtuoso, monkeypatch):
    monkeypatch.delenv("KG_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("KG_ENDPOINT_PASSWORD", raising=False)
    run = kg("publish", "--endpoint", virtuoso.sparql_auth, "--graph-store", virtuoso.graph_crud_auth)
    assert run.code == 2
    assert run.err.startswith(f"kg: error: PUT {virtuoso.graph_crud_auth}?graph=")
    assert "answered HTTP 401" in run.err and run.err.count("\n") == 1


@pytest.mark.virtuoso
def test_publish_with_a_wrong_password_names_the_credentials(virtuoso, shipped):
    with pytest.raises(EndpointError, match=r"HTTP 401 .*check the user and password"):
        publish(shipped, endpoint=virtuoso.sparql_auth, user=virtuoso.user, password="wrong")


@pytest.mark.virtuoso
def test_updates_on_the_anonymous_endpoint_are_refused_with_the_stores_reason(virtuoso, shipped):
    with pytest.raises(EndpointError, match=r"answered HTTP 500 .*SR186"):
        publish(shipped, endpoint=virtuoso.sparql)


# ----------------------------------------------------------------------------- querying

@pytest.mark.virtuoso
@pytest.mark.parametrize("name", SAVED)
def test_saved_query_answers_alike_embedded_and_on_virtuoso(name, library, embedded, remote):
    saved = library.get(name)
    params: dict[str, object] = {}
    for p in saved.params:
        value = p.example if p.example is not None else p.default
        assert value is not None or not p.required, f"{name}: parameter {p.name} has no example"
        if value is not None:
            params[p.name] = value
    text = saved.bind(**params)
    started = time.monotonic()
    local = embedded.run(text)
    middle = time.monotonic()
    there = remote.run(text)
    TIMINGS[f"query {name} embedded"] = middle - started
    TIMINGS[f"query {name} virtuoso"] = time.monotonic() - middle
    assert_same_answer(text, local, there)


@pytest.mark.virtuoso
def test_remote_terms_are_the_embedded_terms(remote, embedded):
    """Language tags, datatypes and IRIs arrive as the same rdflib terms.

    Not DISTINCT: Virtuoso's DISTINCT keeps one of 2 (xsd:integer) and 2 (xsd:positiveInteger).
    """
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    local = {by_value(row["o"]) for row in embedded.run(query).rows}
    there = {by_value(row["o"]) for row in remote.run(query).rows}
    assert there == local


@pytest.mark.virtuoso
def test_construct_and_describe_arrive_as_graphs(remote, embedded, shipped):
    name = shipped.source_graphs()[0]
    construct = f"CONSTRUCT {{ <{name}> ?p ?o }} WHERE {{ GRAPH <{name}> {{ <{name}> ?p ?o }} }}"
    there = remote.run(construct)
    assert there.kind == "CONSTRUCT" and there.graph is not None and len(there.graph) > 0
    assert triples_by_value(there.graph) == triples_by_value(embedded.run(construct).graph)  # type: ignore[arg-type]
    described = remote.run(f"DESCRIBE <{name}>")
    assert described.kind == "DESCRIBE" and described.graph is not None
    assert (name, None, None) in described.graph


@pytest.mark.virtuoso
def test_cli_sparql_on_the_endpoint(kg, virtuoso, published, shipped):
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } " + OWN_GRAPHS + " }"
    run = kg("sparql", query, "--endpoint", virtuoso.sparql, "--format", "csv")
    assert run.code == 0, run
    assert run.out.split() == ["n", str(len(shipped))]
    graphs = [arg for name in shipped.source_graphs() for arg in ("--default-graph", str(name))]
    assert kg("sparql", "ASK { ?s a kg:SourceArticle }", "--endpoint", virtuoso.sparql,
              *graphs).code == 0
    assert kg("sparql", "ASK { ?s a kg:NoSuchClass }", "--endpoint", virtuoso.sparql,
              *graphs).code == 1


@pytest.mark.virtuoso
@pytest.mark.skipif(not SAVED, reason="no saved queries yet")
def test_cli_query_on_the_endpoint_prints_what_it_prints_locally(kg, virtuoso, published, shipped,
                                                                  library):
    graphs = [arg for name in shipped.source_graphs() for arg in ("--default-graph", str(name))]
    checked = 0
    for name in SAVED:
        saved = library.get(name)
        if saved.kind != "SELECT":
            continue
        params = [arg for p in saved.params if p.example is not None
                  for arg in ("--param", f"{p.name}={p.example}")]
        local = kg("query", name, *params, "--format", "json")
        there = kg("query", name, *params, "--format", "json", "--endpoint", virtuoso.sparql,
                   *graphs)
        assert local.code == there.code == 0, (local, there)
        assert_same_answer(saved.text, results_from_json("local", local.out, "SELECT"),
                           results_from_json("remote", there.out, "SELECT"))
        checked += 1
    assert checked


@pytest.mark.virtuoso
def test_a_malformed_query_is_a_query_error_naming_the_stores_reason(remote):
    with pytest.raises(QueryError, match=r"HTTP 400 .*SP030"):
        remote.run("SELECT * WHERE { ?s ?p }")


@pytest.mark.virtuoso
def test_an_unknown_path_on_the_server_is_http_404(virtuoso):
    url = f"{virtuoso.base}/no-such-endpoint"
    with pytest.raises(EndpointError, match=rf"^POST {re.escape(url)} answered HTTP 404"):
        RemoteBackend(url).run("ASK {}")


def test_updates_are_not_run_as_queries():
    with pytest.raises(QueryError, match="INSERT is an update"):
        RemoteBackend("http://127.0.0.1:1/sparql").run("INSERT DATA { <a:b> <a:b> <a:b> }")


# ----------------------------------------------------------------------------- unreachable

def test_a_closed_port_is_unreachable_in_one_line():
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    with pytest.raises(EndpointError) as caught:
        RemoteBackend(url).run("ASK {}")
    assert str(caught.value) == f"cannot reach {url}: connection refused (is the store running, and on this port?)"


def test_cli_on_a_closed_port_exits_2_with_one_line(kg):
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    run = kg("sparql", "ASK { ?s ?p ?o }", "--endpoint", url)
    assert run.code == 2
    assert run.err == f"kg: error: cannot reach {url}: connection refused (is the store running, and on this port?)\n"
    run = kg("publish", "--endpoint", url)
    assert run.code == 2 and run.err.startswith(f"kg: error: cannot reach {url}")


def test_an_unknown_host_is_named(monkeypatch):
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(EndpointError, match=r"^cannot reach http://store\.invalid/sparql: unknown host 'store\.invalid'$"):
        RemoteBackend("http://store.invalid/sparql").run("ASK {}")


def test_a_url_that_is_not_http_is_refused():
    with pytest.raises(EndpointError, match="is not an endpoint URL"):
        RemoteBackend("file:///etc/passwd")


# ----------------------------------------------------------------------------- answers gone wrong

Reply = tuple[int, str, bytes, dict[str, str]]


@pytest.fixture
def fake_store() -> Iterator[Callable[[Reply | float], str]]:
    """A local HTTP server on 127.0.0.1; ``set(reply)`` makes it answer that and returns its URL.

    A float as reply makes it wait that many seconds before answering.
    """
    state: dict[str, Reply | float] = {"reply": (200, "text/plain", b"", {})}

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            reply = state["reply"]
            if isinstance(reply, float):
                time.sleep(reply)
                reply = (200, "application/sparql-results+json", b'{"boolean": true}', {})
            status, media_type, body, headers = reply
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def set_reply(reply: Reply | float) -> str:
        state["reply"] = reply
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield set_reply
    server.shutdown()
    server.server_close()


JSON = "application/sparql-results+json"


@pytest.mark.parametrize("body, message", [
    (b"{not json", r"answered something that is not JSON \(Expecting property name"),
    (b"<html><body>Maintenance</body></html>", r"not JSON .*it starts '<html>"),
    (b"[1, 2]", r"malformed SPARQL JSON results: the top level is not an object"),
    (b'{"head": {"vars": ["s"]}}', r'no "head" and "results" objects'),
    (b'{"head": {"vars": ["s"]}, "results": {"bindings": {}}}', r'"bindings" is not a list'),
    (b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"x": {"type": "uri", "value": "a:b"}}]}}',
     r"row 1 binds 'x', which is not in"),
    (b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "triple", "value": "?"}}]}}',
     r"row 1, variable 's': unknown term type 'triple'"),
    (b'{"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri"}}]}}',
     r"row 1, variable 's': not an object with a \"value\""),
])
def test_a_malformed_answer_is_a_clear_endpoint_error(fake_store, body, message):
    url = fake_store((200, JSON, body, {}))
    with pytest.raises(EndpointError, match=message) as caught:
        RemoteBackend(url).run("SELECT ?s WHERE { ?s ?p ?o }")
    assert url in str(caught.value) and "\n" not in str(caught.value)


def test_cli_on_malformed_json_exits_2_with_one_line(kg, fake_store):
    url = fake_store((200, JSON, b"{not json", {}))
    run = kg("sparql", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", url)
    assert run.code == 2
    assert run.err.startswith(f"kg: error: {url} answered something that is not JSON")
    assert run.err.count("\n") == 1


def test_an_ask_without_a_boolean_is_malformed(fake_store):
    url = fake_store((200, JSON, b'{"head": {}, "boolean": "yes"}', {}))
    with pytest.raises(EndpointError, match='ASK answer without a true/false "boolean"'):
        RemoteBackend(url).run("ASK { ?s ?p ?o }")


@pytest.mark.parametrize("status, media_type, body, expected", [
    (404, "text/html", b"<html><head><title>x</title></head><body><h1>Not Found</h1>\n<p>no such page</p></body></html>",
     r"answered HTTP 404 Not Found: Not Found$"),
    (500, "text/plain", b"Virtuoso 22023 Error SR350: TOP parameter < 0\n\nSPARQL query:\n...",
     r"answered HTTP 500 Internal Server Error: Virtuoso 22023 Error SR350: TOP parameter < 0$"),
    (503, "text/plain", b"", r"answered HTTP 503 Service Unavailable$"),
])
def test_http_errors_give_status_and_the_first_line_of_the_answer(fake_store, status, media_type,
                                                                   body, expected):
    url = fake_store((status, media_type, body, {}))
    with pytest.raises(EndpointError, match=expected) as caught:
        RemoteBackend(url).run("SELECT * WHERE { ?s ?p ?o }")
    assert str(caught.value).startswith(f"POST {url} answered HTTP {status}")


def test_an_endpoint_that_does_not_answer_in_time_is_named(fake_store):
    url = fake_store(3.0)
    started = time.monotonic()
    with pytest.raises(EndpointError, match=rf"^cannot reach {re.escape(url)}: no answer within 0.5 s$"):
        RemoteBackend(url, timeout=0.5).run("ASK { ?s ?p ?o }")
    assert time.monotonic() - started < 2.5


def test_virtuoso_typed_literals_become_rdflib_terms(fake_store):
    body = json.dumps({"head": {"vars": ["n", "d", "y", "label", "s", "b", "u"]}, "results": {"bindings": [{
        "n": {"type": "typed-literal", "datatype": str(XSD.integer), "value": "87397"},
        "d": {"type": "typed-literal", "datatype": str(XSD.date), "value": "2024-11-25"},
        "y": {"type": "literal", "datatype": str(XSD.gYear), "value": "2024"},
        "label": {"type": "literal", "xml:lang": "id", "value": "Balikpapan"},
        "s": {"type": "literal", "value": "plain"},
        "b": {"type": "bnode", "value": "b0"},
    }]}}).encode()
    result = RemoteBackend(fake_store((200, JSON, body, {}))).run("SELECT * WHERE { ?s ?p ?o }")
    row = result.rows[0]
    assert row["n"] == Literal(87397)
    assert row["label"] == Literal("Balikpapan", lang="id")
    assert row["u"] is None
    assert result.values() == [{"n": 87397, "d": datetime.date(2024, 11, 25), "y": 2024,
                                "label": "Balikpapan", "s": "plain", "b": "_:b0", "u": None}]
    assert [to_python(row["d"])] == [datetime.date(2024, 11, 25)]


def test_a_construct_answer_that_is_not_rdf_is_refused(fake_store):
    url = fake_store((200, "text/html", b"<html>hi</html>", {}))
    with pytest.raises(EndpointError, match=r"answered text/html to a CONSTRUCT; expected N-Triples or Turtle"):
        RemoteBackend(url).run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    url = fake_store((200, "text/turtle", b"<a:b> <a:b> .", {}))
    with pytest.raises(EndpointError, match=r"answered text/turtle that does not parse"):
        RemoteBackend(url).run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def test_a_construct_answer_in_turtle_is_read(fake_store):
    url = fake_store((200, "text/turtle; charset=UTF-8",
                      b'@prefix ex: <https://e.org/> . ex:a ex:b "c"@id .', {}))
    graph = RemoteBackend(url).run("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").graph
    assert graph is not None
    assert list(graph) == [(URIRef("https://e.org/a"), URIRef("https://e.org/b"), Literal("c", lang="id"))]


def rows_body(count: int) -> bytes:
    bindings = [{"n": {"type": "literal", "value": str(i)}} for i in range(count)]
    return json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": bindings}}).encode()


def test_a_result_at_virtuosos_row_cap_warns(fake_store):
    url = fake_store((200, JSON, rows_body(5), {"X-SPARQL-MaxRows": "5"}))
    with pytest.warns(ResultCapWarning, match="answered 5 rows, its row cap"):
        RemoteBackend(url).run("SELECT ?n WHERE { ?s ?p ?n }")
    url = fake_store((200, JSON, rows_body(10_000), {}))
    with pytest.warns(ResultCapWarning):
        RemoteBackend(url).run("SELECT ?n WHERE { ?s ?p ?n }")


def test_a_result_below_the_cap_does_not_warn(fake_store):
    url = fake_store((200, JSON, rows_body(9_999), {}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(RemoteBackend(url).run("SELECT ?n WHERE { ?s ?p ?n }")) == 9_999


# ----------------------------------------------------------------------------- timings

@pytest.mark.virtuoso
def test_report_timings(published, capsys):
    """Not a check: prints how long starting, publishing and querying took (pytest -s)."""
    with capsys.disabled():
        total_local = sum(v for k, v in TIMINGS.items() if k.endswith(" embedded"))
        total_remote = sum(v for k, v in TIMINGS.items() if k.endswith(" virtuoso"))
        print(f"\n[timings] virtuoso start {TIMINGS.get('virtuoso start', 0):.2f} s, publish "
              f"{TIMINGS.get('publish', 0):.2f} s, saved queries embedded {total_local:.2f} s, "
              f"virtuoso {total_remote:.2f} s")

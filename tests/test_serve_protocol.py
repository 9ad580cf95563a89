"""Our own tests of the SPARQL 1.1 Protocol at ``/sparql`` (in process, Starlette's TestClient).

The endpoint's answers to the saved queries are the rows ``kg.run_saved`` gives, in
every results format; the media type follows the Accept header; the default graph is
the merged union (a triple two sources state is one row), ``default-graph-uri`` and
``named-graph-uri`` make up the dataset; a client's mistake is a 4xx with a one-line
reason, a query past the time limit a 503, never a 500 or a hang. The W3C protocol
suite is ``test_protocol_w3c.py``.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

import kg
from kg.graph import KnowledgeGraph
from kg.project import Project
from kg.queries import QueryLibrary
from kg.results import QueryResult, csv_text
from kg.serve import Dataset, build, create_app
from kg.serve.context import Options
from kg.serve.sparql import ROW_OFFERS, choose, media_ranges

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
RESULTS = {JSON: ox.QueryResultsFormat.JSON, XML: ox.QueryResultsFormat.XML,
           TSV: ox.QueryResultsFormat.TSV}
GRAPHS = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD,
          "application/n-triples": ox.RdfFormat.N_TRIPLES,
          "application/rdf+xml": ox.RdfFormat.RDF_XML}
SD = "http://www.w3.org/ns/sparql-service-description#"

#: saved queries and their parameters: the endpoint answers their bound text
SAVED = [
    ("indicator-series", {"indicator": "indicator:umkm-count"}),
    ("post-holder-on-date", {"post": "post:head-dkumkmp-balikpapan", "on": "2024-11-25"}),
    ("label-search", {"text": "balikpapan"}),
    ("sources", {}),
    ("findings", {}),
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The shipped project in memory, as `kg serve` serves it."""
    with TestClient(build(access_log=False)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def library(project: Project) -> QueryLibrary:
    return QueryLibrary.load(project.queries_dir)


def media(response: object) -> str:
    return response.headers["content-type"].split(";")[0]  # type: ignore[attr-defined]


def rows_of(body: bytes, media_type: str) -> list[tuple[str, ...]]:
    """The rows of a JSON, XML or TSV answer as sorted tuples of terms (N-Triples syntax)."""
    answer = ox.parse_query_results(body, format=RESULTS[media_type])
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return sorted(tuple(str(s[n]) if s[n] is not None else "" for n in names) for s in answer)


def expected_rows(result: QueryResult) -> list[tuple[str, ...]]:
    return sorted(tuple(str(row[v]) if row.get(v) is not None else "" for v in result.variables)
                  for row in result.rows)


def one_line_reason(response: object) -> str:
    text: str = response.text  # type: ignore[attr-defined]
    assert media(response) == "text/plain", text
    assert text.endswith("\n") and "\n" not in text.rstrip("\n") and text.strip(), text
    return text


# --------------------------------------------------------------------------- the saved queries

@pytest.mark.parametrize(("name", "params"), SAVED, ids=[name for name, _ in SAVED])
def test_saved_query_answers_are_run_saveds_rows(client: TestClient, shipped: KnowledgeGraph,
                                                 library: QueryLibrary, name: str,
                                                 params: dict[str, str]) -> None:
    saved = library.get(name)
    expected = kg.run_saved(shipped, saved, **params)  # type: ignore[arg-type]
    assert expected.rows, f"{name} answers nothing on the shipped graph: a weak test"
    text = saved.bind(**params)
    for media_type in (JSON, XML, TSV):
        response = client.get("/sparql", params={"query": text}, headers={"Accept": media_type})
        assert response.status_code == 200, response.text
        assert media(response) == media_type
        assert rows_of(response.content, media_type) == expected_rows(expected), media_type
    response = client.post("/sparql", data={"query": text}, headers={"Accept": CSV})
    assert response.status_code == 200 and media(response) == CSV
    table = list(csv.reader(io.StringIO(response.text)))
    assert tuple(table[0]) == expected.variables
    assert sorted(map(tuple, table[1:])) == sorted(
        tuple(csv_text(row.get(v)) for v in expected.variables) for row in expected.rows)


def test_post_direct_answers_as_get(client: TestClient, library: QueryLibrary) -> None:
    text = library.get("sources").bind()
    by_get = client.get("/sparql", params={"query": text})
    direct = client.post("/sparql", content=text.encode(),
                         headers={"Content-Type": "application/sparql-query"})
    assert direct.status_code == 200 and direct.content == by_get.content


# --------------------------------------------------------------------------- negotiation

@pytest.mark.parametrize(("accept", "expected"), [
    (None, JSON), ("*/*", JSON), ("application/json", JSON), (XML, XML),
    ("application/xml", XML), ("text/*", CSV), (f"{CSV};q=0.5, {TSV}", TSV),
    (f"{JSON};q=0.1, {XML};q=0.9", XML), ("text/html, */*;q=0.8", JSON),
    (f"{JSON};q=0, */*;q=0.1", XML),
])
def test_select_media_type_by_accept(client: TestClient, accept: str | None,
                                     expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": "SELECT ?x { BIND(1 AS ?x) }"},
                          headers=headers)
    assert response.status_code == 200 and media(response) == expected
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv", TSV])
def test_format_parameter_overrides_accept(client: TestClient, name: str) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "format": name},
                          headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert media(response) == {"json": JSON, "xml": XML, "csv": CSV}.get(name, TSV)


@pytest.mark.parametrize("accept", [None, *GRAPHS])
def test_construct_in_every_rdf_format_gives_the_same_triples(
        client: TestClient, shipped: KnowledgeGraph, accept: str | None) -> None:
    text = "CONSTRUCT WHERE { ?s a qb:Observation ; qb:dataSet ?d }"
    expected = set(shipped.query(text).triples or ())
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": text}, headers=headers)
    assert response.status_code == 200
    assert media(response) == (accept or "text/turtle")
    got = set(ox.Triple(q.subject, q.predicate, q.object)
              for q in ox.parse(response.content, format=GRAPHS[media(response)]))
    assert got == expected and expected


def test_describe_answers_rdf(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE indicator:umkm-count"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert any(q.subject == ox.NamedNode("https://kg.example/code/indicator/umkm-count")
               for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))


def test_nothing_acceptable_is_406_naming_the_offered_types(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x {}"},
                          headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert all(o.media_type in one_line_reason(response) for o in ROW_OFFERS)
    response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"},
                          headers={"Accept": CSV})
    assert response.status_code == 406 and "text/turtle" in one_line_reason(response)


def test_accept_parsing() -> None:
    assert media_ranges("text/csv;q=0.5, application/*, *") == [
        ("text/csv", 0.5), ("application/*", 1.0), ("*/*", 1.0)]
    assert media_ranges("text/csv;q=nonsense") == [("text/csv", 0.0)]
    picked = choose(ROW_OFFERS, media_ranges("application/*;q=0.2, text/tab-separated-values"))
    assert picked is not None and picked.name == "tsv"


# --------------------------------------------------------------------------- the dataset

def shared_triple(shipped: KnowledgeGraph) -> tuple[str, list[str]]:
    """A triple two sources state, and the graphs that state it."""
    found = shipped.query("SELECT ?s ?p ?o WHERE { GRAPH ?g1 { ?s ?p ?o } GRAPH ?g2 { ?s ?p ?o } "
                          "FILTER(STR(?g1) < STR(?g2)) } LIMIT 1").rows
    assert found, "the shipped data has no triple stated by two sources"
    row = found[0]
    pattern = f"{row['s']} {row['p']} {row['o']}"
    graphs = shipped.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}").rows
    return pattern, sorted(str(r["g"].value) for r in graphs if r["g"] is not None)


def test_the_default_graph_is_the_union_with_set_semantics(client: TestClient,
                                                           shipped: KnowledgeGraph) -> None:
    pattern, graphs = shared_triple(shipped)
    assert len(graphs) >= 2
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ {pattern} }}"})
    assert json.loads(response.text)["results"]["bindings"] == [{}]  # one row, not one per graph
    response = client.get("/sparql", params={
        "query": f"SELECT ?g WHERE {{ GRAPH ?g {{ {pattern} }} }}"})
    assert sorted(b["g"]["value"] for b in json.loads(response.text)["results"]["bindings"]) \
        == graphs


def test_default_graph_uri_restricts_the_default_graph(client: TestClient,
                                                       shipped: KnowledgeGraph) -> None:
    graph = shipped.source_graphs()[0].value
    only_there = shipped.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows
    elsewhere = shipped.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER NOT EXISTS "
                              f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }} }} LIMIT 1").rows[0]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": count, "default-graph-uri": graph})
    assert int(json.loads(response.text)["results"]["bindings"][0]["n"]["value"]) \
        == len(only_there)
    ask = f"ASK {{ {elsewhere['s']} {elsewhere['p']} {elsewhere['o']} }}"
    for params, expected in (({"query": ask}, True),
                             ({"query": ask, "default-graph-uri": graph}, False)):
        assert json.loads(client.get("/sparql", params=params).text)["boolean"] is expected


def test_named_graph_uri_restricts_graph_patterns(client: TestClient,
                                                  shipped: KnowledgeGraph) -> None:
    first, second = (g.value for g in shipped.source_graphs()[:2])
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.post("/sparql", data={"query": query, "named-graph-uri": [first, second]})
    assert sorted(b["g"]["value"] for b in json.loads(response.text)["results"]["bindings"]) \
        == sorted([first, second])
    response = client.get("/sparql", params={"query": query, "named-graph-uri": "urn:x:none"})
    assert json.loads(response.text)["results"]["bindings"] == []


def test_a_graph_uri_that_is_not_an_iri_is_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and "default-graph-uri" in one_line_reason(response)


# --------------------------------------------------------------------------- refusals

@pytest.mark.parametrize("how", ["query", "form", "direct", "get-update"])
def test_updates_are_refused_as_read_only(client: TestClient, how: str) -> None:
    update = "INSERT DATA { <urn:x:s> <urn:x:p> <urn:x:o> }"
    if how == "query":
        response = client.get("/sparql", params={"query": update})
    elif how == "form":
        response = client.post("/sparql", data={"update": update})
    elif how == "direct":
        response = client.post("/sparql", content=update.encode(),
                               headers={"Content-Type": "application/sparql-update"})
    else:
        response = client.get("/sparql", params={"update": "DROP ALL"})
    assert response.status_code == 403
    assert one_line_reason(response).startswith("this endpoint is read-only: ")
    ask = client.get("/sparql", params={"query": "ASK { <urn:x:s> ?p ?o }"})
    assert json.loads(ask.text)["boolean"] is False


def test_service_is_refused(client: TestClient) -> None:
    response = client.get("/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 403
    assert "SERVICE is refused" in one_line_reason(response)


def test_a_syntax_error_names_the_line_of_the_users_text(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s\nWHERE {\n  ?s ?p\n}"})
    assert response.status_code == 400
    assert "line 3" in one_line_reason(response)  # not a line of hidden prefixes


@pytest.mark.parametrize(("request_args", "status"), [
    ({"method": "GET", "url": "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D"}, 400),
    ({"method": "PUT", "url": "/sparql?query=ASK%20%7B%7D"}, 405),
    ({"method": "DELETE", "url": "/sparql"}, 405),
    ({"method": "POST", "url": "/sparql", "content": b"ASK {}",
      "headers": {"Content-Type": "text/plain"}}, 415),
    ({"method": "POST", "url": "/sparql", "content": b"query=ASK%20%7B%7D"}, 415),
    ({"method": "POST", "url": "/sparql", "content": "ASK {}".encode("utf-16"),
      "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
    ({"method": "POST", "url": "/sparql", "content": b"ASK { \xff }",
      "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ({"method": "POST", "url": "/sparql", "content": b"query=%FF",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ({"method": "POST", "url": "/sparql", "content": b"",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 400),
    ({"method": "POST", "url": "/sparql?query=ASK%20%7B%7D", "content": b"ASK {}",
      "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ({"method": "GET", "url": "/sparql?query=%20%20"}, 400),
    ({"method": "GET", "url": "/sparql?query=ASK%20%7B%7D&format=png"}, 400),
    ({"method": "POST", "url": "/sparql", "content": b"query=" + b"x" * 100_001,
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}, 413),
], ids=["two-queries", "put", "delete", "text-plain", "no-media-type", "utf-16",
        "body-not-utf8", "form-not-utf8", "no-query", "query-twice", "blank", "bad-format",
        "too-long"])
def test_bad_requests_are_4xx_with_a_reason(client: TestClient, request_args: dict[str, object],
                                            status: int) -> None:
    response = client.request(**request_args)  # type: ignore[arg-type]
    assert response.status_code == status, response.text
    one_line_reason(response)
    if status == 405:
        assert response.headers["allow"] == "GET, HEAD, POST, OPTIONS"


def test_a_streamed_body_over_the_size_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is checked while reading
        yield b"query=ASK%20%7B%7D%20%23"
        for _ in range(6):
            yield b"x" * 1_000_000

    response = client.post("/sparql", content=chunks(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413 and "limit" in one_line_reason(response)


def test_head_and_options(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": "ASK {}"})
    head = client.head("/sparql", params={"query": "ASK {}"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
    options = client.options("/sparql")
    assert options.status_code == 204 and "POST" in options.headers["allow"]
    preflight = client.options("/sparql", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"


# --------------------------------------------------------------------------- limits

def small_server(shipped: KnowledgeGraph, **limits: float) -> TestClient:
    dataset = Dataset(Project.locate(), graph=shipped, **limits)  # type: ignore[arg-type]
    return TestClient(create_app(dataset, options=Options(access_log=False)))


def test_past_the_time_limit_is_503_and_no_hang(shipped: KnowledgeGraph) -> None:
    with small_server(shipped, timeout=0.3, max_rows=10**9) as client:
        started = time.monotonic()
        response = client.get("/sparql", params={
            "query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
        assert time.monotonic() - started < 5
        assert response.status_code == 503 and response.headers["retry-after"]
        assert "time limit of 0.3 s" in one_line_reason(response)
        # the server still answers
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize("accept", [JSON, XML, CSV, TSV])
def test_past_the_result_cap_is_400_naming_it(shipped: KnowledgeGraph, accept: str) -> None:
    with small_server(shipped, max_rows=5) as client:
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 400
        assert "more than 5 rows" in one_line_reason(response)
        response = client.get("/sparql", params={"query": query + " LIMIT 5"},
                              headers={"Accept": accept})
        assert response.status_code == 200
        constructed = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert constructed.status_code == 400


def test_an_answer_larger_than_the_native_budget_is_counted_and_written(
        shipped: KnowledgeGraph) -> None:
    """Between the byte budget (3 bytes a row in JSON) and the cap: written by kg, all rows."""
    with small_server(shipped, max_rows=200) as client:
        query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 150"
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 200
        assert len(json.loads(response.text)["results"]["bindings"]) == 150


# --------------------------------------------------------------------------- the description

def test_service_description(client: TestClient, shipped: KnowledgeGraph) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and media(response) == "text/turtle"
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)

    def objects(predicate: str) -> set[str]:
        return {getattr(q.object, "value", "") for q in store.quads_for_pattern(
            None, ox.NamedNode(SD + predicate), None)}

    assert objects("endpoint") == {"http://testserver/sparql"}
    assert objects("supportedLanguage") == {SD + "SPARQL11Query"}
    assert objects("feature") == {SD + "UnionDefaultGraph"}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in objects("resultFormat")
    assert len(objects("defaultGraph")) == 1
    assert objects("name") == {g.value for g in shipped.source_graphs()
                               + shipped.vocabulary_graphs()}
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert as_jsonld.status_code == 200 and media(as_jsonld) == "application/ld+json"
    assert len(list(ox.parse(as_jsonld.content, format=ox.RdfFormat.JSON_LD))) == len(store)


def test_a_query_known_to_be_quick_skips_the_thread_and_a_slow_one_never_does(
        shipped: KnowledgeGraph, project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quick work runs on the event loop the second time (the hop to a thread was half the
    cost of a selective query over HTTP); work that took long keeps going to a thread, so
    that it never holds up the other requests."""
    import asyncio

    import kg.serve.dataset as dataset_module

    dataset = Dataset(project, graph=shipped)
    hops: list[int] = []
    answer = dataset.pool.answer
    monkeypatch.setattr(dataset.pool, "answer", lambda *a: (hops.append(1), answer(*a))[1])
    query = "SELECT ?name WHERE { person:heru-ressandy skos:prefLabel ?name }"
    fmt = ox.QueryResultsFormat.JSON

    async def twice() -> list[object]:
        return [await dataset.aserialize(query, fmt, None) for _ in range(2)]

    first, second = asyncio.run(twice())
    assert first == second
    assert len(hops) == 1  # the second ran at once
    monkeypatch.setattr(dataset_module, "QUICK", 0.0)  # now every run is "slow"
    dataset._quick.clear()
    hops.clear()
    asyncio.run(twice())
    assert len(hops) == 2
    dataset.close()

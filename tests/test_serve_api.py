"""The saved queries as an API, its OpenAPI document, and the validation service (kg serve)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from kg.queries import QueryLibrary, run_saved
from kg.results import to_csv, to_json, to_tsv
from kg.serve import Dataset, build, create_app
from kg.serve.api import negotiate
from kg.serve.context import Options

from conftest import FIXTURES, ROOT

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def app() -> Any:
    return build(root=str(ROOT), access_log=False)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    yield TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def dataset(app: Any) -> Dataset:
    found = app.state.context.dataset
    assert isinstance(found, Dataset)
    return found


@pytest.fixture(scope="module")
def library() -> QueryLibrary:
    return QueryLibrary.load(ROOT / "queries")


def example_values(library: QueryLibrary, name: str) -> dict[str, str]:
    """The example (else default) of each parameter that has one."""
    query = library.get(name)
    found = {p.name: p.example or p.default for p in query.params}
    return {name: value for name, value in found.items() if value is not None}


def assert_problem(response: Any, status: int, *, param: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"].strip()
    if param is not None:
        assert body["param"] == param, body
    return body


# ---------------------------------------------------------------------------- the list

def test_the_list_holds_every_saved_query_with_its_parameters(client: TestClient,
                                                              library: QueryLibrary) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()}
    assert sorted(listed) == library.names()
    for name, entry in listed.items():
        query = library.get(name)
        assert entry["summary"] == query.summary and entry["tags"] == list(query.tags)
        assert entry["url"] == f"/api/queries/{name}"
        assert entry["query"] == query.text and "path" not in entry  # no server paths
        assert [(p["name"], p["type"], p["required"], p["example"], p["description"])
                for p in entry["params"]] == [
            (p.name, p.type.key, p.required, p.example, p.description) for p in query.params]
    holder = listed["post-holder-on-date"]
    assert holder["example_url"] == ("/api/queries/post-holder-on-date"
                                     "?post=post:head-dkumkmp-balikpapan&on=2024-11-25")
    assert client.get(holder["example_url"]).status_code == 200


# ---------------------------------------------------------------------------- running

def test_every_saved_query_answers_as_run_saved_does(client: TestClient, dataset: Dataset,
                                                     library: QueryLibrary) -> None:
    assert dataset.local is not None
    for name in library.names():
        values = example_values(library, name)
        expected = run_saved(dataset.local, name, library=library, **values)
        response = client.get(f"/api/queries/{name}", params=values)
        assert response.status_code == 200, (name, response.text)
        if expected.kind in ("SELECT", "ASK"):
            assert response.headers["content-type"] == "application/sparql-results+json"
            assert response.json() == json.loads(to_json(expected)), name
        else:
            assert response.headers["content-type"].startswith("text/turtle")
            got = {q.triple for q in ox.parse(response.content, ox.RdfFormat.TURTLE)}
            assert got == set(expected.triples or ()), name


def test_a_parameter_changes_the_answer(client: TestClient, dataset: Dataset,
                                        library: QueryLibrary) -> None:
    assert dataset.local is not None
    for on in ("2024-11-25", "2021-01-01"):
        values = {"post": "post:head-dkumkmp-balikpapan", "on": on}
        expected = run_saved(dataset.local, "post-holder-on-date", library=library, **values)
        got = client.get("/api/queries/post-holder-on-date", params=values).json()
        assert got == json.loads(to_json(expected))
        assert {b["on"]["value"] for b in got["results"]["bindings"]} <= {on}


def test_accept_chooses_json_csv_or_tsv(client: TestClient, dataset: Dataset,
                                        library: QueryLibrary) -> None:
    assert dataset.local is not None
    values = {"indicator": "indicator:umkm-count"}
    expected = run_saved(dataset.local, "indicator-series", library=library, **values)
    url = "/api/queries/indicator-series"
    cases = {"text/csv": ("text/csv", to_csv(expected)),
             "text/tab-separated-values": ("text/tab-separated-values", to_tsv(expected)),
             "application/json": ("application/json", to_json(expected)),
             "text/csv;q=0.5, text/tab-separated-values": ("text/tab-separated-values",
                                                           to_tsv(expected)),
             "text/html,application/xhtml+xml,*/*;q=0.8": (
                 "application/sparql-results+json", to_json(expected)),
             "text/*": ("text/csv", to_csv(expected)),
             "": ("application/sparql-results+json", to_json(expected))}
    for accept, (media, body) in cases.items():
        response = client.get(url, params=values, headers={"accept": accept})
        assert response.status_code == 200, accept
        assert response.headers["content-type"].split(";")[0] == media, accept
        assert response.text == body, accept
    rows = list(csv.reader(io.StringIO(client.get(url, params=values,
                                                  headers={"accept": "text/csv"}).text)))
    assert rows[0] == list(expected.variables) and len(rows) == len(expected.rows) + 1
    # ?format= wins over Accept
    response = client.get(url, params={**values, "format": "tsv"},
                          headers={"accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text == to_tsv(expected)


def test_a_construct_query_answers_turtle_json_ld_or_n_triples(client: TestClient) -> None:
    url = "/api/queries/source-statements"
    values = {"source": "source:001_e75d6ffc1d1582a2"}
    turtle = client.get(url, params=values)
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    triples = set(ox.parse(turtle.content, ox.RdfFormat.TURTLE))
    assert triples
    nt = client.get(url, params=values, headers={"accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert set(ox.parse(nt.content, ox.RdfFormat.N_TRIPLES)) == triples
    jsonld = client.get(url, params=values, headers={"accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert len(set(ox.parse(jsonld.content, ox.RdfFormat.JSON_LD))) == len(triples)
    # rows formats do not suit a graph
    assert_problem(client.get(url, params=values, headers={"accept": "text/csv"}), 406)
    assert_problem(client.get(url, params={**values, "format": "csv"}), 400, param="format")


@pytest.mark.parametrize(("query", "why"), [
    ("on=2024-13-01&post=post:head-dkumkmp-balikpapan", "on"),        # no such day
    ("on=25-11-2024&post=post:head-dkumkmp-balikpapan", "on"),        # not a date
    ("on=2024-11-25&post=head-dkumkmp-balikpapan", "post"),           # no prefix, no scheme
    ("on=2024-11-25&post=%3Chttps://kg.example/a b%3E", "post"),      # a space in an IRI
    ("on=2024-11-25", "post"),                                        # missing
    ("on=2024-11-25&post=post:head-dkumkmp-balikpapan&colour=red", "colour"),  # unknown
    ("on=2024-11-25&on=2024-11-26&post=post:head-dkumkmp-balikpapan", "on"),   # twice
    ("on=2024-11-25&post=post:head-dkumkmp-balikpapan&format=xml", "format"),
    ("on=2024-11-25&post=post:head-dkumkmp-balikpapan&format=table", "format"),
])
def test_a_bad_parameter_is_a_400_naming_it(client: TestClient, query: str, why: str) -> None:
    body = assert_problem(client.get(f"/api/queries/post-holder-on-date?{query}"), 400,
                          param=why)
    assert why in body["detail"]


def test_a_huge_parameter_is_a_400_naming_it(client: TestClient) -> None:
    # (the test client refuses URLs over 64k; the fuzz test sends 100k characters)
    response = client.get("/api/queries/label-search", params={"text": "x" * 60_000})
    body = assert_problem(response, 400, param="text")
    assert "limit" in body["detail"]


def test_a_blank_value_leaves_its_parameter_unset(client: TestClient, dataset: Dataset,
                                                  library: QueryLibrary) -> None:
    assert dataset.local is not None
    expected = run_saved(dataset.local, "findings", library=library)
    response = client.get("/api/queries/findings?sector=&assessment=")
    assert response.status_code == 200
    assert response.json() == json.loads(to_json(expected))
    assert_problem(client.get("/api/queries/label-search?text="), 400, param="text")


def test_an_unknown_query_is_a_404_with_a_suggestion(client: TestClient) -> None:
    body = assert_problem(client.get("/api/queries/post-holder-on-dat"), 404)
    assert body["suggestions"] == ["post-holder-on-date"]
    assert "did you mean post-holder-on-date" in body["detail"]
    body = assert_problem(client.get("/api/queries/zzzzzz"), 404)
    assert body["suggestions"] == [] and "/api/queries" in body["detail"]


def test_a_method_other_than_get_is_a_405_problem(client: TestClient) -> None:
    assert_problem(client.post("/api/queries/sources"), 405)
    assert_problem(client.get("/api/validate"), 405)


@pytest.mark.parametrize(("accept", "chosen"), [
    ("", "a/x"), ("garbage", "a/x"), ("b/y", "b/y"), ("b/*;q=0.9, a/x;q=0.1", "b/y"),
    ("a/x;q=0", None), ("*/*;q=0.5, a/x;q=0", "b/y"), ("a/x;q=nan", None),
    ("a/x;q=2", None), ("c/z", None), ("*/*", "a/x"),
])
def test_negotiation(accept: str, chosen: str | None) -> None:
    assert negotiate(accept, ["a/x", "b/y"]) == chosen


# ---------------------------------------------------------------------------- OpenAPI

@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    found: dict[str, Any] = response.json()
    return found


def test_the_openapi_document_is_valid(document: dict[str, Any]) -> None:
    from openapi_spec_validator import validate

    validate(document)  # raises on any error
    assert document["openapi"].startswith("3.1")


def test_the_openapi_document_has_every_saved_query_with_typed_parameters(
        document: dict[str, Any], library: QueryLibrary) -> None:
    paths = document["paths"]
    assert {"/sparql", "/api/validate", "/api/queries"} <= set(paths)
    assert set(paths["/sparql"]) == {"get", "post"}
    for name in library.names():
        query = library.get(name)
        operation = paths[f"/api/queries/{name}"]["get"]
        assert operation["summary"] == query.summary
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert set(parameters) - {"format"} == {p.name for p in query.params}
        for p in query.params:
            declared = parameters[p.name]
            assert declared["in"] == "query"
            assert declared["required"] == (p.required and p.default is None)
            if p.example is not None:
                assert str(declared["example"]) == p.example
        assert "400" in operation["responses"]
        assert PROBLEM in operation["responses"]["400"]["content"]
    holder = {p["name"]: p for p in paths["/api/queries/post-holder-on-date"]["get"]["parameters"]}
    assert holder["on"]["schema"]["format"] == "date"
    assert holder["post"]["schema"] == {"type": "string", "format": "iri", "maxLength": 2000}
    assert holder["post"]["example"] == "post:head-dkumkmp-balikpapan"
    construct = paths["/api/queries/source-statements"]["get"]["responses"]["200"]["content"]
    assert set(construct) == {"text/turtle", "application/ld+json", "application/n-triples"}
    body = paths["/api/validate"]["post"]["requestBody"]["content"]
    assert {"text/turtle", "application/trig", "application/ld+json"} <= set(body)


def test_each_operation_answers_its_examples_as_the_document_says(
        client: TestClient, document: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    schemas = document["components"]["schemas"]
    results = Draft202012Validator({**schemas["SparqlResults"], "$defs": schemas})
    listing = Draft202012Validator({"type": "array", "items": schemas["SavedQuery"]})
    listing.validate(client.get("/api/queries").json())
    for path, item in document["paths"].items():
        if not path.startswith("/api/queries/"):
            continue
        operation = item["get"]
        values = {p["name"]: p["example"] for p in operation["parameters"] if "example" in p}
        response = client.get(path, params=values)
        assert response.status_code == 200, (path, response.text)
        media = response.headers["content-type"].split(";")[0]
        assert media in operation["responses"]["200"]["content"]
        if media == "application/sparql-results+json":
            results.validate(response.json())


def _strategy(schema: dict[str, Any], example: object) -> st.SearchStrategy[str]:
    """Values of a parameter as the document types them, and values that break the type."""
    kind, form = schema.get("type"), schema.get("format")
    typed: st.SearchStrategy[object]
    if form == "date":
        typed = st.dates().map(lambda d: d.isoformat())
    elif form == "iri":
        typed = st.one_of(st.just(example) if example else st.nothing(),
                          st.from_regex(r"\A(https://kg\.example/id/[a-z]{1,8}/[a-z-]{1,12}|"
                                        r"[a-z]{1,8}:[a-z0-9-]{1,12})\Z"))
    elif kind == "integer":
        typed = st.integers()
    elif kind == "number":
        typed = st.decimals(allow_nan=False, allow_infinity=False, places=3)
    elif "pattern" in schema:
        typed = st.from_regex(schema["pattern"])
    elif "enum" in schema:
        typed = st.sampled_from(schema["enum"])
    else:
        typed = st.text(max_size=50)
    return st.one_of(typed.map(str), st.text(max_size=30))


@st.composite
def calls(draw: st.DrawFn, document: dict[str, Any]) -> tuple[str, dict[str, str]]:
    paths = sorted(p for p in document["paths"] if p.startswith("/api/queries/"))
    path = draw(st.sampled_from(paths))
    values: dict[str, str] = {}
    for parameter in document["paths"][path]["get"]["parameters"]:
        if parameter["required"] or draw(st.booleans()):
            values[parameter["name"]] = draw(_strategy(parameter["schema"],
                                                       parameter.get("example")))
    return path, values


def test_operations_called_with_values_from_the_document_never_fail(
        client: TestClient, document: dict[str, Any]) -> None:
    """Values drawn from each parameter's schema (and values that break it): the answer
    is a 200 in a media type the document lists, or a 400 problem naming a parameter."""
    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(call=calls(document))
    def check(call: tuple[str, dict[str, str]]) -> None:
        path, values = call
        response = client.get(path, params=values)
        operation = document["paths"][path]["get"]
        if response.status_code == 200:
            media = response.headers["content-type"].split(";")[0]
            assert media in operation["responses"]["200"]["content"]
        else:
            body = assert_problem(response, 400)
            assert body["param"] in {p["name"] for p in operation["parameters"]}

    check()


# ---------------------------------------------------------------------------- validation

def post(client: TestClient, name: str, content_type: str, **params: str) -> Any:
    data = (FIXTURES / name).read_bytes()
    return client.post("/api/validate", content=data, params=params,
                       headers={"content-type": content_type})


def test_a_good_addition_conforms_and_says_what_it_would_add(client: TestClient) -> None:
    response = post(client, "later/910-month-only-date.trig", "application/trig")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["conforms"] is True and report["results"] == []
    assert report["dry_run"] is True and report["written"] is False
    assert report["statements"] > 0
    assert [g["graph"] for g in report["graphs"]] == [
        "https://kg.example/id/source/910_month-only-date"]
    assert "project's files" in report["against"]


def test_a_bad_addition_lists_its_results_with_focus_path_shape_and_line(
        client: TestClient) -> None:
    response = post(client, "add/share-over-100-percent.trig", "application/trig")
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False and report["counts"]["Violation"] == 1
    [result] = report["results"]
    assert result["severity"] == "Violation"
    assert result["focus"] == "https://kg.example/id/observation/908-manufacturing-pdrb-share"
    assert result["shape"] == "kgsh:ObservationShape" and "percent" in result["message"]
    assert {"path", "value", "constraint", "sources"} <= set(result)
    [cause] = result["statements"]
    assert cause["at"] == "body.trig:16" and cause["line"] == 16
    assert "obsValue" in cause["statement"]
    text = client.post("/api/validate", content=(FIXTURES / "add/share-over-100-percent.trig")
                       .read_bytes(), headers={"content-type": "application/trig",
                                               "accept": "text/plain"})
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert "does not conform" in text.text and "body.trig:16" in text.text


def test_validating_never_changes_the_served_graph(client: TestClient, dataset: Dataset) -> None:
    assert dataset.local is not None
    before = set(dataset.local.store)
    for name in ("later/910-month-only-date.trig", "add/share-over-100-percent.trig",
                 "later/914-conflict-at-month-precision.trig"):
        assert post(client, name, "application/trig").status_code == 200
    assert set(dataset.local.store) == before
    ask = client.get("/api/queries/sources", headers={"accept": "text/csv"})
    assert "910_month-only-date" not in ask.text
    assert not (ROOT / "data" / "910_month-only-date.trig").exists()


def test_json_ld_and_turtle_with_a_source(client: TestClient) -> None:
    response = post(client, "add/good-article.jsonld", "application/ld+json")
    assert response.status_code == 200 and response.json()["conforms"] is True
    # Turtle has no graphs: the source article is named as kg add --source names it
    response = post(client, "add/good-facts-no-graph.ttl", "text/turtle",
                    source="902_options-article", publisher="Kabar Opsi", date="2025-08-06")
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True
    body = assert_problem(post(client, "add/good-facts-no-graph.ttl", "text/turtle"), 400)
    assert "without a source" in body["detail"]


def test_bad_syntax_is_a_400_naming_line_and_column(client: TestClient) -> None:
    body = assert_problem(post(client, "add/bad-syntax.trig", "application/trig"), 400)
    assert body["line"] == 14 and body["column"] == 5
    assert body["detail"].startswith("body.trig:14:5: ")
    assert "/tmp" not in body["detail"]  # the server's temporary file is not shown
    broken = client.post("/api/validate", content=b'{"@id": ',
                         headers={"content-type": "application/ld+json"})
    assert "line" in assert_problem(broken, 400)


@pytest.mark.parametrize("name", ["add/bad-blank-node-only.trig", "add/bad-ill-typed-date.trig",
                                  "add/bad-empty.ttl", "add/bad-latin1.ttl",
                                  "add/bad-remote-context.jsonld", "add/bad-relative-iri.trig"])
def test_untrusted_input_is_refused_as_kg_add_refuses_it(client: TestClient, name: str) -> None:
    media = {".ttl": "text/turtle", ".trig": "application/trig",
             ".jsonld": "application/ld+json"}[(FIXTURES / name).suffix]
    assert_problem(post(client, name, media), 400)


def test_the_body_type_and_the_report_type_are_negotiated(client: TestClient) -> None:
    data = (FIXTURES / "later/910-month-only-date.trig").read_bytes()
    assert_problem(client.post("/api/validate", content=data,
                               headers={"content-type": "application/xml"}), 415)
    assert_problem(client.post("/api/validate", content=data), 415)
    assert_problem(client.post("/api/validate", content=data, headers={
        "content-type": "application/trig; charset=latin-1"}), 415)
    assert_problem(client.post("/api/validate", content=data, headers={
        "content-type": "application/trig", "accept": "image/png"}), 406)
    assert_problem(client.post("/api/validate?colour=red", content=data, headers={
        "content-type": "application/trig"}), 400, param="colour")


def test_an_oversize_body_is_a_413(client: TestClient, app: Any) -> None:
    limit = app.state.context.options.max_body
    response = client.post("/api/validate", content=b"#" * (limit + 1),
                           headers={"content-type": "text/turtle"})
    assert response.status_code == 413 and response.text.strip()


def test_over_a_remote_endpoint_it_validates_against_the_project_files(project: Any) -> None:
    from kg.backends import RemoteBackend

    remote = RemoteBackend("http://127.0.0.1:9/sparql")  # never asked: validation is local
    app = create_app(Dataset(project, remote=remote), options=Options(access_log=False))
    client = TestClient(app, raise_server_exceptions=False)
    response = post(client, "add/share-over-100-percent.trig", "application/trig")
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False
    assert "project's files" in report["against"] and "127.0.0.1:9" in report["against"]


def test_over_a_store_it_validates_against_the_store_and_leaves_it_unchanged(
        tmp_path: Any) -> None:
    from kg.graph import load_store

    store = tmp_path / "store"
    load_store(store)
    app = build(root=str(ROOT), store=str(store), access_log=False)
    client = TestClient(app, raise_server_exceptions=False)
    served = app.state.context.dataset.local
    before = set(served.store)
    response = post(client, "later/910-month-only-date.trig", "application/trig")
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True
    assert response.json()["against"] == f"the store {store}"
    assert set(served.store) == before
    assert not (ROOT / "data" / "910_month-only-date.trig").exists()

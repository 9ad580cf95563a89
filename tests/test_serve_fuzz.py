"""Malformed requests to the whole of ``kg serve``: never a 5xx, every 4xx with a reason.

Property-based (hypothesis, bounded): bad Accept headers, broken SPARQL, huge
parameters, unknown paths and path traversal, random methods, query strings, bodies
and content types, sent in-process to every part of the application (the protocol,
the pages, the API, the static files). A 503 is allowed: it is the time limit
answering. Requests a real HTTP client cannot send (dot segments, a 100k-character
query string, header bytes outside ASCII) go straight to the ASGI application.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote, unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from kg.queries import QueryLibrary
from kg.serve import build

from conftest import ROOT

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NAMES = QueryLibrary.load(ROOT / "queries").names()


@pytest.fixture(scope="module")
def app() -> Any:
    return build(root=str(ROOT), access_log=False)


@pytest.fixture(scope="module")
def client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def assert_answered(status: int, body: bytes, what: object, *, method: str = "GET") -> None:
    """Never a server error but the time limit; a client error says why (but to HEAD,
    whose answer has no body)."""
    assert status < 500 or status == 503, (status, body[:500], what)
    if status >= 400 and method != "HEAD":
        assert body.strip(), (status, what)


def call(app: Any, method: str, raw_path: bytes, query: bytes = b"",
         headers: list[tuple[bytes, bytes]] | None = None, body: bytes = b"") -> tuple[int, bytes]:
    """One request straight to the ASGI application (as uvicorn makes its scope)."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "root_path": "",
             "path": unquote(raw_path.decode("ascii")), "raw_path": raw_path,
             "query_string": query, "headers": [(k.lower(), v) for k, v in headers or []],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(30)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        try:
            await app(scope, receive, send)
        except Exception:  # the server's error middleware answers 500, then raises
            if not sent:
                sent.append({"type": "http.response.start", "status": 500})

    asyncio.run(run())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


# ---------------------------------------------------------------------------- strategies

BROKEN_SPARQL = [
    "SELECT * WHERE {", "SELECT ?x WHERE { ?x ?y }", "PREFIX : <", "DROP ALL",
    "INSERT DATA { <a> <b> <c> }", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "ASK {", "CONSTRUCT WHERE", "SELECT * WHERE { ?s nope:x ?o }", "DESCRIBE", "\x00",
    "SELECT (1/0 AS ?x) {}", "SELECT * { ?s ?p ?o } LIMIT -1", "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * FROM <urn:x> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3", "# only a comment",
]
ACCEPTS = [
    "", "*/*", "garbage", "text/html", "*/*;q=abc", "text/csv;q=2", "application/json;q=0",
    "application/sparql-results+json;q=0, */*;q=0", "image/png", "text/*;q=0.1, */*;q=nan",
    ";;;,,,", "application/ld+json; profile=\"x\"", "text/turtle;q=0.5, text/csv",
    "a/b/c", "/", "*/json", "application/n-triples;q=1e400",
]
CONTENT_TYPES = [
    "text/turtle", "application/trig", "application/ld+json", "application/n-triples",
    "application/n-quads", "application/sparql-query", "application/sparql-update",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain",
    "application/json", "application/trig; charset=latin-1", "", "garbage", ";",
    "application/x-www-form-urlencoded; charset=utf-16",
]
PREFIXES = ["/sparql", "/api/queries", "/api/validate", "/api/openapi.json", "/api/", "/",
            "/id/person/heru-ressandy", "/id/", "/code/indicator/umkm-count", "/def/Facility",
            "/source/001_e75d6ffc1d1582a2", "/static/", "/static/kg.css", "/query",
            *(f"/api/queries/{name}" for name in NAMES)]
TRAVERSALS = [
    "/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/....//....//pyproject.toml", "/static/..\\..\\pyproject.toml",
    "/static/%252e%252e/pyproject.toml", "/static//etc/passwd", "/static/%00",
    "/static/../../../../../../etc/passwd", "/id/../../etc/passwd", "/api/queries/..%2f..",
    "/api/queries/%2e%2e", "/source/..%2f..%2fdata", "/static/.", "/static/..",
]

methods = st.one_of(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                     "OPTIONS"]), st.from_regex(r"\A[A-Z]{1,10}\Z"))
texts = st.text(max_size=60)
sparql = st.one_of(st.sampled_from(BROKEN_SPARQL), texts,
                   st.lists(st.sampled_from(BROKEN_SPARQL), max_size=3).map(" ".join))
paths = st.one_of(
    st.sampled_from(PREFIXES),
    st.tuples(st.sampled_from(PREFIXES), texts).map(lambda p: p[0] + quote(p[1], safe="/%")),
    st.sampled_from(TRAVERSALS).map(lambda p: p.replace("../", "..%2F")))
query_strings = st.dictionaries(
    st.one_of(st.sampled_from(["query", "format", "default-graph-uri", "named-graph-uri",
                               "text", "on", "post", "indicator", "source", "strict"]), texts),
    st.one_of(sparql, texts, st.sampled_from(["2024-11-25", "person:heru-ressandy", "csv",
                                              "<https://kg.example/>", "true"])),
    max_size=4)
bodies = st.one_of(st.binary(max_size=400), sparql.map(str.encode),
                   st.sampled_from([b"", b"query=SELECT+*+WHERE+%7B", b"{\"@id\": ",
                                    b"source:x { <a> <b> <c> }", b"@prefix : <x> .\n:a :b :c .",
                                    b"\xff\xfe\x00", b"[" * 5000]))


# ---------------------------------------------------------------------------- properties

@SETTINGS
@given(method=methods, path=paths, params=query_strings, accept=st.sampled_from(ACCEPTS) | texts,
       content_type=st.sampled_from(CONTENT_TYPES) | texts, body=bodies)
def test_any_request_to_any_route_is_answered_with_a_reason(
        client: TestClient, method: str, path: str, params: dict[str, str], accept: str,
        content_type: str, body: bytes) -> None:
    headers = {"accept": accept.encode("ascii", "replace").decode(),
               "content-type": content_type.encode("ascii", "replace").decode()}
    headers = {k: "".join(c for c in v if " " <= c <= "~") for k, v in headers.items()}
    response = client.request(method, path, params=params, headers=headers, content=body)
    assert_answered(response.status_code, response.content, (method, path, params, headers),
                    method=method)


@SETTINGS
@given(name=st.sampled_from(NAMES) | texts.map(lambda t: quote(t, safe="")),
       params=st.dictionaries(texts, st.one_of(texts, sparql), max_size=4),
       huge=st.sampled_from(["", "text", "on", "post", "query", "format", "zz"]),
       accept=st.sampled_from(ACCEPTS))
def test_saved_queries_with_huge_or_wrong_parameters(app: Any, name: str, params: dict[str, str],
                                                     huge: str, accept: str) -> None:
    pairs = [(quote(k, safe=""), quote(v, safe="")) for k, v in params.items()]
    if huge:
        pairs.append((huge, "x" * 100_000))
    query = "&".join(f"{k}={v}" for k, v in pairs).encode("ascii")
    status, body = call(app, "GET", f"/api/queries/{name}".encode("ascii"), query,
                        [(b"accept", accept.encode("ascii"))])
    assert_answered(status, body, (name, params, huge))
    if huge and name in NAMES:
        assert status == 400, (status, body[:300])
    for route in (b"/sparql", b"/api/queries"):
        status, body = call(app, "GET", route, query, [(b"accept", accept.encode("ascii"))])
        assert_answered(status, body, (route, huge))


@SETTINGS
@given(path=st.one_of(st.sampled_from(TRAVERSALS),
                      st.tuples(st.sampled_from(["/static/", "/id/", "/source/", "/api/queries/"]),
                                st.lists(st.sampled_from(["..", "%2e%2e", ".", "%2f", "..%2f",
                                                          "%5c", "pyproject.toml", "etc",
                                                          "passwd", "%00", "kg.css"]),
                                         min_size=1, max_size=8))
                      .map(lambda p: p[0] + "/".join(p[1]))),
       method=st.sampled_from(["GET", "HEAD", "POST"]))
def test_no_path_reaches_outside_what_is_served(app: Any, path: str, method: str) -> None:
    status, body = call(app, method, path.encode("ascii"))
    assert_answered(status, body, path, method=method)
    assert b"[project]" not in body and b"root:" not in body, path  # pyproject.toml, passwd
    if escapes(path):
        assert not 200 <= status < 300, (path, status)


def escapes(path: str) -> bool:
    """Whether ``path`` climbs above the folder its first segment names (decoded twice)."""
    inner = unquote(unquote(path)).replace("\\", "/").split("/")[2:]
    depth = 0
    for segment in inner:
        depth += -1 if segment == ".." else 0 if segment in ("", ".") else 1
        if depth < 0:
            return True
    return False


@SETTINGS
@given(content_type=st.sampled_from(CONTENT_TYPES) | texts, body=bodies,
       accept=st.sampled_from(ACCEPTS + ["text/plain"]),
       params=st.dictionaries(st.sampled_from(["source", "publisher", "date", "amend",
                                               "strict", "zz"]), texts, max_size=3))
def test_validation_of_any_body_is_answered_with_a_reason(
        client: TestClient, content_type: str, body: bytes, accept: str,
        params: dict[str, str]) -> None:
    header = "".join(c for c in content_type if " " <= c <= "~")
    response = client.post("/api/validate", content=body, params=params,
                           headers={"content-type": header, "accept": accept})
    assert_answered(response.status_code, response.content, (header, body[:100], params))


@SETTINGS
@given(accept=st.binary(max_size=40).map(lambda b: bytes(c for c in b if c >= 0x20)),
       name=st.sampled_from(NAMES))
def test_header_bytes_outside_ascii_are_answered(app: Any, accept: bytes, name: str) -> None:
    for method, path, extra in (("GET", f"/api/queries/{name}", []),
                                ("POST", "/api/validate", [(b"content-type", accept)]),
                                ("GET", "/sparql", [])):
        status, body = call(app, method, path.encode("ascii"), b"",
                            [(b"accept", accept), *extra], b"source:x { <a> <b> <c> }")
        assert_answered(status, body, (path, accept))


def test_a_body_over_the_limit_is_a_413_with_a_reason(app: Any) -> None:
    limit = app.state.context.options.max_body
    big = b"#" * (limit + 1)
    for path in (b"/api/validate", b"/sparql"):  # refused by its Content-Length
        status, body = call(app, "POST", path, b"", [(b"content-type", b"text/turtle"),
                                                     (b"content-length", str(len(big)).encode())],
                            big)
        assert status == 413 and body.strip()
        status, body = call(app, "POST", path, b"", [(b"content-length", b"12x")])
        assert status == 400 and body.strip()
    # without one (chunked), while it is read
    status, body = call(app, "POST", b"/api/validate", b"", [(b"content-type", b"text/turtle")],
                        big)
    assert status == 413 and body.strip()

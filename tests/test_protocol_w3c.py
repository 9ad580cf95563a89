"""The official W3C SPARQL 1.1 Protocol tests against ``/sparql`` over real HTTP.

The suite is ``../shared/conformance/w3c-sparql-protocol`` beside the checkout (see its
README): each ``mf:ProtocolTest`` of ``manifest.ttl`` sends its requests as written
(method, path under ``/sparql``, headers, body) to a uvicorn server on 127.0.0.1
serving the graphs the test names (``ut:graphData``: each ``.nt`` file as the named
graph of its ``rdfs:label``), and checks the status class, the format of the answer
and its boolean.

The endpoint is read-only: every request of an ``update_*`` test that carries an
update is answered 403 with a reason, and the queries that follow it still answer
(their boolean is not checked: the update did not happen). A missing suite fails.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest

from kg.graph import KnowledgeGraph, merge
from kg.project import Project
from kg.serve import Dataset, create_app
from kg.serve.context import Options
from serve_server import app_server

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT.parent / "shared" / "conformance" / "w3c-sparql-protocol"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

ROW_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
             "application/sparql-results+xml": ox.QueryResultsFormat.XML,
             "text/csv": ox.QueryResultsFormat.CSV,
             "text/tab-separated-values": ox.QueryResultsFormat.TSV}
RDF_TYPES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
             "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]        #: the expected status classes ("2", "3", "4")
    expected_format: str | None     #: "boolean", "tabular" or "RDF"
    expected_boolean: bool | None


class ProtocolTest(NamedTuple):
    name: str
    title: str
    graphs: tuple[tuple[str, str], ...]   #: (file, graph IRI)
    requests: tuple[Request, ...]


def manifest_tests() -> list[ProtocolTest]:
    """The tests of the manifest, in its order."""
    manifest = SUITE / "manifest.ttl"
    store = ox.Store()
    store.load(path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri())

    def one(subject: Any, predicate: str) -> Any:
        found = list(store.quads_for_pattern(subject, ox.NamedNode(predicate), None))
        return found[0].object if found else None

    def every(subject: Any, predicate: str) -> list[Any]:
        return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    def items(head: Any) -> Iterator[Any]:
        while head != ox.NamedNode(RDF + "nil"):
            yield one(head, RDF + "first")
            head = one(head, RDF + "rest")

    tests = []
    entries = one(ox.NamedNode(manifest.as_uri()), MF + "entries")
    for entry in items(entries):
        requests = []
        connection = one(entry, MF + "action")
        for request in items(one(connection, HT + "requests")):
            headers = {}
            listed = one(request, HT + "headers")
            for header in items(listed) if listed is not None else ():
                headers[one(header, HT + "fieldName").value] = one(header, HT + "fieldValue").value
            body = one(request, HT + "body")
            data = None
            if body is not None:
                encoding = one(body, CNT + "characterEncoding")
                data = one(body, CNT + "chars").value.encode(encoding.value if encoding else "utf-8")
            response = one(request, HT + "resp")
            statuses = frozenset(s.value.removeprefix(HTS)[0]
                                 for s in every(response, MF + "expectedStatus"))
            fmt = one(response, MF + "expectedFormat")
            boolean = one(response, MF + "expectedBoolean")
            requests.append(Request(one(request, HT + "methodName").value,
                                    one(request, HT + "absolutePath").value, headers, data,
                                    statuses, fmt.value if fmt else None,
                                    boolean.value == "true" if boolean else None))
        graphs = tuple(sorted((one(g, UT + "graph").value.rsplit("/", 1)[-1],
                               one(g, RDFS + "label").value)
                              for g in every(entry, UT + "graphData")))
        tests.append(ProtocolTest(entry.value.rsplit("#", 1)[-1], one(entry, MF + "name").value,
                                  graphs, tuple(requests)))
    return tests


def collected() -> list[Any]:
    if not (SUITE / "manifest.ttl").is_file():  # fails, never skips
        return [pytest.param(None, id="suite-missing")]
    return [pytest.param(test, id=test.name) for test in manifest_tests()]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[tuple[tuple[str, str], ...], str]]:
    """A server per set of graphs the tests name (started when first asked for)."""
    from contextlib import ExitStack

    started: dict[tuple[tuple[str, str], ...], str] = {}
    with ExitStack() as stack:
        class Servers(dict):  # type: ignore[type-arg]
            def __missing__(self, graphs: tuple[tuple[str, str], ...]) -> str:
                store = ox.Store()
                for file, iri in graphs:
                    store.load(path=str(SUITE / file), format=ox.RdfFormat.N_TRIPLES,
                               to_graph=ox.NamedNode(iri))
                merge(store)  # the default graph: the merge of the named graphs, as kg serves it
                dataset = Dataset(Project(ROOT), graph=KnowledgeGraph(store), timeout=10)
                app = create_app(dataset, options=Options(access_log=False))
                url = stack.enter_context(app_server(app))
                self[graphs] = url
                return url

        yield Servers(started)


def send(base: str, request: Request) -> tuple[int, str, bytes]:
    """The request as the manifest writes it; (status, media type, body) of the answer."""
    path = request.path
    assert path.startswith("/sparql/"), path
    path = "/sparql" + path[len("/sparql/"):]
    split = urlsplit(base)
    connection = http.client.HTTPConnection(split.hostname or "", split.port, timeout=30)
    try:
        connection.request(request.method, path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        media = (response.getheader("content-type") or "").split(";")[0].strip()
        return response.status, media, body
    finally:
        connection.close()


def carries_update(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith("application/sparql-update") or (
        content_type.startswith("application/x-www-form-urlencoded")
        and (request.body or b"").startswith(b"update="))


def boolean_of(media: str, body: bytes) -> bool:
    """The boolean of an ASK answer in SPARQL JSON or XML."""
    if media == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    answer = ox.parse_query_results(body, format=ROW_TYPES[media])
    assert isinstance(answer, ox.QueryBoolean), body
    return bool(answer)


@pytest.mark.parametrize("test", collected())
def test_protocol(test: ProtocolTest | None,
                  servers: dict[tuple[tuple[str, str], ...], str]) -> None:
    assert test is not None, f"the W3C protocol suite is missing: {SUITE} (see its README)"
    base = servers[test.graphs]
    refused_update = False
    for request in test.requests:
        status, media, body = send(base, request)
        if test.name.startswith("update_") and carries_update(request):
            assert status == 403, (status, body)
            assert body.decode().startswith("this endpoint is read-only"), body
            refused_update = True
            continue
        assert str(status)[0] in request.statuses, (test.title, status, body[:300])
        if str(status)[0] == "4":
            assert body.strip() and b"\n" not in body.strip(), body  # a one-line reason
        if request.expected_format == "boolean":
            assert media in ("application/sparql-results+json", "application/sparql-results+xml")
            answer = boolean_of(media, body)
            if request.expected_boolean is not None and not refused_update:
                assert answer is request.expected_boolean, (test.title, body)
        elif request.expected_format == "tabular":
            assert media in ROW_TYPES, media
            solutions = ox.parse_query_results(body, format=ROW_TYPES[media])
            assert isinstance(solutions, ox.QuerySolutions)
            assert [s["value"] for s in solutions] == [ox.Literal(
                "1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))]
        elif request.expected_format == "RDF":
            assert media in RDF_TYPES, media
            list(ox.parse(body, format=RDF_TYPES[media]))
    if test.name.startswith("update_"):
        assert refused_update, "an update test sent no update"


def test_the_suite_is_all_there() -> None:
    """Every query_* and bad_* test of the manifest is run (34 entries, 7 update_ among them)."""
    tests = manifest_tests()
    names = [t.name for t in tests]
    assert len(names) == 34
    assert sum(n.startswith("update_") for n in names) == 7
    assert sum(n.startswith(("query_", "bad_")) for n in names) == 27

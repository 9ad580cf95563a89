"""``kg serve --endpoint``: over Virtuoso, the same pages and API answers as over the local graph.

The shipped graph is published into the session's private Virtuoso (tests/virtuoso_server.py);
one application serves the graph in memory, another the same graph through Virtuoso's
SPARQL endpoint (its default graph made of the published graphs, ``GRAPH ?g`` seeing
them). Every page and every saved query's API answer must be the same: the pages run
their queries through the one Dataset, whichever store answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from answers import published_graphs
from kg.graph import KnowledgeGraph
from kg.project import Project
from kg.publish import publish
from kg.queries import QueryLibrary
from kg.serve import Dataset, build, create_app
from virtuoso_server import VirtuosoServer

pytestmark = pytest.mark.virtuoso

#: One page of each kind: a person, a post, a source, a figure, a facility, an indicator and
#: its chart, a class, a concept, a scheme, the lists.
PAGES = [
    "/id/person/heru-ressandy",
    "/id/post/head-dkumkmp-balikpapan",
    "/id/body/dkumkmp-balikpapan",
    "/id/facility/cold-storage-teritip",
    "/code/indicator/umkm-count",
    "/code/indicator/umkm-count.svg",
    "/code/indicator/umkm-growth-rate",
    "/code/qualifier/approximate",
    "/code/qualifier",
    "/def/Facility",
    "/def/",
    "/sources",
    "/indicators",
]


@pytest.fixture(scope="module")
def local(shipped: KnowledgeGraph, project: Project) -> Iterator[TestClient]:
    with TestClient(create_app(Dataset(project, graph=shipped))) as client:
        yield client


@pytest.fixture(scope="module")
def remote(virtuoso: VirtuosoServer, shipped: KnowledgeGraph, project: Project
           ) -> Iterator[TestClient]:
    publish(shipped, endpoint=virtuoso.sparql_auth, graph_store=virtuoso.graph_crud_auth,
            user=virtuoso.user, password=virtuoso.password)
    graphs = published_graphs(shipped)
    app = build(root=str(project.root), endpoint=virtuoso.sparql, default_graph=graphs,
                named_graph=graphs)
    with TestClient(app) as client:
        yield client


def some_sources(client: TestClient) -> list[str]:
    return sorted(set(re.findall(r'href="(/id/source/[^"#]+)"', client.get("/sources").text)))


def normalized(text: str) -> str:
    """A page with its whitespace runs made one space (the HTML is the same otherwise)."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("path", PAGES)
def test_a_page_over_virtuoso_is_the_page_over_the_local_graph(
        local: TestClient, remote: TestClient, path: str) -> None:
    here, there = local.get(path), remote.get(path)
    assert here.status_code == 200, here.text[:300]
    assert there.status_code == 200, there.text[:300]
    assert normalized(there.text) == normalized(here.text)


def test_every_source_page_over_virtuoso_is_the_local_one(local: TestClient,
                                                          remote: TestClient) -> None:
    sources = some_sources(local)
    assert len(sources) >= 5
    assert some_sources(remote) == sources
    for path in sources:
        assert normalized(remote.get(path).text) == normalized(local.get(path).text), path


def api_rows(client: TestClient, url: str) -> list[str]:
    """The rows of a saved query's JSON answer, as sorted JSON text (the order of ties differs)."""
    answer = client.get(url, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text[:300]
    body = answer.json()
    if "boolean" in body:
        return [json.dumps(body["boolean"])]
    return sorted(json.dumps({k: (v["type"], v["value"], v.get("xml:lang"), v.get("datatype"))
                              for k, v in row.items()}, sort_keys=True)
                  for row in body["results"]["bindings"])


@pytest.mark.parametrize("name", QueryLibrary.load().names())
def test_a_saved_query_over_virtuoso_answers_as_over_the_local_graph(
        local: TestClient, remote: TestClient, name: str) -> None:
    listing = local.get("/api/queries").json()
    queries = listing["queries"] if isinstance(listing, dict) else listing
    entry = next(q for q in queries if q["name"] == name)
    params = {p["name"]: p["example"] for p in entry.get("parameters", entry.get("params", []))
              if p.get("example") is not None}
    url = f"/api/queries/{name}"
    kind_of = local.get(url, params=params, headers={"Accept": "application/sparql-results+json"})
    if kind_of.headers["content-type"].startswith("application/sparql-results+json"):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        full = f"{url}?{query}" if query else url
        assert api_rows(remote, full) == api_rows(local, full)
    else:  # a CONSTRUCT: the same statements
        import pyoxigraph as ox

        def triples(client: TestClient) -> set[ox.Triple]:
            answer = client.get(url, params=params, headers={"Accept": "application/n-triples"})
            assert answer.status_code == 200, answer.text[:300]
            return {q.triple for q in ox.parse(answer.content, ox.RdfFormat.N_TRIPLES)}

        assert triples(remote) == triples(local)

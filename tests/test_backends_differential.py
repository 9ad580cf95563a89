"""Every saved query answers alike on every backend: the graph in memory, the on-disk store, Virtuoso.

Two data sets: the shipped data, and the shipped data with a small synthetic
graph added (``kg synth --regions 3 --years 3``: a province and two cities,
changing office holders, conflicting figures). Each saved query runs with
its header's example parameters (on the synthetic data, parameters that have
a synthetic counterpart point at it, so that the answers are not empty).

Answers are compared as values, as a multiset of rows (``tests/answers.py``):
engines break ties of ``ORDER BY`` differently.

The Virtuoso tests publish the data (source and vocabulary graphs) into the
session's private server and name those graphs as the default graph; the
synthetic graphs are removed again at the end of the module, so that other
modules see the shipped graphs only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from answers import (
    QUERIES, TIMINGS, assert_same_answer, bound, published_graphs, saved_query_names, timed,
)
from kg.backends import Backend, RemoteBackend
from kg.graph import KnowledgeGraph, load_graph, load_store, open_store
from kg.parse import rdf_files
from kg.project import Project
from kg.publish import publish
from kg.queries import QueryLibrary
from kg.remote import HttpClient, SparqlClient
from kg.synth import LAST_YEAR, SynthSummary, synthesize
from virtuoso_server import VirtuosoServer

SAVED = saved_query_names()

#: Parameter values for the synthetic data, by parameter name (region 2 is a city).
SYNTHETIC_PARAMS: dict[str, object | None] = {
    "post": "post:synth-r0002-mayor",
    "on": "2023-06-01",
    "person": "person:synth-r0002-p02",
    "area": "place:synth-r0002",
    "entity": "place:synth-r0002",
    "source": "source:synth-r0002-2023-b",
    "body": "body:synth-r0002-dinas",
    "text": "Sintetis 0002",
    "sector": None,       # unset: every sector
    "assessment": None,
    "qualifier": "qualifier:approximate",
}

#: Saved queries Virtuoso does not answer on the synthetic data (3 regions x 3 years):
#: growth-derived-vs-reported is either refused at once ("HTTP 500 ... The estimated execution
#: time 6564 (sec) exceeds the limit of 400 (sec)") or run past the client's 30 s timeout (and
#: on to the server's 60 s, loading the machine for the queries after it), depending on the
#: store's statistics; pyoxigraph answers in 0.01 s. Not run on Virtuoso there (see
#: test_reported_growth_matches_derived_growth for what it answers).
VIRTUOSO_CANNOT_ANSWER_ON_SYNTHETIC = {"growth-derived-vs-reported"}
#: Virtuoso 7.2.5 sometimes answers `bodies` on the synthetic data with an extra row that
#: lacks an OPTIONAL binding (alias) which another row of the same body has: the lost-binding
#: bug the README describes. Seen in one clean-clone run of three; on the shipped data
#: `bodies` is compared strictly.
VIRTUOSO_FLAKY_ON_SYNTHETIC = {"bodies"}


def virtuoso_on_synthetic(name: str) -> object:
    """A saved query's name as a parameter of the synthetic Virtuoso test, with its known trouble."""
    if name in VIRTUOSO_CANNOT_ANSWER_ON_SYNTHETIC:
        return pytest.param(name, marks=pytest.mark.xfail(
            run=False, reason=f"Virtuoso refuses {name} on this data, or runs it for over a "
                              "minute (VIRTUOSO_CANNOT_ANSWER_ON_SYNTHETIC)"))
    if name in VIRTUOSO_FLAKY_ON_SYNTHETIC:
        return pytest.param(name, marks=pytest.mark.xfail(
            strict=False, reason=f"Virtuoso 7.2.5 loses an OPTIONAL binding on {name} now and "
                                 "then (VIRTUOSO_FLAKY_ON_SYNTHETIC)"))
    return name


# ----------------------------------------------------------------------------- the data sets

@pytest.fixture(scope="module")
def library() -> QueryLibrary:
    return QueryLibrary.load(QUERIES)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return synthesize(3, 3, seed=7, out_dir=tmp_path_factory.mktemp("synth"))


def synthetic_files(summary: SynthSummary) -> list[Path]:
    return sorted(summary.out_dir.glob("*.trig"))


def on_disk(files: list[Path], project: Project, folder: Path) -> KnowledgeGraph:
    load_store(folder / "store", files, project=project)
    return open_store(folder / "store")


@pytest.fixture(scope="module")
def shipped_backends(shipped: KnowledgeGraph, project: Project,
                     tmp_path_factory: pytest.TempPathFactory) -> dict[str, Backend]:
    store = on_disk(rdf_files(project.data_dir), project, tmp_path_factory.mktemp("shipped"))
    return {"memory": shipped, "store": store}


@pytest.fixture(scope="module")
def synthetic_graph(project: Project, synthetic: SynthSummary) -> KnowledgeGraph:
    return load_graph(project, extra=synthetic_files(synthetic))


@pytest.fixture(scope="module")
def synthetic_backends(synthetic_graph: KnowledgeGraph, project: Project,
                       synthetic: SynthSummary,
                       tmp_path_factory: pytest.TempPathFactory) -> dict[str, Backend]:
    store = on_disk([*rdf_files(project.data_dir), *synthetic_files(synthetic)], project,
                    tmp_path_factory.mktemp("synthetic"))
    return {"memory": synthetic_graph, "store": store}


@pytest.fixture(scope="module")
def virtuoso_shipped(virtuoso: VirtuosoServer, shipped: KnowledgeGraph) -> RemoteBackend:
    TIMINGS[("start", "virtuoso")] = virtuoso.start_seconds
    report = timed("publish", "shipped", lambda: publish(
        shipped, endpoint=virtuoso.sparql_auth, graph_store=virtuoso.graph_crud_auth,
        user=virtuoso.user, password=virtuoso.password))
    assert report.mismatched == ()
    return RemoteBackend(virtuoso.sparql, default_graph=published_graphs(shipped))


@pytest.fixture(scope="module")
def virtuoso_synthetic(virtuoso: VirtuosoServer, shipped: KnowledgeGraph,
                       synthetic_graph: KnowledgeGraph) -> Iterator[RemoteBackend]:
    """The shipped and the synthetic graphs in Virtuoso; the synthetic ones dropped afterwards."""
    TIMINGS[("start", "virtuoso")] = virtuoso.start_seconds
    report = timed("publish", "synthetic", lambda: publish(
        synthetic_graph, endpoint=virtuoso.sparql_auth, graph_store=virtuoso.graph_crud_auth,
        user=virtuoso.user, password=virtuoso.password))
    assert report.mismatched == ()
    try:
        yield RemoteBackend(virtuoso.sparql, default_graph=published_graphs(synthetic_graph))
    finally:
        own = set(published_graphs(shipped))
        drops = [f"DROP SILENT GRAPH <{name}>" for name in published_graphs(synthetic_graph)
                 if name not in own]
        client = SparqlClient(HttpClient(virtuoso.sparql_auth, user=virtuoso.user,
                                         password=virtuoso.password))
        client.send_update(" ;\n".join(drops))


# ----------------------------------------------------------------------------- the shipped data

@pytest.mark.parametrize("name", SAVED)
def test_the_store_answers_like_memory_on_the_shipped_data(name, library, shipped_backends):
    text = bound(library.get(name))
    reference = timed(name, "shipped memory", lambda: shipped_backends["memory"].run(text))
    answer = timed(name, "shipped store", lambda: shipped_backends["store"].run(text))
    assert_same_answer(name, reference, answer, "memory", "store")


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", SAVED)
def test_virtuoso_answers_like_memory_on_the_shipped_data(name, library, shipped_backends,
                                                          virtuoso_shipped):
    text = bound(library.get(name))
    reference = shipped_backends["memory"].run(text)
    answer = timed(name, "shipped virtuoso", lambda: virtuoso_shipped.run(text))
    assert_same_answer(name, reference, answer, "memory", "Virtuoso")


# ----------------------------------------------------------------------------- with synthetic data

@pytest.mark.parametrize("name", SAVED)
def test_the_store_answers_like_memory_on_synthetic_data(name, library, synthetic_backends):
    text = bound(library.get(name), SYNTHETIC_PARAMS)
    reference = timed(name, "synthetic memory", lambda: synthetic_backends["memory"].run(text))
    answer = timed(name, "synthetic store", lambda: synthetic_backends["store"].run(text))
    assert_same_answer(name, reference, answer, "memory", "store")


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", [virtuoso_on_synthetic(name) for name in SAVED])
def test_virtuoso_answers_like_memory_on_synthetic_data(name, library, synthetic_backends,
                                                        virtuoso_synthetic):
    text = bound(library.get(name), SYNTHETIC_PARAMS)
    reference = synthetic_backends["memory"].run(text)
    answer = timed(name, "synthetic virtuoso", lambda: virtuoso_synthetic.run(text))
    assert_same_answer(name, reference, answer, "memory", "Virtuoso")


def test_reported_growth_matches_derived_growth(library, synthetic_backends, synthetic):
    """Where Virtuoso does not answer: each growth an article reports is one the graph derives.

    The synthetic growth figures are computed from the agency's counts, so the
    derived growth between the same two years is the reported one (to 0.01);
    the growth of the first year is over a year without figures.
    """
    answer = synthetic_backends["store"].run(
        library.get("growth-derived-vs-reported").bind()).values()
    first_year = LAST_YEAR - synthetic.years + 1
    derived = [row for row in answer if row["method"] == "derived"]
    reported = [row for row in answer if row["method"] == "reported"
                and "synth-" in str(row["area"])
                and row["fromStart"].year >= first_year]
    assert reported
    for row in reported:
        assert any(d["area"] == row["area"] and d["fromPeriod"] == row["fromPeriod"]
                   and d["toPeriod"] == row["toPeriod"]
                   and abs(float(d["growth"]) - float(row["growth"])) <= 0.01
                   for d in derived), row


def test_the_synthetic_answers_are_not_empty(library, synthetic_backends):
    """The synthetic parameters reach synthetic data: the comparisons above compare something."""
    store = synthetic_backends["store"]
    empty = []
    for name in SAVED:
        saved = library.get(name)
        if not any(p.name in SYNTHETIC_PARAMS and SYNTHETIC_PARAMS[p.name] for p in saved.params):
            continue
        if not len(store.run(bound(saved, SYNTHETIC_PARAMS))):
            empty.append(name)
    assert not empty, f"no answer on the synthetic data: {empty}"

"""Every saved query answers alike on every backend: rdflib in process, the on-disk store, Virtuoso.

Two data sets: the shipped data, and the shipped data with a small synthetic
graph added (``kg synth --regions 3 --years 3``: a province and two cities,
changing office holders, conflicting figures). Each saved query runs with
its header's example parameters (on the synthetic data, parameters that have
a synthetic counterpart point at it, so that the answers are not empty).

Answers are compared as Python values, as a multiset of rows: numbers within
a tolerance (the engines round decimal division and averages differently),
and typed literals by value (the store keeps ``47.0`` as ``47`` and
``"2"^^xsd:positiveInteger`` as ``"2"^^xsd:integer``; Virtuoso keeps numbers
as numbers too). The order of rows is not compared: engines break ties of
``ORDER BY`` differently.

The Virtuoso tests publish the data into the session's private server and
remove the synthetic graphs again at the end of the module, so that other
modules see the shipped graphs only.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.backends import Backend, EmbeddedBackend, QueryResult, RemoteBackend
from kg.load import KnowledgeGraph, Project, load_graph, rdf_files
from kg.publish import publish
from kg.queries import QueryLibrary, SavedQuery
from kg.remote import HttpClient
from kg.store import OxigraphBackend, load_store
from kg.synth import LAST_YEAR, SynthSummary, synthesize

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
SAVED = sorted(p.stem for p in QUERIES.glob("*.rq"))

#: Parameter values for the synthetic data, by parameter name (region 2 is a city).
SYNTHETIC_PARAMS = {
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

#: Saved queries that rdflib and Virtuoso cannot answer on the synthetic data in the time
#: the tests allow: growth-derived-vs-reported took 63 s in rdflib and over 60 s in Virtuoso
#: (its transaction timeout) for 3 regions x 3 years, against 0.1 s in the store. Only
#: the store answers it there (see test_reported_growth_matches_derived_growth).
TOO_SLOW = {"growth-derived-vs-reported"}
# Virtuoso 7.2.5 sometimes answers `bodies` on the synthetic data with an extra
# row that lacks an OPTIONAL binding (alias) which another row of the same body
# has: the lost-binding bug the README describes. Seen in one clean-clone run of
# three; the shipped-data comparison (test_remote.py) still checks `bodies`.
VIRTUOSO_FLAKY_ON_SYNTHETIC = {"bodies"}

TIMINGS: dict[str, float] = {}


# ----------------------------------------------------------------------------- the data sets

@pytest.fixture(scope="module")
def library() -> QueryLibrary:
    return QueryLibrary.load(QUERIES)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    return synthesize(3, 3, seed=7, out_dir=tmp_path_factory.mktemp("synth"))


def synthetic_files(summary: SynthSummary) -> list[Path]:
    return sorted(summary.out_dir.glob("*.trig"))


@pytest.fixture(scope="module")
def shipped_backends(shipped: KnowledgeGraph, project: Project,
                     tmp_path_factory: pytest.TempPathFactory) -> dict[str, Backend]:
    folder = tmp_path_factory.mktemp("store-shipped")
    load_store(folder / "store", rdf_files(project.data_dir))
    return {"embedded": EmbeddedBackend(shipped),
            "store": OxigraphBackend.open(folder / "store")}


@pytest.fixture(scope="module")
def synthetic_graph(project: Project, synthetic: SynthSummary) -> KnowledgeGraph:
    return load_graph(project, extra=synthetic_files(synthetic))


@pytest.fixture(scope="module")
def synthetic_backends(synthetic_graph: KnowledgeGraph, project: Project,
                       synthetic: SynthSummary,
                       tmp_path_factory: pytest.TempPathFactory) -> dict[str, Backend]:
    folder = tmp_path_factory.mktemp("store-synthetic")
    load_store(folder / "store", [*rdf_files(project.data_dir), *synthetic_files(synthetic)])
    return {"embedded": EmbeddedBackend(synthetic_graph),
            "store": OxigraphBackend.open(folder / "store")}


@pytest.fixture(scope="module")
def virtuoso_shipped(virtuoso, shipped: KnowledgeGraph) -> RemoteBackend:  # type: ignore[no-untyped-def]
    publish(shipped, endpoint=virtuoso.sparql_auth, graph_store=virtuoso.graph_crud_auth,
            user=virtuoso.user, password=virtuoso.password)
    return RemoteBackend(virtuoso.sparql, default_graph=[str(g) for g in shipped.source_graphs()])


@pytest.fixture(scope="module")
def virtuoso_synthetic(virtuoso, shipped: KnowledgeGraph,  # type: ignore[no-untyped-def]
                       synthetic_graph: KnowledgeGraph) -> Iterator[RemoteBackend]:
    """The shipped and the synthetic graphs in Virtuoso; the synthetic ones dropped afterwards."""
    report = publish(synthetic_graph, endpoint=virtuoso.sparql_auth,
                     graph_store=virtuoso.graph_crud_auth, user=virtuoso.user,
                     password=virtuoso.password)
    assert report.mismatched == ()
    try:
        yield RemoteBackend(virtuoso.sparql,
                            default_graph=[str(g) for g in synthetic_graph.source_graphs()])
    finally:
        client = HttpClient(virtuoso.sparql_auth, user=virtuoso.user, password=virtuoso.password)
        own = set(shipped.source_graphs())
        for name in synthetic_graph.source_graphs():
            if name not in own:
                client.request("POST", virtuoso.sparql_auth,
                               data=urlencode({"update": f"DROP SILENT GRAPH <{name}>"}).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})


def bound(saved: SavedQuery, *, synthetic: bool) -> str:
    """The query with its example parameters (or, on synthetic data, synthetic counterparts)."""
    params: dict[str, object] = {}
    for p in saved.params:
        if synthetic and p.name in SYNTHETIC_PARAMS:
            value: object = SYNTHETIC_PARAMS[p.name]
        else:
            value = p.example if p.example is not None else p.default
        if value is not None:
            params[p.name] = value
    return saved.bind(**params)


# ----------------------------------------------------------------------------- comparing answers

NUMERIC = {"integer", "decimal", "double", "float", "positiveInteger", "nonNegativeInteger",
           "negativeInteger", "nonPositiveInteger", "int", "long", "short", "byte",
           "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"}
XSD = "http://www.w3.org/2001/XMLSchema#"


def plain(value: object) -> object:
    """A Python value for comparison: numbers as floats (bool stays bool)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    return value


def same(a: object, b: object) -> bool:
    a, b = plain(a), plain(b)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return type(a) is type(b) and a == b


def row_key(row: dict[str, object]) -> tuple[str, ...]:
    def text(value: object) -> str:
        value = plain(value)
        return f"{value:.6g}" if isinstance(value, float) else f"{type(value).__name__}:{value}"
    return tuple(text(row[name]) for name in sorted(row))


def term_key(term: Node) -> object:
    """A term of a constructed graph, with numeric literals by value."""
    if isinstance(term, Literal) and term.datatype is not None \
            and str(term.datatype).startswith(XSD) and str(term.datatype)[len(XSD):] in NUMERIC:
        return ("number", round(float(Decimal(str(term))), 9))
    return term


def triples(graph: Graph) -> set[tuple[object, object, object]]:
    return {(term_key(s), term_key(p), term_key(o)) for s, p, o in graph}


def assert_same_answer(name: str, reference: QueryResult, other: QueryResult,
                       reference_name: str, other_name: str) -> None:
    assert other.kind == reference.kind, name
    if reference.kind == "ASK":
        assert other.boolean == reference.boolean, name
        return
    if reference.kind in ("CONSTRUCT", "DESCRIBE"):
        assert reference.graph is not None and other.graph is not None
        mine, theirs = triples(reference.graph), triples(other.graph)
        assert mine == theirs, (f"{name}: {reference_name} {len(mine)} triples, {other_name} "
                                f"{len(theirs)}; only in {reference_name}: "
                                f"{sorted(map(str, mine - theirs))[:5]}; only in {other_name}: "
                                f"{sorted(map(str, theirs - mine))[:5]}")
        return
    assert other.variables == reference.variables, name
    mine = sorted(reference.values(), key=row_key)
    theirs = sorted(other.values(), key=row_key)
    matches = len(mine) == len(theirs) and all(
        all(same(row[k], there[k]) for k in row) for row, there in zip(mine, theirs))
    if not matches:
        mine_keys, their_keys = Counter(map(row_key, mine)), Counter(map(row_key, theirs))
        only_mine = list((mine_keys - their_keys).elements())[:4]
        only_theirs = list((their_keys - mine_keys).elements())[:4]
        pytest.fail(f"{name}: {reference_name} answered {len(mine)} rows, {other_name} "
                    f"{len(theirs)}\n  only {reference_name}: {only_mine}\n"
                    f"  only {other_name}: {only_theirs}", pytrace=False)


def run_timed(label: str, backend: Backend, text: str) -> QueryResult:
    started = time.monotonic()
    try:
        return backend.run(text)
    finally:
        TIMINGS[label] = time.monotonic() - started


# ----------------------------------------------------------------------------- the shipped data

@pytest.mark.parametrize("name", SAVED)
def test_the_store_answers_like_rdflib_on_the_shipped_data(name, library, shipped_backends):
    text = bound(library.get(name), synthetic=False)
    reference = run_timed(f"shipped {name} embedded", shipped_backends["embedded"], text)
    answer = run_timed(f"shipped {name} store", shipped_backends["store"], text)
    assert_same_answer(name, reference, answer, "rdflib", "store")


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", SAVED)
def test_virtuoso_answers_like_rdflib_on_the_shipped_data(name, library, shipped_backends,
                                                          virtuoso_shipped):
    text = bound(library.get(name), synthetic=False)
    reference = shipped_backends["embedded"].run(text)
    answer = run_timed(f"shipped {name} virtuoso", virtuoso_shipped, text)
    assert_same_answer(name, reference, answer, "rdflib", "Virtuoso")


# ----------------------------------------------------------------------------- with synthetic data

@pytest.mark.parametrize("name", SAVED)
def test_the_store_answers_like_rdflib_on_synthetic_data(name, library, synthetic_backends):
    if name in TOO_SLOW:
        pytest.skip(f"rdflib takes a minute for {name} on this data (see TOO_SLOW)")
    text = bound(library.get(name), synthetic=True)
    reference = run_timed(f"synthetic {name} embedded", synthetic_backends["embedded"], text)
    answer = run_timed(f"synthetic {name} store", synthetic_backends["store"], text)
    assert_same_answer(name, reference, answer, "rdflib", "store")


@pytest.mark.virtuoso
@pytest.mark.parametrize("name", SAVED)
def test_virtuoso_answers_like_the_store_on_synthetic_data(name, library, synthetic_backends,
                                                           virtuoso_synthetic):
    if name in TOO_SLOW:
        pytest.skip(f"Virtuoso times out on {name} on this data (see TOO_SLOW)")
    if name in VIRTUOSO_FLAKY_ON_SYNTHETIC:
        pytest.skip(f"Virtuoso 7.2.5 loses an OPTIONAL binding on {name} now and then "
                    "(see VIRTUOSO_FLAKY_ON_SYNTHETIC)")
    text = bound(library.get(name), synthetic=True)
    reference = synthetic_backends["store"].run(text)
    answer = run_timed(f"synthetic {name} virtuoso", virtuoso_synthetic, text)
    assert_same_answer(name, reference, answer, "store", "Virtuoso")


def test_reported_growth_matches_derived_growth(library, synthetic_backends, synthetic):
    """Where only the store answers: each growth an article reports is one the graph derives.

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
                and row["fromStart"].year >= first_year]  # type: ignore[union-attr]
    assert reported
    for row in reported:
        assert any(d["area"] == row["area"] and d["fromPeriod"] == row["fromPeriod"]
                   and d["toPeriod"] == row["toPeriod"]
                   and abs(float(d["growth"]) - float(row["growth"])) <= 0.01  # type: ignore[arg-type]
                   for d in derived), row


def test_the_synthetic_answers_are_not_empty(library, synthetic_backends):
    """The synthetic parameters reach synthetic data: the comparisons above compare something."""
    store = synthetic_backends["store"]
    empty = []
    for name in SAVED:
        saved = library.get(name)
        if not any(p.name in SYNTHETIC_PARAMS and SYNTHETIC_PARAMS[p.name] for p in saved.params):
            continue
        answer = store.run(bound(saved, synthetic=True))
        size = len(answer.rows) if answer.kind == "SELECT" else len(answer.graph or ())
        if not size:
            empty.append(name)
    assert not empty, f"no answer on the synthetic data: {empty}"


def test_report_timings() -> None:
    """Not a check: prints how long each backend took (pytest -s shows it)."""
    for label, seconds in sorted(TIMINGS.items(), key=lambda kv: -kv[1])[:15]:
        print(f"{seconds:8.3f} s  {label}")

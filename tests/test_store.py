"""The on-disk store: bulk loading, refusing what does not parse, reopening, and the CLI on it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import InputError, QueryError, SourceFileError, StoreError
from kg.export import export
from kg.formats import RdfFormat
from kg.load import KnowledgeGraph, Project, rdf_files
from kg.store import OxigraphBackend, export_store, is_store, load_store

SOURCE = "https://kg.example/id/source/"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Path:
    """The shipped data in a store, loaded once. Do not modify it."""
    path = tmp_path_factory.mktemp("store") / "store"
    load_store(path, rdf_files(project.data_dir))
    return path


@pytest.fixture(scope="module")
def backend(store_path: Path) -> OxigraphBackend:
    return OxigraphBackend.open(store_path)


def quads_of(text: str, fmt: str) -> set[tuple[object, ...]]:
    dataset = Dataset()
    dataset.parse(data=text, format=fmt)
    return {(s, p, by_value(o), g) for s, p, o, g in dataset.quads((None, None, None, None))}


def by_value(term: object) -> object:
    """Numbers by value: the store writes 47.0 as 47 and positiveInteger as integer."""
    if isinstance(term, Literal) and term.datatype in (XSD.decimal, XSD.integer,
                                                       XSD.positiveInteger):
        return ("number", float(term))
    return term


# ----------------------------------------------------------------------------- loading

def test_the_store_holds_every_statement_of_every_source_graph(backend, shipped):
    assert backend.source_graphs() == shipped.source_graphs()
    assert len(backend) == len(shipped)
    for name in shipped.source_graphs():
        answer = backend.run(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        assert int(answer.values()[0]["n"]) == len(shipped.dataset.graph(name)), name  # type: ignore[call-overload]


def test_the_default_graph_is_the_merge_each_triple_once(backend, shipped):
    distinct = {(s, p, o) for s, p, o, _ in shipped.dataset.quads((None, None, None, None))}
    answer = backend.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(answer.values()[0]["n"]) == len(distinct)  # type: ignore[call-overload]
    assert len(distinct) < len(shipped)  # the sources repeat types and labels


def test_reopening_takes_milliseconds_and_readers_share_the_store(store_path):
    started = time.monotonic()
    readers = [OxigraphBackend.open(store_path) for _ in range(3)]
    assert (time.monotonic() - started) / 3 < 0.5
    assert all(r.run("ASK { ?s a kg:SourceArticle }").boolean for r in readers)


def test_a_file_that_does_not_parse_is_refused_and_the_store_is_unchanged(tmp_path, project):
    good = rdf_files(project.data_dir)
    load_store(tmp_path / "store", good[:2])
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:g { ex:a ex:b . }\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        load_store(tmp_path / "store", [*good, bad])
    assert str(caught.value).startswith(f"{bad}:2:")
    assert OxigraphBackend.open(tmp_path / "store").source_graphs() == [
        URIRef(SOURCE + p.stem) for p in good[:2]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.trig", "store"]  # no leftovers


@pytest.mark.parametrize("content, why", [
    (b"\x00\x01binary", "binary"),
    (b'<https://e.org/a> <https://e.org/b> "caf\xe9" .\n', "UTF-8"),
    (b"ex:a ex:b ex:c .\n", "prefix ex: has not been declared"),
])
def test_unreadable_files_are_named_with_what_is_wrong(tmp_path, content, why):
    path = tmp_path / "broken.ttl"
    path.write_bytes(content)
    with pytest.raises(SourceFileError, match=why):
        load_store(tmp_path / "store", [path])
    assert not (tmp_path / "store").exists()


def test_adding_files_keeps_what_the_store_held(tmp_path, project):
    files = rdf_files(project.data_dir)
    load_store(tmp_path / "store", files[:1])
    report = load_store(tmp_path / "store", files[1:3], add=True)
    assert report.added and report.graphs == 3
    bad = tmp_path / "bad.nq"
    bad.write_text("<https://e.org/a> <https://e.org/b> .\n", encoding="utf-8")
    with pytest.raises(SourceFileError):
        load_store(tmp_path / "store", [files[3], bad], add=True)
    assert len(OxigraphBackend.open(tmp_path / "store").source_graphs()) == 3


def test_a_folder_that_is_not_a_store_is_neither_opened_nor_replaced(tmp_path, project):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(StoreError, match="not a kg store"):
        OxigraphBackend.open(tmp_path / "mine")
    with pytest.raises(InputError, match="not a kg store"):
        load_store(tmp_path / "mine", rdf_files(project.data_dir))
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not is_store(tmp_path / "mine")


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(SourceFileError, match="no such file"):
        load_store(tmp_path / "store", [tmp_path / "nowhere.trig"])


# ----------------------------------------------------------------------------- querying

def test_terms_come_back_as_rdflib_terms_like_the_embedded_ones(backend):
    answer = backend.run(
        'SELECT ?id ?label ?date ?value WHERE { GRAPH ?g { ?g dct:identifier ?id ; '
        'skos:prefLabel ?label ; kg:statedDate ?date } '
        'OPTIONAL { ?o dct:source ?g ; sdmx-measure:obsValue ?value } '
        'FILTER(LANG(?label) = "id") } ORDER BY ?id LIMIT 1')
    row = answer.rows[0]
    assert row["id"] == Literal("000_9a270a74a60b7d58")  # plain, not ^^xsd:string
    assert isinstance(row["label"], Literal) and row["label"].language == "id"
    assert row["date"] == Literal("2025-11-19", datatype=XSD.date)
    assert isinstance(row["value"], Literal) and row["value"].datatype in (XSD.decimal, XSD.integer)


@pytest.mark.parametrize("query, why", [
    ("SELECT * WHERE { ?s ?p }", "does not parse"),
    ("INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }", "is an update"),
])
def test_bad_queries_are_query_errors(backend, query, why):
    with pytest.raises(QueryError, match=why):
        backend.run(query)


# ----------------------------------------------------------------------------- export

@pytest.mark.parametrize("fmt", [RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.TURTLE,
                                 RdfFormat.NTRIPLES, RdfFormat.JSONLD])
def test_exporting_the_store_gives_the_statements_exporting_the_files_gives(fmt, backend, shipped):
    mine, theirs = export_store(backend, fmt), export(shipped, fmt)
    rdflib_name = {"turtle": "turtle", "nt": "nt", "trig": "trig", "nquads": "nquads",
                   "json-ld": "json-ld"}[fmt.rdflib_name]
    if fmt.has_graphs:
        assert quads_of(mine, rdflib_name) == quads_of(theirs, rdflib_name)
    else:
        assert {q[:3] for q in quads_of(mine, rdflib_name)} == {q[:3] for q in quads_of(theirs, rdflib_name)}


def test_exporting_one_source_graph_of_the_store(backend, shipped):
    text = export_store(backend, RdfFormat.NQUADS, source="004_ceeb33199186a361")
    graphs = {q[3] for q in quads_of(text, "nquads")}
    assert graphs == {URIRef(SOURCE + "004_ceeb33199186a361")}
    with pytest.raises(InputError, match="no source graph"):
        export_store(backend, RdfFormat.NQUADS, source="nope")


# ----------------------------------------------------------------------------- the CLI

def test_cli_load_then_query_with_store_option_and_environment(kg, tmp_path, monkeypatch, project):
    path = tmp_path / "store"
    run = kg("load", "--store", path)
    assert run.code == 0, run
    assert f"into {path}" in run.out and "5 graphs" in run.out
    assert kg("--store", path, "query", "sources", "-f", "csv").out.count("\n") == 6
    assert kg("query", "sources", "--store", path, "-f", "csv").out.count("\n") == 6
    monkeypatch.setenv("KG_STORE", str(path))
    run = kg("sparql", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
             "-f", "csv")
    assert run.out.splitlines()[1] == "5"


def test_cli_load_without_a_store_is_refused(kg, monkeypatch):
    monkeypatch.delenv("KG_STORE", raising=False)
    run = kg("load")
    assert run.code == 2 and "--store PATH" in run.err


def test_cli_store_and_endpoint_together_are_refused(kg, store_path):
    run = kg("--store", store_path, "query", "sources", "--endpoint", "http://127.0.0.1:9/sparql")
    assert run.code == 2 and "not both" in run.err


def test_cli_summary_of_the_store_counts_what_the_files_hold(kg, store_path):
    from_store, from_files = kg("--store", store_path, "summary"), kg("summary")
    assert from_store.code == 0
    cut = from_files.out.index("\nvalidation:")
    assert from_store.out.startswith(from_files.out[:cut])


def test_cli_validate_checks_files_not_a_store(kg, store_path, monkeypatch):
    run = kg("--store", store_path, "validate")
    assert run.code == 2 and "checks files, not a store" in run.err
    monkeypatch.setenv("KG_STORE", str(store_path))
    assert kg("validate").code == 0  # $KG_STORE does not redirect validation


def test_cli_export_from_the_store(kg, store_path, tmp_path):
    run = kg("--store", store_path, "export", "-f", "nquads", "-o", tmp_path / "all.nq")
    assert run.code == 0, run
    graphs = {q[3] for q in quads_of((tmp_path / "all.nq").read_text(encoding="utf-8"), "nquads")}
    assert len(graphs) == 5


def test_cli_load_validate_refuses_files_that_do_not_conform(kg, tmp_path):
    bad = tmp_path / "bad.trig"
    bad.write_text(
        "@prefix kg: <https://kg.example/def/> .\n@prefix source: <https://kg.example/id/source/> .\n"
        "source:x { source:x a kg:SourceArticle . }\n", encoding="utf-8")
    run = kg("load", "--store", tmp_path / "store", "--validate", bad)
    assert run.code == 1
    assert "not loaded" in run.out and not (tmp_path / "store").exists()


def test_a_knowledge_graph_is_not_needed_to_open_a_store(store_path):
    """The store stands alone: no data/ files are read to query it."""
    backend = OxigraphBackend.open(store_path)
    assert not isinstance(backend, KnowledgeGraph)
    assert backend.run("ASK { ?s a qb:Observation }").boolean

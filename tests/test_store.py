"""The on-disk store: the same graph as in memory, bulk loading, refusing what does not parse,
reopening, and the CLI on it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError, QueryError, SourceFileError, StoreError
from kg.export import export
from kg.formats import RdfFormat
from kg.graph import KnowledgeGraph, is_store, load_graph, load_store, open_store
from kg.parse import rdf_files
from kg.project import Project

SOURCE = "https://kg.example/id/source/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory, project: Project) -> Path:
    """The shipped data in a store, loaded once. Do not modify it."""
    path = tmp_path_factory.mktemp("store") / "store"
    load_store(path, rdf_files(project.data_dir), project=project)
    return path


@pytest.fixture(scope="module")
def backend(store_path: Path) -> KnowledgeGraph:
    return open_store(store_path)


def parsed(data: bytes | None, fmt: RdfFormat) -> set[ox.Quad]:
    return set(ox.parse(data or b"", fmt.ox_format))


# ----------------------------------------------------------------------------- the same layout

def test_the_store_has_the_layout_of_the_graph_in_memory(backend, shipped):
    """Source graphs, vocabulary graphs and the merged default graph: quad for quad."""
    assert backend.source_graphs() == shipped.source_graphs()
    assert backend.vocabulary_graphs() == shipped.vocabulary_graphs() == [
        ox.NamedNode("https://kg.example/code/"), ox.NamedNode("https://kg.example/def/")]
    for name in shipped.source_graphs() + shipped.vocabulary_graphs():
        assert set(backend.quads(graph=name)) == set(shipped.quads(graph=name)), name
    assert set(backend.triples()) == set(shipped.triples())
    assert set(backend.store) == set(shipped.store)  # nothing else, anywhere


def test_the_store_holds_every_statement_of_every_source_graph(backend, shipped):
    assert backend.source_graphs() == shipped.source_graphs()
    assert len(backend) == len(shipped)
    for name in shipped.source_graphs():
        answer = backend.run(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
        assert answer.values()[0]["n"] == len(list(shipped.quads(graph=name))), name


def test_the_default_graph_is_the_merge_each_triple_once(backend, shipped):
    distinct = {q.triple for q in shipped.quads()}
    answer = backend.run("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert answer.values()[0]["n"] == len(distinct)
    stated = {q.triple for name in shipped.source_graphs() for q in shipped.quads(graph=name)}
    assert len(stated) < len(shipped)  # the sources repeat types and labels


def test_reopening_takes_milliseconds_and_readers_share_the_store(store_path, timings):
    started = time.monotonic()
    readers = [open_store(store_path) for _ in range(3)]
    timings["open the shipped store (each of 3 readers)"] = (time.monotonic() - started) / 3
    assert timings["open the shipped store (each of 3 readers)"] < 0.5
    assert all(r.run("ASK { ?s a kg:SourceArticle }").boolean for r in readers)


def test_a_store_needs_no_data_files_to_be_queried(tmp_path, project_copy):
    """The store stands alone: no data/ file is read to query it."""
    load_store(tmp_path / "store", project=project_copy)
    shutil.rmtree(project_copy.data_dir)
    graph = open_store(tmp_path / "store")
    assert graph.run("ASK { ?s a qb:Observation }").boolean
    assert len(graph.source_graphs()) == 5


# ----------------------------------------------------------------------------- loading

def test_a_file_that_does_not_parse_is_refused_and_the_store_is_unchanged(tmp_path, project):
    good = rdf_files(project.data_dir)
    load_store(tmp_path / "store", good[:2], project=project)
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:g { ex:a ex:b . }\n", encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        load_store(tmp_path / "store", [*good, bad], project=project)
    assert str(caught.value).startswith(f"{bad}:2:")
    assert open_store(tmp_path / "store").source_graphs() == [
        ox.NamedNode(SOURCE + p.stem) for p in good[:2]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.trig", "store"]  # no leftovers


def test_a_load_that_fails_leaves_no_half_built_store_behind(tmp_path, project):
    """The failing load's frames held the store being built open while its folder was
    removed; RocksDB then wrote CURRENT, MANIFEST and a table into it again: a
    `.store.loading-*` folder was left beside the store about one time in two."""
    good = rdf_files(project.data_dir)
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:g { ex:a ex:b . }\n", encoding="utf-8")
    for attempt in range(6):
        folder = tmp_path / f"attempt-{attempt}"
        folder.mkdir()
        with pytest.raises(SourceFileError):
            load_store(folder / "store", [*good, bad], project=project)
        assert list(folder.iterdir()) == [], attempt


@pytest.mark.parametrize("content, why", [
    (b"\x00\x01binary", "binary"),
    (b'<https://e.org/a> <https://e.org/b> "caf\xe9" .\n', "UTF-8"),
    (b"ex:a ex:b ex:c .\n", "prefix ex: has not been declared"),
])
def test_unreadable_files_are_named_with_what_is_wrong(tmp_path, project, content, why):
    path = tmp_path / "broken.ttl"
    path.write_bytes(content)
    with pytest.raises(SourceFileError, match=why):
        load_store(tmp_path / "store", [path], project=project)
    assert not (tmp_path / "store").exists()


def test_adding_files_keeps_what_the_store_held(tmp_path, project):
    files = rdf_files(project.data_dir)
    load_store(tmp_path / "store", files[:1], project=project)
    report = load_store(tmp_path / "store", files[1:3], add=True, project=project)
    assert report.added and report.graphs == 3 + 2  # three sources, the two vocabulary graphs
    bad = tmp_path / "bad.nq"
    bad.write_text("<https://e.org/a> <https://e.org/b> .\n", encoding="utf-8")
    with pytest.raises(SourceFileError):
        load_store(tmp_path / "store", [files[3], bad], add=True, project=project)
    graph = open_store(tmp_path / "store")
    assert graph.source_graphs() == [ox.NamedNode(SOURCE + p.stem) for p in files[:3]]
    assert {q.triple for q in graph.triples()} == {q.triple for q in graph.quads()}  # merged


def test_kg_load_of_a_folder_loads_every_rdf_file_in_it(kg, project, shipped, tmp_path):
    """`kg load --store S FOLDER` said "cannot tell the RDF format from the suffix '(none)'"."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for path in rdf_files(project.data_dir):
        shutil.copy2(path, folder / path.name)
    (folder / "README.md").write_text("notes, not RDF\n")
    run = kg("--root", project.root, "load", "--store", tmp_path / "store", folder)
    assert run.code == 0, run
    assert set(open_store(tmp_path / "store").triples()) == set(shipped.triples())
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = kg("--root", project.root, "load", "--store", tmp_path / "other", empty)
    assert refused.code == 2
    assert f"{empty}: a folder with no RDF file in it" in refused.err


def test_a_folder_that_is_not_a_store_is_neither_opened_nor_replaced(tmp_path, project):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(StoreError, match="no kg store there"):
        open_store(tmp_path / "mine")
    with pytest.raises(InputError, match="not a kg store"):
        load_store(tmp_path / "mine", rdf_files(project.data_dir), project=project)
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not is_store(tmp_path / "mine")


def test_a_missing_file_is_named(tmp_path, project):
    with pytest.raises(SourceFileError, match="no such file"):
        load_store(tmp_path / "store", [tmp_path / "nowhere.trig"], project=project)


def test_a_store_opened_read_only_refuses_additions(backend):
    quad = ox.Quad(ox.NamedNode("https://e.org/a"), ox.NamedNode("https://e.org/b"),
                   ox.Literal("c"), ox.NamedNode(SOURCE + "x"))
    with pytest.raises(StoreError, match="read-only"):
        backend.add([quad])
    assert quad not in set(backend.quads())


# ----------------------------------------------------------------------------- querying

LABELLED_SOURCE = (
    'SELECT ?id ?label ?date ?value WHERE { GRAPH ?g { ?g dct:identifier ?id ; '
    'skos:prefLabel ?label ; kg:statedDate ?date } '
    'OPTIONAL { ?o dct:source ?g ; sdmx-measure:obsValue ?value } '
    'FILTER(LANG(?label) = "id") } ORDER BY ?id ?value LIMIT 1')


def test_terms_come_back_as_the_same_terms_as_in_memory(backend, shipped):
    answer = backend.run(LABELLED_SOURCE)
    row = answer.rows[0]
    assert row["id"] == ox.Literal("000_9a270a74a60b7d58")  # xsd:string, as written
    assert isinstance(row["label"], ox.Literal) and row["label"].language == "id"
    assert row["date"] == ox.Literal("2025-11-19", datatype=ox.NamedNode(XSD + "date"))
    assert isinstance(row["value"], ox.Literal)
    assert row["value"].datatype.value in (XSD + "decimal", XSD + "integer")
    assert answer == shipped.run(LABELLED_SOURCE)


@pytest.mark.parametrize("query, why", [
    ("SELECT * WHERE { ?s ?p }", "does not parse"),
    ("INSERT DATA { <https://e.org/a> <https://e.org/b> 1 }", "is an update"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE is refused"),
])
def test_bad_queries_are_query_errors(backend, query, why):
    with pytest.raises(QueryError, match=why):
        backend.run(query)


# ----------------------------------------------------------------------------- export

@pytest.mark.parametrize("fmt", [RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.TURTLE,
                                 RdfFormat.NTRIPLES, RdfFormat.JSONLD], ids=lambda f: f.name.lower())
def test_exporting_the_store_gives_the_statements_exporting_the_files_gives(fmt, backend, shipped):
    mine, theirs = parsed(export(backend, fmt), fmt), parsed(export(shipped, fmt), fmt)
    assert mine == theirs
    assert mine  # something was written


def test_exporting_one_source_graph_of_the_store(backend, shipped):
    name = ox.NamedNode(SOURCE + "004_ceeb33199186a361")
    quads = parsed(export(backend, RdfFormat.NQUADS, source="004_ceeb33199186a361"),
                   RdfFormat.NQUADS)
    assert quads == set(shipped.quads(graph=name))
    with pytest.raises(InputError, match="no source graph"):
        export(backend, RdfFormat.NQUADS, source="nope")


# ----------------------------------------------------------------------------- the CLI

def test_cli_load_then_query_with_store_option_and_environment(kg, tmp_path, monkeypatch, project):
    path = tmp_path / "store"
    run = kg("load", "--store", path)
    assert run.code == 0, run
    assert f"into {path}" in run.out and "in 7 graphs" in run.out  # 5 sources, 2 vocabulary
    assert kg("--store", path, "query", "sources", "-f", "csv").out.count("\n") == 6
    assert kg("query", "sources", "--store", path, "-f", "csv").out.count("\n") == 6
    two = tmp_path / "two"
    assert kg("load", "--store", two, *rdf_files(project.data_dir)[:2]).code == 0
    monkeypatch.setenv("KG_STORE", str(two))
    run = kg("sparql", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?g a kg:SourceArticle } }",
             "-f", "csv")
    assert run.out.splitlines()[1] == "2"  # the store of $KG_STORE, not data/


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


def test_cli_validate_checks_the_store_as_it_is(kg, project, tmp_path, monkeypatch):
    """`kg --store PATH validate` validates what the store holds (README), not data/; files
    beside a store are refused: a store holds what it was loaded with."""
    from conftest import FIXTURES

    broken = FIXTURES / "invalid" / "FacilityShape-partsAddUp.trig"
    path = tmp_path / "store"
    load_store(path, [broken], project=project)
    run = kg("--store", path, "validate")
    assert run.code == 1, run
    assert broken.with_suffix(".expected").read_text(encoding="utf-8").strip() in run.out
    refused = kg("--store", path, "validate", broken)
    assert refused.code == 2 and "with --store, kg validate checks the store as it is" in \
        refused.err, refused
    monkeypatch.setenv("KG_STORE", str(path))
    assert kg("validate").code == 1  # $KG_STORE names the store validated, as --store does
    monkeypatch.delenv("KG_STORE")
    assert kg("validate").code == 0  # the shipped data/ conforms


def test_cli_export_from_the_store(kg, store_path, tmp_path, shipped):
    run = kg("--store", store_path, "export", "-f", "nquads", "-o", tmp_path / "all.nq")
    assert run.code == 0, run
    quads = parsed((tmp_path / "all.nq").read_bytes(), RdfFormat.NQUADS)
    assert {q.graph_name for q in quads} == set(shipped.source_graphs() + shipped.vocabulary_graphs())
    assert quads == set(shipped.quads())


def test_cli_load_validate_refuses_files_that_do_not_conform(kg, tmp_path):
    bad = tmp_path / "bad.trig"
    bad.write_text(
        "@prefix kg: <https://kg.example/def/> .\n@prefix source: <https://kg.example/id/source/> .\n"
        "source:x { source:x a kg:SourceArticle . }\n", encoding="utf-8")
    run = kg("load", "--store", tmp_path / "store", "--validate", bad)
    assert run.code == 1
    assert "not loaded" in run.out and not (tmp_path / "store").exists()


def test_a_graph_loaded_in_memory_and_one_on_disk_answer_every_saved_query_alike(
        backend, shipped, project):
    from kg.queries import QueryLibrary

    library = QueryLibrary.load(project.queries_dir)
    for name in library.names():
        query = library.get(name)
        text = query.bind(**{p.name: p.example for p in query.params if p.example})
        on_disk, in_memory = backend.run(text), shipped.run(text)
        if on_disk.triples is not None:  # a graph: no order
            assert set(on_disk.triples) == set(in_memory.triples or ()), name
        else:
            assert on_disk == in_memory, name



def test_a_summary_parses_no_data_file(store_path, project, monkeypatch):
    """describe() asked for the file of each vocabulary graph, which no data file states:
    every data file was parsed to find out (0.28 s of a 0.5 s summary at 155k statements)."""
    import kg.graph

    def refuse(path, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{path} parsed for a summary")

    monkeypatch.setattr(kg.graph, "quads_of", refuse)
    in_memory = load_graph(project)  # a graph whose origins were never asked
    assert open_store(store_path).describe() == in_memory.describe()


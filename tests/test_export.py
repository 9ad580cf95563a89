"""Export: every format reads back as the same graphs, JSON-LD offline, files all or nothing."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import InputError
from kg.export import build_context, export, resolve_source, write_atomically
from kg.formats import RdfFormat
from kg.load import CONTEXT_FILE, CONTEXT_IRI, KnowledgeGraph, Project, load_graph, new_dataset, parse_into
from kg.namespaces import KG, PREFIXES, SCHEMA, SDMX_MEASURE, SOURCE, STANDARD

ROOT = Path(__file__).resolve().parents[1]
# Plain Namespaces: rdflib's RDF, SKOS and XSD objects warn when pytest inspects them.
RDF, SKOS, XSD = STANDARD["rdf"], STANDARD["skos"], STANDARD["xsd"]
GRAPH_FORMATS = [RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.JSONLD]
UNION_FORMATS = [RdfFormat.TURTLE, RdfFormat.NTRIPLES]


def sample_graph() -> KnowledgeGraph:
    """Two source graphs sharing a subject, with the kinds of terms the data uses."""
    dataset = new_dataset()
    obs = URIRef(PREFIXES["obs"] + "004-umkm-count-2024")
    for stem, value in (("001_aaaa", 87397), ("004_bbbb", 87400)):
        source = SOURCE[stem]
        g = dataset.graph(source)
        g.add((source, RDF.type, KG.SourceArticle))
        g.add((source, KG.statedDate, Literal("2024-11-25", datatype=XSD.date)))
        g.add((source, SKOS.prefLabel, Literal("Berita \"UMKM\"\nBalikpapan", lang="id")))
        g.add((source, SKOS.prefLabel, Literal("SME news", lang="en")))
        g.add((source, SCHEMA.inLanguage, Literal("id")))
        g.add((obs, SDMX_MEASURE.obsValue, Literal(value)))
        g.add((obs, KG.rank, Literal("1", datatype=XSD.positiveInteger)))
        g.add((obs, KG.share, Literal("19.23", datatype=XSD.decimal)))
        g.add((obs, KG.yearBuilt, Literal("2019", datatype=XSD.gYear)))
        g.add((obs, KG.sector, URIRef(PREFIXES["sector"] + "culinary-food")))
        g.add((obs, KG.statedAs, Literal("87.397 unit usaha", lang="id")))
    return KnowledgeGraph(dataset)


@pytest.fixture(params=["sample", "shipped"])
def graph(request: pytest.FixtureRequest) -> KnowledgeGraph:
    if request.param == "sample":
        return sample_graph()
    shipped: KnowledgeGraph = request.getfixturevalue("shipped")
    return shipped


def read_back(text: str, fmt: RdfFormat, tmp_path: Path) -> KnowledgeGraph:
    """Parse an export the way kg loads files (JSON-LD contexts resolved locally)."""
    path = tmp_path / f"export{fmt.extension}"
    path.write_text(text, encoding="utf-8")
    back = KnowledgeGraph(new_dataset())
    parse_into(back.dataset, path)
    return back


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name.lower())
def test_formats_with_graphs_read_back_as_the_same_graphs(graph, fmt, tmp_path):
    back = read_back(export(graph, fmt), fmt, tmp_path)
    assert back.source_graphs() == graph.source_graphs()
    for name in graph.source_graphs():
        assert isomorphic(back.dataset.graph(name), graph.dataset.graph(name)), name


@pytest.mark.parametrize("fmt", UNION_FORMATS, ids=lambda f: f.name.lower())
def test_formats_without_graphs_read_back_as_the_union(graph, fmt):
    back = Graph().parse(data=export(graph, fmt), format=fmt.rdflib_name)
    assert isomorphic(back, graph.union())


def test_turtle_uses_the_project_prefixes():
    text = export(sample_graph(), RdfFormat.TURTLE)
    assert "@prefix source: <https://kg.example/id/source/> ." in text
    assert "source:001_aaaa" in text


@pytest.mark.parametrize("name", [
    "https://kg.example/id/source/004_bbbb", "<https://kg.example/id/source/004_bbbb>",
    "source:004_bbbb", "004_bbbb", " 004_bbbb ",
])
def test_a_source_is_named_by_iri_prefixed_name_or_stem(name):
    assert resolve_source(sample_graph(), name) == SOURCE["004_bbbb"]


def test_one_source_graph_exports_alone(tmp_path):
    graph = sample_graph()
    back = read_back(export(graph, RdfFormat.TRIG, source="004_bbbb"), RdfFormat.TRIG, tmp_path)
    assert back.source_graphs() == [SOURCE["004_bbbb"]]
    assert isomorphic(back.dataset.graph(SOURCE["004_bbbb"]), graph.dataset.graph(SOURCE["004_bbbb"]))


def test_an_unknown_source_is_refused_listing_the_known_ones():
    with pytest.raises(InputError) as caught:
        export(sample_graph(), RdfFormat.TRIG, source="source:999_nope")
    message = str(caught.value)
    assert "'source:999_nope'" in message
    assert "source:001_aaaa, source:004_bbbb" in message


def test_jsonld_is_compacted_with_readable_keys_and_a_graph_per_source():
    document = json.loads(export(sample_graph(), RdfFormat.JSONLD))
    assert document["@context"] == json.loads(CONTEXT_FILE.read_text())["@context"]
    graphs = {entry["@id"]: entry["@graph"] for entry in document["@graph"]}
    assert set(graphs) == {"source:001_aaaa", "source:004_bbbb"}
    article = next(node for node in graphs["source:004_bbbb"] if node["@id"] == "source:004_bbbb")
    assert article["@type"] == "kg:SourceArticle"
    assert article["statedDate"] == "2024-11-25"
    assert "prefLabel" in article


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_jsonld_export_reads_back_without_the_network(offline, tmp_path):
    graph = sample_graph()
    text = export(graph, RdfFormat.JSONLD)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "all.jsonld").write_text(text, encoding="utf-8")
    back = load_graph(Project(tmp_path))
    for name in graph.source_graphs():
        assert isomorphic(back.dataset.graph(name), graph.dataset.graph(name))


def test_jsonld_referencing_the_shipped_context_by_iri_loads_offline(offline, tmp_path):
    graph = sample_graph()
    document = json.loads(export(graph, RdfFormat.JSONLD))
    document["@context"] = CONTEXT_IRI
    path = tmp_path / "referenced.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    back = KnowledgeGraph(new_dataset())
    parse_into(back.dataset, path)
    for name in graph.source_graphs():
        assert isomorphic(back.dataset.graph(name), graph.dataset.graph(name))


def test_the_shipped_context_holds_every_prefix_and_is_up_to_date(ontology):
    shipped = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    for prefix, iri in PREFIXES.items():
        assert shipped["@context"][prefix] == iri
    assert shipped == build_context(ontology), (
        "src/kg/context.jsonld is out of date with ontology/: regenerate it with "
        "`python -m kg.export`")


def test_the_context_is_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "context.jsonld" in pyproject


# ----------------------------------------------------------------------------- writing files

def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_write_replaces_a_file_whole(tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("old", encoding="utf-8")
    write_atomically(target, "new content\n")
    assert target.read_text(encoding="utf-8") == "new content\n"
    assert leftovers(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch, failing):
    target = tmp_path / "out.trig"
    target.write_text("old", encoding="utf-8")

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(InputError, match="No space left on device"):
        write_atomically(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_a_failed_first_write_leaves_no_file(tmp_path, monkeypatch):
    def fail(*args: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(InputError):
        write_atomically(tmp_path / "out.nq", "text")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- the command

def test_cli_export_writes_the_format_its_suffix_names(kg, tmp_path, shipped):
    target = tmp_path / "graph.nq"
    run = kg("export", "-o", target)
    assert run.code == 0, run
    back = read_back(target.read_text(encoding="utf-8"), RdfFormat.NQUADS, tmp_path)
    assert back.source_graphs() == shipped.source_graphs()
    assert len(back) == len(shipped)


def test_cli_export_to_stdout_defaults_to_trig(kg, tmp_path, shipped):
    run = kg("export")
    assert run.code == 0, run
    assert len(read_back(run.out, RdfFormat.TRIG, tmp_path)) == len(shipped)


def test_cli_export_turtle_of_one_source(kg, shipped):
    if not shipped.source_graphs():
        pytest.skip("no shipped data yet")
    name = shipped.source_graphs()[0]
    stem = str(name).removeprefix(str(SOURCE))
    run = kg("export", "--format", "turtle", "--graph", stem)
    assert run.code == 0, run
    assert isomorphic(Graph().parse(data=run.out, format="turtle"), shipped.dataset.graph(name))


def test_cli_export_of_an_unknown_graph_fails_in_one_line_and_writes_nothing(kg, tmp_path):
    target = tmp_path / "out.trig"
    run = kg("export", "--graph", "nope", "-o", target)
    assert run.code == 2
    assert run.err.startswith("kg: error: no source graph 'nope'; known: ")
    assert run.err.count("\n") == 1
    assert not target.exists()


def test_cli_export_into_a_missing_folder_fails_in_one_line(kg, tmp_path):
    run = kg("export", "-o", tmp_path / "absent" / "out.trig")
    assert run.code == 2
    assert "no folder" in run.err and run.err.count("\n") == 1

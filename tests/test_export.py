"""Export: every format reads back as the same graphs, JSON-LD offline, files all or nothing.

What an export holds is read back twice: by kg's own reader (pyoxigraph), and by
rdflib, an independent processor, to prove that another tool reads the same
statements out of what kg wrote.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.atomic import write_atomically
from kg.errors import InputError
from kg.export import build_context, export, export_to, resolve_source
from kg.formats import RdfFormat
from kg.graph import KnowledgeGraph, load_graph, merge
from kg.parse import CONTEXT_FILE, CONTEXT_IRI, load_file
from kg.prefixes import PREFIXES
from kg.project import Project

ROOT = Path(__file__).resolve().parents[1]
GRAPH_FORMATS = [RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.JSONLD]
UNION_FORMATS = [RdfFormat.TURTLE, RdfFormat.NTRIPLES]
SOURCE = PREFIXES["source"]
KG, XSD, RDF = PREFIXES["kg"], PREFIXES["xsd"], PREFIXES["rdf"]
SKOS, SCHEMA = PREFIXES["skos"], PREFIXES["schema"]
VOCABULARY = [ox.NamedNode("https://kg.example/code/"), ox.NamedNode("https://kg.example/def/")]


def iri(prefix: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(PREFIXES[prefix] + local)


def typed(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(XSD + datatype))


def sample_graph() -> KnowledgeGraph:
    """Two source graphs sharing a subject, with the kinds of terms the data uses."""
    quads = []
    obs = iri("obs", "004-umkm-count-2024")
    for stem, value in (("001_aaaa", "87397"), ("004_bbbb", "87400")):
        source = iri("source", stem)
        for s, p, o in [
            (source, iri("rdf", "type"), iri("kg", "SourceArticle")),
            (source, iri("kg", "statedDate"), typed("2024-11-25", "date")),
            (source, iri("skos", "prefLabel"), ox.Literal("Berita \"UMKM\"\nBalikpapan", language="id")),
            (source, iri("skos", "prefLabel"), ox.Literal("SME news", language="en")),
            (source, iri("schema", "inLanguage"), ox.Literal("id")),
            (obs, iri("sdmx-measure", "obsValue"), typed(value, "integer")),
            (obs, iri("kg", "rank"), typed("1", "positiveInteger")),
            (obs, iri("kg", "share"), typed("19.23", "decimal")),
            (obs, iri("kg", "yearBuilt"), typed("2019", "gYear")),
            (obs, iri("kg", "sector"), iri("sector", "culinary-food")),
            (obs, iri("kg", "statedAs"), ox.Literal("87.397 unit usaha", language="id")),
        ]:
            quads.append(ox.Quad(s, p, o, source))
    graph = KnowledgeGraph(ox.Store())
    graph.add(quads)
    return graph


@pytest.fixture(params=["sample", "shipped"])
def graph(request: pytest.FixtureRequest) -> KnowledgeGraph:
    if request.param == "sample":
        return sample_graph()
    shipped: KnowledgeGraph = request.getfixturevalue("shipped")
    return shipped


def text_of(data: bytes | None) -> str:
    assert data is not None
    return data.decode("utf-8")


def read_back(data: bytes | str, fmt: RdfFormat, tmp_path: Path) -> KnowledgeGraph:
    """Read an export the way kg loads files (JSON-LD contexts resolved locally)."""
    path = tmp_path / f"export{fmt.extension}"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    store = ox.Store()
    load_file(store, path)
    merge(store)
    return KnowledgeGraph(store)


def union(graph: KnowledgeGraph, names: list[ox.NamedNode]) -> set[ox.Triple]:
    return {q.triple for name in names for q in graph.quads(graph=name)}


# ----------------------------------------------------------------------------- what each format holds

@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name.lower())
def test_formats_with_graphs_read_back_as_the_same_graphs(graph, fmt, tmp_path):
    back = read_back(export(graph, fmt) or b"", fmt, tmp_path)
    assert back.source_graphs() == graph.source_graphs()
    assert back.vocabulary_graphs() == graph.vocabulary_graphs()
    assert set(back.quads()) == set(graph.quads())
    assert set(back.triples()) == set(graph.triples())


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name.lower())
def test_another_processor_reads_the_same_quads(graph, fmt, rdflib_reader):
    assert rdflib_reader(export(graph, fmt) or b"", fmt.rdflib_name) == set(graph.quads())


@pytest.mark.parametrize("fmt", UNION_FORMATS, ids=lambda f: f.name.lower())
def test_formats_without_graphs_read_back_as_the_union_of_the_sources(graph, fmt,
                                                                     rdflib_reader):
    back = rdflib_reader(export(graph, fmt) or b"", fmt.rdflib_name)
    assert {q.triple for q in back} == union(graph, graph.source_graphs())
    assert {q.graph_name for q in back} == {ox.DefaultGraph()}


def test_trig_carries_the_vocabulary_graphs_and_turtle_only_when_asked(kg, shipped, tmp_path,
                                                                      rdflib_reader):
    assert shipped.vocabulary_graphs() == VOCABULARY
    run = kg("export", "-f", "trig")
    assert run.code == 0, run
    back = read_back(run.out, RdfFormat.TRIG, tmp_path)
    assert back.vocabulary_graphs() == VOCABULARY
    for name in VOCABULARY:
        assert set(back.quads(graph=name)) == set(shipped.quads(graph=name)), name
    cold_storage_label = ox.Triple(iri("kg", "ColdStorage"), iri("rdfs", "label"),
                                   ox.Literal("Cold storage", language="en"))
    plain = {q.triple for q in rdflib_reader(kg("export", "-f", "turtle").out, "turtle")}
    assert plain == union(shipped, shipped.source_graphs())
    assert cold_storage_label not in plain
    run = kg("export", "-f", "turtle", "--vocabulary")
    assert run.code == 0, run
    with_vocabulary = {q.triple for q in rdflib_reader(run.out, "turtle")}
    assert with_vocabulary == union(shipped, shipped.source_graphs() + VOCABULARY)
    assert cold_storage_label in with_vocabulary


def test_turtle_uses_the_project_prefixes():
    text = text_of(export(sample_graph(), RdfFormat.TURTLE))
    assert "@prefix source: <https://kg.example/id/source/> ." in text
    assert "source:001_aaaa" in text


@pytest.mark.parametrize("name", [
    "https://kg.example/id/source/004_bbbb", "<https://kg.example/id/source/004_bbbb>",
    "source:004_bbbb", "004_bbbb", " 004_bbbb ",
])
def test_a_source_is_named_by_iri_prefixed_name_or_stem(name):
    assert resolve_source(sample_graph(), name) == iri("source", "004_bbbb")


def test_one_source_graph_exports_alone(tmp_path):
    graph, name = sample_graph(), iri("source", "004_bbbb")
    back = read_back(export(graph, RdfFormat.TRIG, source="004_bbbb") or b"", RdfFormat.TRIG,
                     tmp_path)
    assert back.named_graphs() == [name]
    assert set(back.quads()) == set(graph.quads(graph=name))


def test_an_unknown_source_is_refused_listing_the_known_ones():
    with pytest.raises(InputError) as caught:
        export(sample_graph(), RdfFormat.TRIG, source="source:999_nope")
    message = str(caught.value)
    assert "'source:999_nope'" in message
    assert "source:001_aaaa, source:004_bbbb" in message


# ----------------------------------------------------------------------------- JSON-LD

def test_jsonld_is_compacted_with_readable_keys_and_a_graph_per_source():
    document = json.loads(export(sample_graph(), RdfFormat.JSONLD) or b"")
    assert document["@context"] == json.loads(CONTEXT_FILE.read_text())["@context"]
    graphs = {entry["@id"]: entry["@graph"] for entry in document["@graph"]}
    assert set(graphs) == {"source:001_aaaa", "source:004_bbbb"}
    article = next(node for node in graphs["source:004_bbbb"] if node["@id"] == "source:004_bbbb")
    assert article["@type"] == "kg:SourceArticle"
    # kg:statedDate is a day, a month or a year (the precision printed): its type is written
    assert article["statedDate"] == {"@value": "2024-11-25", "@type": "xsd:date"}
    assert "prefLabel" in article


def test_jsonld_values_keep_their_lexical_form_never_a_json_number(shipped):
    document = json.loads(export(shipped, RdfFormat.JSONLD) or b"")
    numbers: list[object] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, (int, float)):
            numbers.append(node)

    walk(document["@graph"])
    assert numbers == []
    observations = next(entry["@graph"] for entry in document["@graph"]
                        if entry["@id"] == "source:004_ceeb33199186a361")
    values = [node["obsValue"] for node in observations if "obsValue" in node]
    assert {"@value": "19.23", "@type": "xsd:decimal"} in values


def test_jsonld_export_reads_back_without_the_network(offline, tmp_path):
    graph = sample_graph()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "all.jsonld").write_bytes(export(graph, RdfFormat.JSONLD) or b"")
    back = load_graph(Project(tmp_path))
    assert set(back.quads()) == set(graph.quads())


def test_jsonld_referencing_the_shipped_context_by_iri_loads_offline(offline, tmp_path):
    graph = sample_graph()
    document = json.loads(export(graph, RdfFormat.JSONLD) or b"")
    document["@context"] = CONTEXT_IRI
    path = tmp_path / "referenced.jsonld"
    path.write_text(json.dumps(document), encoding="utf-8")
    back = ox.Store()
    load_file(back, path)
    assert set(back) == set(graph.quads())


def test_the_shipped_context_holds_every_prefix_and_is_up_to_date(shipped):
    context = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    for prefix, namespace in PREFIXES.items():
        assert context["@context"][prefix] == namespace
    assert context == build_context(shipped), (
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


def test_an_export_that_fails_halfway_leaves_the_old_file(tmp_path, monkeypatch, shipped):
    target = tmp_path / "graph.nq"
    target.write_text("old", encoding="utf-8")
    real = ox.serialize

    def half(statements, output=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(list(statements)[:10], output, *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ox, "serialize", half)
    with pytest.raises(InputError, match="No space left on device"):
        export_to(shipped, RdfFormat.NQUADS, target)
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", [RdfFormat.NQUADS, RdfFormat.JSONLD], ids=lambda f: f.name.lower())
def test_export_writes_to_a_binary_stream(shipped, fmt):
    stream = io.BytesIO()
    assert export(shipped, fmt, stream) is None
    assert stream.getvalue() == export(shipped, fmt)


# ----------------------------------------------------------------------------- the command

def test_cli_export_writes_the_format_its_suffix_names(kg, tmp_path, shipped):
    target = tmp_path / "graph.nq"
    run = kg("export", "-o", target)
    assert run.code == 0, run
    back = read_back(target.read_bytes(), RdfFormat.NQUADS, tmp_path)
    assert back.source_graphs() == shipped.source_graphs()
    assert len(back) == len(shipped)
    assert set(back.quads()) == set(shipped.quads())


def test_cli_export_to_stdout_defaults_to_trig(kg, tmp_path, shipped):
    run = kg("export")
    assert run.code == 0, run
    back = read_back(run.out, RdfFormat.TRIG, tmp_path)
    assert len(back) == len(shipped)
    assert set(back.quads()) == set(shipped.quads())


def test_cli_export_turtle_of_one_source(kg, shipped, rdflib_reader):
    assert len(shipped.source_graphs()) == 5  # the shipped data is there: a regression fails here
    name = shipped.source_graphs()[0]
    stem = name.value.removeprefix(SOURCE)
    run = kg("export", "--format", "turtle", "--graph", stem)
    assert run.code == 0, run
    assert {q.triple for q in rdflib_reader(run.out, "turtle")} == union(shipped, [name])


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


def test_expanded_jsonld_is_pyoxigraphs_with_the_same_quads(kg, shipped):
    run = kg("export", "-f", "jsonld", "--expanded")
    assert run.code == 0, run
    assert '"@context"' not in run.out and "https://kg.example/def/" in run.out
    named = {q for q in shipped.store if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert set(ox.parse(run.out.encode(), ox.RdfFormat.JSON_LD)) == named


# ----------------------------------------------------------------------------- a publisher's base

PUBLISHED = "https://data.example.org/kg/"


def test_cli_export_with_a_base_mints_every_iri_under_it(kg, shipped):
    run = kg("export", "--base", PUBLISHED, "--format", "nquads")
    assert run.code == 0, run
    assert "kg.example" not in run.out
    quads = list(ox.parse(run.out.encode(), ox.RdfFormat.N_QUADS))
    named = {q for q in shipped.store if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert len(quads) == len(set(quads)) == len(named)
    person = ox.NamedNode(PUBLISHED + "id/person/heru-ressandy")
    assert any(q.subject == person for q in quads)
    # literals are left as they are: only IRIs move
    assert {q.object for q in quads if isinstance(q.object, ox.Literal)} == {
        q.object for q in named if isinstance(q.object, ox.Literal)}


@pytest.mark.parametrize("fmt", [RdfFormat.TRIG, RdfFormat.JSONLD, RdfFormat.TURTLE],
                         ids=lambda f: f.name.lower())
def test_an_export_with_a_base_reads_back_with_its_prefixes_and_context(shipped, fmt, tmp_path):
    data = text_of(export(shipped, fmt, base=PUBLISHED))
    assert "kg.example" not in data
    back = read_back(data, fmt, tmp_path)
    if fmt.has_graphs:
        assert len(back) == len(shipped)
        assert back.source_graphs()[0].value.startswith(PUBLISHED + "id/source/")
    if fmt is RdfFormat.JSONLD:
        assert '"person:heru-ressandy"' in data or '"@id": "person:' in data  # still compacted


@pytest.mark.parametrize("base", ["ftp://data.example.org/", "https://data.example.org/kg",
                                  "/kg/", "https://data.example.org/kg/?x=1"])
def test_cli_export_refuses_a_base_that_is_not_an_http_folder_url(kg, base):
    run = kg("export", "--base", base)
    assert run.code == 2 and run.err.startswith(f"kg: error: --base {base!r}")
    assert run.err.count("\n") == 1 and not run.out


def test_publish_sends_the_graphs_under_the_base(shipped):
    from kg.publish import published, triples_of

    name = shipped.source_graphs()[0]
    assert published(name, PUBLISHED).value == PUBLISHED + name.value.removeprefix("https://kg.example/")
    triples = triples_of(shipped, name, base=PUBLISHED)
    assert len(triples) == len(triples_of(shipped, name))
    assert not any("kg.example" in str(t) for t in triples)

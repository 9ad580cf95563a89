"""Loading: one named graph per source, unusable files named with file:line, and what
`kg summary` says the graph holds (each of its numbers counted again here)."""

from __future__ import annotations

from pathlib import Path

import re

import pyoxigraph as ox
import pytest

from kg.errors import InputError, SourceFileError
from kg.formats import RdfFormat
from kg.graph import load_graph
from kg.parse import load_file
from kg.project import Project
from kg.terms import iri_of

from conftest import write

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"


def parse_into(path: Path) -> ox.Store:
    """Read one trusted file as kg reads data/ and ontology/."""
    store = ox.Store()
    load_file(store, path)
    return store


def test_each_data_file_is_one_named_graph_remembered_with_its_file(shipped, project):
    files = sorted(project.data_dir.glob("*.trig"))
    assert len(files) == 5
    assert sorted(shipped.origin(name) for name in shipped.source_graphs()) == files
    assert len(shipped.source_graphs()) == len(files)


def test_turtle_syntax_error_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "bad.ttl", '@prefix ex: <http://e.org/> .\n\nex:a ex:b ex:c .\nex:a ex:b "x .\n')
    with pytest.raises(SourceFileError) as caught:
        parse_into(path)
    assert caught.value.line == 4
    assert caught.value.column is not None
    assert str(caught.value).startswith(f"{path}:4:")


def test_trig_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "bad.trig", "<http://e.org/g> {\n<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n"
                                       "<http://e.org/a> <http://e.org/b> oops }\n")
    with pytest.raises(SourceFileError) as caught:
        parse_into(path)
    assert caught.value.line == 3


@pytest.mark.parametrize("content, reason", [
    (b"\x00\x01\x02binary", "binary"),
    ("caf\u00e9".encode("latin-1") + b" <http://e.org/a> .", "UTF-8"),
])
def test_unreadable_content_is_refused_with_a_reason(tmp_path, content, reason):
    path = write(tmp_path, "x.ttl", content)
    with pytest.raises(SourceFileError, match=reason):
        parse_into(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SourceFileError, match="no such file"):
        parse_into(tmp_path / "absent.ttl")


def test_unknown_suffix_names_the_suffixes_read(tmp_path):
    """The library has no --format option to advise; the caller's command adds its own hint."""
    with pytest.raises(InputError, match=r"'\.rdfx'; name it with \.ttl, \.trig, \.nt, \.nq or \.jsonld$"):
        parse_into(write(tmp_path, "x.rdfx", ""))


def test_jsonld_remote_context_is_refused_without_fetching(tmp_path, offline):
    path = write(tmp_path, "x.jsonld", '{"@context": "http://203.0.113.9/ctx.jsonld", "@id": "http://e.org/a"}')
    with pytest.raises(SourceFileError, match="203.0.113.9"):
        parse_into(path)


def test_format_names_and_suffixes():
    assert RdfFormat.from_name("ttl") is RdfFormat.TURTLE
    assert RdfFormat.from_name("JSON-LD") is RdfFormat.JSONLD
    assert RdfFormat.from_path("a/b.nq") is RdfFormat.NQUADS
    with pytest.raises(InputError, match="unknown RDF format"):
        RdfFormat.from_name("rdfxml2")


def test_project_without_ontology_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="ontology/ and shapes/"):
        Project.locate(tmp_path)


def test_extra_files_are_loaded_beside_the_data(project, tmp_path):
    extra = write(tmp_path, "extra.trig", "<http://e.org/g> { <http://e.org/a> <http://e.org/b> <http://e.org/c> . }")
    graph = load_graph(project, extra=[extra])
    assert graph.origin("http://e.org/g") == extra
    assert graph.origin(ox.NamedNode("http://e.org/g")) == extra


# ----------------------------------------------------------------------------- what kg summary says

def count(graph, query: str) -> int:
    value = graph.query(query).values()[0]["n"]
    assert isinstance(value, int)
    return value


SOURCE_GRAPH = "GRAPH ?g { ?g a kg:SourceArticle }"
VOCABULARY_GRAPH = "GRAPH ?g { ?g a owl:Ontology }"


def test_kg_summary_explains_its_counts(kg, shipped):
    """Every number of `kg summary`, counted again by queries of its own."""
    run = kg("summary")
    assert run.code == 0, run
    lines = run.out.splitlines()

    found = re.fullmatch(r"(\d+) statements in (\d+) source graphs \(a statement made by several "
                         r"sources counts once for each\)", lines[0])
    assert found, lines[0]
    assert int(found[1]) == count(shipped, "SELECT (COUNT(*) AS ?n) WHERE { "
                                  f"{SOURCE_GRAPH} GRAPH ?g {{ ?s ?p ?o }} }}")
    assert int(found[2]) == 5 == count(
        shipped, f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ {SOURCE_GRAPH} }}")
    sizes = []
    assert len(shipped.source_graphs()) == 5
    for line, name in zip(lines[1:6], shipped.source_graphs()):
        shown, statements, about = re.fullmatch(r"  (\S+) +(\d+) statements  (.+)", line).groups()
        assert shown == "source:" + name.value.rsplit("/", 1)[-1]
        assert int(statements) == count(
            shipped, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
        sizes.append(int(statements))
        [row] = shipped.query(f"SELECT ?who ?when WHERE {{ GRAPH {name} {{ {name} schema:publisher/"
                              "skos:prefLabel ?who ; kg:statedDate ?when FILTER(LANG(?who) = 'id') } }"
                              ).values()
        assert about == f"{row['who']}, {row['when']}"
    assert sum(sizes) == int(lines[0].split()[0])  # once for each source that states it

    found = re.fullmatch(r"(\d+) statements in (\d+) vocabulary graphs \(ontology and code lists\)",
                         lines[6])
    assert found, lines[6]
    assert int(found[1]) == count(shipped, "SELECT (COUNT(*) AS ?n) WHERE { "
                                  f"{VOCABULARY_GRAPH} GRAPH ?g {{ ?s ?p ?o }} }}")
    assert int(found[2]) == 2
    assert [line.split()[:3] for line in lines[7:9]] == [
        ["code:", str(count(shipped, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH code: { ?s ?p ?o } }")),
         "statements"],
        ["kg:", str(count(shipped, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH kg: { ?s ?p ?o } }")),
         "statements"]]

    found = re.fullmatch(r"(\d+) distinct triples in the default graph, the union of all graphs "
                         r"\(each triple once\)", lines[9])
    assert found, lines[9]
    assert int(found[1]) == count(shipped, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                  "WHERE { GRAPH ?g { ?s ?p ?o } } }")

    found = re.fullmatch(r"(\d+) typed entities in the source graphs, by class:", lines[10])
    assert found, lines[10]
    assert int(found[1]) == count(shipped, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { "
                                  f"{SOURCE_GRAPH} GRAPH ?g {{ ?e a ?class }} }}")
    cut = lines.index("")
    by_class = dict(line.split() for line in lines[11:cut])
    expected = {str(row["class"]): row["n"] for row in shipped.query(
        "SELECT ?class (COUNT(DISTINCT ?e) AS ?n) WHERE { "
        f"{SOURCE_GRAPH} GRAPH ?g {{ ?e a ?class }} }} GROUP BY ?class").values()}
    assert {iri_of(c).value: int(n) for c, n in by_class.items()} == expected
    assert by_class["kg:SourceArticle"] == "5" and by_class["qb:Observation"] == "14"
    assert lines[cut + 1].startswith("validation: 0 violation(s)")



def test_a_graph_added_that_declares_an_ontology_is_a_vocabulary_graph():
    """vocabulary_graphs() was remembered from before an addition: a graph added later
    that declares an owl:Ontology was listed among the source graphs."""
    graph = load_graph()
    assert len(graph.source_graphs()) == 5
    ontology = ox.NamedNode("https://e.org/ontology/")
    graph.add([ox.Quad(ontology, ox.NamedNode(RDF + "type"), ox.NamedNode(OWL + "Ontology"),
                       ontology)])
    assert ontology in graph.vocabulary_graphs()
    assert ontology not in graph.source_graphs() and len(graph.source_graphs()) == 5

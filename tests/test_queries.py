"""Saved queries: headers, parameters bound as RDF terms, the library API, the answer
of every shipped query on the shipped data, and `kg queries` / `kg query` / `kg sparql`.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import ParameterError, QueryError
from kg.cli import main
from kg.graph import KnowledgeGraph, load_graph
from kg.project import Project
from kg.queries import ParamType, QueryLibrary, read_saved_query, run_query, run_saved, to_term
from kg.results import QueryResult, ResultFormat, render
from kg.terms import IRI

from conftest import cells

XSD = "http://www.w3.org/2001/XMLSchema#"

HOSTILE = 'x" } ; DROP ALL ; #'

TINY_DATA = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix kg: <https://kg.example/def/> .
@prefix person: <https://kg.example/id/person/> .
@prefix source: <https://kg.example/id/source/> .
@prefix obs: <https://kg.example/id/observation/> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .

source:a {
  source:a a kg:SourceArticle .
  person:budi a <http://xmlns.com/foaf/0.1/Person> ;
      skos:prefLabel "Budi Wahyudi"@id ;
      kg:seen "2021-11-11"^^xsd:date ;
      kg:born "1980"^^xsd:gYear .
  obs:one sdmx-measure:obsValue 87397 ; kg:share 19.23 ;
      skos:prefLabel "Jumlah UMKM, koma: \\"kutip\\"\\nbaris"@id .
}
source:b {
  source:b a kg:SourceArticle .
  person:budi skos:prefLabel "Budi Wahyudi"@id .
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tiny_project(tmp_path: Path) -> Project:
    """A project of two small source graphs and a few saved queries."""
    for folder in ("ontology", "shapes"):
        (tmp_path / folder).mkdir()
    write(tmp_path / "data" / "tiny.trig", TINY_DATA)
    write(tmp_path / "queries" / "label-of.rq", """\
#+ summary: The label of a thing
#+ tags: [test]
#+ params:
#+   thing:
#+     type: iri
#+     default: person:budi
#+     description: what to label
SELECT DISTINCT ?thing ?label WHERE { ?thing skos:prefLabel ?label }
ORDER BY ?label
""")
    write(tmp_path / "queries" / "by-label.rq", """\
#+ summary: Things with a given label
#+ params:
#+   label:
#+     type: langstring
#+     example: Budi Wahyudi@id
SELECT DISTINCT ?thing WHERE { ?thing skos:prefLabel ?label } ORDER BY ?thing
""")
    write(tmp_path / "queries" / "has-person.rq", """\
#+ summary: Is someone a person?
#+ params:
#+   who:
#+     type: iri
ASK { ?who a foaf:Person }
""")
    write(tmp_path / "queries" / "graph-of.rq", """\
#+ summary: A CONSTRUCT of everything about a thing
#+ params:
#+   thing:
#+     type: iri
#+     example: person:budi
CONSTRUCT { ?thing ?p ?o } WHERE { ?thing ?p ?o }
""")
    return Project(tmp_path)


@pytest.fixture
def tiny(tiny_project: Project) -> KnowledgeGraph:
    return load_graph(tiny_project)


@pytest.fixture
def tiny_library(tiny_project: Project) -> QueryLibrary:
    return QueryLibrary.load(tiny_project.queries_dir)


# --------------------------------------------------------------------------- headers

GOOD_QUERY = "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n"

MALFORMED = {
    # name: (file text, line the error names, words the message holds)
    "no header": ("SELECT * WHERE { ?s ?p ?o }\n", 1, "no `#+` header"),
    "no summary": ("#+ tags: [a]\n" + GOOD_QUERY, 1, "no `summary`"),
    "unknown key": ("#+ summary: s\n#+ sumary: t\n" + GOOD_QUERY, 2, "unknown header key 'sumary'"),
    "unknown type": ("#+ summary: s\n#+ params:\n#+   x:\n#+     type: datetime\n" + GOOD_QUERY,
                     4, "unknown type 'datetime'"),
    "no type": ("#+ summary: s\n#+ params:\n#+   x:\n#+     default: a\n" + GOOD_QUERY,
                3, "has no `type`"),
    "unused parameter": ("#+ summary: s\n#+ params:\n#+   y:\n#+     type: string\n" + GOOD_QUERY,
                         3, "'y' is not used in the query"),
    "parameter only in a comment": (
        "#+ summary: s\n#+ params:\n#+   y:\n#+     type: string\n# ?y\n" + GOOD_QUERY,
        3, "not used"),
    "unknown parameter key": (
        "#+ summary: s\n#+ params:\n#+   x:\n#+     type: iri\n#+     defualt: a:b\n" + GOOD_QUERY,
        5, "unknown key 'defualt'"),
    "default not of its type": (
        "#+ summary: s\n#+ params:\n#+   x:\n#+     type: date\n#+     default: 2024-02-30\n"
        + GOOD_QUERY, 5, "no such day"),
    "example not of its type": (
        "#+ summary: s\n#+ params:\n#+   x:\n#+     type: integer\n#+     example: many\n"
        + GOOD_QUERY, 5, "not a whole number"),
    "required with a default": (
        "#+ summary: s\n#+ params:\n#+   x:\n#+     type: year\n#+     required: true\n"
        "#+     default: 2024\n" + GOOD_QUERY, 5, "required but has a default"),
    "required not a boolean": (
        "#+ summary: s\n#+ params:\n#+   x:\n#+     type: year\n#+     required: maybe\n"
        + GOOD_QUERY, 5, "true or false"),
    "bad indentation": ("#+ summary: s\n#+    tags: [a]\n" + GOOD_QUERY, 2, "indentation"),
    "tab": ("#+ summary: s\n#+ params:\n#+ \tx:\n" + GOOD_QUERY, 3, "tab"),
    "no colon": ("#+ summary: s\n#+ tags\n" + GOOD_QUERY, 2, "expected `key: value`"),
    "duplicate key": ("#+ summary: s\n#+ summary: t\n" + GOOD_QUERY, 2, "appears twice"),
    "unterminated quote": ('#+ summary: "s\n' + GOOD_QUERY, 1, "quoted"),
    "colon in plain text": ("#+ summary: who: when\n" + GOOD_QUERY, 1, "put the value in quotes"),
    "flow mapping": ("#+ summary: {a: b}\n" + GOOD_QUERY, 1, "not supported"),
    "unclosed list": ("#+ summary: s\n#+ tags: [a, b\n" + GOOD_QUERY, 2, "malformed list"),
    "tags not words": ("#+ summary: s\n#+ tags:\n#+   a: b\n" + GOOD_QUERY, 2, "list of words"),
    "no space after mark": ("#+summary: s\n" + GOOD_QUERY, 1, "with a space"),
    "header after the query": ("#+ summary: s\n" + GOOD_QUERY + "#+ tags: [a]\n", 3,
                               "after the query has begun"),
    "query does not parse": ("#+ summary: s\n#+ tags: [a]\nSELECT ?x WHERE {\n  ?x ?p ?o\n"
                             "  FILTER(?x = )\n}\n", 5, "does not parse"),
    "parameters in a short CONSTRUCT": (
        "#+ summary: s\n#+ params:\n#+   x:\n#+     type: iri\nCONSTRUCT WHERE { ?x ?p ?o }\n",
        None, "WHERE group"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_saved_query_fails_naming_file_and_line(case: str, tmp_path: Path) -> None:
    text, line, words = MALFORMED[case]
    path = write(tmp_path / "broken.rq", text)
    with pytest.raises(QueryError) as caught:
        read_saved_query(path)
    message = str(caught.value)
    where = f"{path}:{line}:" if line is not None else f"{path}:"
    assert message.startswith(where), message
    assert words in message


def test_a_malformed_file_fails_the_whole_library(tmp_path: Path) -> None:
    write(tmp_path / "good.rq", "#+ summary: s\n" + GOOD_QUERY)
    write(tmp_path / "bad.rq", "#+ summary: s\n#+ params:\n#+   x:\n#+     type: uri\n"
          + GOOD_QUERY)
    with pytest.raises(QueryError, match=r"bad\.rq:4: .*unknown type 'uri'"):
        QueryLibrary.load(tmp_path)


def test_header_reads_every_documented_key(tmp_path: Path) -> None:
    path = write(tmp_path / "full.rq", """\
# a plain comment before the header is fine
#+ summary: 'Who said it: the figure, and who'
#+ description: |
#+   First line.
#+   Second line.
#+ tags:
#+   - people
#+   - "two words"
#+ params:
#+   who:
#+     type: iri
#+     required: false
#+     example: <https://kg.example/id/person/budi>
#+     description: >
#+       a person,
#+       or a body
#+   n:
#+     type: integer
#+     default: 3  # a comment
PREFIX ex: <http://example.org/>
SELECT ?who WHERE { ?who ex:n ?n }
""")
    query = read_saved_query(path)
    assert query.summary == "Who said it: the figure, and who"
    assert query.description == "First line.\nSecond line."
    assert query.tags == ("people", "two words")
    who, n = query.params
    assert (who.name, who.type, who.required, who.default) == ("who", ParamType.IRI, False, None)
    assert who.description == "a person, or a body"
    assert who.line == 10
    assert (n.name, n.type, n.required, n.default) == ("n", ParamType.INTEGER, False, "3")
    assert query.kind == "SELECT"


# --------------------------------------------------------------------------- parameters

@pytest.mark.parametrize("kind", [t for t in ParamType if t not in (ParamType.STRING,)])
def test_hostile_value_is_refused_by_every_typed_parameter(kind: ParamType) -> None:
    with pytest.raises(ParameterError) as caught:
        to_term("p", kind, HOSTILE)
    assert "parameter 'p'" in str(caught.value)
    assert kind.expected in str(caught.value)


def test_hostile_string_is_a_literal_that_matches_nothing(tiny: KnowledgeGraph, tmp_path: Path) -> None:
    before = set(tiny.quads())
    path = write(tmp_path / "q.rq", "#+ summary: s\n#+ params:\n#+   label:\n#+     type: string\n"
                 "SELECT ?thing ?label WHERE { ?thing skos:prefLabel ?l FILTER(STR(?l) = ?label) }\n")
    query = read_saved_query(path)
    text = query.bind(label=HOSTILE)
    assert "DROP ALL" in text  # inside the literal, escaped
    assert tiny.run(text).rows == ()
    assert set(tiny.quads()) == before
    assert tiny.run(query.bind(label="Budi Wahyudi")).values() == [
        {"thing": "https://kg.example/id/person/budi", "label": "Budi Wahyudi"}]


def test_hostile_langstring_is_a_literal_that_matches_nothing(tiny: KnowledgeGraph,
                                                               tiny_library: QueryLibrary) -> None:
    before = set(tiny.quads())
    assert run_saved(tiny, "by-label", library=tiny_library, label=HOSTILE + "@id").rows == ()
    assert set(tiny.quads()) == before
    found = run_saved(tiny, "by-label", library=tiny_library, label="Budi Wahyudi@id")
    assert found.values() == [{"thing": "https://kg.example/id/person/budi"}]


@pytest.mark.parametrize(("kind", "value", "words"), [
    (ParamType.IRI, "not an iri", "not an IRI"),
    (ParamType.IRI, "nosuchprefix", "not an IRI"),
    (ParamType.IRI, "<https://a.example/x y>", "not an IRI"),
    (ParamType.INTEGER, "12.5", "not a whole number"),
    (ParamType.INTEGER, 1.5, "not a whole number"),
    (ParamType.DECIMAL, "1,5", "not a decimal number"),
    (ParamType.DECIMAL, "NaN", "not a decimal number"),
    (ParamType.DATE, "2024-02-30", "no such day"),
    (ParamType.DATE, "25/11/2024", "not a date as YYYY-MM-DD"),
    (ParamType.DATE, datetime.datetime(2024, 1, 1, 12), "not a date and time"),
    (ParamType.YEAR, "24", "not a year"),
    (ParamType.YEAR, "2024-01", "not a year"),
    (ParamType.LANGSTRING, "Balikpapan", "no @language tag"),
    (ParamType.LANGSTRING, "Balikpapan@in donesia", "not a language tag"),
    (ParamType.STRING, 42, "not text"),
    (ParamType.INTEGER, True, "not a whole number"),
])
def test_value_not_of_its_type_is_a_parameter_error(kind: ParamType, value: object, words: str) -> None:
    with pytest.raises(ParameterError, match="parameter 'p'") as caught:
        to_term("p", kind, value)
    assert words in str(caught.value)


@pytest.mark.parametrize(("kind", "value", "term"), [
    (ParamType.IRI, "person:budi", ox.NamedNode("https://kg.example/id/person/budi")),
    (ParamType.IRI, "<https://a.example/x>", ox.NamedNode("https://a.example/x")),
    (ParamType.IRI, "https://a.example/x", ox.NamedNode("https://a.example/x")),
    (ParamType.STRING, "Teritip", ox.Literal("Teritip")),
    (ParamType.LANGSTRING, "cold storage@en", ox.Literal("cold storage", language="en")),
    (ParamType.INTEGER, "2024", ox.Literal("2024", datatype=ox.NamedNode(XSD + "integer"))),
    (ParamType.INTEGER, 7, ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))),
    (ParamType.DECIMAL, "19.23", ox.Literal("19.23", datatype=ox.NamedNode(XSD + "decimal"))),
    (ParamType.DATE, "2024-11-25", ox.Literal("2024-11-25", datatype=ox.NamedNode(XSD + "date"))),
    (ParamType.DATE, datetime.date(2024, 11, 25),
     ox.Literal("2024-11-25", datatype=ox.NamedNode(XSD + "date"))),
    (ParamType.YEAR, "2022", ox.Literal("2022", datatype=ox.NamedNode(XSD + "gYear"))),
])
def test_value_becomes_a_term_of_its_type(kind: ParamType, value: object, term: object) -> None:
    assert to_term("p", kind, value) == term


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_string_comes_back_unchanged(text: str) -> None:
    backend = KnowledgeGraph(ox.Store())
    query = "#+ summary: echo\n#+ params:\n#+   v:\n#+     type: string\nSELECT ?v WHERE { }\n"
    with tempfile.TemporaryDirectory() as folder:  # hypothesis runs it many times: no tmp_path
        saved = read_saved_query(write(Path(folder) / "echo.rq", query))
    result = backend.run(saved.bind(v=text))
    assert result.rows == ({"v": ox.Literal(text)},)


def test_missing_and_unknown_parameters(tiny_library: QueryLibrary) -> None:
    query = tiny_library.get("has-person")
    with pytest.raises(ParameterError, match="needs parameter 'who'"):
        query.bind()
    with pytest.raises(ParameterError, match="has no parameter 'whom'.*who"):
        query.bind(who="person:budi", whom="person:budi")


def test_optional_parameter_takes_its_default(tiny: KnowledgeGraph, tiny_library: QueryLibrary) -> None:
    result = run_saved(tiny, "label-of", library=tiny_library)
    assert result.values() == [{"thing": "https://kg.example/id/person/budi",
                                "label": "Budi Wahyudi"}]


def test_values_block_is_the_first_element_of_the_where_group(tiny_library: QueryLibrary) -> None:
    text = tiny_library.get("graph-of").bind(thing="person:budi")
    construct, where = text.split("WHERE", 1)
    assert "VALUES" not in construct
    assert where.lstrip().startswith("{\n  VALUES (?thing) { (<https://kg.example/id/person/budi>) }")


# --------------------------------------------------------------------------- the library API

def test_library_lists_and_gets(tiny_library: QueryLibrary) -> None:
    assert tiny_library.names() == ["by-label", "graph-of", "has-person", "label-of"]
    assert "label-of" in tiny_library and len(tiny_library) == 4
    query = tiny_library.get("label-of")
    assert query.summary == "The label of a thing" and query.tags == ("test",)
    assert query.path.name == "label-of.rq"
    with pytest.raises(QueryError, match="no saved query 'nope'"):
        tiny_library.get("nope")


def test_result_kinds_and_python_values(tiny: KnowledgeGraph, tiny_library: QueryLibrary) -> None:
    ask = run_saved(tiny, "has-person", library=tiny_library, who="person:budi")
    assert (ask.kind, ask.boolean) == ("ASK", True)
    assert run_saved(tiny, "has-person", library=tiny_library, who="obs:one").boolean is False
    graph = run_saved(tiny, "graph-of", library=tiny_library, thing="person:budi")
    assert graph.kind == "CONSTRUCT" and graph.triples is not None and len(graph.triples) == 4
    select = run_query(tiny, "SELECT ?who ?seen ?born ?n ?share ?missing WHERE { "
                             "?who kg:seen ?seen ; kg:born ?born . ?o sdmx-measure:obsValue ?n ; "
                             "kg:share ?share OPTIONAL { ?who kg:nothing ?missing } }")
    assert select.variables == ("who", "seen", "born", "n", "share", "missing")
    [row] = select.values()
    assert row == {"who": "https://kg.example/id/person/budi", "seen": datetime.date(2021, 11, 11),
                   "born": 1980, "n": 87397, "share": Decimal("19.23"), "missing": None}
    assert isinstance(row["who"], IRI)


def test_ad_hoc_query_may_declare_its_own_prefixes(tiny: KnowledgeGraph) -> None:
    result = run_query(tiny, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                             "PREFIX p: <https://kg.example/id/person/>\n"
                             "ASK { p:budi skos:prefLabel ?l }")
    assert result.boolean is True


def test_default_graph_is_the_union_and_graph_sees_each_source(tiny: KnowledgeGraph) -> None:
    union = run_query(tiny, "SELECT (COUNT(*) AS ?n) WHERE { person:budi skos:prefLabel ?l }")
    assert union.values() == [{"n": 1}]
    graphs = run_query(tiny, "SELECT ?g WHERE { GRAPH ?g { person:budi skos:prefLabel ?l } } "
                             "ORDER BY ?g")
    assert [r["g"] for r in graphs.values()] == ["https://kg.example/id/source/a",
                                                 "https://kg.example/id/source/b"]


def test_a_query_that_does_not_parse_is_a_query_error(tiny: KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match="line"):
        run_query(tiny, "SELECT ?x WHERE { ?x ?p }")


@pytest.mark.parametrize(("query", "line", "near"), [
    ("SELECT ?x WHERE {\n  ?x ?p ?o\n  FILTER(?x = )\n}\n", 3, "near `) }`"),
    ("SELECT ?x WHERE { ?x ?p ?o FILTER(?x = ) \n ?a ?b ?c . ?d ?e ?f }", 1, "near `) ?a"),
    ("SELECT ?x WHERE { ?x a <urn:x> }\n LIMT 3", 2, "near `LIMT 3`"),
])
def test_a_syntax_error_is_not_placed_past_where_it_is(tiny: KnowledgeGraph, query: str,
                                                      line: int, near: str) -> None:
    """pyoxigraph reports an error before a possible keyword up to a keyword's length too
    far (the FILTER error on the line after the query's end, with a list of unrelated
    keywords such as ENCODE_FOR_URI); kg names the line it is on and quotes the text there."""
    with pytest.raises(QueryError) as caught:
        run_query(tiny, query)
    message = str(caught.value)
    assert message.startswith(f"the query does not parse: line {line}, column "), message
    assert near in message and "ENCODE_FOR_URI" not in message


# --------------------------------------------------------------------------- the CLI

def test_kg_queries_lists_names_summaries_and_parameters(kg, tiny_project: Project) -> None:
    run = kg("--root", tiny_project.root, "queries")
    assert run.code == 0, run
    assert "label-of: The label of a thing" in run.out
    assert "--param thing=<iri>  default person:budi. what to label" in run.out
    listed = json.loads(kg("--root", tiny_project.root, "queries", "--format", "json").out)
    assert [q["name"] for q in listed] == ["by-label", "graph-of", "has-person", "label-of"]
    assert listed[1]["params"][0] == {"name": "thing", "type": "iri", "required": True,
                                      "default": None, "example": "person:budi", "description": ""}


IMPORT_PROBE = """
import io, json, sys
from kg.cli import main
out = io.StringIO()
code = main(json.loads(sys.argv[1]), out=out)
print(json.dumps({"code": code, "out": out.getvalue(), "loaded": sorted(
    m for m in ("pyshacl", "rdflib", "SPARQLWrapper", "pyoxigraph") if m in sys.modules)}))
"""


def imports_of(*argv: str) -> tuple[int, str, list[str]]:
    """Run ``kg *argv`` in a fresh interpreter: its exit code, output, and which of
    pyshacl, rdflib, SPARQLWrapper and pyoxigraph it imported."""
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, json.dumps(argv)],
                          capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    return found["code"], found["out"], found["loaded"]


def test_kg_queries_imports_neither_pyshacl_nor_rdflib() -> None:
    """Listing the saved queries starts fast: no validation nor RDF stack is imported."""
    code, out, loaded = imports_of("queries")
    assert code == 0 and "post-holder-on-date" in out
    assert loaded == []


@pytest.mark.parametrize("argv", [
    ("query", "post-holder-on-date", "-p", "post=post:head-dkumkmp-balikpapan", "-p", "on=2023-01-01",
     "-f", "csv"),
    ("sparql", "SELECT ?l WHERE { indicator:umkm-count skos:prefLabel ?l }", "-f", "json"),
    ("query", "source-statements", "-p", "source=source:004_ceeb33199186a361", "-f", "jsonld"),
], ids=["query", "sparql", "construct-jsonld"])
def test_queries_on_the_local_graph_import_neither_rdflib_pyshacl_nor_sparqlwrapper(argv) -> None:
    """One engine: a query on the local graph is pyoxigraph's alone."""
    code, out, loaded = imports_of(*argv)
    assert code == 0 and out
    assert loaded == ["pyoxigraph"]


class Terminal(io.StringIO):
    """Output that says it is a terminal (a table is cut to fit one only)."""

    def isatty(self) -> bool:
        return True


def test_select_as_a_table_fits_the_terminal(tiny_project: Project, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "30")
    out = Terminal()
    code = main(["--root", str(tiny_project.root), "sparql",
                 "SELECT ?thing ?label WHERE { ?thing skos:prefLabel ?label } ORDER BY ?label"],
                out=out)
    assert code == 0, out.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["thing", "label"]
    assert all(len(line) <= 30 for line in lines), lines
    assert any("…" in line for line in lines)
    assert lines[-1] == "(2 rows)"


def test_csv_follows_the_w3c_format(kg, tiny_project: Project) -> None:
    run = kg("--root", tiny_project.root, "sparql", "--format", "csv",
             "SELECT ?o ?label ?n ?none WHERE { ?o skos:prefLabel ?label ; sdmx-measure:obsValue ?n "
             "OPTIONAL { ?o kg:nothing ?none } }")
    assert run.code == 0, run
    assert run.out.startswith("o,label,n,none\r\n")
    rows = list(csv.reader(io.StringIO(run.out, newline="")))
    assert rows[1] == ["https://kg.example/id/observation/one",
                       'Jumlah UMKM, koma: "kutip"\nbaris', "87397", ""]


def test_tsv_follows_the_w3c_format(kg, tiny_project: Project) -> None:
    run = kg("--root", tiny_project.root, "sparql", "--format", "tsv",
             "SELECT ?o ?label ?n ?share WHERE { ?o skos:prefLabel ?label ; "
             "sdmx-measure:obsValue ?n ; kg:share ?share }")
    lines = run.out.split("\n")
    assert lines[0] == "?o\t?label\t?n\t?share"
    assert lines[1].split("\t") == ["<https://kg.example/id/observation/one>",
                                    '"Jumlah UMKM, koma: \\"kutip\\"\\nbaris"@id', "87397", "19.23"]
    parsed = list(csv.reader(io.StringIO(run.out), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(parsed) == 2


def test_json_follows_the_w3c_format(kg, tiny_project: Project) -> None:
    run = kg("--root", tiny_project.root, "sparql", "--format", "json",
             "SELECT ?who ?label ?seen ?none WHERE { ?who kg:seen ?seen ; skos:prefLabel ?label "
             "OPTIONAL { ?who kg:nothing ?none } }")
    document = json.loads(run.out)
    assert document["head"] == {"vars": ["who", "label", "seen", "none"]}
    assert document["results"]["bindings"] == [{
        "who": {"type": "uri", "value": "https://kg.example/id/person/budi"},
        "label": {"type": "literal", "value": "Budi Wahyudi", "xml:lang": "id"},
        "seen": {"type": "literal", "value": "2021-11-11",
                 "datatype": "http://www.w3.org/2001/XMLSchema#date"}}]
    from rdflib.query import Result

    reread = Result.parse(io.StringIO(run.out), format="json")
    assert len(reread.bindings) == 1


def test_ask_prints_true_or_false_and_exits_0_or_1(kg, tiny_project: Project) -> None:
    yes = kg("--root", tiny_project.root, "query", "has-person", "--param", "who=person:budi")
    assert (yes.code, yes.out) == (0, "true\n")
    no = kg("--root", tiny_project.root, "query", "has-person", "-p", "who=obs:one")
    assert (no.code, no.out) == (1, "false\n")
    as_json = kg("--root", tiny_project.root, "query", "has-person", "-p", "who=obs:one",
                 "--format", "json")
    assert json.loads(as_json.out) == {"head": {}, "boolean": False}


@pytest.mark.parametrize(("fmt", "rdflib_name"), [
    (None, "turtle"), ("turtle", "turtle"), ("jsonld", "json-ld"), ("ntriples", "nt")])
def test_construct_prints_rdf_that_parses(kg, tiny_project: Project, fmt: str | None,
                                          rdflib_name: str) -> None:
    args = ["--root", tiny_project.root, "query", "graph-of", "-p", "thing=person:budi"]
    run = kg(*args, *(["--format", fmt] if fmt else []))
    assert run.code == 0, run
    from rdflib import Graph  # an independent reader of what kg wrote

    graph = Graph().parse(data=run.out, format=rdflib_name)
    assert len(graph) == 4


def test_format_that_does_not_suit_the_query_exits_2(kg, tiny_project: Project) -> None:
    run = kg("--root", tiny_project.root, "query", "graph-of", "-p", "thing=person:budi",
             "--format", "csv")
    assert run.code == 2 and "use --format turtle, jsonld, ntriples" in run.err


def test_bad_parameter_exits_2_naming_it(kg, tiny_project: Project) -> None:
    run = kg("--root", tiny_project.root, "query", "has-person", "-p", f"who={HOSTILE}")
    assert run.code == 2
    assert run.err.startswith("kg: error: parameter 'who':")
    assert "Traceback" not in run.err
    assert kg("--root", tiny_project.root, "query", "has-person", "-p", "who").code == 2
    assert "no saved query" in kg("--root", tiny_project.root, "query", "nope").err


def test_sparql_reads_a_file_or_stdin(kg, tiny_project: Project, tmp_path: Path, monkeypatch) -> None:
    query = "ASK { person:budi a foaf:Person }"
    file = write(tmp_path / "ask.rq", query)
    assert kg("--root", tiny_project.root, "sparql", file).out == "true\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(query))
    assert kg("--root", tiny_project.root, "sparql", "-").out == "true\n"
    missing = kg("--root", tiny_project.root, "sparql", tmp_path / "nope.rq")
    assert missing.code == 2 and "no such file" in missing.err
    broken = kg("--root", tiny_project.root, "sparql", "SELECT ?x WHERE { ?x }")
    assert broken.code == 2 and broken.err.startswith("kg: error: the query does not parse: line 1")


def test_a_query_text_longer_than_a_file_name_is_run_not_a_traceback(kg, tiny_project: Project) -> None:
    long = "ASK { " + " ".join(["person:budi a foaf:Person ."] * 20) + " }"
    assert len(long) > 255
    run = kg("--root", tiny_project.root, "sparql", long)
    assert (run.code, run.out) == (0, "true\n"), run


def test_kg_sparql_finds_the_labels_of_codes_and_classes(kg) -> None:
    """The vocabulary graphs are in the graph: codes and classes have their labels."""
    run = kg("sparql", "SELECT ?l WHERE { indicator:umkm-count skos:prefLabel ?l }", "-f", "json")
    assert run.code == 0, run
    labels = {(b["l"]["value"], b["l"]["xml:lang"]) for b in json.loads(run.out)["results"]["bindings"]}
    assert labels == {("jumlah UMKM", "id"), ("number of MSMEs", "en")}
    run = kg("sparql", "SELECT ?l WHERE { kg:ColdStorage rdfs:label ?l }", "-f", "csv")
    assert sorted(run.out.splitlines()[1:]) == ["Cold storage", "Gudang pendingin (cold storage)"]
    run = kg("sparql", "SELECT ?g WHERE { GRAPH ?g { kg:ColdStorage a owl:Class } }", "-f", "csv")
    assert run.out.splitlines()[1:] == ["https://kg.example/def/"]
    run = kg("sparql", "SELECT ?g WHERE { GRAPH ?g { indicator:umkm-count a skos:Concept } }",
             "-f", "csv")
    assert run.out.splitlines()[1:] == ["https://kg.example/code/"]


@pytest.mark.parametrize("update", [
    "DROP ALL", "CLEAR DEFAULT", "INSERT DATA { person:x a foaf:Person }",
    "DELETE WHERE { ?s ?p ?o }", "LOAD <{url}>", "LOAD SILENT <{url}> INTO GRAPH <urn:g>",
    "PREFIX ex: <urn:ex:> DELETE { ?s ?p ?o } INSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
])
def test_an_update_is_refused_and_changes_nothing(kg, shipped: KnowledgeGraph, trap,
                                                  update: str) -> None:
    before = set(shipped.store)
    update = update.replace("{url}", trap.url)
    run = kg("sparql", update)
    assert run.code == 2 and run.out == ""
    assert "is an update: kg runs queries only (SELECT, ASK, CONSTRUCT, DESCRIBE)" in run.err
    assert "Traceback" not in run.err and run.err.count("\n") == 1
    with pytest.raises(QueryError, match="is an update"):
        shipped.query(update)
    assert set(shipped.store) == before
    assert trap.connections() == 0


@pytest.mark.parametrize("pattern", [
    "SERVICE <{url}> {{ ?s ?p ?o }}",
    "SERVICE SILENT <{url}> {{ ?s ?p ?o }}",
    "?a ?b ?c OPTIONAL {{ }} service<{url}>{{ ?s ?p ?o }}",
    "?a ?b ?c . SERVICE#\n<{url}> {{ ?s ?p ?o }}",
], ids=["plain", "silent", "glued-lower-case", "comment"])
def test_a_service_is_refused_and_no_connection_is_made(kg, trap, tmp_path: Path,
                                                         pattern: str) -> None:
    query = "SELECT * WHERE { " + pattern.format(url=trap.url) + " }"
    run = kg("sparql", query)
    assert run.code == 2 and run.out == ""
    assert run.err == ("kg: error: SERVICE is refused: kg runs queries on its own graph and "
                       "never reaches the network for one\n")
    saved = write(tmp_path / "queries" / "remote.rq", "#+ summary: s\n" + query + "\n")
    with pytest.raises(QueryError, match=r"remote\.rq: SERVICE is refused"):
        read_saved_query(saved)
    assert trap.connections() == 0


def test_service_glued_to_its_iri_is_refused(shipped: KnowledgeGraph, trap) -> None:
    """`SERVICE<http://...>` (no space) was read as one word, not the keyword: the query
    ran, and pyoxigraph sent it to the endpoint."""
    with pytest.raises(QueryError, match="SERVICE is refused"):
        shipped.query(f"SELECT * WHERE {{ ?a ?b ?c . SERVICE<{trap.url}>{{ ?s ?p ?o }} }}")
    assert trap.connections() == 0


def test_the_word_service_in_a_string_or_iri_is_not_refused(shipped: KnowledgeGraph) -> None:
    result = shipped.query('SELECT ?x ?y WHERE { BIND("SERVICE <http://x/> { }" AS ?x) '
                           'BIND(<https://e.org/SERVICE> AS ?y) } # SERVICE')
    assert result.values() == [{"x": "SERVICE <http://x/> { }", "y": "https://e.org/SERVICE"}]


def test_select_star_shows_the_variables_in_the_order_of_the_query(kg, tiny_project: Project) -> None:
    """pyoxigraph sorts the variables of `SELECT *` by name: ?s ?p ?o came out as o, p, s."""
    run = kg("--root", tiny_project.root, "sparql", "-f", "csv",
             "SELECT * WHERE { ?thing skos:prefLabel ?label ; kg:seen ?day } LIMIT 1")
    assert run.out.splitlines()[0] == "thing,label,day"
    run = kg("--root", tiny_project.root, "sparql", "-f", "csv",
             "SELECT DISTINCT * WHERE { ?s ?p ?o } LIMIT 1")
    assert run.out.splitlines()[0] == "s,p,o"
    run = kg("--root", tiny_project.root, "sparql", "-f", "csv",
             "SELECT ?p ?s WHERE { { SELECT * WHERE { ?s ?p ?o } } } LIMIT 1")
    assert run.out.splitlines()[0] == "p,s"  # a projection named is kept as named


def test_render_of_an_empty_select() -> None:
    result = QueryResult("SELECT", variables=("a",), rows=())
    assert render(result, ResultFormat.TABLE, width=40) == "a\n-\n(0 rows)\n"
    assert render(result, ResultFormat.CSV) == "a\r\n"


# --------------------------------------------------------------------------- the shipped queries

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
SHIPPED_QUERIES = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
CONFLICT = Path(__file__).resolve().parent / "fixtures" / "queries" / "conflicting-umkm-count.trig"
S000, S001, S002 = "source:000_9a270a74a60b7d58", "source:001_e75d6ffc1d1582a2", "source:002_90bcced4ea2d4b0f"
S003, S004 = "source:003_908d3bb2f5f92d70", "source:004_ceeb33199186a361"


@pytest.fixture(scope="module")
def library() -> QueryLibrary:
    return QueryLibrary.load(QUERIES_DIR)


@pytest.fixture(scope="module")
def backend(shipped: KnowledgeGraph) -> KnowledgeGraph:
    return shipped


#: query -> [(parameters, columns, the expected rows of those columns)]; every
#: shipped query needs at least one entry (see test_every_saved_query_has_an_asserted_answer).
ANSWERS: dict[str, list[tuple[dict[str, str], tuple[str, ...], list[tuple[str | None, ...]]]]] = {
    "post-holder-on-date": [
        ({"post": "post:head-dkumkmp-balikpapan", "on": "2024-11-25"},
         ("answer", "holder", "attested", "source"),
         [("attested on that date", "person:heru-ressandy", "2024-11-25", S001)]),
        ({"post": "post:head-dkumkmp-balikpapan", "on": "2023-01-01"},
         ("answer", "holder", "attested", "source"),
         [("latest before", "person:adwar-skenda-putra", "2021-11-11", S003),
          ("next after", "person:heru-ressandy", "2024-11-25", S001)]),
        ({"post": "post:mayor-balikpapan", "on": "2030-01-01"},
         ("answer", "holder", "attested"),
         [("latest before", "person:rahmad-masud", "2025-07-09")]),
    ],
    "posts-of-person": [
        ({"person": "person:adwar-skenda-putra"}, ("date", "how", "post", "source"),
         [("2021-11-11", "attested on", "post:head-dkumkmp-balikpapan", S003),
          ("2025-11-19", "attested on", "post:expert-staff-governance-balikpapan", S000)]),
        ({"person": "person:imdaad-hamid"}, ("date", "how", "post"),
         [("2021-11-11", "before", "post:mayor-balikpapan")]),
    ],
    "holdings-timeline": [
        ({}, ("date", "how", "person", "post"), [
            ("2021-11-11", "attested on", "person:adwar-skenda-putra", "post:head-dkumkmp-balikpapan"),
            ("2021-11-11", "attested on", "person:budi-wahyudi", "post:head-seksi-ilmate-dkumkmp"),
            ("2021-11-11", "before", "person:imdaad-hamid", "post:mayor-balikpapan"),
            ("2024-11-25", "attested on", "person:heru-ressandy", "post:head-dkumkmp-balikpapan"),
            ("2025-07-09", "attested on", "person:selvi-gibran-rakabuming",
             "post:general-chair-dekranas"),
            ("2025-07-09", "attested on", "person:rahmad-masud", "post:mayor-balikpapan"),
            ("2025-11-10", "attested on", "person:heru-ressandy", "post:head-dkumkmp-balikpapan"),
            ("2025-11-19", "attested on", "person:adwar-skenda-putra",
             "post:expert-staff-governance-balikpapan")]),
    ],
    "bodies": [
        ({}, ("body", "parent", "alias"), [
            ("body:bps-balikpapan", None, None),
            ("body:dekranas", None, "Dekranas"),
            ("body:disperindagkop-kaltim", None, None),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan", "DKUMKMP"),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan", "Dinas KUMKM"),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan", "Dinas KUMKMP"),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan",
             "Dinas Koperasi UMKM dan Perindustrian"),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan",
             "Dinas Koperasi, UMKM, dan Perindustrian"),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan",
             "Dinas Koperasi, Usaha Mikro, Kecil, dan Menengah"),
            ("body:dkumkmp-balikpapan", "body:pemkot-balikpapan", "KUMKMP"),
            ("body:fokusborneo", None, None),
            ("body:idn-times", None, None),
            ("body:iknbisnis", None, None),
            ("body:iknpos", None, None),
            ("body:inibalikpapan", None, None),
            ("body:kemenperin", None, None),
            ("body:pemkot-balikpapan", None, "Pemkot Balikpapan"),
            ("body:seksi-ilmate-dkumkmp", "body:dkumkmp-balikpapan",
             "Bina Tekhnologi dan Industri Logam, Mesin, Alat Transportasi dan Elektronika (Ilmate)"),
            ("body:seksi-ilmate-dkumkmp", "body:dkumkmp-balikpapan", "Ilmate")]),
    ],
    "programs-by-body": [
        ({"body": "body:dkumkmp-balikpapan"}, ("program", "instrument", "source"), [
            ("program:dkumkmp-industry-programs", "instrument:market-access", S001),
            ("program:dkumkmp-industry-programs", "instrument:technology-development", S001),
            ("program:dkumkmp-industry-programs", "instrument:training", S001),
            ("program:dkumkmp-industry-socialization", "instrument:socialization", S003)]),
        # ease of licensing (004) is a growth factor, a finding, no longer a program
        ({}, ("provider", "program", "instrument"), [
            (None, "program:umkm-stakeholder-support", "instrument:mentoring"),
            (None, "program:umkm-stakeholder-support", "instrument:partnership"),
            (None, "program:umkm-stakeholder-support", "instrument:socialization"),
            (None, "program:umkm-stakeholder-support", "instrument:training"),
            ("body:dkumkmp-balikpapan", "program:dkumkmp-industry-programs", "instrument:market-access"),
            ("body:dkumkmp-balikpapan", "program:dkumkmp-industry-programs",
             "instrument:technology-development"),
            ("body:dkumkmp-balikpapan", "program:dkumkmp-industry-programs", "instrument:training"),
            ("body:dkumkmp-balikpapan", "program:dkumkmp-industry-socialization",
             "instrument:socialization"),
            ("body:pemkot-balikpapan", "program:pemkot-digital-push", "instrument:digitalisation"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-naik-kelas-commitment",
             "instrument:financing-access"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-naik-kelas-commitment",
             "instrument:infrastructure"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-naik-kelas-commitment",
             "instrument:partnership"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-naik-kelas-commitment",
             "instrument:vocational-education"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-support", "instrument:financing-access"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-support", "instrument:mentoring"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-support", "instrument:product-promotion"),
            ("body:pemkot-balikpapan", "program:pemkot-umkm-support", "instrument:training"),
            ("body:pemkot-balikpapan", "program:umkm-naik-kelas-scheme",
             "instrument:capacity-building")]),
    ],
    "facilities": [
        # the logistics facilities and the cold storage the 000 speaker lists: nodes, no details
        ({}, ("facility", "place", "part", "mode", "capacity", "unit", "yearBuilt", "yearOperational"), [
            ("facility:balikpapan-logistics-facilities", "place:balikpapan", None, None, None, None,
             None, None),
            ("facility:balikpapan-umkm-cold-storage", "place:balikpapan", None, None, None, None,
             None, None),
            ("facility:cold-storage-teritip", "place:sikt", None, None, "80", "uom:tonne", "2022", "2024"),
            ("facility:cold-storage-teritip", "place:sikt", "facility:cold-storage-teritip--chilled",
             "storage:chilled", "60", "uom:tonne", "2022", "2024"),
            ("facility:cold-storage-teritip", "place:sikt", "facility:cold-storage-teritip--frozen",
             "storage:frozen", "20", "uom:tonne", "2022", "2024")]),
    ],
    "facility-claims": [
        ({}, ("facility", "part", "claim", "value", "unit", "source"), [
            ("facility:cold-storage-teritip", None, "kg:storageCapacity", "80", "uom:tonne", S001),
            ("facility:cold-storage-teritip", None, "kg:yearBuilt", "2022", None, S001),
            ("facility:cold-storage-teritip", None, "kg:yearOperational", "2024", None, S001),
            ("facility:cold-storage-teritip", "facility:cold-storage-teritip--chilled",
             "kg:storageCapacity", "60", "uom:tonne", S001),
            ("facility:cold-storage-teritip", "facility:cold-storage-teritip--frozen",
             "kg:storageCapacity", "20", "uom:tonne", S001)]),
    ],
    "indicator-series": [
        # 2024 was quoted on 2024-11-25, before the year ended: its basis says so
        ({"indicator": "indicator:industry-sector-pad"},
         ("period", "basis", "value", "unit", "qualifier", "statedAs", "source"), [
            ("period:2021", "basis:stated", "115000000", "uom:IDR", "qualifier:exact", "Rp 115.000.000",
             S001),
            ("period:2022", "basis:stated", "115000000", "uom:IDR", "qualifier:exact", "Rp 115.000.000",
             S001),
            ("period:2023", "basis:stated", "144000000", "uom:IDR", "qualifier:exact", "Rp 144.000.000",
             S001),
            ("period:2024", "basis:period-to-date", "330280000", "uom:IDR", "qualifier:exact",
             "Rp 330.280.000", S001)]),
        ({"indicator": "indicator:umkm-count", "area": "place:balikpapan"},
         ("period", "start", "basis", "value", "qualifier", "source"), [
            ("period:2023", "2023-01-01", "basis:stated", "73300", "qualifier:exact", S004),
            ("period:2024", "2024-01-01", "basis:stated", "87397", "qualifier:exact", S004),
            ("date:2025-11-10", "2025-11-10", "basis:report-date", "93000", "qualifier:approximate",
             S002)]),
    ],
    "growth-derived-vs-reported": [
        ({}, ("method", "fromPeriod", "toPeriod", "fromValue", "toValue", "growth", "qualifier",
              "toSource"), [
            ("derived", "period:2023", "period:2024", "73300", "87397", "19.23", "qualifier:exact", S004),
            ("reported", "period:2023", "period:2024", None, None, "19.23", "qualifier:approximate",
             S004),
            # "2": the data says "2.0"^^xsd:decimal; the store keeps it in canonical form
            ("reported", None, "date:2025-11-10", None, None, "2", "qualifier:lower-bound", S002),
            ("derived", "period:2024", "date:2025-11-10", "87397", "93000", "6.41",
             "qualifier:approximate", S002)]),
        # no 2023 -> 2024: the 2024 figure is to date (quoted 2024-11-25), not the year's
        ({"indicator": "indicator:industry-sector-pad"},
         ("method", "fromPeriod", "toPeriod", "growth"), [
            ("derived", "period:2021", "period:2022", "0"),
            ("derived", "period:2022", "period:2023", "25.22")]),
    ],
    "conflicting-figures": [
        ({}, ("indicator", "period", "value", "otherValue"), []),
    ],
    "events-in-range": [
        ({"from": "2025-01-01", "to": "2025-12-31"}, ("date", "event", "type", "source"), [
            ("2025-07-09", "event:hut-45-dekranas-balikpapan", "eventtype:anniversary", S004),
            ("2025-11-19", "event:industry-development-presentation-2025-11-19",
             "eventtype:presentation", S000)]),
        ({"to": "2021-11-11"}, ("date", "event", "organizer"), [
            ("2021-11-11", "event:industry-competitiveness-socialization-2021-11-11",
             "body:dkumkmp-balikpapan")]),
    ],
    "sources-mentioning": [
        ({"entity": "person:heru-ressandy"}, ("source", "publisher", "statedDate"), [
            (S001, "body:iknpos", "2024-11-25"), (S002, "body:fokusborneo", "2025-11-10")]),
        ({"entity": "facility:cold-storage-teritip"}, ("source",), [(S001,)]),
    ],
    "label-search": [
        # the interview at the Balai Kota (002) is an event named after it
        ({"text": "BALAI"}, ("entity", "kind", "language", "label"), [
            ("event:002-heru-ressandy-met-at-balai-kota", "name", "id",
             "Heru Ressandy ditemui di Balai Kota"),
            ("place:balai-kota-balikpapan", "alias", "id", "Balai Kota"),
            ("place:balai-kota-balikpapan", "name", "id", "Balai Kota Balikpapan")]),
        ({"text": "City Hall"}, ("entity", "name", "language", "label"), [
            ("event:002-heru-ressandy-met-at-balai-kota", "Heru Ressandy ditemui di Balai Kota", "en",
             "Heru Ressandy met at the city hall"),
            ("place:balai-kota-balikpapan", "Balai Kota Balikpapan", "en", "Balikpapan City Hall")]),
        ({"text": "kaltim"}, ("entity", "kind", "label"), [
            ("body:disperindagkop-kaltim", "name", "Disperindagkop Kaltim"),
            ("place:kalimantan-timur", "alias", "Kaltim")]),
        ({"text": "east kalimantan"}, ("entity", "name"), [
            ("place:kalimantan-timur", "Kalimantan Timur")]),
        ({"text": HOSTILE}, ("entity",), []),
    ],
    "who-says": [
        ({"indicator": "indicator:umkm-count"},
         ("period", "value", "qualifier", "saidBy", "source", "publisher", "statedDate"), [
            ("period:2023", "73300", "qualifier:exact", "person:rahmad-masud", S004, "body:iknbisnis",
             "2025-07-09"),
            ("period:2024", "87397", "qualifier:exact", "person:rahmad-masud", S004, "body:iknbisnis",
             "2025-07-09"),
            ("date:2025-11-10", "93000", "qualifier:approximate", "person:heru-ressandy", S002,
             "body:fokusborneo", "2025-11-10")]),
    ],
    "policies": [
        # 003 says the coal rules were issued during Mayor Imdaad Hamid's leadership, not by
        # whom: a tenure, no passedBy
        ({}, ("policy", "adoptedBy", "instrument", "instrumentType", "passedBy", "tenure"), [
            ("policy:central-government-industry-facilitation", None, None, None, None, None),
            ("policy:no-natural-resource-exploitation", "body:pemkot-balikpapan",
             "policy:kepwali-larangan-batu-bara", "legal:mayoral-decree", None,
             "holding:imdaad-hamid--mayor-balikpapan"),
            ("policy:no-natural-resource-exploitation", "body:pemkot-balikpapan",
             "policy:perwali-larangan-batu-bara", "legal:mayoral-regulation", None,
             "holding:imdaad-hamid--mayor-balikpapan"),
            ("policy:non-oil-gas-industry-diversification", "body:pemkot-balikpapan", None, None, None,
             None),
            ("policy:ppkm-level-reduction-4-to-2", None, None, None, None, None)]),
    ],
    "observations-by-qualifier": [
        ({"qualifier": "qualifier:lower-bound"}, ("indicator", "period", "value", "statedAs"), [
            # "47" and "2": the data says "47.0" and "2.0" (xsd:decimal); the store keeps
            # typed literals in canonical form, the same values
            # the share's period is not printed: a period node of its own, not the report day
            ("indicator:manufacturing-pdrb-share", "period:000-manufacturing-pdrb-share", "47",
             "lebih dari 47 persen"),
            ("indicator:umkm-growth-rate", "date:2025-11-10", "2", "melebihi target 2 persen")]),
    ],
    "findings": [
        ({"sector": "sector:oil-gas"}, ("assessment", "finding", "saidBy", "source"), [
            ("assessment:capability", "finding:000-oil-gas-capability", "person:adwar-skenda-putra", S000),
            ("assessment:challenge", "finding:000-oil-gas-dominance-challenge",
             "person:adwar-skenda-putra", S000),
            ("assessment:dominant", "finding:000-oil-gas-dominant", "person:adwar-skenda-putra", S000)]),
        ({"assessment": "assessment:dominant", "sector": "sector:trade"}, ("finding", "rank"), [
            ("finding:004-umkm-growth-trade", "1")]),
        # findings about UMKM as a whole have a size class and no sector
        ({"assessment": "assessment:growth-factor"}, ("sector", "sizeClass", "finding", "saidBy"), [
            (None, "size:umkm", "finding:004-licensing-ease-growth-factor", "person:rahmad-masud"),
            (None, "size:umkm", "finding:004-social-media-growth-factor", "person:rahmad-masud")]),
    ],
    "sources": [
        ({}, ("statedDate", "source", "publisher", "author"), [
            ("2021-11-11", S003, "body:idn-times", None),
            ("2024-11-25", S001, "body:iknpos", None),
            ("2025-07-09", S004, "body:iknbisnis", "person:yandri-rinaldi"),
            ("2025-11-10", S002, "body:fokusborneo", None),
            ("2025-11-19", S000, "body:inibalikpapan", None)]),
    ],
    # the shipped data splits no count into groups: tests/test_later_patterns.py adds one
    "breakdown-vs-total": [
        ({}, ("indicator", "group", "sum", "totalValue", "verdict"), []),
    ],
    "share-derived-vs-stated": [
        ({}, ("share", "area", "period", "statedShare", "derivedShare", "derivedQualifier",
              "numeratorValue", "numeratorSource", "denominatorValue", "denominatorSource"), [
            ("indicator:micro-enterprise-share-of-umkm", "place:balikpapan", "date:2025-11-10", None,
             "93.55", "qualifier:approximate", "87000", S002, "93000", S002)]),
        ({"share": "indicator:ikm-share-of-umkm"}, ("share", "derivedShare"), []),
    ],
    # answered by their own tests below; listed so that every query is accounted for
    "graph-summary": [],
    "source-statements": [],
}
CHECKED_ELSEWHERE = {"graph-summary", "source-statements"}


def test_the_shipped_queries_load_and_are_at_least_fifteen(library: QueryLibrary) -> None:
    assert library.names() == SHIPPED_QUERIES
    assert len(SHIPPED_QUERIES) >= 15
    for name in SHIPPED_QUERIES:
        query = library.get(name)
        assert query.summary and query.description, name
        for p in query.params:  # every parameter can be tried from `kg queries`
            assert p.example or p.default, f"{name}: parameter {p.name} has no example"


@pytest.mark.parametrize("name", SHIPPED_QUERIES)
def test_every_saved_query_has_an_asserted_answer(name: str) -> None:
    assert name in ANSWERS, (f"queries/{name}.rq has no asserted answer on the shipped data: "
                             "add one to ANSWERS in tests/test_queries.py")
    assert ANSWERS[name] or name in CHECKED_ELSEWHERE


def test_no_answer_is_asserted_for_a_query_that_is_gone() -> None:
    assert sorted(ANSWERS) == SHIPPED_QUERIES


@pytest.mark.parametrize(("name", "case"), [(n, i) for n in sorted(ANSWERS)
                                            for i in range(len(ANSWERS[n]))])
def test_saved_query_answer_on_the_shipped_data(name: str, case: int, library: QueryLibrary,
                                                backend: KnowledgeGraph) -> None:
    params, columns, expected = ANSWERS[name][case]
    result = run_saved(backend, name, library=library, **params)
    assert result.kind == "SELECT"
    assert cells(result, *columns) == expected


def test_graph_summary_counts_what_the_graph_holds(library: QueryLibrary, backend: KnowledgeGraph,
                                                  shipped: KnowledgeGraph) -> None:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    result = run_saved(backend, "graph-summary", library=library)
    rows = {(r["class"], r["source"]): (r["entities"], r["statements"]) for r in result.values()}
    assert rows[(None, None)] == (None, len(shipped))
    expected_classes: dict[str, set[object]] = {}
    for name in shipped.source_graphs():
        graph = list(shipped.quads(graph=name))
        assert rows[(None, name.value)] == (None, len(graph))
        for quad in graph:
            if quad.predicate != rdf_type:
                continue
            cls = quad.object.value
            expected_classes.setdefault(cls, set()).add(quad.subject)
            count = len({q.subject for q in graph if q.predicate == rdf_type and q.object == quad.object})
            assert rows[(cls, name.value)] == (count, None)
    for cls, entities in expected_classes.items():
        assert rows[(cls, None)] == (len(entities), None)
    assert rows[("https://kg.example/def/SourceArticle", None)] == (5, None)
    assert rows[("http://purl.org/linked-data/cube#Observation", None)] == (14, None)


def test_source_statements_is_the_articles_graph(library: QueryLibrary, backend: KnowledgeGraph,
                                                 shipped: KnowledgeGraph) -> None:
    for name in shipped.source_graphs():
        result = run_saved(backend, "source-statements", library=library, source=name.value)
        assert result.kind == "CONSTRUCT" and result.triples is not None
        assert set(result.triples) == {q.triple for q in shipped.quads(graph=name)}
    unknown = run_saved(backend, "source-statements", library=library, source="source:nope")
    assert unknown.triples is not None and len(unknown.triples) == 0


def test_conflicting_figures_finds_a_source_that_disagrees(project: Project, library: QueryLibrary) -> None:
    graph = load_graph(project, extra=[CONFLICT])
    result = run_saved(graph, "conflicting-figures", library=library)
    assert cells(result, "indicator", "area", "period", "value", "qualifier", "source",
                 "otherValue", "otherQualifier", "otherStatedAs", "otherSource") == [
        ("indicator:umkm-count", "place:balikpapan", "period:2024", "87397", "qualifier:exact", S004,
         "88000", "qualifier:approximate", "sekitar 88 ribu unit usaha", "source:900_test_conflict")]


def test_kg_query_end_to_end_on_the_shipped_data(kg) -> None:
    run = kg("query", "post-holder-on-date", "-p", "post=post:head-dkumkmp-balikpapan",
             "-p", "on=2023-01-01", "--format", "csv")
    assert run.code == 0, run
    rows = list(csv.DictReader(io.StringIO(run.out, newline="")))
    assert [(r["answer"], r["holder"]) for r in rows] == [
        ("latest before", "https://kg.example/id/person/adwar-skenda-putra"),
        ("next after", "https://kg.example/id/person/heru-ressandy")]
    listed = kg("queries")
    assert all(f"{name}: " in listed.out for name in SHIPPED_QUERIES)

"""The CLI and the library as a new user meets them: each test is one thing that read badly.

Regression tests, one per complaint, named after what broke. The CLI runs in
process (the ``kg`` fixture) unless the terminal or a pipe matters: then as a
process (``kg_process``).
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.results import QueryResult, ResultFormat, render
from oxigraph_server import start_oxigraph

ROOT = Path(__file__).resolve().parents[1]

#: An IRI longer than any terminal's default width: cutting it loses what the next command needs.
LONG_IRI = "https://example.org/" + "a-very-long-local-name-" * 6 + "end"
LONG_QUERY = f"SELECT ?x WHERE {{ VALUES ?x {{ <{LONG_IRI}> }} }}"


def kg_process(*argv: str, tty: bool = False, columns: int = 40) -> tuple[int, str, str]:
    """``kg ARGV`` as a process: stdout a pipe, or with ``tty`` a terminal ``columns`` wide."""
    env = dict(os.environ, COLUMNS=str(columns),
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "kg.cli", *argv]
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        return done.returncode, done.stdout, done.stderr
    primary, secondary = pty.openpty()
    try:
        process = subprocess.Popen(command, stdout=secondary, stderr=subprocess.PIPE, env=env)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        _, err = process.communicate(timeout=120)
    finally:
        os.close(primary)
    return process.returncode, b"".join(chunks).decode().replace("\r\n", "\n"), err.decode()


# --------------------------------------------------------------------------- the table

def test_a_piped_table_is_not_cut_to_100_columns():
    code, out, err = kg_process("sparql", LONG_QUERY)
    assert code == 0, err
    assert f"<{LONG_IRI}>" in out
    assert "…" not in out


def test_a_table_on_a_terminal_is_cut_unless_wide():
    code, out, err = kg_process("sparql", LONG_QUERY, tty=True, columns=40)
    assert code == 0, err
    assert "…" in out and LONG_IRI not in out
    code, out, err = kg_process("sparql", LONG_QUERY, "--wide", tty=True, columns=40)
    assert code == 0, err
    assert f"<{LONG_IRI}>" in out


def test_a_rendered_table_is_whole_unless_given_a_width():
    result = QueryResult("SELECT", variables=("x",), rows=({"x": ox.NamedNode(LONG_IRI)},))
    assert f"<{LONG_IRI}>" in render(result)
    assert "…" in render(result, width=40)


def test_a_language_tag_in_a_table_does_not_read_as_json_ld_id():
    label = ox.Literal("Dinas Koperasi", language="id")
    result = QueryResult("SELECT", variables=("label",), rows=({"label": label},))
    table = render(result)
    assert "@id" not in table
    assert "Dinas Koperasi [id]" in table
    # the W3C formats keep the tag as they define it
    assert '"xml:lang": "id"' in render(result, ResultFormat.JSON)
    assert '"Dinas Koperasi"@id' in render(result, ResultFormat.TSV)
    assert render(result, ResultFormat.CSV) == "label\r\nDinas Koperasi\r\n"


# --------------------------------------------------------------------------- saved queries

def test_a_misspelled_query_name_gets_a_suggestion(kg):
    run = kg("query", "post-holder-on-dat", "--param", "on=2024-11-25")
    assert run.code == 2
    assert "did you mean post-holder-on-date?" in run.err
    run = kg("queries", "post-holder-on-dat")
    assert run.code == 2
    assert "did you mean post-holder-on-date?" in run.err
    assert "did you mean" not in kg("query", "no-such-thing-at-all").err


def test_a_misspelled_name_in_the_library_gets_a_suggestion(project):
    from kg.errors import QueryError
    from kg.queries import QueryLibrary

    with pytest.raises(QueryError, match="did you mean indicator-series"):
        QueryLibrary.load(project.queries_dir, check_syntax=False).get("indicator-serie")


def assert_describes_post_holder_on_date(text: str) -> None:
    assert "post-holder-on-date: Who held a given post on a given date" in text
    assert "The holder attested on that very date" in text  # the description
    assert "--param post=<iri>  required. the post (org:Post) " \
           "(e.g. post:head-dkumkmp-balikpapan)" in text
    assert "--param on=<date>  required. the day asked about (e.g. 2024-11-25)" in text
    assert ("kg query post-holder-on-date --param post=post:head-dkumkmp-balikpapan "
            "--param on=2024-11-25") in text


def test_kg_queries_name_describes_that_query(kg):
    run = kg("queries", "post-holder-on-date")
    assert run.code == 0, run
    assert_describes_post_holder_on_date(run.out)
    assert "bodies:" not in run.out  # that query only
    run = kg("queries", "post-holder-on-date", "--format", "json")
    import json

    described = json.loads(run.out)
    assert described["name"] == "post-holder-on-date"
    assert [p["example"] for p in described["params"]] == ["post:head-dkumkmp-balikpapan",
                                                           "2024-11-25"]


def test_kg_query_name_help_describes_that_query(kg):
    run = kg("query", "post-holder-on-date", "--help")
    assert run.code == 0, run
    assert "--param NAME=VALUE" in run.out  # the generic options
    assert_describes_post_holder_on_date(run.out)
    run = kg("query", "--help")
    assert run.code == 0 and "--param NAME=VALUE" in run.out
    assert "post-holder-on-date" not in run.out


def test_kg_query_without_a_name_still_asks_for_one(kg):
    with pytest.raises(SystemExit) as exited:
        kg("query")
    assert exited.value.code == 2


# --------------------------------------------------------------------------- answers that say why

def test_an_iri_parameter_that_names_nothing_gets_a_hint(kg):
    run = kg("query", "post-holder-on-date", "--param", "post=post:head-dkumkmp-balikpapn",
             "--param", "on=2024-11-25")
    assert run.code == 0, run
    assert "(0 rows)" in run.out
    assert ("note: post:head-dkumkmp-balikpapn names nothing in the graph; did you mean "
            "post:head-dkumkmp-balikpapan?") in run.err
    # an IRI the graph knows gets no note, even where the answer is empty
    run = kg("query", "post-holder-on-date", "--param", "post=post:head-dkumkmp-balikpapan",
             "--param", "on=2024-11-25", "--format", "csv")
    assert run.code == 0 and "note:" not in run.err


# --------------------------------------------------------------------------- errors that say what

def test_an_update_is_refused_as_an_update_not_a_parse_error(kg):
    run = kg("sparql", "DROP ALL")
    assert run.code == 2 and run.out == ""
    assert "does not parse" not in run.err and "Traceback" not in run.err
    assert "updates (DROP, INSERT, DELETE, LOAD, CLEAR, CREATE, ...) are refused" in run.err
    assert "`kg add` or `kg load`" in run.err
    assert run.err.count("\n") == 1


def test_a_syntax_error_points_into_the_users_own_line(kg):
    run = kg("sparql", "SELECT * WHERE { ?s ?p }")
    assert run.code == 2
    assert "line 1, column" in run.err


# --------------------------------------------------------------------------- the library

def test_export_accepts_a_format_name(shipped):
    import kg
    from kg.errors import InputError

    assert kg.export(shipped, "turtle") == kg.export(shipped, kg.RdfFormat.TURTLE)
    assert kg.export(shipped, "nq") == kg.export(shipped, kg.RdfFormat.NQUADS)
    with pytest.raises(InputError, match="unknown RDF format 'yaml'; use one of: turtle, trig"):
        kg.export(shipped, "yaml")


def test_export_to_accepts_a_format_name(shipped, tmp_path):
    import kg

    kg.export_to(shipped, "trig", tmp_path / "graph.trig")
    assert (tmp_path / "graph.trig").read_bytes() == kg.export(shipped, kg.RdfFormat.TRIG)


def test_validate_needs_no_shapes_passed_by_hand(shipped):
    import kg

    report = kg.validate(kg.load_graph())
    assert report.conforms, report.to_text()
    assert report.to_text() == kg.validate(shipped, kg.project_shapes(kg.Project.locate())
                                           ).to_text()
    assert kg.validate_graph(shipped).conforms


def test_validate_of_a_store_without_the_ontology_reads_the_projects(project):
    """Data alone, as a user loads it into a bare pyoxigraph Store: the shapes that need the
    code lists' labels and the ontology's classes see the project's."""
    import kg
    from kg.parse import rdf_files

    store = ox.Store()
    for path in rdf_files(project.data_dir):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG, to_graph=None)
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    report = kg.validate(store)
    assert report.conforms, report.to_text()
    assert not any(store.quads_for_pattern(None, None, ox.NamedNode(
        "http://www.w3.org/2002/07/owl#Ontology"), None))  # the given store is not changed


# --------------------------------------------------------------------------- on Oxigraph's server

@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve-read-only`` over a store `kg load` made of the project's graph: its URL."""
    import io

    from kg.cli import main

    store = tmp_path_factory.mktemp("oxigraph") / "store"
    assert main(["load", "--store", str(store)], out=io.StringIO()) == 0
    with start_oxigraph(store) as url:
        yield url


def test_named_graph_shows_graphs_the_default_graph_hides_on_oxigraph(kg, oxigraph, shipped):
    first, second, third = (g.value for g in shipped.source_graphs()[:3])
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    # alone, --default-graph leaves GRAPH nothing to see, as the protocol says: a note says why
    run = kg("sparql", query, "--endpoint", oxigraph, "--default-graph", first, "--format", "csv")
    assert run.code == 0, run
    assert run.out.split() == ["g"]
    assert "name the graphs GRAPH may see with --named-graph" in run.err
    run = kg("sparql", query, "--endpoint", oxigraph, "--default-graph", first,
             "--named-graph", second, "--named-graph", third, "--format", "csv")
    assert run.code == 0, run
    assert sorted(run.out.split()[1:]) == sorted([second, third])
    assert "note:" not in run.err
    # the default graph is still the one named
    source = kg("sparql", "SELECT DISTINCT ?a WHERE { ?a a kg:SourceArticle }", "--endpoint",
                oxigraph, "--default-graph", first, "--named-graph", second, "--format", "csv")
    assert source.out.split()[1:] == [first]


def test_a_syntax_error_on_an_endpoint_points_into_the_users_own_line(kg, oxigraph):
    local = kg("sparql", "SELECT * WHERE { ?s ?p }")
    there = kg("sparql", "SELECT * WHERE { ?s ?p }", "--endpoint", oxigraph)
    assert there.code == 2
    assert "line 1, column 18: near `?s ?p }`" in there.err, there
    assert "line 1, column 18: near `?s ?p }`" in local.err  # as a local query says
    assert "error at 5" not in there.err and "line 5" not in there.err
    two_lines = kg("sparql", "PREFIX ex: <urn:ex:>\nSELECT * WHERE { ?s ex:p }", "--endpoint",
                   oxigraph)
    assert "line 2, column" in two_lines.err, two_lines


def test_an_iri_that_names_nothing_gets_a_hint_on_an_endpoint_too(kg, oxigraph):
    run = kg("query", "post-holder-on-date", "--param", "post=post:head-dkumkmp-balikpapn",
             "--param", "on=2024-11-25", "--endpoint", oxigraph)
    assert run.code == 0, run
    assert "did you mean post:head-dkumkmp-balikpapan?" in run.err


@pytest.mark.virtuoso
def test_a_syntax_error_on_virtuoso_points_into_the_users_own_line(kg, virtuoso):
    run = kg("sparql", "PREFIX ex: <urn:ex:>\nSELECT * WHERE { ?s ex:p }", "--endpoint",
             virtuoso.sparql)
    assert run.code == 2
    assert "SP030" in run.err and "line 2" in run.err, run

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
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.results import QueryResult, ResultFormat, render

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

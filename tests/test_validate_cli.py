"""`kg validate` and `kg summary` as a user runs them: exit codes, report formats, errors."""

from __future__ import annotations

import json

from rdflib import Graph
from rdflib.namespace import SH


def test_shipped_data_conforms(kg):
    run = kg("validate")
    assert run.code == 0, run
    assert "conforms" in run.out


def test_summary_counts_the_five_sources(kg):
    run = kg("summary")
    assert run.code == 0, run
    assert "in 5 source graphs" in run.out
    assert "validation: 0 violation(s)" in run.out


def test_json_report_is_machine_readable(kg):
    run = kg("validate", "--format", "json")
    report = json.loads(run.out)
    assert report["conforms"] is True
    assert set(report["counts"]) == {"Violation", "Warning", "Info"}


def test_turtle_report_is_a_shacl_report(kg):
    run = kg("validate", "--format", "turtle")
    graph = Graph().parse(data=run.out, format="turtle")
    assert (None, SH.conforms, None) in graph


def test_syntax_error_exits_2_with_one_line_and_no_traceback(kg, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e.org/> .\nex:a ex:b .\n", encoding="utf-8")
    run = kg("validate", str(bad))
    assert run.code == 2
    assert run.err.startswith(f"kg: error: {bad}:2:")
    assert len(run.err.strip().splitlines()) == 1
    assert "Traceback" not in run.err


def test_missing_file_exits_2(kg, tmp_path):
    run = kg("validate", str(tmp_path / "nope.trig"))
    assert run.code == 2
    assert "no such file" in run.err


def test_shacl_sparql_constraints_are_parsed_once_not_per_focus_node(shipped, shapes, monkeypatch):
    """pySHACL re-parsed each constraint's query for every focus node (8.7 s on the shipped data)."""
    from rdflib.plugins.sparql import processor

    import kg.validate
    from kg.shacl.vocab import SH
    from kg.validate import validate_graph

    monkeypatch.setattr(kg.validate, "_PREPARED", {})  # start cold: the cache lives for the process
    calls: list[str] = []
    real_parse = processor.parseQuery
    monkeypatch.setattr(processor, "parseQuery", lambda text: (calls.append(text), real_parse(text))[1])
    validate_graph(shipped, shapes, engine="pyshacl")
    constraints = len({q.object for q in shapes.store.quads_for_pattern(None, SH.select, None)})
    assert 0 < len(calls) <= constraints

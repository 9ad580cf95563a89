"""kg add: untrusted input refused with one line, provenance, incremental validation equal to
full validation, crash safety, concurrency, no network, and new facts reaching the saved queries.

Every test works on ``project_copy`` (or copies of its own): the real data/ is never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import pyoxigraph as ox

from kg.add import add
from kg.cli import main
from kg.datafiles import COMMIT_LOCK_NAME, JOURNAL_NAME, LOCK_NAME, STEPS
from kg.graph import KnowledgeGraph, load_graph, read_files
from kg.parse import quads_of, rdf_files
from kg.project import Project
from kg.reach import ShapeAnalysis, validate_addition
from kg.report import ValidationReport
from kg.shacl import Shapes
from kg.validate import validate_graph

from conftest import FIXTURES, ROOT

ADD = FIXTURES / "add"
SOURCE = "https://kg.example/id/source/"
PERSON = "https://kg.example/id/person/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ALT_LABEL = ox.NamedNode(SKOS + "altLabel")


def graph_of(graph: KnowledgeGraph, name: str) -> set[ox.Triple]:
    """The statements of one named graph."""
    return {q.triple for q in graph.quads(graph=ox.NamedNode(name))}


def snapshot(data_dir: Path) -> dict[str, bytes]:
    """Every file of data/ and its bytes; the two lock files carry no data and are left out."""
    return {p.name: p.read_bytes() for p in sorted(data_dir.iterdir())
            if p.is_file() and p.name not in (LOCK_NAME, COMMIT_LOCK_NAME)}


def copy_project(target: Path) -> Project:
    for name in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(ROOT / name, target / name)
    return Project(target)


def one_line_error(err: str) -> str:
    """The error line of a failed run; fails when it is not exactly one line without traceback."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("kg: error: "), err
    return lines[0]


@pytest.fixture(scope="module")
def analysis(shapes: Shapes) -> ShapeAnalysis:
    return ShapeAnalysis(shapes.store)


# ---------------------------------------------------------------------------- adding


def test_new_article_is_added_to_its_own_file_and_reported(kg, project_copy):
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", ADD / "new-article.trig")
    assert run.code == 0, run
    assert "added 37 statement(s)" in run.out
    assert "source:900_test-article  data/900_test-article.trig (new file)" in run.out
    assert "new: body:kabar-contoh, obs:900-umkm-count-2024, source:900_test-article" in run.out
    assert "incremental validation:" in run.out and "conforms" in run.out
    after = snapshot(project_copy.data_dir)
    assert set(after) - set(before) == {"900_test-article.trig"}
    assert {k: v for k, v in after.items() if k in before} == before
    graph = load_graph(project_copy)
    assert ox.NamedNode(SOURCE + "900_test-article") in graph.source_graphs()
    assert len(graph_of(graph, SOURCE + "900_test-article")) == 37


def test_adding_the_same_file_twice_changes_nothing_the_second_time(kg, project_copy):
    assert kg("--root", project_copy.root, "add", ADD / "new-article.trig").code == 0
    once = snapshot(project_copy.data_dir)
    again = kg("--root", project_copy.root, "add", ADD / "new-article.trig")
    assert again.code == 0, again
    assert "nothing to add: all 37 statement(s) are already in the graph" in again.out
    assert snapshot(project_copy.data_dir) == once


def test_appending_to_an_existing_graph_keeps_its_file_byte_for_byte(kg, project_copy, tmp_path):
    target = project_copy.data_dir / "004_ceeb33199186a361.trig"
    old = target.read_bytes()
    alias = tmp_path / "alias.ttl"
    alias.write_text('<https://kg.example/id/person/yandri-rinaldi> '
                     '<http://www.w3.org/2004/02/skos/core#altLabel> "Yandri R."@id .\n')
    run = kg("--root", project_copy.root, "add", alias, "--source", "004_ceeb33199186a361",
             "--amend", "004_ceeb33199186a361")
    assert run.code == 0, run
    new = target.read_bytes()
    assert new.startswith(old) and b"# Added by kg add from alias.ttl." in new[len(old):]
    graph = load_graph(project_copy)
    assert ox.Triple(ox.NamedNode(PERSON + "yandri-rinaldi"), ALT_LABEL,
                     ox.Literal("Yandri R.", language="id")) \
        in graph_of(graph, SOURCE + "004_ceeb33199186a361")
    assert len(graph.source_graphs()) == 5


def test_hole_kg_add_folder_could_not_tell_the_format_now_adds_every_rdf_file_in_it(kg, project_copy, tmp_path):
    """Issue 10's hole: `kg add FOLDER` said "cannot tell the RDF format from the suffix"."""
    folder = tmp_path / "later-articles"
    folder.mkdir()
    for name in ("new-article.trig", "second-graph.trig"):
        shutil.copy2(ADD / name, folder / name)
    (folder / "README.md").write_text("notes on the articles, not RDF\n")
    (folder / ".draft.trig").write_text("not read: a hidden file\n")
    run = kg("--root", project_copy.root, "add", folder, "--amend", "004_ceeb33199186a361")
    assert run.code == 0, run
    added = set(snapshot(project_copy.data_dir))
    assert {"900_test-article.trig", "903_two-graphs.trig"} <= added
    assert b"Yandri R." in (project_copy.data_dir / "004_ceeb33199186a361.trig").read_bytes()


def test_kg_add_of_a_folder_without_rdf_files_says_so(kg, project_copy, tmp_path):
    (tmp_path / "README.md").write_text("no RDF here\n")
    run = kg("--root", project_copy.root, "add", tmp_path)
    assert run.code == 2
    assert f"{tmp_path}: a folder with no RDF file in it" in run.err
    assert "Traceback" not in run.err


def test_an_unknown_suffix_gives_advice_that_works_when_followed(kg, project_copy, tmp_path):
    """kg add says "give --format" (it has one) and then adds; kg load and kg validate have no
    --format for input and name the suffixes instead."""
    renamed = tmp_path / "new-article.txt"
    shutil.copy2(ADD / "new-article.trig", renamed)
    before = snapshot(project_copy.data_dir)
    refused = kg("--root", project_copy.root, "add", renamed)
    assert refused.code == 2
    assert refused.err.strip().endswith(
        "name it with .ttl, .trig, .nt, .nq or .jsonld, or give --format"), refused.err
    assert snapshot(project_copy.data_dir) == before
    assert kg("--root", project_copy.root, "add", renamed, "--format", "trig").code == 0
    assert "900_test-article.trig" in snapshot(project_copy.data_dir)
    for command in (["load", "--store", tmp_path / "store"], ["validate"]):
        run = kg("--root", project_copy.root, *command, renamed)
        assert run.code == 2, run
        assert "name it with .ttl, .trig, .nt, .nq or .jsonld" in run.err
        assert "--format" not in run.err, run.err


def test_source_options_describe_the_article_of_statements_outside_any_graph(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "good-facts-no-graph.ttl",
             "--source", "902_options-article", "--publisher", "Kabar Opsi",
             "--date", "2025-08-06", "--author", "Rina Penulis", "--headline", "Judul Contoh")
    assert run.code == 0, run
    graph = graph_of(load_graph(project_copy), SOURCE + "902_options-article")
    article = ox.NamedNode(SOURCE + "902_options-article")
    text = " ".join(str(t) for t in graph)
    assert "<https://kg.example/id/body/kabar-opsi>" in text
    assert '"2025-08-06"^^<http://www.w3.org/2001/XMLSchema#date>' in text
    assert ox.Triple(ox.NamedNode(PERSON + "dewi-contoh"),
                     ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode("http://xmlns.com/foaf/0.1/Person")) in graph
    assert ox.Triple(article, ox.NamedNode("http://schema.org/author"),
                     ox.NamedNode(PERSON + "rina-penulis")) in graph


def test_a_known_publisher_name_reuses_its_iri(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "good-facts-no-graph.ttl",
             "--source", "905_known-publisher", "--publisher", "iknbisnis.com",
             "--date", "2025-08-06", "--dry-run")
    assert run.code == 0, run
    assert "body:iknbisnis" not in run.out.split("new:")[-1]  # not a new entity


def test_jsonld_article_using_the_shipped_context(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "good-article.jsonld")
    assert run.code == 0, run
    assert (project_copy.data_dir / "901_jsonld-article.trig").exists()


def test_dry_run_validates_and_writes_nothing(kg, project_copy):
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", ADD / "new-article.trig", "--dry-run")
    assert run.code == 0, run
    assert "would add 37 statement(s)" in run.out and "dry run: nothing was written" in run.out
    assert snapshot(project_copy.data_dir) == before


def test_nonconforming_addition_is_refused_naming_statement_focus_and_message(kg, project_copy):
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add",
             FIXTURES / "invalid" / "ObservationShape-obsValue.trig")
    assert run.code == 1, run
    assert run.out.startswith("refused: the addition does not conform to the shapes; nothing "
                              "was written")
    assert "Violation https://kg.example/id/observation/fixture-umkm-growth" in run.out
    assert "path sdmx-measure:obsValue" in run.out
    assert "A statistic needs exactly one sdmx-measure:obsValue, a number" in run.out
    assert 'new statement: obs:fixture-umkm-growth sdmx-measure:obsValue "19,23" .  (from ' \
           "ObservationShape-obsValue.trig:62)" in run.out
    assert snapshot(project_copy.data_dir) == before


def test_a_new_holding_of_an_existing_post_warns_on_the_old_holding_too(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "holding-overlap.trig")
    assert run.code == 0, run  # a warning does not refuse ...
    warnings = [line for line in run.out.splitlines() if line.strip().startswith("Warning")]
    assert any("holding/rahmad-masud--mayor-balikpapan" in w.split("value")[0] for w in warnings)
    assert any("holding/budi-pelaksana--mayor-balikpapan" in w.split("value")[0] for w in warnings)


def test_strict_refuses_warnings(kg, project_copy):
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", ADD / "holding-overlap.trig", "--strict")
    assert run.code == 1, run
    assert snapshot(project_copy.data_dir) == before


def test_two_graphs_in_one_file_are_written_to_two_files(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "second-graph.trig",
             "--amend", "004_ceeb33199186a361")
    assert run.code == 0, run
    assert "in 2 source graph(s)" in run.out
    assert (project_copy.data_dir / "903_two-graphs.trig").exists()
    assert b"Yandri R." in (project_copy.data_dir / "004_ceeb33199186a361.trig").read_bytes()


def test_the_library_returns_the_result(project_copy, analysis):
    result = add([ADD / "new-article.trig"], project=project_copy, dry_run=True,
                 analysis=analysis)
    assert result.conforms and not result.written and result.statements == 37
    [addition] = result.additions
    assert addition.new_file and addition.file.name == "900_test-article.trig"
    assert ox.NamedNode("https://kg.example/id/observation/900-umkm-count-2024") in \
        addition.new_entities


# ---------------------------------------------------------------------------- bad input

#: fixture -> what its one-line error says (after "FILE"); exit code 2 for all.
BAD_INPUTS = {
    "bad-empty.ttl": ": is empty: no statements to read",
    "bad-comments-only.ttl": ": holds no statements",
    "bad-binary.ttl": ":3: is a binary file, not RDF text",
    "bad-latin1.ttl": ":2:59: is not UTF-8 text (byte 0xe9); save it as UTF-8",
    "bad-utf16.nt": ":1: is UTF-16 text; save it as UTF-8",
    "bad-unknown-prefix.trig": ':14:9: syntax error: Prefix "foo:" not bound',
    "bad-syntax.trig": ":14:5: syntax error: expected '.' or '}' or ']' at end of statement",
    "bad-ill-typed-integer.trig": ":12:51: ill-typed literal: 'abc' is not a valid xsd:integer",
    "bad-ill-typed-date.trig": ":12:54: ill-typed literal: '2025-13-45' is not a valid xsd:date",
    "bad-ill-typed-boolean.trig": ":12:26: ill-typed literal: 'yes' is not a valid xsd:boolean",
    "bad-ill-typed-gyear.trig": ":12:29: ill-typed literal: '20x4' is not a valid xsd:gYear",
    "bad-blank-node-only.trig": ":12:5: the blank node _:someone: kg needs an IRI for every node",
    "bad-rdf-list.trig": ":14:20: an RDF list ( ... ), made of blank nodes",
    "bad-iri-with-space.trig": ":12:38: the IRI <https://kg.example/id/person/ani budi> holds a "
                               "space, which IRIs may not",
    "bad-iri-escaped-space.nq": r":1:34: the IRI <https://kg.example/id/person/ani\u0020budi> "
                                r"holds \u0020 (a space)",
    "bad-relative-iri.trig": ":12:5: the relative IRI <ani> was resolved against the file's own "
                             "location",
    "bad-unknown-suffix.txt": ": cannot tell the RDF format from the suffix '.txt'",
    "bad-remote-context.jsonld": ":2:15: JSON-LD context "
                                 "'https://schema.org/docs/jsonldcontext.jsonld'"
                                 " would have to be fetched; kg never fetches contexts",
    "bad-remote-context-scoped.jsonld": ":4:70: JSON-LD context "
                                        "'https://evil.example/scoped.jsonld' "
                                        "would have to be fetched",
    "bad-remote-context-import.jsonld": ":2:44: JSON-LD context "
                                        "'https://evil.example/imported.jsonld'"
                                        " would have to be fetched",
    "bad-remote-context-nested.jsonld": ":2:28: JSON-LD context "
                                        "'https://evil.example/nested.jsonld' "
                                        "would have to be fetched",
    "bad-remote-context-type-scoped.jsonld": ":4:72: JSON-LD context "
                                             "'https://evil.example/type-scoped.jsonld' would "
                                             "have to be fetched",
    "bad-remote-context-in-graph.jsonld": ":5:30: JSON-LD context "
                                          "'http://127.0.0.1:9/ctx.jsonld' "
                                          "would have to be fetched",
    "bad-not-json.jsonld": ":4:87: not JSON: Expecting ',' delimiter",
    "bad-jsonld-blank-node.jsonld": ':5:5: a node object without "@id": kg needs an IRI',
    "bad-jsonld-ill-typed.jsonld": ":6:29: ill-typed literal: 'banyak' is not a valid xsd:integer",
}
#: refused for provenance (exit 2), with the message's start.
NO_PROVENANCE = {
    "bad-no-source.ttl": "statements without a source: ",
    "bad-jsonld-base.jsonld": "statements without a source: ",
    "bad-graph-not-a-source.trig": "graph <https://example.org/some-graph> is not a source "
                                   "article's",
    "bad-undescribed-source.trig": "source https://kg.example/id/source/950_undescribed is not "
                                   "described: its graph lacks a kg:SourceArticle type, a "
                                   "schema:publisher, a kg:statedDate",
}
#: not refused by kg validate: blank nodes are the shapes' business there
ADD_ONLY = {"bad-blank-node-only.trig", "bad-rdf-list.trig", "bad-jsonld-blank-node.jsonld"}


def generated_bad_inputs(folder: Path) -> dict[str, tuple[Path, list[str], str]]:
    """Inputs made on the fly: name -> (file, extra options, expected message part)."""
    folder.mkdir(exist_ok=True)
    head = "@prefix ex: <https://kg.example/id/person/> .\n"
    cases: dict[str, tuple[Path, list[str], str]] = {}

    deep = folder / "deep.ttl"
    deep.write_text(head + "ex:a ex:p " + "[ ex:p " * 100 + "ex:b" + " ]" * 100 + " .\n")
    cases["deep-turtle"] = (deep, [], ":2:")
    deep_json = folder / "deep.jsonld"
    deep_json.write_text('{"@id": "https://kg.example/id/person/a", "x": ' + "[" * 200 +
                         "]" * 200 + "}")
    cases["deep-json"] = (deep_json, [], ":1:")
    long = folder / "long.ttl"
    long.write_text(head + 'ex:a ex:p "' + "x" * 500 + '" .\n')
    cases["long-literal"] = (long, ["--max-literal-chars", "100"],
                             ":2:11: a literal of 500 characters, over the limit of 100")
    big = folder / "big.ttl"
    big.write_text(head + "ex:a ex:p ex:b .\n" * 50)
    cases["too-big"] = (big, ["--max-file-bytes", "200"], f"{big.stat().st_size} bytes, over "
                        "the limit of 200 bytes")
    cases["missing"] = (folder / "missing.ttl", [], ": no such file")
    (folder / "folder.ttl").mkdir(exist_ok=True)  # a folder stands for its RDF files: none here
    cases["folder"] = (folder / "folder.ttl", [], ": a folder with no RDF file in it")
    datatype = folder / "datatype.trig"  # rdflib's parser crashes here without a position
    datatype.write_text(head + f'<{SOURCE}004_ceeb33199186a361> {{ ex:a ex:p "1"^^x ex:b ex:c . }}\n')
    cases["datatype-without-prefix"] = (datatype, [], ":2:70: syntax error: after ^^ a datatype")
    unterminated = folder / "unterminated.trig"  # ... and here it raises a bare AssertionError
    unterminated.write_text(head + f'<{SOURCE}004_ceeb33199186a361> {{ ex:a ex:p "x')
    cases["unterminated-string"] = (unterminated, [], ":2:")
    cases["device"] = (Path("/dev/zero"), ["--format", "turtle"],
                       ": is not a regular file (a device, pipe or socket)")
    return cases


def test_deep_nesting_messages_name_the_limit(kg, project_copy, tmp_path):
    cases = generated_bad_inputs(tmp_path)
    run = kg("--root", project_copy.root, "add", cases["deep-turtle"][0])
    assert "brackets nested deeper than 32 levels" in one_line_error(run.err)
    run = kg("--root", project_copy.root, "add", cases["deep-json"][0])
    assert "JSON nested deeper than 32 levels" in one_line_error(run.err)


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_in_one_line_naming_file_and_line(kg, project_copy, name):
    before = snapshot(project_copy.data_dir)
    path = ADD / name
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 2, run
    assert f"kg: error: {path}{BAD_INPUTS[name]}" in one_line_error(run.err)
    assert snapshot(project_copy.data_dir) == before


@pytest.mark.parametrize("name", sorted(NO_PROVENANCE))
def test_statements_without_a_described_source_are_refused(kg, project_copy, name):
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", ADD / name)
    assert run.code == 2, run
    assert one_line_error(run.err).startswith("kg: error: " + NO_PROVENANCE[name])
    assert snapshot(project_copy.data_dir) == before


def test_generated_bad_inputs_are_refused_in_one_line(kg, project_copy, tmp_path):
    before = snapshot(project_copy.data_dir)
    for name, (path, options, expected) in generated_bad_inputs(tmp_path).items():
        run = kg("--root", project_copy.root, "add", path, *options)
        assert run.code == 2, (name, run)
        assert expected in one_line_error(run.err), (name, run)
    assert snapshot(project_copy.data_dir) == before


def test_long_rdf_list_is_over_the_limit(kg, project_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("KG_MAX_LIST_LENGTH", "5")
    items = "".join(f"ex:l{i} rdf:first ex:m{i} ; rdf:rest ex:l{i + 1} .\n" for i in range(10))
    path = tmp_path / "list.trig"
    path.write_text("@prefix ex: <https://kg.example/id/person/> .\n"
                    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                    f"<{SOURCE}004_ceeb33199186a361> {{\n{items}}}\n")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 2
    assert "an RDF list of more than 5 members, over the limit" in one_line_error(run.err)


def test_every_problem_of_every_file_is_reported(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "bad-syntax.trig",
             ADD / "bad-ill-typed-date.trig")
    assert run.code == 2 and "Traceback" not in run.err
    assert "bad-syntax.trig:14:5:" in run.err and "bad-ill-typed-date.trig:12:54:" in run.err


@pytest.mark.parametrize("name", sorted(set(BAD_INPUTS) - ADD_ONLY))
def test_kg_validate_applies_the_same_checks(kg, project_copy, name):
    path = ADD / name
    run = kg("--root", project_copy.root, "validate", path)
    assert run.code == 2, run
    assert f"kg: error: {path}{BAD_INPUTS[name]}" in one_line_error(run.err)


def test_kg_validate_leaves_blank_nodes_to_the_shapes(kg, project_copy):
    run = kg("--root", project_copy.root, "validate", FIXTURES / "invalid" / "NoBlankNodeShape.trig")
    assert run.code == 1, run
    assert "A described node is a blank node" in run.out


# ---------------------------------------------------------------------------- no network


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sockets that refuse to connect, and a list of what tried."""
    tried: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(repr(args[:2]))
        raise AssertionError(f"network access attempted: {args[:2]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return tried


def test_no_bad_input_reaches_the_network(kg, project_copy, no_network, tmp_path):
    for name in sorted({**BAD_INPUTS, **NO_PROVENANCE}):
        # kg validate reads files as kg add does; those that parse are validated (no network)
        for command in ("add", "validate") if name in set(BAD_INPUTS) - ADD_ONLY else ("add",):
            run = kg("--root", project_copy.root, command, ADD / name)
            assert run.code in (1, 2), (name, run)
            assert "network" not in run.err
    run = kg("--root", project_copy.root, "add", ADD / "good-article.jsonld")
    assert run.code == 0, run
    imports = tmp_path / "imports.trig"  # owl:imports is a statement, never followed
    imports.write_text(f"<{SOURCE}004_ceeb33199186a361> {{ <{SOURCE}004_ceeb33199186a361> "
                       "<http://www.w3.org/2002/07/owl#imports> <http://127.0.0.1:9/onto.ttl> . }\n")
    for command in (("add", "--amend", "004_ceeb33199186a361"), ("validate",)):
        assert kg("--root", project_copy.root, *command, imports).code in (0, 1)
    assert no_network == []


# ---------------------------------------------------------------------------- property-based

_VALID_TEXTS = {
    ".trig": (ADD / "new-article.trig").read_text(encoding="utf-8"),
    ".jsonld": (ADD / "good-article.jsonld").read_text(encoding="utf-8"),
}
_NOISE = ['"', "'", "<", ">", "{", "}", "[", "]", "(", ")", ".", ";", ",", ":", "#", "\\",
          "@prefix x: <y> .", "^^xsd:integer", '"abc"^^xsd:integer', "_:b1", "\x00", "\u00e9",
          "\ufeff", "\n", " ", "@context", '"https://evil.example/c"', '{"@import": "x"}',
          "[[[[[[[[", "@base <file:///etc/> .", '"@id": "a b"', "\udcff", "\u2028", "9" * 30]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(sorted(_VALID_TEXTS)))
    text = _VALID_TEXTS[suffix]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate", "replace"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(_NOISE)) + text[at:]
        elif kind == "duplicate":
            text = text[:at] + text[at:at + draw(st.integers(1, 60))] * 2 + text[at + 60:]
        else:
            text = text[:at] + draw(st.characters(codec="utf-8")) + text[at + 1:]
    return suffix, text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_project(tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutated_input_never_crashes_and_never_half_writes(fuzz_project, tmp_path, case):
    suffix, raw = case
    path = tmp_path / f"mutant{suffix}"
    path.write_bytes(raw)
    before = snapshot(fuzz_project.data_dir)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["--root", str(fuzz_project.root), "add", str(path)], out=io.StringIO())
    assert code in (0, 1, 2)
    assert "Traceback" not in err.getvalue()
    if code != 0:
        assert snapshot(fuzz_project.data_dir) == before
        if code == 2:
            assert err.getvalue().startswith("kg: error: ")


# ---------------------------------------------------------------------------- crash safety


def kg_process(root: Path, *args: str | Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "--root", str(root), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


def wait_for_pause(process: subprocess.Popen[str], step: str, timeout: float = 60) -> None:
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if f"paused at {step}" in line:
            return
        if not line and process.poll() is not None:
            raise AssertionError(f"kg add ended ({process.returncode}) before {step}: "
                                 f"{process.stderr.read()}")
    raise AssertionError(f"kg add did not reach {step}")


def test_a_crash_at_any_step_leaves_data_exactly_before_or_after(tmp_path):
    """SIGKILL at every write step of a two-file addition; recover; compare."""
    added = ADD / "second-graph.trig"
    reference = copy_project(tmp_path / "reference")
    before = snapshot(reference.data_dir)
    amend = ("--amend", "004_ceeb33199186a361")  # second-graph.trig adds to a seed's graph
    assert main(["--root", str(reference.root), "add", str(added), *amend],
                out=io.StringIO()) == 0
    after = snapshot(reference.data_dir)
    assert len({k for k in after if after[k] != before.get(k)}) == 2  # two files change

    copies = {step: copy_project(tmp_path / step) for step in STEPS}
    processes = {step: kg_process(project.root, "add", added, *amend, KG_ADD_PAUSE_AT=step)
                 for step, project in copies.items()}  # all at once: 2 CPUs, ~3 s each
    try:
        for step, process in processes.items():
            wait_for_pause(process, step)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    for step, project in copies.items():
        raw = snapshot(project.data_dir)
        if step in ("journal-written", "renamed-one", "renamed-all"):
            assert JOURNAL_NAME in raw, step  # interrupted after the commit point
        load_graph(project)  # any reader settles what the crash left
        settled = snapshot(project.data_dir)
        expected = before if step in ("locked", "temp-written") else after
        assert settled == expected, step


def test_a_failed_write_before_the_commit_point_changes_nothing(kg, project_copy, monkeypatch):
    before = snapshot(project_copy.data_dir)
    monkeypatch.setenv("KG_ADD_FAIL_AT", "temp-written")
    run = kg("--root", project_copy.root, "add", ADD / "second-graph.trig",
             "--amend", "004_ceeb33199186a361")
    assert run.code == 2 and "injected failure" in one_line_error(run.err)
    assert snapshot(project_copy.data_dir) == before


def test_a_failure_after_the_commit_point_is_completed_by_the_next_reader(kg, project_copy,
                                                                         monkeypatch, tmp_path):
    reference = copy_project(tmp_path / "reference")
    assert main(["--root", str(reference.root), "add", str(ADD / "second-graph.trig"),
                 "--amend", "004_ceeb33199186a361"], out=io.StringIO()) == 0
    monkeypatch.setenv("KG_ADD_FAIL_AT", "renamed-one")
    run = kg("--root", project_copy.root, "add", ADD / "second-graph.trig",
             "--amend", "004_ceeb33199186a361")
    assert run.code == 2
    assert JOURNAL_NAME in snapshot(project_copy.data_dir)
    monkeypatch.delenv("KG_ADD_FAIL_AT")
    load_graph(project_copy)
    assert snapshot(project_copy.data_dir) == snapshot(reference.data_dir)


# ---------------------------------------------------------------------------- concurrency


@contextlib.contextmanager
def holding_the_lock(data_dir: Path) -> Iterator[None]:
    fd = os.open(data_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, b"test, pid 0", 0)
        yield
    finally:
        os.close(fd)


def test_two_concurrent_adds_to_the_same_graph_both_land(project_copy, tmp_path):
    files = []
    for name, alias in (("a", "Yandri R."), ("b", "Y. Rinaldi")):
        path = tmp_path / f"{name}.ttl"
        path.write_text(f'<{PERSON}yandri-rinaldi> <http://www.w3.org/2004/02/skos/core#altLabel> '
                        f'"{alias}"@id .\n')
        files.append(path)
    with holding_the_lock(project_copy.data_dir):  # both start, both wait, then race
        processes = [kg_process(project_copy.root, "add", f, "--source", "004_ceeb33199186a361",
                                "--amend", "004_ceeb33199186a361")
                     for f in files]
        time.sleep(1.5)
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    graph = graph_of(load_graph(project_copy), SOURCE + "004_ceeb33199186a361")
    aliases = {t.object for t in graph
               if t.subject == ox.NamedNode(PERSON + "yandri-rinaldi") and t.predicate == ALT_LABEL}
    assert {ox.Literal("Yandri R.", language="id"), ox.Literal("Y. Rinaldi", language="id")} \
        <= aliases


def test_a_lock_held_too_long_is_a_clear_error(kg, project_copy):
    before = snapshot(project_copy.data_dir)
    with holding_the_lock(project_copy.data_dir):
        run = kg("--root", project_copy.root, "add", ADD / "new-article.trig",
                 "--lock-timeout", "0.3")
    assert run.code == 2
    message = one_line_error(run.err)
    assert "is locked by another kg add (test, pid 0) and was still locked after 0.3 s" in message
    assert "--lock-timeout" in message
    assert snapshot(project_copy.data_dir) == before


# ---------------------------------------------------------------------------- incremental = full


def _held_out(quad: ox.Quad) -> bool:
    """A third of the statements, the same third every run (a blank node's label is new each
    time a file is parsed: it does not decide)."""
    key = " ".join("_:" if isinstance(t, ox.BlankNode) else str(t) for t in quad.triple)
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 3 == 0


VOCABULARY = rdf_files(ROOT / "ontology")
EQUALITY_FIXTURES = sorted([*(FIXTURES / "invalid").glob("*.trig"),
                            *(FIXTURES / "valid").glob("*.trig"),
                            *(ADD / f for f in ("new-article.trig", "holding-overlap.trig",
                                                "second-graph.trig", "good-article.jsonld"))],
                           key=lambda p: (p.parent.name, p.name))


def result_keys(report: ValidationReport, focus: set[str] | None = None) -> list[tuple[str, ...]]:
    """The results as comparable tuples (a blank-node shape compared by position: "_")."""
    return sorted((r.focus, r.path or "", r.value or "", r.severity, r.message,
                   r.constraint or "", "_" if (r.shape or "").startswith("_:") else r.shape or "")
                  for r in report.results if focus is None or r.focus in focus)


def shown(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    """A focus node as a result names it (``ValidationResult.focus``: a blank node's label
    without ``_:``; with it, results about blank nodes were left out of the comparison)."""
    return term.value


def assert_incremental_equals_full(base: KnowledgeGraph, added: list[ox.Quad], shapes: Shapes,
                                   analysis: ShapeAnalysis, engine: str) -> None:
    full_base = validate_graph(base, shapes, engine=engine)
    incremental, scope = validate_addition(base, added, shapes, analysis=analysis, engine=engine)
    base.add(added)
    full_after = validate_graph(base, shapes, engine=engine)
    focus = {shown(node) for node in scope.focus}
    assert scope.mode == "incremental", scope.reason
    # the affected nodes' results are the full validation's ...
    assert result_keys(incremental) == result_keys(full_after, focus)
    # ... and nothing else changed
    assert [k for k in result_keys(full_after) if k[0] not in focus] == \
        [k for k in result_keys(full_base) if k[0] not in focus]


def _sparql_constraint_names(shapes: Shapes) -> set[str]:
    kind = ox.NamedNode("http://www.w3.org/ns/shacl#SPARQLConstraint")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return {q.subject.value.rsplit("/", 1)[-1]
            for q in shapes.store.quads_for_pattern(None, rdf_type, kind)
            if isinstance(q.subject, ox.NamedNode)}


#: the fixtures whose constraint reads other nodes than the focus (SHACL-SPARQL), and kg add's
#: own: checked with the reference engine (pySHACL) too
_SPARQL_CONSTRAINTS = _sparql_constraint_names(Shapes.from_files(rdf_files(ROOT / "shapes")))
CROSS_NODE = {p for p in EQUALITY_FIXTURES
              if p.stem.split("--")[0] in _SPARQL_CONSTRAINTS or p.parent == ADD}
ENGINE_CASES = [(p, "fast") for p in EQUALITY_FIXTURES] + \
    [(p, "pyshacl") for p in EQUALITY_FIXTURES if p in CROSS_NODE]


@pytest.mark.parametrize(("fixture", "engine"), ENGINE_CASES,
                         ids=[f"{engine}-{p.parent.name}/{p.stem}" for p, engine in ENGINE_CASES])
def test_incremental_validation_equals_full_validation(fixture, engine, shapes, analysis):
    """Base: the fixture without a third of its statements (and the vocabulary); addition:
    that third, so that new statements meet existing nodes in every way the fixture connects
    them."""
    quads = list(quads_of(fixture))
    base = read_files([], VOCABULARY)
    base.add(q for q in quads if not _held_out(q))
    added = [q for q in quads if _held_out(q) and q not in base.store]
    assert_incremental_equals_full(base, added, shapes, analysis, engine)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize("name", ["new-article.trig", "holding-overlap.trig", "second-graph.trig"])
def test_incremental_equals_full_on_the_shipped_data(name, engine, shapes, analysis):
    base = load_graph(Project(ROOT))
    added = [q for q in quads_of(ADD / name) if q not in base.store]
    assert_incremental_equals_full(base, added, shapes, analysis, engine)


def test_an_invalid_addition_of_ten_statements_is_found_by_both(shapes, analysis):
    """kg add uses the default engine (fast); pySHACL, the reference, agrees. (How fast each
    is, incremental against full, is bench/validation.py's business.)"""
    obs = "https://kg.example/id/observation/004-test-ten"
    statements = f"""
        <{SOURCE}004_ceeb33199186a361> {{
          <{obs}> a <http://purl.org/linked-data/cube#Observation> ;
            <http://purl.org/linked-data/cube#dataSet> <https://kg.example/def/statistics> ;
            <https://kg.example/def/indicator> <https://kg.example/code/indicator/umkm-count> ;
            <http://purl.org/linked-data/sdmx/2009/dimension#refArea> <https://kg.example/id/place/balikpapan> ;
            <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> <https://kg.example/id/period/2023> ;
            <https://kg.example/def/periodBasis> <https://kg.example/code/basis/stated> ;
            <http://purl.org/linked-data/sdmx/2009/measure#obsValue> {{value}} ;
            <http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure> <https://kg.example/code/uom/business-unit> ;
            <https://kg.example/def/qualifier> <https://kg.example/code/qualifier/exact> ;
            <http://purl.org/dc/terms/source> <{SOURCE}004_ceeb33199186a361> .
        }}"""
    for value, conforms in (("73000", True), ('"73.000"', False)):
        graph = load_graph(Project(ROOT))
        added = list(ox.parse(statements.replace("{value}", value), ox.RdfFormat.TRIG))
        assert len(added) == 10
        for engine in ("fast", "pyshacl"):
            incremental, scope = validate_addition(graph, added, shapes, analysis=analysis,
                                                   engine=engine)
            assert incremental.conforms == conforms, (engine, incremental.to_text())
            assert ox.NamedNode(obs) in scope.focus


# ---------------------------------------------------------------------------- acceptance


def test_added_facts_reach_the_saved_queries_and_conflicts_are_reported(kg, project_copy):
    from kg.queries import QueryLibrary, run_saved

    assert kg("--root", project_copy.root, "add", ADD / "new-article.trig").code == 0
    library = QueryLibrary.load(project_copy.queries_dir)
    backend = load_graph(project_copy)
    rows = run_saved(backend, "conflicting-figures", library=library).values()
    sources = {SOURCE + "004_ceeb33199186a361", SOURCE + "900_test-article"}
    pairs = [r for r in rows if {str(r["source"]), str(r["otherSource"])} == sources]
    assert pairs, rows
    assert {int(pairs[0]["value"]), int(pairs[0]["otherValue"])} == {87397, 88000}



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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.add import add
from kg.cli import main
from kg.datafiles import COMMIT_LOCK_NAME, JOURNAL_NAME, LOCK_NAME, STEPS
from kg.incremental import ShapeAnalysis, result_keys, validate_addition, validate_full
from kg.load import KnowledgeGraph, Project, load_graph, new_dataset, parse_into

from conftest import FIXTURES, ROOT

ADD = FIXTURES / "add"
SOURCE = "https://kg.example/id/source/"
PERSON = "https://kg.example/id/person/"


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
def analysis() -> ShapeAnalysis:
    from kg.load import load_shapes
    return ShapeAnalysis(load_shapes(Project(ROOT)))


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
    assert URIRef(SOURCE + "900_test-article") in graph.source_graphs()
    assert len(graph.dataset.graph(URIRef(SOURCE + "900_test-article"))) == 37


def test_adding_the_same_file_twice_changes_nothing_the_second_time(kg, project_copy):
    assert kg("--root", project_copy.root, "add", ADD / "new-article.trig").code == 0
    once = snapshot(project_copy.data_dir)
    again = kg("--root", project_copy.root, "add", ADD / "new-article.trig")
    assert again.code == 0, again
    assert "nothing to add: all 37 statement(s) are already in data/" in again.out
    assert snapshot(project_copy.data_dir) == once


def test_appending_to_an_existing_graph_keeps_its_file_byte_for_byte(kg, project_copy, tmp_path):
    target = project_copy.data_dir / "004_ceeb33199186a361.trig"
    old = target.read_bytes()
    alias = tmp_path / "alias.ttl"
    alias.write_text('<https://kg.example/id/person/yandri-rinaldi> '
                     '<http://www.w3.org/2004/02/skos/core#altLabel> "Yandri R."@id .\n')
    run = kg("--root", project_copy.root, "add", alias, "--source", "004_ceeb33199186a361")
    assert run.code == 0, run
    new = target.read_bytes()
    assert new.startswith(old) and b"# Added by kg add from alias.ttl." in new[len(old):]
    graph = load_graph(project_copy)
    assert (URIRef(PERSON + "yandri-rinaldi"), SKOS.altLabel, Literal("Yandri R.", lang="id")) \
        in graph.dataset.graph(URIRef(SOURCE + "004_ceeb33199186a361"))
    assert len(graph.source_graphs()) == 5


def test_source_options_describe_the_article_of_statements_outside_any_graph(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "good-facts-no-graph.ttl",
             "--source", "902_options-article", "--publisher", "Kabar Opsi",
             "--date", "2025-08-06", "--author", "Rina Penulis", "--headline", "Judul Contoh")
    assert run.code == 0, run
    graph = load_graph(project_copy).dataset.graph(URIRef(SOURCE + "902_options-article"))
    article = URIRef(SOURCE + "902_options-article")
    text = graph.serialize(format="nt")
    assert "<https://kg.example/id/body/kabar-opsi>" in text
    assert '"2025-08-06"^^<http://www.w3.org/2001/XMLSchema#date>' in text
    assert (URIRef(PERSON + "dewi-contoh"), RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")) \
        in graph
    assert (article, URIRef("http://schema.org/author"), URIRef(PERSON + "rina-penulis")) in graph


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
           "ObservationShape-obsValue.trig)" in run.out
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
    run = kg("--root", project_copy.root, "add", ADD / "second-graph.trig")
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
    assert URIRef("https://kg.example/id/observation/900-umkm-count-2024") in addition.new_entities


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
    (folder / "folder.ttl").mkdir(exist_ok=True)
    cases["folder"] = (folder / "folder.ttl", [], ": is a folder, not a file")
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
    for command in ("add", "validate"):
        assert kg("--root", project_copy.root, command, imports).code in (0, 1)
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
    assert main(["--root", str(reference.root), "add", str(added)], out=io.StringIO()) == 0
    after = snapshot(reference.data_dir)
    assert len({k for k in after if after[k] != before.get(k)}) == 2  # two files change

    copies = {step: copy_project(tmp_path / step) for step in STEPS}
    processes = {step: kg_process(project.root, "add", added, KG_ADD_PAUSE_AT=step)
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
    run = kg("--root", project_copy.root, "add", ADD / "second-graph.trig")
    assert run.code == 2 and "injected failure" in one_line_error(run.err)
    assert snapshot(project_copy.data_dir) == before


def test_a_failure_after_the_commit_point_is_completed_by_the_next_reader(kg, project_copy,
                                                                         monkeypatch, tmp_path):
    reference = copy_project(tmp_path / "reference")
    assert main(["--root", str(reference.root), "add", str(ADD / "second-graph.trig")],
                out=io.StringIO()) == 0
    monkeypatch.setenv("KG_ADD_FAIL_AT", "renamed-one")
    run = kg("--root", project_copy.root, "add", ADD / "second-graph.trig")
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
        processes = [kg_process(project_copy.root, "add", f, "--source", "004_ceeb33199186a361")
                     for f in files]
        time.sleep(1.5)
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    graph = load_graph(project_copy).dataset.graph(URIRef(SOURCE + "004_ceeb33199186a361"))
    aliases = set(graph.objects(URIRef(PERSON + "yandri-rinaldi"), SKOS.altLabel))
    assert {Literal("Yandri R.", lang="id"), Literal("Y. Rinaldi", lang="id")} <= aliases


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


def _held_out(triple: tuple[object, ...]) -> bool:
    digest = hashlib.sha256(" ".join(t.n3() for t in triple).encode()).hexdigest()  # type: ignore[attr-defined]
    return int(digest, 16) % 3 == 0


def _ontology_for(ontology: Graph, mentioned: set[object]) -> Graph:
    """The ontology with only the code-list concepts a fixture mentions (and their broader
    ones): every class and property axiom stays, the other ~180 concepts would only make
    each full validation slower."""
    concepts = set(ontology.subjects(RDF.type, SKOS.Concept))
    keep: set[object] = set()
    todo = [c for c in mentioned if c in concepts]
    while todo:
        concept = todo.pop()
        if concept not in keep:
            keep.add(concept)
            todo.extend(ontology.objects(concept, SKOS.broader))  # type: ignore[arg-type]
    trimmed = Graph()
    for s, p, o in ontology:
        if (s in concepts and s not in keep) or (o in concepts and o not in keep
                                                  and p != RDF.type):
            continue
        trimmed.add((s, p, o))
    return trimmed


EQUALITY_FIXTURES = sorted([*(FIXTURES / "invalid").glob("*.trig"),
                            *(FIXTURES / "valid").glob("*.trig"),
                            *(ADD / f for f in ("new-article.trig", "holding-overlap.trig",
                                                "second-graph.trig", "good-article.jsonld"))],
                           key=lambda p: (p.parent.name, p.name))


def assert_incremental_equals_full(base: KnowledgeGraph, after: KnowledgeGraph,
                                   added: set[tuple[object, object, object]], shapes: Graph,
                                   ontology: Graph, analysis: ShapeAnalysis, engine: str,
                                   full_before: object | None = None) -> None:
    incremental, scope = validate_addition(after, added, shapes, ontology,  # type: ignore[arg-type]
                                           analysis=analysis, engine=engine)
    full_after = validate_full(after, shapes, ontology, engine=engine)
    full_base = full_before or validate_full(base, shapes, ontology, engine=engine)
    focus = {node.n3() for node in scope.focus}
    assert scope.mode == "incremental", scope.reason
    # the affected nodes' results are the full validation's ...
    assert result_keys(incremental) == [k for k in result_keys(full_after) if k[0] in focus]
    # ... and nothing else changed
    assert [k for k in result_keys(full_after) if k[0] not in focus] == \
        [k for k in result_keys(full_base) if k[0] not in focus]  # type: ignore[arg-type]


def _sparql_constraint_names() -> set[str]:
    from rdflib.namespace import SH

    from kg.load import load_shapes
    shapes = load_shapes(Project(ROOT))
    return {str(c).rsplit("/", 1)[-1] for c in shapes.subjects(RDF.type, SH.SPARQLConstraint)}


#: the fixtures whose constraint reads other nodes than the focus (SHACL-SPARQL), and kg add's
#: own: checked with the reference engine (pySHACL) too
_SPARQL_CONSTRAINTS = _sparql_constraint_names()
CROSS_NODE = {p for p in EQUALITY_FIXTURES
              if p.stem.split("--")[0] in _SPARQL_CONSTRAINTS or p.parent == ADD}
ENGINE_CASES = [(p, "fast") for p in EQUALITY_FIXTURES] + \
    [(p, "pyshacl") for p in EQUALITY_FIXTURES if p in CROSS_NODE]


@pytest.mark.parametrize(("fixture", "engine"), ENGINE_CASES,
                         ids=[f"{engine}-{p.parent.name}/{p.stem}" for p, engine in ENGINE_CASES])
def test_incremental_validation_equals_full_validation(fixture, engine, shapes, ontology,
                                                       analysis):
    """Base: the fixture without a third of its statements (and the ontology); addition: that
    third, so that new statements meet existing nodes in every way the fixture connects them."""
    dataset = new_dataset()
    parse_into(dataset, fixture)
    quads = list(dataset.quads((None, None, None, None)))
    base, after = KnowledgeGraph(new_dataset()), KnowledgeGraph(new_dataset())
    added = set()
    for s, p, o, g in quads:
        after.dataset.graph(g).add((s, p, o))
        if _held_out((s, p, o)):
            added.add((s, p, o))
        else:
            base.dataset.graph(g).add((s, p, o))
    added = {t for t in added if not any(True for _ in base.dataset.quads((*t, None)))}
    trimmed = _ontology_for(ontology, {t for q in quads for t in q[:3]})
    assert_incremental_equals_full(base, after, added, shapes, trimmed, analysis, engine)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize("name", ["new-article.trig", "holding-overlap.trig", "second-graph.trig"])
def test_incremental_equals_full_on_the_shipped_data(name, engine, shapes, ontology, analysis):
    base = load_graph(Project(ROOT))
    after = load_graph(Project(ROOT))
    parse_into(after.dataset, ADD / name)
    before = {(s, p, o) for s, p, o, _ in base.dataset.quads((None, None, None, None))}
    added = {(s, p, o) for s, p, o, _ in after.dataset.quads((None, None, None, None))} - before
    assert_incremental_equals_full(base, after, added, shapes, ontology, analysis, engine)


def kg_validate(graph: KnowledgeGraph, engine: str):  # type: ignore[no-untyped-def]
    """``graph`` validated as ``kg validate`` validates the project's data."""
    from kg.load import rdf_files, validation_store
    from kg.shacl import Shapes
    from kg.validate import validate

    store, provenance = validation_store(graph, rdf_files(ROOT / "ontology"))
    return validate(store, Shapes.from_files(rdf_files(ROOT / "shapes")), engine=engine,
                    provenance=provenance)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_full_validation_here_is_kg_validate(engine, shapes, ontology):
    graph = load_graph(Project(ROOT), extra=[
        FIXTURES / "invalid" / "PostHolderShape-oneHolderPerDay.trig"])
    assert result_keys(validate_full(graph, shapes, ontology, engine=engine)) == \
        result_keys(kg_validate(graph, engine))


def _best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def test_incremental_validation_of_ten_statements_is_faster_than_full(shapes, ontology,
                                                                      analysis, capsys):
    """The figures are printed; kg add uses the default engine (fast), pySHACL is the reference."""
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
    figures = []
    for value, conforms in (("73000", True), ('"73.000"', False)):
        graph = load_graph(Project(ROOT))
        before = {(s, p, o) for s, p, o, _ in graph.dataset.quads((None, None, None, None))}
        graph.dataset.parse(data=statements.replace("{value}", value), format="trig")
        added = {(s, p, o) for s, p, o, _ in graph.dataset.quads((None, None, None, None))} - before
        assert len(added) == 10
        for engine, runs in (("fast", 3), ("pyshacl", 1)):
            found: dict[str, object] = {}
            inc_seconds = _best_of(runs, lambda: found.update(zip(
                ("incremental", "scope"), validate_addition(
                    graph, added, shapes, ontology, analysis=analysis, engine=engine))))
            full_seconds = _best_of(runs, lambda: found.update(
                full=kg_validate(graph, engine)))
            incremental, scope, full = found["incremental"], found["scope"], found["full"]
            assert incremental.conforms == full.conforms == conforms  # type: ignore[attr-defined]
            figures.append(
                f"10 statements ({'valid' if conforms else 'invalid'}), {engine:7}: incremental "
                f"{inc_seconds:.3f} s ({len(scope.focus)} focus node(s), "  # type: ignore[attr-defined]
                f"{scope.statements} "  # type: ignore[attr-defined]
                f"statements) vs full {full_seconds:.3f} s ({len(graph)} statements + ontology)")
            assert inc_seconds < full_seconds, figures[-1]
    with capsys.disabled():
        print("\n" + "\n".join(figures))


# ---------------------------------------------------------------------------- acceptance


def test_added_facts_reach_the_saved_queries_and_conflicts_are_reported(kg, project_copy):
    from kg.backends import EmbeddedBackend
    from kg.queries import QueryLibrary, run_saved

    assert kg("--root", project_copy.root, "add", ADD / "new-article.trig").code == 0
    library = QueryLibrary.load(project_copy.queries_dir)
    backend = EmbeddedBackend(load_graph(project_copy))
    rows = run_saved(backend, "conflicting-figures", library=library).values()
    sources = {SOURCE + "004_ceeb33199186a361", SOURCE + "900_test-article"}
    pairs = [r for r in rows if {str(r["source"]), str(r["otherSource"])} == sources]
    assert pairs, rows
    assert {int(pairs[0]["value"]), int(pairs[0]["otherValue"])} == {87397, 88000}



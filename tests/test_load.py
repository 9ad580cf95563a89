"""Loading: one named graph per source, and unusable files named with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError, SourceFileError
from kg.formats import RdfFormat
from kg.load import Project, load_graph, new_dataset, parse_into


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_each_data_file_is_one_named_graph_remembered_with_its_file(shipped, project):
    files = sorted(project.data_dir.glob("*.trig"))
    assert len(files) == 5
    assert sorted(shipped.origins.values()) == files
    assert len(shipped.source_graphs()) == len(files)


def test_turtle_syntax_error_names_file_line_and_column(tmp_path):
    path = write(tmp_path, "bad.ttl", '@prefix ex: <http://e.org/> .\n\nex:a ex:b ex:c .\nex:a ex:b "x .\n')
    with pytest.raises(SourceFileError) as caught:
        parse_into(new_dataset(), path)
    assert caught.value.line == 4
    assert caught.value.column is not None
    assert str(caught.value).startswith(f"{path}:4:")


def test_trig_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "bad.trig", "<http://e.org/g> {\n<http://e.org/a> <http://e.org/b> <http://e.org/c> .\n"
                                       "<http://e.org/a> <http://e.org/b> oops }\n")
    with pytest.raises(SourceFileError) as caught:
        parse_into(new_dataset(), path)
    assert caught.value.line == 3


@pytest.mark.parametrize("content, reason", [
    (b"\x00\x01\x02binary", "binary"),
    ("caf\u00e9".encode("latin-1") + b" <http://e.org/a> .", "not UTF-8"),
])
def test_unreadable_content_is_refused_with_a_reason(tmp_path, content, reason):
    path = write(tmp_path, "x.ttl", content)
    with pytest.raises(SourceFileError, match=reason):
        parse_into(new_dataset(), path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SourceFileError, match="no such file"):
        parse_into(new_dataset(), tmp_path / "absent.ttl")


def test_unknown_suffix_asks_for_format(tmp_path):
    with pytest.raises(InputError, match="--format"):
        parse_into(new_dataset(), write(tmp_path, "x.rdfx", ""))


def test_jsonld_remote_context_is_refused_without_fetching(tmp_path):
    path = write(tmp_path, "x.jsonld", '{"@context": "http://203.0.113.9/ctx.jsonld", "@id": "http://e.org/a"}')
    with pytest.raises(SourceFileError, match="203.0.113.9"):
        parse_into(new_dataset(), path)


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
    assert graph.origins[next(g for g in graph.origins if str(g) == "http://e.org/g")] == extra

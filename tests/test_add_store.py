"""kg add on an on-disk store: the same verdicts as on data/, files and store kept in step.

Every test loads a private copy of the project into a store of its own
(``kg load --store``), adds with ``--store``, and compares the store with one
loaded afresh from the files: after any addition, and after an addition
interrupted on either side of the files' commit point.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.add import PENDING_NAME, add
from kg.datafiles import JOURNAL_NAME
from kg.errors import KGError
from kg.graph import FILES_NAME, load_store
from kg.parse import rdf_files
from kg.project import Project
from kg.reach import ShapeAnalysis
from kg.validate import project_shapes

from conftest import FIXTURES, ROOT
from test_add import one_line_error, snapshot

ADD = FIXTURES / "add"
#: the seed article some additions amend (second-graph.trig adds to its graph)
SEED = "004_ceeb33199186a361"
#: Additions that conform, and some that do not (each breaks one constraint, SPARQL ones included).
CASES = ["add/new-article.trig", "add/second-graph.trig", "add/holding-overlap.trig",
         "add/good-facts-no-graph.ttl", "add/bad-blank-node-only.trig",
         "invalid/MembershipShape-organizationMatchesPost.trig",
         "invalid/FacilityShape-partsAddUp.trig", "invalid/SectorFindingShape-rank.trig",
         "invalid/ObservationShape-basePeriodBeforeRefPeriod.trig",
         "invalid/ObservationShape-countIsWholeNumber--negative.trig"]


def quads_of(store: Path) -> list[str]:
    """Every quad of a store (named graphs and the merged default graph), as sorted N-Quads lines."""
    opened = ox.Store.read_only(str(store))
    try:
        return sorted(str(q) for q in opened)
    finally:
        del opened


def fresh(project: Project, folder: Path) -> list[str]:
    """The quads of a store loaded now from the project's files."""
    load_store(folder, rdf_files(project.data_dir), project=project)
    return quads_of(folder)


@pytest.fixture
def stored(project_copy: Project, tmp_path: Path) -> tuple[Project, Path]:
    """A project copy and a store loaded from its data/."""
    store = tmp_path / "store"
    load_store(store, rdf_files(project_copy.data_dir), project=project_copy)
    return project_copy, store


def test_adding_to_a_store_writes_the_file_and_the_store(kg, stored, tmp_path):
    project, store = stored
    run = kg("--root", project.root, "add", "--store", store, ADD / "new-article.trig")
    assert run.code == 0, run
    assert "added 37 statement(s)" in run.out
    assert (project.data_dir / "900_test-article.trig").is_file()
    assert quads_of(store) == fresh(project, tmp_path / "again")
    recorded = json.loads((store / FILES_NAME).read_text())["graphs"]
    assert recorded["https://kg.example/id/source/900_test-article"] == \
        str((project.data_dir / "900_test-article.trig").resolve())
    assert not (store / PENDING_NAME).exists()
    answer = kg("--root", project.root, "query", "--store", store, "sources", "-f", "csv")
    assert "900_test-article" in answer.out


def test_the_store_is_read_from_the_environment_too(kg, stored, monkeypatch, tmp_path):
    project, store = stored
    monkeypatch.setenv("KG_STORE", str(store))
    assert kg("--root", project.root, "add", ADD / "second-graph.trig",
              "--amend", SEED).code == 0
    assert quads_of(store) == fresh(project, tmp_path / "again")


@pytest.mark.parametrize("case", CASES)
def test_a_store_gives_the_same_verdict_as_data(case, stored, tmp_path):
    """Dry runs on data/ and on the store: same exit, same results, same statements."""
    project, store = stored
    fixture = FIXTURES / case

    def attempt(**options: object) -> object:
        try:
            result = add([fixture], project=project, dry_run=True, amend=SEED,
                         **options)  # type: ignore[arg-type]
        except KGError as exc:
            return type(exc).__name__, str(exc)
        return (result.conforms, sorted(result.report.results, key=repr),
                [(a.graph, a.statements, a.new_entities) for a in result.additions])

    on_data = attempt()
    on_store = attempt(store=store)
    assert on_store == on_data
    if case.startswith("invalid/"):
        assert on_data[0] is False  # the fixture is refused: the comparison saw results


def test_a_dry_run_on_a_store_changes_nothing(kg, stored):
    project, store = stored
    files, quads = snapshot(project.data_dir), quads_of(store)
    run = kg("--root", project.root, "add", "--store", store, "--dry-run",
             ADD / "new-article.trig")
    assert run.code == 0 and "dry run: nothing was written" in run.out
    assert snapshot(project.data_dir) == files and quads_of(store) == quads


def test_a_refused_addition_changes_neither_files_nor_store(kg, stored):
    project, store = stored
    files, quads = snapshot(project.data_dir), quads_of(store)
    run = kg("--root", project.root, "add", "--store", store,
             FIXTURES / "invalid/FacilityShape-partsAddUp.trig")
    assert run.code == 1 and "refused" in run.out
    assert snapshot(project.data_dir) == files and quads_of(store) == quads


def test_an_interruption_after_the_commit_point_reaches_the_store_at_the_next_add(
        kg, stored, monkeypatch, tmp_path):
    project, store = stored
    monkeypatch.setenv("KG_ADD_FAIL_AT", "renamed-all")
    run = kg("--root", project.root, "add", "--store", store, ADD / "second-graph.trig",
                "--amend", SEED)
    assert run.code == 2, run
    assert (store / PENDING_NAME).exists()  # files committed, store not yet
    monkeypatch.delenv("KG_ADD_FAIL_AT")
    again = kg("--root", project.root, "add", "--store", store, ADD / "second-graph.trig",
                "--amend", SEED)
    assert again.code == 0 and "completed an interrupted kg add in the store" in again.out
    assert not (store / PENDING_NAME).exists()
    assert quads_of(store) == fresh(project, tmp_path / "again")


def test_an_interruption_before_the_commit_point_is_dropped(kg, stored, monkeypatch, tmp_path):
    project, store = stored
    files = snapshot(project.data_dir)
    monkeypatch.setenv("KG_ADD_FAIL_AT", "temp-written")
    assert kg("--root", project.root, "add", "--store", store, ADD / "second-graph.trig",
                "--amend", SEED).code == 2
    assert (store / PENDING_NAME).exists()
    monkeypatch.delenv("KG_ADD_FAIL_AT")
    run = kg("--root", project.root, "add", "--store", store, "--dry-run",
             ADD / "second-graph.trig", "--amend", SEED)
    assert run.code == 0  # a dry run settles nothing
    assert (store / PENDING_NAME).exists()
    run = kg("--root", project.root, "add", "--store", store, ADD / "new-article.trig")
    assert run.code == 0 and "dropped an interrupted kg add" in run.out
    assert JOURNAL_NAME not in snapshot(project.data_dir)
    assert set(snapshot(project.data_dir)) == set(files) | {"900_test-article.trig"}
    assert quads_of(store) == fresh(project, tmp_path / "again")  # no second-graph statement


def test_a_store_without_a_record_of_its_files_is_a_clear_error(kg, stored):
    project, store = stored
    (store / FILES_NAME).unlink()
    run = kg("--root", project.root, "add", "--store", store, ADD / "new-article.trig")
    assert run.code == 2
    assert "kg load" in one_line_error(run.err)


def test_a_store_of_files_in_several_folders_is_refused(kg, project_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    files = rdf_files(project_copy.data_dir)
    moved = elsewhere / files[0].name
    files[0].rename(moved)
    load_store(tmp_path / "store", [moved, *files[1:]], project=project_copy)
    run = kg("--root", project_copy.root, "add", "--store", tmp_path / "store",
             ADD / "new-article.trig")
    assert run.code == 2 and "several folders" in one_line_error(run.err)


def test_not_a_store_is_a_clear_error(kg, project_copy, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / FILES_NAME).write_text("{}")
    run = kg("--root", project_copy.root, "add", "--store", tmp_path / "empty",
             ADD / "new-article.trig")
    assert run.code == 2 and "not a kg store" in one_line_error(run.err)


def test_the_cached_shape_analysis_is_the_analysis(tmp_path, monkeypatch):
    """The analysis read back from the cache file equals the one computed from the shapes."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    project = Project(ROOT)
    shapes = project_shapes(project).store
    computed = ShapeAnalysis(shapes)
    from kg import reach
    monkeypatch.setattr(reach, "_ANALYSES", {})
    first = ShapeAnalysis.of_files(rdf_files(project.shapes_dir), shapes)  # computes, saves
    assert list((tmp_path / "cache").glob("shape-analysis-*.json"))
    monkeypatch.setattr(reach, "_ANALYSES", {})
    second = ShapeAnalysis.of_files(rdf_files(project.shapes_dir), shapes)  # reads the file
    assert second is not first
    for analysis in (first, second):
        assert analysis.full_reason == computed.full_reason
        assert analysis.top == computed.top

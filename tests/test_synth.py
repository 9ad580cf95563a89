"""Synthetic data at national scale: the project's model, valid, deterministic, with known conflicts."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.queries import QueryLibrary
from kg.graph import load_store, open_store
from kg.synth import PROVINCES, NATIONAL_REGIONS, SynthSummary, World, synthesize

ROOT = Path(__file__).resolve().parents[1]
OWN_IDS = "https://kg.example/id/"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> SynthSummary:
    """3 regions (a province and two cities) x 3 years."""
    return synthesize(3, 3, seed=7, out_dir=tmp_path_factory.mktemp("small"))


def files(summary: SynthSummary) -> list[Path]:
    return sorted(summary.out_dir.glob("*.trig"))


def quads(summary: SynthSummary) -> list[ox.Quad]:
    return [q for path in files(summary) for q in ox.parse(path=str(path))]


def test_the_same_seed_writes_the_same_bytes(small, tmp_path):
    again = synthesize(3, 3, seed=7, out_dir=tmp_path / "again")
    assert [p.name for p in files(again)] == [p.name for p in files(small)]
    for mine, theirs in zip(files(small), files(again)):
        assert mine.read_bytes() == theirs.read_bytes(), mine.name
    other = synthesize(3, 3, seed=8, out_dir=tmp_path / "other")
    assert files(other)[0].read_bytes() != files(small)[0].read_bytes()


def test_the_summary_counts_what_the_files_hold(small):
    found = quads(small)
    assert small.triples == len(found) == len(set(found))
    graphs = {q.graph_name for q in found}
    assert small.sources == len(graphs) == 3 * 3 * 3
    assert small.files == 3
    observations = {q.subject for q in found
                    if q.predicate.value.endswith("#type") and q.object.value.endswith("cube#Observation")}
    assert small.observations == len(observations)


def test_one_file_per_region_each_holding_its_articles(small):
    for number, path in enumerate(files(small), start=1):
        assert path.name == f"synth-r{number:04d}.trig"
        names = {q.graph_name.value for q in ox.parse(path=str(path))}  # type: ignore[union-attr]
        assert names == {f"{OWN_IDS}source/synth-r{number:04d}-{year}-{letter}"
                         for year in (2022, 2023, 2024) for letter in "abc"}


def test_everything_the_generator_names_is_marked_synthetic(small):
    """Only days, years and shared vocabulary are not: they name calendar facts and code lists."""
    unmarked = set()
    for q in quads(small):
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode) and term.value.startswith(OWN_IDS):
                local = term.value[len(OWN_IDS):]
                if not (local.startswith(("date/", "period/")) or "/synth-" in local):
                    unmarked.add(term.value)
    assert not unmarked
    publishers = {q.object.value for q in quads(small)
                  if q.predicate.value.endswith("core#prefLabel")
                  and q.subject.value.startswith(OWN_IDS + "body/synth-publisher-")}
    assert publishers and all(re.fullmatch(r"Sumber sintetis \d+", p) for p in publishers)
    identifiers = {q.object.value for q in quads(small)
                   if q.predicate.value == "http://purl.org/dc/terms/identifier"}
    assert identifiers and all(i.startswith("synth-") for i in identifiers)


def test_kg_validate_accepts_the_synthetic_data(small, kg):
    run = kg("validate", *files(small))
    assert run.code == 0, run
    assert "0 violation(s), 0 warning(s)" in run.out


def test_a_broken_synthetic_file_is_caught_by_the_validator(kg, tmp_path):
    """The check above can fail: a facility whose sections no longer add up."""
    one = synthesize(1, 1, seed=7, out_dir=tmp_path / "one")
    broken = tmp_path / "broken.trig"
    text = files(one)[0].read_text(encoding="utf-8")
    broken.write_text(re.sub(r"(--chilled--capacity--[^ ]* a schema:QuantitativeValue ;\n[^\n]*\n"
                             r"\s*schema:value )(\d+)", lambda m: m.group(1) + "1", text, count=1),
                      encoding="utf-8")
    run = kg("validate", broken)
    assert run.code == 1
    assert "add up" in run.out


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.25, 1.0])
def test_conflicting_figures_finds_the_conflicts_at_the_documented_rate(rate, tmp_path):
    summary = synthesize(12, 2, seed=3, out_dir=tmp_path / "data", conflict_rate=rate)
    assert summary.rereported == 2 * 12 * 2
    expected = summary.rereported * rate
    assert int(expected) <= summary.conflicts <= int(expected) + 1
    load_store(tmp_path / "store", files(summary))
    answer = open_store(tmp_path / "store").run(
        QueryLibrary.load(ROOT / "queries").get("conflicting-figures").bind()).values()
    assert len(answer) == summary.conflicts
    for row in answer:
        assert str(row["source"]).endswith("-a") and str(row["otherSource"]).endswith("-b")
        assert row["value"] != row["otherValue"]


def test_a_national_run_has_38_provinces():
    world = World(NATIONAL_REGIONS, 1, seed=1, conflict_rate=0.1)
    provinces = [n for n in range(NATIONAL_REGIONS) if world.is_province(n)]
    assert len(provinces) == PROVINCES
    assert world.region(0).province and not world.region(1).province
    assert world.region(1).province_code == world.region(0).code


def test_every_post_has_one_holder_a_day_and_several_over_the_years(small):
    world = World(3, 30, seed=7, conflict_rate=0.1)
    import random

    region = world.region(1)
    posts = world.posts(region, random.Random(region.rng_seed))
    for post in posts.values():
        assert len(post.terms) > 3
        for earlier, later in zip(post.terms, post.terms[1:]):
            assert (later.start - earlier.end).days == 1


def test_a_folder_with_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not synthetic data"):
        synthesize(1, 1, seed=1, out_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_smaller_run_replaces_a_larger_one(tmp_path):
    synthesize(3, 1, seed=1, out_dir=tmp_path)
    synthesize(2, 1, seed=1, out_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["synth-r0001.trig", "synth-r0002.trig"]


@pytest.mark.parametrize("regions, years", [(0, 1), (1, 0)])
def test_nothing_to_synthesize_is_an_error(regions, years, tmp_path):
    with pytest.raises(InputError, match="at least 1"):
        synthesize(regions, years, seed=1, out_dir=tmp_path)


def test_cli_synth_prints_the_triples_and_the_size_per_region_year(kg, tmp_path):
    run = kg("synth", "--regions", "2", "--years", "2", "--seed", "5", "-o", tmp_path / "out")
    assert run.code == 0, run
    triples = sum(1 for path in (tmp_path / "out").glob("*.trig") for _ in ox.parse(path=str(path)))
    assert f"wrote {triples:,} triples in 12 source graphs (2 files)" in run.out
    assert "triples per region-year" in run.out
    assert kg("synth", "--regions", "0", "-o", tmp_path / "none").code == 2

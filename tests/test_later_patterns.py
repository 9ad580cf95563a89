"""Later articles written from real-world patterns go in on the first try and show in the saved queries.

Each fixture of ``tests/fixtures/later/`` is a made-up later article (its
editorial note says so) written by following ``ontology/README.md``; it is
added with ``kg add`` to a copy of the project, must be accepted at once
(exit 0, conforming), and the saved query that shows its pattern must give
the figures it states, and what the graph derives from them, with sources.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import load_graph
from kg.project import Project
from kg.queries import QueryLibrary, run_saved
from kg.results import QueryResult

from conftest import FIXTURES, cells

LATER = FIXTURES / "later"
S002 = "source:002_90bcced4ea2d4b0f"
S931, S932, S933 = "source:931_pelatihan-umkm-2025", "source:932_ikm-umkm-2025", "source:933_bps-pdrb-2024"


def added_on_first_try(kg, project: Project, fixture: Path) -> None:  # type: ignore[no-untyped-def]
    run = kg("--root", project.root, "add", fixture)
    assert run.code == 0, run
    assert "0 violation(s), 0 warning(s), 0 info: conforms" in run.out, run


def answer(project: Project, query: str, **params: str) -> QueryResult:
    return run_saved(load_graph(project), query, library=QueryLibrary.load(project.queries_dir),
                     **params)


@pytest.mark.parametrize("fixture", sorted(LATER.glob("*.trig")), ids=lambda p: p.stem)
def test_later_article_says_it_is_made_up(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    assert "Made-up article" in text and "Artikel rekaan" in text
    assert "source:9" in text


# ---------------------------------------------------------------------- a count split into groups

GROUP_COLUMNS = ("indicator", "period", "breakdown", "group", "groupValue", "groupSource", "groups",
                 "sum", "totalValue", "totalSource", "difference", "verdict")


def test_hole_facts_with_no_place_a_count_split_into_groups_shows_groups_sum_and_total(kg, project_copy) -> None:  # type: ignore[no-untyped-def]
    added_on_first_try(kg, project_copy, LATER / "umkm-training-groups.trig")
    result = answer(project_copy, "breakdown-vs-total", indicator="indicator:umkm-trained-count")
    row = ("indicator:umkm-trained-count", "period:2025", "kg:sector")
    # 600 + 400 + 200 = 1200 of the 1250 stated: the article names only some groups
    assert cells(result, *GROUP_COLUMNS) == [
        (*row, "sector:culinary-food", "600", S931, "3", "1200", "1250", S931, "-50", "sum below total"),
        (*row, "sector:craft", "400", S931, "3", "1200", "1250", S931, "-50", "sum below total"),
        (*row, "sector:garment", "200", S931, "3", "1200", "1250", S931, "-50", "sum below total")]


def test_groups_that_add_up_to_the_total_say_so(kg, project_copy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (LATER / "umkm-training-groups.trig").read_text(encoding="utf-8")
    fixture = tmp_path / "umkm-training-groups.trig"
    fixture.write_text(text.replace("sdmx-measure:obsValue 200 ;", "sdmx-measure:obsValue 250 ;")
                       .replace('"200 konveksi"@id', '"250 konveksi"@id'), encoding="utf-8")
    added_on_first_try(kg, project_copy, fixture)
    result = answer(project_copy, "breakdown-vs-total")
    assert set(cells(result, "sum", "totalValue", "difference", "verdict")) == {
        ("1250", "1250", "0", "sum equals total")}


def test_a_group_larger_than_its_total_is_refused(kg, project_copy, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = (LATER / "umkm-training-groups.trig").read_text(encoding="utf-8")
    fixture = tmp_path / "umkm-training-groups.trig"
    fixture.write_text(text.replace("sdmx-measure:obsValue 600 ;", "sdmx-measure:obsValue 1600 ;"),
                       encoding="utf-8")
    run = kg("--root", project_copy.root, "add", fixture)
    assert run.code == 1, run
    assert "This group of a count (1600) is larger than the total" in run.out + run.err
    assert not (project_copy.data_dir / "931_pelatihan-umkm-2025.trig").exists()


# -------------------------------------------------------------------- quoted component figures

SHARE_COLUMNS = ("share", "area", "period", "statedShare", "statedQualifier", "statedSource",
                 "derivedShare", "derivedQualifier", "numeratorValue", "numeratorSource",
                 "denominatorValue", "denominatorSource", "difference")


def test_hole_facts_with_no_place_quoted_components_give_a_derived_share_beside_the_stated(kg, project_copy) -> None:  # type: ignore[no-untyped-def]
    added_on_first_try(kg, project_copy, LATER / "ikm-share-of-umkm.trig")
    result = answer(project_copy, "share-derived-vs-stated")
    assert cells(result, *SHARE_COLUMNS) == [
        # 5350 / 94120 = 5.684 %, stated "sekitar 5,7 persen"
        ("indicator:ikm-share-of-umkm", "place:balikpapan", "period:2025", "5.7",
         "qualifier:approximate", S932, "5.68", "qualifier:exact", "5350", S932, "94120", S932,
         "0.02"),
        # the seeds' 87 thousand micro enterprises of 93 thousand UMKM: derived, stated nowhere
        ("indicator:micro-enterprise-share-of-umkm", "place:balikpapan", "date:2025-11-10", None,
         None, None, "93.55", "qualifier:approximate", "87000", S002, "93000", S002, None)]


def test_the_derived_share_is_never_stored(kg, project_copy) -> None:  # type: ignore[no-untyped-def]
    added_on_first_try(kg, project_copy, LATER / "ikm-share-of-umkm.trig")
    graph = load_graph(project_copy)
    stored = graph.query("SELECT ?value WHERE { ?figure kg:indicator indicator:ikm-share-of-umkm ; "
                         "sdmx-measure:obsValue ?value }")
    assert [row["value"].value for row in stored.rows] == ["5.7"]


# ------------------------------------------- ranges, percentage points, statistics-office figures

def test_hole_figures_refused_statistics_office_release_with_a_range_and_percentage_points(kg, project_copy) -> None:  # type: ignore[no-untyped-def]
    added_on_first_try(kg, project_copy, LATER / "bps-pdrb-2024.trig")
    series = answer(project_copy, "indicator-series", indicator="indicator:sector-pdrb-share")
    assert cells(series, "period", "value", "min", "max", "unit", "qualifier", "statedAs", "sector",
                 "source") == [
        ("period:2024", None, "8", "10", "uom:percent", "qualifier:range",
         "antara 8 hingga 10 persen", "sector:logistics", S933)]
    ranges = answer(project_copy, "observations-by-qualifier", qualifier="qualifier:range")
    assert cells(ranges, "indicator", "value", "min", "max", "source") == [
        ("indicator:sector-pdrb-share", None, "8", "10", S933)]
    said = answer(project_copy, "who-says")
    assert set(cells(said, "indicator", "period", "value", "min", "max", "saidBy")) >= {
        ("indicator:pdrb-current-prices", "period:2024", "142500000000000", None, None,
         "body:bps-balikpapan"),
        ("indicator:pdrb-constant-prices", "period:2024", "78310000000000", None, None,
         "body:bps-balikpapan"),
        ("indicator:economic-growth-rate", "period:2024", "6.12", None, None, "body:bps-balikpapan"),
        ("indicator:sector-growth-rate", "period:2024", "9.87", None, None, "body:bps-balikpapan"),
        ("indicator:sector-pdrb-share", "period:2024", None, "8", "10", "body:bps-balikpapan")}
    change = answer(project_copy, "indicator-series", indicator="indicator:sector-pdrb-share-change")
    assert cells(change, "value", "unit", "sector", "source") == [
        ("0.45", "uom:percentage-point", "sector:trade", S933)]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("schema:minValue 8.0 ;", "schema:minValue 12.0 ;",
     "A figure stated as a range has schema:minValue 12 above schema:maxValue 10"),
    ("schema:minValue 8.0 ;", "", "A figure stated as a range lacks schema:minValue"),
    ("kg:qualifier qualifier:range ;", "kg:qualifier qualifier:approximate ;",
     "A statistic lacks its value"),
])
def test_a_broken_range_is_refused_with_its_remedy(kg, project_copy, tmp_path, old, new, message) -> None:  # type: ignore[no-untyped-def]
    text = (LATER / "bps-pdrb-2024.trig").read_text(encoding="utf-8")
    fixture = tmp_path / "bps-pdrb-2024.trig"
    fixture.write_text(text.replace(old, new), encoding="utf-8")
    run = kg("--root", project_copy.root, "add", fixture)
    assert run.code == 1, run
    assert message in run.out + run.err

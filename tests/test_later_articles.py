"""Later articles go in honestly, on the first try (issue "Growing the graph").

Each fixture in ``tests/fixtures/later/`` is a made-up article written from a
pattern real later articles follow (a month-only date, no printed date, a
facility's stated attributes, an alias spelling, a figure that conflicts with a
seed figure at another precision). Each is added with ``kg add`` to a copy of
the project exactly as written, following ``ontology/README.md`` (exit 0 on the
first try), and then shows through a saved query.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import load_graph
from kg.project import Project
from kg.queries import run_saved

LATER = Path(__file__).resolve().parent / "fixtures" / "later"
S001, S002 = "source:001_e75d6ffc1d1582a2", "source:002_90bcced4ea2d4b0f"


def short(term: object) -> str | None:
    """An IRI compacted with the project's prefixes, a literal as its lexical form."""
    from kg.prefixes import PREFIXES
    if term is None:
        return None
    value = getattr(term, "value", str(term))
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda p: -len(p[1])):
        if value.startswith(namespace):
            return f"{prefix}:{value[len(namespace):]}"
    return value


def rows(project: Project, query: str, *columns: str, **params: str) -> list[tuple[str | None, ...]]:
    result = run_saved(load_graph(project), query, **params)
    return [tuple(short(row.get(c)) for c in columns) for row in result.values()]


def added(kg, project: Project, name: str) -> str:
    """``kg add`` of the fixture ``name``: it must be accepted on the first try."""
    run = kg("--root", project.root, "add", LATER / name)
    assert run.code == 0, run
    return run.out


def test_an_article_dated_only_to_a_month_is_added_and_answers_in_that_month(kg, project_copy):
    added(kg, project_copy, "910-month-only-date.trig")
    assert rows(project_copy, "sources", "source", "statedDate", "precision")[2] == (
        "source:910_month-only-date", "2025-03", "month")
    assert rows(project_copy, "post-holder-on-date", "answer", "holder", "attested", "source",
                post="post:head-dkumkmp-balikpapan", on="2025-03-15") == [
        ("attested in that month", "person:heru-ressandy", "2025-03", "source:910_month-only-date"),
        ("next after", "person:heru-ressandy", "2025-11-10", S002)]


def test_an_article_that_prints_no_date_is_added_and_its_claim_kept_next_to_the_seed(kg, project_copy):
    added(kg, project_copy, "911-no-printed-date.trig")
    assert ("source:911_no-printed-date", None, "not printed") in rows(
        project_copy, "sources", "source", "statedDate", "precision")
    claims = rows(project_copy, "facility-claims", "part", "claim", "value", "source")
    assert (None, "kg:storageCapacity", "80", S001) in claims
    assert (None, "kg:storageCapacity", "100", "source:911_no-printed-date") in claims
    assert (None, "kg:yearOperational", "2024", "source:911_no-printed-date") in claims
    assert rows(project_copy, "conflicting-figures", "indicator", "area", "value", "source",
                "otherValue", "otherSource", "verdict") == [
        ("kg:storageCapacity", "facility:cold-storage-teritip", "80", S001,
         "100", "source:911_no-printed-date", "conflict")]


def test_facility_temperatures_tariffs_fees_and_inauguration_are_stated_attributes(kg, project_copy):
    added(kg, project_copy, "912-facility-attributes.trig")
    claims = rows(project_copy, "facility-claims", "part", "claim", "value", "low", "high", "unit",
                  "qualifier", "by", "source")
    s912 = "source:912_facility-attributes"
    chilled = "facility:cold-storage-teritip--chilled"
    frozen = "facility:cold-storage-teritip--frozen"
    for row in [
            (chilled, "attribute:operating-temperature", None, "0", "4", "uom:degree-celsius",
             "qualifier:range", None, s912),
            (frozen, "attribute:operating-temperature", "-18", None, None, "uom:degree-celsius",
             "qualifier:exact", None, s912),
            (None, "attribute:storage-tariff", "500", None, None, "uom:IDR-per-kg-per-day",
             "qualifier:exact", None, s912),
            (frozen, "attribute:rental-fee", "2500000", None, None, "uom:IDR-per-month",
             "qualifier:exact", None, s912),
            (None, "eventtype:inauguration", "2024", None, None, None, None,
             "person:rahmad-masud", s912)]:
        assert row in claims


def test_an_alias_spelling_of_a_known_person_is_found_by_label_search(kg, project_copy):
    added(kg, project_copy, "913-alias-spelling.trig")
    assert ("person:rahmad-masud", "alias", "Rahmad Masud") in rows(
        project_copy, "label-search", "entity", "kind", "label", text="Masud")
    assert rows(project_copy, "post-holder-on-date", "answer", "holder", "source",
                post="post:mayor-balikpapan", on="2025-09-02") == [
        ("attested on that date", "person:rahmad-masud", "source:913_alias-spelling")]


def test_a_month_figure_that_conflicts_with_a_day_figure_inside_it_is_found(kg, project_copy):
    out = added(kg, project_copy, "914-conflict-at-month-precision.trig")
    assert rows(project_copy, "conflicting-figures", "indicator", "period", "value", "source",
                "otherPeriod", "otherValue", "otherQualifier", "otherSource", "precision",
                "verdict") == [
        ("indicator:umkm-count", "date:2025-11", "100000", "source:914_conflict-at-month-precision",
         "date:2025-11-10", "93000", "qualifier:approximate", S002,
         "month 2025-11 holds day 2025-11-10", "conflict")]
    assert "obs:914-umkm-count-2025-11" in out and "obs:002-umkm-count" in out, out


@pytest.mark.parametrize("name", sorted(p.name for p in LATER.glob("*.trig")))
def test_every_later_article_names_the_readme_pattern_it_follows(name):
    head = (LATER / name).read_text(encoding="utf-8").split("@prefix", 1)[0]
    assert "made-up" in head.lower() and "ontology/README.md" in head, name

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


def test_hole_facts_with_no_place_facility_temperatures_tariffs_fees_inauguration(kg, project_copy):
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


def test_a_new_indicator_is_one_concept_added_to_the_vocabulary(kg, project_copy):
    """The maintainer appends the concept to ontology/vocabularies.ttl, then adds the article."""
    article = LATER / "915-new-indicator.trig"
    refused = kg("--root", project_copy.root, "add", article)
    assert refused.code == 1 and "code:indicator" in refused.out, refused
    vocabulary = project_copy.root / "ontology" / "vocabularies.ttl"
    with vocabulary.open("a", encoding="utf-8") as out:
        out.write((LATER / "915-new-indicator.vocabulary.ttl").read_text(encoding="utf-8"))
    added(kg, project_copy, "915-new-indicator.trig")
    assert rows(project_copy, "indicator-series", "period", "value", "qualifier", "source",
                indicator="indicator:umkm-exporter-count") == [
        ("period:2024", "120", "qualifier:lower-bound", "source:915_new-indicator")]


# ------------------------------------------------------------ the holes the issue found

def figure(stem: str, period: str, value: int, *, size: str | None = None) -> str:
    """A later article stating one UMKM count for Balikpapan ``period`` (a date: IRI)."""
    head = (LATER / "910-month-only-date.trig").read_text(encoding="utf-8")
    prefixes = "".join(line + "\n" for line in head.splitlines() if line.startswith("@prefix"))
    size_line = f"kg:sizeClass {size} ;" if size else ""
    moment = period.split(":", 1)[1]
    typed = {10: "date", 7: "gYearMonth", 4: "gYear"}[len(moment)]
    at = {10: "time:inXSDDate", 7: "time:inXSDgYearMonth", 4: "time:inXSDgYear"}[len(moment)]
    return f"""{prefixes}
source:{stem} {{
    source:{stem} a kg:SourceArticle ; dct:identifier "{stem}" ;
        schema:publisher body:kabar-contoh ; kg:statedDate "{moment}"^^xsd:{typed} ;
        schema:inLanguage "id" ; skos:editorialNote "Artikel rekaan untuk pengujian."@id .
    body:kabar-contoh a schema:NewsMediaOrganization ; skos:prefLabel "Kabar Contoh"@id .
    place:balikpapan a schema:City ; skos:prefLabel "Balikpapan"@id .
    {period} a time:Instant ; skos:prefLabel "{moment}"@id ; {at} "{moment}"^^xsd:{typed} .
    obs:{stem} a qb:Observation ; qb:dataSet kg:statistics ;
        skos:prefLabel "Jumlah UMKM di Kota Balikpapan (rekaan)"@id ;
        kg:indicator indicator:umkm-count ; sdmx-dimension:refArea place:balikpapan ;
        sdmx-dimension:refPeriod {period} ; kg:periodBasis basis:report-date ;
        sdmx-measure:obsValue {value} ; sdmx-attribute:unitMeasure uom:business-unit ;
        kg:qualifier qualifier:exact ; {size_line}
        dct:source source:{stem} .
}}
"""


def test_hole_conflicting_figures_paired_only_identical_periods(kg, project_copy, tmp_path):
    """A count as of November 2025 and 002's count as of a day in it were never compared."""
    path = tmp_path / "month.trig"
    path.write_text(figure("916_month", "date:2025-11", 99000, size="size:umkm"), encoding="utf-8")
    out = kg("--root", project_copy.root, "add", path)
    assert out.code == 0, out
    found = rows(project_copy, "conflicting-figures", "period", "otherPeriod", "precision", "verdict")
    assert ("date:2025-11", "date:2025-11-10", "month 2025-11 holds day 2025-11-10",
            "conflict") in found
    assert "obs:916_month" in out.out and "disagrees with obs:002-umkm-count" in out.out


def test_hole_conflicting_figures_silently_required_equal_size_classes(kg, project_copy, tmp_path):
    """Two counts of the same thing on the same day, one with size:umkm (the whole of
    UMKM) and one with no size class: the same total, so compared (0 rows before)."""
    first, second = tmp_path / "a.trig", tmp_path / "b.trig"
    first.write_text(figure("917_a", "date:2025-08-01", 90000, size="size:umkm"), encoding="utf-8")
    second.write_text(figure("918_b", "date:2025-08-01", 95000), encoding="utf-8")
    for path in (first, second):
        run = kg("--root", project_copy.root, "add", path)
        assert run.code == 0, run
    assert ("date:2025-08-01", "90000", "source:917_a", "95000", "source:918_b", "conflict") in rows(
        project_copy, "conflicting-figures", "period", "value", "source", "otherValue",
        "otherSource", "verdict")


def test_hole_a_second_source_with_another_year_or_its_own_description_was_refused(
        kg, project_copy, tmp_path):
    """Year built and descriptions were one per entity across all articles: a second source
    that gives another year, or describes the cold storage, is kept as its own claim."""
    text = (LATER / "911-no-printed-date.trig").read_text(encoding="utf-8").replace(
        'kg:yearOperational "2024"^^xsd:gYear ;', 'kg:yearBuilt "2023"^^xsd:gYear ;')
    path = tmp_path / "another-year.trig"
    path.write_text(text, encoding="utf-8")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 0, run
    claims = rows(project_copy, "facility-claims", "part", "claim", "value", "source")
    assert (None, "kg:yearBuilt", "2022", S001) in claims
    assert (None, "kg:yearBuilt", "2023", "source:911_no-printed-date") in claims
    assert ("kg:yearBuilt", "2022", S001, "2023", "source:911_no-printed-date", "conflict") in rows(
        project_copy, "conflicting-figures", "indicator", "value", "source", "otherValue",
        "otherSource", "verdict")
    graph = load_graph(project_copy)
    descriptions = graph.query(
        "SELECT ?g WHERE { GRAPH ?g { facility:cold-storage-teritip dct:description ?d "
        "FILTER(LANG(?d) = 'id') } }").rows
    assert {short(r["g"]) for r in descriptions} == {S001, "source:911_no-printed-date"}

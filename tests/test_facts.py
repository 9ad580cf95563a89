"""The graph answers, in SPARQL, the facts each of the five articles states.

Each query names the graph (GRAPH ?src) so the answer also says which
article states the fact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


S000 = "https://kg.example/id/source/000_9a270a74a60b7d58"
S001 = "https://kg.example/id/source/001_e75d6ffc1d1582a2"
S002 = "https://kg.example/id/source/002_90bcced4ea2d4b0f"
S003 = "https://kg.example/id/source/003_908d3bb2f5f92d70"
S004 = "https://kg.example/id/source/004_ceeb33199186a361"


def ask(shipped, query: str) -> list[tuple]:
    """The rows of a SELECT as tuples of Python values (the project prefixes need no declaring)."""
    result = shipped.query(query)
    return [tuple(row[name] for name in result.variables) for row in result.values()]


HOLDER_ON = """
SELECT ?name ?src WHERE {
  GRAPH ?src {
    ?holding kg:post %s ; org:member ?person ; org:memberDuring ?period .
    ?period time:inside ?day . ?day time:inXSDDate "%s"^^xsd:date .
    ?person skos:prefLabel ?name .
  }
} ORDER BY ?src
"""


@pytest.mark.parametrize("post, day, holder, source", [
    ("post:expert-staff-governance-balikpapan", "2025-11-19", "Adwar Skenda Putra", S000),
    ("post:head-dkumkmp-balikpapan", "2024-11-25", "Heru Ressandy", S001),
    ("post:head-dkumkmp-balikpapan", "2025-11-10", "Heru Ressandy", S002),
    ("post:head-dkumkmp-balikpapan", "2021-11-11", "Adwar Skenda Putra", S003),
    ("post:head-seksi-ilmate-dkumkmp", "2021-11-11", "Budi Wahyudi", S003),
    ("post:mayor-balikpapan", "2025-07-09", "Rahmad Mas’ud", S004),
])
def test_post_holder_on_a_date_with_its_source(shipped, post, day, holder, source):
    assert ask(shipped, HOLDER_ON % (post, day)) == [(holder, source)]


def test_a_person_moves_between_posts(shipped):
    rows = ask(shipped, """
        SELECT DISTINCT ?post ?day WHERE {
          GRAPH ?src { ?h org:member person:adwar-skenda-putra ; kg:post ?post ; org:memberDuring ?p .
                       ?p time:inside/time:inXSDDate ?day . }
        } ORDER BY ?day""")
    assert rows == [("https://kg.example/id/post/head-dkumkmp-balikpapan", date(2021, 11, 11)),
                    ("https://kg.example/id/post/expert-staff-governance-balikpapan", date(2025, 11, 19))]


def test_former_mayor_is_known_only_to_precede_2021_11_11(shipped):
    rows = ask(shipped, """
        SELECT ?before ?inside WHERE {
          GRAPH ?src { holding:imdaad-hamid--mayor-balikpapan org:memberDuring ?p .
                       ?p time:before/time:inXSDDate ?before .
                       OPTIONAL { ?p time:inside ?inside } }
        }""")
    assert rows == [(date(2021, 11, 11), None)]


def test_cold_storage_capacity_parts_add_up(shipped):
    rows = ask(shipped, """
        SELECT ?mode ?part ?total ?src WHERE {
          GRAPH ?src {
            facility:cold-storage-teritip kg:storageCapacity/schema:value ?total ;
                dct:hasPart ?section ; kg:yearBuilt ?built ; kg:yearOperational ?operating .
            ?section kg:storageMode ?mode ; kg:storageCapacity ?cap .
            ?cap schema:value ?part ; schema:unitCode uom:tonne .
          }
        } ORDER BY ?mode""")
    assert rows == [("https://kg.example/code/storage/chilled", 60, 80, S001),
                    ("https://kg.example/code/storage/frozen", 20, 80, S001)]


def test_cold_storage_built_2022_operating_2024_by_the_agency(shipped):
    rows = ask(shipped, """
        SELECT (STR(?built) AS ?b) (STR(?operating) AS ?o) ?operator WHERE {
          GRAPH ?src { facility:cold-storage-teritip kg:yearBuilt ?built ;
                        kg:yearOperational ?operating ; kg:operatedBy ?operator . } }""")
    assert rows == [("2022", "2024", "https://kg.example/id/body/dkumkmp-balikpapan")]


def test_industry_pad_series_2021_to_2024(shipped):
    rows = ask(shipped, """
        SELECT ?year ?value ?qualifier ?basis ?src WHERE {
          GRAPH ?src {
            ?o kg:indicator indicator:industry-sector-pad ; sdmx-measure:obsValue ?value ;
               sdmx-attribute:unitMeasure uom:IDR ; kg:qualifier ?qualifier ;
               kg:periodBasis ?b ; sdmx-dimension:refPeriod ?period ; dct:source ?src .
            ?period skos:prefLabel ?year .
          }
          BIND(STRAFTER(STR(?b), "basis/") AS ?basis)
        } ORDER BY ?year""")
    exact = "https://kg.example/code/qualifier/exact"
    # 2024 was quoted on 2024-11-25, before the year ended: to date, not the year's total
    assert rows == [("2021", 115000000, exact, "stated", S001),
                    ("2022", 115000000, exact, "stated", S001),
                    ("2023", 144000000, exact, "stated", S001),
                    ("2024", 330280000, exact, "period-to-date", S001)]


def test_umkm_counts_with_sources_and_qualifiers(shipped):
    rows = ask(shipped, """
        SELECT ?src ?value ?qualifier ?statedAs ?who WHERE {
          GRAPH ?src {
            ?o kg:indicator indicator:umkm-count ; sdmx-measure:obsValue ?value ;
               kg:qualifier ?q ; kg:statedAs ?statedAs ; prov:wasAttributedTo ?person .
            ?person skos:prefLabel ?who .
          }
          BIND(STRAFTER(STR(?q), "qualifier/") AS ?qualifier)
        } ORDER BY ?src DESC(?value)""")
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (S002, 93000, "approximate"),
        (S004, 87397, "exact"),
        (S004, 73300, "exact"),
    ]
    assert all(r[4] in ("Heru Ressandy", "Rahmad Mas’ud") for r in rows)
    assert "93 ribu" in rows[0][3]


def test_reported_growth_is_kept_as_stated_and_approximate(shipped):
    rows = ask(shipped, """
        SELECT ?value ?q ?base WHERE {
          GRAPH <%s> { ?o kg:indicator indicator:umkm-growth-rate ; sdmx-measure:obsValue ?value ;
                        kg:qualifier ?q ; kg:basePeriod/skos:prefLabel ?base . } }""" % S004)
    assert rows == [(Decimal("19.23"), "https://kg.example/code/qualifier/approximate", "2023")]


@pytest.mark.parametrize("indicator, value, qualifier, source", [
    ("manufacturing-pdrb-share", Decimal("47"), "lower-bound", S000),
    ("micro-enterprise-count", 87000, "approximate", S002),
    ("umkm-growth-target", Decimal("2"), "exact", S002),
    ("umkm-sector-share", Decimal("40"), "approximate", S002),
    ("ikm-count", 1029, "exact", S001),
])
def test_other_figures_keep_their_qualifier(shipped, indicator, value, qualifier, source):
    rows = ask(shipped, """
        SELECT ?value ?src WHERE {
          GRAPH ?src { ?o kg:indicator indicator:%s ; sdmx-measure:obsValue ?value ;
                        kg:qualifier qualifier:%s . } }""" % (indicator, qualifier))
    assert rows == [(value, source)]


def test_pdrb_share_comes_from_bps_with_its_period_not_printed(shipped):
    # "data terbaru BPS": the article prints no period; it is known only to precede the quote
    rows = ask(shipped, """
        SELECT ?provider ?basis ?before WHERE {
          GRAPH ?src { ?o kg:indicator indicator:manufacturing-pdrb-share ; kg:dataProvider ?provider ;
                        kg:periodBasis ?basis ; sdmx-dimension:refPeriod/time:before/time:inXSDDate ?before . } }""")
    assert rows == [("https://kg.example/id/body/bps-balikpapan",
                     "https://kg.example/code/basis/not-printed", date(2025, 11, 19))]


def test_coal_ban_regulations_were_issued_under_mayor_imdaad_hamid(shipped):
    rows = ask(shipped, """
        SELECT ?type ?mayor WHERE {
          GRAPH <%s> { ?law a schema:Legislation ; schema:legislationType ?type ;
                        kg:enactedDuringTenure/org:member ?m ; kg:implements ?policy .
                       ?m skos:prefLabel ?mayor . } } ORDER BY ?type""" % S003)
    assert rows == [("https://kg.example/code/legal/mayoral-decree", "Imdaad Hamid"),
                    ("https://kg.example/code/legal/mayoral-regulation", "Imdaad Hamid")]


def test_dekranas_anniversary_event_in_balikpapan(shipped):
    rows = ask(shipped, """
        SELECT ?day ?place ?speaker WHERE {
          GRAPH <%s> { ?e a schema:Event ; schema:startDate ?day ; schema:location ?place ;
                        kg:speaker ?speaker ; schema:about body:dekranas . } }""" % S004)
    assert rows == [(date(2025, 7, 9), "https://kg.example/id/place/balikpapan",
                     "https://kg.example/id/person/rahmad-masud")]


def test_the_agency_is_one_node_with_its_aliases(shipped):
    rows = ask(shipped, """
        SELECT DISTINCT ?alias WHERE { GRAPH ?g { body:dkumkmp-balikpapan skos:altLabel ?alias } }""")
    aliases = {r[0] for r in rows}
    assert {"DKUMKMP", "Dinas KUMKMP"} <= aliases
    bodies = ask(shipped, """
        SELECT DISTINCT ?b WHERE { GRAPH ?g { ?b skos:altLabel "DKUMKMP"@id } }""")
    assert len(bodies) == 1

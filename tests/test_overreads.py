"""Over-reads of the seed articles, corrected in data/ (issue 10): one regression test each.

An outside reading of the seeds found statements the articles do not make. Each
test asks the shipped graph, in SPARQL, for what the article does say, and that
the over-read is gone.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kg.graph import KnowledgeGraph
from kg.queries import QueryLibrary, run_saved
from kg.terms import IRI, compact

QUERIES = Path(__file__).resolve().parents[1] / "queries"

S000 = "https://kg.example/id/source/000_9a270a74a60b7d58"
S001 = "https://kg.example/id/source/001_e75d6ffc1d1582a2"
S002 = "https://kg.example/id/source/002_90bcced4ea2d4b0f"
S003 = "https://kg.example/id/source/003_908d3bb2f5f92d70"
S004 = "https://kg.example/id/source/004_ceeb33199186a361"


def short(value: object) -> object:
    """An IRI compacted (``basis:stated``); any other value as it is."""
    return compact(value) if isinstance(value, IRI) else value


def ask(shipped: KnowledgeGraph, query: str) -> list[tuple[object, ...]]:
    """The rows of a SELECT as tuples of Python values, IRIs compacted."""
    result = shipped.query(query)
    return [tuple(short(row[n]) for n in result.variables) for row in result.values()]


@pytest.fixture(scope="module")
def library() -> QueryLibrary:
    return QueryLibrary.load(QUERIES)


def test_overread_2024_pad_is_period_to_date(shipped: KnowledgeGraph, library: QueryLibrary) -> None:
    """001 quotes the 2024 industry PAD on 2024-11-25, before the year ended: it was stored as
    the exact total of the whole of 2024 (basis:stated), and growth 2023 -> 2024 derived from it."""
    rows = ask(shipped, """
        SELECT ?period ?basis ?value ?src WHERE {
          GRAPH ?src { obs:001-industry-sector-pad-2024 sdmx-dimension:refPeriod ?period ;
                         kg:periodBasis ?basis ; sdmx-measure:obsValue ?value . } }""")
    assert rows == [("period:2024", "basis:period-to-date", 330280000, "source:001_e75d6ffc1d1582a2")]
    # the concept is a code of code:basis, with its labels and definition
    assert ask(shipped, """
        SELECT ?id ?en WHERE { basis:period-to-date skos:inScheme code:basis ;
            skos:prefLabel ?id , ?en ; skos:definition ?def .
            FILTER(LANG(?id) = "id" && LANG(?en) = "en" && LANG(?def) = "en") }""") \
        == [("periode berjalan", "period to date")]
    # no growth is derived to or from a figure that covers only part of its period
    result = run_saved(shipped, "growth-derived-vs-reported", library=library,
                       indicator="indicator:industry-sector-pad")
    pairs = [(short(r["fromPeriod"]), short(r["toPeriod"])) for r in result.values()]
    assert pairs == [("period:2021", "period:2022"), ("period:2022", "period:2023")]
    # the series shows it, marked by its basis
    series = run_saved(shipped, "indicator-series", library=library,
                       indicator="indicator:industry-sector-pad")
    marked = [(short(r["period"]), short(r["basis"])) for r in series.values()]
    assert marked[-1] == ("period:2024", "basis:period-to-date")


def test_overread_pdrb_share_period_is_not_printed(shipped: KnowledgeGraph,
                                                   library: QueryLibrary) -> None:
    """000 gives "lebih dari 47 persen" from BPS's latest data and prints no period: it was stored
    with the report day 2025-11-19 as its reference period."""
    rows = ask(shipped, """
        SELECT ?period ?basis ?type ?noteId ?noteEn ?before ?src WHERE {
          GRAPH ?src {
            obs:000-manufacturing-pdrb-share sdmx-dimension:refPeriod ?period ; kg:periodBasis ?basis .
            ?period a ?type ; skos:editorialNote ?noteId , ?noteEn ;
                    time:before/time:inXSDDate ?before .
            FILTER(LANG(?noteId) = "id" && LANG(?noteEn) = "en")
          } }""")
    assert rows == [
        ("period:000-manufacturing-pdrb-share", "basis:not-printed", "time:Interval",
         "periode tidak tercantum", "period not printed", datetime.date(2025, 11, 19),
         "source:000_9a270a74a60b7d58")]
    # a period of unknown bounds: neither a day nor a period with a beginning or an end
    assert ask(shipped, """
        SELECT ?p ?o WHERE { period:000-manufacturing-pdrb-share ?p ?o .
            FILTER(?p IN (time:hasBeginning, time:hasEnd, time:inXSDDate, time:inside)) }""") == []
    assert ask(shipped, "SELECT ?t WHERE { period:000-manufacturing-pdrb-share a ?t }") \
        == [("time:Interval",)]
    # still listed in the series, with its basis and no start day
    series = run_saved(shipped, "indicator-series", library=library,
                       indicator="indicator:manufacturing-pdrb-share")
    assert [(short(r["period"]), r["start"], short(r["basis"])) for r in series.values()] \
        == [("period:000-manufacturing-pdrb-share", None, "basis:not-printed")]


def test_overread_coal_rules_not_passed_by_the_mayor(shipped: KnowledgeGraph) -> None:
    """003: "Saat kepemimpinan Wali Kota Imdaad Hamid, dikeluarkan kebijakan Peraturan Wali Kota
    dan Keputusan Wali Kota": issued during his leadership, read as passed by him."""
    assert ask(shipped, "SELECT ?law ?who WHERE { GRAPH ?g { ?law schema:legislationPassedBy ?who } }") \
        == []
    rows = ask(shipped, """
        SELECT ?law ?tenure ?src WHERE {
          GRAPH ?src { ?law a schema:Legislation ; kg:enactedDuringTenure ?tenure } } ORDER BY ?law""")
    assert rows == [
        ("policy:kepwali-larangan-batu-bara", "holding:imdaad-hamid--mayor-balikpapan",
         "source:003_908d3bb2f5f92d70"),
        ("policy:perwali-larangan-batu-bara", "holding:imdaad-hamid--mayor-balikpapan",
         "source:003_908d3bb2f5f92d70")]


def test_overread_balai_kota_is_where_heru_was_met_not_where_002_was_written(
        shipped: KnowledgeGraph) -> None:
    """002: "saat ditemui di Balai Kota" (when met at the city hall) was read as the place the
    article was created (schema:locationCreated)."""
    assert ask(shipped, "SELECT ?s ?o WHERE { GRAPH ?g { ?s schema:locationCreated ?o } }") == []
    rows = ask(shipped, """
        SELECT ?event ?type ?place ?speaker ?src WHERE {
          GRAPH ?src { ?event a schema:Event ; kg:eventType ?type ;
                         schema:location place:balai-kota-balikpapan , ?place ;
                         kg:speaker ?speaker . } }""")
    assert rows == [("event:002-heru-ressandy-met-at-balai-kota", "eventtype:interview",
                     "place:balai-kota-balikpapan", "person:heru-ressandy",
                     "source:002_90bcced4ea2d4b0f")]
    # the article dates Heru's quotes, not the meeting: no day is made up for it
    assert ask(shipped, """
        SELECT ?day WHERE { event:002-heru-ressandy-met-at-balai-kota schema:startDate ?day }""") == []


def test_overread_licensing_ease_is_a_growth_factor_not_a_program(shipped: KnowledgeGraph) -> None:
    """004: "faktor pendukung seperti kemudahan perizinan usaha" names a factor behind UMKM growth;
    it was typed as a support program (kg:SupportProgram with instrument:licensing-ease), which
    nobody in the article is said to run."""
    assert ask(shipped, """
        SELECT ?program WHERE { GRAPH ?g { ?program a kg:SupportProgram ;
                                             kg:instrument instrument:licensing-ease } }""") == []
    assert ask(shipped, """
        SELECT ?p WHERE { GRAPH ?g { program:umkm-licensing-ease ?p ?o } }""") == []
    rows = ask(shipped, """
        SELECT ?finding ?size ?assessment ?area ?who ?src WHERE {
          GRAPH ?src { ?finding a kg:SectorFinding ; kg:assessment ?assessment ;
                         kg:sizeClass ?size ; sdmx-dimension:refArea ?area ;
                         prov:wasAttributedTo ?who .
                       FILTER NOT EXISTS { ?finding kg:sector ?sector } } } ORDER BY ?finding""")
    assert rows == [
        ("finding:004-licensing-ease-growth-factor", "size:umkm", "assessment:growth-factor",
         "place:balikpapan", "person:rahmad-masud", "source:004_ceeb33199186a361"),
        ("finding:004-social-media-growth-factor", "size:umkm", "assessment:growth-factor",
         "place:balikpapan", "person:rahmad-masud", "source:004_ceeb33199186a361")]
    assert ask(shipped, """
        SELECT ?en WHERE { assessment:growth-factor skos:inScheme code:assessment ;
                             skos:prefLabel ?en ; skos:definition ?def .
                           FILTER(LANG(?en) = "en" && LANG(?def) = "en") }""") == [("growth factor",)]


def test_overread_000_infrastructure_has_nodes(shipped: KnowledgeGraph) -> None:
    """000: "Infrastruktur kita semakin lengkap, mulai pelabuhan internasional, bandara modern,
    fasilitas logistik, sentra IKM, hingga cold storage ..." existed only as prose. Each is now a
    node labelled with the article's words (the labels below are those words)."""
    rows = ask(shipped, """
        SELECT ?thing ?type ?label ?in WHERE {
          GRAPH <%s> { finding:000-industry-ecosystem-growing schema:mentions ?thing .
                       ?thing a ?type ; skos:prefLabel ?label ; schema:containedInPlace ?in .
                       FILTER(LANG(?label) = "id") } } ORDER BY ?label ?type""" % S000)
    assert rows == [
        ("place:balikpapan-airport", "schema:Airport", "bandara modern", "place:balikpapan"),
        ("place:balikpapan-airport", "schema:Place", "bandara modern", "place:balikpapan"),
        ("facility:balikpapan-umkm-cold-storage", "kg:ColdStorage", "cold storage", "place:balikpapan"),
        ("facility:balikpapan-logistics-facilities", "kg:Facility", "fasilitas logistik",
         "place:balikpapan"),
        ("place:balikpapan-international-port", "schema:Place", "pelabuhan internasional",
         "place:balikpapan"),
        ("place:balikpapan-ikm-centres", "schema:Place", "sentra IKM", "place:balikpapan")]
    # the article does not say its cold storage is the SIKT one of 001: not merged with it
    assert ask(shipped, """
        SELECT ?p WHERE { GRAPH <%s> { facility:cold-storage-teritip ?p ?o } }""" % S000) == []
    # nothing is made up about them: no name, year, builder or capacity
    assert ask(shipped, """
        SELECT ?thing ?p WHERE { GRAPH ?g { finding:000-industry-ecosystem-growing schema:mentions ?thing .
            ?thing ?p ?o .
            FILTER(?p IN (kg:yearBuilt, kg:yearOperational, kg:builtBy, kg:operatedBy, kg:storageCapacity,
                          skos:altLabel, schema:url, dct:identifier)) } }""") == []

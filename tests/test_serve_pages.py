"""The pages of ``kg serve``: a page for every thing of the graph, the ontology's
documentation, the indicator charts, content negotiation, and no page that runs a
label as markup (the XSS test)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from kg.graph import load_graph
from kg.prefixes import PREFIXES
from kg.project import Project
from kg.serve import Dataset, build, create_app
from kg.serve.context import Options

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "{http://www.w3.org/2000/svg}"

#: a later article: a UMKM count for 2024 that disagrees with 004's, a range, and labels
#: that are markup (publisher, headline, an alias, a figure as stated)
EXTRA = """
source:990_pages-test {
    source:990_pages-test a kg:SourceArticle ;
        skos:prefLabel "%(script)s Warta Uji"@id ;
        dct:identifier "990_pages-test" ;
        schema:publisher body:warta-uji ;
        kg:statedDate "2025-01-15"^^xsd:date ;
        schema:inLanguage "id" .
    body:warta-uji a schema:NewsMediaOrganization ;
        skos:prefLabel "%(img)s"@id .
    person:heru-ressandy a foaf:Person ;
        skos:prefLabel "Heru Ressandy"@id , "Heru Ressandy (agency head)"@en ;
        skos:altLabel "Pak Heru"@id , "%(script)s"@id .
    place:balikpapan a schema:City ; skos:prefLabel "Balikpapan"@id .
    period:2024 a time:ProperInterval ; skos:prefLabel "2024"@id ;
        time:hasBeginning date:2024-01-01 ; time:hasEnd date:2024-12-31 .
    date:2024-01-01 a time:Instant ; time:inXSDDate "2024-01-01"^^xsd:date .
    date:2024-12-31 a time:Instant ; time:inXSDDate "2024-12-31"^^xsd:date .
    period:2025 a time:ProperInterval ; skos:prefLabel "2025"@id ;
        time:hasBeginning date:2025-01-01 ; time:hasEnd date:2025-12-31 .
    date:2025-01-01 a time:Instant ; time:inXSDDate "2025-01-01"^^xsd:date .
    date:2025-12-31 a time:Instant ; time:inXSDDate "2025-12-31"^^xsd:date .
    obs:990-umkm-count-2024 a qb:Observation ; qb:dataSet kg:statistics ;
        skos:prefLabel "%(img)s jumlah UMKM 2024"@id ;
        kg:indicator indicator:umkm-count ; sdmx-dimension:refArea place:balikpapan ;
        sdmx-dimension:refPeriod period:2024 ; kg:periodBasis basis:stated ;
        sdmx-measure:obsValue 90000 ; sdmx-attribute:unitMeasure uom:business-unit ;
        kg:qualifier qualifier:approximate ; kg:statedAs "%(script)s sekitar 90 ribu"@id ;
        kg:sizeClass size:umkm ; dct:source source:990_pages-test .
    obs:990-umkm-count-2025 a qb:Observation ; qb:dataSet kg:statistics ;
        skos:prefLabel "Jumlah UMKM 2025"@id ;
        kg:indicator indicator:umkm-count ; sdmx-dimension:refArea place:balikpapan ;
        sdmx-dimension:refPeriod period:2025 ; kg:periodBasis basis:stated ;
        kg:qualifier qualifier:range ; schema:minValue 95000 ; schema:maxValue 98000 ;
        sdmx-attribute:unitMeasure uom:business-unit ;
        kg:statedAs "antara 95 dan 98 ribu"@id ;
        kg:sizeClass size:umkm ; dct:source source:990_pages-test .
}
""" % {"script": SCRIPT, "img": IMG.replace('"', '\\"')}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(build(access_log=False)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def extra_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("pages") / "990_pages-test.trig"
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
    path.write_text(prefixes + EXTRA, encoding="utf-8")
    project = Project.locate(None)
    dataset = Dataset(project, graph=load_graph(project, extra=[path]))
    with TestClient(create_app(dataset, options=Options(access_log=False))) as test_client:
        yield test_client


def marks(svg_text: str) -> list[ET.Element]:
    """The marks of a chart: one ``<g class="mark ...">`` per figure."""
    root = ET.fromstring(svg_text)
    return [g for g in root.iter(f"{SVG}g") if "mark" in (g.get("class") or "").split()]


def chart_of(page: str) -> str:
    found = re.search(r"<svg.*?</svg>", page, re.S)
    assert found, "the page has no chart"
    return found.group(0)


# --------------------------------------------------------------------------- entity pages

def test_person_page_shows_names_aliases_and_sources_grouped_by_article(client: TestClient) -> None:
    page = client.get("/id/person/rahmad-masud")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert "name (Indonesian)" in text and "alias (Indonesian)" in text
    assert "H Rahmad Mas’ud" in text and "Rahmad Mas&#39;ud" in text
    assert "foaf:Person" in text
    assert "IKNBISNIS.COM" in text and "2025-07-09" in text
    # each article that names him, with its publisher and the date it states
    text = client.get("/id/person/heru-ressandy").text
    groups = text.split("What the sources say", 1)[1].split('<section class="source">')[1:]
    assert len(groups) == 2
    assert "IKNPOS.ID" in groups[0] and "2024-11-25" in groups[0]
    assert "Fokusborneo.com" in groups[1] and "2025-11-10" in groups[1]
    sources = set(re.findall(r'href="(/id/source/[^"]+)"', text))
    assert "/id/source/001_e75d6ffc1d1582a2" in sources
    for source in sources:
        assert client.get(source).status_code == 200


def test_person_page_english_label_and_posts_over_time(client: TestClient,
                                                       extra_client: TestClient) -> None:
    text = extra_client.get("/id/person/heru-ressandy").text
    assert "name (English)" in text and "Heru Ressandy (agency head)" in text
    assert "Pak Heru" in text
    posts = client.get("/id/person/heru-ressandy").text
    assert "Posts over time" in posts
    section = posts.split("Posts over time", 1)[1].split("</section>", 1)[0]
    assert section.index("2024-11-25") < section.index("2025-11-10")
    assert 'href="/id/post/head-dkumkmp-balikpapan"' in section


def test_post_page_lists_its_holders_over_time(client: TestClient) -> None:
    text = client.get("/id/post/head-dkumkmp-balikpapan").text
    assert "Holders over time" in text
    section = text.split("Holders over time", 1)[1].split("</section>", 1)[0]
    assert "/id/person/adwar-skenda-putra" in section and "/id/person/heru-ressandy" in section
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", section)
    assert dates == sorted(dates) and len(dates) >= 2


def test_facility_page_lists_its_parts(client: TestClient) -> None:
    text = client.get("/id/facility/cold-storage-teritip").text
    assert "<h2>Parts</h2>" in text
    assert "/id/facility/cold-storage-teritip--frozen" in text
    assert "/id/facility/cold-storage-teritip--chilled" in text


def test_observation_page_shows_the_figure_as_stated(client: TestClient) -> None:
    text = client.get("/id/observation/000-manufacturing-pdrb-share").text
    figure = text.split("The figure", 1)[1].split("</section>", 1)[0]
    assert "lebih dari 47 persen" in figure
    assert 'href="/code/qualifier/lower-bound"' in figure
    assert 'href="/id/source/000_9a270a74a60b7d58"' in figure


def test_source_page_describes_the_article_and_what_it_describes(client: TestClient) -> None:
    text = client.get("/id/source/004_ceeb33199186a361").text
    assert "What this article describes" in text
    assert 'href="/id/person/rahmad-masud"' in text


def test_lists_of_sources_and_indicators(client: TestClient) -> None:
    sources = client.get("/sources").text
    assert sources.count('href="/id/source/') == 5
    assert "Fokusborneo.com" in sources
    indicators = client.get("/indicators").text
    row = indicators.split('href="/code/indicator/umkm-count"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r"<td>3</td>", row)


# --------------------------------------------------------------------------- content negotiation

def test_statements_by_accept_and_by_suffix(client: TestClient) -> None:
    subject = ox.NamedNode("https://kg.example/id/person/heru-ressandy")
    label = ox.Triple(subject, ox.NamedNode(PREFIXES["skos"] + "prefLabel"),
                      ox.Literal("Heru Ressandy", language="id"))
    turtle = client.get("/id/person/heru-ressandy", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    triples = [q.triple for q in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)]
    assert label in triples and all(t.subject == subject for t in triples)
    by_suffix = client.get("/id/person/heru-ressandy.ttl")
    assert {q.triple for q in ox.parse(by_suffix.content, format=ox.RdfFormat.TURTLE)} == set(triples)
    document = json.loads(client.get("/id/person/heru-ressandy.jsonld").text)
    assert "@context" in document
    nt = client.get("/id/person/heru-ressandy", headers={"Accept": "application/n-triples"})
    assert {q.triple for q in ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES)} == set(triples)
    quads = list(ox.parse(client.get("/id/person/heru-ressandy.nq").content,
                          format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {  # type: ignore[union-attr]
        "https://kg.example/id/source/001_e75d6ffc1d1582a2",
        "https://kg.example/id/source/002_90bcced4ea2d4b0f"}
    html = client.get("/id/person/heru-ressandy",
                      headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html")
    assert client.get("/id/person/nobody.ttl").status_code == 404


# --------------------------------------------------------------------------- the ontology

def test_class_page_lists_its_properties_and_shapes(client: TestClient) -> None:
    text = client.get("/def/Facility").text
    assert "Properties (rdfs:domain)" in text and 'href="/def/builtBy"' in text
    assert "Shapes (SHACL, sh:targetClass)" in text and 'href="/shapes/FacilityShape"' in text
    assert client.get("/shapes/FacilityShape").status_code == 200


def test_property_page_shows_domain_and_range(client: TestClient) -> None:
    text = client.get("/def/builtBy").text
    assert "rdfs:domain" in text and 'href="/def/Facility"' in text and "rdfs:range" in text


def test_concept_page_shows_its_scheme_and_the_scheme_its_concepts(client: TestClient) -> None:
    concept = client.get("/code/indicator/umkm-count").text
    assert "skos:inScheme" in concept and 'href="/code/indicator"' in concept
    scheme = client.get("/code/indicator").text
    assert "Concepts of this scheme" in scheme and 'href="/code/indicator/umkm-count"' in scheme


def test_ontology_page_lists_classes_and_properties(client: TestClient) -> None:
    text = client.get("/def/").text
    assert "<h2>Classes</h2>" in text and 'href="/def/Facility"' in text
    assert "Object properties" in text
    assert client.get("/def", follow_redirects=False).status_code == 301


def test_unknown_iri_is_a_404_page_with_a_search_hint(client: TestClient) -> None:
    page = client.get("/id/person/nobody-at-all")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "/api/queries/label-search?text=nobody%20at%20all" in page.text
    hostile = client.get("/id/%3Cscript%3Ealert(1)%3C/script%3E")
    assert hostile.status_code == 404 and "<script>alert" not in hostile.text


# --------------------------------------------------------------------------- charts

def test_indicator_page_charts_one_mark_per_figure(client: TestClient) -> None:
    page = client.get("/code/indicator/umkm-count").text
    drawn = marks(chart_of(page))
    assert len([m for m in drawn if "derived" not in m.get("class", "")]) == 3
    assert "The figures" in page and "87397" in page


def test_a_lower_bound_is_drawn_as_a_bound(client: TestClient) -> None:
    drawn = marks(chart_of(client.get("/code/indicator/manufacturing-pdrb-share").text))
    assert len(drawn) == 1
    assert {"bound", "lower-bound"} <= set(drawn[0].get("class", "").split())
    assert drawn[0].find(f"{SVG}circle") is None  # not a point
    assert "lebih dari 47 persen" in (drawn[0].findtext(f"{SVG}title") or "")


def test_conflicting_figures_are_drawn_side_by_side(extra_client: TestClient) -> None:
    drawn = marks(chart_of(extra_client.get("/code/indicator/umkm-count").text))
    in_2024 = [m for m in drawn if (m.findtext(f"{SVG}title") or "").startswith("2024:")
               and "derived" not in m.get("class", "")]
    assert len(in_2024) == 2
    assert len({m.get("data-source") for m in in_2024}) == 2
    xs = {m.find(f"{SVG}circle").get("cx") for m in in_2024}  # type: ignore[union-attr]
    assert len(xs) == 2  # offset, not on top of each other
    assert any("range" in m.get("class", "").split() for m in drawn)


def test_growth_page_draws_the_derived_growth_next_to_the_reported(client: TestClient) -> None:
    page = client.get("/code/indicator/umkm-growth-rate").text
    drawn = marks(chart_of(page))
    assert any("derived" in m.get("class", "").split() for m in drawn)
    assert any("derived" not in m.get("class", "").split() for m in drawn)
    assert "Growth: derived by kg, and as reported" in page


def test_the_chart_alone_as_svg(client: TestClient) -> None:
    answer = client.get("/code/indicator/umkm-count.svg")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(answer.content)
    assert root.findtext(f"{SVG}title") and root.findtext(f"{SVG}desc")
    assert len(marks(answer.text)) >= 3
    assert client.get("/code/indicator/no-such-indicator.svg").status_code == 404


# --------------------------------------------------------------------------- escaping

@pytest.mark.parametrize("path", [
    "/id/source/990_pages-test", "/id/person/heru-ressandy", "/code/indicator/umkm-count",
    "/code/indicator/umkm-count.svg", "/id/observation/990-umkm-count-2024",
    "/id/body/warta-uji", "/sources", "/code/uom/business-unit", "/id/place/balikpapan"])
def test_labels_are_never_markup(extra_client: TestClient, path: str) -> None:
    page = extra_client.get(path)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    # the text is there, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text or \
        "&lt;img src=x" in page.text or path == "/id/place/balikpapan"
    if path.endswith(".svg"):
        ET.fromstring(page.content)  # still well-formed


def test_page_latency_is_small(client: TestClient) -> None:
    """Not the benchmark (bench/): a guard against a page that runs away."""
    import time

    for path in ("/id/person/heru-ressandy", "/code/indicator/umkm-count"):
        client.get(path)
        started = time.perf_counter()
        for _ in range(5):
            assert client.get(path).status_code == 200
        assert (time.perf_counter() - started) / 5 < 0.5


def test_shapes_pages_read_the_shapes_files(client: TestClient) -> None:
    text = client.get("/shapes/FacilityShape").text
    assert "sh:targetClass" in text and 'href="/def/Facility"' in text


def test_every_link_of_a_page_resolves(client: TestClient) -> None:
    text = client.get("/id/source/001_e75d6ffc1d1582a2").text
    links = sorted(set(re.findall(r'href="(/(?:id|code|def|shapes)/[^"#]*)"', text)))
    assert len(links) > 20
    for link in links:
        assert client.get(link).status_code == 200, link


def test_project_files_are_not_changed(tmp_path: Path) -> None:
    """The pages read; the shapes store is the project's files read into memory."""
    project = Project.locate(None)
    before = {p: p.stat().st_mtime for p in project.shapes_dir.glob("*.ttl")}
    with TestClient(build(access_log=False)) as fresh:
        fresh.get("/def/Facility")
    assert before == {p: p.stat().st_mtime for p in project.shapes_dir.glob("*.ttl")}

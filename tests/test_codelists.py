"""Code lists are data: a new concept in ontology/vocabularies.ttl is the one edit.

For every code list the shapes check, a statement using a concept the list
does not have yet is refused by ``kg add``, with a message naming the list and
saying what to do; the remedy is then applied literally (the concept appended
to the copy's ``ontology/vocabularies.ttl``) and the same addition goes in.
The units (``code:uom``) carry their QUDT match and quantity kind.

Every test works on ``project_copy``: the real ontology/ and data/ are never touched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import write
from kg.graph import open_store, read_files
from kg.prefixes import PREFIXES
from kg.shacl import Shapes
from kg.shacl.vocab import SH

ROOT = Path(__file__).resolve().parents[1]
SKOS, CODE = PREFIXES["skos"], PREFIXES["code"]

HEADER = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())

#: The new concept each case uses: ``<list>:fixture-new``.
NEW = "fixture-new"


def article(stem: str, body: str) -> str:
    """A TriG addition: a described new source article ``source:<stem>`` and ``body`` in its graph."""
    return f"""{HEADER}
source:{stem} {{
    source:{stem} a kg:SourceArticle ;
        dct:identifier "{stem}" ;
        schema:publisher body:kabar-contoh ;
        kg:statedDate "2025-08-01"^^xsd:date ;
        schema:inLanguage "id" ;
        skos:editorialNote "Artikel rekaan untuk pengujian."@id , "Made-up article for testing."@en .
    body:kabar-contoh a schema:NewsMediaOrganization ;
        skos:prefLabel "Kabar Contoh"@id .
{body}
}}
"""


def observation(stem: str, **given: str) -> str:
    """A figure of the shipped kind (as tests/fixtures/add/new-article.trig), with values replaced."""
    values = {"indicator": "indicator:umkm-count", "basis": "basis:stated",
              "uom": "uom:business-unit", "qualifier": "qualifier:exact", "size": "size:umkm",
              "sector": None, **given}
    sector = f"kg:sector {values['sector']} ;" if values["sector"] else ""
    return f"""
    place:balikpapan a schema:City ; skos:prefLabel "Balikpapan"@id .
    obs:{stem}-figure a qb:Observation ;
        qb:dataSet kg:statistics ;
        kg:indicator {values['indicator']} ;
        sdmx-dimension:refArea place:balikpapan ;
        sdmx-dimension:refPeriod period:2024 ;
        kg:periodBasis {values['basis']} ;
        sdmx-measure:obsValue 88000 ;
        sdmx-attribute:unitMeasure {values['uom']} ;
        kg:qualifier {values['qualifier']} ;
        kg:sizeClass {values['size']} ;
        {sector}
        dct:source source:{stem} .
    period:2024 a time:ProperInterval ;
        skos:prefLabel "2024"@id ;
        time:hasBeginning date:2024-01-01 ;
        time:hasEnd date:2024-12-31 .
    date:2024-01-01 a time:Instant ; skos:prefLabel "2024-01-01"@id ; time:inXSDDate "2024-01-01"^^xsd:date .
    date:2024-12-31 a time:Instant ; skos:prefLabel "2024-12-31"@id ; time:inXSDDate "2024-12-31"^^xsd:date .
"""


def program(stem: str, *, instrument: str = "instrument:training", more: str = "") -> str:
    return f"""
    program:{stem} a kg:SupportProgram ;
        skos:prefLabel "Program contoh"@id ;
        kg:instrument {instrument} {more} .
"""


#: list -> (the addition's body using ``<list>:fixture-new``, given the article's stem)
CASES = {
    "indicator": lambda s: observation(s, indicator=f"indicator:{NEW}"),
    "basis": lambda s: observation(s, basis=f"basis:{NEW}"),
    "uom": lambda s: observation(s, uom=f"uom:{NEW}"),
    "qualifier": lambda s: observation(s, qualifier=f"qualifier:{NEW}"),
    "size": lambda s: observation(s, size=f"size:{NEW}"),
    "sector": lambda s: observation(s, sector=f"sector:{NEW}"),
    "orgtype": lambda s: f"""
    body:{s} a org:FormalOrganization ; skos:prefLabel "Badan contoh"@id ;
        org:classification orgtype:{NEW} .""",
    "level": lambda s: f"""
    body:{s} a org:FormalOrganization ; skos:prefLabel "Badan contoh"@id ;
        kg:governmentLevel level:{NEW} .""",
    "role": lambda s: f"""
    body:{s} a org:FormalOrganization ; skos:prefLabel "Badan contoh"@id .
    post:{s} a org:Post ; skos:prefLabel "Jabatan contoh"@id ;
        org:postIn body:{s} ; org:role role:{NEW} .""",
    "instrument": lambda s: program(s, instrument=f"instrument:{NEW}"),
    "status": lambda s: program(s, more=f"; kg:status status:{NEW}"),
    "eventtype": lambda s: f"""
    event:{s} a schema:Event ; skos:prefLabel "Acara contoh"@id ;
        kg:eventType eventtype:{NEW} .""",
    "legal": lambda s: f"""
    policy:{s} a schema:Legislation ; skos:prefLabel "Peraturan contoh"@id ;
        schema:legislationType legal:{NEW} .""",
    "assessment": lambda s: f"""
    place:balikpapan a schema:City ; skos:prefLabel "Balikpapan"@id .
    finding:{s} a kg:SectorFinding ;
        kg:sector sector:culinary-food ;
        kg:assessment assessment:{NEW} ;
        sdmx-dimension:refArea place:balikpapan ;
        dct:source source:{s} .""",
    "storage": lambda s: f"""
    facility:{s} a kg:Facility ; skos:prefLabel "Fasilitas contoh"@id ;
        dct:hasPart facility:{s}--section .
    facility:{s}--section a kg:StorageSection ; skos:prefLabel "Bagian contoh"@id ;
        dct:isPartOf facility:{s} ; kg:storageMode storage:{NEW} .""",
    "attribute": lambda s: f"""
    facility:{s} a kg:Facility ; skos:prefLabel "Fasilitas contoh"@id ;
        schema:additionalProperty facility:{s}--{NEW}--{s} .
    facility:{s}--{NEW}--{s} a schema:PropertyValue ; skos:prefLabel "Atribut contoh"@id ;
        schema:propertyID attribute:{NEW} ; schema:value 5 ; schema:unitCode uom:tonne ;
        kg:qualifier qualifier:exact ; dct:source source:{s} .""",
    # kg:targetGroup takes sizes or sectors: a new size class
    "size (kg:targetGroup)": lambda s: program(s, more=f"; kg:targetGroup size:{NEW}"),
}


def code_list(case: str) -> str:
    return case.split()[0]


def concept(code: str, *, name: str = NEW) -> str:
    """The remedy the messages give, followed literally: a skos:Concept with skos:inScheme,
    skos:prefLabel @id and @en and skos:definition @en, appended to vocabularies.ttl."""
    return (f"\n{code}:{name} a skos:Concept ;\n"
            f"    skos:inScheme code:{code} ;\n"
            f"    skos:prefLabel \"Konsep baru\"@id , \"New concept\"@en ;\n"
            f"    skos:definition \"A concept a later article needs.\"@en .\n")


def add_to_vocabulary(project_root: Path, text: str) -> None:
    vocabularies = project_root / "ontology" / "vocabularies.ttl"
    vocabularies.write_text(vocabularies.read_text(encoding="utf-8") + text, encoding="utf-8")


def stem_of(case: str) -> str:
    return "950_new-" + re.sub(r"[^a-z]+", "-", case).strip("-")


def messages(report: str) -> list[str]:
    """The messages of the violations kg add prints (``Violation  <node> ...: <message>``)."""
    return [line.split(": ", 1)[1] for line in report.splitlines()
            if line.lstrip().startswith("Violation") and ": " in line]


# ----------------------------------------------------------------------------- every list


def test_the_cases_cover_every_code_list_the_shapes_check(shapes: Shapes) -> None:
    """A code list checked by a shape (kgsh:InScheme-<list>, or a SPARQL constraint naming
    code:<list>) without a case here fails: each must take a new concept in one edit."""
    checked = set()
    for quad in shapes.store.quads_for_pattern(None, SH.hasValue, None, ox.DefaultGraph()):
        if isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(CODE):
            checked.add(quad.object.value[len(CODE):])
    for quad in shapes.store.quads_for_pattern(None, SH.select, None, ox.DefaultGraph()):
        # code:<list>, not a collection of a list (code:share-indicators: its members are
        # concepts of code:indicator)
        checked |= set(re.findall(r"code:(\w+)\b(?!-)", quad.object.value))
    assert {code_list(c) for c in CASES} == checked


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.replace(" ", "-"))
def test_new_concept_is_refused_then_accepted_once_added_to_the_vocabulary(
        kg, project_copy, tmp_path, case):  # type: ignore[no-untyped-def]
    code = code_list(case)
    stem = stem_of(case)
    addition = write(tmp_path, f"{stem}.trig", article(stem, CASES[case](stem)))
    run = kg("--root", project_copy.root, "add", addition)
    assert run.code == 1, run
    found = messages(run.out)
    assert found, run
    assert all(f"code:{code}" in m and "add it to ontology/vocabularies.ttl as a skos:Concept"
               in m for m in found), found
    assert not (project_copy.data_dir / f"{stem}.trig").exists()

    add_to_vocabulary(project_copy.root, concept(code))
    run = kg("--root", project_copy.root, "add", addition)
    assert run.code == 0, run
    assert (project_copy.data_dir / f"{stem}.trig").exists()
    assert kg("--root", project_copy.root, "validate").code == 0


# ----------------------------------------------------------------------------- the hole


def figure_with_new_indicator_and_unit(tmp_path: Path) -> Path:
    stem = "951_new-indicator-and-unit"
    return write(tmp_path, f"{stem}.trig", article(stem, observation(
        stem, indicator="indicator:regional-gdp-growth", uom="uom:percentage-point-new")))


def test_hole_new_indicator_or_unit_added_to_vocabulary_is_still_refused(
        kg, project_copy, tmp_path):  # type: ignore[no-untyped-def]
    """Issue 10: the shapes repeated each code list as a fixed sh:in, so a new indicator or
    unit added to ontology/vocabularies.ttl was still refused."""
    addition = figure_with_new_indicator_and_unit(tmp_path)
    refused = kg("--root", project_copy.root, "add", "--dry-run", addition)
    assert refused.code == 1, refused
    add_to_vocabulary(project_copy.root, concept("indicator", name="regional-gdp-growth")
                      + concept("uom", name="percentage-point-new"))
    for engine in ("fast", "pyshacl"):
        checked = kg("--root", project_copy.root, "validate", "--engine", engine, addition)
        assert checked.code == 0, (engine, checked)
        dry = kg("--root", project_copy.root, "add", "--engine", engine, "--dry-run", addition)
        assert dry.code == 0, (engine, dry)
    assert kg("--root", project_copy.root, "add", addition).code == 0


def test_kg_add_to_a_store_sees_a_concept_added_to_the_vocabulary_after_kg_load(
        kg, project_copy, tmp_path):  # type: ignore[no-untyped-def]
    """The store made by kg load holds the vocabulary of that moment: the remedy (edit
    ontology/vocabularies.ttl) must work for kg add --store too."""
    store = tmp_path / "store"
    assert kg("--root", project_copy.root, "--store", store, "load").code == 0
    addition = figure_with_new_indicator_and_unit(tmp_path)
    assert kg("--root", project_copy.root, "--store", store, "add", addition).code == 1
    add_to_vocabulary(project_copy.root, concept("indicator", name="regional-gdp-growth")
                      + concept("uom", name="percentage-point-new"))
    dry = kg("--root", project_copy.root, "--store", store, "add", "--dry-run", addition)
    assert dry.code == 2 and "kg add without --dry-run brings it up to date" in dry.err, dry
    run = kg("--root", project_copy.root, "--store", store, "add", addition)
    assert run.code == 0, run
    fresh = tmp_path / "fresh"
    assert kg("--root", project_copy.root, "--store", fresh, "load").code == 0
    assert set(open_store(store).store) == set(open_store(fresh).store)
    assert kg("--root", project_copy.root, "--store", store, "validate").code == 0


# ----------------------------------------------------------------------------- concepts live in ontology/


def test_a_source_graph_cannot_make_something_a_concept_of_a_code_list(
        kg, project_copy, tmp_path):  # type: ignore[no-untyped-def]
    """Declaring the concept in the addition itself would pass the membership check: kg add
    refuses it, naming the statement and where the concept belongs."""
    stem = "952_declares-a-concept"
    body = observation(stem, indicator=f"indicator:{NEW}") + concept("indicator").replace(
        "\n", "\n    ")
    addition = write(tmp_path, f"{stem}.trig", article(stem, body))
    run = kg("--root", project_copy.root, "add", addition)
    assert run.code == 2, run
    assert f"indicator:{NEW}" in run.err
    assert "ontology/vocabularies.ttl" in run.err
    assert "Traceback" not in run.err
    assert not (project_copy.data_dir / f"{stem}.trig").exists()


# ----------------------------------------------------------------------------- units

#: QUDT terms the units may name, each looked up in qudt/qudt-public-repo (v3.5.0 and later,
#: src/main/rdf/vocab/unit/VOCAB_QUDT-UNITS-ALL.ttl and quantitykinds/VOCAB_QUDT-QUANTITY-KINDS-ALL.ttl;
#: none deprecated there; QUDT 2's http://qudt.org/vocab/currency/IDR is replaced by unit:CCY_IDR).
QUDT_UNITS = {"NUM", "PERCENT", "CCY_IDR", "TONNE", "DEG_C", "KiloGM", "M2"}
QUDT_QUANTITY_KINDS = {"Count", "DimensionlessRatio", "Currency", "CurrencyPerTime", "Mass",
                       "Temperature", "Area"}
UNIT, QUANTITY_KIND = "http://qudt.org/vocab/unit/", "http://qudt.org/vocab/quantitykind/"
QUDT = PREFIXES["qudt"]


def test_every_unit_names_its_qudt_unit_and_quantity_kind_or_says_why_not() -> None:
    graph = read_files([], [ROOT / "ontology" / "vocabularies.ttl"])
    units = {q.subject for q in graph.triples(None, ox.NamedNode(SKOS + "inScheme"),
                                              ox.NamedNode(CODE + "uom"))}
    assert len(units) >= 10

    def values(node: ox.NamedNode | ox.BlankNode, predicate: str) -> list[ox.NamedNode | ox.BlankNode | ox.Literal]:
        return [q.object for q in graph.triples(node, ox.NamedNode(predicate))]

    for unit in units:
        notes = " ".join(n.value for n in values(unit, SKOS + "editorialNote")
                         if isinstance(n, ox.Literal) and n.language == "en")
        matches = [m.value for m in values(unit, SKOS + "exactMatch")]
        assert all(m.startswith(UNIT) and m[len(UNIT):] in QUDT_UNITS for m in matches), \
            f"{unit}: {matches} not among the QUDT units looked up"
        if not matches and not values(unit, QUDT + "ucumCode"):
            assert "QUDT has no unit" in notes, f"{unit}: no QUDT or UCUM match, and no note why"
        kinds = [k.value for k in values(unit, QUDT + "hasQuantityKind")]
        assert all(k.startswith(QUANTITY_KIND) and k[len(QUANTITY_KIND):] in QUDT_QUANTITY_KINDS
                   for k in kinds), f"{unit}: {kinds} not among the QUDT quantity kinds looked up"
        if not kinds:
            assert "no quantity kind" in notes or "no qudt:hasQuantityKind" in notes, \
                f"{unit}: no quantity kind, and no note why"


def test_units_later_articles_need_are_ordinary_concepts() -> None:
    graph = read_files([], [ROOT / "ontology" / "vocabularies.ttl"])
    for name in ("percentage-point", "degree-celsius", "IDR-per-kg-per-day", "IDR-per-month",
                 "kilogram", "square-metre"):
        node = ox.NamedNode(PREFIXES["uom"] + name)
        assert ox.Triple(node, ox.NamedNode(SKOS + "inScheme"), ox.NamedNode(CODE + "uom")) in \
            set(q.triple for q in graph.triples(node)), name
        definitions = [q.object for q in graph.triples(node, ox.NamedNode(SKOS + "definition"))]
        assert any(isinstance(d, ox.Literal) and d.language == "en" for d in definitions), name

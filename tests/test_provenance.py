"""Every statement is traceable, and every term is declared.

- every triple of data/ lives in the named graph of a source article that the
  data describes (publisher, stated date) inside that same graph;
- every class and property data/ uses is declared in ontology/ or is a real
  term of a standard vocabulary;
- every code the data uses is a concept of the matching code list.
"""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import (
    DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, XSD, DefinedNamespace,
)
from rdflib.namespace import SDO

from kg.namespaces import BASE, KG, PREFIXES, SCHEMA, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE

# rdflib ships these vocabularies as closed term lists, so a misspelt term fails.
CLOSED_VOCABULARIES: list[type[DefinedNamespace]] = [RDF, RDFS, OWL, SKOS, DCTERMS, FOAF, ORG, PROV, QB, TIME]
SDMX_TERMS = {SDMX_DIMENSION.refArea, SDMX_DIMENSION.refPeriod, SDMX_MEASURE.obsValue,
              SDMX_ATTRIBUTE.unitMeasure}


def standard_term(term: URIRef) -> bool:
    if term in SDMX_TERMS:
        return True
    text = str(term)
    if text.startswith(str(SCHEMA)):  # rdflib's schema.org list is under https://
        return hasattr(SDO, text[len(str(SCHEMA)):])
    for vocabulary in CLOSED_VOCABULARIES:
        namespace = str(vocabulary._NS)
        if text.startswith(namespace):
            return term in vocabulary
    return False


def declared_own_terms(ontology) -> set[URIRef]:
    kinds = {OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
             OWL.AnnotationProperty, RDF.Property, QB.DimensionProperty,
             QB.AttributeProperty, QB.MeasureProperty, QB.DataSet, QB.DataStructureDefinition}
    return {s for s, o in ontology.subject_objects(RDF.type) if o in kinds and isinstance(s, URIRef)}


def test_no_statement_outside_a_source_graph(shipped):
    default = list(shipped.dataset.graph(DATASET_DEFAULT_GRAPH_ID))
    assert default == []


def test_every_graph_is_a_described_source_article(shipped):
    for name in shipped.source_graphs():
        g = shipped.dataset.graph(name)
        assert (name, RDF.type, KG.SourceArticle) in g, f"{name} does not describe itself as kg:SourceArticle"
        assert g.value(name, SCHEMA.publisher) is not None, f"{name} has no publisher"
        date = g.value(name, KG.statedDate)
        assert isinstance(date, Literal) and date.datatype == XSD.date, f"{name} has no kg:statedDate"
        stem = str(name).rsplit("/", 1)[-1]
        assert shipped.origins[name].stem == stem, "the file is named after its source"


def test_every_class_and_property_is_declared_or_standard(shipped, ontology):
    own = declared_own_terms(ontology)
    used: set[URIRef] = set()
    for s, p, o, _ in shipped.dataset.quads((None, None, None, None)):
        used.add(p)
        if p == RDF.type:
            used.add(o)
    undeclared = sorted(t for t in used
                        if not (t in own if str(t).startswith(str(KG)) else standard_term(t)))
    assert undeclared == []


def test_every_own_term_has_labels_in_both_languages_and_a_definition(ontology):
    for term in declared_own_terms(ontology):
        if not str(term).startswith(str(KG)):
            continue
        langs = {lit.language for lit in ontology.objects(term, RDFS.label)}
        assert {"id", "en"} <= langs, f"{term} lacks an rdfs:label in id or en"
        assert ontology.value(term, SKOS.definition) is not None, f"{term} has no skos:definition"


CODE_LISTS = [p for p, iri in PREFIXES.items() if iri.startswith(BASE + "code/") and p != "code"]


@pytest.mark.parametrize("code_list", CODE_LISTS)
def test_codes_used_in_data_are_concepts_of_their_list(shipped, ontology, code_list):
    namespace = PREFIXES[code_list]
    scheme = URIRef(namespace.rstrip("/"))
    used = {o for _, _, o, _ in shipped.dataset.quads((None, None, None, None))
            if isinstance(o, URIRef) and str(o).startswith(namespace)}
    unknown = sorted(c for c in used if (c, SKOS.inScheme, scheme) not in ontology)
    assert unknown == []

"""Every statement is traceable, and every term is declared.

- every triple of data/ lives in the named graph of a source article that the
  data describes (publisher, stated date) inside that same graph; the default
  graph holds nothing of its own (it is the merge of the named graphs);
- every class and property data/ uses is declared in ontology/ or is a real
  term of a standard vocabulary;
- every code the data uses is a concept of the matching code list.

The vocabulary is read from the graph's vocabulary graphs; rdflib serves only
as the independent list of the terms of standard vocabularies.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.parse import quads_of, rdf_files
from kg.prefixes import CODE_LISTS, PREFIXES

KG, RDF, RDFS, OWL = PREFIXES["kg"], PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
SKOS, QB, XSD, SCHEMA = PREFIXES["skos"], PREFIXES["qb"], PREFIXES["xsd"], PREFIXES["schema"]
RDF_TYPE = ox.NamedNode(RDF + "type")
SDMX_TERMS = {PREFIXES["sdmx-dimension"] + "refArea", PREFIXES["sdmx-dimension"] + "refPeriod",
              PREFIXES["sdmx-measure"] + "obsValue", PREFIXES["sdmx-attribute"] + "unitMeasure"}
DECLARING_TYPES = {OWL + "Class", RDFS + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                   OWL + "AnnotationProperty", RDF + "Property", QB + "DimensionProperty",
                   QB + "AttributeProperty", QB + "MeasureProperty", QB + "DataSet",
                   QB + "DataStructureDefinition"}


def standard_term(iri: str) -> bool:
    """Whether ``iri`` is a term of a standard vocabulary (rdflib's closed term lists)."""
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SDO, SKOS, TIME

    if iri in SDMX_TERMS:
        return True
    if iri.startswith(SCHEMA):  # rdflib's schema.org list is under https://
        return hasattr(SDO, iri[len(SCHEMA):])
    for vocabulary in (RDF, RDFS, OWL, SKOS, DCTERMS, FOAF, ORG, PROV, QB, TIME):
        if iri.startswith(str(vocabulary._NS)):
            return URIRef(iri) in vocabulary
    return False


def vocabulary(shipped) -> set[ox.Triple]:
    return {q.triple for name in shipped.vocabulary_graphs() for q in shipped.quads(graph=name)}


def stated(shipped) -> list[ox.Quad]:
    """The statements of the source graphs."""
    return [q for name in shipped.source_graphs() for q in shipped.quads(graph=name)]


def declared_own_terms(shipped) -> set[str]:
    return {t.subject.value for t in vocabulary(shipped)
            if t.predicate == RDF_TYPE and t.object.value in DECLARING_TYPES
            and isinstance(t.subject, ox.NamedNode)}


def test_no_statement_of_data_outside_a_source_graph(project):
    for path in rdf_files(project.data_dir):
        outside = [q for q in quads_of(path) if not isinstance(q.graph_name, ox.NamedNode)]
        assert outside == [], path


def test_the_default_graph_holds_only_what_the_named_graphs_state(shipped):
    assert {q.triple for q in shipped.triples()} == {q.triple for q in shipped.quads()}


def test_every_graph_is_a_described_source_article(shipped):
    for name in shipped.source_graphs():
        graph = {q.triple for q in shipped.quads(graph=name)}
        assert ox.Triple(name, RDF_TYPE, ox.NamedNode(KG + "SourceArticle")) in graph, \
            f"{name} does not describe itself as kg:SourceArticle"
        about = {t.predicate.value: t.object for t in graph if t.subject == name}
        assert SCHEMA + "publisher" in about, f"{name} has no publisher"
        date = about.get(KG + "statedDate")
        assert isinstance(date, ox.Literal) and date.datatype.value == XSD + "date", \
            f"{name} has no kg:statedDate"
        stem = name.value.rsplit("/", 1)[-1]
        origin = shipped.origin(name)
        assert origin is not None and origin.stem == stem, "the file is named after its source"


def test_every_class_and_property_is_declared_or_standard(shipped):
    own = declared_own_terms(shipped)
    used: set[str] = set()
    for quad in stated(shipped):
        used.add(quad.predicate.value)
        if quad.predicate == RDF_TYPE:
            used.add(quad.object.value)
    undeclared = sorted(t for t in used if not (t in own if t.startswith(KG) else standard_term(t)))
    assert undeclared == []


def test_every_own_term_has_labels_in_both_languages_and_a_definition(shipped):
    triples = vocabulary(shipped)
    for term in declared_own_terms(shipped):
        if not term.startswith(KG):
            continue
        about = [t for t in triples if t.subject.value == term]
        languages = {t.object.language for t in about if t.predicate.value == RDFS + "label"}
        assert {"id", "en"} <= languages, f"{term} lacks an rdfs:label in id or en"
        assert any(t.predicate.value == SKOS + "definition" for t in about), \
            f"{term} has no skos:definition"


@pytest.mark.parametrize("code_list", CODE_LISTS)
def test_codes_used_in_data_are_concepts_of_their_list(shipped, code_list):
    namespace = PREFIXES[code_list]
    scheme = ox.NamedNode(namespace.rstrip("/"))
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    used = {q.object for q in stated(shipped)
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(namespace)}
    triples = vocabulary(shipped)
    unknown = sorted(c.value for c in used if ox.Triple(c, in_scheme, scheme) not in triples)
    assert unknown == []


def test_the_vocabulary_graphs_are_named_by_their_ontology(shipped):
    ontology = ox.NamedNode(OWL + "Ontology")
    for name in shipped.vocabulary_graphs():
        assert ox.Quad(name, RDF_TYPE, ontology, name) in set(shipped.quads(graph=name))
    assert [g.value for g in shipped.vocabulary_graphs()] == [PREFIXES["code"], PREFIXES["kg"]]

"""The guards (kg.guards, kg add --amend): issue 10's holes, each with a test named after it.

- a statement's ``dct:source`` must be the graph it lives in;
- every class and predicate must be declared in ``ontology/`` or be a term of a
  standard vocabulary the ontology reuses (``kg:reusesVocabulary``);
- statements into an existing source's graph need ``kg add --amend STEM``.

Every test that writes works on ``project_copy``: the real data/ is never touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.add import add
from kg.errors import InputError, ProvenanceError
from kg.graph import load_store
from kg.guards import STANDARD_TERMS, Terms, graph_results, rdflib_terms
from kg.parse import rdf_files
from kg.prefixes import OWN_PREFIXES, PREFIXES

from conftest import FIXTURES
from test_add import snapshot

ADD = FIXTURES / "add"
SEED = "004_ceeb33199186a361"
SEED_FILE = f"data/{SEED}.trig"

PREFIX_LINES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
#: a new article's graph, described as kg add asks; ``{body}`` is more of its statements
ARTICLE = PREFIX_LINES + """
source:950_guard-test {
    source:950_guard-test a kg:SourceArticle ;
        dct:identifier "950_guard-test" ;
        schema:publisher body:iknbisnis ;
        kg:statedDate "2025-08-02"^^xsd:date ;
        schema:inLanguage "id" .
    body:iknbisnis a schema:NewsMediaOrganization ;
        skos:prefLabel "IKNBISNIS.COM"@id .
    facility:cold-storage-teritip--frozen a kg:StorageSection ;
        skos:prefLabel "Bagian pembekuan cold storage SIKT"@id .
{body}
}
"""


def article(tmp_path: Path, body: str, name: str = "950_guard-test.trig") -> Path:
    path = tmp_path / name
    path.write_text(ARTICLE.replace("{body}", body), encoding="utf-8")
    return path


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# ---------------------------------------------------------------------------- dct:source


def older_source_figure(tmp_path: Path) -> Path:
    """A new article's figure whose dct:source names an older article (issue 10's hole)."""
    text = (ADD / "new-article.trig").read_text(encoding="utf-8")
    wrong = text.replace("dct:source source:900_test-article .", f"dct:source source:{SEED} .")
    assert wrong != text
    path = tmp_path / "older-source.trig"
    path.write_text(wrong, encoding="utf-8")
    return path


def test_hole_figure_with_dct_source_of_an_older_article_is_refused_by_kg_add(
        kg, project_copy, tmp_path):
    path = older_source_figure(tmp_path)
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 1, run
    assert snapshot(project_copy.data_dir) == before
    line = line_of(path, f"dct:source source:{SEED}")
    problem = next(l for l in run.out.splitlines() if "has dct:source" in l)
    assert "obs:900-umkm-count-2024 has dct:source source:004_ceeb33199186a361" in problem
    assert "lives in the graph of source:900_test-article" in problem
    assert f"older-source.trig:{line}" in problem
    assert "new statement: obs:900-umkm-count-2024 dct:source source:004_ceeb33199186a361" \
        in run.out


def test_hole_figure_with_dct_source_of_an_older_article_fails_kg_validate(
        kg, project_copy, tmp_path):
    path = older_source_figure(tmp_path)
    run = kg("--root", project_copy.root, "validate", path)
    assert run.code == 1, run
    assert "has dct:source source:004_ceeb33199186a361" in run.out
    # the same statement in data/ itself
    target = project_copy.data_dir / path.name
    target.write_bytes(path.read_bytes())
    run = kg("--root", project_copy.root, "validate")
    assert run.code == 1, run
    assert f"data/older-source.trig:{line_of(path, 'dct:source source:004')}" in run.out


def test_dct_source_of_its_own_graph_is_accepted(kg, project_copy):
    assert kg("--root", project_copy.root, "add", ADD / "new-article.trig").code == 0


# ---------------------------------------------------------------------------- declared terms


def test_hole_made_up_predicate_is_refused_by_kg_add_and_kg_validate(kg, project_copy, tmp_path):
    """kg:temperatureCelsius passed `kg validate --strict`: nothing checked terms."""
    path = article(tmp_path, "    facility:cold-storage-teritip--frozen kg:temperatureCelsius -18 .")
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 1, run
    assert snapshot(project_copy.data_dir) == before
    line = line_of(path, "kg:temperatureCelsius")
    assert f"kg:temperatureCelsius is not declared in ontology/ (used as a property in " \
           f"{path.name}:{line})" in run.out
    assert "declare it in ontology/kg.ttl: kg:temperatureCelsius a owl:DatatypeProperty" in run.out
    for strict in ((), ("--strict",)):
        run = kg("--root", project_copy.root, "validate", *strict, path)
        assert run.code == 1, run
        assert "kg:temperatureCelsius is not declared in ontology/" in run.out


def test_hole_made_up_term_advice_declaring_it_in_ontology_is_accepted(kg, project_copy, tmp_path):
    """The advice, followed literally: declare the term in ontology/kg.ttl, add again."""
    path = article(tmp_path, "    facility:cold-storage-teritip--frozen kg:temperatureCelsius -18 .")
    assert kg("--root", project_copy.root, "add", path).code == 1
    with (project_copy.ontology_dir / "kg.ttl").open("a", encoding="utf-8") as ontology:
        ontology.write('\nkg:temperatureCelsius a owl:DatatypeProperty ;\n'
                       '    rdfs:label "suhu (°C)"@id , "temperature (°C)"@en ;\n'
                       '    skos:definition "The temperature a section keeps, in degrees '
                       'Celsius."@en .\n')
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 0, run
    assert kg("--root", project_copy.root, "validate").code == 0


def test_hole_made_up_term_of_a_standard_vocabulary_is_refused(kg, project_copy, tmp_path):
    path = article(tmp_path, "    facility:cold-storage-teritip--frozen schema:temperatureCelsius -18 .")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 1, run
    assert "schema:temperatureCelsius is not a term of the vocabulary http://schema.org/" in run.out
    assert "declare it in ontology/kg.ttl: kg:temperatureCelsius a owl:DatatypeProperty" in run.out


def test_hole_unknown_class_is_refused_and_the_nearest_declared_one_suggested(
        kg, project_copy, tmp_path):
    path = article(tmp_path, "    facility:cold-storage-teritip a kg:ColdStorag ;\n"
                             "        kg:statedDat \"2025-08-02\"^^xsd:date .")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 1, run
    assert "kg:ColdStorag is not declared in ontology/ (used as a class" in run.out
    assert "Did you mean kg:ColdStorage?" in run.out
    assert "Did you mean kg:statedDate?" in run.out


def test_every_kg_term_used_in_the_shipped_data_is_declared(shipped):
    terms = Terms.of(shipped.store)
    used = set()
    for graph in shipped.source_graphs():
        for quad in shipped.quads(graph=graph):
            used.add(quad.predicate.value)
            if quad.predicate.value == PREFIXES["rdf"] + "type":
                used.add(quad.object.value)
    own = {t for t in used if t.startswith(OWN_PREFIXES["kg"])}
    assert own and own <= set(terms.declared)
    assert all(terms.known(t) for t in used)
    assert graph_results(shipped) == []


def test_standard_term_lists_are_rdflib_s(tmp_path):
    """standard_terms.json holds rdflib's DefinedNamespace lists (remade by rdflib_terms)."""
    packaged = json.loads(STANDARD_TERMS.read_text(encoding="utf-8"))
    for namespace, terms in rdflib_terms().items():
        assert packaged[namespace]["terms"] == terms, (
            f"{namespace}: rdflib's list changed; rewrite its entry of {STANDARD_TERMS.name} "
            "from kg.guards.rdflib_terms()")
    assert "obsValue" in packaged[PREFIXES["sdmx-measure"]]["terms"]
    assert {"refArea", "refPeriod"} <= set(packaged[PREFIXES["sdmx-dimension"]]["terms"])
    assert "unitMeasure" in packaged[PREFIXES["sdmx-attribute"]]["terms"]


def test_the_reused_vocabularies_are_those_the_ontology_names(kg, project_copy, tmp_path):
    """Which standard vocabularies count is data (kg:reusesVocabulary in ontology/kg.ttl)."""
    kg_ttl = project_copy.ontology_dir / "kg.ttl"
    text = kg_ttl.read_text(encoding="utf-8")
    assert "<http://xmlns.com/foaf/0.1/> ," in text
    kg_ttl.write_text(text.replace("<http://xmlns.com/foaf/0.1/> ,", ""), encoding="utf-8")
    run = kg("--root", project_copy.root, "validate")
    assert run.code == 1, run
    assert "foaf:Person is not declared in ontology/" in run.out


# ---------------------------------------------------------------------------- --amend


def alias_file(tmp_path: Path, count: int = 1) -> Path:
    path = tmp_path / "alias.ttl"
    path.write_text("".join(
        f'<https://kg.example/id/person/yandri-rinaldi> '
        f'<http://www.w3.org/2004/02/skos/core#altLabel> "Yandri R{"." * (i + 1)}"@id .\n'
        for i in range(count)), encoding="utf-8")
    return path


def test_hole_statements_into_a_seed_article_graph_need_amend(kg, project_copy, tmp_path):
    """A file could append statements to a seed article's graph with no flag."""
    path = alias_file(tmp_path)
    before = snapshot(project_copy.data_dir)
    run = kg("--root", project_copy.root, "add", path, "--source", SEED)
    assert run.code == 2, run
    assert snapshot(project_copy.data_dir) == before
    assert f"source:{SEED} ({SEED_FILE}) would gain 1 statement(s)" in run.err
    assert f"give --amend {SEED}" in run.err
    # the advice, followed literally
    run = kg("--root", project_copy.root, "add", path, "--source", SEED, "--amend", SEED)
    assert run.code == 0, run
    assert f"amended source:{SEED}, which existed before: it gains" in run.out
    assert '+ person:yandri-rinaldi skos:altLabel "Yandri R."@id .' in run.out


def test_hole_a_trig_graph_of_a_seed_article_needs_amend(kg, project_copy, tmp_path):
    path = tmp_path / "into-seed.trig"
    path.write_text(PREFIX_LINES + f'source:{SEED} {{ person:yandri-rinaldi skos:altLabel '
                    '"Yandri R."@id . }\n', encoding="utf-8")
    run = kg("--root", project_copy.root, "add", path)
    assert run.code == 2 and f"--amend {SEED}" in run.err, run
    assert kg("--root", project_copy.root, "add", path, "--amend", SEED).code == 0


def test_amend_shows_what_changes_capped(kg, project_copy, tmp_path):
    path = alias_file(tmp_path, count=25)
    run = kg("--root", project_copy.root, "add", path, "--source", SEED, "--amend", SEED,
             "--dry-run")
    assert run.code == 0, run
    assert run.out.count("      + person:yandri-rinaldi skos:altLabel") == 20
    assert "... and 5 more" in run.out


def test_amend_of_a_source_that_does_not_exist_is_refused(kg, project_copy):
    run = kg("--root", project_copy.root, "add", ADD / "new-article.trig",
             "--amend", "999_no-such-article")
    assert run.code == 2, run
    assert "there is no source source:999_no-such-article to amend" in run.err


def test_a_new_article_and_adding_it_again_need_no_amend(kg, project_copy):
    assert kg("--root", project_copy.root, "add", ADD / "new-article.trig").code == 0
    again = kg("--root", project_copy.root, "add", ADD / "new-article.trig")
    assert again.code == 0, again
    assert again.out.startswith("nothing to add")


def test_amend_in_the_library(project_copy, tmp_path):
    from kg.add import SourceDescription

    path = alias_file(tmp_path)
    with pytest.raises(ProvenanceError, match=f"--amend {SEED}"):
        add([path], project=project_copy, source=SourceDescription(SEED))
    with pytest.raises(InputError, match="--amend"):
        add([path], project=project_copy, source=SourceDescription(SEED), amend="../x")
    result = add([path], project=project_copy, source=SourceDescription(SEED), amend=SEED)
    assert result.written and result.additions[0].amended


# ---------------------------------------------------------------------------- with a store


def test_guards_hold_with_a_store(kg, project_copy, tmp_path):
    store = tmp_path / "store"
    load_store(store, rdf_files(project_copy.data_dir), project=project_copy)
    run = kg("--root", project_copy.root, "add", "--store", store, older_source_figure(tmp_path))
    assert run.code == 1 and "has dct:source source:004_ceeb33199186a361" in run.out, run
    made_up = article(tmp_path, "    facility:cold-storage-teritip--frozen kg:temperatureCelsius -18 .")
    run = kg("--root", project_copy.root, "add", "--store", store, made_up)
    assert run.code == 1 and f"load the store again (kg load --store {store})" in run.out, run
    run = kg("--root", project_copy.root, "add", "--store", store, alias_file(tmp_path),
             "--source", SEED)
    assert run.code == 2 and f"--amend {SEED}" in run.err, run

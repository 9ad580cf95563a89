"""The fast engine reports what pySHACL reports, and refuses what it cannot check.

pySHACL is the reference. For the shipped data, every fixture of the shapes
(invalid ones on their own, valid ones with the shipped data, as
``tests/test_shapes.py`` validates them), every ``kg add`` fixture that
parses (the broken ones on their own), and a shapes graph using every
feature the engine implements beyond ``shapes/`` (``tests/fixtures/fastshacl/``),
both engines must give the same results: severity, focus node, path, value,
shape, constraint component, message and sources, as many times each.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.errors import KGError
from kg.fastshacl import FastValidator, ValidationStore, to_ox, validate_fast
from kg.load import KnowledgeGraph, Project, load_graph, new_dataset, parse_into
from kg.validate import ValidationReport, ValidationResult, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FEATURES = FIXTURES / "fastshacl"


def _parses(path: Path) -> bool:
    try:
        parse_into(new_dataset(), path)
    except Exception:
        return False
    return True


#: (case id, files, with the shipped data?)
CASES = [("shipped", (), True)]
CASES += [(f"invalid/{p.stem}", (p,), False) for p in sorted((FIXTURES / "invalid").glob("*.trig"))]
CASES += [(f"valid/{p.stem}", (p,), True) for p in sorted((FIXTURES / "valid").glob("*.trig"))]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)  # rdflib logs each ill-typed literal it meets
    # the broken additions test literals and IRIs: on their own; the good ones with the data
    CASES += [(f"add/{p.name}", (p,), not p.name.startswith("bad-"))
              for p in sorted((FIXTURES / "add").iterdir()) if p.is_file() and _parses(p)]
    logging.disable(logging.NOTSET)


def key(result: ValidationResult) -> tuple[object, ...]:
    """Everything but the focus node's label (an arbitrary pick when it has two @id labels)."""
    return (result.severity, result.focus, result.path, result.value, result.shape,
            result.constraint, result.message, result.sources)


def results(report: ValidationReport) -> Counter[tuple[object, ...]]:
    return Counter(key(r) for r in report.results)


def graph_of(project: Project, files: tuple[Path, ...], shipped: bool) -> KnowledgeGraph:
    graph = load_graph(project) if shipped else KnowledgeGraph(new_dataset())
    for path in files:
        for name in parse_into(graph.dataset, path):
            graph.origins.setdefault(name, path)
    return graph


@pytest.fixture(scope="module")
def features() -> tuple[KnowledgeGraph, Graph]:
    graph = graph_of(Project(ROOT), (FEATURES / "features-data.trig",), False)
    return graph, Graph().parse(FEATURES / "features-shapes.ttl")


# ---------------------------------------------------------------------------
# the same results as pySHACL
# ---------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("files", "shipped"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_results_as_pyshacl(project, shapes, ontology, files, shipped):  # type: ignore[no-untyped-def]
    graph = graph_of(project, files, shipped)
    reference = validate(graph, shapes, ontology, engine="pyshacl")
    fast = validate(graph, shapes, ontology, engine="fast")
    assert results(fast) == results(reference)
    assert fast.conforms == reference.conforms


def test_the_cases_cover_every_fixture():  # type: ignore[no-untyped-def]
    assert len([c for c in CASES if c[0].startswith("invalid/")]) > 100
    assert [c for c in CASES if c[0].startswith("valid/")]


def test_same_results_on_every_feature_the_engine_implements(features):  # type: ignore[no-untyped-def]
    graph, shapes = features
    reference = validate(graph, shapes, Graph(), engine="pyshacl")
    fast = validate(graph, shapes, Graph(), engine="fast")
    assert len(reference.results) > 25
    assert results(fast) == results(reference)
    components = {r.constraint for r in fast.results}
    for component in ("And", "Not", "Xone", "Pattern", "HasValue", "QualifiedMaxCount",
                      "QualifiedMinCount", "UniqueLang", "LanguageIn", "SPARQL", "Class", "In"):
        assert f"sh:{component}ConstraintComponent" in components


def test_a_store_rewriting_a_literal_does_not_change_the_verdict(features):  # type: ignore[no-untyped-def]
    """Regression: pyoxigraph reads "2"^^xsd:positiveInteger back as "2"^^xsd:integer."""
    graph, shapes = features
    store = ValidationStore.from_graph(graph)
    assert len(store.lexical) > 0
    report = validate_fast(store, shapes)
    about_a = {(r.path, r.value) for r in report.results if r.focus.endswith("/a")}
    assert ("ex:rank", '"2"^^xsd:positiveInteger') not in about_a   # as stated: fine
    assert ("ex:count", '"5"^^xsd:integer') in about_a             # not an xsd:int
    assert ("ex:count", '"5"^^xsd:int') not in about_a


def test_a_store_keeps_the_datatype_of_every_literal_of_the_shipped_data(shipped):  # type: ignore[no-untyped-def]
    """The model uses no datatype a store rewrites (kg:rank is xsd:integer, not positiveInteger).

    So validating what a store holds (``kg add --store``) reads what the files say.
    """
    typed = sorted({o for _, _, o, _ in shipped.dataset.quads((None, None, None, None))
                    if isinstance(o, Literal) and o.datatype is not None}, key=repr)
    assert len(typed) > 20
    scratch = ox.Store()
    said = ox.NamedNode("urn:test:said")
    scratch.extend(ox.Quad(ox.NamedNode(f"urn:test:{i}"), said, to_ox(lit))
                   for i, lit in enumerate(typed))
    held = {int(q.subject.value.rsplit(":", 1)[1]): q.object.datatype.value for q in scratch}
    assert [lit for i, lit in enumerate(typed) if held[i] != str(lit.datatype)] == []


# ---------------------------------------------------------------------------
# focus nodes: what kg add validates
# ---------------------------------------------------------------------------

FOCUS_CASES = ["invalid/MembershipShape-organizationMatchesPost", "invalid/NoBlankNodeShape",
               "invalid/FacilityShape-partsAddUp", "invalid/SectorFindingShape-rank",
               "invalid/ColdStorageShape-capacityUnit", "add/holding-overlap.trig"]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", FOCUS_CASES)
def test_focus_gives_the_full_results_about_those_nodes(project, shapes, ontology, case):  # type: ignore[no-untyped-def]
    _, files, shipped = next(c for c in CASES if c[0] == case)
    graph = graph_of(project, files, shipped)
    full = validate(graph, shapes, ontology, engine="pyshacl")
    assert full.results, "the case must have results to restrict"
    store = ValidationStore.from_graph(graph, ontology)
    subjects = sorted({s for s, _, _, _ in graph.dataset.quads((None, None, None, None))}, key=str)
    by_id = {str(s): s for s in subjects}
    focus = {by_id[r.focus] for r in full.results[:2] if r.focus in by_id} | set(subjects[:5])
    wanted = {str(n) for n in focus}
    fast = validate_fast(store, shapes, focus=focus)
    assert results(fast) == Counter(key(r) for r in full.results if r.focus in wanted)


def test_focus_on_the_features(features):  # type: ignore[no-untyped-def]
    graph, shapes = features
    full = validate(graph, shapes, Graph(), engine="pyshacl")
    for focus in ({URIRef("http://example.org/a")}, {URIRef("http://example.org/b"),
                                                      URIRef("http://example.org/absent")}):
        wanted = {str(n) for n in focus}
        fast = validate_fast(graph, shapes, focus=focus)
        assert results(fast) == Counter(key(r) for r in full.results if r.focus in wanted)


def test_an_addition_is_validated_where_it_lands(project, shapes, ontology):  # type: ignore[no-untyped-def]
    """kg add's use: a store of the shipped data, statements added, their nodes validated."""
    store = ValidationStore.from_graph(load_graph(project), ontology)
    validator = FastValidator(shapes)
    added = KnowledgeGraph(new_dataset())
    parse_into(added.dataset, FIXTURES / "invalid" / "ObservationShape-countIsWholeNumber.trig")
    triples = [(s, p, o) for s, p, o, _ in added.dataset.quads((None, None, None, None))]
    store.add(triples)
    focus = {s for s, _, _ in triples}
    report = validator.validate(store, focus=focus)
    assert not report.conforms
    assert {r.focus for r in report.results} <= {str(n) for n in focus}
    full = validator.validate(store)
    assert results(report) == Counter(key(r) for r in full.results
                                      if r.focus in {str(n) for n in focus})


# ---------------------------------------------------------------------------
# the stores it runs on
# ---------------------------------------------------------------------------

def test_a_store_read_from_files_gives_the_same_report(project, shapes, ontology):  # type: ignore[no-untyped-def]
    fixture = FIXTURES / "invalid" / "FacilityShape-partsAddUp.trig"
    from_graph = validate_fast(graph_of(project, (fixture,), False), shapes, ontology)
    store = ValidationStore.from_files([fixture], sorted((ROOT / "ontology").glob("*.ttl")))
    from_files = validate_fast(store, shapes)
    assert from_files.results and results(from_files) == results(from_graph)


def test_a_store_with_named_graphs_only_is_refused(shapes):  # type: ignore[no-untyped-def]
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("o"), ox.NamedNode("http://example.org/g")))
    with pytest.raises(KGError, match="default graph"):
        validate_fast(store, shapes)


def test_the_input_graph_is_not_changed(project, shapes, ontology):  # type: ignore[no-untyped-def]
    graph = load_graph(project)
    before = len(graph)
    validate_fast(graph, shapes, ontology)
    assert len(graph) == before


# ---------------------------------------------------------------------------
# what it does not implement, it refuses
# ---------------------------------------------------------------------------

SHAPES_PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""


@pytest.mark.parametrize(("shape", "named"), [
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minLength 3 ; "
     "sh:message 'm' ] .", "sh:minLength"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:message 'm' .", "sh:closed"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . "
     "ex:P sh:path ex:p ; sh:lessThan ex:q ; sh:message 'm' .", "sh:lessThan"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . "
     "ex:P sh:path ex:p ; sh:datatype ex:T .", "without sh:message"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . "
     "ex:P sh:path ex:p ; sh:node ex:N ; sh:message 'm' . "
     "ex:N sh:property [ sh:path ex:q ; sh:minCount 1 ] .", "used as a value test"),
    ("ex:S a sh:NodeShape ; sh:target [ a ex:Custom ] ; sh:class ex:C ; sh:message 'm' .",
     "sh:target"),
    ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:message 'm' ; "
     "sh:select 'SELECT ?x WHERE { $this ex:p ?x }' ] .", "does not SELECT $this"),
])
def test_an_unsupported_feature_is_refused_naming_the_shape(shape, named):  # type: ignore[no-untyped-def]
    shapes = Graph().parse(data=SHAPES_PREFIXES + shape, format="turtle")
    with pytest.raises(KGError, match=re.escape(named)) as refused:
        FastValidator(shapes)
    assert "ex:S" in str(refused.value) or "ex:P" in str(refused.value) \
        or "ex:N" in str(refused.value)
    assert "--engine pyshacl" in str(refused.value) or named == "sh:target"


def test_kg_validate_refuses_a_shape_it_cannot_check_and_pyshacl_runs_it(kg, project_copy):  # type: ignore[no-untyped-def]
    extra = project_copy.shapes_dir / "extra.ttl"
    extra.write_text(SHAPES_PREFIXES + """
ex:NameLength a sh:NodeShape ; sh:targetClass <http://xmlns.com/foaf/0.1/Person> ;
    sh:property [ sh:path <http://www.w3.org/2004/02/skos/core#prefLabel> ; sh:maxLength 200 ;
                  sh:message "names are short" ] .
""", encoding="utf-8")
    run = kg("--root", str(project_copy.root), "validate", "--engine", "fast")
    assert run.code == 2, run
    assert "sh:maxLength" in run.err and "--engine pyshacl" in run.err
    assert len(run.err.strip().splitlines()) == 1
    run = kg("--root", str(project_copy.root), "validate", "--engine", "pyshacl")
    assert run.code == 0, run


def test_both_engines_from_the_command_line(kg):  # type: ignore[no-untyped-def]
    fast = kg("validate", "--engine", "fast", "--format", "json",
              str(FIXTURES / "invalid" / "IntervalShape-endNotBeforeBeginning.trig"))
    reference = kg("validate", "--engine", "pyshacl", "--format", "json",
                   str(FIXTURES / "invalid" / "IntervalShape-endNotBeforeBeginning.trig"))
    assert fast.code == reference.code == 1
    drop = ("focus_label",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in json.loads(fast.out)["results"]] \
        == [{k: v for k, v in r.items() if k not in drop}
            for r in json.loads(reference.out)["results"]]


def test_an_unknown_engine_is_an_error(shipped, shapes, ontology):  # type: ignore[no-untyped-def]
    with pytest.raises(KGError, match="unknown validation engine"):
        validate(shipped, shapes, ontology, engine="rudof")

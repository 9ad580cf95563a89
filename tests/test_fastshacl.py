"""The fast engine reports what pySHACL reports, on the project's shapes and data.

pySHACL is the reference. For the shipped data, every fixture of the shapes
(invalid ones on their own, valid ones with the shipped data, as
``tests/test_shapes.py`` validates them), every ``kg add`` fixture that
kg's reader reads (the broken ones on their own), and a shapes graph using
SHACL features ``shapes/`` does not (``tests/fixtures/fastshacl/``), both
engines must give the same results: severity, focus node, path, value,
shape, constraint component, message and sources, as many times each.

The graphs are built as kg builds them (:func:`kg.graph.read_files`): each
data file's named graphs, the ontology and code lists in their vocabulary
graphs, all merged in the default graph. The ``kg add`` fixtures kg's reader
refuses are listed (:data:`UNREADABLE`), each with why: any other fixture that
stops parsing fails its case. A shape the fast engine cannot run goes to
pySHACL, with a warning (``test_a_shape_the_engine_cannot_run_goes_to_pyshacl``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import InputError, KGError
from kg.graph import KnowledgeGraph, read_files
from kg.parse import load_file, quads_of, rdf_files
from kg.report import ValidationReport, ValidationResult
from kg.shacl import Shapes
from kg.validate import validate, validate_graph

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FEATURES = FIXTURES / "fastshacl"
ONTOLOGY = rdf_files(ROOT / "ontology")
DATA = rdf_files(ROOT / "data")

#: The ``kg add`` fixtures kg's reader refuses, and what it says (their checks are
#: tests/test_untrusted.py's business): no graph to validate.
UNREADABLE = {
    "bad-binary.ttl": "is a binary file, not RDF text",
    "bad-iri-escaped-space.nq": "Invalid IRI code point",
    "bad-iri-with-space.trig": "Invalid IRI code point",
    "bad-latin1.ttl": "Invalid UTF-8",
    "bad-not-json.jsonld": "not JSON",
    "bad-remote-context-import.jsonld": "would have to be fetched",
    "bad-remote-context-in-graph.jsonld": "would have to be fetched",
    "bad-remote-context-nested.jsonld": "would have to be fetched",
    "bad-remote-context-scoped.jsonld": "would have to be fetched",
    "bad-remote-context-type-scoped.jsonld": "would have to be fetched",
    "bad-remote-context.jsonld": "would have to be fetched",
    "bad-syntax.trig": "syntax error",
    "bad-unknown-prefix.trig": "has not been declared",
    "bad-unknown-suffix.txt": "cannot tell the RDF format",
    "bad-utf16.nt": "is a binary file, not RDF text",
    # additions that use the project's prefixes undeclared, as kg add allows: the reader of
    # data/ files wants them declared (tests/test_authoring.py validates them through kg add)
    "capacity-parts-over-total.trig": "has not been declared",
    "share-over-100-percent.trig": "has not been declared",
}
ADD_FIXTURES = sorted((FIXTURES / "add").iterdir())


def build(files: tuple[Path, ...], shipped: bool, vocabulary: bool = True) -> KnowledgeGraph:
    """The data files (with the shipped data) and the ontology, as kg reads them."""
    return read_files([*(DATA if shipped else []), *files], ONTOLOGY if vocabulary else [])


#: (case id, files, with the shipped data?); listing the files parses nothing
CASES = [("shipped", (), True)]
CASES += [(f"invalid/{p.stem}", (p,), False) for p in sorted((FIXTURES / "invalid").glob("*.trig"))]
CASES += [(f"valid/{p.stem}", (p,), True) for p in sorted((FIXTURES / "valid").glob("*.trig"))]
# the broken additions test literals and IRIs: on their own; the good ones with the data
CASES += [(f"add/{p.name}", (p,), not p.name.startswith("bad-"))
          for p in ADD_FIXTURES if p.name not in UNREADABLE]


def key(result: ValidationResult) -> tuple[object, ...]:
    """Everything but the focus node's label (an arbitrary pick when it has two @id labels)."""
    return (result.severity, result.focus, result.path, result.value, result.shape,
            result.constraint, result.message, result.sources)


def results(report: ValidationReport) -> Counter[tuple[object, ...]]:
    return Counter(key(r) for r in report.results)


@pytest.fixture(scope="module")
def features() -> tuple[KnowledgeGraph, Shapes]:
    graph = build((FEATURES / "features-data.trig",), False, vocabulary=False)
    return graph, Shapes.from_files([FEATURES / "features-shapes.ttl"])


# ---------------------------------------------------------------------------
# the same results as pySHACL
# ---------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("files", "shipped"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_results_as_pyshacl(shapes, files, shipped):  # type: ignore[no-untyped-def]
    graph = build(files, shipped)
    reference = validate_graph(graph, shapes, engine="pyshacl")
    fast = validate_graph(graph, shapes, engine="fast")
    assert fast.warnings == ()
    assert results(fast) == results(reference)
    assert fast.conforms == reference.conforms


def test_the_cases_cover_every_fixture():  # type: ignore[no-untyped-def]
    ids = {c[0] for c in CASES}
    assert len([i for i in ids if i.startswith("invalid/")]) > 100
    assert [i for i in ids if i.startswith("valid/")]
    assert {"add/good-article.jsonld", "add/new-article.trig", "add/bad-ill-typed-date.trig"} <= ids
    # every kg add fixture is a case or listed as unreadable, and every listed one exists
    assert {p.name for p in ADD_FIXTURES} == {i[len("add/"):] for i in ids
                                             if i.startswith("add/")} | set(UNREADABLE)


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_unreadable_add_fixture_is_refused_by_the_reader(name):  # type: ignore[no-untyped-def]
    """What keeps it out of the cases: if kg's reader read it, it would be validated there."""
    with pytest.raises(InputError, match=UNREADABLE[name]):
        build((FIXTURES / "add" / name,), False, vocabulary=False)


def test_same_results_on_the_features(features):  # type: ignore[no-untyped-def]
    graph, shapes = features
    reference = validate_graph(graph, shapes, engine="pyshacl")
    fast = validate_graph(graph, shapes, engine="fast")
    assert len(reference.results) > 25
    assert fast.warnings == ()
    assert results(fast) == results(reference)
    components = {r.constraint for r in fast.results}
    for component in ("And", "Not", "Xone", "Pattern", "HasValue", "QualifiedMaxCount",
                      "QualifiedMinCount", "UniqueLang", "LanguageIn", "SPARQL", "Class", "In"):
        assert f"sh:{component}ConstraintComponent" in components


def test_the_store_is_the_data(features):  # type: ignore[no-untyped-def]
    """pyoxigraph holds "2"^^xsd:positiveInteger as "2"^^xsd:integer and "5"^^xsd:int as
    "5"^^xsd:integer: both engines judge the literals the store holds, the same way."""
    graph, shapes = features
    for engine in ("fast", "pyshacl"):
        report = validate_graph(graph, shapes, engine=engine)
        about_a = {(r.path, r.value) for r in report.results if r.focus.endswith("/a")}
        assert ("<http://example.org/rank>", '"2"^^xsd:integer') in about_a  # no positiveInteger
        assert ("<http://example.org/count>", '"5"^^xsd:integer') in about_a  # no xsd:int


def test_a_store_keeps_the_datatype_of_every_literal_of_the_shipped_data():  # type: ignore[no-untyped-def]
    """The model uses no datatype a store rewrites (kg:rank is xsd:integer, not positiveInteger):
    a literal of the files is read by validation with the datatype the files state (its text
    may be canonical: 2.0 reads as 2)."""
    stated = {q.object for path in DATA for q in quads_of(path)
              if isinstance(q.object, ox.Literal) and q.object.datatype.value.endswith(
                  ("integer", "decimal", "date", "gYear", "boolean", "double"))}
    assert len(stated) > 20
    store = ox.Store()
    said = ox.NamedNode("urn:test:said")
    typed = sorted(stated, key=str)
    store.extend(ox.Quad(ox.NamedNode(f"urn:test:{i}"), said, lit) for i, lit in enumerate(typed))
    held = {int(q.subject.value.rsplit(":", 1)[1]): q.object for q in store}
    assert [lit for i, lit in enumerate(typed) if held[i].datatype != lit.datatype] == []


# ---------------------------------------------------------------------------
# focus nodes: what kg add validates
# ---------------------------------------------------------------------------

FOCUS_CASES = ["invalid/MembershipShape-organizationMatchesPost", "invalid/NoBlankNodeShape",
               "invalid/FacilityShape-partsAddUp", "invalid/SectorFindingShape-rank",
               "invalid/ColdStorageShape-capacityUnit", "add/holding-overlap.trig"]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("case", FOCUS_CASES)
def test_focus_gives_the_full_results_about_those_nodes(shapes, case):  # type: ignore[no-untyped-def]
    _, files, shipped = next(c for c in CASES if c[0] == case)
    graph = build(files, shipped)
    full = validate_graph(graph, shapes, engine="pyshacl")
    assert full.results, "the case must have results to restrict"
    subjects = sorted({q.subject for q in graph.quads()}, key=str)
    by_id = {s.value: s for s in subjects}
    focus = {by_id[r.focus] for r in full.results[:2] if r.focus in by_id} | set(subjects[:5])
    wanted = {n.value for n in focus}
    for engine in ("fast", "pyshacl"):
        restricted = validate_graph(graph, shapes, focus=focus, engine=engine)
        assert results(restricted) == Counter(key(r) for r in full.results if r.focus in wanted)


def test_focus_on_the_features(features):  # type: ignore[no-untyped-def]
    graph, shapes = features
    full = validate_graph(graph, shapes, engine="pyshacl")
    blank = next(q.subject for q in graph.quads() if isinstance(q.subject, ox.BlankNode))
    for focus in ({ox.NamedNode("http://example.org/a")},
                  {ox.NamedNode("http://example.org/b"), ox.NamedNode("http://example.org/absent")},
                  {blank, ox.NamedNode("http://example.org/forbidden")}):
        wanted = {n.value for n in focus}
        fast = validate_graph(graph, shapes, focus=focus)
        expected = Counter(key(r) for r in full.results if r.focus in wanted)
        assert expected, f"no result about {wanted} to compare"
        assert results(fast) == expected


def test_an_addition_is_validated_where_it_lands(shapes):  # type: ignore[no-untyped-def]
    """kg add's use: the shipped graph, statements added, their nodes validated."""
    graph = build((), True)
    added = list(quads_of(FIXTURES / "invalid" / "ObservationShape-countIsWholeNumber.trig"))
    graph.add(added)
    focus = {q.subject for q in added}
    report = validate_graph(graph, shapes, focus=focus)
    assert not report.conforms
    assert {r.focus for r in report.results} <= {n.value for n in focus}
    full = validate_graph(graph, shapes)
    assert results(report) == Counter(key(r) for r in full.results
                                      if r.focus in {n.value for n in focus})


def test_a_store_with_its_data_in_named_graphs_only_is_warned_of(shapes):  # type: ignore[no-untyped-def]
    store = ox.Store()
    load_file(store, FIXTURES / "invalid" / "FacilityShape-partsAddUp.trig")
    report = validate(store, shapes)
    assert report.conforms and not report.results  # the default graph is empty ...
    assert report.warnings and "default graph is empty" in report.warnings[0]  # ... and said so


def test_the_store_is_not_changed(shapes):  # type: ignore[no-untyped-def]
    graph = build((FIXTURES / "invalid" / "FacilityShape-partsAddUp.trig",), False)
    before = set(graph.store)
    for engine in ("fast", "pyshacl"):
        assert not validate_graph(graph, shapes, engine=engine).conforms
    assert set(graph.store) == before


# ---------------------------------------------------------------------------
# what the engine does not run, pySHACL runs
# ---------------------------------------------------------------------------

ADVANCED_TARGET = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:Named a sh:NodeShape ;
    sh:target [ a sh:SPARQLTarget ;
                sh:select "SELECT ?this WHERE { ?this <http://example.org/tagParent> ?p }" ] ;
    sh:property [ sh:path ex:label ; sh:minCount 1 ; sh:message "a child needs a label" ] .
ex:Ranked a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:rank ; sh:maxCount 1 ; sh:message "one rank" ] .
"""


def test_a_shape_the_engine_cannot_run_goes_to_pyshacl(features):  # type: ignore[no-untyped-def]
    """A SHACL-AF SPARQL target: the fast engine runs ex:Ranked, pySHACL ex:Named, with a warning."""
    graph, _ = features
    shapes = Shapes.from_text(ADVANCED_TARGET)
    fast = validate_graph(graph, shapes)
    assert len(fast.warnings) == 1
    assert "shape <http://example.org/Named> was validated by pySHACL" in fast.warnings[0]
    assert "sh:target" in fast.warnings[0]
    reference = validate_graph(graph, shapes, engine="pyshacl")
    assert results(fast) == results(reference)
    assert {r.message for r in fast.results} == {"a child needs a label", "one rank"}


def test_kg_validate_warns_of_the_fallback_on_stderr(kg, tmp_path):  # type: ignore[no-untyped-def]
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(ADVANCED_TARGET, encoding="utf-8")
    run = kg("validate", "--shapes", shapes, FEATURES / "features-data.trig")
    assert run.code == 1, run
    assert run.err.startswith("kg: warning: shape <http://example.org/Named> was validated by "
                              "pySHACL"), run
    assert "a child needs a label" in run.out and "one rank" in run.out


# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------

def test_both_engines_from_the_command_line(kg):  # type: ignore[no-untyped-def]
    fixture = FIXTURES / "invalid" / "IntervalShape-endNotBeforeBeginning.trig"
    fast = kg("validate", "--engine", "fast", "--format", "json", fixture)
    reference = kg("validate", "--engine", "pyshacl", "--format", "json", fixture)
    assert fast.code == reference.code == 1
    drop = ("focus_label",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in json.loads(fast.out)["results"]] \
        == [{k: v for k, v in r.items() if k not in drop}
            for r in json.loads(reference.out)["results"]]


def test_kg_validate_with_shapes_validates_any_files(kg):  # type: ignore[no-untyped-def]
    """As pySHACL's command line: these shapes, these data files, nothing of the project."""
    run = kg("validate", "--shapes", FEATURES / "features-shapes.ttl", "--format", "json",
             FEATURES / "features-data.trig")
    assert run.code == 1, run
    report = json.loads(run.out)
    assert report["counts"]["Violation"] > 10
    stated = [r for r in report["results"] if r["focus"].startswith("http://example.org/")
              and r["focus"] != "http://example.org/absent"]   # a target node not in the data
    assert stated and all(len(r["sources"]) == 1 and r["sources"][0].startswith(
        "http://example.org/g1 (") and r["sources"][0].endswith("features-data.trig)")
        for r in stated)


def test_kg_validate_with_shapes_needs_data_files(kg):  # type: ignore[no-untyped-def]
    run = kg("validate", "--shapes", FEATURES / "features-shapes.ttl")
    assert run.code == 2
    assert "needs the data files" in run.err


def test_an_unknown_engine_is_an_error(shapes):  # type: ignore[no-untyped-def]
    with pytest.raises(KGError, match="unknown validation engine"):
        validate(ox.Store(), shapes, engine="rudof")

"""The fast engine reports what pySHACL reports, on the project's shapes and data.

pySHACL is the reference. For the shipped data, every fixture of the shapes
(invalid ones on their own, valid ones with the shipped data, as
``tests/test_shapes.py`` validates them), every ``kg add`` fixture that
pyoxigraph reads (the broken ones on their own), and a shapes graph using
SHACL features ``shapes/`` does not (``tests/fixtures/fastshacl/``), both
engines must give the same results: severity, focus node, path, value,
shape, constraint component, message and sources, as many times each.

The stores are built as kg builds them: each data file's named graphs, their
merge in the default graph, the ontology and code lists in the default graph.
A shape the fast engine cannot run goes to pySHACL, with a warning
(``test_a_shape_the_engine_cannot_run_goes_to_pyshacl``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import KGError
from kg.load import resolve_jsonld_contexts
from kg.report import ValidationReport, ValidationResult
from kg.shacl import Shapes
from kg.validate import StoreProvenance, validate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FEATURES = FIXTURES / "fastshacl"
ONTOLOGY = sorted((ROOT / "ontology").glob("*.ttl"))
DATA = sorted((ROOT / "data").glob("*.trig"))
_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nt": ox.RdfFormat.N_TRIPLES,
            ".nq": ox.RdfFormat.N_QUADS, ".jsonld": ox.RdfFormat.JSON_LD}


def load(store: ox.Store, path: Path) -> None:
    """One file into ``store`` as kg reads it (JSON-LD with the shipped context inlined)."""
    base = path.resolve().as_uri()
    if path.suffix == ".jsonld":
        text = json.dumps(resolve_jsonld_contexts(path, path.read_text(encoding="utf-8")))
        store.load(text.encode("utf-8"), ox.RdfFormat.JSON_LD, base_iri=base)
    else:
        store.load(path=str(path), format=_FORMATS[path.suffix], base_iri=base)


def build(files: tuple[Path, ...], shipped: bool, ontology: bool = True
          ) -> tuple[ox.Store, StoreProvenance]:
    """Data files in their named graphs and merged in the default graph, with the ontology."""
    store = ox.Store()
    origins: dict[str, Path] = {}
    for path in [*(DATA if shipped else []), *files]:
        before = set(store.named_graphs())
        load(store, path)
        origins.update({g.value: path for g in set(store.named_graphs()) - before})
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    for path in ONTOLOGY if ontology else []:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                   to_graph=ox.DefaultGraph())
    return store, StoreProvenance(store, origins)


def _reads(path: Path) -> bool:
    try:
        load(ox.Store(), path)
    except Exception:
        return False
    return True


#: (case id, files, with the shipped data?)
CASES = [("shipped", (), True)]
CASES += [(f"invalid/{p.stem}", (p,), False) for p in sorted((FIXTURES / "invalid").glob("*.trig"))]
CASES += [(f"valid/{p.stem}", (p,), True) for p in sorted((FIXTURES / "valid").glob("*.trig"))]
# the broken additions test literals and IRIs: on their own; the good ones with the data
CASES += [(f"add/{p.name}", (p,), not p.name.startswith("bad-"))
          for p in sorted((FIXTURES / "add").iterdir())
          if p.suffix in _FORMATS and _reads(p)]


def key(result: ValidationResult) -> tuple[object, ...]:
    """Everything but the focus node's label (an arbitrary pick when it has two @id labels)."""
    return (result.severity, result.focus, result.path, result.value, result.shape,
            result.constraint, result.message, result.sources)


def results(report: ValidationReport) -> Counter[tuple[object, ...]]:
    return Counter(key(r) for r in report.results)


@pytest.fixture(scope="module")
def project_shapes() -> Shapes:
    return Shapes.from_files(sorted((ROOT / "shapes").glob("*.ttl")))


@pytest.fixture(scope="module")
def features() -> tuple[ox.Store, StoreProvenance, Shapes]:
    store, provenance = build((FEATURES / "features-data.trig",), False, ontology=False)
    return store, provenance, Shapes.from_files([FEATURES / "features-shapes.ttl"])


# ---------------------------------------------------------------------------
# the same results as pySHACL
# ---------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("files", "shipped"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_same_results_as_pyshacl(project_shapes, files, shipped):  # type: ignore[no-untyped-def]
    store, provenance = build(files, shipped)
    reference = validate(store, project_shapes, engine="pyshacl", provenance=provenance)
    fast = validate(store, project_shapes, engine="fast", provenance=provenance)
    assert fast.warnings == ()
    assert results(fast) == results(reference)
    assert fast.conforms == reference.conforms


def test_the_cases_cover_every_fixture():  # type: ignore[no-untyped-def]
    assert len([c for c in CASES if c[0].startswith("invalid/")]) > 100
    assert [c for c in CASES if c[0].startswith("valid/")]
    assert {"add/good-article.jsonld", "add/new-article.trig", "add/bad-ill-typed-date.trig"} \
        <= {c[0] for c in CASES}


def test_same_results_on_the_features(features):  # type: ignore[no-untyped-def]
    store, provenance, shapes = features
    reference = validate(store, shapes, engine="pyshacl", provenance=provenance)
    fast = validate(store, shapes, engine="fast", provenance=provenance)
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
    store, provenance, shapes = features
    for engine in ("fast", "pyshacl"):
        report = validate(store, shapes, engine=engine, provenance=provenance)
        about_a = {(r.path, r.value) for r in report.results if r.focus.endswith("/a")}
        assert ("<http://example.org/rank>", '"2"^^xsd:integer') in about_a  # no positiveInteger
        assert ("<http://example.org/count>", '"5"^^xsd:integer') in about_a  # no xsd:int


def test_a_store_keeps_the_datatype_of_every_literal_of_the_shipped_data():  # type: ignore[no-untyped-def]
    """The model uses no datatype a store rewrites (kg:rank is xsd:integer, not positiveInteger):
    a literal of the files is read by validation with the datatype the files state (its text
    may be canonical: 2.0 reads as 2)."""
    stated = {q.object for path in DATA for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
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
def test_focus_gives_the_full_results_about_those_nodes(project_shapes, case):  # type: ignore[no-untyped-def]
    _, files, shipped = next(c for c in CASES if c[0] == case)
    store, provenance = build(files, shipped)
    full = validate(store, project_shapes, engine="pyshacl", provenance=provenance)
    assert full.results, "the case must have results to restrict"
    subjects = sorted({q.subject for q in store.quads_for_pattern(None, None, None)
                       if not isinstance(q.graph_name, ox.DefaultGraph)}, key=str)
    by_id = {s.value: s for s in subjects}
    focus = {by_id[r.focus] for r in full.results[:2] if r.focus in by_id} | set(subjects[:5])
    wanted = {n.value for n in focus}
    for engine in ("fast", "pyshacl"):
        restricted = validate(store, project_shapes, focus=focus, engine=engine,
                              provenance=provenance)
        assert results(restricted) == Counter(key(r) for r in full.results if r.focus in wanted)


def test_focus_on_the_features(features):  # type: ignore[no-untyped-def]
    store, provenance, shapes = features
    full = validate(store, shapes, engine="pyshacl", provenance=provenance)
    blank = next(q.subject for q in store if isinstance(q.subject, ox.BlankNode))
    for focus in ({ox.NamedNode("http://example.org/a")},
                  {ox.NamedNode("http://example.org/b"), ox.NamedNode("http://example.org/absent")},
                  {blank, ox.NamedNode("http://example.org/forbidden")}):
        wanted = {n.value for n in focus}
        fast = validate(store, shapes, focus=focus, provenance=provenance)
        assert results(fast) == Counter(key(r) for r in full.results if r.focus in wanted)


def test_an_addition_is_validated_where_it_lands(project_shapes):  # type: ignore[no-untyped-def]
    """kg add's use: a store of the shipped data, statements added, their nodes validated."""
    store, provenance = build((), True)
    added = ox.Store()
    load(added, FIXTURES / "invalid" / "ObservationShape-countIsWholeNumber.trig")
    store.extend(added)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in added)
    focus = {q.subject for q in added}
    report = validate(store, project_shapes, focus=focus, provenance=provenance)
    assert not report.conforms
    assert {r.focus for r in report.results} <= {n.value for n in focus}
    full = validate(store, project_shapes, provenance=provenance)
    assert results(report) == Counter(key(r) for r in full.results
                                      if r.focus in {n.value for n in focus})


def test_a_store_with_its_data_in_named_graphs_only_is_warned_of(project_shapes):  # type: ignore[no-untyped-def]
    store = ox.Store()
    load(store, FIXTURES / "invalid" / "FacilityShape-partsAddUp.trig")
    report = validate(store, project_shapes)
    assert report.conforms and not report.results  # the default graph is empty ...
    assert report.warnings and "default graph is empty" in report.warnings[0]  # ... and said so


def test_the_store_is_not_changed(project_shapes):  # type: ignore[no-untyped-def]
    store, provenance = build((FIXTURES / "invalid" / "FacilityShape-partsAddUp.trig",), False)
    before = set(store)
    for engine in ("fast", "pyshacl"):
        assert not validate(store, project_shapes, engine=engine, provenance=provenance).conforms
    assert set(store) == before


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
    store, provenance, _ = features
    shapes = Shapes.from_text(ADVANCED_TARGET)
    fast = validate(store, shapes, provenance=provenance)
    assert len(fast.warnings) == 1
    assert "shape <http://example.org/Named> was validated by pySHACL" in fast.warnings[0]
    assert "sh:target" in fast.warnings[0]
    reference = validate(store, shapes, engine="pyshacl", provenance=provenance)
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


def test_an_unknown_engine_is_an_error(project_shapes):  # type: ignore[no-untyped-def]
    with pytest.raises(KGError, match="unknown validation engine"):
        validate(ox.Store(), project_shapes, engine="rudof")

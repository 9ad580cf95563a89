"""The SHACL shapes: every constraint fires on its broken example, and only there.

- ``tests/fixtures/invalid/<Constraint>[--<variant>].trig`` breaks exactly one
  constraint of ``shapes/kg-shapes.ttl`` (named by the file's stem before
  ``--``); ``<same>.expected`` holds a substring of that constraint's
  ``sh:message``. ``kg validate`` must exit 1 and every result it reports must
  carry that message: the rest of the fixture is valid.
- Every constraint (each property shape, each SPARQL constraint, each node
  shape with a constraint of its own) has a message and at least one such
  fixture, so a constraint added without a broken example fails the suite.
- ``tests/fixtures/valid/*.trig`` are additions to the shipped graph that must
  conform together with it; the shipped graph conforms on its own.

The invalid fixtures are validated in a project that holds only ontology/ and
shapes/ (no data/): they test the shapes, not the shipped data, and stay
independent of it. The valid fixtures are validated with the shipped data.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.load import Project, load_ontology, load_rdf, load_shapes
from kg.namespaces import KG, KGSH, PREFIXES

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "tests" / "fixtures" / "invalid"
VALID = ROOT / "tests" / "fixtures" / "valid"
INVALID_FIXTURES = sorted(INVALID.glob("*.trig"))
VALID_FIXTURES = sorted(VALID.glob("*.trig"))

#: Node-level constraint parameters: a targeted node shape that has one is a constraint itself.
NODE_PARAMETERS = {SH.nodeKind, SH["class"], SH.datatype, SH["in"], SH.pattern, SH["or"], SH["and"],
                   SH["not"], SH.xone, SH.node, SH.hasValue, SH.languageIn, SH.closed}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}

#: sh:in lists that deliberately take only part of a code list.
CODE_SUBSETS = {KGSH["ColdStorageShape-capacityUnit"], KGSH["StorageSectionShape-capacityUnit"]}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shapes_graph() -> Graph:
    return load_shapes(Project(ROOT))


@pytest.fixture(scope="module")
def vocabularies() -> Graph:
    return load_rdf([ROOT / "ontology" / "vocabularies.ttl"])


@pytest.fixture(scope="module")
def shapes_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the ontology and the shapes but no data."""
    root = tmp_path_factory.mktemp("shapes-only")
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    (root / "data").mkdir()
    return root


def constraints(shapes: Graph) -> dict[URIRef | BNode, str]:
    """Every constraint of the shapes -> its sh:message ("" when it has none)."""
    found: set[URIRef | BNode] = set()
    found.update(shapes.objects(None, SH.property))       # property shapes
    found.update(shapes.objects(None, SH.sparql))         # SPARQL constraints
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        has_target = any((shape, t, None) in shapes for t in TARGETS)
        if has_target and any((shape, p, None) in shapes for p in NODE_PARAMETERS):
            found.add(shape)                               # node-level constraint
    return {c: str(shapes.value(c, SH.message) or "") for c in found}  # type: ignore[misc]


def severity(shapes: Graph, constraint: URIRef) -> URIRef:
    """The severity of a constraint (a SPARQL constraint has its node shape's)."""
    holder = shapes.value(None, SH.sparql, constraint) or constraint
    return shapes.value(holder, SH.severity) or SH.Violation  # type: ignore[return-value]


def template_parts(message: str) -> list[str]:
    """The fixed text of a message, split at its {?var} / {$var} placeholders."""
    return re.split(r"\{[?$]\w+\}", " ".join(message.split()))


def fixture_constraint(path: Path) -> URIRef:
    return KGSH[path.stem.split("--")[0]]


def expected_of(path: Path) -> str:
    text = path.with_suffix(".expected").read_text(encoding="utf-8").strip()
    assert text and "\n" not in text, f"{path.with_suffix('.expected')} must hold one non-empty line"
    return text


def graph_name(path: Path) -> str:
    """The name of the one named graph a fixture holds."""
    names = re.findall(r"^source:(\S+)\s*\{", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(names) == 1, f"{path} must hold exactly one named graph"
    return PREFIXES["source"] + names[0]


# ---------------------------------------------------------------------------
# the broken examples
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", INVALID_FIXTURES, ids=lambda p: p.stem)
def test_invalid_fixture_fails_with_its_message(kg, shapes_only, shapes_graph, fixture):  # type: ignore[no-untyped-def]
    expected = expected_of(fixture)
    strict = severity(shapes_graph, fixture_constraint(fixture)) != SH.Violation
    argv = ["--root", str(shapes_only), "validate", "--format", "json", str(fixture)]
    run = kg(*argv, *(["--strict"] if strict else []))
    assert run.code == 1, run
    report = json.loads(run.out)
    messages = [r["message"] for r in report["results"]]
    assert messages, "no result at all"
    assert any(expected in m for m in messages), f"expected {expected!r} among {messages}"
    others = [m for m in messages if expected not in m]
    assert not others, f"the fixture breaks more than its one constraint: {others}"
    name = graph_name(fixture)
    assert all(any(s.startswith(name) for s in r["sources"]) for r in report["results"]), \
        "every result must be traced to the fixture's graph"


def test_invalid_fixture_text_report_names_the_problem(kg, shapes_only):  # type: ignore[no-untyped-def]
    """The plain-text report a maintainer reads carries the message and the file."""
    fixture = INVALID / "FacilityShape-partsAddUp.trig"
    run = kg("--root", str(shapes_only), "validate", str(fixture))
    assert run.code == 1, run
    assert expected_of(fixture) in run.out
    assert "FacilityShape-partsAddUp.trig" in run.out
    assert "1 violation(s)" in run.out


def test_every_constraint_has_an_iri_and_a_message(shapes_graph):  # type: ignore[no-untyped-def]
    found = constraints(shapes_graph)
    assert len(found) > 100
    anonymous = [c for c in found if not isinstance(c, URIRef)]
    assert anonymous == [], "give every shape and constraint an IRI"
    silent = sorted(str(c) for c, message in found.items() if not message.strip())
    assert silent == [], "every constraint needs an sh:message"
    for c, message in found.items():
        assert (c, SH.message, None) in shapes_graph
        lang = shapes_graph.value(c, SH.message).language  # type: ignore[union-attr]
        assert lang in (None, "en"), f"{c}: messages are in English"


def test_every_constraint_has_a_broken_example(shapes_graph):  # type: ignore[no-untyped-def]
    found = constraints(shapes_graph)
    by_constraint: dict[URIRef, list[Path]] = {}
    for fixture in INVALID_FIXTURES:
        by_constraint.setdefault(fixture_constraint(fixture), []).append(fixture)
    missing = []
    for constraint, message in found.items():
        examples = [f for f in by_constraint.get(constraint, [])  # type: ignore[call-overload]
                    if any(expected_of(f) in part for part in template_parts(message))]
        if not examples:
            missing.append(str(constraint).replace(str(KGSH), "kgsh:"))
    assert sorted(missing) == [], "add tests/fixtures/invalid/<Constraint>.trig and .expected"


def test_every_broken_example_names_a_constraint_and_matches_only_it(shapes_graph):  # type: ignore[no-untyped-def]
    found = constraints(shapes_graph)
    for fixture in INVALID_FIXTURES:
        constraint = fixture_constraint(fixture)
        assert constraint in found, f"{fixture.name}: no constraint kgsh:{fixture.stem.split('--')[0]}"
        expected = expected_of(fixture)
        matching = [c for c, m in found.items() if any(expected in p for p in template_parts(m))]
        assert matching == [constraint], \
            f"{fixture.name}: {expected!r} must match its constraint's message and no other"


# ---------------------------------------------------------------------------
# what must conform
# ---------------------------------------------------------------------------

def test_shipped_data_validates(kg):  # type: ignore[no-untyped-def]
    run = kg("validate")
    assert run.code == 0, run


@pytest.mark.parametrize("fixture", VALID_FIXTURES, ids=lambda p: p.stem)
def test_valid_fixture_conforms_with_the_shipped_data(kg, fixture):  # type: ignore[no-untyped-def]
    run = kg("validate", "--strict", str(fixture))
    assert run.code == 0, run


def test_valid_fixtures_use_every_class_the_shapes_target(shapes_graph):  # type: ignore[no-untyped-def]
    """Together the valid fixtures hold an instance of every targeted class."""
    from rdflib import Dataset
    data = Dataset()
    for fixture in VALID_FIXTURES:
        data.parse(fixture, format="trig")
    ontology = load_ontology(Project(ROOT))
    used = {o for _, _, o, _ in data.quads((None, RDF.type, None, None))}
    used |= {sup for c in list(used) for sup in ontology.transitive_objects(c, RDFS.subClassOf)}
    targeted = set(shapes_graph.objects(None, SH.targetClass))
    assert sorted(str(c) for c in targeted - used) == []


def test_code_list_concepts_conform(shapes_graph, vocabularies):  # type: ignore[no-untyped-def]
    """Every concept of ontology/vocabularies.ttl passes kgsh:ConceptShape.

    ``kg validate`` mixes only the OWL/RDFS axioms of ontology/ into the data
    (pySHACL's ont_graph), so the concepts themselves are checked here.
    """
    from pyshacl import validate

    ontology = load_ontology(Project(ROOT))
    conforms, _, text = validate(vocabularies, shacl_graph=shapes_graph, ont_graph=ontology,
                                 inference="none", advanced=True)
    assert conforms, text
    assert len(set(vocabularies.subjects(RDF.type, SKOS.Concept))) > 50


def test_code_lists_in_shapes_match_the_vocabularies(shapes_graph, vocabularies):  # type: ignore[no-untyped-def]
    """Each sh:in list of codes holds concepts of one list, and (unless a deliberate subset) all of them."""
    code = PREFIXES["code"]
    for shape, head in shapes_graph.subject_objects(SH["in"]):
        items = list(Collection(shapes_graph, head))
        if not items or not all(isinstance(i, URIRef) and str(i).startswith(code) for i in items):
            continue
        schemes = {URIRef(str(i).rsplit("/", 1)[0]) for i in items}
        if schemes == {URIRef(code.rstrip("/"))}:  # a list of the code lists themselves
            declared = set(vocabularies.subjects(RDF.type, SKOS.ConceptScheme))
            assert set(items) == declared, f"{shape}: the code lists are {sorted(declared)}"
            continue
        assert len(schemes) == 1, f"{shape} mixes code lists"
        scheme = schemes.pop()
        members = set(vocabularies.subjects(SKOS.inScheme, scheme))
        unknown = sorted(str(i) for i in set(items) - members)
        assert unknown == [], f"{shape}: not concepts of {scheme}"
        if shape not in CODE_SUBSETS:
            left_out = sorted(str(m) for m in members - set(items))
            assert left_out == [], f"{shape}: sh:in lacks concepts of {scheme}"


# ---------------------------------------------------------------------------
# the two files themselves
# ---------------------------------------------------------------------------

def test_shapes_file_is_an_ontology_with_version_and_license(shapes_graph):  # type: ignore[no-untyped-def]
    ontology = URIRef(str(KGSH))
    assert (ontology, RDF.type, OWL.Ontology) in shapes_graph
    assert shapes_graph.value(ontology, OWL.versionInfo) is not None
    assert shapes_graph.value(ontology, URIRef("http://purl.org/dc/terms/license")) is not None
    declared = {str(shapes_graph.value(d, SH.prefix)) for d in shapes_graph.objects(ontology, SH.declare)}
    assert {"kg", "skos", "time", "org", "qb"} <= declared


def test_no_blank_nodes_except_lists():  # type: ignore[no-untyped-def]
    for path in (ROOT / "ontology" / "kg.ttl", ROOT / "shapes" / "kg-shapes.ttl"):
        graph = load_rdf([path])
        for s, p, o in graph:
            if isinstance(s, BNode):
                assert p in (RDF.first, RDF.rest), f"{path.name}: blank node {s} {p} {o}"


def test_ontology_declares_the_statistics_structure():  # type: ignore[no-untyped-def]
    graph = load_rdf([ROOT / "ontology" / "kg.ttl"])
    qb = "http://purl.org/linked-data/cube#"
    structure = KG.statisticsStructure
    assert (KG.statistics, URIRef(qb + "structure"), structure) in graph
    components = set(graph.objects(structure, URIRef(qb + "component")))
    assert len(components) == 12
    required = {graph.value(c, URIRef(qb + "attribute")): graph.value(c, URIRef(qb + "componentRequired"))
                for c in components if graph.value(c, URIRef(qb + "attribute")) is not None}
    assert {p for p, r in required.items() if r == Literal(True)} == {
        URIRef(PREFIXES["sdmx-attribute"] + "unitMeasure"), KG.qualifier, KG.periodBasis}

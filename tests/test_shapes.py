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
The shapes graph is read as the engine reads it (:class:`kg.shacl.Shapes`,
the shared ``shapes`` fixture), the ontology as a graph (:mod:`kg.graph`).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.graph import KnowledgeGraph, read_files
from kg.parse import quads_of, rdf_files
from kg.prefixes import PREFIXES
from kg.shacl import Shapes
from kg.shacl.vocab import OWL, RDF, SH, XSD
from kg.validate import validate_graph

ROOT = Path(__file__).resolve().parents[1]
INVALID = ROOT / "tests" / "fixtures" / "invalid"
VALID = ROOT / "tests" / "fixtures" / "valid"
INVALID_FIXTURES = sorted(INVALID.glob("*.trig"))
VALID_FIXTURES = sorted(VALID.glob("*.trig"))
ONTOLOGY = rdf_files(ROOT / "ontology")
KG, KGSH, SKOS = PREFIXES["kg"], PREFIXES["kgsh"], PREFIXES["skos"]
Node = ox.NamedNode | ox.BlankNode

#: Node-level constraint parameters: a targeted node shape that has one is a constraint itself.
NODE_PARAMETERS = {SH.nodeKind, SH["class"], SH.datatype, SH["in"], SH.pattern, SH["or"], SH["and"],
                   SH["not"], SH.xone, SH.node, SH.hasValue, SH.languageIn, SH.closed}
TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}

#: sh:in lists that deliberately take only part of a code list.
CODE_SUBSETS = {ox.NamedNode(KGSH + "ColdStorageShape-capacityUnit"),
                ox.NamedNode(KGSH + "StorageSectionShape-capacityUnit")}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vocabularies() -> KnowledgeGraph:
    return read_files([], [ROOT / "ontology" / "vocabularies.ttl"])


@pytest.fixture(scope="module")
def shapes_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the ontology and the shapes but no data."""
    root = tmp_path_factory.mktemp("shapes-only")
    for name in ("ontology", "shapes"):
        shutil.copytree(ROOT / name, root / name)
    (root / "data").mkdir()
    return root


def objects(shapes: Shapes, predicate: ox.NamedNode) -> set[ox.NamedNode | ox.BlankNode | ox.Literal]:
    """The values of ``predicate`` in the shapes graph, whoever has them."""
    return {q.object for q in shapes.store.quads_for_pattern(None, predicate, None,
                                                             ox.DefaultGraph())}


def helper(shapes: Shapes, shape: Node) -> bool:
    """A property shape only of helper node shapes (no targets; kgsh:InScheme-<list>): the
    property shape using the helper (sh:node) reports, with its own message."""
    parents = set(shapes.subjects(SH.property, shape))
    return bool(parents) and not any(TARGETS & set(shapes.about(p)) for p in parents) and \
        not any(shapes.subjects(SH.property, p) for p in parents)


def constraints(shapes: Shapes) -> dict[Node, str]:
    """Every constraint of the shapes -> its sh:message ("" when it has none)."""
    found: set[Node] = set()
    found.update(p for p in objects(shapes, SH.property)  # property shapes
                 if isinstance(p, (ox.NamedNode, ox.BlankNode)) and not helper(shapes, p))
    found.update(objects(shapes, SH.sparql))              # SPARQL constraints
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):
        about = shapes.about(shape)
        if TARGETS & set(about) and NODE_PARAMETERS & set(about):
            found.add(shape)                               # node-level constraint
    return {c: next((m.value for m in shapes.objects(c, SH.message)), "") for c in found}


def severity(shapes: Shapes, constraint: ox.NamedNode) -> ox.NamedNode:
    """The severity of a constraint (a SPARQL constraint has its node shape's)."""
    holder = next(iter(shapes.subjects(SH.sparql, constraint)), constraint)
    return shapes.value(holder, SH.severity) or SH.Violation  # type: ignore[return-value]


def template_parts(message: str) -> list[str]:
    """The fixed text of a message, split at its {?var} / {$var} placeholders."""
    return re.split(r"\{[?$]\w+\}", " ".join(message.split()))


def fixture_constraint(path: Path) -> ox.NamedNode:
    return ox.NamedNode(KGSH + path.stem.split("--")[0])


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
def test_invalid_fixture_fails_with_its_message(kg, shapes_only, shapes, fixture):  # type: ignore[no-untyped-def]
    expected = expected_of(fixture)
    strict = severity(shapes, fixture_constraint(fixture)) != SH.Violation
    argv = ["--root", str(shapes_only), "validate", "--format", "json", str(fixture)]
    run = kg(*argv, *(["--strict"] if strict else []))
    assert run.code == 1, run
    report = json.loads(run.out)
    # a dct:source other than the statement's graph also breaks kg.guards' rule (not a shape)
    report["results"] = [r for r in report["results"] if not (
        r["shape"] == "kgsh:SourceIsItsGraphGuard" and fixture_constraint(fixture).value.endswith(
            ("ObservationShape-source", "ObservationShape-unitPeriodSource",
             "SectorFindingShape-source")))]
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


def test_every_constraint_has_an_iri_and_a_message(shapes):  # type: ignore[no-untyped-def]
    found = constraints(shapes)
    assert len(found) > 100
    anonymous = [c for c in found if not isinstance(c, ox.NamedNode)]
    assert anonymous == [], "give every shape and constraint an IRI"
    silent = sorted(str(c) for c, message in found.items() if not message.strip())
    assert silent == [], "every constraint needs an sh:message"
    for c in found:
        languages = [m.language for m in shapes.objects(c, SH.message)]
        assert languages and set(languages) <= {None, "en"}, f"{c}: messages are in English"


def test_every_constraint_has_a_broken_example(shapes):  # type: ignore[no-untyped-def]
    found = constraints(shapes)
    by_constraint: dict[Node, list[Path]] = {}
    for fixture in INVALID_FIXTURES:
        by_constraint.setdefault(fixture_constraint(fixture), []).append(fixture)
    missing = []
    for constraint, message in found.items():
        examples = [f for f in by_constraint.get(constraint, [])
                    if any(expected_of(f) in part for part in template_parts(message))]
        if not examples:
            missing.append(str(constraint.value).replace(KGSH, "kgsh:"))
    assert sorted(missing) == [], "add tests/fixtures/invalid/<Constraint>.trig and .expected"


def test_every_broken_example_names_a_constraint_and_matches_only_it(shapes):  # type: ignore[no-untyped-def]
    found = constraints(shapes)
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


def test_valid_fixtures_use_every_class_the_shapes_target(shapes):  # type: ignore[no-untyped-def]
    """Together the valid fixtures hold an instance of every targeted class."""
    used = {q.object for fixture in VALID_FIXTURES for q in quads_of(fixture)
            if q.predicate == RDF.type}
    superclasses = read_files([], ONTOLOGY).query(
        "SELECT ?class ?super WHERE { ?class rdfs:subClassOf+ ?super }")
    used |= {row["super"] for row in superclasses.rows if row["class"] in used}
    targeted = objects(shapes, SH.targetClass)
    assert len(targeted) > 10
    assert sorted(str(c) for c in targeted - used) == []


def test_code_list_concepts_conform(shapes, vocabularies):  # type: ignore[no-untyped-def]
    """Every concept of ontology/vocabularies.ttl passes the shapes (kgsh:ConceptShape), on both
    engines: the code lists on their own, as ``kg validate`` reads them with the data (their
    vocabulary graph merged in the default graph)."""
    concept = ox.NamedNode(SKOS + "Concept")
    assert concept in objects(shapes, SH.targetClass)
    assert len({q.subject for q in vocabularies.triples(None, RDF.type, concept)}) > 50
    for engine in ("fast", "pyshacl"):
        report = validate_graph(vocabularies, shapes, engine=engine)
        assert report.conforms, report.to_text()
        assert report.results == ()


def test_shapes_check_code_lists_by_membership_not_by_copies(shapes, vocabularies):  # type: ignore[no-untyped-def]
    """No shape copies a code list into an sh:in (only deliberate subsets: a cold storage holds
    tonnes); each code-list check is sh:node kgsh:InScheme-<list>, whose skos:inScheme value is
    a concept scheme that ontology/vocabularies.ttl declares and names the same list."""
    code = PREFIXES["code"]
    for quad in shapes.store.quads_for_pattern(None, SH["in"], None, ox.DefaultGraph()):
        items = shapes.items(quad.object, quad.subject, SH["in"])
        if any(isinstance(i, ox.NamedNode) and i.value.startswith(code) for i in items):
            assert quad.subject in CODE_SUBSETS, f"{quad.subject}: a copied code list (sh:in)"
    declared = {q.subject for q in vocabularies.triples(None, RDF.type,
                                                        ox.NamedNode(SKOS + "ConceptScheme"))}
    used = {o for o in objects(shapes, SH.node)
            if isinstance(o, ox.NamedNode) and o.value.startswith(KGSH + "InScheme-")}
    assert len(used) >= 14
    for helper_shape in used:
        name = helper_shape.value[len(KGSH + "InScheme-"):]
        [prop] = shapes.objects(helper_shape, SH.property)
        assert shapes.value(prop, SH.path) == ox.NamedNode(SKOS + "inScheme")
        assert shapes.value(prop, SH.hasValue) == ox.NamedNode(code + name)
        assert ox.NamedNode(code + name) in declared, f"{helper_shape}: no scheme code:{name}"
        users = shapes.subjects(SH.node, helper_shape)
        for user in users:
            message = shapes.objects(user, SH.message)[0].value  # type: ignore[union-attr]
            assert f"add it to ontology/vocabularies.ttl as a skos:Concept with skos:inScheme " \
                   f"code:{name}" in message, f"{user}: the message must say how to add a concept"


# ---------------------------------------------------------------------------
# the two files themselves
# ---------------------------------------------------------------------------

def test_shapes_file_is_an_ontology_with_version_and_license(shapes):  # type: ignore[no-untyped-def]
    ontology = ox.NamedNode(KGSH)
    assert OWL.Ontology in shapes.objects(ontology, RDF.type)
    assert shapes.value(ontology, OWL.versionInfo) is not None
    assert shapes.value(ontology, ox.NamedNode("http://purl.org/dc/terms/license")) is not None
    declared = {str(shapes.value(d, SH.prefix).value)  # type: ignore[union-attr]
                for d in shapes.objects(ontology, SH.declare)}
    assert {"kg", "skos", "time", "org", "qb"} <= declared


def test_no_blank_nodes_except_lists():  # type: ignore[no-untyped-def]
    for path in (ROOT / "ontology" / "kg.ttl", ROOT / "shapes" / "kg-shapes.ttl"):
        quads = list(quads_of(path))
        assert len(quads) > 100
        for q in quads:
            if isinstance(q.subject, ox.BlankNode):
                assert q.predicate in (RDF.first, RDF.rest), f"{path.name}: blank node {q}"


def test_ontology_declares_the_statistics_structure():  # type: ignore[no-untyped-def]
    graph = read_files([], [ROOT / "ontology" / "kg.ttl"])
    qb = "http://purl.org/linked-data/cube#"

    def values(subject: ox.NamedNode | ox.BlankNode, name: str) -> list:  # type: ignore[type-arg]
        return [q.object for q in graph.triples(subject, ox.NamedNode(qb + name))]

    structure = ox.NamedNode(KG + "statisticsStructure")
    assert values(ox.NamedNode(KG + "statistics"), "structure") == [structure]
    components = values(structure, "component")
    assert len(components) == 14
    required = {values(c, "attribute")[0]: values(c, "componentRequired")
                for c in components if values(c, "attribute")}
    true = ox.Literal("true", datatype=XSD.boolean)
    assert {p for p, r in required.items() if r == [true]} == {
        ox.NamedNode(PREFIXES["sdmx-attribute"] + "unitMeasure"), ox.NamedNode(KG + "qualifier"),
        ox.NamedNode(KG + "periodBasis")}

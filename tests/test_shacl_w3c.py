"""The W3C SHACL test suite (core and SPARQL), on both engines: kg's first test of SHACL.

The suite lives beside the checkout (``../shared/conformance/w3c-shacl``, its
README says how it is read). Its manifests are walked with pyoxigraph: each
``sht:Validate`` entry names a data graph and a shapes graph, and either the
expected ``sh:ValidationReport`` or ``sht:Failure`` (the validator must
refuse: :class:`~kg.errors.KGError`). A report is compared as the suite says:
``sh:conforms`` (SHACL's: no result at all), and the multiset of results by
focus node, result path, value, source shape, source constraint component
and severity; blank nodes match any blank node; messages are not compared.
The results are read back from the report's Turtle (``to_turtle``), so the
report graph kg writes is what is tested. A data graph is read as kg reads a
data file (:func:`kg.graph.read_files`) and validated as kg validates a graph
(:func:`kg.validate.validate_graph`).

Without the suite every test here fails (none is skipped): the walk finds no
case, and says where the suite should be.

Each test runs on the fast engine (which must run every shape itself: no
fallback to pySHACL) and on pySHACL. A test an engine does not pass is an
``xfail(strict=True)`` listed, with why, in :data:`NOT_PASSED`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import KGError
from kg.graph import read_files
from kg.report import read_results
from kg.shacl import Shapes
from kg.validate import validate_graph

SUITE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "w3c-shacl"

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
SHT = "http://www.w3.org/ns/shacl-test#"
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

#: (test, engine) -> why the engine does not pass it. pySHACL's two are known upstream.
NOT_PASSED: dict[tuple[str, str], str] = {
    ("core/property/uniqueLang-002", "pyshacl"):
        "the test wants sh:uniqueLang \"1\"^^xsd:boolean ignored (only the lexical form true "
        "activates it); pySHACL reads \"1\" as the boolean true",
    ("core/property/uniqueLang-002", "fast"):
        "the test wants sh:uniqueLang \"1\"^^xsd:boolean ignored (only the lexical form true "
        "activates it); the shapes graph is a pyoxigraph store, which holds \"1\"^^xsd:boolean "
        "as its canonical form \"true\": the same value, so the constraint applies",
    ("sparql/pre-binding/shapesGraph-001", "pyshacl"):
        "pySHACL does not support $shapesGraph (optional in SHACL)",
    ("sparql/node/prefixes-001", "pyshacl"):
        "pySHACL does not follow sh:prefixes/owl:imports*/sh:declare (SHACL 5.2.1); reading the "
        "Turtle file itself, it finds ex: among the file's @prefix bindings, which a graph read "
        "from a store does not have",
}


@dataclass(frozen=True)
class Case:
    name: str                      #: the test's path in the suite, e.g. core/node/and-001
    label: str
    data: Path
    shapes: Path
    failure: bool                  #: the validator must refuse
    conforms: bool
    results: tuple[tuple[str, ...], ...]


def _file(iri: str) -> Path:
    assert iri.startswith("file://"), iri
    return Path(iri[len("file://"):].split("#")[0])


def _key(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:"  # blank nodes match loosely
    return str(term)


def result_key(focus, path, value, shape, component, severity) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return tuple(_key(t) for t in (focus, path, value, shape, component, severity))


MANIFEST = SUITE / "manifest.ttl"
MISSING = (f"the W3C SHACL test suite is missing: {MANIFEST} (it lives in "
           "../shared/conformance/w3c-shacl beside the checkout)")


def _cases() -> list[Case]:
    if not MANIFEST.is_file():  # no case: the tests below fail, never skip (CI must have the suite)
        return []
    manifest = MANIFEST
    cases: list[Case] = []
    todo, seen = [manifest], set()
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())

        def objects(s, p):  # type: ignore[no-untyped-def]
            return [q.object for q in store.quads_for_pattern(s, ox.NamedNode(p), None)]

        def one(s, p):  # type: ignore[no-untyped-def]
            found = objects(s, p)
            return found[0] if found else None

        def items(head):  # type: ignore[no-untyped-def]
            found = []
            while head is not None and head != ox.NamedNode(RDF + "nil"):
                found.append(one(head, RDF + "first"))
                head = one(head, RDF + "rest")
            return found

        top = ox.NamedNode(path.resolve().as_uri())
        todo.extend(_file(i.value) for i in objects(top, MF + "include"))
        for head in objects(top, MF + "entries"):
            for entry in items(head):
                if ox.NamedNode(SHT + "Validate") not in objects(entry, RDF + "type"):
                    continue
                action = one(entry, MF + "action")
                expected = one(entry, MF + "result")
                name = str(_file(entry.value).relative_to(SUITE))
                failure = expected == ox.NamedNode(SHT + "Failure")
                conforms, results = True, []
                if not failure:
                    conforms = one(expected, SH + "conforms").value == "true"
                    for result in objects(expected, SH + "result"):
                        results.append(result_key(*(one(result, SH + p) for p in (
                            "focusNode", "resultPath", "value", "sourceShape",
                            "sourceConstraintComponent", "resultSeverity"))))
                label = one(entry, RDFS + "label")
                cases.append(Case(name, label.value if label else name,
                                  _file(one(action, SHT + "dataGraph").value),
                                  _file(one(action, SHT + "shapesGraph").value),
                                  failure, conforms, tuple(sorted(results))))
    return sorted(cases, key=lambda c: c.name)


CASES = _cases()
PARAMS = [pytest.param(case, engine, id=f"{engine}-{case.name}",
                       marks=[pytest.mark.xfail(strict=True, reason=NOT_PASSED[(case.name, engine)])]
                       if (case.name, engine) in NOT_PASSED else [])
          for case in CASES for engine in ("fast", "pyshacl")] \
    or [pytest.param(None, engine, id=f"{engine}-suite-missing") for engine in ("fast", "pyshacl")]


def test_the_suite_is_there_and_whole():
    assert MANIFEST.is_file(), MISSING
    assert len(CASES) == 120
    folders = Counter(c.name.rsplit("/", 1)[0] for c in CASES)
    assert set(folders) == {"core/node", "core/property", "core/path", "core/targets", "core/misc",
                            "core/complex", "core/validation-reports", "sparql/node",
                            "sparql/property", "sparql/component", "sparql/pre-binding"}
    assert all(name in {c.name for c in CASES} for name, _ in NOT_PASSED)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("case", "engine"), PARAMS)
def test_w3c(case: Case | None, engine: str) -> None:
    assert case is not None, MISSING
    data = read_files([case.data])
    shapes = Shapes.from_files([case.shapes])
    if case.failure:
        with pytest.raises(KGError):
            validate_graph(data, shapes, engine=engine)
        return
    report = validate_graph(data, shapes, engine=engine)
    if engine == "fast":
        assert report.warnings == (), "the fast engine must run every shape itself"
    written = ox.Store()
    written.load(report.to_turtle().encode("utf-8"), ox.RdfFormat.TURTLE)
    found = read_results(written)
    keys = sorted(result_key(r.focus, r.path, r.value, r.shape, r.component, r.severity)
                  for r in found)
    assert (not found) == case.conforms
    assert keys == list(case.results)

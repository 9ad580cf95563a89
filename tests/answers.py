"""Comparing the answers of two backends, and timing them (shared by the tests that compare).

Used by ``test_backends_differential.py`` (every saved query on the in-memory
graph, the on-disk store and Virtuoso) and ``test_remote.py`` (the CLI on
Virtuoso against the CLI on the local graph), with the saved queries' names,
their example parameters, and the graphs published to Virtuoso.

Answers are compared as Python values: numbers within a tolerance (engines
round decimal division and averages differently) and typed literals by value
(pyoxigraph keeps ``"47.0"^^xsd:decimal`` as ``47`` and
``"2"^^xsd:positiveInteger`` as ``"2"^^xsd:integer``; Virtuoso keeps numbers
as numbers too). Rows are compared as a multiset unless asked to compare
their order.

Timings go to :data:`TIMINGS`; ``conftest.py`` prints :func:`timing_report`
at the end of the run.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import pytest

from kg.graph import KnowledgeGraph
from kg.queries import SavedQuery
from kg.results import QueryResult

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + name for name in (
    "integer", "decimal", "double", "float", "positiveInteger", "nonNegativeInteger",
    "negativeInteger", "nonPositiveInteger", "int", "long", "short", "byte",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte")}


def saved_query_names(folder: Path = QUERIES) -> list[str]:
    """The names of the saved queries, sorted.

    Raises:
        RuntimeError: there are none (a collection error: tests parametrized
            over an empty list would be skipped, hiding the regression).
    """
    names = sorted(p.stem for p in folder.glob("*.rq"))
    if not names:
        raise RuntimeError(f"no saved queries (*.rq) found in {folder}")
    return names


def published_graphs(graph: KnowledgeGraph) -> list[str]:
    """The graphs ``kg publish`` sends, by IRI: the source graphs, then the vocabulary graphs.

    Named as the default graph of a Virtuoso query, they make it the local default graph
    (as quads: a triple stated by several sources comes once per source).
    """
    return [g.value for g in graph.source_graphs() + graph.vocabulary_graphs()]


def bound(saved: SavedQuery, overrides: dict[str, object | None] | None = None) -> str:
    """The query with its header's example parameters (else defaults) bound.

    ``overrides`` replaces a parameter's value by name; None there leaves it unset.
    """
    params: dict[str, object] = {}
    for p in saved.params:
        if overrides is not None and p.name in overrides:
            value = overrides[p.name]
        else:
            value = p.example if p.example is not None else p.default
            assert value is not None or not p.required, \
                f"{saved.name}: parameter {p.name} is required and has no example"
        if value is not None:
            params[p.name] = value
    return saved.bind(**params)


# ----------------------------------------------------------------------------- values

def plain(value: object) -> object:
    """A Python value for comparison: numbers as floats (bool stays bool)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return float(value)
    return value


def same(a: object, b: object) -> bool:
    """Equal values of the same type (an IRI is not a string); numbers within a tolerance."""
    a, b = plain(a), plain(b)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    return type(a) is type(b) and a == b


def row_key(row: dict[str, object]) -> tuple[str, ...]:
    """A row as text that sorts, numbers to 6 significant digits."""
    def text(value: object) -> str:
        value = plain(value)
        return f"{value:.6g}" if isinstance(value, float) else f"{type(value).__name__}:{value}"
    return tuple(text(row[name]) for name in sorted(row))


def term_key(term: object) -> object:
    """A term with numeric and boolean literals by value.

    pyoxigraph writes them canonical ("47", "false"); Virtuoso keeps numbers by
    value and writes booleans as "0" and "1", both valid lexical forms.
    """
    if isinstance(term, ox.Literal):
        if term.datatype.value in NUMERIC:
            return ("number", round(float(Decimal(term.value)), 9))
        if term.datatype.value == XSD + "boolean":
            return ("boolean", term.value.strip() in ("true", "1"))
    return term


def triples_by_value(triples: Iterable[ox.Triple | ox.Quad]) -> set[tuple[object, object, object]]:
    """Triples (or the triples of quads) as a set, literals compared by value."""
    return {(term_key(t.subject), term_key(t.predicate), term_key(t.object)) for t in triples}


def has_order_by(query: str) -> bool:
    without_comments = re.sub(r"(?m)#.*$", "", query)
    return re.search(r"(?i)\bORDER\s+BY\b", without_comments) is not None


def assert_same_answer(name: str, reference: QueryResult, other: QueryResult,
                       reference_name: str, other_name: str, *, ordered: bool = False) -> None:
    """Fail, naming both backends and the rows only one has, unless the answers agree.

    ``ordered``: the rows must come in the same order too.
    """
    assert other.kind == reference.kind, name
    if reference.kind == "ASK":
        assert other.boolean == reference.boolean, name
        return
    if reference.kind in ("CONSTRUCT", "DESCRIBE"):
        here = triples_by_value(reference.triples or ())
        there = triples_by_value(other.triples or ())
        assert here == there, (f"{name}: {reference_name} {len(here)} triples, {other_name} "
                               f"{len(there)}; only in {reference_name}: "
                               f"{sorted(map(str, here - there))[:5]}; only in {other_name}: "
                               f"{sorted(map(str, there - here))[:5]}")
        return
    assert other.variables == reference.variables, name
    mine, theirs = reference.values(), other.values()
    if not ordered:
        mine, theirs = sorted(mine, key=row_key), sorted(theirs, key=row_key)
    matches = len(mine) == len(theirs) and all(
        row.keys() == there.keys() and all(same(row[k], there[k]) for k in row)
        for row, there in zip(mine, theirs))
    if matches:
        return
    mine_keys, their_keys = Counter(map(row_key, mine)), Counter(map(row_key, theirs))
    only_mine = list((mine_keys - their_keys).elements())[:4]
    only_theirs = list((their_keys - mine_keys).elements())[:4]
    order = "" if only_mine or only_theirs else " (the same rows in another order)"
    pytest.fail(f"{name}: {reference_name} answered {len(mine)} rows, {other_name} "
                f"{len(theirs)}{order}\n  only {reference_name}: {only_mine}\n"
                f"  only {other_name}: {only_theirs}", pytrace=False)


# ----------------------------------------------------------------------------- timings

#: seconds, by (what was timed, where): ("bodies", "shipped virtuoso"), ("publish", "synthetic") ...
TIMINGS: dict[tuple[str, str], float] = {}

T = TypeVar("T")


def timed(what: str, where: str, run: Callable[[], T]) -> T:
    """``run()``, its time noted in :data:`TIMINGS` (even when it fails)."""
    started = time.monotonic()
    try:
        return run()
    finally:
        TIMINGS[(what, where)] = time.monotonic() - started


def timing_report(slowest: int = 5) -> list[str]:
    """Lines for the end of the run: set-up, the saved queries' total per backend, the slowest."""
    if not TIMINGS:
        return []
    setup = [f"{what} {where}: {seconds:.2f} s" for (what, where), seconds in TIMINGS.items()
             if what in ("start", "publish")]
    totals: dict[str, float] = {}
    counts: Counter[str] = Counter()
    for (what, where), seconds in TIMINGS.items():
        if what not in ("start", "publish"):
            totals[where] = totals.get(where, 0.0) + seconds
            counts[where] += 1
    lines = ["set-up: " + "; ".join(setup)] if setup else []
    lines += [f"saved queries on {where}: {counts[where]} in {seconds:.2f} s"
              for where, seconds in sorted(totals.items())]
    queries = sorted(((s, w, q) for (q, w), s in TIMINGS.items() if q not in ("start", "publish")),
                     reverse=True)[:slowest]
    lines += [f"slowest: {seconds:.2f} s {what} on {where}" for seconds, where, what in queries]
    return lines

"""The conflicts an addition brings: the saved query ``conflicting-figures``, run by ``kg add``.

The query is the project's (``queries/conflicting-figures.rq``): what counts as
a conflict is decided there, not here. It runs on a small graph made for the
purpose, never on the store: the new statements, the figures already in the
graph for the same indicator and area as a new figure (any period: the query
decides which periods overlap), what those figures point at two steps out
(periods and their days, places, codes), the descriptions of their source
articles, and the vocabulary. So a dry run changes nothing, and a store of
millions of statements costs what one indicator of one area costs.

Only rows in which one side is from a graph of the addition are shown. The
columns are read by name (``source``/``otherSource``, ``value``/``otherValue``,
``qualifier``, ``statedAs``, ``figure``/``other`` and ``verdict``, ``precision``,
``why`` when the query has them), so that the query can change without this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from .errors import KGError
from .graph import KnowledgeGraph
from .prefixes import PREFIXES
from .project import Project
from .terms import AnyTerm, short

__all__ = ["QUERY_NAME", "conflicts"]

#: The saved query that finds conflicting figures.
QUERY_NAME = "conflicting-figures"
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_OBSERVATION = ox.NamedNode(PREFIXES["qb"] + "Observation")
_INDICATOR = ox.NamedNode(PREFIXES["kg"] + "indicator")
_AREA = ox.NamedNode(PREFIXES["sdmx-dimension"] + "refArea")
_HOPS = 2
#: Claims on facilities and events the query compares (beside figures).
_CLAIMS = {ox.NamedNode(PREFIXES["kg"] + name) for name in (
    "yearBuilt", "yearOperational", "storageCapacity")} | {
    ox.NamedNode(PREFIXES["schema"] + name) for name in ("startDate", "additionalProperty")}


def conflicts(graph: KnowledgeGraph, new: Iterable[ox.Quad], project: Project, *,
              scratch: bool = False) -> list[str]:
    """One line per row of ``conflicting-figures`` with a side in a graph of the addition.

    ``new`` are the statements the addition brings. ``graph`` is read, never changed,
    unless ``scratch``: an in-memory graph of the project's files that is thrown away
    afterwards, which then takes the new statements and is queried whole (cheaper than
    the small graph made for a store, on a project's few thousand statements).
    An empty list when the project has no such query.

    Raises:
        KGError: the query does not run.
    """
    from .queries import QueryLibrary, run_saved

    new = list(new)
    path = project.queries_dir / f"{QUERY_NAME}.rq"
    if not path.is_file() or not new:
        return []
    if scratch:
        if not any(q.predicate == _TYPE and q.object == _OBSERVATION for q in new) and not any(
                q.predicate in _CLAIMS for q in new):
            return []
        graph.add(new)
        nearby: KnowledgeGraph | None = graph
    else:
        nearby = _neighbourhood(graph, new)
    if nearby is None:
        return []
    saved = QueryLibrary.read_one(project.queries_dir, QUERY_NAME)
    added = {q.graph_name for q in new}
    lines = []
    for row in run_saved(nearby, saved).rows:
        if row.get("source") in added:
            lines.append(_line(row, "", "other"))
        elif row.get("otherSource") in added:
            lines.append(_line(row, "other", ""))
    return lines


def _neighbourhood(graph: KnowledgeGraph, new: list[ox.Quad]) -> KnowledgeGraph | None:
    """The new statements and what the query needs to compare their figures (None: no figure)."""
    def said(node: AnyTerm, predicate: ox.NamedNode) -> set[AnyTerm]:
        found = {q.object for q in graph.triples(node, predicate, None)}
        return found | {q.object for q in new if q.subject == node and q.predicate == predicate}

    subjects: set[AnyTerm] = {q.subject for q in new}
    figures = {s for s in subjects if _OBSERVATION in said(s, _TYPE)}
    if not figures:
        return None
    others: set[AnyTerm] = set()
    for figure in figures:
        indicators = said(figure, _INDICATOR)
        for area in said(figure, _AREA):
            for quad in graph.triples(None, _AREA, area):
                if any(ox.Quad(quad.subject, _INDICATOR, i) in graph.store for i in indicators):
                    others.add(quad.subject)
    # The figures as each graph states them; what they point at (a period is described in
    # every graph that uses it: thousands) as the merged graph states it, and as the graphs
    # of the figures compared state it.
    copied: list[ox.Quad] = list(new)
    compared = figures | others
    graphs: set[ox.NamedNode] = {q.graph_name for q in new}  # type: ignore[misc]
    for figure in others:
        graphs |= {q.graph_name for q in graph.quads(figure)}  # type: ignore[misc]
    seen: set[AnyTerm] = set()
    frontier: set[AnyTerm] = compared | graphs
    for _ in range(_HOPS + 1):
        after: set[AnyTerm] = set()
        for node in frontier - seen:
            seen.add(node)
            if node in compared:
                found = list(graph.quads(node))
            else:
                found = [q for g in graphs for q in graph.quads(node, graph=g)]
                copied += graph.triples(node)
            copied += found
            after |= {q.object for q in found if isinstance(q.object, ox.NamedNode)}
        after |= {q.object for q in new if q.subject in frontier
                  and isinstance(q.object, ox.NamedNode)}
        frontier = after
    for vocabulary in graph.vocabulary_graphs():
        copied += graph.quads(graph=vocabulary)
    nearby = KnowledgeGraph(ox.Store())
    nearby.add(copied)
    return nearby


def _line(row: Mapping[str, object], mine: str, theirs: str) -> str:
    """A row as a line, the side from the addition (``mine``: "" or "other") first."""
    def side(prefix: str) -> str:
        def column(name: str) -> object:
            return row.get(prefix + name[0].upper() + name[1:] if prefix else name)

        figure = row.get("other" if prefix else "figure")
        text = f"{_show(figure)} " if figure is not None else ""
        text += f"({_show(column('source'))}) {_show(column('value'))}"
        for name, shown in (("statedAs", "{}"), ("qualifier", "[{}]")):
            if column(name) is not None:
                text += " " + shown.format(_show(column(name)))
        return text

    verdict = _plain(row.get("verdict")) or "conflict"
    what = ", ".join(_show(row[k]) for k in ("indicator", "area", "period")
                     if row.get(k) is not None)
    head = f"{verdict}: {what + ': ' if what and row.get('figure') is None else ''}"
    verb = "disagrees with" if verdict == "conflict" else "differs from, but agrees with,"
    text = f"{head}{side(mine)} {verb} {side(theirs)}"
    notes = [_plain(row[k]) for k in ("precision", "why") if row.get(k) is not None]
    if notes:
        text += f" ({'; '.join(notes)})"
    return text


def _plain(term: object) -> str:
    return term.value if isinstance(term, (ox.Literal, ox.NamedNode)) else ""


def _show(term: object) -> str:
    """A term as a reader sees it: strings quoted, numbers and dates bare, IRIs short."""
    if isinstance(term, ox.Literal):
        plain = term.language or term.datatype.value.endswith("#string")
        return repr(term.value) if plain else term.value
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return short(term)
    return str(term)


def try_conflicts(graph: KnowledgeGraph, new: Iterable[ox.Quad], project: Project, *,
                  scratch: bool = False) -> tuple[str, ...]:
    """:func:`conflicts`, or one line saying why they could not be looked for."""
    try:
        return tuple(conflicts(graph, new, project, scratch=scratch))
    except KGError as exc:
        return (f"conflicts not checked: the saved query {QUERY_NAME} failed ({exc})",)

"""What a refusal shows: the new statements that cause each problem, and where each is written.

A validation result names a focus node, and often a path and a value; the
statements to show are the new ones on that node and path (with that value).
A SPARQL constraint (a sum of parts, an order of years) names only its focus
node: the statements to show are the new ones its query reads, reached from
the focus node through the predicates the query names (the facility, its
parts, their capacities, their values). New statements that another graph
already made change no result, so they are shown only when nothing else is.

Where a statement is written (``file:line``) is found only for a refused
addition, and only in the files that hold what is shown: the file is parsed
again, a line at a time, and each statement takes the line on which the parser
completes it (the line of its value, which is its predicate's in the usual
layout). The addition itself never pays for it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from .formats import RdfFormat
from .graph import KnowledgeGraph
from .prefixes import PREFIXES
from .report import ValidationResult
from .terms import AnyTerm, short

__all__ = ["causes", "explain", "statement_lines", "where"]

_SH = "http://www.w3.org/ns/shacl#"
_SELECT = ox.NamedNode(_SH + "select")
_FULL_IRI = re.compile(r"<([^<>\s]+)>")
_PREFIXED = re.compile(r"(?<![\w:<?$-])([A-Za-z][\w-]*):([A-Za-z_][\w-]*)")
#: How far from the focus node a SPARQL constraint's statements are looked for.
_HOPS = 3


def causes(result: ValidationResult, new: Sequence[ox.Quad], *, novel: Collection[ox.Triple],
           graph: KnowledgeGraph, shapes: ox.Store, limit: int = 3) -> list[ox.Quad]:
    """The new statements that cause ``result`` (at most ``limit``), those new to the whole
    graph (``novel``) first."""
    terms = result.terms
    focus: AnyTerm = terms.focus if terms is not None else ox.NamedNode(result.focus)

    def ranked(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
        found = list(dict.fromkeys(quads))
        fresh = [q for q in found if q.triple in novel]
        return (fresh or found)[:limit]

    if terms is not None and isinstance(terms.path, ox.NamedNode) and not terms.path_triples:
        on_path = [q for q in new if q.subject == focus and q.predicate == terms.path]
        exact = [q for q in on_path if _same(q.object, terms.value)]
        if exact or on_path:
            return ranked(exact or on_path)
    query = _select_of(terms.source_constraint, shapes) if terms is not None else None
    if query is not None:
        read = _read_by(query)
        reached = _reach(focus, read, graph, new)
        hits = [q for q in new if q.subject in reached and q.predicate in read]
        exact = [q for q in hits if _same(q.object, terms.value)]  # type: ignore[union-attr]
        if exact or hits:
            return ranked(exact or hits)
    about = [q for q in new if q.subject == focus]
    if result.path:
        about = [q for q in about if short(q.predicate) == result.path] or about
    pointing = [q for q in new if q.object == focus]
    return ranked(about or pointing)


def _same(written: object, reported: object) -> bool:
    """Whether a value as written is the value a result reports (which the store made
    canonical: ``147.0`` is reported as ``147``)."""
    if written == reported:
        return True
    if not (isinstance(written, ox.Literal) and isinstance(reported, ox.Literal)) or \
            written.datatype != reported.datatype or written.language:
        return False
    try:
        return Decimal(written.value) == Decimal(reported.value)
    except ArithmeticError:
        return False


def _select_of(constraint: object, shapes: ox.Store) -> str | None:
    if not isinstance(constraint, (ox.NamedNode, ox.BlankNode)):
        return None
    for quad in shapes.quads_for_pattern(constraint, _SELECT, None, None):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return None


def _read_by(query: str) -> set[ox.NamedNode]:
    """The IRIs the query names, prefixed with the project's prefixes or in full."""
    named = {ox.NamedNode(iri) for iri in _FULL_IRI.findall(query)}
    for prefix, local in _PREFIXED.findall(query):
        if prefix in PREFIXES:
            named.add(ox.NamedNode(PREFIXES[prefix] + local))
    return named


def _reach(focus: AnyTerm, read: set[ox.NamedNode], graph: KnowledgeGraph,
           new: Sequence[ox.Quad]) -> set[AnyTerm]:
    """The nodes a query reading ``read`` can reach from ``focus`` (both ways, a few hops)."""
    links: dict[AnyTerm, set[AnyTerm]] = {}
    for q in new:
        if q.predicate in read:
            links.setdefault(q.subject, set()).add(q.object)
            links.setdefault(q.object, set()).add(q.subject)
    reached, frontier = {focus}, {focus}
    for _ in range(_HOPS):
        after: set[AnyTerm] = set()
        for node in frontier:
            after |= links.get(node, set())
            for predicate in read:
                after |= {q.object for q in graph.triples(node, predicate, None)}
                if not isinstance(node, ox.Literal):
                    after |= {q.subject for q in graph.triples(None, predicate, node)}
        frontier = after - reached
        reached |= frontier
    return reached


# ---------------------------------------------------------------------- where it is written


class _Lines(io.RawIOBase):
    """The bytes, handed to the parser a line at a time: what it yields lies on ``line``."""

    def __init__(self, data: bytes) -> None:
        self._lines = data.splitlines(keepends=True)
        self._at = 0        # the line being handed out
        self._offset = 0    # how much of it has been
        self.line = 0       # 1-based: the line the last bytes handed out came from

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        while self._at < len(self._lines) and self._offset >= len(self._lines[self._at]):
            self._at, self._offset = self._at + 1, 0
        if self._at >= len(self._lines):
            return 0
        chunk = self._lines[self._at][self._offset:self._offset + len(buffer)]
        buffer[:len(chunk)] = chunk
        self._offset += len(chunk)
        self.line = self._at + 1
        return len(chunk)


def statement_lines(path: Path, fmt: RdfFormat, wanted: Collection[ox.Triple]
                    ) -> dict[ox.Triple, int]:
    """The line on which each ``wanted`` statement is written in ``path`` (first occurrence;
    none for JSON-LD, whose parser reads the whole document first)."""
    from .untrusted import project_prefixes_line

    if fmt is RdfFormat.JSONLD or not wanted:
        return {}
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    raw = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):
        raw = project_prefixes_line() + raw  # on line 1, as kg add read it
    reader = _Lines(raw)
    found: dict[ox.Triple, int] = {}
    try:
        stream: IO[bytes] = reader  # type: ignore[assignment]  # a RawIOBase reads as IO
        for quad in ox.parse(stream, fmt.ox_format, base_iri=path.resolve().as_uri()):
            if quad.triple in wanted and quad.triple not in found:
                found[quad.triple] = max(reader.line, 1)
                if len(found) == len(wanted):
                    break
    except (SyntaxError, ValueError, OSError):
        pass
    return found


def where(quads: Iterable[ox.Quad], origins: Mapping[ox.Quad, str],
          files: Mapping[str, Path], fmt: RdfFormat | None) -> dict[ox.Quad, str]:
    """``file:line`` (else the file, else ``--source``) of each quad, by the file it came from."""
    quads = list(quads)
    by_file: dict[str, set[ox.Triple]] = {}
    for quad in quads:
        by_file.setdefault(origins.get(quad, ""), set()).add(quad.triple)
    lines: dict[str, dict[ox.Triple, int]] = {}
    for name, triples in by_file.items():
        path = files.get(name)
        if path is not None:
            lines[name] = statement_lines(path, fmt or RdfFormat.from_path(path), triples)
    shown = {}
    for quad in quads:
        name = origins.get(quad, "")
        line = lines.get(name, {}).get(quad.triple)
        shown[quad] = f"{name}:{line}" if line else name
    return shown


def explain(results: Iterable[ValidationResult], new: Mapping[ox.Quad, str], *,
            novel: Collection[ox.Triple], graph: KnowledgeGraph, shapes: ox.Store,
            files: Mapping[str, Path], fmt: RdfFormat | None = None
            ) -> dict[ValidationResult, tuple[tuple[ox.Quad, str], ...]]:
    """For each result, the new statements that cause it, each with ``file:line``."""
    statements = list(new)
    found = {r: causes(r, statements, novel=novel, graph=graph, shapes=shapes) for r in results}
    shown = where({q for quads in found.values() for q in quads}, new, files, fmt)
    return {r: tuple((q, shown[q]) for q in quads) for r, quads in found.items()}

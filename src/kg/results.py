"""Query results: what a query answers, and its renderings for people and programs.

A :class:`QueryResult` is the same whichever graph answered (the project's
graph in memory, an on-disk store, a remote endpoint): rows of pyoxigraph
terms, a boolean, or triples. :func:`render` writes it:

- a table for people: cut to a ``width`` (the CLI gives the terminal's, and only
  when it writes to one) with long cells ending in ``…``; else every cell whole,
  so that an IRI piped to the next command is all there. A language tag is shown
  after the text in brackets (``Balikpapan [id]``: ``@id`` would read as JSON-LD's keyword);
- the W3C *SPARQL 1.1 Query Results* CSV, TSV and JSON formats for programs:
  CSV has a header of variable names, CRLF line ends, IRIs and literals as
  their bare text, blank nodes as ``_:id``, unbound as empty; TSV a header of
  ``?names`` and terms in SPARQL syntax; JSON ``{"head": {"vars": [...]},
  "results": {"bindings": [...]}}`` or ``{"head": {}, "boolean": true}``;
- a CONSTRUCT or DESCRIBE answers triples, written as Turtle, N-Triples
  (by pyoxigraph) or JSON-LD (compacted with the shipped context, see
  :mod:`kg.export`).

>>> count = ox.Literal("87397", datatype=ox.NamedNode(XSD + "integer"))
>>> result = QueryResult("SELECT", variables=("value",), rows=({"value": count},))
>>> result.values()
[{'value': 87397}]
>>> print(render(result, width=40), end="")
value
-----
87397
(1 row)
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
from collections.abc import Iterable
from typing import cast

import pyoxigraph as ox

from .errors import InputError
from .prefixes import PREFIXES
from .terms import XSD_STRING, Term, python, shown_iri
from .xsd import XSD

QUERY_KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class QueryResult:
    """The answer to one query: rows of RDF terms, a boolean, or triples.

    ``kind`` is "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE". A SELECT has
    ``variables`` and ``rows`` (each row maps every variable to its term, or
    None where unbound); an ASK has ``boolean``; a CONSTRUCT or DESCRIBE has
    ``triples``. (A plain class, not a dataclass: ``dataclasses`` costs the
    command's start-up some 10 ms.)
    """

    __slots__ = ("kind", "variables", "rows", "boolean", "triples")

    def __init__(self, kind: str, *, variables: tuple[str, ...] = (),
                 rows: tuple[dict[str, Term | None], ...] = (), boolean: bool | None = None,
                 triples: tuple[ox.Triple, ...] | None = None) -> None:
        self.kind = kind
        self.variables = variables
        self.rows = rows
        self.boolean = boolean
        self.triples = triples

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return (self.kind, self.variables, self.rows, self.boolean, self.triples) == \
            (other.kind, other.variables, other.rows, other.boolean, other.triples)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        size = f"{len(self.rows)} rows" if self.kind == "SELECT" else (
            str(self.boolean) if self.kind == "ASK" else f"{len(self.triples or ())} triples")
        return f"QueryResult({self.kind}, {size})"

    def values(self) -> list[dict[str, object]]:
        """The rows with Python values: ``IRI``, str, int, Decimal, float, date, bool ...

        A language-tagged or plain literal is its text; a typed literal its
        Python value (``xsd:gYear`` an int year); a literal whose text does
        not fit its datatype stays text; a blank node is ``"_:id"``; unbound is None.
        """
        return [{name: python(term) for name, term in row.items()} for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows) if self.triples is None else len(self.triples)

    @classmethod
    def of(cls, answer: object, kind: str) -> QueryResult:
        """A pyoxigraph answer (solutions, boolean or triples) as a QueryResult."""
        if isinstance(answer, ox.QuerySolutions):
            names = tuple(v.value for v in answer.variables)
            rows = tuple(dict(zip(names, solution)) for solution in answer)
            return cls("SELECT", variables=names, rows=rows)
        if isinstance(answer, ox.QueryBoolean):
            return cls("ASK", boolean=bool(answer))
        triples = tuple(cast("Iterable[ox.Triple]", answer))
        return cls("DESCRIBE" if kind == "DESCRIBE" else "CONSTRUCT", triples=triples)


class ResultFormat(enum.Enum):
    """How a query result is written."""

    TABLE = "table"
    CSV = "csv"
    TSV = "tsv"
    JSON = "json"
    TURTLE = "turtle"
    JSONLD = "jsonld"
    NTRIPLES = "ntriples"

    @property
    def key(self) -> str:
        return str(self.value)

    @property
    def suits(self) -> str:
        """"rows" for SELECT and ASK results, "graph" for CONSTRUCT and DESCRIBE."""
        graph = (ResultFormat.TURTLE, ResultFormat.JSONLD, ResultFormat.NTRIPLES)
        return "graph" if self in graph else "rows"

    @classmethod
    def from_name(cls, name: str) -> ResultFormat:
        """Parse a format name (``table``, ``csv``, ``tsv``, ``json``, ``turtle``, ``jsonld``, ``ntriples``).

        Raises:
            InputError: not a known format.
        """
        aliases = {"ttl": "turtle", "json-ld": "jsonld", "nt": "ntriples", "n-triples": "ntriples"}
        key = aliases.get(name.lower(), name.lower())
        for fmt in cls:
            if fmt.key == key:
                return fmt
        raise InputError(f"unknown result format {name!r}; use one of "
                         f"{', '.join(f.key for f in cls)}")

    @classmethod
    def default_for(cls, kind: str) -> ResultFormat:
        """The format used when none is asked for: a table, or Turtle for a graph."""
        return cls.TURTLE if kind in ("CONSTRUCT", "DESCRIBE") else cls.TABLE


def render(result: QueryResult, fmt: ResultFormat | None = None, *,
           width: int | None = None) -> str:
    """``result`` as text in ``fmt`` (default: a table, or Turtle for a graph).

    ``width`` is the most a table's row may take, long cells cut with ``…``
    (default: no limit, every cell whole).

    Raises:
        InputError: ``fmt`` does not suit the kind of result (a table of a graph ...).
    """
    fmt = fmt or ResultFormat.default_for(result.kind)
    graph_kind = result.kind in ("CONSTRUCT", "DESCRIBE")
    if (fmt.suits == "graph") != graph_kind:
        suitable = ", ".join(f.key for f in ResultFormat
                             if (f.suits == "graph") == graph_kind)
        raise InputError(f"a {result.kind} query cannot be written as {fmt.key}; "
                         f"use --format {suitable}")
    if graph_kind:
        return triples_text(result.triples or (), fmt)
    if result.kind == "ASK":
        if fmt is ResultFormat.JSON:
            return json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    if fmt is ResultFormat.CSV:
        return to_csv(result)
    if fmt is ResultFormat.TSV:
        return to_tsv(result)
    if fmt is ResultFormat.JSON:
        return to_json(result)
    return to_table(result, width=width)


def triples_text(triples: Iterable[ox.Triple], fmt: ResultFormat) -> str:
    """Triples as Turtle or N-Triples (pyoxigraph's writers), or compacted JSON-LD."""
    if fmt is ResultFormat.JSONLD:
        from .jsonld import jsonld_text

        return jsonld_text(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    target = ox.RdfFormat.TURTLE if fmt is ResultFormat.TURTLE else ox.RdfFormat.N_TRIPLES
    prefixes = PREFIXES if fmt is ResultFormat.TURTLE else None
    text = (ox.serialize(triples, format=target, prefixes=prefixes) or b"").decode("utf-8")
    return text if text.endswith("\n") or not text else text + "\n"


# --------------------------------------------------------------------------- W3C formats

def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([csv_text(row.get(v)) for v in result.variables])
    return buffer.getvalue()


def csv_text(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(tsv_term(row.get(v)) for v in result.variables))
    return "\n".join(lines) + "\n"


_TURTLE_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_TURTLE_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+\Z")


def tsv_term(term: Term | None) -> str:
    """A term in SPARQL / Turtle syntax, on one line (bare integers and decimals)."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == XSD + "integer" and _TURTLE_INTEGER.match(term.value):
            return term.value
        if datatype == XSD + "decimal" and _TURTLE_DECIMAL.match(term.value):
            return term.value
    return str(term).replace("\t", "\\t")


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [{v: json_term(term) for v, term in row.items() if term is not None}
                for row in result.rows]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


# --------------------------------------------------------------------------- the table

ELLIPSIS = "…"
MIN_COLUMN = 6
GAP = "  "


def cell_text(term: Term | None) -> str:
    """A term as a person reads it in a table: a prefixed name, a literal's text (its
    language in brackets: ``Dinas Koperasi [id]``; ``"..."@id`` would be SPARQL, a bare
    ``@id`` reads like JSON-LD's keyword)."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shown_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    text = term.value
    if term.language:
        text = f"{text} [{term.language}]"
    return " ".join(text.split())


def to_table(result: QueryResult, *, width: int | None = None) -> str:
    """The rows as aligned columns; with a ``width``, long cells cut with an ellipsis
    until a row fits it (None: every cell whole)."""
    headers = list(result.variables)
    cells = [[cell_text(row.get(v)) for v in headers] for row in result.rows]
    widths = column_widths(headers, cells, width)
    lines = [format_row(headers, widths),
             GAP.join("-" * w for w in widths)]
    lines += [format_row(row, widths) for row in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def column_widths(headers: list[str], cells: list[list[str]], width: int | None) -> list[int]:
    """Natural widths, the widest cut down first until the row fits ``width`` (if any)."""
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    if width is None:
        return widths
    budget = width - len(GAP) * max(len(headers) - 1, 0)
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= MIN_COLUMN:
            break  # as narrow as is readable: let the terminal wrap
        widths[widest] -= 1
    return widths


def format_row(values: list[str], widths: list[int]) -> str:
    return GAP.join(fit(value, w).ljust(w) for value, w in zip(values, widths))


def fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


__all__ = ["QueryResult", "QUERY_KINDS", "ResultFormat", "render", "to_csv", "to_tsv",
           "to_json", "to_table", "triples_text"]

"""Query results as text: a table for people; CSV, TSV and JSON for programs; RDF for graphs.

CSV, TSV and JSON follow the W3C *SPARQL 1.1 Query Results* CSV/TSV and
JSON formats, so that spreadsheets and other SPARQL tools read them:

- CSV: a header of variable names, then one row per solution, CRLF line
  ends; IRIs and literals as their bare text (lexical form), blank nodes as
  ``_:id``, unbound as empty.
- TSV: a header of ``?names``; terms in SPARQL syntax (``<iri>``,
  ``"text"@id``, ``"2024-11-25"^^<...#date>``, bare integers and decimals).
- JSON: ``{"head": {"vars": [...]}, "results": {"bindings": [...]}}``, or
  ``{"head": {}, "boolean": true}`` for an ASK.

A CONSTRUCT or DESCRIBE answers a graph, written as Turtle, JSON-LD or N-Triples.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
import shutil

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from .backends import QueryResult
from .errors import InputError
from .namespaces import PREFIXES


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

    ``width`` is the table's width (default: the terminal's).

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
        assert result.graph is not None
        name = {ResultFormat.TURTLE: "turtle", ResultFormat.JSONLD: "json-ld",
                ResultFormat.NTRIPLES: "nt"}[fmt]
        text = result.graph.serialize(format=name)
        return text if text.endswith("\n") else text + "\n"
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


# --------------------------------------------------------------------------- W3C formats

def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([csv_text(row.get(v)) for v in result.variables])
    return buffer.getvalue()


def csv_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV."""
    lines = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join(tsv_term(row.get(v)) for v in result.variables))
    return "\n".join(lines) + "\n"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TURTLE_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_TURTLE_DECIMAL = re.compile(r"[+-]?[0-9]*\.[0-9]+\Z")


def tsv_term(term: Node | None) -> str:
    """A term in SPARQL / Turtle syntax, on one line."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        lexical = str(term)
        if term.datatype == XSD.integer and _TURTLE_INTEGER.match(lexical):
            return lexical
        if term.datatype == XSD.decimal and _TURTLE_DECIMAL.match(lexical):
            return lexical
        quoted = '"' + "".join(_ESCAPES.get(c, c) for c in lexical) + '"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{quoted}^^<{term.datatype}>"
        return quoted
    return str(term)


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    bindings = [{v: json_term(term) for v, term in row.items() if term is not None}
                for row in result.rows]
    document = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


# --------------------------------------------------------------------------- the table

ELLIPSIS = "…"
MIN_COLUMN = 6
GAP = "  "

_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?\Z")
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def compact(iri: str) -> str:
    """An IRI as ``prefix:local`` where a project prefix fits, else ``<iri>``."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            local = iri[len(namespace):]
            if local == "" or _LOCAL.match(local):
                return f"{prefix}:{local}"
    return f"<{iri}>"


def cell_text(term: Node | None) -> str:
    """A term as a person reads it in a table."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    text = str(term)
    if isinstance(term, Literal) and term.language:
        text = f"{text} @{term.language}"
    return " ".join(text.split())


def to_table(result: QueryResult, *, width: int | None = None) -> str:
    """The rows as aligned columns that fit ``width``; long cells cut with an ellipsis."""
    if width is None:
        width = shutil.get_terminal_size((100, 24)).columns
    headers = list(result.variables)
    cells = [[cell_text(row.get(v)) for v in headers] for row in result.rows]
    widths = column_widths(headers, cells, width)
    lines = [format_row(headers, widths),
             GAP.join("-" * w for w in widths)]
    lines += [format_row(row, widths) for row in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def column_widths(headers: list[str], cells: list[list[str]], width: int) -> list[int]:
    """Natural widths, the widest cut down first until the row fits ``width``."""
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
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


__all__ = ["ResultFormat", "render", "to_csv", "to_tsv", "to_json", "to_table", "compact"]

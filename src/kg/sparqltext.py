"""SPARQL query text: its tokens, its kind, its variables, the group parameters go in, prefixes.

Shared by the saved queries (:mod:`kg.queries`), the places a query runs
(:mod:`kg.graph`, :mod:`kg.backends`) and the SPARQL client (:mod:`kg.remote`). A
small tokenizer that skips comments, strings and IRIs is all these need;
parsing proper is the engine's job.

>>> query_kind("PREFIX x: <urn:x:> ASK { ?s ?p ?o }")
'ASK'
>>> sorted(variables_of('SELECT ?a WHERE { ?a <urn:p> "?not" } # ?nor'))
['a']
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from .errors import QueryError
from .prefixes import PREFIXES, prefix_lines

QUERY_KINDS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                          "ADD", "WITH"})

# A variable's name is written with \w (Unicode letters and digits): a class of explicit
# ranges up to \uffff took 5-8 ms to compile, paid by the first query of every process.
# A word is a keyword or a prefixed name; without a colon it ends where a name ends, so
# that a keyword glued to what follows (`SERVICE<http://...>{`) is still the keyword.
_TOKEN = (
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_.\-]*(?::(?:[^\s{}()\[\];,<>"'\\]|\\.)*)?)
      | (?P<open>\{) | (?P<close>\})
      | (?P<other>.)""")


@functools.cache
def _token() -> re.Pattern[str]:
    return re.compile(_TOKEN, re.VERBOSE | re.DOTALL)


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of the tokens that matter for finding groups and variables."""
    for match in _token().finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("comment", "other"):
            yield kind, match.group(), match.start()


def variables_of(text: str) -> set[str]:
    """The names of the variables a query mentions (outside comments, strings and IRIs)."""
    return {value[1:] for kind, value, _ in tokens(text) if kind == "var"}


def query_kind(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query (its first keyword after the prologue).

    Raises:
        QueryError: an update (refused: kg only reads), or no query form at all.
    """
    for kind, value, _ in tokens(text):
        if kind != "word":
            continue
        word = value.upper()
        if word in QUERY_KINDS:
            return word
        if word in UPDATE_WORDS:
            raise QueryError(f"{value} is an update: kg runs queries only (SELECT, ASK, "
                             "CONSTRUCT, DESCRIBE); updates (DROP, INSERT, DELETE, LOAD, CLEAR, "
                             "CREATE, ...) are refused. Change the data files and `kg add` or "
                             "`kg load` them (`kg publish` replaces a remote store's graphs)")
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def operation_form(text: str) -> str | None:
    """The keyword that names what a request does: a query form (SELECT, ASK, CONSTRUCT,
    DESCRIBE) or an update verb (INSERT, DELETE, DROP ...); None when there is none.

    Unlike :func:`query_kind` it accepts updates (``kg publish`` sends them). ``WITH <g>``
    is skipped: the verb after it names the update.

    >>> operation_form("prefix ex: <http://example.org/task/> SELECT * { ?s ?p ?o }")
    'SELECT'
    >>> operation_form("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'DELETE'
    """
    for kind, value, _ in tokens(text):
        word = value.upper()
        if kind == "word" and word != "WITH" and (word in QUERY_KINDS or word in UPDATE_WORDS):
            return word
    return None


#: What ``SELECT *`` may look like (also in a comment or a string: then the tokens tell).
_SELECT_STAR = re.compile(r"SELECT(?:\s|#[^\n]*\n)+(?:(?:DISTINCT|REDUCED)(?:\s|#[^\n]*\n)+)?\*",
                          re.IGNORECASE)


def star_order(text: str) -> list[str] | None:
    """For a ``SELECT *`` query: its variables in the order they first appear (the order
    people and other stores show; pyoxigraph sorts them by name). None for any other query."""
    if not _SELECT_STAR.search(text):  # most queries: no tokenizing
        return None
    for kind, value, offset in tokens(text):
        if kind != "word":
            continue
        if value.upper() != "SELECT":
            if value.upper() in QUERY_KINDS:
                return None
            continue
        rest = text[offset + len(value):].lstrip()
        for modifier in ("DISTINCT", "REDUCED"):
            if rest[:len(modifier)].upper() == modifier:
                rest = rest[len(modifier):].lstrip()
        if not rest.startswith("*"):
            return None
        order: dict[str, None] = {}
        for token, name, _ in tokens(text):
            if token == "var":
                order.setdefault(name[1:])
        return list(order)
    return None


def refuse_service(text: str) -> None:
    """Refuse a query that names a ``SERVICE``: kg never reaches the network for a query.

    Raises:
        QueryError: the query has a SERVICE clause.
    """
    if "service" in text.lower() and any(
            kind == "word" and value.upper() == "SERVICE" for kind, value, _ in tokens(text)):
        raise QueryError("SERVICE is refused: kg runs queries on its own graph and never "
                         "reaches the network for one")


_SYNTAX_ERROR = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_EXPECTED_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"|\[[^\]]*\]|[A-Za-z_][A-Za-z0-9_]*')


def syntax_error_at(text: str, message: str) -> tuple[int, int, str] | None:
    """Where pyoxigraph's syntax error ``message`` (``error at L:C: expected ...``) about
    ``text`` is, and what it says: (line, column, why); None when it names no position.

    pyoxigraph's parser reports the furthest position it read, and it compares a
    keyword by reading as many characters as the keyword has: an error just
    before a place where a keyword may come is reported up to a keyword's length
    too far, on the next line or past the end of the query, with a list of
    unrelated keywords. When every token expected there is a keyword, the
    position is moved back by the shortest one's length, and the text around it
    is quoted instead of the list.
    """
    found = _SYNTAX_ERROR.match(" ".join(message.split()))
    if not found:
        return None
    line, column, why = int(found.group(1)), int(found.group(2)), found.group(3)
    expected = why.removeprefix("expected ").removeprefix("one of ")
    items = _EXPECTED_ITEM.findall(expected) if why.startswith("expected ") else []
    keywords = [item for item in items if item[0].isalpha() or item[0] == "_"]
    if not keywords or any(item not in keywords and item != "[_]" for item in items):
        return line, column, why
    lines = text.split("\n")
    reported = min(sum(len(before) + 1 for before in lines[:line - 1]) + column - 1, len(text))
    at = max(reported - min(len(k) for k in keywords), 0)
    while at < reported and text[at].isspace():
        at += 1
    near = " ".join(text[at:reported].split()) or " ".join(text[at:].split()[:1])
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    near = near if len(near) <= 40 else near[:39] + "…"
    return line, column, f"near `{near}`" if near else "at the end of the query"


def where_group_start(text: str) -> int | None:
    """The offset just after the ``{`` that opens the top-level WHERE group, or None.

    That is the ``{`` after the keyword ``WHERE`` at nesting depth 0, else
    (``SELECT * { ... }``, ``ASK { ... }``) the first ``{`` at depth 0 of a
    query that is not a CONSTRUCT.
    """
    depth = 0
    after_where = False
    first_open: int | None = None
    construct = False
    for kind, value, offset in tokens(text):
        if kind == "word" and depth == 0:
            upper = value.upper()
            if upper == "WHERE":
                if construct and first_open is None:
                    return None  # `CONSTRUCT WHERE { }`: the group is the template too
                after_where = True
            elif upper == "CONSTRUCT":
                construct = True
        elif kind == "open":
            if depth == 0:
                if after_where:
                    return offset + 1
                if first_open is None:
                    first_open = offset + 1
            depth += 1
        elif kind == "close":
            depth -= 1
    return None if construct else first_open


def declared_prefixes(text: str) -> set[str]:
    """The prefixes a query declares itself."""
    return {m.group(1) for m in re.finditer(r"(?i)\bPREFIX\s+([A-Za-z0-9_.-]*):", text)}


def prologue(text: str) -> str:
    """The ``PREFIX`` lines of the project prefixes ``text`` does not declare itself
    (for endpoints, which do not know them): whole lines, so that the user's own
    line N is line N + (the prologue's lines) of what is sent."""
    declared = declared_prefixes(text)
    return prefix_lines((p, iri) for p, iri in PREFIXES.items() if p not in declared)


def with_prologue(text: str) -> str:
    """``text`` after its :func:`prologue`."""
    return prologue(text) + text


_LINE_AT = re.compile(r"(?P<oxigraph>error at (?P<line>\d+):(?P<column>\d+): (?P<why>.*))"
                      r"|(?P<virtuoso>\bline (?P<vline>\d+))", re.IGNORECASE | re.DOTALL)


def positions_in_own_text(message: str, text: str, hidden_lines: int) -> str:
    """An endpoint's syntax error ``message`` about ``text`` sent after ``hidden_lines``
    lines of prologue, its positions moved back into ``text``, the user's own.

    Oxigraph's ``error at L:C: why`` becomes ``line L, column C: why`` as for a
    local query (see :func:`syntax_error_at`); Virtuoso's ``line L`` becomes the
    user's line. A position inside the prologue is left as it is.

    >>> positions_in_own_text("error at 51:25: expected one of LATERAL, SERVICE, [_]",
    ...                       "SELECT * WHERE { ?s ?p }", 50)
    'line 1, column 18: near `?s ?p }`'
    >>> positions_in_own_text("SP030: SPARQL compiler, line 52: syntax error", "x", 50)
    'SP030: SPARQL compiler, line 2: syntax error'
    """
    def moved(found: re.Match[str]) -> str:
        if found.group("virtuoso"):
            line = int(found.group("vline"))
            return f"line {line - hidden_lines}" if line > hidden_lines else found.group()
        line = int(found.group("line"))
        if line <= hidden_lines:
            return found.group()
        why = found.group("why")
        at = syntax_error_at(text, f"error at {line - hidden_lines}:{found.group('column')}: {why}")
        return f"line {at[0]}, column {at[1]}: {at[2]}" if at else found.group()

    return _LINE_AT.sub(moved, message, count=1)


__all__ = ["QUERY_KINDS", "UPDATE_WORDS", "tokens", "variables_of", "query_kind", "refuse_service",
           "operation_form", "star_order", "syntax_error_at", "where_group_start", "declared_prefixes", "prologue",
           "with_prologue", "positions_in_own_text"]

"""Saved queries: ``queries/*.rq`` files, their headers, their parameters.

Each file holds one SPARQL query after a header in the grlc style: lines that
start with ``#+ `` and together read as YAML::

    #+ summary: Who held a post on a given date
    #+ description: >
    #+   The holder attested on that date, else the latest attestation before it.
    #+ tags: [people, posts]
    #+ params:
    #+   post:
    #+     type: iri
    #+     example: post:head-dkumkmp-balikpapan
    #+     description: the post
    #+   on:
    #+     type: date
    #+     default: 2024-11-25
    SELECT ... WHERE { ... ?post ... ?on ... }

Header keys: ``summary`` (required), ``description``, ``tags``, ``params``.
A parameter has ``type`` (one of :class:`ParamType`), ``required`` (true
when it has no ``default``), ``default``, ``example``, ``description``; its
name is a variable of the query (``?post``). A value is validated, converted
to an RDF term of its type and bound in a ``VALUES`` block that becomes the
first element of the query's top-level ``WHERE`` group; it is never pasted
into the query text as text. An optional parameter left unset is not bound.

The header is read by a small parser of a strict subset of YAML (block
mappings and lists, ``[a, b]`` lists, plain / quoted / ``|`` ``>`` scalars),
so no YAML library is needed and every value stays the text its author wrote
(``2024-11-25`` stays a string until the parameter's type reads it). What the
subset does not cover fails loudly, as does a parameter the query does not
use or a query that does not parse: :class:`~kg.errors.QueryError` naming
``file:line``.

Queries use the project prefixes without declaring them: they are given to
pyoxigraph with the query (a remote endpoint gets ``PREFIX`` lines, see
:func:`kg.sparqltext.with_prologue`).
"""

from __future__ import annotations

import datetime
import enum
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import ParameterError, QueryError
from .prefixes import PREFIXES
from .sparqltext import variables_of, where_group_start

if TYPE_CHECKING:
    import pyoxigraph

    from .backends import Backend
    from .results import QueryResult

HEADER_MARK = "#+"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_STRING = 2000  # a parameter value longer than this is refused


# --------------------------------------------------------------------------- parameters

class ParamType(enum.Enum):
    """The type of a query parameter: what a value must look like, and the RDF term it becomes."""

    IRI = ("iri", "an IRI (<https://...>, https://..., or prefixed like person:heru-ressandy)")
    STRING = ("string", "text")
    LANGSTRING = ("langstring", "text with a language tag, like Balikpapan@id")
    INTEGER = ("integer", "a whole number, like 2024 or -3")
    DECIMAL = ("decimal", "a decimal number, like 19.23")
    DATE = ("date", "a date as YYYY-MM-DD, like 2024-11-25")
    YEAR = ("year", "a year as four digits, like 2024")

    def __init__(self, key: str, expected: str) -> None:
        self.key = key
        #: what a value must look like, for error messages
        self.expected = expected

    @classmethod
    def from_key(cls, key: str) -> ParamType | None:
        return next((t for t in cls if t.key == key), None)


class Parameter(NamedTuple):
    """A parameter of a saved query, as its header declares it.

    (Named tuples, not dataclasses, here: importing ``dataclasses`` cost ``kg query``'s
    start-up a tenth of its time.)
    """

    name: str
    type: ParamType
    required: bool
    default: str | None = None
    example: str | None = None
    description: str = ""
    line: int = 0  #: the header line that declares it

    def term(self, value: object) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """``value`` (text, or a Python value of the type) as the RDF term to bind.

        Raises:
            ParameterError: the value is not of the parameter's type.
        """
        return to_term(self.name, self.type, value)


_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_YEAR = re.compile(r"[0-9]{4}\Z")
XSD = "http://www.w3.org/2001/XMLSchema#"


def to_term(name: str, kind: ParamType, value: object) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    """Validate ``value`` for a parameter ``name`` of type ``kind``; return its RDF term.

    Raises:
        ParameterError: naming the parameter and what a value must look like.
    """
    import pyoxigraph as ox

    text, language, datatype = check_value(name, kind, value)
    if kind is ParamType.IRI:
        try:
            return ox.NamedNode(text)
        except ValueError:
            raise ParameterError(f"parameter {name!r}: {text!r} is not {kind.expected}") from None
    if language:
        return ox.Literal(text, language=language)
    return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None)


def check_value(name: str, kind: ParamType, value: object) -> tuple[str, str | None, str | None]:
    """Validate ``value`` for a parameter ``name`` of type ``kind`` (without making a term).

    Returns the term it becomes: an IRI as ``(iri, None, None)``, a literal as
    ``(lexical form, language, datatype IRI)``.

    Raises:
        ParameterError: naming the parameter and what a value must look like.
    """
    def refuse(why: str = "") -> ParameterError:
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        return ParameterError(f"parameter {name!r}: {shown} is not {kind.expected}"
                              + (f" ({why})" if why else ""))

    if isinstance(value, bool):
        raise refuse()
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise ParameterError(f"parameter {name!r}: value of {len(value)} characters is over "
                             f"the limit of {MAX_STRING}")
    if kind is ParamType.IRI:
        if not isinstance(value, str):
            raise refuse()
        text = value.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        else:
            prefix, colon, local = text.partition(":")
            if colon and prefix in PREFIXES and not local.startswith("//"):
                text = PREFIXES[prefix] + local
        if not _SCHEME.match(text) or _IRI_FORBIDDEN.search(text):
            raise refuse("unknown prefix, or a character an IRI cannot hold")
        return text, None, None
    if kind is ParamType.STRING:
        if not isinstance(value, str):
            raise refuse()
        return value, None, None
    if kind is ParamType.LANGSTRING:
        language = getattr(value, "language", None)  # a pyoxigraph Literal with a language
        if language and isinstance(getattr(value, "value", None), str):
            return value.value, language, None  # type: ignore[attr-defined]
        if not isinstance(value, str) or "@" not in value:
            raise refuse("no @language tag")
        text, _, lang = value.rpartition("@")
        if not _LANG.match(lang):
            raise refuse(f"{lang!r} is not a language tag")
        return text, lang, None
    if kind is ParamType.INTEGER:
        if isinstance(value, int):
            return str(value), None, XSD + "integer"
        if isinstance(value, str) and _INTEGER.match(value.strip()):
            return str(int(value.strip())), None, XSD + "integer"
        raise refuse()
    if kind is ParamType.DECIMAL:
        try:
            if isinstance(value, (int, Decimal)):
                number = Decimal(value)
            elif isinstance(value, str) and _DECIMAL.match(value.strip()):
                number = Decimal(value.strip())
            else:
                raise refuse()
        except InvalidOperation:
            raise refuse() from None
        if not number.is_finite():
            raise refuse()
        return format(number, "f"), None, XSD + "decimal"
    if kind is ParamType.DATE:
        if isinstance(value, datetime.datetime):
            raise refuse("a date, not a date and time")
        if isinstance(value, datetime.date):
            return value.isoformat(), None, XSD + "date"
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                day = datetime.date.fromisoformat(value.strip())
            except ValueError:
                raise refuse("no such day") from None
            return day.isoformat(), None, XSD + "date"
        raise refuse()
    if kind is ParamType.YEAR:
        if isinstance(value, int) and 0 < value <= 9999:
            return f"{value:04d}", None, XSD + "gYear"
        if isinstance(value, str) and _YEAR.match(value.strip()):
            return value.strip(), None, XSD + "gYear"
        raise refuse()
    raise AssertionError(kind)  # pragma: no cover - every ParamType is handled above


# --------------------------------------------------------------------------- saved queries

class SavedQuery(NamedTuple):
    """One ``.rq`` file: its header and its query text."""

    name: str                        #: the file's stem
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    params: tuple[Parameter, ...]
    text: str                        #: the whole file, header included (as comments)
    kind: str = "SELECT"             #: "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"

    def param(self, name: str) -> Parameter:
        """The parameter ``name``.

        Raises:
            ParameterError: the query has no such parameter.
        """
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(f"query {self.name!r} has no parameter {name!r} "
                             f"(its parameters: {known})")

    def bind(self, **values: object) -> str:
        """The runnable query text: the query with ``values`` bound.

        Unset parameters take their default; an optional one without default
        stays unbound.

        Raises:
            ParameterError: a value is missing, unknown, or not of its type.
        """
        for name in values:
            self.param(name)
        terms: dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal] = {}
        for p in self.params:
            value = values.get(p.name)
            if value is None:
                value = p.default
            if value is None:
                if p.required:
                    hint = f", e.g. {p.example}" if p.example else ""
                    raise ParameterError(
                        f"query {self.name!r} needs parameter {p.name!r} "
                        f"({p.type.expected}{hint})")
                continue
            terms[p.name] = p.term(value)
        text = self.text
        if terms:
            names = " ".join(f"?{n}" for n in terms)
            row = " ".join(str(t) for t in terms.values())
            values_block = f"\n  VALUES ({names}) {{ ({row}) }}\n"
            at = where_group_start(text)
            if at is None:  # checked when the file was loaded
                raise QueryError(f"{self.path}: no WHERE group to bind parameters in")
            text = text[:at] + values_block + text[at:]
        return text


# --------------------------------------------------------------------------- the library

class QueryLibrary:
    """The saved queries of a folder, by name (the file stem)."""

    def __init__(self, queries: Mapping[str, SavedQuery], folder: Path | None = None) -> None:
        self._queries = dict(sorted(queries.items()))
        self.folder = folder

    @classmethod
    def load(cls, queries_dir: str | Path | None = None, *, check_syntax: bool = True) -> QueryLibrary:
        """Read every ``*.rq`` file of ``queries_dir`` (default: the project's ``queries/``).

        ``check_syntax`` parses each query (slower start-up).

        Raises:
            QueryError: a file's header or query is malformed (names file and line).
        """
        if queries_dir is None:
            from .project import Project

            queries_dir = Project.locate().queries_dir
        folder = Path(queries_dir)
        if not folder.is_dir():
            raise QueryError(f"{folder}: no such folder of saved queries")
        queries = {}
        for path in sorted(folder.glob("*.rq")):
            query = read_saved_query(path, check_syntax=check_syntax)
            queries[query.name] = query
        return cls(queries, folder)

    def names(self) -> list[str]:
        """The names of the saved queries, sorted."""
        return list(self._queries)

    def get(self, name: str) -> SavedQuery:
        """The saved query ``name``.

        Raises:
            QueryError: there is no query of that name.
        """
        try:
            return self._queries[name]
        except KeyError:
            raise no_such_query(name, self.names(), self.folder) from None

    @classmethod
    def read_one(cls, queries_dir: str | Path, name: str, *, check_syntax: bool = False
                 ) -> SavedQuery:
        """The saved query ``name`` of ``queries_dir``, reading its file only (a command
        that runs one query need not read the others).

        Raises:
            QueryError: there is no query of that name, or its file is malformed.
        """
        folder = Path(queries_dir)
        path = folder / f"{name}.rq"
        if "/" in name or name.startswith(".") or not path.is_file():
            raise no_such_query(name, sorted(p.stem for p in folder.glob("*.rq")), folder)
        return read_saved_query(path, check_syntax=check_syntax)

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    def __repr__(self) -> str:
        return f"QueryLibrary({len(self)} queries from {self.folder})"


def no_such_query(name: str, names: Sequence[str], folder: Path | None) -> QueryError:
    """The error for a saved query ``name`` that is not among ``names``, with the closest
    names when it looks misspelled."""
    import difflib

    where = f" in {folder}" if folder else ""
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return QueryError(f"no saved query {name!r}{where}; {hint}`kg queries` lists them")


def describe_library(library: QueryLibrary, *, as_json: bool = False) -> str:
    """The saved queries with their summaries and parameters, as text or JSON."""
    if as_json:
        return json.dumps([query_json(library.get(name)) for name in library.names()],
                          ensure_ascii=False, indent=2) + "\n"
    lines = []
    for name in library.names():
        query = library.get(name)
        lines.append(f"{name}: {query.summary}")
        lines += [f"    {param_line(p)}" for p in query.params]
    count = len(library)
    lines.append(f"{count} saved quer{'ies' if count != 1 else 'y'}; run one with "
                 "`kg query NAME --param NAME=VALUE`")
    return "\n".join(lines) + "\n"


def describe_query(query: SavedQuery, *, as_json: bool = False) -> str:
    """One saved query for a person about to run it (``kg queries NAME``, ``kg query NAME
    --help``): summary, description, each parameter with its type, example and
    description, and a command line that runs it; or the same as JSON.

    >>> print(describe_query(QueryLibrary.load().get("posts-of-person")), end="")
    posts-of-person: The posts of a person over time
    <BLANKLINE>
    ...
    parameters:
      --param person=<iri>  required. the person (e.g. person:adwar-skenda-putra)
          an IRI (<https://...>, https://..., or prefixed like person:heru-ressandy)
    <BLANKLINE>
    example:
      kg query posts-of-person --param person=person:adwar-skenda-putra
    """
    if as_json:
        return json.dumps(query_json(query), ensure_ascii=False, indent=2) + "\n"
    lines = [f"{query.name}: {query.summary}", ""]
    if query.description:
        lines += ["  " + line for line in wrapped(query.description)] + [""]
    tags = f"; tags: {', '.join(query.tags)}" if query.tags else ""
    lines.append(f"a {query.kind} query, {query.path.parent.name}/{query.path.name}{tags}")
    if query.params:
        lines += ["", "parameters:"]
        for p in query.params:
            lines += [f"  {param_line(p)}", f"      {p.type.expected}"]
    else:
        lines += ["", "parameters: none"]
    lines += ["", "example:", f"  {example_command(query)}"]
    return "\n".join(lines) + "\n"


def param_line(p: Parameter) -> str:
    """``--param NAME=<type>  required. description (e.g. example)``."""
    state = ("required" if p.required
             else f"default {p.default}" if p.default is not None else "optional")
    about = f" {p.description}" if p.description else ""
    example = f" (e.g. {p.example})" if p.example else ""
    return f"--param {p.name}=<{p.type.key}>  {state}.{about}{example}"


def example_command(query: SavedQuery) -> str:
    """A ``kg query`` command line that runs ``query``: each parameter that has an example
    set to it, and each required one (a placeholder of its type when it has none)."""
    import shlex

    words = ["kg", "query", query.name]
    for p in query.params:
        if p.example is not None:
            words += ["--param", shlex.quote(f"{p.name}={p.example}")]
        elif p.required:
            words += ["--param", f"{p.name}=<{p.type.key}>"]
    return " ".join(words)


def wrapped(text: str, width: int = 78) -> list[str]:
    """``text``'s paragraphs (blank-line separated) wrapped to ``width``."""
    import textwrap

    lines: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        if lines:
            lines.append("")
        lines += textwrap.wrap(" ".join(paragraph.split()), width=width)
    return lines


def query_json(query: SavedQuery) -> dict[str, object]:
    """A saved query as the JSON of ``kg queries --format json``."""
    return {"name": query.name, "summary": query.summary, "description": query.description,
            "tags": list(query.tags), "path": str(query.path), "kind": query.kind,
            "params": [{"name": p.name, "type": p.type.key, "required": p.required,
                        "default": p.default, "example": p.example,
                        "description": p.description} for p in query.params],
            "example": example_command(query)}


def run_saved(backend: Backend, query: str | SavedQuery, /, *,
              library: QueryLibrary | None = None, **params: object) -> QueryResult:
    """Run a saved query (by name, from ``library`` or the project's) with ``params`` bound.

    Raises:
        QueryError: no such query, or it fails to run.
        ParameterError: a parameter is missing, unknown, or not of its type.
    """
    if isinstance(query, str):
        if library is None:
            from .project import Project

            query = QueryLibrary.read_one(Project.locate().queries_dir, query)
        else:
            query = library.get(query)
    return backend.run(query.bind(**params))


def unknown_iri_notes(backend: Backend, query: SavedQuery, values: Mapping[str, object]
                      ) -> list[str]:
    """Why a saved query may have answered no rows: for each IRI parameter (as ``values``
    or its default binds it) that names nothing in the graph (no statement has it as
    subject or object), a note naming it, with the closest IRIs under the same project
    namespace (``did you mean post:head-dkumkmp-balikpapan?``).

    Asked by SPARQL on ``backend``, so a remote store answers as the local graph does.

    Raises:
        QueryError, EndpointError: as :meth:`Backend.run`.
    """
    import difflib

    from .prefixes import PREFIXES
    from .terms import shown_iri

    notes = []
    for p in query.params:
        value = values.get(p.name, p.default)
        if p.type is not ParamType.IRI or value is None:
            continue
        iri = p.term(value)
        if backend.run(f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}").boolean:
            continue
        note = f"{shown_iri(iri.value)} names nothing in the graph"
        namespace = max((ns for ns in PREFIXES.values() if iri.value.startswith(ns)),
                        key=len, default=None)
        if namespace:
            found = backend.run(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o "
                                f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{namespace}\")) }}")
            known = {t.value[len(namespace):]: t.value for row in found.rows
                     if (t := row.get("s")) is not None}
            close = difflib.get_close_matches(iri.value[len(namespace):], list(known), n=3,
                                              cutoff=0.6)
            if close:
                note += f"; did you mean {' or '.join(shown_iri(known[c]) for c in close)}?"
        notes.append(f"{note} (--param {p.name})")
    return notes


def run_query(backend: Backend, text: str) -> QueryResult:
    """Run an ad hoc query; the project prefixes need no declaring.

    Raises:
        QueryError: the query does not parse or fails to run.
    """
    return backend.run(text)


# --------------------------------------------------------------------------- reading a file

def read_saved_query(path: Path, *, check_syntax: bool = True) -> SavedQuery:
    """One ``.rq`` file as a :class:`SavedQuery`.

    Raises:
        QueryError: malformed header, unknown parameter type, a parameter the
            query does not use, or a query that does not parse (``file:line``).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot be read: {exc}") from None
    lines = text.splitlines()
    header: list[tuple[int, str]] = []
    body_started = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(HEADER_MARK):
            if body_started:
                raise QueryError(f"{path}:{number}: a `#+` header line after the query has "
                                 "begun; keep the header at the top of the file")
            rest = stripped[len(HEADER_MARK):]
            if rest and not rest.startswith(" "):
                raise QueryError(f"{path}:{number}: write `#+ ` (with a space) before the "
                                 "header text")
            header.append((number, rest[1:]))
        elif stripped and not (stripped.startswith("#") and not header):
            body_started = True
    if not header:
        raise QueryError(f"{path}:1: no `#+` header; a saved query starts with "
                         "`#+ summary: what it answers`")
    meta = HeaderParser(path, header).parse()
    if not isinstance(meta, dict):
        raise QueryError(f"{path}:{header[0][0]}: the header must be `key: value` lines")
    allowed = {"summary", "description", "tags", "params"}
    for key, (value, line) in meta.items():
        if key not in allowed:
            raise QueryError(f"{path}:{line}: unknown header key {key!r}; "
                             f"use {', '.join(sorted(allowed))}")
    summary = text_value(path, meta, "summary", required=True)
    description = text_value(path, meta, "description")
    tags: tuple[str, ...] = ()
    if "tags" in meta:
        value, line = meta["tags"]
        if isinstance(value, str):
            value = [(value, line)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v, _ in value):
            raise QueryError(f"{path}:{line}: `tags` must be a list of words")
        tags = tuple(v for v, _ in value)
    body = "\n".join(line for line in lines if not line.strip().startswith(HEADER_MARK))
    params = read_params(path, meta.get("params"), body)
    kind = "SELECT"
    if check_syntax:
        kind = check_query(path, text)
    if params and where_group_start(text) is None:
        raise QueryError(f"{path}: a query with parameters needs a WHERE group to bind them in "
                         "(the short form `CONSTRUCT WHERE` cannot take parameters)")
    return SavedQuery(name=path.stem, path=path, summary=summary, description=description,
                      tags=tags, params=params, text=text, kind=kind)


def text_value(path: Path, meta: dict[str, tuple[object, int]], key: str, *,
               required: bool = False) -> str:
    if key not in meta:
        if required:
            raise QueryError(f"{path}:1: the header has no `{key}`")
        return ""
    value, line = meta[key]
    if not isinstance(value, str) or not value.strip():
        raise QueryError(f"{path}:{line}: `{key}` must be text")
    return value.strip()


PARAM_KEYS = {"type", "required", "default", "example", "description"}


def read_params(path: Path, entry: tuple[object, int] | None, body: str) -> tuple[Parameter, ...]:
    if entry is None:
        return ()
    value, line = entry
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise QueryError(f"{path}:{line}: `params` must map each parameter name to its "
                         "`type`, `default`, ...")
    used = variables_of(body)
    params = []
    for name, (spec, at) in value.items():
        if not NAME.match(name):
            raise QueryError(f"{path}:{at}: parameter name {name!r} must be letters, digits, _")
        if not isinstance(spec, dict):
            raise QueryError(f"{path}:{at}: parameter {name!r} needs `type:` and other keys "
                             "on the lines below it")
        for key, (_, key_line) in spec.items():
            if key not in PARAM_KEYS:
                raise QueryError(f"{path}:{key_line}: parameter {name!r}: unknown key {key!r}; "
                                 f"use {', '.join(sorted(PARAM_KEYS))}")
        if "type" not in spec:
            raise QueryError(f"{path}:{at}: parameter {name!r} has no `type`")
        type_key, type_line = spec["type"]
        kind = ParamType.from_key(type_key) if isinstance(type_key, str) else None
        if kind is None:
            raise QueryError(f"{path}:{type_line}: parameter {name!r}: unknown type {type_key!r}; "
                             f"use one of {', '.join(t.key for t in ParamType)}")
        scalars: dict[str, str | None] = {}
        for key in ("default", "example", "description", "required"):
            raw, key_line = spec.get(key, (None, at))
            if raw is not None and not isinstance(raw, str):
                raise QueryError(f"{path}:{key_line}: parameter {name!r}: `{key}` must be "
                                 "a single value")
            scalars[key] = raw
        for key in ("default", "example"):
            raw = scalars[key]
            if raw is not None:
                try:
                    check_value(name, kind, raw)
                except ParameterError as exc:
                    raise QueryError(f"{path}:{spec[key][1]}: `{key}` of {exc}") from None
        required_text = scalars["required"]
        if required_text is None:
            required = scalars["default"] is None
        elif required_text.lower() in ("true", "yes"):
            required = True
        elif required_text.lower() in ("false", "no"):
            required = False
        else:
            raise QueryError(f"{path}:{spec['required'][1]}: parameter {name!r}: `required` "
                             "must be true or false")
        if required and scalars["default"] is not None:
            raise QueryError(f"{path}:{spec['required'][1]}: parameter {name!r} is required "
                             "but has a default; drop one of them")
        if name not in used:
            raise QueryError(f"{path}:{at}: parameter {name!r} is not used in the query "
                             f"(no ?{name} in it)")
        params.append(Parameter(name=name, type=kind, required=required,
                                default=scalars["default"], example=scalars["example"],
                                description=(scalars["description"] or "").strip(), line=at))
    return tuple(params)


def check_query(path: Path, text: str) -> str:
    """Parse the query (on an empty store: nothing to run); return its kind.

    Raises:
        QueryError: it does not parse, or is not a query (``file:line:column``).
    """
    import pyoxigraph as ox

    from .sparqltext import query_kind, refuse_service, syntax_error_at

    try:
        kind = query_kind(text)
        refuse_service(text)
    except QueryError as exc:
        raise QueryError(f"{path}: {exc}") from None
    try:
        ox.Store().query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        message = " ".join(str(exc.msg or exc).split())
        found = syntax_error_at(text, message)
        if found:
            line, column, why = found
            raise QueryError(f"{path}:{line}:{column}: the query does not parse: {why}") from None
        raise QueryError(f"{path}: the query does not parse: {message}") from None
    except (OSError, ValueError, RuntimeError):
        pass  # it parsed; running it on an empty store may still object (a SERVICE ...)
    return kind


# --------------------------------------------------------------------------- the header's YAML

class HeaderLine(NamedTuple):
    number: int
    indent: int
    text: str


Value = object  # str | None | list[tuple[Value, int]] | dict[str, tuple[Value, int]]


class HeaderParser:
    """A strict subset of YAML: every value paired with the line it is on.

    Mappings become ``dict[key, (value, line)]``, lists ``list[(value, line)]``,
    scalars ``str`` (``None`` when empty).
    """

    def __init__(self, path: Path, raw: list[tuple[int, str]]) -> None:
        self.path = path
        self.raw = raw
        self.lines: list[HeaderLine] = []
        self.at = 0

    def error(self, line: int, why: str) -> QueryError:
        return QueryError(f"{self.path}:{line}: malformed header: {why}")

    def parse(self) -> Value:
        for number, text in self.raw:
            body = text.rstrip()
            if not body.strip() or body.lstrip().startswith("#"):
                self.lines.append(HeaderLine(number, -1, body))  # blank: kept for | and >
                continue
            indent = len(body) - len(body.lstrip(" "))
            if body[indent] == "\t":
                raise self.error(number, "a tab in the indentation; indent with spaces")
            self.lines.append(HeaderLine(number, indent, body[indent:]))
        self.skip_blank()
        if self.at >= len(self.lines):
            raise self.error(self.raw[0][0], "the header is empty")
        value = self.block(self.lines[self.at].indent)
        self.skip_blank()
        if self.at < len(self.lines):
            line = self.lines[self.at]
            raise self.error(line.number, f"unexpected indentation or text {line.text!r}")
        return value

    def skip_blank(self) -> None:
        while self.at < len(self.lines) and self.lines[self.at].indent < 0:
            self.at += 1

    def current(self) -> HeaderLine | None:
        self.skip_blank()
        return self.lines[self.at] if self.at < len(self.lines) else None

    def block(self, indent: int) -> Value:
        line = self.current()
        assert line is not None
        if line.text == "-" or line.text.startswith("- "):
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> dict[str, tuple[Value, int]]:
        result: dict[str, tuple[Value, int]] = {}
        while (line := self.current()) is not None and line.indent >= indent:
            if line.indent > indent:
                raise self.error(line.number, f"unexpected indentation before {line.text!r}")
            if line.text == "-" or line.text.startswith("- "):
                raise self.error(line.number, "a list item where a `key: value` was expected")
            found = re.match(r"([A-Za-z_][A-Za-z0-9_-]*)[ ]*:(?:[ ]+(.*))?\Z", line.text)
            if not found:
                raise self.error(line.number, f"expected `key: value`, found {line.text!r}")
            key, rest = found.group(1), (found.group(2) or "").strip()
            if key in result:
                raise self.error(line.number, f"key {key!r} appears twice")
            self.at += 1
            result[key] = (self.value_after(line, rest), line.number)
        return result

    def sequence(self, indent: int) -> list[tuple[Value, int]]:
        items: list[tuple[Value, int]] = []
        while (line := self.current()) is not None and line.indent >= indent:
            if line.indent > indent:
                raise self.error(line.number, f"unexpected indentation before {line.text!r}")
            if not (line.text == "-" or line.text.startswith("- ")):
                raise self.error(line.number, f"expected a `- item` line, found {line.text!r}")
            rest = line.text[1:].strip()
            if re.match(r"[A-Za-z_][A-Za-z0-9_-]*[ ]*:(?:[ ]|\Z)", rest):
                # "- key: value": a mapping whose keys line up with this one's
                offset = line.text.index(rest)
                self.lines[self.at] = HeaderLine(line.number, line.indent + offset, rest)
                items.append((self.mapping(line.indent + offset), line.number))
                continue
            self.at += 1
            items.append((self.value_after(line, rest), line.number))
        return items

    def value_after(self, line: HeaderLine, rest: str) -> Value:
        """The value that follows a key or a dash: inline, a block scalar, or a nested block."""
        if rest in ("|", ">", "|-", ">-"):
            return self.block_scalar(line, folded=rest.startswith(">"))
        if rest:
            return self.scalar(rest, line.number)
        nested = self.current()
        if nested is not None and nested.indent > line.indent:
            return self.block(nested.indent)
        return None

    def block_scalar(self, line: HeaderLine, *, folded: bool) -> str:
        parts: list[str] = []
        while self.at < len(self.lines):
            nxt = self.lines[self.at]
            if nxt.indent >= 0 and nxt.indent <= line.indent:
                break
            parts.append(nxt.text.strip() if nxt.indent >= 0 else "")
            self.at += 1
        while parts and not parts[-1]:
            parts.pop()
        if not parts:
            raise self.error(line.number, "a `|` or `>` with no indented text below it")
        if not folded:
            return "\n".join(parts)
        paragraphs = " ".join(p if p else "\n" for p in parts)
        return re.sub(r" ?\n ?", "\n", paragraphs)

    def scalar(self, text: str, number: int) -> Value:
        first = text[0]
        if first == '"':
            try:
                value, end = json.JSONDecoder().raw_decode(text)
            except json.JSONDecodeError:
                raise self.error(number, f"unterminated or malformed quoted text {text!r}") from None
            self.expect_end(text[end:], number)
            return str(value)
        if first == "'":
            found = re.match(r"'((?:[^']|'')*)'", text)
            if not found:
                raise self.error(number, f"unterminated quoted text {text!r}")
            self.expect_end(text[found.end():], number)
            return found.group(1).replace("''", "'")
        if first == "[":
            return self.flow_list(text, number)
        if first in "{&*!%@`|>":
            raise self.error(number, f"{text!r}: YAML's {first!r} is not supported here; "
                                     "quote the value")
        plain = re.split(r"[ ]#", text, maxsplit=1)[0].strip()
        if ": " in plain or plain.endswith(":"):
            raise self.error(number, f"{plain!r} holds `: `; put the value in quotes")
        return plain

    def flow_list(self, text: str, number: int) -> list[tuple[Value, int]]:
        items: list[tuple[Value, int]] = []
        rest = text[1:].strip()
        while True:
            if rest.startswith("]"):
                self.expect_end(rest[1:], number)
                return items
            found = re.match(r'("(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'|[^,\[\]{}"\']+)\s*([,\]])',
                             rest)
            if not found:
                raise self.error(number, f"malformed list {text!r}; write [a, b, c]")
            item = found.group(1).strip()
            items.append((self.scalar(item, number), number))
            rest = rest[found.end(1):].strip()
            if rest.startswith(","):
                rest = rest[1:].strip()
                if rest.startswith("]"):
                    raise self.error(number, f"an empty item in the list {text!r}")

    def expect_end(self, rest: str, number: int) -> None:
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            raise self.error(number, f"unexpected text {rest!r} after the value")


__all__ = ["ParamType", "Parameter", "SavedQuery", "QueryLibrary", "run_saved", "run_query",
           "read_saved_query", "to_term", "check_value", "check_query", "describe_library",
           "describe_query", "unknown_iri_notes"]

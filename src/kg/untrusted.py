"""Reading a file someone hands us: limits, safety and well-formedness checks, while parsing.

A file given to ``kg add`` or ``kg validate`` is untrusted. This module reads
it with bounded memory and time, refuses what would hurt (huge files, deep
nesting, long lists, too many statements, remote JSON-LD contexts) and what
would silently corrupt the graph (ill-typed literals, unknown XSD datatypes,
blank nodes, IRIs with spaces, IRIs made relative to the file's own
location), and says so in one line per problem, naming file and line::

    FILE:LINE[:COLUMN]: what is wrong; what to do

The checks run at three moments:

1. before reading: a regular file, its size on disk (``Limits.max_file_bytes``);
2. the bytes, before parsing: emptiness, encoding, and the nesting depth.
   pyoxigraph keeps every open ``[`` / ``(`` until it closes and yields the
   innermost statements first, so a deep file would fill memory before a
   single statement came out: the depth is scanned first (only when the file
   holds more brackets than the limit, which a plain count tells);
3. while pyoxigraph's streaming parser yields the statements: their number,
   the length of RDF lists (Turtle yields a list's ``rdf:first``/``rdf:rest``
   statements as it reads them), and every new term (literal length and
   datatype, IRI, language tag, blank node). A limit stops the parser at once;
   other problems are gathered (up to 20) and reported together.

pyoxigraph's statements carry no position, and most files have no problem:
so where a problem is written is found only once there is one, by
``_Written``, a small tokenizer that skips strings, IRIs and comments.

Nothing here reaches the network. JSON-LD contexts are made local first
(:func:`kg.parse.resolve_jsonld_contexts`: the shipped one inlined, every
other refused), and pyoxigraph never fetches: a context that slipped through
is its "No LoadDocumentCallback" error, reported as a context that would have
to be fetched.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

import pyoxigraph as ox

from .errors import InputError, LimitError, SourceFileError
from .formats import RdfFormat
from .parse import parse_error, resolve_jsonld_contexts
from .xsd import LEXICAL, XSD
from .xsd import problem as xsd_problem

__all__ = ["Limits", "parse_untrusted"]


class Limits(NamedTuple):
    """How much an untrusted file may ask of us. Each is configurable (``KG_<NAME>``).

    >>> Limits.from_env({"KG_MAX_STATEMENTS": "10"}).max_statements
    10
    >>> Limits().with_overrides(max_depth=8, max_file_bytes=None).max_depth
    8
    """

    max_file_bytes: int = 10 * 1024 * 1024   #: size on disk
    max_literal_chars: int = 20_000          #: one literal's text
    max_iri_chars: int = 2_000               #: one IRI
    max_depth: int = 32                      #: nesting of [ ] ( ) in Turtle/TriG, of { } [ ] in JSON
    max_list_length: int = 1_000             #: members of one RDF list (rdf:first/rdf:rest chain)
    max_statements: int = 200_000            #: statements in one file

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults, overridden by ``KG_MAX_FILE_BYTES``, ``KG_MAX_LITERAL_CHARS``, ...

        Raises:
            InputError: a variable is set to something that is not a positive integer.
        """
        environ = os.environ if environ is None else environ
        changes: dict[str, int] = {}
        for field in cls._fields:
            name = "KG_" + field.upper()
            if name in environ:
                changes[field] = _positive(environ[name], name)
        return cls()._replace(**changes)

    def with_overrides(self, **values: int | None) -> Limits:
        """These limits with the given ones replaced (``None`` keeps the current value)."""
        return self._replace(**{k: v for k, v in values.items() if v is not None})


def _positive(text: str, name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(f"{name}={text!r}: expected a positive whole number")
    return value


# --------------------------------------------------------------------------- the entry point

def parse_untrusted(path: Path, *, fmt: RdfFormat | None = None, limits: Limits | None = None,
                    allow_blank_nodes: bool = False) -> list[ox.Quad]:
    """The statements of one untrusted file, each in its graph, checked as they are parsed.

    Triples of a triples-only format (and TriG/N-Quads/JSON-LD triples outside any
    named graph) are in ``pyoxigraph.DefaultGraph()``. Blank nodes are renamed
    apart, so that two files' ``_:b`` stay two nodes; they are refused unless
    ``allow_blank_nodes`` (``kg validate`` leaves them to the shapes).

    Raises:
        LimitError: over a limit of ``limits`` (else ``Limits.from_env()``): size,
            depth, literal or IRI length, list length, number of statements.
        SourceFileError: missing, not a regular file, empty, not UTF-8, does not
            parse (with line and column), a remote JSON-LD context, an ill-typed
            literal, a blank node, a bad IRI or one relative to the file.
        InputError: several of the problems above (one line each); an unknown suffix.
    """
    limits = limits or Limits.from_env()
    fmt = fmt or RdfFormat.from_path(path)
    raw = _read_bytes(path, limits)
    written = _Written(path, _decode(path, raw), fmt)
    _check_depth(written, raw, limits)
    if fmt is RdfFormat.JSONLD:
        try:
            document = resolve_jsonld_contexts(path, written.text)
        except SourceFileError as exc:
            raise written.placed(exc) from None
        data = json.dumps(document).encode("utf-8")
    else:
        data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # pyoxigraph refuses a BOM
        if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG):
            data = _with_project_prefixes(data, written)
    # JSON-LD leniently: strict, pyoxigraph drops a statement whose IRI or language tag
    # is invalid without a word; lenient, it keeps it and the checks below refuse it.
    parser = ox.parse(data, fmt.ox_format, base_iri=path.resolve().as_uri(),
                      rename_blank_nodes=True, lenient=fmt is RdfFormat.JSONLD)
    return _Reading(written, limits, allow_blank_nodes).statements(parser)


# --------------------------------------------------------------------------- the bytes

def project_prefixes_line() -> bytes:
    """The project's prefixes (:data:`kg.prefixes.PREFIXES`) as Turtle declarations on one
    line, without a line break: put before a file's first line, they keep its line numbers."""
    from .prefixes import PREFIXES

    return "".join(f"@prefix {p}: <{ns}> . " for p, ns in PREFIXES.items()).encode("ascii")


def _with_project_prefixes(data: bytes, written: _Written) -> bytes:
    """Turtle or TriG that may use the project's prefixes without declaring them.

    The declarations go before the file's first line, on that line: every line
    keeps its number, and only columns of line 1 shift (``written.shift``, taken
    off again in an error). A file's own ``@prefix`` of the same name comes
    later, and so wins.
    """
    line = project_prefixes_line()
    written.shift = len(line)
    return line + data


_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
         b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def _read_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes, never more than ``limits.max_file_bytes`` of them.

    Read once, and parsed from memory: the bytes checked are the bytes parsed,
    even if the file changes meanwhile (and a position is found in them).

    Raises:
        LimitError: larger than ``limits.max_file_bytes`` (on disk, or once read).
        SourceFileError: missing, a folder, a device or pipe, unreadable, empty.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceFileError(path, "no such file") from None
    except OSError as exc:
        raise SourceFileError(path, f"cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceFileError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise SourceFileError(path, "is not a regular file (a device, pipe or socket)")
    if info.st_size > limits.max_file_bytes:
        raise LimitError(f"{path}: {info.st_size} bytes, over the limit of "
                         f"{limits.max_file_bytes} bytes; split the file, or raise the limit "
                         "(--max-file-bytes / KG_MAX_FILE_BYTES)")
    try:
        with path.open("rb") as stream:
            raw = stream.read(limits.max_file_bytes + 1)  # the file may grow after stat()
    except OSError as exc:
        raise SourceFileError(path, f"cannot be read: {exc.strerror}") from None
    if len(raw) > limits.max_file_bytes:
        raise LimitError(f"{path}: over the limit of {limits.max_file_bytes} bytes; split the "
                         "file, or raise the limit (--max-file-bytes / KG_MAX_FILE_BYTES)")
    if not raw.strip():
        raise SourceFileError(path, "is empty: no statements to read")
    return raw


def _decode(path: Path, raw: bytes) -> str:
    """The bytes as UTF-8 text (a UTF-8 byte order mark dropped).

    Raises:
        SourceFileError: UTF-16/32 (by its byte order mark), binary (a NUL byte), or not
            UTF-8, naming the line and column of the first bad byte.
    """
    for bom, name in _BOMS.items():
        if raw.startswith(bom):
            raise SourceFileError(path, f"is {name} text; save it as UTF-8", line=1)
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise SourceFileError(path, "is a binary file, not RDF text",
                              line=raw.count(b"\n", 0, nul) + 1)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        start = raw.rfind(b"\n", 0, exc.start) + 1
        column = len(raw[start:exc.start].decode("utf-8", "replace")) + 1
        raise SourceFileError(path, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                              "save it as UTF-8", line=line, column=column) from None


def _check_depth(written: _Written, raw: bytes, limits: Limits) -> None:
    """Refuse brackets nested deeper than ``limits.max_depth``: ``[ ]`` ``( )`` in the Turtle
    family, ``{ }`` ``[ ]`` in JSON (before ``json.loads`` recurses into them).

    Raises:
        LimitError: naming where the limit is crossed.
    """
    json_ld = written.fmt is RdfFormat.JSONLD
    opening = (b"{", b"[") if json_ld else (b"[", b"(")
    if sum(raw.count(bracket) for bracket in opening) <= limits.max_depth:
        return  # too few brackets to nest that deep: no need to scan
    depth = 0
    for kind, start, _ in written.tokens():
        if kind == "open":
            depth += 1
            if depth > limits.max_depth:
                what = "JSON nested" if json_ld else "brackets nested"
                raise written.limit(start, f"{what} deeper than {limits.max_depth} levels "
                                    "(--max-depth / KG_MAX_DEPTH)")
        elif kind == "close":
            depth = max(0, depth - 1)


# --------------------------------------------------------------------------- the statements

RDF_REST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
_MAX_PROBLEMS = 20
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LANGUAGE_TAG = re.compile(LEXICAL[XSD + "language"])


class _Problem(NamedTuple):
    """Something wrong with a term, and how to find where it is written (once all is read)."""

    reason: str
    find: Callable[[_Written], int | None]


class _ListChains:
    """``rdf:rest`` links joined into chains as they stream by, in any order.

    A chain is known by its two ends, so that joining costs a dictionary
    look-up whatever the list's length (memory: two entries per chain). A
    structure that is no list (a node with two ``rdf:rest``) is counted
    roughly, never beyond its number of links.
    """

    def __init__(self) -> None:
        self.by_head: dict[object, tuple[object, int]] = {}  # head -> (tail, links)
        self.by_tail: dict[object, tuple[object, int]] = {}  # tail -> (head, links)

    def link(self, node: object, rest: object) -> tuple[object, int]:
        """Add ``node rdf:rest rest``; return the head and number of links of its chain."""
        head, before = self.by_tail.pop(node, (node, 0))
        tail, after = self.by_head.pop(rest, (rest, 0))
        links = before + 1 + after
        self.by_head[head] = (tail, links)
        self.by_tail[tail] = (head, links)
        return head, links


class _Reading:
    """One pass over the parser's statements: limits at once, problems gathered."""

    def __init__(self, written: _Written, limits: Limits, allow_blank_nodes: bool) -> None:
        self.written = written
        self.limits = limits
        self.allow_blank_nodes = allow_blank_nodes
        self.file_base = written.path.resolve().parent.as_uri()
        self.problems: list[_Problem] = []
        self.quads: list[ox.Quad] = []
        self.blank_node: ox.BlankNode | None = None  # the first one met, when they are refused

    def statements(self, parser: Iterator[ox.Quad]) -> list[ox.Quad]:
        quads = self.quads
        seen: set[object] = set()
        chains = _ListChains()
        limit = self.limits.max_statements
        try:
            for count, quad in enumerate(parser, 1):
                quads.append(quad)
                if count > limit:
                    raise LimitError(f"{self.written.path}: more than {limit} statements, over "
                                     "the limit; split the file, or raise the limit "
                                     "(KG_MAX_STATEMENTS)")
                subject, predicate, value, graph = quad
                if predicate == RDF_REST:
                    head, links = chains.link(subject, value)
                    if links > self.limits.max_list_length:
                        raise self._long_list(head)
                for term in (subject, predicate, value, graph):
                    if term not in seen:
                        seen.add(term)
                        self._check(term)
                if len(self.problems) + (self.blank_node is not None) >= _MAX_PROBLEMS:
                    break
        except SyntaxError as exc:  # what was gathered before is moot: the file does not parse
            raise self.written.syntax_error(exc) from None
        if not quads:
            raise SourceFileError(self.written.path, "holds no statements (only prefixes or "
                                  "comments?)")
        if self.problems or self.blank_node is not None:
            raise self._report()
        return quads

    def _check(self, term: object) -> None:
        """Gather what is wrong with one new term; raise at once when it is over a limit."""
        limits = self.limits
        if isinstance(term, ox.Literal):
            value = term.value
            if len(value) > limits.max_literal_chars:
                raise self.written.limit(
                    self.written.string(value), f"a literal of {len(value)} characters, over the "
                    f"limit of {limits.max_literal_chars} (--max-literal-chars / "
                    "KG_MAX_LITERAL_CHARS)")
            language = term.language
            if language:
                if not _LANGUAGE_TAG.fullmatch(language):
                    self._gather(f"the language tag @{language} is not a language tag "
                                 "(BCP 47); write one such as @id or @en",
                                 lambda w: w.first(json.dumps(language), language))
                return
            datatype = term.datatype.value
            why = xsd_problem(value, datatype)
            if why is not None:
                self._gather(f"ill-typed literal: {why}; fix the value or its datatype",
                             lambda w: w.string(value))
            elif not datatype.startswith(XSD):  # a parser checks it, a lenient one does not
                self._check_iri(datatype)
        elif isinstance(term, ox.NamedNode):
            self._check_iri(term.value)
        elif isinstance(term, ox.BlankNode):
            if not self.allow_blank_nodes and self.blank_node is None:
                self.blank_node = term

    def _check_iri(self, iri: str) -> None:
        written = self.written
        if len(iri) > self.limits.max_iri_chars:
            raise written.limit(written.first(f"<{iri}>", json.dumps(iri), iri),
                                f"an IRI of {len(iri)} characters, over the limit of "
                                f"{self.limits.max_iri_chars} (KG_MAX_IRI_CHARS)")
        bad = _iri_problem(iri)
        if bad:
            self._gather(f"the IRI <{iri}> holds {bad[1]}, which IRIs may not; "
                         f"{_iri_advice(bad[2])}", lambda w: w.iri(iri, bad[0]))
        elif iri.startswith("file:"):
            local = iri[len(self.file_base):].lstrip("/") if iri.startswith(self.file_base) else iri
            self._gather(f"the relative IRI <{local}> was resolved against the file's own "
                         "location; write the full IRI (https://kg.example/...)",
                         lambda w: w.relative_iri(local))
        elif not _SCHEME.match(iri):  # only a lenient parser lets one through
            self._gather(f"the IRI <{iri}> is relative (it has no scheme such as https:); write "
                         "the full IRI, or a term the JSON-LD context defines",
                         lambda w: w.first(json.dumps(iri), f"<{iri}>", iri))

    def _gather(self, reason: str, find: Callable[[_Written], int | None]) -> None:
        self.problems.append(_Problem(reason, find))

    def _blank_node_error(self, node: ox.BlankNode) -> SourceFileError:
        """The first blank node, shown as it is written: ``[``, ``( ... )``, ``_:x``, ``{`` without ``@id``."""
        written = self.written
        advice = ("kg needs an IRI for every node (see ontology/README.md), so that adding a "
                  "file twice adds nothing; give it an IRI such as "
                  "https://kg.example/id/<kind>/<name>")
        if written.fmt is RdfFormat.JSONLD:
            around = [q for q in self.quads if q.subject == node or q.object == node]
            return written.error(written.json_node_of(around),
                                 f'a node object without "@id": {advice}')
        first = written.first_blank_node()
        token = first[1] if first else None
        shown = {None: "a blank node", "[": "a blank node ([ ... ])",
                 "(": "an RDF list ( ... ), made of blank nodes"}.get(
            token, f"the blank node {token}")
        return written.error(first[0] if first else None, f"{shown}: {advice}")

    def _long_list(self, head: object) -> LimitError:
        written = self.written
        message = (f"an RDF list of more than {self.limits.max_list_length} members, over the "
                   "limit; split the list, or raise the limit (KG_MAX_LIST_LENGTH)")
        offset = written.first_list()
        if offset is None and isinstance(head, ox.NamedNode):
            offset = written.first(f"<{head.value}>", head.value)
        return written.limit(offset, message)

    def _report(self) -> InputError:
        """One error naming every problem gathered, in the order they are written."""
        errors = [self.written.error(problem.find(self.written), problem.reason)
                  for problem in self.problems]
        if self.blank_node is not None:
            errors.append(self._blank_node_error(self.blank_node))
        errors.sort(key=lambda e: (e.line or 0, e.column or 0))
        if len(errors) == 1:
            return errors[0]
        return InputError("\n".join(str(e) for e in errors))


# --------------------------------------------------------------------------- IRIs

_IRI_BAD_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))")


def _iri_problem(iri: str) -> tuple[int, str, str] | None:
    """Where an IRI holds a character IRIs may not, what it looks like, and which character."""
    bad = _IRI_BAD_CHAR.search(iri)
    if bad is None:
        return None
    escape = _ESCAPE.match(iri, bad.start())
    if escape:  # an escaped character, \u0020: still not allowed once unescaped
        with contextlib.suppress(ValueError, OverflowError):
            char = chr(int(escape.group(1) or escape.group(2), 16))
            if _IRI_BAD_CHAR.fullmatch(char):
                return bad.start(), f"{escape.group()} ({_char_name(char)})", char
    return bad.start(), _char_name(bad.group()), bad.group()


def _iri_advice(char: str) -> str:
    return f"write it as {quote(char, safe='')} (or remove it)"


def _char_name(char: str) -> str:
    names = {" ": "a space", "\t": "a tab", "\n": "a line break", "\\": "a backslash"}
    return names.get(char, f"the character {char!r}")


# --------------------------------------------------------------------------- where it is written

# Turtle, TriG, N-Triples, N-Quads: strings, IRIs and comments are skipped as wholes,
# so that a bracket or quote inside them is not taken for structure.
_Q = "\x27"  # a single quote, kept out of the pattern's own quoting
# (Strings are matched as "unrolled loops", a run of plain characters at a time: several
# times faster than a character at a time.)
_TURTLE_TOKEN = re.compile(
    r"(?P<comment>#[^\n\r]*)"
    r'|(?P<string>"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    rf"|{_Q}{_Q}{_Q}[^{_Q}\\]*(?:(?:\\.|{_Q}(?!{_Q}{_Q}))[^{_Q}\\]*)*{_Q}{_Q}{_Q}"
    r'|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"'
    rf"|{_Q}[^{_Q}\\\n\r]*(?:\\.[^{_Q}\\\n\r]*)*{_Q})"
    r"|(?P<iri><[^<>]*>)"
    r"|(?P<bnode>_:[^\s.;,)\]}]*)"
    r"|(?P<open>[\[(])"
    r"|(?P<close>[\])])",
    re.DOTALL)
_JSON_TOKEN = re.compile(r'(?P<string>"[^"\\]*(?:\\.[^"\\]*)*")|(?P<open>[\[{])|(?P<close>[\]}])')
#: Where a token may start: the scan jumps from one to the next (a search in C) instead of
#: trying every pattern at every character.
_TURTLE_START = re.compile(r"[#\"'<\[\]()]|_:")
_JSON_START = re.compile(r'["\[\]{}]')
_KEY_FOLLOWS = re.compile(r"\s*:")
_NOT_NODES = {"@value", "@list", "@set", "@id"}


class _Written:
    """The file's text, and where things are written in it.

    Only asked after parsing, for the problems found (or while scanning the
    nesting depth): each question scans the text from its start and stops at
    the first answer, holding nothing in between.
    """

    def __init__(self, path: Path, text: str, fmt: RdfFormat) -> None:
        self.path = path
        self.text = text
        self.fmt = fmt
        #: characters put before line 1 of what was parsed (the project's prefixes)
        self.shift = 0

    # ---- positions and errors

    def where(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def error(self, offset: int | None, reason: str) -> SourceFileError:
        if offset is None:
            return SourceFileError(self.path, reason)
        line, column = self.where(offset)
        return SourceFileError(self.path, reason, line=line, column=column)

    def limit(self, offset: int | None, reason: str) -> LimitError:
        if offset is None:
            return LimitError(f"{self.path}: {reason}")
        line, column = self.where(offset)
        return LimitError(f"{self.path}:{line}:{column}: {reason}")

    def offset_of(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column (columns count characters)."""
        start = 0
        for _ in range(line - 1):
            start = self.text.find("\n", start) + 1
            if start == 0:
                return len(self.text)
        return min(start + max(column, 1) - 1, len(self.text))

    # ---- tokens

    def tokens(self) -> Iterator[tuple[str, int, int]]:
        """(kind, start, end) of each string, IRI, blank node label, bracket, comment."""
        json_ld = self.fmt is RdfFormat.JSONLD
        search = (_JSON_START if json_ld else _TURTLE_START).search
        match = (_JSON_TOKEN if json_ld else _TURTLE_TOKEN).match
        text, position = self.text, 0
        while (found := search(text, position)) is not None:
            token = match(text, found.start())
            if token is None:  # an unterminated string, a lone "<": not a token
                position = found.start() + 1
                continue
            yield token.lastgroup or "", token.start(), token.end()
            position = token.end()

    def _unquote(self, token: str) -> str:
        if self.fmt is RdfFormat.JSONLD:
            try:
                value = json.loads(token)
            except ValueError:
                return token
            return value if isinstance(value, str) else token
        quote_len = 3 if token[:3] in ('"""', "'''") else 1
        body = token[quote_len:-quote_len]
        if "\\" not in body:
            return body
        return re.sub(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)', _unescape, body, flags=re.DOTALL)

    def _is_key(self, end: int) -> bool:
        return self.fmt is RdfFormat.JSONLD and bool(_KEY_FOLLOWS.match(self.text, end))

    # ---- questions

    def first(self, *needles: str) -> int | None:
        """Where the first of these texts is first written (anywhere, not only as a token)."""
        hits = [self.text.find(n) for n in needles if n]
        hits = [h for h in hits if h >= 0]
        return min(hits) if hits else None

    def string(self, value: str) -> int | None:
        """Where a string (a literal's text, a JSON value) with this content is first written."""
        for kind, start, end in self.tokens():
            if kind == "string" and not self._is_key(end) and \
                    self._unquote(self.text[start:end]) == value:
                return start
        return self.first(json.dumps(value) if self.fmt is RdfFormat.JSONLD else value)

    def iri(self, iri: str, bad: int) -> int | None:
        """Where the bad character at ``bad`` of ``iri`` is written (or the IRI, or near it)."""
        found = self.first(iri[:bad + 1])
        if found is not None:
            return found + bad
        tail = re.split(r"[/#:]", iri[:bad])[-1] + iri[bad:]  # written as prefix:local
        found = self.first(tail, json.dumps(iri))
        if found is not None:
            return found
        return self.first(iri[:bad])

    def relative_iri(self, local: str) -> int | None:
        found = self.first(f"<{local}>", json.dumps(local), local)
        if found is None:  # made relative by a prefix or @base declared with a relative IRI
            for kind, start, end in self.tokens():
                if kind == "iri" and not _SCHEME.match(self.text, start + 1):
                    return start
        return found

    def first_blank_node(self) -> tuple[int, str] | None:
        """The first ``[``, non-empty ``(`` or ``_:label`` (Turtle family), and how it is written."""
        for kind, start, end in self.tokens():
            token = self.text[start:end]
            if kind == "bnode":
                return start, token
            if kind == "open":
                if token == "(" and self.text[end:end + 200].lstrip().startswith(")"):
                    continue  # () is rdf:nil
                return start, token
        return None

    def first_list(self) -> int | None:
        """Where the first non-empty ``( ... )`` of the file opens."""
        for kind, start, end in self.tokens():
            if kind == "open" and self.text[start] == "(" and \
                    not self.text[end:end + 200].lstrip().startswith(")"):
                return start
        return None

    def json_nodes(self) -> Iterator[tuple[int, frozenset[str]]]:
        """(offset, keys) of each JSON object that is a node without ``@id``, as it closes."""
        # A frame per open bracket: [is_object, offset, keys, key it sits under, in @context]
        stack: list[tuple[bool, int, set[str], str | None, bool]] = []
        pending_key: str | None = None
        for kind, start, end in self.tokens():
            if kind == "string":
                if stack and stack[-1][0] and self._is_key(end):
                    pending_key = self._unquote(self.text[start:end])
                    stack[-1][2].add(pending_key)
                else:
                    pending_key = None
            elif kind == "open":
                parent = pending_key if stack and stack[-1][0] else (stack[-1][3] if stack else None)
                in_context = bool(stack) and (stack[-1][4] or parent in ("@context", "@reverse"))
                stack.append((self.text[start] == "{", start, set(), parent, in_context))
                pending_key = None
            elif stack:
                is_object, offset, keys, parent, in_context = stack.pop()
                if (is_object and not in_context and parent not in ("@context", "@reverse")
                        and not keys & _NOT_NODES and keys - {"@context", "@graph"}):
                    yield offset, frozenset(keys)
                pending_key = None

    def json_node_of(self, quads: list[ox.Quad]) -> int | None:
        """Where the JSON object that became a blank node is written: the first id-less object
        with a key naming a property of ``quads`` (else the first id-less object)."""
        names = {_local_name(q.predicate.value) for q in quads}
        first: int | None = None
        for offset, keys in self.json_nodes():
            if {k.split(":")[-1] for k in keys} & names:
                return offset
            first = offset if first is None else first
        return first

    # ---- errors of others, placed

    def placed(self, error: SourceFileError) -> SourceFileError:
        """An error that gave no position, placed where the value it quotes is written."""
        if error.line is not None:
            return error
        quoted = re.search(r"'([^']+)'|\"([^\"]+)\"", error.reason)
        if quoted is None:
            return error
        value = quoted.group(1) or quoted.group(2)
        import ast  # an error's path only (4 ms of start-up)

        with contextlib.suppress(ValueError, SyntaxError):  # a repr: '\u03a2' is one character
            value = str(ast.literal_eval(quoted.group()))
        offset = self.string(value)
        return self.error(offset, error.reason) if offset is not None else error

    def syntax_error(self, exc: SyntaxError) -> SourceFileError:
        """pyoxigraph's SyntaxError in words a user can act on, at the line and column it names.

        A JSON-LD document is parsed as re-serialized with its contexts inlined, so the
        parser's position is not the file's: the quoted value is looked for instead.
        """
        if self.shift and exc.lineno == 1 and exc.offset is not None:  # the prefixes put first
            exc.offset = max(1, exc.offset - self.shift)
            if exc.end_lineno == 1 and exc.end_offset is not None:
                exc.end_offset = max(1, exc.end_offset - self.shift)
        error = parse_error(self.path, exc)
        why = error.reason.removeprefix("syntax error: ")
        if "would have to be fetched" in why:  # a context resolve_jsonld_contexts missed
            return error
        if self.fmt is RdfFormat.JSONLD or error.line is None:
            return self.placed(SourceFileError(self.path, error.reason))
        offset = self.offset_of(error.line, error.column or 1)
        end = self.offset_of(exc.end_lineno or error.line, exc.end_offset or error.column or 1)
        return self._explained(why, offset, end) or error

    def _explained(self, why: str, offset: int, end: int) -> SourceFileError | None:
        """The parser's message turned into ours, for the errors people make most."""
        written = self.text[offset:end]
        if why.startswith("Invalid IRI code point"):
            iri = written[1:-1] if written.startswith("<") else written
            bad = _iri_problem(iri)
            if bad is not None:
                shift = 1 if written.startswith("<") else 0
                return self.error(offset + shift + bad[0], f"the IRI {written} holds {bad[1]}, "
                                  f"which IRIs may not; {_iri_advice(bad[2])}")
        prefix = re.match(r"The prefix (\S*): has not been declared", why)
        if prefix:
            name = prefix.group(1)
            return self.error(offset, f'syntax error: Prefix "{name}:" not bound; declare it '
                              f"(@prefix {name}: <https://...> .) or write the full IRI")
        if why.startswith("No scheme found in an absolute IRI"):
            return self.error(offset, f"the relative IRI {written} cannot be resolved here; "
                              "write the full IRI (https://kg.example/...)")
        if "is expected at the end of" in why or "dot is expected at the end" in why:
            return self.error(offset, "syntax error: expected '.' or '}' or ']' at end of "
                              "statement; did the statement before miss its ';' or '.'?")
        if why.startswith("Expecting a datatype IRI after ^^"):
            return self.error(offset, "syntax error: after ^^ a datatype must follow, as <IRI> "
                              "or prefix:name (e.g. xsd:integer)")
        if why.startswith("Unexpected end"):
            return self.error(offset, "syntax error: the file ends inside a statement (a string, "
                              "bracket or graph left open?)")
        return None


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}.get(code, code)


def _local_name(iri: str) -> str:
    return re.split(r"[/#:]", iri)[-1]

"""Reading a file someone hands us: limits, safety and well-formedness checks.

A file given to ``kg add`` or ``kg validate`` is untrusted. This module reads
it with bounded memory, refuses what would hurt (huge files, deep nesting that
would exhaust the parser's stack, remote JSON-LD contexts) and what would
silently corrupt the graph (ill-typed literals, blank nodes, IRIs with spaces,
IRIs made relative to the file's own location), and says so in one line per
problem, naming file and line::

    FILE:LINE[:COLUMN]: what is wrong; what to do

The checks run at three moments:

1. before reading: the size on disk (``Limits.max_file_bytes``), a regular file;
2. before parsing: the text (encoding, emptiness, nesting depth, literal length,
   IRIs with spaces), with a small tokenizer that skips strings, IRIs and comments;
3. after parsing: every term (ill-typed literals, blank nodes, IRIs, list length,
   number of statements).

Nothing here reaches the network. JSON-LD contexts are made local by
:func:`kg.load.resolve_jsonld_contexts` (every ``@context`` and ``@import``, at
any depth); while rdflib parses, its context fetcher is replaced by one that
refuses, so that a context we failed to make local is an error, not a download.
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import os
import re
import stat
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .errors import InputError, LimitError, SourceFileError
from .formats import RdfFormat

__all__ = ["Limits", "parse_untrusted", "read_untrusted", "check_text", "no_fetching",
           "quiet_rdflib"]


@dataclass(frozen=True)
class Limits:
    """How much an untrusted file may ask of us. Each is configurable (``KG_<NAME>``)."""

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
        for f in fields(cls):
            name = "KG_" + f.name.upper()
            if name in environ:
                changes[f.name] = _positive(environ[name], name)
        return replace(cls(), **changes)

    def with_overrides(self, **values: int | None) -> Limits:
        """These limits with the given ones replaced (``None`` keeps the current value)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


def _positive(text: str, name: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(f"{name}={text!r}: expected a positive whole number")
    return value


# --------------------------------------------------------------------------- reading

_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32",
         b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def read_untrusted(path: Path, limits: Limits) -> str:
    """The file's text, read with bounded memory.

    Raises:
        LimitError: larger than ``limits.max_file_bytes`` (checked before reading).
        SourceFileError: missing, not a regular file, empty, binary, or not UTF-8.
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
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceFileError(path, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                              "save it as UTF-8", line=line, column=column) from None


# --------------------------------------------------------------------------- the text

# Turtle, TriG, N-Triples, N-Quads: strings, IRIs and comments are skipped as wholes,
# so that a bracket or quote inside them is not taken for structure.
_Q = "\x27"  # a single quote, kept out of the pattern's own quoting
_TURTLE_TOKEN = re.compile(
    r"(?P<comment>#[^\n\r]*)"
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""'
    rf"|{_Q}{_Q}{_Q}(?:[^{_Q}\\]|\\.|{_Q}(?!{_Q}{_Q}))*{_Q}{_Q}{_Q}"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    rf"|{_Q}(?:[^{_Q}\\\n\r]|\\.)*{_Q})"
    r"|(?P<iri><[^<>]*>)"
    r"|(?P<bnode>_:[^\s.;,)\]}]*)"
    r"|(?P<open>[\[(])"
    r"|(?P<close>[\])])",
    re.DOTALL)

_JSON_TOKEN = re.compile(r'(?P<string>"(?:[^"\\]|\\.)*")|(?P<open>[\[{])|(?P<close>[\]}])')
_IRI_BAD_CHAR = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass
class TextIndex:
    """What the pre-parse scan saw: used afterwards to name the line of a problem."""

    path: Path
    text: str
    fmt: RdfFormat
    strings: list[Token]
    iris: list[Token]                 # Turtle family: <...> as written
    blank_nodes: list[Token]          # Turtle: [ ( _:x ; JSON-LD: node objects without @id
    json_nodes: list[tuple[int, frozenset[str]]]  # JSON-LD: (offset, keys) of id-less objects

    def where(self, offset: int) -> tuple[int, int]:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, column

    def error(self, offset: int | None, reason: str) -> SourceFileError:
        if offset is None:
            return SourceFileError(self.path, reason)
        line, column = self.where(offset)
        return SourceFileError(self.path, reason, line=line, column=column)

    def string_offset(self, value: str) -> int | None:
        """Where a string token with this content first occurs."""
        for token in self.strings:
            if _unquote(token.text, self.fmt) == value:
                return token.offset
        quoted = json.dumps(value) if self.fmt is RdfFormat.JSONLD else None
        found = self.text.find(quoted or value)
        return found if found >= 0 else None

    def first_offset(self, *needles: str) -> int | None:
        hits = [self.text.find(n) for n in needles if n]
        hits = [h for h in hits if h >= 0]
        return min(hits) if hits else None


def _unquote(token: str, fmt: RdfFormat) -> str:
    if fmt is RdfFormat.JSONLD:
        try:
            value = json.loads(token)
        except ValueError:
            return token
        return value if isinstance(value, str) else token
    quote = 3 if token[:3] in ('"""', "'''") else 1
    body = token[quote:-quote]
    if "\\" not in body:
        return body
    return re.sub(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)', _unescape, body, flags=re.DOTALL)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f"}.get(code, code)


def check_text(path: Path, text: str, fmt: RdfFormat, limits: Limits) -> TextIndex:
    """Scan the text before parsing it: nesting depth, literal length, IRIs with spaces.

    Raises:
        LimitError: nesting deeper than ``max_depth``, a literal longer than
            ``max_literal_chars``, an IRI longer than ``max_iri_chars``.
        SourceFileError: an IRI with a space or another character IRIs may not hold.
    """
    index = TextIndex(path, text, fmt, [], [], [], [])
    if fmt is RdfFormat.JSONLD:
        _scan_json(index, limits)
    else:
        _scan_turtle(index, limits)
    return index


def _limit(index: TextIndex, offset: int, reason: str) -> LimitError:
    line, column = index.where(offset)
    return LimitError(f"{index.path}:{line}:{column}: {reason}")


def _scan_turtle(index: TextIndex, limits: Limits) -> None:
    depth = 0
    for match in _TURTLE_TOKEN.finditer(index.text):
        kind = match.lastgroup or ""
        token = Token(kind, match.group(), match.start())
        if kind == "string":
            index.strings.append(token)
            datatype = _DATATYPE_AFTER.match(index.text, match.end())
            if datatype and not datatype.group(1):  # rdflib's parser fails without a position
                raise index.error(datatype.end(), "syntax error: after ^^ a datatype must "
                                  "follow, as <IRI> or prefix:name (e.g. xsd:integer)")
            if len(token.text) - 2 > limits.max_literal_chars:
                raise _limit(index, token.offset,
                             f"a literal of {len(token.text) - 2} characters, over the limit of "
                             f"{limits.max_literal_chars} (--max-literal-chars / "
                             "KG_MAX_LITERAL_CHARS)")
        elif kind == "iri":
            index.iris.append(token)
            iri = token.text[1:-1]
            if len(iri) > limits.max_iri_chars:
                raise _limit(index, token.offset, f"an IRI of {len(iri)} characters, over the "
                             f"limit of {limits.max_iri_chars}")
            bad = _iri_problem(iri)
            if bad:
                raise index.error(token.offset + 1 + bad[0], f"the IRI {token.text} holds "
                                  f"{bad[1]}, which IRIs may not; write it as %20 (or remove it)")
        elif kind == "bnode":
            index.blank_nodes.append(token)
        elif kind == "open":
            depth += 1
            if depth > limits.max_depth:
                raise _limit(index, token.offset, f"brackets nested deeper than "
                             f"{limits.max_depth} levels (--max-depth / KG_MAX_DEPTH)")
            rest = index.text[match.end():match.end() + 200].lstrip()
            if not (token.text == "(" and rest.startswith(")")):  # () is rdf:nil
                index.blank_nodes.append(token)
        elif kind == "close":
            depth = max(0, depth - 1)


_KEY_FOLLOWS = re.compile(r"\s*:")
_DATATYPE_AFTER = re.compile(r"\^\^\s*(<|[^\W\d_][\w.-]*:|:)?")
_NOT_NODES = {"@value", "@list", "@set", "@id"}


def _scan_json(index: TextIndex, limits: Limits) -> None:
    # A frame per open bracket: [is_object, offset, keys, key it sits under, inside @context]
    stack: list[tuple[bool, int, set[str], str | None, bool]] = []
    pending_key: str | None = None
    text = index.text
    for match in _JSON_TOKEN.finditer(text):
        kind = match.lastgroup
        offset = match.start()
        if kind == "string":
            token = Token("string", match.group(), offset)
            if len(token.text) - 2 > limits.max_literal_chars:
                raise _limit(index, offset, f"a string of {len(token.text) - 2} characters, over "
                             f"the limit of {limits.max_literal_chars} (--max-literal-chars / "
                             "KG_MAX_LITERAL_CHARS)")
            if stack and stack[-1][0] and _KEY_FOLLOWS.match(text, match.end()):
                pending_key = _unquote(token.text, RdfFormat.JSONLD)
                stack[-1][2].add(pending_key)
            else:
                index.strings.append(token)
                pending_key = None
        elif kind == "open":
            if len(stack) >= limits.max_depth:
                raise _limit(index, offset, f"JSON nested deeper than {limits.max_depth} levels "
                             "(--max-depth / KG_MAX_DEPTH)")
            parent_key = pending_key if stack and stack[-1][0] else (stack[-1][3] if stack else None)
            in_context = bool(stack) and (stack[-1][4] or parent_key in ("@context", "@reverse"))
            stack.append((match.group() == "{", offset, set(), parent_key, in_context))
            pending_key = None
        else:
            if not stack:
                continue
            is_object, start, keys, parent_key, in_context = stack.pop()
            if (is_object and not in_context and parent_key not in ("@context", "@reverse")
                    and not keys & _NOT_NODES and keys - {"@context", "@graph"}):
                index.json_nodes.append((start, frozenset(keys)))
            pending_key = None


def _iri_problem(iri: str) -> tuple[int, str] | None:
    """Where an IRI holds a character IRIs may not, and which (None when it is clean)."""
    bad = _IRI_BAD_CHAR.search(iri)
    if bad is None:
        return None
    escape = re.match(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8}))", iri[bad.start():])
    if escape:  # an escaped character, \u0020: still not allowed once unescaped
        try:
            char = chr(int(escape.group(1) or escape.group(2), 16))
            return bad.start(), f"{escape.group()} ({_char_name(char)})"
        except (ValueError, OverflowError):
            pass
    return bad.start(), _char_name(bad.group())


def _with_position(error: SourceFileError, index: TextIndex) -> SourceFileError:
    """A parser's error that gave no position, placed where the value it quotes is written."""
    reason = error.reason
    offset = None
    excerpt = re.search(r" at \^ in (.*)$", reason, re.DOTALL)
    if excerpt:  # rdflib's "... at ^ in <before>^<after>" without a position
        reason = reason[:excerpt.start()]
        text = excerpt.group(1)
        for cut in [m.start() for m in re.finditer(r"\^", text)]:
            found = index.text.find(text[:cut] + text[cut + 1:])
            if found >= 0:
                offset = found + cut
                break
    quoted = re.search(r"'([^']+)'|\"([^\"]+)\"", reason)
    if offset is None and quoted:
        value = quoted.group(1) or quoted.group(2)
        with contextlib.suppress(ValueError, SyntaxError):  # a repr: '\u03a2' is one character
            value = str(ast.literal_eval(quoted.group()))
        offset = index.string_offset(value)
        if offset is None:
            offset = index.first_offset(value)
    return index.error(offset, reason) if offset is not None else error


def _char_name(char: str) -> str:
    names = {" ": "a space", "\t": "a tab", "\n": "a line break", "\\": "a backslash"}
    return names.get(char, f"the character {char!r}")


# --------------------------------------------------------------------------- parsing

@contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Keep rdflib's warnings (and the tracebacks it logs for ill-typed literals) off stderr.

    What they warn about is checked and reported properly afterwards.
    """
    logger = logging.getLogger("rdflib")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


@contextmanager
def no_fetching(path: Path) -> Iterator[None]:
    """While parsing: rdflib's JSON-LD context loader refuses instead of downloading.

    The contexts were made local before parsing; this is the second lock on the
    same door, so that a context form we did not foresee fails loudly.
    """
    from rdflib.plugins.shared.jsonld import context as jsonld_context

    original = jsonld_context.source_to_json

    def refuse(source: object, *args: object, **kwargs: object) -> object:
        raise SourceFileError(path, f"JSON-LD context {str(source)!r} would have to be fetched; "
                              "kg never fetches: inline the context")

    jsonld_context.source_to_json = refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        jsonld_context.source_to_json = original


def parse_untrusted(path: Path, *, fmt: RdfFormat | None = None, limits: Limits | None = None,
                    allow_blank_nodes: bool = False) -> Dataset:
    """Parse one untrusted file into a new Dataset, after and before every check.

    Triples of a triples-only format (and TriG/N-Quads/JSON-LD triples outside any
    named graph) are in the dataset's default graph.

    Raises:
        LimitError: over a limit of ``limits`` (size, literal length, depth, list, count).
        SourceFileError: unreadable, empty, not UTF-8, does not parse (with line and
            column), a remote JSON-LD context, an ill-typed literal, a blank node,
            an IRI with a space or relative to the file.
        InputError: several of the problems above (one line each).
    """
    from .load import new_dataset, parse_into

    limits = limits or Limits.from_env()
    fmt = fmt or RdfFormat.from_path(path)
    text = read_untrusted(path, limits)
    index = check_text(path, text, fmt, limits)
    dataset = new_dataset()
    try:
        with quiet_rdflib(), no_fetching(path):
            parse_into(dataset, path, fmt=fmt, text=text)
    except SourceFileError as exc:
        if exc.line is not None:
            raise
        raise _with_position(exc, index) from None
    except RecursionError:
        raise LimitError(f"{path}: nested too deeply to parse; reduce the nesting "
                         f"(limit {limits.max_depth} levels)") from None
    check_terms(dataset, index, limits, allow_blank_nodes=allow_blank_nodes)
    return dataset


# --------------------------------------------------------------------------- the terms

_XSD_LEXICAL = {
    XSD.gYear: re.compile(r"-?\d{4,}(Z|[+-]\d{2}:\d{2})?"),
    XSD.gYearMonth: re.compile(r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?"),
    XSD.gMonthDay: re.compile(r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d{2}:\d{2})?"),
    XSD.gMonth: re.compile(r"--(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?"),
    XSD.gDay: re.compile(r"---(0[1-9]|[12]\d|3[01])(Z|[+-]\d{2}:\d{2})?"),
    XSD.language: re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*"),
    XSD.anyURI: re.compile(r"[^\s<>\"{}|^`\\]*"),
}
_XSD_KNOWN = {
    "string", "boolean", "decimal", "integer", "double", "float", "date", "time", "dateTime",
    "dateTimeStamp", "duration", "dayTimeDuration", "yearMonthDuration", "gYear", "gYearMonth",
    "gMonthDay", "gMonth", "gDay", "hexBinary", "base64Binary", "anyURI", "language",
    "normalizedString", "token", "NMTOKEN", "Name", "NCName", "long", "int", "short", "byte",
    "nonNegativeInteger", "nonPositiveInteger", "positiveInteger", "negativeInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
}


def literal_problem(literal: Literal) -> str | None:
    """Why a literal's text is not a value of its datatype, or None when it is."""
    datatype = literal.datatype
    if datatype is None:
        return None
    if str(datatype).startswith(str(XSD)) and str(datatype)[len(str(XSD)):] not in _XSD_KNOWN:
        return f"unknown XSD datatype <{datatype}>"
    pattern = _XSD_LEXICAL.get(datatype)
    bad = literal.ill_typed if pattern is None else not pattern.fullmatch(str(literal))
    if bad:
        return f"{str(literal)!r} is not a valid {_short(datatype)}"
    return None


def _short(iri: URIRef) -> str:
    text = str(iri)
    return "xsd:" + text[len(str(XSD)):] if text.startswith(str(XSD)) else f"<{text}>"


def check_terms(dataset: Dataset, index: TextIndex, limits: Limits, *,
                allow_blank_nodes: bool = False) -> None:
    """Check every parsed term; raise one error naming every problem (at most 20).

    Raises:
        LimitError: too many statements, or an RDF list longer than the limit.
        SourceFileError: one problem (file:line: reason).
        InputError: several problems, one per line.
    """
    path = index.path
    quads = list(dataset.quads((None, None, None, None)))
    if len(quads) > limits.max_statements:
        raise LimitError(f"{path}: {len(quads)} statements, over the limit of "
                         f"{limits.max_statements}; split the file (KG_MAX_STATEMENTS)")
    if not quads:
        raise SourceFileError(path, "holds no statements (only prefixes or comments?)")
    _check_lists(dataset, index, limits)
    problems: list[SourceFileError] = []
    seen: set[object] = set()
    blank_reported = False
    file_base = path.resolve().parent.as_uri()
    for s, p, o, g in quads:
        for term in (s, p, o, g):
            if term in seen:
                continue
            seen.add(term)
            problem = _term_problem(term, index, limits, file_base)
            if problem is not None:
                problems.append(problem)
            elif isinstance(term, BNode) and not allow_blank_nodes and not blank_reported:
                blank_reported = True
                problems.append(_blank_node_problem(dataset, term, index))
        if len(problems) >= 20:
            break
    if not problems:
        return
    problems.sort(key=lambda e: (e.line or 0, e.column or 0))
    if len(problems) == 1:
        raise problems[0]
    raise InputError("\n".join(str(e) for e in problems))


def _term_problem(term: object, index: TextIndex, limits: Limits,
                  file_base: str) -> SourceFileError | None:
    if isinstance(term, Literal):
        if len(term) > limits.max_literal_chars:
            offset = index.string_offset(str(term))
            return index.error(offset, f"a literal of {len(term)} characters, over the limit of "
                               f"{limits.max_literal_chars} (--max-literal-chars)")
        why = literal_problem(term)
        if why is not None:
            offset, written = _literal_offset(term, index)
            if written is not None and term.datatype is not None and why.startswith("'"):
                why = f"{written!r} is not a valid {_short(term.datatype)}"
            return index.error(offset, f"ill-typed literal: {why}; fix the value or its datatype")
        return None
    if isinstance(term, URIRef):
        text = str(term)
        if text.startswith("urn:x-rdflib:"):  # the default graph's name
            return None
        bad = _iri_problem(text)
        if bad:
            tail = re.split(r"[/#:]", text[:bad[0]])[-1] + text[bad[0]:]
            offset = next((o for o in map(index.first_offset, (
                text, text[:bad[0] + 1], tail, text[:bad[0]])) if o is not None), None)
            return index.error(offset, f"the IRI <{text}> holds {bad[1]}, which IRIs may not; "
                               "write it as %20 (or remove it)")
        if len(text) > limits.max_iri_chars:
            return index.error(index.first_offset(text), f"an IRI of {len(text)} characters, "
                               f"over the limit of {limits.max_iri_chars}")
        if text.startswith("file:"):
            local = text[len(file_base):].lstrip("/") if text.startswith(file_base) else text
            offset = index.first_offset(f"<{local}>", json.dumps(local), local)
            if offset is None:  # made relative by a prefix declared with a relative IRI
                offset = next((t.offset for t in index.iris
                               if not re.match(r"<[A-Za-z][A-Za-z0-9+.-]*:", t.text)), None)
            return index.error(offset, f"the relative IRI <{local}> was resolved against the "
                               "file's own location; write the full IRI (https://kg.example/...)")
    return None


def _literal_offset(literal: Literal, index: TextIndex) -> tuple[int | None, str | None]:
    """Where the literal is written, and how (rdflib may have rewritten its text)."""
    offset = index.string_offset(str(literal))
    if offset is not None:
        return offset, str(literal)
    # a "weird boolean" ("yes") is read as "false": find the first string in the
    # file that is ill-typed for this datatype
    for token in index.strings:
        written = _unquote(token.text, index.fmt)
        with quiet_rdflib():
            candidate = Literal(written, datatype=literal.datatype)
        if literal_problem(candidate) is not None:
            return token.offset, written
    return None, None


def _blank_node_problem(dataset: Dataset, node: BNode, index: TextIndex) -> SourceFileError:
    offset: int | None = None
    if index.fmt is RdfFormat.JSONLD:
        names = {_local_name(p) for p in dataset.predicates(node, None)} | \
            {_local_name(p) for _, p, _, _ in dataset.quads((None, None, node, None))}
        for start, keys in index.json_nodes:
            if {k.split(":")[-1] for k in keys} & names:
                offset = start
                break
        if offset is None and index.json_nodes:
            offset = index.json_nodes[0][0]
        shown = 'a node object without "@id"'
    else:
        first = index.blank_nodes[0] if index.blank_nodes else None
        offset = first.offset if first else None
        shown = {None: "a blank node", "[": "a blank node ([ ... ])",
                 "(": "an RDF list ( ... ), made of blank nodes"}.get(
            first.text if first else None, f"the blank node {first.text if first else ''}")
    return index.error(offset, f"{shown}: kg needs an IRI for every node (see "
                       "ontology/README.md), so that adding a file twice adds nothing; give it "
                       "an IRI such as https://kg.example/id/<kind>/<name>")


def _local_name(iri: object) -> str:
    return re.split(r"[/#:]", str(iri))[-1]


def _check_lists(dataset: Dataset, index: TextIndex, limits: Limits) -> None:
    rest = {s: o for s, _, o, _ in dataset.quads((None, RDF.rest, None, None))}
    if len(rest) <= limits.max_list_length:
        return
    objects = set(rest.values())
    for head in rest:
        if head in objects:
            continue
        length, node = 0, head
        while node in rest and length <= limits.max_list_length:
            length, node = length + 1, rest[node]
        if length > limits.max_list_length:
            offset = next((t.offset for t in index.blank_nodes if t.text == "("), None)
            if offset is None and isinstance(head, URIRef):
                offset = index.first_offset(str(head))
            message = (f"an RDF list of more than {limits.max_list_length} members, over the "
                       "limit (--max-list-length / KG_MAX_LIST_LENGTH)")
            if offset is None:
                raise LimitError(f"{index.path}: {message}")
            raise _limit(index, offset, message)

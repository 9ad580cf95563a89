"""Reading any RDF file, trusted or not: the project's own straight into a store.

Files of ``data/`` and ``ontology/`` are the project's: they are read by
pyoxigraph straight into a store, no statement passing through Python. What
every reader shares, free of rdflib: a file's text as UTF-8, JSON-LD documents
with their ``@context`` references made local (the shipped context inlined,
any other refused: nothing here reaches the network), and pyoxigraph's
``SyntaxError`` as a :class:`~kg.errors.SourceFileError` naming
file:line:column. Files someone hands us are read by :mod:`kg.untrusted`,
with limits and checks on top of this.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, SourceFileError
from .formats import RdfFormat
from .prefixes import BASE

#: The IRI under which the shipped JSON-LD context may be referenced; it is
#: resolved to ``src/kg/context.jsonld``, never fetched.
CONTEXT_IRI = BASE + "context.jsonld"
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")

RDF_SUFFIXES = {fmt.extension for fmt in RdfFormat} | {".json"}


def rdf_files(folder: Path) -> list[Path]:
    """The RDF files in a folder (not recursive, hidden files skipped), sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in RDF_SUFFIXES
                  and not p.name.startswith("."))


def rdf_inputs(given: Iterable[str | Path]) -> list[Path]:
    """The files to read: each file given, and the RDF files of each folder given (sorted by
    name, hidden files skipped, not recursive).

    Raises:
        InputError: a folder holds no RDF file.
    """
    found: list[Path] = []
    for path in map(Path, given):
        if path.is_dir():
            files = rdf_files(path)
            if not files:
                raise InputError(f"{path}: a folder with no RDF file in it (.ttl .trig .nt .nq "
                                 ".jsonld); give the files, or the folder that holds them")
            found += files
        else:
            found.append(path)
    return found


def load_file(store: ox.Store, path: Path, *, fmt: RdfFormat | None = None,
              to_graph: ox.NamedNode | None = None, bulk: bool = False) -> None:
    """Read one trusted file into ``store``: its named graphs as they are, its triples into
    ``to_graph`` (default: the default graph). ``bulk``: pyoxigraph's bulk loader (on-disk
    stores; not transactional).

    Raises:
        SourceFileError: the file is missing, unreadable, or does not parse.
    """
    fmt = fmt or RdfFormat.from_path(path)
    graph = to_graph if to_graph is not None else ox.DefaultGraph()
    loader = store.bulk_load if bulk else store.load
    try:
        if fmt is RdfFormat.JSONLD:
            loader(jsonld_bytes(path), format=ox.RdfFormat.JSON_LD, base_iri=path.resolve().as_uri(),
                   to_graph=graph)
        else:
            _refuse_binary(path)
            loader(path=str(path), format=fmt.ox_format, base_iri=path.resolve().as_uri(),
                   to_graph=graph)
    except SyntaxError as exc:
        raise parse_error(path, exc) from None
    except OSError as exc:
        raise SourceFileError(path, _os_reason(exc)) from None


def quads_of(path: Path, *, fmt: RdfFormat | None = None) -> Iterator[ox.Quad]:
    """The quads of one trusted file, as pyoxigraph parses them (triples in the default graph).

    Raises:
        SourceFileError: the file is missing, unreadable, or does not parse.
    """
    fmt = fmt or RdfFormat.from_path(path)
    try:
        if fmt is RdfFormat.JSONLD:
            yield from ox.parse(jsonld_bytes(path), ox.RdfFormat.JSON_LD,
                                base_iri=path.resolve().as_uri())
        else:
            _refuse_binary(path)
            yield from ox.parse(path=str(path), format=fmt.ox_format,
                                base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        raise parse_error(path, exc) from None
    except OSError as exc:
        raise SourceFileError(path, _os_reason(exc)) from None


def _refuse_binary(path: Path) -> None:
    with path.open("rb") as stream:
        if b"\x00" in stream.read(4096):
            raise SourceFileError(path, "is a binary file, not RDF text")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    return f"cannot be read: {exc.strerror or exc}"


def parse_error(path: Path, exc: SyntaxError) -> SourceFileError:
    """pyoxigraph's SyntaxError (``Parser error at line L column C: why``) as a SourceFileError."""
    why = str(exc.msg if exc.msg else exc)
    if why.startswith("Parser error at line"):
        why = why.split(": ", 1)[-1]
    if "LoadDocumentCallback" in why:
        why = ("a JSON-LD context would have to be fetched; kg never fetches contexts: inline "
               f"it, or use the shipped one ({CONTEXT_IRI})")
        return SourceFileError(path, why)
    return SourceFileError(path, f"syntax error: {' '.join(why.split())}", line=exc.lineno,
                           column=exc.offset)


def read_text(path: Path) -> str:
    """A file's text, as UTF-8.

    Raises:
        SourceFileError: missing, unreadable, binary, or not UTF-8.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, _os_reason(exc)) from None
    if b"\x00" in raw:
        raise SourceFileError(path, "is a binary file, not RDF text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceFileError(path, "is not UTF-8 text; save it as UTF-8", line=line) from None


def jsonld_bytes(path: Path, text: str | None = None) -> bytes:
    """A JSON-LD file with its contexts made local, as bytes for the parser.

    Raises:
        SourceFileError: unreadable, not JSON, or a context that would have to be fetched.
    """
    import json

    document = resolve_jsonld_contexts(path, read_text(path) if text is None else text)
    return json.dumps(document).encode("utf-8")


def resolve_jsonld_contexts(path: Path, text: str) -> object:
    """The JSON-LD document with every ``@context`` reference made local.

    The shipped context (``CONTEXT_IRI``) is inlined; any other referenced
    context is refused, because fetching it would reach the network.

    Raises:
        SourceFileError: not JSON, or a context that is not the shipped one.
    """
    import json

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"not JSON: {exc.msg}", line=exc.lineno,
                              column=exc.colno) from None
    shipped: object | None = None

    # A context can hide a reference in many places: a string or list at "@context",
    # "@import" inside a context, a "@context" inside a context, a term's scoped
    # "@context" (property- or type-scoped), at any depth of the document. Every one
    # is made local here; the parser is left nothing it could fetch.
    def local(ref: object) -> object:
        nonlocal shipped
        if isinstance(ref, str):
            if ref.rstrip("#") != CONTEXT_IRI:
                raise SourceFileError(
                    path, f"JSON-LD context {ref!r} would have to be fetched; kg never fetches "
                    f"contexts: inline it, or use the shipped one ({CONTEXT_IRI})")
            if shipped is None:
                shipped = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
            return shipped
        if isinstance(ref, list):
            return [local(item) for item in ref]
        if isinstance(ref, dict):
            merged: dict[str, object] = {}
            if "@import" in ref:  # JSON-LD 1.1: the imported context, then this one's terms
                imported = local(ref["@import"]) if isinstance(ref["@import"], str) else None
                if not isinstance(imported, dict):
                    raise SourceFileError(path, "JSON-LD @import must name a context document")
                merged.update(imported)
            for key, value in ref.items():
                if key != "@import":
                    merged[key] = local(value) if key == "@context" else walk(value)
            return merged
        return ref

    def walk(node: object) -> object:
        if isinstance(node, dict):
            return {key: (local(value) if key == "@context" else walk(value))
                    for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(document)


__all__ = ["CONTEXT_IRI", "CONTEXT_FILE", "RDF_SUFFIXES", "rdf_files", "load_file", "quads_of",
           "parse_error", "read_text", "jsonld_bytes", "resolve_jsonld_contexts"]

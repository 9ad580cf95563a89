"""Writing the graph out: Turtle, N-Triples, JSON-LD, TriG, N-Quads (the mirror of load.py).

TriG, N-Quads and JSON-LD keep every named graph, so the source article of
each statement travels with it; Turtle and N-Triples have no graphs and hold
the union of the selected graphs. JSON-LD is compacted with the shipped
context (``src/kg/context.jsonld``), inlined so that the file is readable by
any JSON-LD processor without fetching anything; :func:`kg.load.load_graph`
also reads documents that reference that context by its IRI.

Files are written atomically: a temporary file in the same folder, flushed to
disk, then renamed over the target, so an error never leaves half a file.

>>> from kg.load import load_graph
>>> text = export(load_graph(), RdfFormat.TRIG)
>>> text.startswith("@prefix")
True
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .errors import InputError
from .formats import RdfFormat
from .load import CONTEXT_FILE, KnowledgeGraph, new_dataset
from .namespaces import KG, PREFIXES, SOURCE, bind_prefixes

#: Terms of standard vocabularies given short keys in the JSON-LD context.
STANDARD_TERMS = {
    "label": "rdfs:label",
    "comment": "rdfs:comment",
    "prefLabel": "skos:prefLabel",
    "altLabel": "skos:altLabel",
    "definition": "skos:definition",
    "editorialNote": "skos:editorialNote",
    "inScheme": "skos:inScheme",
    "description": "dct:description",
    "identifier": "dct:identifier",
    "isPartOf": "dct:isPartOf",
    "hasPart": "dct:hasPart",
    "headline": "schema:headline",
    "publisher": "schema:publisher",
    "author": "schema:author",
    "inLanguage": "schema:inLanguage",
    "wasDerivedFrom": "prov:wasDerivedFrom",
    "wasAttributedTo": "prov:wasAttributedTo",
    "dataSet": "qb:dataSet",
    "refArea": "sdmx-dimension:refArea",
    "refPeriod": "sdmx-dimension:refPeriod",
    "obsValue": "sdmx-measure:obsValue",
    "unitMeasure": "sdmx-attribute:unitMeasure",
    "member": "org:member",
    "memberDuring": "org:memberDuring",
    "postIn": "org:postIn",
    "inXSDDate": "time:inXSDDate",
    "hasBeginning": "time:hasBeginning",
    "hasEnd": "time:hasEnd",
    "inside": "time:inside",
}

JSONLD_KEYWORDS = {"type", "id", "graph", "value", "language", "context", "base", "vocab"}


def export(graph: KnowledgeGraph, fmt: RdfFormat, *, source: str | None = None) -> str:
    """The graph (or the one source graph ``source`` names) serialized as ``fmt``.

    Formats without graphs (Turtle, N-Triples) hold the union of the selected graphs.

    Raises:
        InputError: ``source`` names no source graph of ``graph``.
    """
    names = [resolve_source(graph, source)] if source is not None else graph.source_graphs()
    if not fmt.has_graphs:
        union = Graph()
        bind_prefixes(union)
        for name in names:
            for triple in graph.dataset.graph(name):
                union.add(triple)
        return union.serialize(format=fmt.rdflib_name)
    selected = dataset_of(graph, names)
    if fmt is RdfFormat.JSONLD:
        return selected.serialize(format="json-ld", context=shipped_context(), indent=2)
    return selected.serialize(format=fmt.rdflib_name)


def resolve_source(graph: KnowledgeGraph, name: str) -> URIRef:
    """The source graph that ``name`` means: a full IRI, ``source:STEM``, or the bare ``STEM``.

    Raises:
        InputError: no source graph of ``graph`` has that name; the message lists the known ones.
    """
    known = graph.source_graphs()
    text = name.strip().removeprefix("<").removesuffix(">")
    prefix, colon, local = text.partition(":")
    candidates = {text, str(SOURCE) + text}
    if colon and prefix in PREFIXES:
        candidates.add(PREFIXES[prefix] + local)
    for candidate in known:
        if str(candidate) in candidates:
            return candidate
    listed = ", ".join(f"source:{str(g).removeprefix(str(SOURCE))}" if str(g).startswith(str(SOURCE))
                       else str(g) for g in known)
    raise InputError(f"no source graph {name!r}; known: {listed or '(none loaded)'}")


def write_atomically(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``: all of it or, on any error, nothing.

    Raises:
        InputError: the folder does not exist or cannot be written.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: no folder {folder}")
    if target.is_dir():
        raise InputError(f"cannot write {target}: it is a folder")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                                 suffix=".part")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); an export is an ordinary file.
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    sync_folder(folder)


def sync_folder(folder: Path) -> None:
    """Flush the folder entry of a renamed file to disk, where the OS allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def shipped_context() -> dict[str, Any]:
    """The ``@context`` of ``src/kg/context.jsonld``."""
    document = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    context: dict[str, Any] = document["@context"]
    return context


def build_context(ontology: Graph | None = None) -> dict[str, Any]:
    """The JSON-LD context document: every project prefix and a short key per term.

    Our own properties (``kg:``) are keyed by their local name, with ``"@type":
    "@id"`` for object properties and the datatype for datatype properties
    whose range is one XSD type; a few standard terms get short keys too
    (``STANDARD_TERMS``). A key that would clash with a prefix (``kg:sector`` vs
    ``sector:``) is left out: such terms keep their compact IRI.
    """
    context: dict[str, Any] = {"@version": 1.1}
    context.update(PREFIXES)
    taken = set(PREFIXES) | JSONLD_KEYWORDS
    terms: dict[str, Any] = {key: {"@id": iri} for key, iri in STANDARD_TERMS.items()}
    if ontology is not None:
        properties = {prop for cls in (OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
                      for prop in ontology.subjects(RDF.type, cls)
                      if isinstance(prop, URIRef) and str(prop).startswith(str(KG))}
        for prop in sorted(properties):
            local = str(prop)[len(str(KG)):]
            if not local or not local.replace("_", "").isalnum():
                continue
            definition: dict[str, str] = {"@id": f"kg:{local}"}
            if (prop, RDF.type, OWL.ObjectProperty) in ontology:
                definition["@type"] = "@id"
            else:
                ranges = [r for r in ontology.objects(prop, RDFS.range) if isinstance(r, URIRef)]
                if (len(ranges) == 1 and str(ranges[0]).startswith(str(XSD))
                        and ranges[0] != XSD.string):
                    definition["@type"] = f"xsd:{str(ranges[0])[len(str(XSD)):]}"
            terms.setdefault(local, definition)
    for key in sorted(terms):
        if key not in taken:
            context[key] = terms[key]
    return {"@context": context}


def write_context(ontology: Graph | None = None, path: Path = CONTEXT_FILE) -> None:
    """Regenerate ``src/kg/context.jsonld`` from the prefixes and the ontology."""
    text = json.dumps(build_context(ontology), indent=2, ensure_ascii=False) + "\n"
    write_atomically(path, text)


def dataset_of(graph: KnowledgeGraph, names: list[URIRef]) -> Dataset:
    """A new Dataset holding copies of the named graphs ``names``."""
    selected = new_dataset()
    for name in names:
        target = selected.graph(name)
        for triple in graph.dataset.graph(name):
            target.add(triple)
    return selected


if __name__ == "__main__":  # pragma: no cover - maintenance: python -m kg.export
    from .load import load_ontology

    write_context(load_ontology())
    print(f"wrote {CONTEXT_FILE}")

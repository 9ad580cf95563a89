"""Writing the graph out: TriG, N-Quads, JSON-LD, Turtle, N-Triples (the mirror of parse.py).

TriG, N-Quads and JSON-LD keep every named graph, so the source article of
each statement travels with it, and the vocabulary graphs (ontology and code
lists) go along, so that whoever receives the data gets the labels of its
codes, classes and properties. Turtle and N-Triples have no graphs: they hold
the union of the source graphs (each triple once), with the vocabulary only
when asked (``vocabulary=True``).

Everything is streamed: pyoxigraph writes TriG, N-Quads, Turtle and
N-Triples; JSON-LD is written here, one node object at a time, compacted with
the shipped context (``src/kg/context.jsonld``, inlined so that any JSON-LD
processor reads the file without fetching anything): prefixed names, the
context's short keys (``prefLabel``, ``obsValue``...), and values in their
exact lexical form (``{"@value": "19.23", "@type": "xsd:decimal"}``, never a
JSON number, which a reader would turn into a double). Reading the file back
gives the same statements (``tests/test_export.py``).

A publisher's ``base`` (``kg export --base URL``) mints the graph's IRIs under their
own domain: every IRI under ``https://kg.example/`` is written under ``base`` instead
(graph names, subjects, predicates, objects, datatypes; the prefixes and the JSON-LD
context with them), term by term, never in literal text.

>>> from kg.graph import load_graph
>>> export(load_graph(), RdfFormat.TRIG)[:7]
b'@prefix'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from .errors import InputError
from .formats import RdfFormat
from .graph import KnowledgeGraph
from .parse import CONTEXT_FILE
from .prefixes import BASE, PREFIXES, SOURCE_PREFIX
from .jsonld import jsonld_chunks, shipped_context
from .terms import compact

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


def export(graph: KnowledgeGraph, fmt: RdfFormat | str, output: IO[bytes] | None = None, *,
           source: str | None = None, vocabulary: bool | None = None,
           expanded: bool = False, base: str | None = None) -> bytes | None:
    """The graph (or the one source graph ``source`` names) written as ``fmt``: an
    :class:`~kg.formats.RdfFormat`, or its name (``"turtle"``, ``"trig"``, ``"nq"``,
    ``"jsonld"`` ..., as :meth:`RdfFormat.from_name` reads it).

    Formats with graphs hold every source graph and, unless ``vocabulary`` is
    False (default: True without ``source``), the vocabulary graphs; Turtle
    and N-Triples hold the union of the selected graphs (the vocabulary only
    with ``vocabulary=True``). Written to ``output`` (a binary stream), else returned.
    ``expanded``: JSON-LD as pyoxigraph writes it, full IRIs and no context (twice as
    fast at a million statements: no statement passes through Python).
    ``base``: the published base IRI in place of ``https://kg.example/`` (:func:`check_base`).

    Raises:
        InputError: ``source`` names no source graph of ``graph``, ``fmt`` no RDF format,
            or ``base`` is not an http(s) URL ending with ``/``.
    """
    fmt = rdf_format(fmt)
    base = check_base(base) if base is not None else None
    if vocabulary is None:
        vocabulary = source is None and fmt.has_graphs
    names = [resolve_source(graph, source)] if source is not None else graph.source_graphs()
    if vocabulary:
        names += graph.vocabulary_graphs()
    quads: Iterable[ox.Quad] = (q for name in names
                                for q in graph.store.quads_for_pattern(None, None, None, name))
    if base is not None:
        quads = rebased(quads, base)
    if fmt is RdfFormat.JSONLD and not expanded:
        context = shipped_context()
        return _write(jsonld_chunks(quads, rebased_prefixes(context, base)
                                    if base is not None else context), output)
    statements: Iterable[ox.Quad] | Iterable[ox.Triple] = quads
    if not fmt.has_graphs:  # the union, each triple once
        statements = cast("Iterable[ox.Triple]", graph.store.query(
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
            named_graphs=list[ox.NamedNode | ox.BlankNode](names)))
        if base is not None:
            statements = rebased(statements, base)
    prefixes = (rebased_prefixes(PREFIXES, base) if base is not None else PREFIXES) if fmt in (
        RdfFormat.TRIG, RdfFormat.TURTLE) else None
    if output is None:
        return ox.serialize(statements, format=fmt.ox_format, prefixes=prefixes) or b""
    ox.serialize(statements, output, format=fmt.ox_format, prefixes=prefixes)
    return None


def export_to(graph: KnowledgeGraph, fmt: RdfFormat | str, path: str | Path, *,
              source: str | None = None, vocabulary: bool | None = None,
              expanded: bool = False, base: str | None = None) -> None:
    """:func:`export` to a file, atomically: all of it, or on an error nothing (an old file stays).

    Raises:
        InputError: ``source`` names no source graph, ``fmt`` no RDF format, ``base`` is
            not a base URL, or the file cannot be written.
    """
    from .atomic import atomic_file

    fmt = rdf_format(fmt)
    if source is not None:
        resolve_source(graph, source)  # before the file is touched
    if base is not None:
        check_base(base)
    with atomic_file(path) as stream:
        export(graph, fmt, stream, source=source, vocabulary=vocabulary, expanded=expanded,
               base=base)


# --------------------------------------------------------------------------- a publisher's base

def check_base(url: str) -> str:
    """``url`` if it can stand for ``https://kg.example/``: an http(s) URL with a host, ending with ``/``.

    Raises:
        InputError: it is not one (the message says what to give).
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise InputError(f"--base {url!r}: the published base must be an http(s) URL with a host, "
                         "such as https://data.example.org/kg/")
    if not url.endswith("/"):
        raise InputError(f"--base {url!r}: the published base must end with '/' (IRIs are "
                         f"minted by appending to it): {url}/")
    return url


def rebased(statements: Iterable[Any], base: str) -> Iterator[Any]:
    """``statements`` (quads or triples) with every IRI under ``https://kg.example/`` under ``base``."""
    seen: dict[str, ox.NamedNode] = {}

    def node(term: Any) -> Any:
        if isinstance(term, ox.NamedNode):
            if not term.value.startswith(BASE):
                return term
            found = seen.get(term.value)
            if found is None:
                if len(seen) > 200_000:  # bounded: a national graph names millions of things
                    seen.clear()
                found = seen[term.value] = ox.NamedNode(rebased_iri(term.value, base))
            return found
        if isinstance(term, ox.Literal) and term.datatype.value.startswith(BASE):
            return ox.Literal(term.value, datatype=node(term.datatype))
        return term

    for st in statements:
        if isinstance(st, ox.Quad):
            yield ox.Quad(node(st.subject), node(st.predicate), node(st.object),
                          node(st.graph_name))
        else:
            yield ox.Triple(node(st.subject), node(st.predicate), node(st.object))


def rebased_iri(iri: str, base: str) -> str:
    """``iri`` under ``base`` if it is under ``https://kg.example/``, else ``iri``."""
    return base + iri[len(BASE):] if iri.startswith(BASE) else iri


def rebased_prefixes(prefixes: dict[str, Any], base: str) -> dict[str, Any]:
    """Prefixes (or a JSON-LD context) with the namespaces under ``https://kg.example/`` under ``base``."""
    return {key: rebased_iri(value, base) if isinstance(value, str) else value
            for key, value in prefixes.items()}


def rdf_format(fmt: RdfFormat | str) -> RdfFormat:
    """``fmt``, or the format it names.

    Raises:
        InputError: neither an RdfFormat nor the name of one (the message lists the names).
    """
    if isinstance(fmt, RdfFormat):
        return fmt
    if isinstance(fmt, str):
        return RdfFormat.from_name(fmt)
    known = ", ".join(f.name.lower() for f in RdfFormat)
    raise InputError(f"the format is {type(fmt).__name__}, neither a kg.RdfFormat nor one of "
                     f"the names {known}")


def _write(chunks: Iterator[str], output: IO[bytes] | None) -> bytes | None:
    if output is None:
        return "".join(chunks).encode("utf-8")
    for chunk in chunks:
        output.write(chunk.encode("utf-8"))
    return None


def resolve_source(graph: KnowledgeGraph, name: str) -> ox.NamedNode:
    """The source graph that ``name`` means: a full IRI, ``source:STEM``, or the bare ``STEM``.

    Raises:
        InputError: no source graph of ``graph`` has that name; the message lists some known ones.
    """
    text = name.strip().removeprefix("<").removesuffix(">")
    prefix, colon, local = text.partition(":")
    candidates = [text, SOURCE_PREFIX + text]
    if colon and prefix in PREFIXES:
        candidates.insert(0, PREFIXES[prefix] + local)
    known = set(graph.source_graphs())
    for candidate in candidates:
        if "://" in candidate and ox.NamedNode(candidate) in known:
            return ox.NamedNode(candidate)
    listed = sorted(compact(g.value) for g in known)
    shown = ", ".join(listed[:5]) + (f" ... ({len(listed)} in all)" if len(listed) > 5 else "")
    raise InputError(f"no source graph {name!r}; known: {shown or '(none)'}")


# --------------------------------------------------------------------------- the context

def build_context(graph: KnowledgeGraph | None = None) -> dict[str, Any]:
    """The JSON-LD context document: every project prefix and a short key per term.

    Our own properties (``kg:``) are keyed by their local name, with ``"@type":
    "@id"`` for object properties and the datatype for datatype properties
    whose range is one XSD type (read from the vocabulary graphs); a few
    standard terms get short keys too (``STANDARD_TERMS``). A key that would
    clash with a prefix (``kg:sector`` vs ``sector:``) is left out: such terms
    keep their prefixed name.
    """
    context: dict[str, Any] = {"@version": 1.1}
    context.update(PREFIXES)
    taken = set(PREFIXES) | JSONLD_KEYWORDS
    terms: dict[str, Any] = {key: {"@id": iri} for key, iri in STANDARD_TERMS.items()}
    if graph is not None:
        kg_ns, xsd = PREFIXES["kg"], PREFIXES["xsd"]
        rows = graph.query(
            "SELECT ?p ?kind (SAMPLE(?r) AS ?range) (COUNT(DISTINCT ?r) AS ?ranges) WHERE { "
            "VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty rdf:Property } "
            "?p a ?kind OPTIONAL { ?p rdfs:range ?r FILTER(isIRI(?r)) } "
            f"FILTER(STRSTARTS(STR(?p), \"{kg_ns}\")) }} GROUP BY ?p ?kind").rows
        kinds: dict[str, set[str]] = {}
        ranges: dict[str, str | None] = {}
        for row in rows:
            prop = row["p"].value  # type: ignore[union-attr]
            kinds.setdefault(prop, set()).add(row["kind"].value)  # type: ignore[union-attr]
            single = row["range"] is not None and int(row["ranges"].value) == 1  # type: ignore[union-attr]
            ranges[prop] = row["range"].value if single else None  # type: ignore[union-attr]
        for prop in sorted(kinds):
            local = prop[len(kg_ns):]
            if not local or not local.replace("_", "").isalnum():
                continue
            definition: dict[str, str] = {"@id": f"kg:{local}"}
            datatype = ranges.get(prop)
            if PREFIXES["owl"] + "ObjectProperty" in kinds[prop]:
                definition["@type"] = "@id"
            elif datatype and datatype.startswith(xsd) and datatype != xsd + "string":
                definition["@type"] = f"xsd:{datatype[len(xsd):]}"
            terms.setdefault(local, definition)
    for key in sorted(terms):
        if key not in taken:
            context[key] = terms[key]
    return {"@context": context}


def write_context(graph: KnowledgeGraph | None = None, path: Path = CONTEXT_FILE) -> None:
    """Regenerate ``src/kg/context.jsonld`` from the prefixes and the ontology."""
    from .atomic import write_atomically

    text = json.dumps(build_context(graph), indent=2, ensure_ascii=False) + "\n"
    write_atomically(path, text)


if __name__ == "__main__":  # pragma: no cover - maintenance: python -m kg.export
    from .graph import load_graph

    write_context(load_graph())
    print(f"wrote {CONTEXT_FILE}")

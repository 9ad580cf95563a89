"""Guards: rules about statements that the shapes cannot state, checked by ``kg add`` and
``kg validate``.

The shapes validate the merged default graph: they cannot see which named graph
a statement lives in, nor which terms the ontology declares. These guards can:

1. **A statement's source is its graph.** ``?x dct:source ?s`` in the graph
   ``?g`` with ``?s`` other than ``?g`` is a violation: the saved queries credit
   a figure to the article its ``dct:source`` names, so a figure of a new
   article pointing at an older one would be credited to the older publisher.
2. **Terms are declared.** Every class (object of ``rdf:type``) and every
   predicate is declared in ``ontology/`` (a subject typed ``owl:Class``,
   ``owl:ObjectProperty``, ``qb:DimensionProperty``, ... of an ``owl:Ontology``'s
   graph: :data:`DECLARING`), or is a term of a standard vocabulary the
   ontology reuses (``kg:reusesVocabulary`` in ``ontology/kg.ttl``: the list is
   data, not code). An unknown term names where it is used and the nearest
   known term (:mod:`difflib`).
3. **Amending a source** (``kg add --amend STEM``) is checked in :mod:`kg.add`:
   statements into an existing source's graph need it.

The guards report :class:`~kg.report.ValidationResult` violations, as the shapes
do, so a refusal lists them with the shapes' results (exit 1). On an addition
they read only the new statements (:func:`addition_results`); on a graph, a few
SPARQL queries (:func:`graph_results`).

The terms of each standard vocabulary are in ``standard_terms.json`` beside
this module: written from rdflib's ``DefinedNamespace`` lists (schema.org, ORG,
PROV-O, Data Cube, SKOS, OWL-Time, DC terms, FOAF, OWL, RDF, RDFS, XSD) and,
where rdflib has none, from the vocabulary's own RDF (SDMX 2009 dimension,
measure and attribute, as UKGovLD publishes them). rdflib is not imported at
run time: it would cost ``kg add`` a fifth of a second; ``tests/test_guards.py``
checks the file against rdflib (:func:`rdflib_terms` remakes those lists). A
vocabulary the ontology reuses whose terms the file does not list (QUDT, say)
accepts every term of its namespace.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pyoxigraph as ox

from .prefixes import OWN_PREFIXES, PREFIXES
from .report import ResultTerms, ValidationResult
from .terms import AnyTerm, short

if TYPE_CHECKING:
    from .graph import KnowledgeGraph

__all__ = ["Terms", "addition_results", "graph_results", "source_results", "term_results",
           "STANDARD_TERMS", "rdflib_terms"]

_RDF, _RDFS, _OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
_QB, _KG, _KGSH = PREFIXES["qb"], OWN_PREFIXES["kg"], OWN_PREFIXES["kgsh"]
RDF_TYPE = ox.NamedNode(_RDF + "type")
DCT_SOURCE = ox.NamedNode(PREFIXES["dct"] + "source")
REUSES = ox.NamedNode(_KG + "reusesVocabulary")
_VIOLATION = ox.NamedNode("http://www.w3.org/ns/shacl#Violation")
#: the "shapes" a guard result names: not in shapes/, they say which guard found it
SOURCE_GUARD = ox.NamedNode(_KGSH + "SourceIsItsGraphGuard")
TERMS_GUARD = ox.NamedNode(_KGSH + "DeclaredTermsGuard")
_COMPONENT = ox.NamedNode(_KGSH + "GuardComponent")

#: Types that declare a term in an ontology graph: term -> "class" or "property".
DECLARING = {
    _OWL + "Class": "class", _RDFS + "Class": "class",
    _OWL + "ObjectProperty": "property", _OWL + "DatatypeProperty": "property",
    _OWL + "AnnotationProperty": "property", _RDF + "Property": "property",
    _OWL + "FunctionalProperty": "property", _OWL + "InverseFunctionalProperty": "property",
    _OWL + "TransitiveProperty": "property", _OWL + "SymmetricProperty": "property",
    _QB + "DimensionProperty": "property", _QB + "MeasureProperty": "property",
    _QB + "AttributeProperty": "property", _QB + "CodedProperty": "property",
    _QB + "ComponentProperty": "property",
}
#: The packaged term lists of the standard vocabularies (see the module docstring).
STANDARD_TERMS = Path(__file__).with_name("standard_terms.json")
_MEMBER = re.compile(r"_[1-9][0-9]*")  # rdf:_1, rdf:_2, ...: container membership


@lru_cache(maxsize=1)
def standard_terms() -> dict[str, frozenset[str]]:
    """namespace -> the local names of its terms, as ``standard_terms.json`` lists them."""
    raw = json.loads(STANDARD_TERMS.read_text(encoding="utf-8"))
    return {namespace: frozenset(entry["terms"]) for namespace, entry in raw.items()}


class Terms:
    """The classes and properties an addition or the data may use.

    ``declared``: IRI -> "class" or "property", declared in the ontology graphs;
    ``reused``: namespace -> its terms' local names (None: any), for each standard
    vocabulary the ontology reuses.

    >>> terms = Terms({"https://kg.example/def/statedDate": "property"},
    ...               {"http://schema.org/": frozenset({"name", "Place"})})
    >>> terms.known("http://schema.org/name"), terms.known("http://schema.org/temperatureCelsius")
    (True, False)
    >>> terms.nearest("https://kg.example/def/statedDat", as_class=False)
    'kg:statedDate'
    """

    def __init__(self, declared: Mapping[str, str],
                 reused: Mapping[str, frozenset[str] | None]) -> None:
        self.declared = dict(declared)
        # the longest namespace first: one may be the start of another
        self.reused = dict(sorted(reused.items(), key=lambda item: -len(item[0])))

    @classmethod
    def of(cls, store: ox.Store) -> Terms:
        """The terms the ontology graphs of a store declare and reuse (two small queries)."""
        declared: dict[str, str] = {}
        kinds = " ".join(f"<{kind}>" for kind in DECLARING)
        found = store.query(
            "SELECT ?term ?kind WHERE { VALUES ?kind { " + kinds + " } GRAPH ?o { "
            "?o a <http://www.w3.org/2002/07/owl#Ontology> . ?term a ?kind } }")
        assert isinstance(found, ox.QuerySolutions)
        for row in found:
            term, kind = row[0], row[1]
            if isinstance(term, ox.NamedNode) and isinstance(kind, ox.NamedNode):
                declared.setdefault(term.value, DECLARING[kind.value])
        found = store.query(
            "SELECT ?namespace WHERE { GRAPH ?o { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; "
            f"<{REUSES.value}> ?namespace }} }}")
        assert isinstance(found, ox.QuerySolutions)
        lists = standard_terms()
        reused = {row[0].value: lists.get(row[0].value) for row in found
                  if isinstance(row[0], ox.NamedNode)}
        return cls(declared, reused)

    def vocabulary(self, iri: str) -> str | None:
        """The reused namespace ``iri`` lies in, if any."""
        return next((ns for ns in self.reused if iri.startswith(ns)), None)

    def known(self, iri: str) -> bool:
        if iri in self.declared:
            return True
        namespace = self.vocabulary(iri)
        if namespace is None:
            return False
        names, local = self.reused[namespace], iri[len(namespace):]
        return names is None or local in names or \
            (namespace == _RDF and _MEMBER.fullmatch(local) is not None)

    def nearest(self, iri: str, *, as_class: bool) -> str | None:
        """The known term closest to ``iri`` (as written, prefixed), of the same kind.

        Classes are told from properties by what declares them, and in the standard
        vocabularies by their first letter (classes are capitalized in all of them).
        """
        def fits(candidate: str, kind: str | None) -> bool:
            if kind is not None:
                return (kind == "class") == as_class
            local = re.split(r"[/#]", candidate)[-1]
            return bool(local) and local[0].isupper() == as_class

        candidates = [t for t, kind in self.declared.items() if fits(t, kind)]
        for namespace, names in self.reused.items():
            candidates += [namespace + n for n in names or () if fits(namespace + n, None)]
        shown = {shown_iri(c): c for c in candidates}
        wanted = shown_iri(iri)
        prefix = wanted.partition(":")[0] + ":" if not wanted.startswith("<") else None
        same = [s for s in shown if prefix and s.startswith(prefix)]
        for pool, cutoff in ((same, 0.6), (list(shown), 0.75)):
            close = difflib.get_close_matches(wanted, pool, n=1, cutoff=cutoff)
            if close:
                return close[0]
        return None


def shown_iri(iri: str) -> str:
    return short(ox.NamedNode(iri))


# ---------------------------------------------------------------------------- where written

class Use(NamedTuple):
    """One statement that breaks a guard, and where it is."""

    quad: ox.Quad
    file: Path | None        #: the file it is written in, when known


def line_of(path: Path | None, iri: str, *, near: str | None = None) -> str:
    """``FILE:LINE`` where ``iri`` is first written in ``path`` (as ``<iri>`` or a prefixed
    name), on a line that also holds ``near`` when one does; else ``FILE``; else ``""``.

    Read only once a guard is broken: a file ``kg add`` takes is at most a few MB.
    """
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return str(path)
    local = re.split(r"[/#]", iri)[-1]
    forms = [re.escape(f"<{iri}>"), re.escape(json.dumps(iri))]
    if local:
        forms.append(r"(?<![\w.-])[A-Za-z][\w.-]*:" + re.escape(local) + r"(?![\w-])")
        forms.append(r'"' + re.escape(local) + r'"')  # a JSON-LD key its context maps
    pattern = re.compile("|".join(forms))
    first: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            if near is None or near in line:
                return f"{path}:{number}"
            first = first or number
    return f"{path}:{first}" if first else str(path)


# ---------------------------------------------------------------------------- the guards

def source_results(uses: Iterable[Use], *, root: Path | None = None) -> list[ValidationResult]:
    """A violation per statement ``?x dct:source ?s`` in the graph ``?g``, ``?s`` not ``?g``."""
    results = []
    for quad, file in uses:
        graph, node, named = quad.graph_name, quad.subject, quad.object
        where = line_of(file, named.value, near="source") if isinstance(named, ox.NamedNode) \
            else (str(file) if file else "")
        where = _relative(where, root)
        message = (f"{short(node)} has dct:source {short(named)}, but the statement lives in the "
                   f"graph of {short(graph)}{f' ({where})' if where else ''}: a statement's "
                   "source is the graph it lives in. Write it in the graph of the article that "
                   f"states it, or make its dct:source {short(graph)}")
        results.append(_result(node, DCT_SOURCE, named, message, SOURCE_GUARD, graph, file, root))
    return results


def term_results(uses: Iterable[Use], terms: Terms, *, store: Path | None = None,
                 root: Path | None = None) -> list[ValidationResult]:
    """A violation per unknown term (its first use; ``uses``: one statement per unknown term).

    ``store``: the on-disk store the terms were read from (the advice then says to load it
    again after editing ``ontology/``).
    """
    results = []
    for quad, file in uses:
        as_class = quad.predicate == RDF_TYPE
        term = quad.object if as_class else quad.predicate
        assert isinstance(term, ox.NamedNode)
        where = _relative(line_of(file, term.value), root)
        used = f"used as a {'class' if as_class else 'property'}" + (f" in {where}" if where else "")
        namespace = terms.vocabulary(term.value)
        if namespace is not None:
            what = (f"{short(term)} is not a term of the vocabulary {namespace} ({used}); "
                    "ontology/ declares no such term either.")
        else:
            what = (f"{short(term)} is not declared in ontology/ ({used}): no class or property "
                    "there has this IRI, and it is not a term of a standard vocabulary the "
                    "ontology reuses (kg:reusesVocabulary in ontology/kg.ttl).")
        nearest = terms.nearest(term.value, as_class=as_class)
        hint = f" Did you mean {nearest}?" if nearest else ""
        own = term if term.value.startswith(_KG) else \
            ox.NamedNode(_KG + re.split(r"[/#]", term.value)[-1])
        kind = "owl:Class" if as_class else (
            "owl:DatatypeProperty" if isinstance(quad.object, ox.Literal) else
            "owl:ObjectProperty")
        reload = f", then load the store again (kg load --store {store})" if store else ""
        advice = (f" If it is a new term of ours, declare it in ontology/kg.ttl: {short(own)} a "
                  f"{kind} ; rdfs:label \"...\"@id , \"...\"@en ; skos:definition \"...\"@en "
                  f".{reload} (and use {short(own)})" if own != term else
                  f" If it is a new term, declare it in ontology/kg.ttl: {short(own)} a {kind} ; "
                  f"rdfs:label \"...\"@id , \"...\"@en ; skos:definition \"...\"@en .{reload}")
        results.append(_result(quad.subject, quad.predicate, quad.object if as_class else None,
                               what + hint + advice, TERMS_GUARD, quad.graph_name, file, root))
    return results


def addition_results(new: Iterable[ox.Quad], terms: Terms, files: Mapping[ox.Quad, Path], *,
                     store: Path | None = None, root: Path | None = None
                     ) -> list[ValidationResult]:
    """The guards on an addition's new statements (each in its target graph); ``files``: where
    each was written."""
    wrong_source: list[Use] = []
    unknown: dict[str, Use] = {}
    for quad in new:
        if quad.predicate == DCT_SOURCE and quad.object != quad.graph_name:
            wrong_source.append(Use(quad, files.get(quad)))
        if quad.predicate == RDF_TYPE and isinstance(quad.object, ox.NamedNode):
            if not terms.known(quad.object.value):
                unknown.setdefault(quad.object.value, Use(quad, files.get(quad)))
        elif not terms.known(quad.predicate.value):
            unknown.setdefault(quad.predicate.value, Use(quad, files.get(quad)))
    return source_results(wrong_source, root=root) + \
        term_results(unknown.values(), terms, store=store, root=root)


def graph_results(graph: KnowledgeGraph, *, files: Sequence[Path] = (),
                  root: Path | None = None) -> list[ValidationResult]:
    """The guards on a whole graph: its source graphs (never the ontology's), and statements
    of ``files`` outside any graph (``kg validate FILE``)."""
    vocabulary = set(graph.vocabulary_graphs())
    store = graph.store

    def file_of(quad: ox.Quad, term: AnyTerm) -> Path | None:
        """The file the statement is written in: its graph's, else an extra file naming the term."""
        origin = graph.origin(quad.graph_name) \
            if isinstance(quad.graph_name, ox.NamedNode) else None
        candidates = [f for f in (origin, *files) if f is not None]
        local = re.split(r"[/#]", term.value)[-1] if isinstance(term, ox.NamedNode) else ""
        for file in candidates:
            try:
                if local and local in file.read_text(encoding="utf-8"):
                    return file
            except (OSError, UnicodeDecodeError):
                continue
        return candidates[0] if candidates else None

    found = store.query(
        "SELECT ?g ?x ?s WHERE { GRAPH ?g { ?x <http://purl.org/dc/terms/source> ?s } "
        "FILTER(?s != ?g) }")
    assert isinstance(found, ox.QuerySolutions)
    wrong = [ox.Quad(row[1], DCT_SOURCE, row[2], row[0]) for row in found
             if row[0] not in vocabulary]
    terms = Terms.of(store)
    unknown: list[Use] = []
    for kind, text in (("property", "SELECT DISTINCT ?t WHERE { ?s ?t ?o }"),
                       ("class", "SELECT DISTINCT ?t WHERE { ?s a ?t }")):
        rows = store.query(text)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            term = row[0]
            if not isinstance(term, ox.NamedNode) or terms.known(term.value):
                continue
            predicate, obj = (term, None) if kind == "property" else (RDF_TYPE, term)
            uses = [q for q in store.quads_for_pattern(None, predicate, obj)
                    if not isinstance(q.graph_name, ox.DefaultGraph)]
            placed = [q for q in uses if q.graph_name not in vocabulary]
            if placed:
                first = min(placed, key=lambda q: (str(q.graph_name), str(q.subject)))
            elif uses:
                continue  # only the ontology uses it: the ontology's own business
            else:  # a file's statements outside any graph (merged into the default graph)
                first = next(store.quads_for_pattern(None, predicate, obj, ox.DefaultGraph()))
            unknown.append(Use(first, file_of(first, term)))
    return source_results((Use(q, file_of(q, q.object)) for q in wrong), root=root) + \
        term_results(unknown, terms, store=graph.path, root=root)


# ---------------------------------------------------------------------------- results

def _result(focus: AnyTerm, path: ox.NamedNode, value: AnyTerm | None, message: str,
            guard: ox.NamedNode, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph,
            file: Path | None, root: Path | None) -> ValidationResult:
    terms = ResultTerms(severity=_VIOLATION, focus=focus, shape=guard,  # type: ignore[arg-type]
                        component=_COMPONENT, path=path, value=value,  # type: ignore[arg-type]
                        messages=(ox.Literal(message),))
    source = ""
    if isinstance(graph, ox.NamedNode):
        source = graph.value + (f" ({_relative(str(file), root)})" if file else "")
    elif file is not None:
        source = _relative(str(file), root)
    return ValidationResult.from_terms(terms, sources=(source,) if source else ())


def _relative(where: str, root: Path | None) -> str:
    """``where`` (a path, maybe with ``:LINE``) relative to ``root`` or the working folder."""
    if not where:
        return where
    path, colon, line = where.rpartition(":") if re.search(r":\d+$", where) else (where, "", "")
    for base in (root, Path.cwd()):
        if base is not None:
            try:
                path = str(Path(path).resolve().relative_to(base.resolve()))
                break
            except ValueError:
                continue
    return path + colon + line


# ---------------------------------------------------------------------------- the term lists

#: prefix -> the rdflib DefinedNamespace that lists its terms (schema.org: rdflib's https
#: namespace, whose local names are those of http://schema.org/, which the ontology uses)
RDFLIB_NAMESPACES = {"schema": "SDO", "org": "ORG", "prov": "PROV", "qb": "QB", "skos": "SKOS",
                     "time": "TIME", "dct": "DCTERMS", "foaf": "FOAF", "owl": "OWL", "rdf": "RDF",
                     "rdfs": "RDFS", "xsd": "XSD"}


def rdflib_terms() -> dict[str, list[str]]:
    """namespace -> sorted local names, from rdflib's DefinedNamespace lists (imports rdflib)."""
    import rdflib.namespace

    found = {}
    for prefix, name in RDFLIB_NAMESPACES.items():
        namespace = getattr(rdflib.namespace, name)
        base = str(namespace._NS)
        found[PREFIXES[prefix]] = sorted({str(term)[len(base):] for term in dir(namespace)})
    return found

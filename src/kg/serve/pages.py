"""A page for every thing of the graph, served at the path of its IRI.

``https://kg.example/id/person/heru-ressandy`` is served at ``/id/person/heru-ressandy``:
HTML for a browser; Turtle, N-Triples, JSON-LD, TriG or N-Quads of the statements
about it by ``Accept`` or by the suffix (``.ttl``, ``.nt``, ``.jsonld``, ``.trig``,
``.nq``; the last two keep each statement's source graph). The HTML page shows the
thing's labels in Indonesian and English and its aliases, its types, what each
source article says about it (grouped by article, with publisher and date), what
points at it, and what its kind calls for: a person's posts over time, a post's
holders, a facility's parts, an observation's figure as stated, an indicator's
series as a chart (:mod:`.charts`), a class's properties and shapes, a concept's
scheme, a scheme's concepts. The ontology's own terms get the same pages: they are
its documentation. Also ``/sources`` and ``/indicators``.

Every answer comes from SPARQL through :meth:`Dataset.select`, so that ``kg serve
--endpoint`` (Virtuoso) serves the same pages: the queries say ``DISTINCT`` or
``GRAPH ?g`` (Virtuoso's default graph holds a statement once per graph) and use no
function of one engine only. The shapes are the exception that proves the rule: they
are no part of the graph, so the project's shape files are read once into a store
of their own and queried there (with SPARQL too).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import BaseRoute, Route

from ..formats import RdfFormat
from ..prefixes import BASE, PREFIXES, SOURCE_PREFIX
from ..results import QueryResult
from ..terms import XSD_STRING, preferred_label, shown_iri
from .charts import Figure, chart_svg
from .context import Context

RDF_TYPE = PREFIXES["rdf"] + "type"
SKOS = PREFIXES["skos"]
RDFS = PREFIXES["rdfs"]
OWL = PREFIXES["owl"]
KG = PREFIXES["kg"]
PREF_LABEL, ALT_LABEL, RDFS_LABEL = SKOS + "prefLabel", SKOS + "altLabel", RDFS + "label"
DCT_TITLE = PREFIXES["dct"] + "title"
LABELS = (PREF_LABEL, RDFS_LABEL, DCT_TITLE)
INDICATOR_PREFIX = PREFIXES["indicator"]
SHAPES_GRAPH = PREFIXES["kgsh"]

#: the suffixes that ask for the statements in an RDF format
SUFFIXES = {fmt.extension: fmt for fmt in RdfFormat}
SUFFIXES[".json"] = RdfFormat.JSONLD
#: media types a client may ask for, to the format served
MEDIA_TYPES = {fmt.media_type: fmt for fmt in RdfFormat}
MEDIA_TYPES.update({"application/x-turtle": RdfFormat.TURTLE, "application/json": RdfFormat.JSONLD,
                    "text/plain": RdfFormat.NTRIPLES, "application/x-trig": RdfFormat.TRIG})
#: kinds of property: a term typed so is documented with its domain, range and shapes
PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty",
                  PREFIXES["rdf"] + "Property", PREFIXES["qb"] + "DimensionProperty",
                  PREFIXES["qb"] + "MeasureProperty", PREFIXES["qb"] + "AttributeProperty"}
#: the most incoming links one page lists
INCOMING_LIMIT = 300

Select = Callable[[str], Awaitable[QueryResult]]


def ref(iri: str) -> str:
    """``iri`` written in a query, checked (a ValueError for one a query cannot hold)."""
    return str(ox.NamedNode(iri))


# --------------------------------------------------------------------------- terms shown

class Shown:
    """A term as a page shows it: text, a link where kg has a page for it, a note
    (language or datatype) and a title (the IRI, short)."""

    __slots__ = ("text", "href", "title", "note", "kind")

    def __init__(self, text: str, *, href: str | None = None, title: str = "", note: str = "",
                 kind: str = "literal") -> None:
        self.text = text
        self.href = href
        self.title = title
        self.note = note
        self.kind = kind

    def __str__(self) -> str:
        return self.text


class Labels:
    """The labels a page knows (IRI -> literals), and how it shows a term with them."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.by_iri: dict[str, list[ox.Literal]] = {}

    def add(self, iri: ox.NamedNode | ox.BlankNode | ox.Literal | None,
            label: Any) -> None:
        if isinstance(iri, ox.NamedNode) and isinstance(label, ox.Literal):
            found = self.by_iri.setdefault(iri.value, [])
            if label not in found:
                found.append(label)

    def label(self, iri: str) -> str | None:
        return preferred_label(self.by_iri.get(iri, ()))

    def iri(self, iri: str, text: str | None = None) -> Shown:
        short = shown_iri(iri)
        return Shown(text or self.label(iri) or short, href=self.context.paths.path_of(iri),
                     title=short if short != iri else iri, kind="iri")

    def term(self, term: Any) -> Shown:
        if term is None:
            return Shown("")
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            note = f"@{term.language}" if term.language else (
                "" if term.datatype == XSD_STRING else shown_iri(term.datatype.value))
            return Shown(term.value, note=note)
        return Shown(f"_:{getattr(term, 'value', term)}", kind="blank")


class Table:
    """A section of a page: a titled table (what kind-specific sections are made of)."""

    __slots__ = ("title", "note", "columns", "rows", "css")

    def __init__(self, title: str, columns: Sequence[str], rows: list[list[Any]], *,
                 note: str = "", css: str = "") -> None:
        self.title = title
        self.note = note
        self.columns = list(columns)
        self.rows = rows
        self.css = css


# --------------------------------------------------------------------------- the shapes

class Shapes:
    """The project's SHACL shapes, read once into a store of their own (they are no part
    of the graph) and queried with SPARQL like the graph."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._store: ox.Store | None = None

    def store(self) -> ox.Store:
        if self._store is None:
            store = ox.Store()
            folder = self.context.dataset.project.shapes_dir
            graph = ox.NamedNode(SHAPES_GRAPH)
            for path in sorted(folder.glob("*.ttl")) if folder.is_dir() else ():
                store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
            self._store = store
        return self._store

    async def select(self, text: str) -> QueryResult:
        answer = self.store().query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        assert isinstance(answer, ox.QuerySolutions)
        names = tuple(v.value for v in answer.variables)
        return QueryResult("SELECT", variables=names,
                           rows=tuple(dict(zip(names, solution)) for solution in answer))


# --------------------------------------------------------------------------- queries

def statements_query(iri: str) -> str:
    return f"""SELECT DISTINCT ?g ?p ?o ?label WHERE {{
  GRAPH ?g {{ {ref(iri)} ?p ?o }}
  OPTIONAL {{ ?o skos:prefLabel|rdfs:label|dct:title ?label }}
}}"""


def incoming_query(iri: str) -> str:
    return f"""SELECT DISTINCT ?s ?p ?label WHERE {{
  ?s ?p {ref(iri)} .
  OPTIONAL {{ ?s skos:prefLabel|rdfs:label ?label }}
}} LIMIT {INCOMING_LIMIT * 3}"""


def sources_query(graphs: Iterable[str] | None = None) -> str:
    values = "" if graphs is None else \
        "VALUES ?g { " + " ".join(ref(g) for g in sorted(set(graphs))) + " }\n  "
    # graphs named: any graph, with its title (the vocabulary graphs are ontologies)
    which = "GRAPH ?g { ?g a kg:SourceArticle }" if graphs is None else ""
    return f"""SELECT DISTINCT ?g ?label ?publisher ?publisherLabel ?date ?published ?notPrinted
WHERE {{
  {values}{which}
  OPTIONAL {{ ?g skos:prefLabel|dct:title ?label }}
  OPTIONAL {{ ?g schema:publisher ?publisher OPTIONAL {{ ?publisher skos:prefLabel ?publisherLabel }} }}
  OPTIONAL {{ ?g kg:statedDate ?date }}
  OPTIONAL {{ ?g schema:datePublished ?published }}
  OPTIONAL {{ ?g kg:dateNotPrinted ?notPrinted }}
}}"""


# --------------------------------------------------------------------------- content negotiation

def wanted_format(request: Request) -> RdfFormat | None:
    """The RDF format the client asks for by ``Accept`` (None: HTML, the default)."""
    accept = request.headers.get("accept", "")
    best: tuple[float, int, RdfFormat | None] = (0.0, 0, None)
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
            fmt = None
        elif media in MEDIA_TYPES:
            fmt = MEDIA_TYPES[media]
        else:
            continue
        # the first of equal quality wins; HTML on ties with */*
        if quality > best[0]:
            best = (quality, position, fmt)
    return best[2]


async def statements_response(select: Select, iri: str, fmt: RdfFormat) -> Response | None:
    """The statements about ``iri`` (as their subject) in ``fmt``; None when there are none."""
    result = await select(f"SELECT DISTINCT ?g ?p ?o WHERE {{ GRAPH ?g {{ {ref(iri)} ?p ?o }} }}")
    if not result.rows:
        return None
    subject = ox.NamedNode(iri)
    rows = sorted(result.rows, key=lambda r: (str(r["g"]), str(r["p"]), str(r["o"])))
    if fmt.has_graphs:
        quads = [ox.Quad(subject, r["p"], r["o"], r["g"]) for r in rows]  # type: ignore[arg-type]
        if fmt is RdfFormat.JSONLD:
            from ..jsonld import jsonld_text

            body = jsonld_text(quads).encode("utf-8")
        else:
            body = ox.serialize(quads, format=fmt.ox_format, prefixes=PREFIXES) or b""
    else:
        triples = list(dict.fromkeys(ox.Triple(subject, r["p"], r["o"])  # type: ignore[arg-type]
                                     for r in rows))
        body = (ox.serialize(triples, format=fmt.ox_format, prefixes=PREFIXES)
                if fmt is RdfFormat.TURTLE else ox.serialize(triples, format=fmt.ox_format)) or b""
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept"})


# --------------------------------------------------------------------------- the pages

_ORDER_BY = re.compile(r"\bORDER\s+BY\b(.*)$", re.IGNORECASE | re.DOTALL)
_VARIABLE = re.compile(r"[?$](\w+)")


def term_key(term: object) -> tuple[int, str, str]:
    """A total order of terms (unbound, blank nodes, IRIs, literals) for breaking ties."""
    if term is None:
        return (0, "", "")
    if isinstance(term, ox.BlankNode):
        return (1, "", "")  # blank node labels differ between stores
    if isinstance(term, ox.NamedNode):
        return (2, term.value, "")
    assert isinstance(term, ox.Literal)
    return (3, term.value, term.language or term.datatype.value)


def settled(select: Select) -> Select:
    """``select`` with its rows in an order every store gives alike.

    Stores order the rows of ``ORDER BY`` alike but break its ties differently (and
    order rows without ``ORDER BY`` as they like): a page over Virtuoso would list the
    same things in another order than over the local graph. Rows that tie on every
    variable of the ``ORDER BY`` clause keep their place as a group and are ordered
    inside it by their values; without ``ORDER BY`` every row is ordered by its values.
    """
    async def run(text: str) -> QueryResult:
        result = await select(text)
        if len(result.rows) < 2:
            return result
        clause = _ORDER_BY.search(text)
        keys = list(dict.fromkeys(_VARIABLE.findall(clause.group(1)))) if clause else []
        names = sorted(result.variables)

        def whole(row: dict[str, Any]) -> list[tuple[int, str, str]]:
            return [term_key(row.get(n)) for n in names]

        rows: list[dict[str, Any]] = []
        group: list[dict[str, Any]] = []
        for row in result.rows:
            if group and [group[0].get(k) for k in keys] != [row.get(k) for k in keys]:
                rows.extend(sorted(group, key=whole))
                group = []
            group.append(row)
        rows.extend(sorted(group, key=whole))
        return QueryResult("SELECT", variables=result.variables, rows=tuple(rows))

    return run


class Pages:
    """The page handlers of one server."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.select: Select = settled(context.dataset.select)
        self.shapes = Shapes(context)

    def html(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return HTMLResponse(self.context.render(template, **values), status_code=status,
                            headers={"Vary": "Accept"})

    def not_found(self, path: str) -> HTMLResponse:
        words = [w for w in path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ").split() if w]
        return self.html("notfound.html", status=404, path=path, search=" ".join(words[:3]))

    # ---- routing an IRI's path

    async def entity(self, request: Request) -> Response:
        path = request.url.path
        fmt: RdfFormat | None = None
        if path.startswith("/code/indicator/") and path.endswith(".svg"):
            return await self.chart_only(request, path[:-len(".svg")])
        iri = self.context.paths.iri_of(path)
        try:
            ref(iri)
        except ValueError:
            return self.not_found(path)
        stem, dot, suffix = path.rpartition(".")
        if dot and "." + suffix in SUFFIXES and "/" not in suffix:
            fmt = SUFFIXES["." + suffix]
            iri = self.context.paths.iri_of(stem)
        else:
            fmt = wanted_format(request)
        select = self.shapes.select if path.startswith("/shapes/") else self.select
        if fmt is not None:
            response = await statements_response(select, iri, fmt)
            if response is None:
                return PlainTextResponse(f"the graph says nothing about {path} (as the subject "
                                         "of a statement)\n", status_code=404)
            return response
        return await self.entity_page(path, iri, select)

    async def entity_page(self, path: str, iri: str, select: Select) -> Response:
        labels = Labels(self.context)
        statements, incoming = await asyncio.gather(select(statements_query(iri)),
                                                    select(incoming_query(iri)))
        if not statements.rows and not incoming.rows:
            return self.not_found(path)
        # what each graph says: graph -> predicate -> objects, in order
        said: dict[str, dict[str, list[Any]]] = {}
        for row in statements.rows:
            labels.add(row["o"], row["label"])
            objects = said.setdefault(str(row["g"].value), {}).setdefault(  # type: ignore[union-attr]
                row["p"].value, [])  # type: ignore[union-attr]
            if row["o"] not in objects:
                objects.append(row["o"])
        everything: dict[str, list[Any]] = {}
        for by_predicate in said.values():
            for predicate, objects in by_predicate.items():
                merged = everything.setdefault(predicate, [])
                merged.extend(o for o in objects if o not in merged)
        types = [o.value for o in everything.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)]
        own_labels = [o for p in LABELS for o in everything.get(p, []) if isinstance(o, ox.Literal)]
        labels.by_iri[iri] = own_labels
        for row in incoming.rows:
            labels.add(row["s"], row["label"])

        graphs = set(said)
        sections, chart, extra_graphs = await self.sections(iri, types, everything, labels)
        sources = await self.source_info(graphs | extra_graphs, labels)

        title = labels.label(iri) or shown_iri(iri)
        groups = []
        for graph in sorted(said, key=lambda g: (not g.startswith(SOURCE_PREFIX), g)):
            rows = [(labels.iri(p, shown_iri(p)), [labels.term(o) for o in objects])
                    for p, objects in sorted(said[graph].items(),
                                             key=lambda kv: (kv[0] != RDF_TYPE, shown_iri(kv[0])))]
            groups.append({"graph": labels.iri(graph), "source": sources.get(graph),
                           "rows": rows, "count": sum(len(v) for v in said[graph].values())})
        pointing: dict[str, list[Shown]] = {}
        seen: set[tuple[str, str]] = set()
        for row in incoming.rows:
            key = (str(row["p"]), str(row["s"]))
            if key not in seen and len(seen) < INCOMING_LIMIT:
                seen.add(key)
                pointing.setdefault(row["p"].value, []).append(  # type: ignore[union-attr]
                    labels.term(row["s"]))
        return self.html(
            "entity.html", title=title, iri=self.context.paths.published(iri),
            iri_short=shown_iri(iri), path=path,
            names=self.names(everything),
            types=[labels.iri(t) for t in types],
            description=[labels.term(o) for o in everything.get(PREFIXES["dct"] + "description", [])
                         + everything.get(SKOS + "definition", [])],
            groups=groups, sections=sections, chart=chart,
            incoming=[(labels.iri(p, shown_iri(p)), subjects)
                      for p, subjects in sorted(pointing.items(), key=lambda kv: shown_iri(kv[0]))],
            incoming_cut=len(incoming.rows) >= INCOMING_LIMIT * 3 or len(seen) >= INCOMING_LIMIT,
            # the statements as data only where the thing is the subject of some
            # (a version IRI is only pointed at: its .ttl would be a 404)
            formats=[(f.extension, f.media_type) for f in RdfFormat] if statements.rows else [])

    def names(self, everything: dict[str, list[Any]]) -> list[tuple[str, list[Shown]]]:
        """The thing's names: preferred label and rdfs:label by language, and its aliases."""
        rows: list[tuple[str, list[Shown]]] = []
        for predicate, caption in ((PREF_LABEL, "name"), (RDFS_LABEL, "label"),
                                   (DCT_TITLE, "title"), (ALT_LABEL, "alias")):
            literals = [o for o in everything.get(predicate, []) if isinstance(o, ox.Literal)]
            for language, word in (("id", "Indonesian"), ("en", "English"), (None, "")):
                chosen = [o for o in literals if o.language == language] if language else \
                    [o for o in literals if o.language not in ("id", "en")]
                if chosen:
                    rows.append((f"{caption} ({word})" if word else caption,
                                 [Shown(o.value, note=f"@{o.language}" if o.language else "")
                                  for o in chosen]))
        return rows

    async def source_info(self, graphs: Iterable[str], labels: Labels) -> dict[str, dict[str, Any]]:
        """Label, publisher and date of each source article among ``graphs``."""
        graphs = list(graphs)
        if not graphs:
            return {}
        result = await self.select(sources_query(graphs))
        return self.source_rows(result, labels)

    def source_rows(self, result: QueryResult, labels: Labels) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for row in result.rows:
            labels.add(row["g"], row["label"])
            labels.add(row["publisher"], row["publisherLabel"])
            entry = found.setdefault(value_text(row["g"]) or "", {"publisher": None, "date": ""})
            if row["publisher"] is not None:
                entry["publisher"] = value_text(row["publisher"])
            date = row["date"] or row["published"]
            if date is not None:
                entry["date"] = value_text(date)
            elif row["notPrinted"] is not None and not entry["date"]:
                entry["date"] = "date not printed"
        return {graph: {"link": labels.iri(graph), "date": entry["date"],
                        "publisher": labels.iri(entry["publisher"]) if entry["publisher"] else None}
                for graph, entry in found.items()}

    # ---- what a kind of thing calls for

    async def sections(self, iri: str, types: list[str], everything: dict[str, list[Any]],
                       labels: Labels) -> tuple[list[Table], Any, set[str]]:
        """The kind-specific sections of a page, its chart (or None), and the source graphs
        they name (whose publisher and date the page needs too)."""
        kinds = set(types)
        jobs: list[Awaitable[list[Table]]] = []
        chart: Any = None
        graphs: set[str] = set()
        if PREFIXES["foaf"] + "Person" in kinds:
            jobs.append(self.posts_of_person(iri, labels))
        if PREFIXES["org"] + "Post" in kinds:
            jobs.append(self.holders_of_post(iri, labels))
        if kinds & {KG + "Facility", KG + "ColdStorage"} or PREFIXES["dct"] + "hasPart" in everything:
            jobs.append(self.parts(iri, labels))
        if OWL + "Class" in kinds or RDFS + "Class" in kinds:
            jobs.append(self.class_documentation(iri, labels))
        if kinds & PROPERTY_TYPES:
            jobs.append(self.property_shapes(iri, labels))
        if SKOS + "ConceptScheme" in kinds:
            jobs.append(self.scheme_concepts(iri, labels))
        if OWL + "Ontology" in kinds:
            jobs.append(self.ontology_terms(iri, labels))
        if KG + "SourceArticle" in kinds:
            jobs.append(self.source_contents(iri, labels))
        tables: list[Table] = []
        if PREFIXES["qb"] + "Observation" in kinds:
            tables.append(self.figure(everything, labels))
        if iri.startswith(INDICATOR_PREFIX) and SKOS + "Concept" in kinds:
            chart, series_tables, graphs = await self.indicator(iri, labels)
            tables.extend(series_tables)
        for found in await asyncio.gather(*jobs):
            tables.extend(found)
        return tables, chart, graphs

    async def posts_of_person(self, iri: str, labels: Labels) -> list[Table]:
        text = self.context.dataset.library.get("posts-of-person").bind(person=iri)
        result = await self.select(text)
        await self.label_terms(labels, [r[k] for r in result.rows
                                        for k in ("organization", "role", "source")])
        rows = []
        for row in result.rows:
            labels.add(row["post"], row["postLabel"])
            rows.append([labels.term(row["date"]), labels.term(row["how"]),
                         labels.term(row["post"]), labels.term(row["organization"]),
                         labels.term(row["role"]), labels.term(row["source"])])
        if not rows:
            return []
        return [Table("Posts over time", ["date", "how the source dates it", "post",
                                          "organization", "role", "source"], rows,
                      note="Each day a source attests the holding (or a day it is known to lie "
                           "before); oldest first.", css="timeline")]

    async def holders_of_post(self, iri: str, labels: Labels) -> list[Table]:
        result = await self.select(f"""SELECT DISTINCT ?date ?how ?person ?personName ?source WHERE {{
  ?holding kg:post {ref(iri)} ; org:member ?person ; org:memberDuring ?period .
  GRAPH ?source {{
    {{ ?period time:inside ?day BIND("attested on" AS ?how) }}
    UNION {{ ?period time:before ?day BIND("before" AS ?how) }}
    UNION {{ ?period time:hasBeginning ?day BIND("began" AS ?how) }}
    UNION {{ ?period time:hasEnd ?day BIND("ended" AS ?how) }}
  }}
  ?day (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?date .
  OPTIONAL {{ ?person skos:prefLabel ?personName FILTER(LANG(?personName) = "id") }}
}} ORDER BY STR(?date) ?person ?source""")
        await self.label_terms(labels, [r["source"] for r in result.rows])
        rows = []
        for row in result.rows:
            labels.add(row["person"], row["personName"])
            rows.append([labels.term(row["date"]), labels.term(row["how"]),
                         labels.term(row["person"]), labels.term(row["source"])])
        if not rows:
            return []
        return [Table("Holders over time", ["date", "how the source dates it", "holder",
                                            "source"], rows, css="timeline")]

    async def parts(self, iri: str, labels: Labels) -> list[Table]:
        result = await self.select(f"""SELECT DISTINCT ?part ?label ?mode ?capacity ?unit ?source WHERE {{
  {{ {ref(iri)} dct:hasPart ?part }} UNION {{ ?part dct:isPartOf {ref(iri)} }}
  OPTIONAL {{ ?part skos:prefLabel ?label }}
  OPTIONAL {{ ?part kg:storageMode ?mode }}
  OPTIONAL {{ ?part kg:storageCapacity ?c . ?c schema:value ?capacity
             OPTIONAL {{ ?c schema:unitCode ?unit }} OPTIONAL {{ ?c dct:source ?source }} }}
}} ORDER BY ?part ?source""")
        rows: dict[tuple[str, str, str], list[Any]] = {}
        for row in result.rows:
            labels.add(row["part"], row["label"])
        for row in result.rows:
            key = (str(row["part"]), str(row["capacity"]), str(row["source"]))
            rows.setdefault(key, [labels.term(row["part"]), labels.term(row["mode"]),
                                  labels.term(row["capacity"]), labels.term(row["unit"]),
                                  labels.term(row["source"])])
        if not rows:
            return []
        return [Table("Parts", ["part", "storage mode", "capacity", "unit", "source of the capacity"],
                      list(rows.values()))]

    async def class_documentation(self, iri: str, labels: Labels) -> list[Table]:
        properties, shapes = await asyncio.gather(self.select(f"""
SELECT DISTINCT ?property ?label ?range ?rangeLabel WHERE {{
  ?property rdfs:domain {ref(iri)} .
  OPTIONAL {{ ?property rdfs:label ?label }}
  OPTIONAL {{ ?property rdfs:range ?range OPTIONAL {{ ?range rdfs:label ?rangeLabel }} }}
}} ORDER BY ?property"""), self.shapes.select(f"""
SELECT DISTINCT ?shape ?comment ?path ?min ?max ?message WHERE {{
  ?shape sh:targetClass {ref(iri)} .
  OPTIONAL {{ ?shape rdfs:comment ?comment }}
  OPTIONAL {{ ?shape sh:property ?ps . ?ps sh:path ?path
             OPTIONAL {{ ?ps sh:minCount ?min }} OPTIONAL {{ ?ps sh:maxCount ?max }}
             OPTIONAL {{ ?ps sh:message ?message }} }}
}} ORDER BY ?shape ?path"""))
        for row in properties.rows:
            labels.add(row["property"], row["label"])
            labels.add(row["range"], row["rangeLabel"])
        by_property: dict[str, list[Any]] = {}
        for row in properties.rows:
            entry = by_property.setdefault(str(row["property"]), [labels.term(row["property"]),
                                                                  Shown(shown_iri(row["property"].value)),  # type: ignore[union-attr]
                                                                  []])
            if row["range"] is not None and all(r.title != labels.iri(row["range"].value).title
                                                for r in entry[2]):
                entry[2].append(labels.term(row["range"]))
        tables = []
        if by_property:
            tables.append(Table("Properties (rdfs:domain)", ["property", "term", "range"],
                                list(by_property.values())))
        shape_rows: dict[tuple[str, str], list[Any]] = {}
        for row in shapes.rows:
            key = (str(row["shape"]), str(row["path"]))
            count = ""
            if row["min"] is not None or row["max"] is not None:
                count = f"{row['min'].value if row['min'] else 0}..{row['max'].value if row['max'] else '*'}"
            shape_rows.setdefault(key, [labels.term(row["shape"]), labels.term(row["path"]),
                                        Shown(count), labels.term(row["message"])])
        if shape_rows:
            tables.append(Table("Shapes (SHACL, sh:targetClass)", ["shape", "path", "count",
                                                                   "message"],
                                list(shape_rows.values()),
                                note="What the data of this class must satisfy "
                                     "(shapes/kg-shapes.ttl)."))
        return tables

    async def property_shapes(self, iri: str, labels: Labels) -> list[Table]:
        result = await self.shapes.select(f"""
SELECT DISTINCT ?shape ?owner ?message WHERE {{
  ?shape sh:path {ref(iri)} .
  OPTIONAL {{ ?owner sh:property ?shape }}
  OPTIONAL {{ ?shape sh:message ?message }}
}} ORDER BY ?shape""")
        rows = [[labels.term(r["shape"]), labels.term(r["owner"]), labels.term(r["message"])]
                for r in result.rows]
        return [Table("Shapes constraining this property", ["shape", "in", "message"], rows)] \
            if rows else []

    async def scheme_concepts(self, iri: str, labels: Labels) -> list[Table]:
        result = await self.select(f"""SELECT DISTINCT ?concept ?id ?en ?definition WHERE {{
  ?concept skos:inScheme {ref(iri)} .
  OPTIONAL {{ ?concept skos:prefLabel ?id FILTER(LANG(?id) = "id") }}
  OPTIONAL {{ ?concept skos:prefLabel ?en FILTER(LANG(?en) = "en") }}
  OPTIONAL {{ ?concept skos:definition ?definition FILTER(LANG(?definition) = "en") }}
}} ORDER BY ?concept""")
        rows: dict[str, list[Any]] = {}
        for row in result.rows:
            labels.add(row["concept"], row["id"])
            rows.setdefault(str(row["concept"]), [
                labels.iri(row["concept"].value, shown_iri(row["concept"].value)),  # type: ignore[union-attr]
                labels.term(row["id"]), labels.term(row["en"]), labels.term(row["definition"])])
        return [Table("Concepts of this scheme", ["concept", "Indonesian", "English",
                                                  "definition"], list(rows.values()))] if rows else []

    async def ontology_terms(self, iri: str, labels: Labels) -> list[Table]:
        result = await self.select(f"""SELECT DISTINCT ?term ?type ?label WHERE {{
  GRAPH {ref(iri)} {{
    ?term a ?type
    FILTER(?type IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty,
                     skos:ConceptScheme, skos:Collection, qb:DataStructureDefinition, qb:DataSet))
    OPTIONAL {{ ?term rdfs:label|skos:prefLabel ?label FILTER(LANG(?label) = "en") }}
  }}
}} ORDER BY ?type ?term""")
        by_type: dict[str, dict[str, list[Any]]] = {}
        for row in result.rows:
            labels.add(row["term"], row["label"])
        for row in result.rows:
            kind = shown_iri(row["type"].value)  # type: ignore[union-attr]
            by_type.setdefault(kind, {}).setdefault(str(row["term"]), [
                labels.iri(row["term"].value, shown_iri(row["term"].value)),  # type: ignore[union-attr]
                labels.term(row["label"])])
        names = {"owl:Class": "Classes", "owl:ObjectProperty": "Object properties",
                 "owl:DatatypeProperty": "Datatype properties",
                 "owl:AnnotationProperty": "Annotation properties",
                 "skos:ConceptScheme": "Code lists (concept schemes)",
                 "skos:Collection": "Collections of concepts",
                 "qb:DataStructureDefinition": "Data structures", "qb:DataSet": "Data sets"}
        order = list(names)
        return [Table(names.get(kind, kind), ["term", "label (English)"], list(rows.values()))
                for kind, rows in sorted(by_type.items(),
                                         key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)]

    async def source_contents(self, iri: str, labels: Labels) -> list[Table]:
        result = await self.select(f"""SELECT DISTINCT ?s ?type ?label WHERE {{
  GRAPH {ref(iri)} {{ ?s a ?type OPTIONAL {{ ?s skos:prefLabel ?label }} }}
}} ORDER BY ?type ?s""")
        for row in result.rows:
            labels.add(row["s"], row["label"])
        rows: dict[str, list[Any]] = {}
        for row in result.rows:
            entry = rows.setdefault(str(row["s"]), [labels.term(row["s"]), []])
            shown = labels.term(row["type"])
            if all(t.title != shown.title for t in entry[1]):
                entry[1].append(shown)
        return [Table("What this article describes", ["thing", "types"], list(rows.values()),
                      note="Every thing with a type in this article's graph; its page shows "
                           "what the article says about it.")] if rows else []

    def figure(self, everything: dict[str, list[Any]], labels: Labels) -> Table:
        """An observation's figure as stated, from its statements."""
        def first(prefix: str, name: str) -> list[Shown]:
            return [labels.term(o) for o in everything.get(PREFIXES[prefix] + name, [])]

        rows = [[Shown(caption), values] for caption, values in (
            ("as stated", first("kg", "statedAs")),
            ("value", first("sdmx-measure", "obsValue")),
            ("from", first("schema", "minValue")), ("to", first("schema", "maxValue")),
            ("qualifier", first("kg", "qualifier")),
            ("unit", first("sdmx-attribute", "unitMeasure")),
            ("indicator", first("kg", "indicator")),
            ("area", first("sdmx-dimension", "refArea")),
            ("period", first("sdmx-dimension", "refPeriod")),
            ("period basis", first("kg", "periodBasis")),
            ("base period", first("kg", "basePeriod")),
            ("sector", first("kg", "sector")), ("size class", first("kg", "sizeClass")),
            ("who says so", first("prov", "wasAttributedTo")),
            ("data provider", first("kg", "dataProvider")),
            ("source", first("dct", "source"))) if values]
        return Table("The figure", ["", ""], rows, css="figure")

    # ---- indicators

    async def series(self, iri: str, labels: Labels) -> tuple[list[Figure], list[list[Any]],
                                                               list[Figure], list[list[Any]], set[str]]:
        """The indicator's figures and growth, as marks and as table rows, and their sources."""
        library = self.context.dataset.library
        growth_query = library.get("growth-derived-vs-reported")
        level = str(growth_query.param("indicator").default or "")
        rate = str(growth_query.param("growthIndicator").default or "")
        level_iri = expand(level)
        rate_iri = expand(rate)
        jobs = [self.select(library.get("indicator-series").bind(indicator=iri))]
        if iri in (level_iri, rate_iri):
            jobs.append(self.select(growth_query.bind(indicator=level_iri, growthIndicator=rate_iri)))
        elif iri:
            jobs.append(self.select(growth_query.bind(indicator=iri,
                                                      growthIndicator=KG + "none")))
        results = await asyncio.gather(*jobs)
        series = results[0]
        growth = results[1] if len(results) > 1 else None
        graphs = {r["source"].value for r in series.rows if r["source"] is not None}
        if growth is not None:
            graphs |= {r[k].value for r in growth.rows for k in ("fromSource", "toSource")  # type: ignore[union-attr]
                       if r[k] is not None}
        await asyncio.gather(self.source_info(graphs, labels), self.label_terms(
            labels, [r[k] for r in series.rows for k in ("unit", "qualifier", "period", "sector",
                                                         "sizeClass", "basis", "area")]
            + ([r[k] for r in growth.rows for k in ("fromPeriod", "toPeriod")]
               if growth is not None else [])))
        figures, rows = [], []
        for row in series.rows:
            qualifier = local(row["qualifier"])
            group = ", ".join(labels.term(row[k]).text for k in ("sector", "sizeClass") if row[k])
            period = labels.term(row["period"]).text
            figures.append(Figure(
                period=period, order=value_text(row["start"]) or "~",
                value=value_text(row["value"]), low=value_text(row["min"]),
                high=value_text(row["max"]), kind=qualifier,
                source=value_text(row["source"]) or "",
                source_label=labels.term(row["source"]).text,
                stated=value_text(row["statedAs"]) or "", group=group,
                unit=labels.term(row["unit"]).text))
            rows.append([labels.term(row["period"]), labels.term(row["start"]),
                         labels.term(row["value"]) if row["value"] else
                         Shown(f"{value_text(row['min'])} – {value_text(row['max'])}"),
                         labels.term(row["unit"]), labels.term(row["qualifier"]),
                         labels.term(row["statedAs"]), Shown(group),
                         labels.term(row["basis"]), labels.term(row["source"])])
        derived, growth_rows = [], []
        if growth is not None:
            unit = "percent"
            for row in growth.rows:
                method = value_text(row["method"]) or ""
                if method == "derived" and iri == rate_iri:
                    derived.append(Figure(
                        period=labels.term(row["toPeriod"]).text,
                        order=value_text(row["toStart"]) or "~", value=value_text(row["growth"]),
                        kind=local(row["qualifier"]), source="derived",
                        stated="", group=f"from {labels.term(row['fromPeriod']).text}",
                        unit=next((f.unit for f in figures), unit), derived=True))
                growth_rows.append([Shown(method), labels.term(row["fromPeriod"]),
                                    labels.term(row["toPeriod"]), labels.term(row["fromValue"]),
                                    labels.term(row["toValue"]), labels.term(row["growth"]),
                                    labels.term(row["qualifier"]), labels.term(row["statedAs"]),
                                    labels.term(row["fromSource"]), labels.term(row["toSource"])])
        return figures, rows, derived, growth_rows, graphs

    async def label_terms(self, labels: Labels, terms: Iterable[Any]) -> None:
        """Fetch the labels of ``terms`` the page does not know yet (one query)."""
        wanted = sorted({t.value for t in terms if isinstance(t, ox.NamedNode)
                         and t.value not in labels.by_iri})
        if not wanted:
            return
        result = await self.select(
            "SELECT DISTINCT ?x ?label WHERE { VALUES ?x { " + " ".join(ref(w) for w in wanted)
            + " } ?x skos:prefLabel|rdfs:label|dct:title ?label }")
        for row in result.rows:
            labels.add(row["x"], row["label"])

    async def indicator(self, iri: str, labels: Labels) -> tuple[Any, list[Table], set[str]]:
        figures, rows, derived, growth_rows, graphs = await self.series(iri, labels)
        name = labels.label(iri) or shown_iri(iri)
        chart = self.chart(iri, name, figures + derived)
        tables = [Table("The figures", ["period", "from", "value", "unit", "qualifier",
                                        "as stated", "group", "period basis", "source"], rows,
                        note="The figures the chart draws, one row per figure and source.",
                        css="figures")]
        if growth_rows:
            tables.append(Table("Growth: derived by kg, and as reported",
                                ["method", "from", "to", "from value", "to value", "growth (%)",
                                 "qualifier", "as stated", "from source", "to source"],
                                growth_rows,
                                note="Rows of method “derived” are computed from two "
                                     "consecutive figures, never stated by a source.",
                                css="growth"))
        return chart, tables, graphs

    def chart(self, iri: str, name: str, figures: list[Figure]) -> Any:
        sources = sorted({f.source_label for f in figures if not f.derived})
        description = (f"{len(figures)} figures of {name}, by reference period, one mark per "
                       f"figure and source ({'; '.join(sources) or 'no source'}). "
                       "Approximate figures have whiskers, bounds are arrows from the value, "
                       "ranges are bars; the table below lists the same figures.")
        return chart_svg(self.context.render, figures, title=f"{name}: the series over time",
                         description=description)

    async def chart_only(self, request: Request, path: str) -> Response:
        iri = self.context.paths.iri_of(path)
        try:
            ref(iri)
        except ValueError:
            return self.not_found(request.url.path)
        labels = Labels(self.context)
        await self.label_terms(labels, [ox.NamedNode(iri)])
        if iri not in labels.by_iri:
            return self.not_found(request.url.path)
        figures, _, derived, _, _ = await self.series(iri, labels)
        svg = self.chart(iri, labels.label(iri) or shown_iri(iri), figures + derived)
        return Response('<?xml version="1.0" encoding="utf-8"?>\n' + str(svg),
                        media_type="image/svg+xml")

    # ---- lists

    async def sources(self, request: Request) -> Response:
        labels = Labels(self.context)
        info_result, counts = await asyncio.gather(
            self.select(sources_query()),
            self.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                        "FILTER(STRSTARTS(STR(?g), \"" + SOURCE_PREFIX + "\")) } GROUP BY ?g"))
        info = self.source_rows(info_result, labels)
        count = {r["g"].value: r["n"].value for r in counts.rows}  # type: ignore[union-attr]
        rows = [[entry["link"], entry["publisher"] or Shown(""), Shown(entry["date"]),
                 Shown(count.get(graph, "0"))]
                for graph, entry in sorted(info.items(), key=lambda kv: kv[1]["date"])]
        return self.html("list.html", title="Source articles",
                         intro="Every article the graph is built from: each is a named graph "
                               "holding what the article states.",
                         table=Table("", ["article", "publisher", "date", "statements"], rows))

    async def indicators(self, request: Request) -> Response:
        result = await self.select("""SELECT ?indicator ?id ?en (COUNT(DISTINCT ?obs) AS ?n) WHERE {
  ?indicator skos:inScheme code:indicator .
  OPTIONAL { ?indicator skos:prefLabel ?id FILTER(LANG(?id) = "id") }
  OPTIONAL { ?indicator skos:prefLabel ?en FILTER(LANG(?en) = "en") }
  OPTIONAL { ?obs kg:indicator ?indicator ; a qb:Observation }
} GROUP BY ?indicator ?id ?en ORDER BY DESC(?n) ?indicator""")
        labels = Labels(self.context)
        rows = []
        for row in result.rows:
            labels.add(row["indicator"], row["id"])
            rows.append([labels.term(row["indicator"]), labels.term(row["en"]),
                         Shown(value_text(row["n"]) or "0")])
        return self.html("list.html", title="Indicators",
                         intro="The indicators of the statistics, with the number of figures "
                               "the sources state; each page charts its series.",
                         table=Table("", ["indicator", "English", "figures"], rows))


def expand(name: str) -> str:
    """A prefixed name (``indicator:umkm-count``) as its IRI; an IRI as it is."""
    prefix, colon, local_name = name.partition(":")
    if colon and prefix in PREFIXES and not local_name.startswith("//"):
        return PREFIXES[prefix] + local_name
    return name.strip("<>")


def local(term: Any) -> str:
    return term.value.rsplit("/", 1)[-1] if isinstance(term, ox.NamedNode) else ""


def value_text(term: Any) -> str | None:
    return None if term is None else str(term.value)


def routes(context: Context) -> list[BaseRoute]:
    """The routes of this part of the server."""
    pages = Pages(context)

    async def to_folder(request: Request) -> Response:
        return RedirectResponse(request.url.path + "/", status_code=301)

    methods = ["GET", "HEAD"]
    served = [Route(f"/{folder}/{{rest:path}}", pages.entity, methods=methods)
              for folder in ("id", "code", "def", "shapes")]
    return [Route("/sources", pages.sources, methods=methods),
            Route("/indicators", pages.indicators, methods=methods),
            Route("/def", to_folder, methods=methods), Route("/code", to_folder, methods=methods),
            *served]


__all__ = ["BASE", "Pages", "routes", "wanted_format"]

"""The saved queries as an API, described by an OpenAPI document, and the validation service.

- ``GET /api/queries``: every saved query (``queries/*.rq``) with its header: summary,
  description, tags, typed parameters, the URL that runs it, the query text. The
  fields are those of ``kg queries --json`` (less the file's path on the server).
- ``GET /api/queries/NAME?param=value``: runs it. The answer is SPARQL results JSON,
  CSV or TSV by ``Accept`` (a CONSTRUCT query: Turtle, JSON-LD or N-Triples), or by
  ``?format=`` (json, csv, tsv, turtle, jsonld, ntriples) when the query has no
  parameter of that name. An empty value (a blank field of a form) leaves its
  parameter unset. A bad parameter (unknown, missing, not of its type) is a 400
  problem naming it in ``param``; an unknown query a 404 with the names it may have
  meant.
- ``GET /api/openapi.json``: an OpenAPI 3.1 document built from the ``.rq`` headers
  (grlc's idea): one path per saved query with its typed parameters, and
  ``/sparql`` and ``/api/validate``.
- ``POST /api/validate``: an addition (Turtle, TriG, JSON-LD, N-Triples or N-Quads
  by ``Content-Type``) checked as ``kg add --dry-run`` checks it (:func:`kg.add.add`:
  the same untrusted-input limits, provenance rules and shapes), answered with the
  report as JSON or text. It never writes: the dry run reads its own copy of the
  project's files (or opens the served store read-only), never the served graph.
  Over a remote endpoint the addition is checked against the project's files, and
  the answer says so.
"""

from __future__ import annotations

import asyncio
import difflib
import math
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..errors import InputError, KGError, ParameterError, ProvenanceError, SourceFileError
from ..formats import RdfFormat
from ..queries import MAX_STRING, ParamType, SavedQuery, check_value
from ..results import ResultFormat, render
from .context import Context
from .problems import PROBLEM_JSON, problem

if TYPE_CHECKING:
    from ..add import AddResult

#: What a SELECT or ASK answer can be written as, the first by default.
ROW_TYPES = {"application/sparql-results+json": ResultFormat.JSON,
             "application/json": ResultFormat.JSON,
             "text/csv": ResultFormat.CSV,
             "text/tab-separated-values": ResultFormat.TSV}
#: What a CONSTRUCT or DESCRIBE answer can be written as, the first by default.
GRAPH_TYPES = {"text/turtle": ResultFormat.TURTLE,
               "application/ld+json": ResultFormat.JSONLD,
               "application/n-triples": ResultFormat.NTRIPLES}
#: What ``?format=`` names, as the media type answered.
FORMAT_TYPES = {ResultFormat.JSON: "application/sparql-results+json",
                ResultFormat.CSV: "text/csv", ResultFormat.TSV: "text/tab-separated-values",
                ResultFormat.TURTLE: "text/turtle", ResultFormat.JSONLD: "application/ld+json",
                ResultFormat.NTRIPLES: "application/n-triples"}
#: What POST /api/validate reads, by Content-Type.
BODY_FORMATS = {fmt.media_type: fmt for fmt in RdfFormat} | {
    "application/x-turtle": RdfFormat.TURTLE, "application/json": RdfFormat.JSONLD}
#: What POST /api/validate answers, the first by default.
REPORT_TYPES = ("application/json", "text/plain")
#: The query-string parameters of POST /api/validate: what ``kg add`` takes as options.
VALIDATE_PARAMS = {
    "source": "the source article (its stem) of statements outside any named graph "
              "(kg add --source)",
    "publisher": "the article's publisher, when the graph does not describe the article yet",
    "date": "the date the article states: YYYY-MM-DD, YYYY-MM, YYYY or not-printed",
    "amend": "the stem of an existing source whose graph the addition may change (repeatable)",
    "strict": "true: a warning fails the validation too",
}


class BadRequest(Exception):
    """A request the API refuses: its status, reason and the extra members of the problem."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def routes(context: Context) -> list[BaseRoute]:
    """The routes of the API."""
    api = Api(context)
    return [
        Route("/api/queries", api.list_queries, methods=["GET"]),
        Route("/api/queries/{name}", api.run_query, methods=["GET"]),
        Route("/api/openapi.json", api.openapi, methods=["GET"]),
        Route("/api/validate", api.validate, methods=["POST"]),
    ]


class Api:
    """The handlers of the API over one server's context."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._openapi: dict[str, Any] | None = None

    # ---- the saved queries

    async def list_queries(self, request: Request) -> Response:
        library = self.context.dataset.library
        base = request.scope.get("root_path", "")
        return JSONResponse([describe(library.get(name), base) for name in library.names()])

    async def run_query(self, request: Request) -> Response:
        try:
            query = self.saved(request.path_params["name"])
            values, chosen = read_parameters(query, request.query_params.multi_items(),
                                             self.context.options.max_query)
            fmt, media = answer_format(query.kind, chosen, request.headers.get("accept", ""))
        except BadRequest as exc:
            return problem(request, exc.status, exc.detail, **exc.extra)
        result = await self.context.dataset.arun(query.bind(**values))
        return Response(render(result, fmt), media_type=media)

    def saved(self, name: str) -> SavedQuery:
        """The saved query ``name``, or a 404 naming the queries it may have meant."""
        library = self.context.dataset.library
        if name in library:
            return library.get(name)
        near = difflib.get_close_matches(name[:200], library.names(), n=3, cutoff=0.5)
        hint = (f"; did you mean {' or '.join(near)}?" if near else "")
        raise BadRequest(404, f"no saved query {name[:200]!r}{hint} GET /api/queries lists them",
                         suggestions=near)

    async def openapi(self, request: Request) -> Response:
        if self._openapi is None:
            self._openapi = openapi_document(self.context)
        return JSONResponse(self._openapi, media_type="application/json")

    # ---- validation

    async def validate(self, request: Request) -> Response:
        dataset = self.context.dataset
        try:
            fmt = body_format(request.headers.get("content-type", ""))
            media = negotiate(request.headers.get("accept", ""), REPORT_TYPES)
            if media is None:
                raise BadRequest(406, "the report is written as "
                                      f"{' or '.join(REPORT_TYPES)}; ask for one in Accept")
            options = validate_options(request.query_params.multi_items())
        except BadRequest as exc:
            return problem(request, exc.status, exc.detail, **exc.extra)
        body = await request.body()
        store = dataset.local.path if dataset.local is not None else None
        against = (f"the store {store}" if store is not None else
                   "the project's files (data/, ontology/, shapes/)")
        if dataset.local is None:
            against += (f"; the server answers queries from {dataset.describe()}, whose graph "
                        "this does not read")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(
                dataset.pool, lambda: dry_run(body, fmt, self.context, store, options))
        except BadRequest as exc:
            return problem(request, exc.status, exc.detail, **exc.extra)
        if media == "text/plain":
            return PlainTextResponse(f"validated against {against}\n"
                                     + result.to_text(dataset.project.root))
        return JSONResponse(report_json(result, against))


# --------------------------------------------------------------------------- listing

def describe(query: SavedQuery, base: str = "") -> dict[str, Any]:
    """One saved query as ``GET /api/queries`` lists it."""
    url = f"{base}/api/queries/{query.name}"
    examples = {p.name: p.example or p.default for p in query.params if p.example or p.default}
    example_url = url + ("?" + "&".join(f"{k}={quote(v)}" for k, v in examples.items() if v)
                         if examples else "")
    return {"name": query.name, "summary": query.summary, "description": query.description,
            "tags": list(query.tags), "kind": query.kind,
            "params": [{"name": p.name, "type": p.type.key, "required": p.required,
                        "default": p.default, "example": p.example,
                        "description": p.description, "expected": p.type.expected}
                       for p in query.params],
            "url": url, "example_url": example_url, "query": query.text}


def quote(value: str) -> str:
    from urllib.parse import quote as url_quote

    return url_quote(value, safe=":/@-._~")


# --------------------------------------------------------------------------- running

def read_parameters(query: SavedQuery, given: Sequence[tuple[str, str]], max_chars: int
                    ) -> tuple[dict[str, str], ResultFormat | None]:
    """The parameter values of the query string, checked; and the ``format`` asked for.

    Raises:
        BadRequest: 400 naming the parameter that is unknown, given twice, missing, or
            not of its type.
    """
    names = {p.name for p in query.params}
    values: dict[str, str] = {}
    chosen: ResultFormat | None = None
    seen: set[str] = set()
    for name, value in given:
        if name in seen:
            raise BadRequest(400, f"parameter {name[:100]!r} is given more than once",
                             param=name[:100])
        seen.add(name)
        if name == "format" and name not in names:
            try:
                chosen = ResultFormat.from_name(value)
            except InputError:
                chosen = None
            if chosen is None or chosen not in FORMAT_TYPES:
                raise BadRequest(400, f"format {value[:40]!r} is not one the API writes; use "
                                      f"{', '.join(f.key for f in FORMAT_TYPES)}", param="format")
            continue
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            raise BadRequest(400, f"query {query.name!r} has no parameter {name[:100]!r} (its "
                                  f"parameters: {known})", param=name[:100])
        if len(value) > max_chars:
            raise BadRequest(400, f"parameter {name!r}: a value of {len(value)} characters is "
                                  f"over the server's limit of {max_chars}", param=name)
        if value == "":
            continue  # a blank field of a form: unset
        parameter = query.param(name)
        try:
            check_value(name, parameter.type, value)
        except ParameterError as exc:
            raise BadRequest(400, str(exc), param=name) from None
        values[name] = value
    for parameter in query.params:
        if parameter.required and parameter.name not in values and parameter.default is None:
            hint = f", e.g. {parameter.example}" if parameter.example else ""
            raise BadRequest(400, f"query {query.name!r} needs parameter {parameter.name!r} "
                                  f"({parameter.type.expected}{hint})", param=parameter.name)
    return values, chosen


def answer_format(kind: str, chosen: ResultFormat | None, accept: str
                  ) -> tuple[ResultFormat, str]:
    """How to write a result of ``kind``: by ``?format=``, else by ``Accept``.

    Raises:
        BadRequest: 400 for a ``format`` that does not suit the kind, 406 when Accept
            names nothing the API writes for it.
    """
    offered = GRAPH_TYPES if kind in ("CONSTRUCT", "DESCRIBE") else ROW_TYPES
    if chosen is not None:
        if chosen not in offered.values():
            suitable = ", ".join(sorted({f.key for f in offered.values()}))
            raise BadRequest(400, f"a {kind} query's answer cannot be written as {chosen.key}; "
                                  f"use format {suitable}", param="format")
        return chosen, FORMAT_TYPES[chosen]
    media = negotiate(accept, list(offered))
    if media is None:
        raise BadRequest(406, f"a {kind} query's answer is written as {', '.join(offered)}; "
                              "ask for one of them in Accept (or give ?format=)")
    return offered[media], media


def negotiate(accept: str, offered: Sequence[str]) -> str | None:
    """The media type of ``offered`` that the ``Accept`` header prefers, or None.

    An empty or unreadable header takes the first offered; on equal preference the
    earlier offered wins; a more specific range (``text/csv`` over ``text/*`` over
    ``*/*``) decides the quality of a type (RFC 9110, 12.5.1).
    """
    ranges: list[tuple[str, str, float]] = []
    for part in accept.split(",")[:64]:
        media, *fields = part.split(";")
        kind, slash, sub = media.strip().lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for field in fields:
            key, _, value = field.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
                if not math.isfinite(quality) or not 0.0 <= quality <= 1.0:
                    quality = 0.0
        ranges.append((kind, sub, quality))
    if not ranges:
        return offered[0] if offered else None
    best: str | None = None
    best_quality = 0.0
    for media in offered:
        kind, _, sub = media.partition("/")
        matches = [(3 if (k, s) == (kind, sub) else 2 if (k, s) == (kind, "*") else 1, q)
                   for k, s, q in ranges
                   if (k, s) in ((kind, sub), (kind, "*"), ("*", "*"))]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > best_quality:
            best, best_quality = media, quality
    return best


# --------------------------------------------------------------------------- validation

def body_format(content_type: str) -> RdfFormat:
    """The format of a body by its Content-Type.

    Raises:
        BadRequest: 415 naming the types read.
    """
    media, *fields = content_type.split(";")
    fmt = BODY_FORMATS.get(media.strip().lower())
    if fmt is None:
        shown = media.strip()[:80] or "none"
        raise BadRequest(415, f"the body's Content-Type ({shown}) is not one validated; send "
                              f"{', '.join(f.media_type for f in RdfFormat)}")
    for field in fields:
        key, _, value = field.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
                "utf-8", "utf8", "us-ascii"):
            raise BadRequest(415, f"the body's charset {value.strip()[:40]!r} is not read; "
                                  "send UTF-8")
    return fmt


def validate_options(given: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """The options of ``POST /api/validate`` from its query string.

    Raises:
        BadRequest: 400 naming an unknown or repeated option, or a bad ``strict``.
    """
    options: dict[str, Any] = {"amend": []}
    for name, value in given:
        if name not in VALIDATE_PARAMS:
            raise BadRequest(400, f"POST /api/validate has no parameter {name[:100]!r} (its "
                                  f"parameters: {', '.join(VALIDATE_PARAMS)})", param=name[:100])
        if name == "amend":
            options["amend"].append(value)
        elif name in options:
            raise BadRequest(400, f"parameter {name!r} is given more than once", param=name)
        elif name == "strict":
            if value.lower() not in ("true", "false", ""):
                raise BadRequest(400, f"parameter 'strict': {value[:40]!r} is not true or false",
                                 param="strict")
            options["strict"] = value.lower() == "true"
        else:
            options[name] = value
    return options


def dry_run(body: bytes, fmt: RdfFormat, context: Context, store: Path | None,
            options: Mapping[str, Any]) -> AddResult:
    """``kg add --dry-run`` of ``body``: what adding it would do, writing nothing.

    The body is written to a private temporary file (the untrusted-input checks read a
    file), named ``body.<suffix>`` so that messages point at ``body.trig:LINE:COLUMN``.

    Raises:
        BadRequest: 400 for an unusable body or options (naming line and column where
            the parser tells), 500 when the server's graph or shapes cannot validate.
    """
    from ..add import SourceDescription, add

    with tempfile.TemporaryDirectory(prefix="kg-validate-") as folder:
        path = Path(folder) / f"body{fmt.extension}"
        path.write_bytes(body)

        def shown(exc: Exception) -> str:
            return str(exc).replace(str(path), path.name).replace(folder + "/", "")

        source = None
        if options.get("source") is not None:
            source = SourceDescription(options["source"], publisher=options.get("publisher"),
                                       date=options.get("date"))
        elif options.get("publisher") is not None or options.get("date") is not None:
            raise BadRequest(400, "publisher and date describe the article named by source; "
                                  "give source too", param="source")
        try:
            return add([path], project=context.dataset.project, source=source, fmt=fmt,
                       dry_run=True, strict=bool(options.get("strict")), store=store,
                       amend=options.get("amend") or ())
        except SourceFileError as exc:
            raise BadRequest(400, shown(exc), **position(exc.line, exc.column)) from None
        except (InputError, ProvenanceError) as exc:
            found = re.search(re.escape(path.name) + r":(\d+)(?::(\d+))?", shown(exc))
            line, column = found.groups() if found else (None, None)
            raise BadRequest(400, shown(exc), **position(line, column)) from None
        except KGError as exc:
            raise BadRequest(500, f"the server cannot validate additions: {shown(exc)}") from None


def position(line: int | str | None, column: int | str | None) -> dict[str, int]:
    """The ``line`` and ``column`` members of a problem, those that are known."""
    return {key: int(value) for key, value in (("line", line), ("column", column))
            if value is not None}


def report_json(result: AddResult, against: str) -> dict[str, Any]:
    """The answer of ``POST /api/validate``: the SHACL report of the addition, and what it adds."""
    from ..add import concerned
    from ..terms import short

    new = list(result.origins.items())
    results = []
    for found in result.report.results:
        cause = result.causes[found] if found in result.causes else concerned(found, new)
        statements = []
        for quad, origin in cause:
            where = re.search(r":(\d+)\Z", origin)
            statements.append({
                "statement": f"{short(quad.subject)} {short(quad.predicate)} "
                             f"{short(quad.object)} .",
                "graph": getattr(quad.graph_name, "value", None),
                "at": origin, "line": int(where.group(1)) if where else None})
        results.append({**found.as_dict(), "statements": statements})
    return {
        "conforms": result.conforms, "dry_run": True, "written": False, "against": against,
        "summary": result.report.summary(), "counts": result.report.counts,
        "strict": result.report.strict,
        "statements": result.statements, "already_present": result.already_present,
        "graphs": [{"graph": a.graph.value, "file": a.file.name, "new_file": a.new_file,
                    "statements": len(a.statements), "amended": a.amended,
                    "new_entities": [short(e) for e in a.new_entities]}
                   for a in result.additions],
        "results": results, "warnings": list(result.report.warnings),
        "conflicts": list(result.conflicts),
    }


# --------------------------------------------------------------------------- OpenAPI

#: Each parameter type as a JSON Schema of its value in the query string.
PARAM_SCHEMAS: dict[ParamType, dict[str, Any]] = {
    ParamType.IRI: {"type": "string", "format": "iri", "maxLength": MAX_STRING},
    ParamType.STRING: {"type": "string", "maxLength": MAX_STRING},
    ParamType.LANGSTRING: {"type": "string", "maxLength": MAX_STRING,
                           "pattern": r"@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    ParamType.INTEGER: {"type": "integer"},
    ParamType.DECIMAL: {"type": "number"},
    ParamType.DATE: {"type": "string", "format": "date"},
    ParamType.YEAR: {"type": "string", "pattern": "^[0-9]{4}$"},
}


def _problem_responses(*statuses: int) -> dict[str, Any]:
    from .problems import TITLES

    return {str(status): {"description": TITLES[status],
                          "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}


def openapi_document(context: Context) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API: a path per saved query, and /sparql, /api/validate."""
    from .. import __version__

    library = context.dataset.library
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries", "summary": "The saved queries, with their parameters",
            "tags": ["saved queries"],
            "responses": {"200": {"description": "every saved query", "content": {
                "application/json": {"schema": {"type": "array", "items": {
                    "$ref": "#/components/schemas/SavedQuery"}}}}}}}},
    }
    for name in library.names():
        query = library.get(name)
        parameters = []
        for p in query.params:
            schema = dict(PARAM_SCHEMAS[p.type])
            if p.default is not None:
                schema["default"] = _typed(p.type, p.default)
            parameter: dict[str, Any] = {
                "name": p.name, "in": "query", "required": p.required and p.default is None,
                "description": (p.description + " " if p.description else "")
                + f"({p.type.key}: {p.type.expected})", "schema": schema}
            if p.example is not None:
                parameter["example"] = _typed(p.type, p.example)
            parameters.append(parameter)
        graph = query.kind in ("CONSTRUCT", "DESCRIBE")
        offered = GRAPH_TYPES if graph else ROW_TYPES
        if "format" not in {p.name for p in query.params}:
            parameters.append({
                "name": "format", "in": "query", "required": False,
                "description": "the answer's format, in place of the Accept header",
                "schema": {"type": "string", "enum": sorted({f.key for f in offered.values()})}})
        content = {media: {"schema": {"$ref": "#/components/schemas/SparqlResults"}}
                   if fmt is ResultFormat.JSON else {"schema": {"type": "string"}}
                   for media, fmt in offered.items()}
        paths[f"/api/queries/{name}"] = {"get": {
            "operationId": _operation_id(name), "summary": query.summary,
            "description": query.description or query.summary,
            "tags": list(query.tags) or ["saved queries"],
            "parameters": parameters,
            "responses": {"200": {"description": f"the {query.kind} query's answer",
                                  "content": content},
                          **_problem_responses(400, 406, 503)}}}
    paths["/api/validate"] = {"post": {
        "operationId": "validateAddition",
        "summary": "Validate an addition against the shapes (kg add --dry-run; never writes)",
        "tags": ["validation"],
        "parameters": [{"name": name, "in": "query", "required": False, "description": about,
                        "schema": {"type": "boolean"} if name == "strict" else {"type": "string"}}
                       for name, about in VALIDATE_PARAMS.items()],
        "requestBody": {"required": True, "content": {
            fmt.media_type: {"schema": {"type": "string"}} for fmt in RdfFormat}},
        "responses": {"200": {"description": "the SHACL report of the addition", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ValidationReport"}},
            "text/plain": {"schema": {"type": "string"}}}},
            **_problem_responses(400, 406, 413, 415)}}}
    sparql_answers = {"description": "the query's answer", "content": {
        media: {"schema": {"type": "string"}} for media in (
            "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
            "text/tab-separated-values", "text/turtle", "application/ld+json",
            "application/n-triples", "application/rdf+xml")}}
    plain_errors = {str(s): {"description": d, "content": {"text/plain": {"schema": {
        "type": "string"}}}} for s, d in (("400", "the query does not parse"),
                                           ("403", "an update or SERVICE: refused"),
                                           ("503", "past the time limit"))}
    graph_params = [{"name": n, "in": "query", "required": False, "description": d,
                     "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
                     "style": "form", "explode": True}
                    for n, d in (("default-graph-uri", "a graph of the default graph"),
                                 ("named-graph-uri", "a named graph of the dataset"))]
    paths["/sparql"] = {
        "get": {"operationId": "sparqlGet", "summary": "SPARQL 1.1 Protocol: a query by GET "
                "(without one: the service description)", "tags": ["SPARQL"],
                "parameters": [{"name": "query", "in": "query", "required": False,
                                "schema": {"type": "string"}}, *graph_params],
                "responses": {"200": sparql_answers, **plain_errors}},
        "post": {"operationId": "sparqlPost", "summary": "SPARQL 1.1 Protocol: a query by POST "
                 "(form or direct)", "tags": ["SPARQL"], "parameters": graph_params,
                 "requestBody": {"required": True, "content": {
                     "application/sparql-query": {"schema": {"type": "string"}},
                     "application/x-www-form-urlencoded": {"schema": {
                         "type": "object", "required": ["query"],
                         "properties": {"query": {"type": "string"}}}}}},
                 "responses": {"200": sparql_answers, **plain_errors}}}
    paths["/api/openapi.json"] = {"get": {
        "operationId": "openapi", "summary": "This document", "tags": ["saved queries"],
        "responses": {"200": {"description": "OpenAPI 3.1", "content": {
            "application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "kg: the knowledge graph's saved queries and validation",
                 "version": __version__,
                 "description": "Every saved query of the project (queries/*.rq) as an "
                                "operation with typed parameters, the SPARQL endpoint, and "
                                "the validation of an addition. Served by `kg serve`."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }


def _typed(kind: ParamType, text: str) -> object:
    """An example or default as the JSON value its schema says (a number for integer...)."""
    try:
        if kind is ParamType.INTEGER:
            return int(text)
        if kind is ParamType.DECIMAL:
            return float(text)
    except ValueError:
        pass
    return text


def _operation_id(name: str) -> str:
    head, *rest = re.split(r"[^A-Za-z0-9]+", name)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_TERM = {"type": "object", "required": ["type", "value"], "properties": {
    "type": {"enum": ["uri", "literal", "bnode", "triple"]}, "value": {},
    "xml:lang": {"type": "string"}, "datatype": {"type": "string"}}}

SCHEMAS: dict[str, Any] = {
    "Problem": {"type": "object", "required": ["type", "title", "status", "detail"],
                "description": "RFC 9457 problem details; param names the bad parameter",
                "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                               "status": {"type": "integer"}, "detail": {"type": "string"},
                               "param": {"type": "string"},
                               "suggestions": {"type": "array", "items": {"type": "string"}},
                               "line": {"type": "integer"}, "column": {"type": "integer"}}},
    "SparqlResults": {
        "type": "object", "required": ["head"],
        "description": "SPARQL 1.1 Query Results JSON (W3C)",
        "properties": {
            "head": {"type": "object", "properties": {
                "vars": {"type": "array", "items": {"type": "string"}}}},
            "boolean": {"type": "boolean"},
            "results": {"type": "object", "required": ["bindings"], "properties": {
                "bindings": {"type": "array", "items": {
                    "type": "object", "additionalProperties": _TERM}}}}}},
    "SavedQuery": {
        "type": "object", "required": ["name", "summary", "params", "url", "query"],
        "properties": {
            "name": {"type": "string"}, "summary": {"type": "string"},
            "description": {"type": "string"}, "tags": {"type": "array",
                                                        "items": {"type": "string"}},
            "kind": {"enum": ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]},
            "params": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"},
                "type": {"enum": [t.key for t in ParamType]},
                "required": {"type": "boolean"}, "default": {"type": ["string", "null"]},
                "example": {"type": ["string", "null"]}, "description": {"type": "string"},
                "expected": {"type": "string"}}}},
            "url": {"type": "string"}, "example_url": {"type": "string"},
            "query": {"type": "string"}}},
    "ValidationReport": {
        "type": "object", "required": ["conforms", "against", "results"],
        "properties": {
            "conforms": {"type": "boolean"}, "dry_run": {"const": True},
            "written": {"const": False}, "against": {"type": "string"},
            "summary": {"type": "string"},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "statements": {"type": "integer"}, "already_present": {"type": "integer"},
            "results": {"type": "array", "items": {"type": "object", "properties": {
                "severity": {"type": "string"}, "focus": {"type": "string"},
                "focus_label": {"type": ["string", "null"]},
                "path": {"type": ["string", "null"]}, "value": {"type": ["string", "null"]},
                "message": {"type": "string"}, "shape": {"type": ["string", "null"]},
                "constraint": {"type": ["string", "null"]},
                "sources": {"type": "array", "items": {"type": "string"}},
                "statements": {"type": "array", "items": {"type": "object", "properties": {
                    "statement": {"type": "string"}, "at": {"type": "string"},
                    "line": {"type": ["integer", "null"]}}}}}}},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "conflicts": {"type": "array", "items": {"type": "string"}}}},
}


__all__ = ["negotiate", "openapi_document", "routes"]

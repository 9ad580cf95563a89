"""The web application: the routes of each part, and what every request goes through.

Every request passes :class:`Guard` (pure ASGI, so that it costs little): a request
body over the size limit is refused with 413 (by its Content-Length, or while it is
read), every answer carries the security headers (a Content-Security-Policy that
lets a page load only what kg serves itself), and one access-log line is written as
JSON on the ``kg.access`` logger. CORS is explicit: ``Options.cors_origins``.

A user's mistake is a 4xx with a one-line reason, never a 500; an unexpected error is
a 500 whose body says only that (the traceback goes to the log).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.routing import Route

from ..errors import EndpointError, KGError
from . import api, draftpage, pages, querypage, sparql
from .context import STATIC, Context, Options
from .dataset import Dataset, QueryTimeout
from .problems import problem

ACCESS_LOG = logging.getLogger("kg.access")
ERROR_LOG = logging.getLogger("kg.serve")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    # only what kg serves itself; inline styles for the vendored editor's widgets
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
     b"object-src 'none'; base-uri 'self'; frame-ancestors 'self'"),
]


class Guard:
    """Body size limit, security headers and the access log, around the whole application."""

    def __init__(self, app: ASGIApp, *, max_body: int, log: bool) -> None:
        self.app = app
        self.max_body = max_body
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        sent = 0

        async def send_guarded(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            response = PlainTextResponse(
                f"the request body is larger than the server's limit of {self.max_body} bytes\n"
                if length.isdigit() else "the Content-Length header is not a number\n",
                status_code=413 if length.isdigit() else 400)
            await response(scope, receive, send_guarded)
        else:
            seen = 0

            async def receive_limited() -> Message:
                nonlocal seen
                message = await receive()
                if message["type"] == "http.request":
                    seen += len(message.get("body", b""))
                    if seen > self.max_body:
                        raise HTTPException(413, f"the request body is larger than the "
                                                 f"server's limit of {self.max_body} bytes")
                return message

            await self.app(scope, receive_limited, send_guarded)
        if self.log:
            ACCESS_LOG.info(json.dumps({
                "time": round(time.time(), 3), "client": (scope.get("client") or ("", 0))[0],
                "method": scope["method"], "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1")[:200],
                "status": status, "bytes": sent,
                "ms": round((time.perf_counter() - started) * 1000, 2)}))


class StaticAssets:
    """The files of ``static/``, read once and answered from memory.

    A request names a file by its exact path among those read at start: nothing
    outside the folder can be reached (no path is joined to a file name), and a
    page's assets cost no file access. Each answer has an ETag; a matching
    ``If-None-Match`` is answered 304.
    """

    def __init__(self, folder: Path) -> None:
        import hashlib
        import mimetypes

        self.files: dict[str, tuple[bytes, str, str]] = {}
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                body = file.read_bytes()
                media = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if media.startswith("text/") or media in ("application/javascript",
                                                          "application/json"):
                    media += "; charset=utf-8"
                etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
                self.files["/" + file.relative_to(folder).as_posix()] = (body, media, etag)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.files.get(scope["path"][len(scope.get("root_path", "")):] or "/")
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, "static files are read with GET or HEAD",
                                headers={"Allow": "GET, HEAD"})
        if found is None:
            raise HTTPException(404, f"no static file {scope['path']}")
        body, media, etag = found
        headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
        request_headers = dict(scope["headers"])
        if request_headers.get(b"if-none-match", b"").decode("latin-1") == etag:
            response: Response = Response(status_code=304, headers=headers)
        else:
            response = Response(body if scope["method"] == "GET" else b"", media_type=media,
                                headers=headers)
            if scope["method"] == "HEAD":
                response.headers["content-length"] = str(len(body))
        await response(scope, receive, send)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.detail != "Not Found" else (
        f"nothing is served at {request.url.path}; the query page is at /")
    response = problem(request, exc.status_code, str(detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def on_kg_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, QueryTimeout):
        return problem(request, 503, str(exc))
    if isinstance(exc, EndpointError):
        return problem(request, 502, str(exc))
    return problem(request, 400, str(exc))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    ERROR_LOG.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(request, 500, "the server failed on this request (an error of kg, logged "
                                 "on the server); please report it")


class Shortcut:
    """Sends a request for one of ``paths`` straight to its application, past the router and
    the exception handlers (the SPARQL endpoint answers its own errors): the protocol's
    requests are many and small, and each layer costs them."""

    def __init__(self, app: ASGIApp, *, paths: dict[str, ASGIApp]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = self.paths.get(scope["path"]) if scope["type"] == "http" else None
        await (target or self.app)(scope, receive, send)


def lifespan(dataset: Dataset) -> Any:
    """Close the dataset's query threads when the server stops."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def running(app: Starlette) -> Any:
        yield
        dataset.close()

    return running


def create_app(dataset: Dataset, *, options: Options | None = None,
               base: str | None = None) -> Starlette:
    """The ASGI application serving ``dataset``: protocol, pages, API, static files.

    ``base`` is the published base IRI (``--base``), default ``https://kg.example/``.
    """
    from .paths import Paths

    options = options or Options()
    context = Context(dataset, paths=Paths(base) if base else None, options=options)
    routes: list[BaseRoute] = [
        *querypage.routes(context),  # "/" before the pages, which answer every other path
        *sparql.routes(context), *api.routes(context), *draftpage.routes(context),
        Mount("/static", app=StaticAssets(STATIC), name="static"),
        *pages.routes(context),
    ]
    middleware = [
        Middleware(Guard, max_body=options.max_body, log=options.access_log),
        Middleware(CORSMiddleware, allow_origins=list(options.cors_origins),
                   allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                   allow_headers=["Accept", "Content-Type"], max_age=3600),
        Middleware(Shortcut, paths={route.path: route.app for route in routes if isinstance(
            route, Route) and route.path in sparql.PATHS}),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        HTTPException: on_http_error, KGError: on_kg_error, Exception: on_unexpected},
        lifespan=lifespan(dataset))
    app.state.context = context
    return app


def app_from_environment() -> Starlette:
    """The application a worker process of ``kg serve --workers N`` builds (uvicorn's factory):
    its settings come from ``$KG_SERVE`` (JSON, written by ``kg serve``)."""
    import os

    settings = json.loads(os.environ["KG_SERVE"])
    return build(**settings)


def build(*, root: str | None = None, store: str | None = None, endpoint: str | None = None,
          default_graph: list[str] | None = None, named_graph: list[str] | None = None,
          timeout: float = 10.0, max_rows: int = 100_000, base: str | None = None,
          cors_origins: list[str] | None = None, access_log: bool = True,
          endpoint_timeout: float = 30.0) -> Starlette:
    """The application over the project's graph (in memory), a store, or an endpoint.

    Raises:
        KGError: the project, store or endpoint cannot be opened.
    """
    from ..project import Project

    project = Project.locate(root)
    if endpoint:
        from ..backends import RemoteBackend

        remote = RemoteBackend(endpoint, timeout=endpoint_timeout,
                               default_graph=default_graph or None,
                               named_graph=named_graph or None)
        dataset = Dataset(project, remote=remote, timeout=timeout, max_rows=max_rows)
    else:
        from ..graph import load_graph, open_store

        graph = open_store(store) if store else load_graph(project)
        dataset = Dataset(project, graph=graph, timeout=timeout, max_rows=max_rows)
    options = Options(cors_origins=tuple(cors_origins or ("*",)), access_log=access_log)
    return create_app(dataset, options=options, base=base)


__all__ = ["Guard", "app_from_environment", "build", "create_app"]

"""Talking to a remote triple store: the SPARQL 1.1 Protocol through SPARQLWrapper, the
Graph Store Protocol, and the one HTTP transport both go through.

- :class:`SparqlClient` is a SPARQLWrapper: it builds the SPARQL Protocol
  requests, queries and updates alike (``query=`` / ``update=`` forms,
  ``default-graph-uri`` / ``named-graph-uri``, content negotiation). It is
  used by the remote backend (:class:`kg.backends.RemoteBackend`) and by
  :func:`kg.publish.publish` for SPARQL Update.
- :class:`HttpClient` is the transport: the client's own ``urllib`` opener
  with its credentials and timeout, and every failure as one
  :class:`~kg.errors.EndpointError` line that names the URL and says what
  went wrong: unreachable (refused, unknown host, timeout), an HTTP error
  status (with the first line of the store's answer), or an answer that is
  not what was asked for. :func:`kg.publish.publish` uses it directly for the
  Graph Store Protocol ``PUT``, which SPARQLWrapper does not do.

Credentials are offered to the URL's host only, with HTTP Digest (what
Virtuoso's ``-auth`` endpoints require) or Basic, whichever the store asks for.

What SPARQLWrapper 2.0.0 does that kg does not follow, each shown by a test
in ``tests/test_remote.py`` (``test_sparqlwrapper_*``) so that a fixed
release is noticed:

- With Digest auth it installs a process-wide ``urllib`` opener
  (``urllib.request.install_opener``) on every request: every later
  ``urlopen`` in the process goes through it, and two clients with different
  credentials replace each other's. Here SPARQLWrapper is never given the
  credentials; every request it builds is sent by the client's own opener.
- ``setTimeout(0.5)`` keeps ``int(0.5)``, 0, which means *no* timeout. Here
  the transport's timeout (seconds, a float) applies.
- The query form is found by a regular expression that skips only
  upper-case ``PREFIX`` declarations with a non-empty prefix, then takes the
  first keyword *anywhere*, inside IRIs too: after ``prefix ex:
  <http://example.org/task/>`` a SELECT is taken for an ASK, after ``PREFIX :
  <http://example.org/address/>`` for an ADD and sent as an update. Here the
  form is read by kg's SPARQL tokenizer (:func:`kg.sparqltext.operation_form`).

SPARQLWrapper is imported with this module (about 0.08 s): only where a
remote store is used, never by a query on the local graph.
"""

from __future__ import annotations

import html
import http.client
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from SPARQLWrapper import JSON, N3, POST, SELECT, SPARQLWrapper

from .errors import EndpointError, QueryError
from .sparqltext import operation_form

#: Bytes of an error answer read to quote its first line.
ERROR_BODY_BYTES = 64 * 1024

#: Accept header for CONSTRUCT and DESCRIBE: N-Triples first (a line per triple, no prefixes to
#: get wrong), then Turtle. SPARQLWrapper has no N-Triples format of its own.
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, text/plain;q=0.5"


@dataclass(frozen=True)
class Answer:
    """A successful HTTP answer: status, media type (lower case, no parameters), headers, body."""

    status: int
    media_type: str
    headers: Message
    body: bytes

    def text(self) -> str:
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            return self.body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            return self.body.decode("utf-8", errors="replace")


class HttpClient:
    """Requests to one store, with its credentials and timeout, through an opener of its own."""

    def __init__(self, url: str, *, timeout: float = 30.0, user: str | None = None,
                 password: str | None = None) -> None:
        """A client for the store at ``url``; nothing is sent yet.

        Raises:
            EndpointError: ``url`` is not an http(s) URL.
        """
        check_url(url)
        self.url = url
        self.timeout = timeout
        handlers: list[urllib.request.BaseHandler] = []
        if user is not None or password is not None:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, user or "", password or "")
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    def open(self, request: urllib.request.Request) -> Any:
        """Send ``request``; the open response (an ``http.client.HTTPResponse``) if its status is 2xx.

        Raises:
            EndpointError: unreachable, timed out, or an HTTP error status.
        """
        method, url = request.get_method(), request.full_url
        try:
            return self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raise EndpointError(http_error_message(method, url, exc)) from None
        except urllib.error.URLError as exc:
            raise EndpointError(unreachable_message(url, exc.reason, self.timeout)) from None
        except (OSError, http.client.HTTPException) as exc:
            raise EndpointError(unreachable_message(url, exc, self.timeout)) from None
        except ValueError as exc:  # urllib's digest handler on a scheme it cannot answer
            raise EndpointError(f"{method} {url} failed: {exc}") from None

    def send(self, request: urllib.request.Request) -> Answer:
        """Send ``request`` and read the answer.

        Raises:
            EndpointError: unreachable, timed out (sending or reading), or an HTTP error status.
        """
        with self.open(request) as response:
            try:
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                raise EndpointError(unreachable_message(request.full_url, exc, self.timeout)) \
                    from None
            return Answer(response.status, media_type(response.headers), response.headers, body)

    def request(self, method: str, url: str, *, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        """Send one request of our own (the Graph Store Protocol's ``PUT``); the answer if 2xx.

        Raises:
            EndpointError: unreachable, timed out, or an HTTP error status.
        """
        return self.send(urllib.request.Request(url, data=data, method=method,
                                                headers=headers or {}))


class SparqlClient(SPARQLWrapper):
    """SPARQLWrapper building the SPARQL 1.1 Protocol requests, ``http`` sending them.

    Queries and updates go by ``POST`` (a form: no URL length limit) with
    content negotiation only (no ``format=`` parameters, which are not the
    protocol's). ``endpoint`` defaults to the transport's URL. One client per
    request where threads share a backend: a SPARQLWrapper holds its query.
    See the module docstring for what is done differently from SPARQLWrapper.
    """

    def __init__(self, http: HttpClient, *, endpoint: str | None = None,
                 default_graphs: Iterable[str] = (), named_graphs: Iterable[str] = ()) -> None:
        super().__init__(endpoint or http.url)
        self.http = http
        self.setMethod(POST)
        self.setOnlyConneg(True)
        for graph in default_graphs:
            self.addDefaultGraph(graph)
        for graph in named_graphs:
            self.addNamedGraph(graph)

    def _parseQueryType(self, query: str) -> str | None:
        # SPARQLWrapper's regular expression finds keywords inside IRIs (see the module docstring)
        return operation_form(query) or SELECT

    def _query(self) -> Any:
        # every request, SPARQLWrapper's own query() included, goes through the client's opener
        return self.http.open(self._createRequest()), self.returnFormat

    def send_query(self, text: str) -> Answer:
        """Send a query: SELECT and ASK asked for as SPARQL JSON results, CONSTRUCT and
        DESCRIBE as N-Triples (else Turtle).

        Raises:
            QueryError: ``text`` is an update.
            EndpointError: unreachable, timed out, or an HTTP error status.
        """
        self.setQuery(text)
        if self.isSparqlUpdateRequest():
            raise QueryError(f"{self.queryType} is an update, not a query")
        if self.queryType in ("SELECT", "ASK"):
            self.setReturnFormat(JSON)
            self.clearCustomHttpHeader("Accept")
        else:
            self.setReturnFormat(N3)
            self.addCustomHttpHeader("Accept", GRAPH_ACCEPT)
        return self.http.send(self._createRequest())

    def send_update(self, text: str) -> Answer:
        """Send a SPARQL Update (to the endpoint, as an ``update=`` form).

        Raises:
            QueryError: ``text`` is not an update.
            EndpointError: unreachable, timed out, or an HTTP error status (a store
                refusing updates answers 401, 403 or 500).
        """
        self.setQuery(text)
        if not self.isSparqlUpdateRequest():
            raise QueryError(f"{self.queryType} is a query, not an update")
        self.clearCustomHttpHeader("Accept")
        return self.http.send(self._createRequest())


def check_url(url: str) -> None:
    """Refuse anything but an absolute http(s) URL.

    Raises:
        EndpointError: not an http:// or https:// URL with a host.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{url!r} is not an endpoint URL; give one such as "
                            "http://127.0.0.1:8890/sparql")


def with_query(url: str, params: list[tuple[str, str]]) -> str:
    """``url`` with ``params`` appended to its query string."""
    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)


def media_type(headers: Message) -> str:
    return (headers.get_content_type() or "").lower() if headers.get("Content-Type") else ""


def unreachable_message(url: str, reason: object, timeout: float) -> str:
    """Why ``url`` could not be reached, in words."""
    if isinstance(reason, ConnectionRefusedError):
        why = "connection refused (is the store running, and on this port?)"
    elif isinstance(reason, socket.gaierror):
        why = f"unknown host {urllib.parse.urlsplit(url).hostname!r}"
    elif isinstance(reason, (TimeoutError, socket.timeout)):
        why = f"no answer within {timeout:g} s"
    elif isinstance(reason, (ConnectionResetError, http.client.RemoteDisconnected)):
        why = "the connection was closed by the store"
    elif isinstance(reason, http.client.HTTPException):
        why = f"the answer broke off ({type(reason).__name__})"
    elif isinstance(reason, OSError):
        why = reason.strerror or str(reason) or type(reason).__name__
    else:
        why = str(reason) or type(reason).__name__
    return f"cannot reach {url}: {why}"


def http_error_message(method: str, url: str, exc: urllib.error.HTTPError) -> str:
    """An HTTP error status as one line: method, URL, status, reason, first line of the body."""
    try:
        body = exc.read(ERROR_BODY_BYTES) if exc.fp is not None else b""
    except (OSError, ValueError, http.client.HTTPException):
        body = b""
    first = first_line(body, exc.headers.get_content_type() if exc.headers else "")
    reason = f" {exc.reason}" if exc.reason else ""
    text = f"{method} {url} answered HTTP {exc.code}{reason}"
    if exc.code == 401:
        text += " (check the user and password: --user/--password or KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD)"
    return f"{text}: {first}" if first else text


_TAG = re.compile(r"<[^>]*>")


def first_line(body: bytes, content_type: str = "") -> str:
    """The first non-blank line of an answer's body (tags stripped from HTML), at most 200 characters."""
    text = body.decode("utf-8", errors="replace")
    if "html" in content_type or text.lstrip().startswith("<"):
        text = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        text = html.unescape(_TAG.sub("\n", text))
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= 200 else line[:199] + "…"
    return ""


__all__ = ["Answer", "HttpClient", "SparqlClient", "GRAPH_ACCEPT", "check_url", "with_query",
           "first_line"]

"""Talking HTTP to a remote triple store: authentication, timeouts, and errors.

Shared by the remote query backend (:class:`kg.backends.RemoteBackend`) and
:func:`kg.publish.publish`. Every failure becomes one :class:`~kg.errors.EndpointError`
line that names the URL and says what went wrong: unreachable (refused,
unknown host, timeout), an HTTP error status (with the first line of the
store's answer), or an answer that is not what was asked for.

Credentials are offered to the URL's host only, with HTTP Digest (what
Virtuoso's ``-auth`` endpoints require) or Basic, whichever the store asks for.
Each client has its own opener: nothing here changes ``urllib``'s global state.
"""

from __future__ import annotations

import html
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message

from .errors import EndpointError

#: Bytes of an error answer read to quote its first line.
ERROR_BODY_BYTES = 64 * 1024


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
    """Requests to one store, with its credentials and timeout."""

    def __init__(self, url: str, *, timeout: float = 30.0, user: str | None = None,
                 password: str | None = None) -> None:
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

    def request(self, method: str, url: str, *, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        """Send one request; the answer if its status is 2xx.

        Raises:
            EndpointError: unreachable, timed out, or an HTTP error status.
        """
        request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read()
                return Answer(response.status, media_type(response.headers), response.headers,
                              body)
        except urllib.error.HTTPError as exc:
            raise EndpointError(http_error_message(method, url, exc)) from None
        except urllib.error.URLError as exc:
            raise EndpointError(unreachable_message(url, exc.reason, self.timeout)) from None
        except (TimeoutError, OSError) as exc:
            raise EndpointError(unreachable_message(url, exc, self.timeout)) from None
        except ValueError as exc:  # urllib's digest handler on a scheme it cannot answer
            raise EndpointError(f"{method} {url} failed: {exc}") from None


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
    elif isinstance(reason, ConnectionResetError):
        why = "the connection was closed by the store"
    elif isinstance(reason, OSError):
        why = reason.strerror or str(reason) or type(reason).__name__
    else:
        why = str(reason) or type(reason).__name__
    return f"cannot reach {url}: {why}"


def http_error_message(method: str, url: str, exc: urllib.error.HTTPError) -> str:
    """An HTTP error status as one line: method, URL, status, reason, first line of the body."""
    try:
        body = exc.read(ERROR_BODY_BYTES) if exc.fp is not None else b""
    except (OSError, ValueError):
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

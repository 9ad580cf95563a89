"""How the server says no: a client error (4xx) or a server error (5xx) with a one-line reason.

Under ``/api/`` as ``application/problem+json`` (RFC 9457: ``type``, ``title``,
``status``, ``detail``, and members of our own such as ``param``); elsewhere as plain
text. Shared by the application's error handlers (:mod:`.app`) and the parts that
answer errors themselves (:mod:`.api`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

#: The media type of a problem under /api/.
PROBLEM_JSON = "application/problem+json"

TITLES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
          406: "Not Acceptable", 413: "Content Too Large", 415: "Unsupported Media Type",
          500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def wants_problem(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(request: Request, status: int, detail: str, **extra: Any) -> Response:
    """A client or server error: problem+json under /api, plain text elsewhere."""
    headers = {"Retry-After": "5"} if status == 503 else None
    if wants_problem(request):
        body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status,
                "detail": detail, **extra}
        return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    return PlainTextResponse(detail.rstrip("\n") + "\n", status_code=status, headers=headers)


__all__ = ["PROBLEM_JSON", "TITLES", "problem", "wants_problem"]

"""``/draft``: paste an article's text, get the draft addition ``kg draft`` writes.

The page is a form; its answer shows the findings (each figure, date and official with
its reading and warnings) and the TriG draft to review and then add with ``kg add``.
Nothing is stored: the draft is written for the maintainer to copy. Over a remote
endpoint the labels the names are matched against come from the endpoint.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..results import QueryResult
from .context import Context

#: The longest article text accepted (characters): a long news article is some 10,000.
MAX_TEXT = 200_000
_STEM = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")


class LabelSource:
    """What :meth:`kg.draft.Labels.of` reads labels from: the served dataset."""

    def __init__(self, context: Context) -> None:
        self.context = context

    def query(self, text: str) -> QueryResult:
        return self.context.dataset.run(text)


def routes(context: Context) -> list[BaseRoute]:
    """``/draft`` (GET: the form; POST: the draft)."""
    from ..draft import Labels

    labels: list[Labels] = []  # read at the first draft, kept

    def write(text: str, stem: str, publisher: str | None) -> tuple[list[Any], str]:
        from ..draft import draft_trig, read_article

        if not labels:
            labels.append(Labels.of(LabelSource(context)))  # type: ignore[arg-type]
        findings = read_article(text, labels[0])
        return findings, draft_trig(text, findings, stem=stem, labels=labels[0],
                                    publisher=publisher, origin="the text pasted at /draft")

    async def page(request: Request) -> Response:
        if request.method != "POST":
            return HTMLResponse(context.render("draft.html", text="", stem="", publisher="",
                                               max_text=MAX_TEXT))
        form = await request.form(max_fields=10, max_files=0)
        text = str(form.get("text") or "")
        stem = str(form.get("source_id") or "").strip()
        publisher = str(form.get("publisher") or "").strip() or None
        if not text.strip():
            raise HTTPException(400, "the form's `text` is empty: paste the article's text")
        if len(text) > MAX_TEXT:
            raise HTTPException(400, f"the form's `text` has {len(text)} characters, more than "
                                     f"{MAX_TEXT}: paste one article")
        if not stem:
            stem = "new-article"
        if not _STEM.fullmatch(stem):
            raise HTTPException(400, f"the form's `source_id` {stem[:90]!r} is not a source "
                                     "identifier: lower-case letters, digits and hyphens, "
                                     "e.g. 005-tribun-cold-storage")
        findings, trig = await asyncio.get_running_loop().run_in_executor(
            context.dataset.pool, write, text, stem, publisher)
        if "text/turtle" in request.headers.get("accept", "") or \
                "application/trig" in request.headers.get("accept", ""):
            return PlainTextResponse(trig, media_type="application/trig")
        rows = [{"kind": f.kind, "phrase": f.phrase, "at": f"{f.start}-{f.end}",
                 "reading": ", ".join(f"{k}: {v}" for k, v in f.reading.items()
                                      if v not in (None, "", [])),
                 "warnings": "; ".join(f.warnings + f.todo)} for f in findings]
        return HTMLResponse(context.render("draft.html", text=text, stem=stem,
                                           publisher=publisher or "", findings=rows,
                                           trig=trig, max_text=MAX_TEXT))

    return [Route("/draft", page, methods=["GET", "HEAD", "POST"], name="draft")]


__all__ = ["MAX_TEXT", "routes"]

"""The query page at ``/``: the SPARQL editor (vendored YASGUI) over ``/sparql`` and every
saved query as a form for its typed parameters.

The forms are written here from the query library, so that the page needs no second
round trip and each form still works without JavaScript (it submits to
``/api/queries/NAME``, which answers JSON); ``static/query.js`` runs them in the page
and draws the rows. The editor starts with the project's prefixes (folded) and an
example query; the page's script sets YASGUI up to fetch nothing from the network.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from ..prefixes import PREFIXES
from ..queries import Parameter, ParamType
from .context import Context

#: The query the editor shows first (after the prefixes): something to run and change.
EXAMPLE_QUERY = """\
# Every person of the graph, with their names in Indonesian
SELECT ?person ?name WHERE {
  ?person a foaf:Person ;
          skos:prefLabel ?name .
  FILTER(LANG(?name) = "id")
}
ORDER BY ?name
LIMIT 50"""

#: The HTML input each parameter type is typed in (type, extra attributes).
INPUTS: dict[ParamType, tuple[str, dict[str, str]]] = {
    ParamType.IRI: ("text", {"spellcheck": "false", "autocomplete": "off"}),
    ParamType.STRING: ("text", {}),
    ParamType.LANGSTRING: ("text", {}),
    ParamType.INTEGER: ("number", {"step": "1"}),
    ParamType.DECIMAL: ("number", {"step": "any"}),
    ParamType.DATE: ("date", {}),
    ParamType.YEAR: ("number", {"step": "1", "min": "1000", "max": "9999"}),
}


def initial_query() -> str:
    """The project's prefixes, then :data:`EXAMPLE_QUERY`."""
    width = max(len(prefix) for prefix in PREFIXES) + 1
    declarations = "\n".join(f"PREFIX {prefix + ':':<{width}} <{namespace}>"
                             for prefix, namespace in PREFIXES.items())
    return f"{declarations}\n\n{EXAMPLE_QUERY}\n"


def field(param: Parameter) -> dict[str, object]:
    """What the template needs to draw the input of ``param``."""
    kind, attributes = INPUTS[param.type]
    return {"name": param.name, "input": kind, "attributes": attributes,
            "type": param.type.key, "expected": param.type.expected,
            "required": param.required, "default": param.default or "",
            "example": param.example or "", "description": param.description}


def routes(context: Context) -> list[BaseRoute]:
    """``/``: the query page."""
    page: list[str] = []  # drawn at the first request (the library is read then), kept

    async def query_page(request: Request) -> HTMLResponse:
        if not page:
            library = context.dataset.library
            page.append(context.render(
                "index.html", query=initial_query(), base=context.paths.base,
                prefixes=json.dumps(PREFIXES),
                saved=[{"name": query.name, "summary": query.summary, "kind": query.kind,
                        "description": query.description,
                        "fields": [field(p) for p in query.params]}
                       for query in (library.get(name) for name in library.names())]))
        return HTMLResponse(page[0])

    return [Route("/", query_page, methods=["GET", "HEAD"], name="query-page")]


__all__ = ["EXAMPLE_QUERY", "initial_query", "routes"]

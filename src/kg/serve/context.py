"""What every part of the server shares: the dataset, the paths of IRIs, the page templates
and the options. Each part (:mod:`.sparql`, :mod:`.pages`, :mod:`.api`) takes one
:class:`Context` and answers its routes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .dataset import Dataset
from .paths import Paths

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


class Options:
    """The server's settings (``kg serve``'s options)."""

    __slots__ = ("cors_origins", "max_body", "max_query", "access_log")

    def __init__(self, *, cors_origins: tuple[str, ...] = ("*",), max_body: int = 5_000_000,
                 max_query: int = 100_000, access_log: bool = True) -> None:
        #: origins a browser may call /sparql and /api from ("*": any; the data is public and read-only)
        self.cors_origins = cors_origins
        #: the largest request body accepted (bytes): 413 beyond
        self.max_body = max_body
        #: the longest query text or parameter value accepted (characters)
        self.max_query = max_query
        self.access_log = access_log


class Context:
    """The dataset, paths, templates and options of one server."""

    def __init__(self, dataset: Dataset, *, paths: Paths | None = None,
                 options: Options | None = None) -> None:
        self.dataset = dataset
        self.paths = paths or Paths()
        self.options = options or Options()
        # autoescape everywhere: every literal of the graph is untrusted text in a page
        self.templates = Environment(loader=FileSystemLoader(TEMPLATES),
                                     autoescape=select_autoescape(default=True,
                                                                  default_for_string=True),
                                     trim_blocks=True, lstrip_blocks=True)

    def render(self, template: str, **values: Any) -> str:
        """A page: ``template`` filled with ``values`` (every value HTML-escaped)."""
        return self.templates.get_template(template).render(**values)


__all__ = ["Context", "Options", "STATIC", "TEMPLATES"]

"""The web application of ``kg serve``: the SPARQL 1.1 Protocol at ``/sparql``, a page for
every thing of the graph, charts, the saved queries as an API, the query page.

Built on Starlette and served by uvicorn; every query goes through one
:class:`~kg.serve.dataset.Dataset` (the local graph or a remote endpoint).
"""

from __future__ import annotations

from .app import build, create_app
from .dataset import Dataset, QueryTimeout, ResultCapExceeded

__all__ = ["Dataset", "QueryTimeout", "ResultCapExceeded", "build", "create_app"]

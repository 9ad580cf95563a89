"""(being written: see /work/issue11/DESIGN.md)"""

from __future__ import annotations

from starlette.routing import BaseRoute

from .context import Context


def routes(context: Context) -> list[BaseRoute]:
    """The routes of this part of the server."""
    return []

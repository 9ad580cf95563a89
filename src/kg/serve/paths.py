"""Where each thing of the graph is served: its IRI under the base <-> a path of the server.

The graph's IRIs live under ``https://kg.example/`` (:data:`kg.prefixes.BASE`):
``https://kg.example/id/person/heru-ressandy`` is served at ``/id/person/heru-ressandy``.
A publisher's ``--base URL`` mints the published IRIs under their own domain; the paths
stay the same.

>>> paths = Paths()
>>> paths.path_of("https://kg.example/id/person/heru-ressandy")
'/id/person/heru-ressandy'
>>> paths.iri_of("/code/indicator/umkm-count")
'https://kg.example/code/indicator/umkm-count'
>>> paths.path_of("http://www.w3.org/ns/org#Post") is None
True
"""

from __future__ import annotations

from ..prefixes import BASE

#: The top-level folders of the IRIs the graph mints (things, code lists, ontology terms, sources).
SERVED_FOLDERS = ("id", "code", "def", "shapes")


class Paths:
    """Maps the graph's IRIs to server paths and back (``base``: the published base IRI)."""

    __slots__ = ("base",)

    def __init__(self, base: str = BASE) -> None:
        self.base = base if base.endswith("/") else base + "/"

    def path_of(self, iri: str) -> str | None:
        """The server path of ``iri``, or None when it is not one of the graph's own."""
        for base in {self.base, BASE}:
            if iri.startswith(base):
                rest = iri[len(base):]
                if rest.split("/", 1)[0].split("#", 1)[0] in SERVED_FOLDERS:
                    return "/" + rest
        return None

    def iri_of(self, path: str) -> str:
        """The IRI in the graph (under kg.example) that the server path ``path`` stands for."""
        return BASE + path.lstrip("/")

    def published(self, iri: str) -> str:
        """``iri`` as published under ``base`` (unchanged when it is not under kg.example)."""
        return self.base + iri[len(BASE):] if iri.startswith(BASE) else iri


__all__ = ["Paths", "SERVED_FOLDERS"]

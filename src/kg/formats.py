"""RDF formats: file suffix and media type <-> pyoxigraph's format (and rdflib's name, for the edges)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    import pyoxigraph


class RdfFormat(enum.Enum):
    """An RDF serialization kg reads or writes."""

    rdflib_name: str
    extension: str
    media_type: str
    has_graphs: bool

    TURTLE = ("turtle", ".ttl", "text/turtle", False)
    TRIG = ("trig", ".trig", "application/trig", True)
    NTRIPLES = ("nt", ".nt", "application/n-triples", False)
    NQUADS = ("nquads", ".nq", "application/n-quads", True)
    JSONLD = ("json-ld", ".jsonld", "application/ld+json", True)

    def __init__(self, rdflib_name: str, suffix: str, media_type: str, has_graphs: bool) -> None:
        self.rdflib_name = rdflib_name
        self.extension = suffix
        self.media_type = media_type
        #: whether the format can carry named graphs (provenance travels with it)
        self.has_graphs = has_graphs

    @property
    def ox_format(self) -> pyoxigraph.RdfFormat:
        """pyoxigraph's format."""
        import pyoxigraph as ox

        return {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG,
                "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
                "json-ld": ox.RdfFormat.JSON_LD}[self.rdflib_name]

    @classmethod
    def from_name(cls, name: str) -> RdfFormat:
        """Parse a user-given format name (``turtle``, ``ttl``, ``jsonld``, ``nq`` ...).

        Raises:
            InputError: the name is not a known format.
        """
        key = name.strip().lower().replace("_", "-")
        for fmt in cls:
            if key in (fmt.name.lower(), fmt.rdflib_name, fmt.extension[1:], fmt.media_type):
                return fmt
        aliases = {"json-ld": cls.JSONLD, "json": cls.JSONLD, "ntriples": cls.NTRIPLES,
                   "n-triples": cls.NTRIPLES, "n-quads": cls.NQUADS, "ttl": cls.TURTLE}
        if key in aliases:
            return aliases[key]
        known = ", ".join(f.name.lower() for f in cls)
        raise InputError(f"unknown RDF format {name!r}; use one of: {known}")

    @classmethod
    def from_path(cls, path: str | Path, *, hint: str = "") -> RdfFormat:
        """The format a file's suffix names (``.ttl``, ``.trig``, ``.nt``, ``.nq``, ``.jsonld``/``.json``).

        Raises:
            InputError: the suffix is not one kg reads; ``hint`` ends the advice (what else
                the caller accepts, such as "give --format").
        """
        suffix = Path(path).suffix.lower()
        for fmt in cls:
            if suffix == fmt.extension:
                return fmt
        if suffix == ".json":
            return cls.JSONLD
        raise InputError(
            f"{path}: cannot tell the RDF format from the suffix {suffix or '(none)'!r}; "
            "name it with .ttl, .trig, .nt, .nq or .jsonld" + (f", or {hint}" if hint else ""))

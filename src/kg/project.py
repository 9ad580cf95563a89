"""Where the knowledge lives: the project's folders. Free of rdflib, for fast start-up."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError


class Project:
    """Where the knowledge lives: the folders of ontology, shapes, data and queries.

    (A plain class, not a dataclass: ``dataclasses`` costs start-up some 10 ms.)
    """

    __slots__ = ("root",)

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Project) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r})"

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @classmethod
    def locate(cls, root: str | Path | None = None) -> Project:
        """The project at ``root``, else ``$KG_ROOT``, else the checkout this package runs from.

        Raises:
            InputError: the folder has no ``ontology/`` and ``shapes/``.
        """
        candidates = [Path(root)] if root else []
        if not candidates and os.environ.get("KG_ROOT"):
            candidates.append(Path(os.environ["KG_ROOT"]))
        if not candidates:
            candidates += [Path(__file__).resolve().parents[2], Path.cwd()]
        for candidate in candidates:
            if (candidate / "ontology").is_dir() and (candidate / "shapes").is_dir():
                return cls(candidate.resolve())
        raise InputError(
            f"no kg project at {candidates[0]}: expected folders ontology/ and shapes/ there; "
            "give --root or set KG_ROOT")

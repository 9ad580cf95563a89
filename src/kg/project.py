"""Where the knowledge lives: a project folder with ontology/, shapes/, data/ and queries/.

Plain RDF and SPARQL files a domain expert edits. :meth:`Project.locate`
finds the folder to work on: the one given (``--root``), else ``$KG_ROOT``,
else the checkout this package runs from, else the current folder if it is
a project, else the copy shipped inside the installed package (read-only:
``kg init DIR`` writes a project of one's own to change). Free of rdflib and
pyoxigraph, for fast start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError, StoreError

#: The folders of a project, in the order ``kg init`` writes them.
FOLDERS = ("ontology", "shapes", "queries", "data")


class Project:
    """Where the knowledge lives: the folders of ontology, shapes, data and queries.

    ``packaged``: the copy inside the installed package, which kg does not change.
    (A plain class, not a dataclass: ``dataclasses`` costs start-up some 10 ms.)
    """

    __slots__ = ("root", "packaged")

    def __init__(self, root: str | Path, *, packaged: bool = False) -> None:
        self.root = Path(root)
        self.packaged = packaged

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Project) and other.root == self.root

    def __hash__(self) -> int:
        return hash(self.root)

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r}{', packaged' if self.packaged else ''})"

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

    def writable_data_dir(self) -> Path:
        """``data/``, for a command that changes it.

        Raises:
            StoreError: the project is the copy inside the installed package.
        """
        if self.packaged:
            raise StoreError(f"{self.root} is the graph shipped inside the kg package, which kg "
                             "does not change; make a project of your own with `kg init DIR` "
                             "and work there (--root DIR or KG_ROOT=DIR)")
        return self.data_dir

    @classmethod
    def locate(cls, root: str | Path | None = None) -> Project:
        """The project at ``root``, else ``$KG_ROOT``, else the checkout this package runs
        from, else the current folder, else the graph shipped in the package.

        Raises:
            InputError: ``root`` (or ``$KG_ROOT``) is not a project folder.
        """
        given = root or os.environ.get("KG_ROOT") or None
        if given:
            folder = Path(given)
            if is_project(folder):
                return cls(folder.resolve())
            source = "--root" if root else "KG_ROOT"
            raise InputError(f"{source} {folder}: not a kg project (expected folders ontology/ "
                             "and shapes/ there); `kg init DIR` writes one")
        for candidate in (Path(__file__).resolve().parents[2], Path.cwd()):
            if is_project(candidate):
                return cls(candidate.resolve())
        return cls(shipped_root(), packaged=True)


def is_project(folder: Path) -> bool:
    """Whether ``folder`` has the folders of a project (ontology/ and shapes/ at least)."""
    return (folder / "ontology").is_dir() and (folder / "shapes").is_dir()


def shipped_root() -> Path:
    """The project inside the installed package (``kg.shipped``).

    Raises:
        InputError: the package was installed without it.
    """
    folder = Path(__file__).resolve().with_name("shipped")
    if not is_project(folder):
        raise InputError("no kg project found: give --root DIR or set KG_ROOT (the installed "
                         "package carries no graph of its own)")
    return folder


def init(target: str | Path, *, data: bool = True) -> Project:
    """Write a new project folder at ``target`` to start from: the ontology, shapes and saved
    queries of the located project and, with ``data``, its source articles.

    Raises:
        InputError: ``target`` exists and is not empty.
    """
    import shutil

    folder = Path(target)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder} exists and is not empty; give a new folder")
    source = Project.locate()
    folder.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        (folder / name).mkdir(exist_ok=True)
        if name == "data" and not data:
            continue
        for path in sorted((source.root / name).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                shutil.copy2(path, folder / name / path.name)
    return Project(folder.resolve())


__all__ = ["Project", "FOLDERS", "is_project", "shipped_root", "init"]

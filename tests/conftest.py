"""Shared fixtures: the project, the shipped graph (loaded once), an isolated copy of the project.

Area-specific fixtures live in their own test modules or plugin modules listed
in ``pytest_plugins``.
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.cli import main
from kg.graph import KnowledgeGraph, load_graph
from kg.project import Project
from kg.results import QueryResult
from kg.shacl import Shapes
from kg.terms import compact
from kg.validate import project_shapes

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

#: ``virtuoso``: a private Virtuoso server for the integration tests.
pytest_plugins = ["virtuoso_server"]


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def shipped(project: Project) -> KnowledgeGraph:
    """The shipped data and vocabulary in memory, loaded once per session. Do not modify it."""
    return load_graph(project)


@pytest.fixture(scope="session")
def shapes(project: Project) -> Shapes:
    """The project's shapes, read once."""
    return project_shapes(project)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A private copy of ontology/, shapes/, data/, queries/ that a test may change."""
    for name in ("ontology", "shapes", "data", "queries"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name)
    return Project(tmp_path)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    """``content`` (text as UTF-8, or bytes) written to ``folder/name``; the path."""
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def cells(result: QueryResult, *columns: str) -> list[tuple[str | None, ...]]:
    """The rows' ``columns`` as text: IRIs compacted (``person:budi``), literals their lexical form."""
    def text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
        if term is None:
            return None
        return compact(term.value) if isinstance(term, ox.NamedNode) else term.value

    return [tuple(text(row[c]) for c in columns) for row in result.rows]


class CliRun:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliRun(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"


@pytest.fixture
def kg(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run the CLI in-process: ``kg("validate", "x.ttl")`` -> CliRun(code, out, err)."""
    def run(*argv: str) -> CliRun:
        out = io.StringIO()
        code = main([str(a) for a in argv], out=out)
        captured = capsys.readouterr()
        return CliRun(code, out.getvalue() + captured.out, captured.err)
    return run


# ----------------------------------------------------------------------------- an independent reader

#: rdflib 7 calls its own deprecated API while it parses (Dataset.default_context, a
#: ConjunctiveGraph in its TriG and JSON-LD parsers): ignored where rdflib itself makes
#: the call, so that `pytest -W error::DeprecationWarning` shows our own calls only.
RDFLIB_OWN_DEPRECATIONS = ("Dataset.default_context is deprecated",
                           "ConjunctiveGraph is deprecated")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # a mark: it takes precedence over -W and the ini file's filters
        for message in RDFLIB_OWN_DEPRECATIONS:
            item.add_marker(pytest.mark.filterwarnings(
                f"ignore:{message}:DeprecationWarning:rdflib"))


def read_with_rdflib(data: bytes | str, rdflib_format: str) -> set[ox.Quad]:
    """What rdflib reads out of ``data``, as pyoxigraph quads (triples in the default graph)."""
    from rdflib import Dataset

    from kg.terms import from_rdflib

    dataset = Dataset()
    dataset.parse(data=data, format=rdflib_format)
    return {ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), from_rdflib(g))
            for s, p, o, g in dataset.quads((None, None, None, None))}


@pytest.fixture(scope="session")
def rdflib_reader() -> Callable[[bytes | str, str], set[ox.Quad]]:
    """rdflib, a processor independent of kg's, reading what kg wrote:
    ``rdflib_reader(data, "trig")`` -> its statements as pyoxigraph quads."""
    return read_with_rdflib


# ----------------------------------------------------------------------------- the network

@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt of Python code to open a network connection fails the test.

    pyoxigraph's own HTTP client (a query's SERVICE) does not go through Python's
    socket module: catch that with :func:`trap`.
    """
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


class Trap:
    """A TCP listener on 127.0.0.1 that counts the connections made to it (closing each)."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}/sparql"
        self._connections = 0
        self._marker = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    first = connection.recv(16)
                except OSError:
                    first = b""
                if first == b"kg-trap-marker":
                    self._marker.set()
                else:
                    self._connections += 1

    def connections(self) -> int:
        """The connections made so far: those made before a marker connection of ours,
        which the listener accepts after them, in order."""
        self._marker.clear()
        with socket.create_connection(self._server.getsockname(), timeout=5) as marker:
            marker.sendall(b"kg-trap-marker")
        assert self._marker.wait(5), "the trap did not see its own marker"
        return self._connections

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def trap() -> Iterator[Trap]:
    """An endpoint that must not be reached: ``trap.url``, ``trap.connections()``."""
    listener = Trap()
    yield listener
    listener.close()


# ----------------------------------------------------------------------------- timings

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def timings() -> dict[str, float]:
    """Record how long something took: ``timings["label"] = seconds``; printed after the run."""
    return TIMINGS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the tests timed (the ``timings`` fixture), and how long Virtuoso took to start,
    publishing took, and the saved queries took per backend (tests/answers.py)."""
    from answers import timing_report

    if TIMINGS:
        terminalreporter.section("timings")
        for label, seconds in sorted(TIMINGS.items()):
            terminalreporter.write_line(f"{seconds:8.3f} s  {label}")
    lines = timing_report()
    if lines:
        terminalreporter.section("timings (tests/answers.py)")
        for line in lines:
            terminalreporter.write_line(line)

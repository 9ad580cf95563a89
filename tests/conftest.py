"""Shared fixtures: the project, the shipped graph (loaded once), an isolated copy of the project.

Area-specific fixtures live in their own test modules or plugin modules listed
in ``pytest_plugins``.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.cli import main
from kg.graph import KnowledgeGraph, load_graph
from kg.load import load_ontology, load_shapes
from kg.project import Project

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
def shipped_rdflib(project: Project):  # type: ignore[no-untyped-def]
    """The shipped data read by rdflib, for the modules not yet on pyoxigraph (validation, add)."""
    from kg.load import load_graph as load_rdflib_graph

    return load_rdflib_graph(project)


@pytest.fixture(scope="session")
def shapes(project: Project):  # type: ignore[no-untyped-def]
    return load_shapes(project)


@pytest.fixture(scope="session")
def ontology(project: Project):  # type: ignore[no-untyped-def]
    return load_ontology(project)


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A private copy of ontology/, shapes/, data/, queries/ that a test may change."""
    for name in ("ontology", "shapes", "data", "queries"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, tmp_path / name)
    return Project(tmp_path)


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long Virtuoso took to start, publishing took, and the saved queries took per backend."""
    from answers import timing_report

    lines = timing_report()
    if lines:
        terminalreporter.section("timings (tests/answers.py)")
        for line in lines:
            terminalreporter.write_line(line)

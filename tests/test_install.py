"""A plain install works: the wheel, run from another folder, has the graph to work on.

The wheel is built from this checkout and unpacked into a folder of its own;
the commands run from ``/tmp``-like folders with that folder first on the
path, so that ``kg`` is the wheel's, not the checkout's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: What the wheel is built from: the checkout's files, without what building left there
#: (setuptools reuses ``build/``: modules removed from src/ stayed in the wheel, and a
#: subpackage missing from pyproject.toml was found in an old build)
SOURCES = ("pyproject.toml", "README.md", "src", "ontology", "shapes", "data", "queries")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    checkout = tmp_path_factory.mktemp("checkout")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, checkout / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, checkout / name)
    wheels = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    str(checkout), "-w", str(wheels)], check=True, capture_output=True)
    wheel = next(wheels.glob("kg-*.whl"))
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def kg(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``kg ARGS`` with the unpacked wheel first on the path, from ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k not in ("KG_ROOT", "KG_STORE")}
    env["PYTHONPATH"] = str(installed)
    code = "import sys; from kg.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


def test_the_wheel_carries_the_graph(installed: Path) -> None:
    shipped = installed / "kg" / "shipped"
    for folder in ("ontology", "shapes", "queries", "data"):
        mine = sorted(p.name for p in (ROOT / folder).iterdir()
                      if p.is_file() and not p.name.startswith("."))
        assert sorted(p.name for p in (shipped / folder).iterdir()) == mine, folder


def test_the_wheel_carries_every_module(installed: Path) -> None:
    """pyproject.toml listed kg and kg.shipped: the wheel lacked kg.shacl, and kg validate
    failed with ModuleNotFoundError once installed."""
    source = ROOT / "src" / "kg"
    mine = sorted(str(p.relative_to(source)) for p in source.rglob("*.py")
                  if "__pycache__" not in p.parts)
    carried = sorted(str(p.relative_to(installed / "kg")) for p in (installed / "kg").rglob("*.py")
                     if "shipped" not in p.parts)
    assert carried == mine


def test_the_wheel_carries_the_web_templates_and_assets(installed: Path) -> None:
    """The package data listed templates/*.html only: the indicator chart's template
    (chart.svg) was missing from the wheel, and every indicator page of an installed
    kg serve failed."""
    source = ROOT / "src" / "kg" / "serve"
    mine = sorted(str(p.relative_to(source)) for folder in ("templates", "static")
                  for p in (source / folder).rglob("*") if p.is_file())
    carried = sorted(str(p.relative_to(installed / "kg" / "serve"))
                     for folder in ("templates", "static")
                     for p in (installed / "kg" / "serve" / folder).rglob("*") if p.is_file())
    assert carried == mine


def test_kg_summary_from_another_folder_uses_the_packaged_graph(installed: Path,
                                                                tmp_path: Path) -> None:
    run = kg(installed, tmp_path, "summary")
    assert run.returncode == 0, run.stderr
    assert "5 source graphs" in run.stdout and "conforms" in run.stdout
    which = kg(installed, tmp_path, "sparql", "SELECT ?l WHERE { indicator:umkm-count "
               "skos:prefLabel ?l }", "--format", "csv")
    assert which.returncode == 0 and "jumlah UMKM" in which.stdout


def test_kg_init_writes_a_project_to_work_on(installed: Path, tmp_path: Path) -> None:
    run = kg(installed, tmp_path, "init", "mine")
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == \
        ["data", "ontology", "queries", "shapes"]
    summary = kg(installed, tmp_path, "--root", "mine", "summary")
    assert summary.returncode == 0 and "5 source graphs" in summary.stdout
    again = kg(installed, tmp_path, "init", "mine")
    assert again.returncode == 2 and "not empty" in again.stderr


def test_the_packaged_graph_is_not_changed(installed: Path, tmp_path: Path) -> None:
    article = tmp_path / "new.ttl"
    article.write_text("<https://kg.example/id/person/x> a <http://xmlns.com/foaf/0.1/Person> .\n",
                       encoding="utf-8")
    run = kg(installed, tmp_path, "add", str(article), "--source", "900_x",
             "--publisher", "Contoh", "--date", "2025-01-01")
    assert run.returncode == 2 and "kg init DIR" in run.stderr
    assert not any((installed / "kg" / "shipped" / "data").glob("900_x*"))


def test_kg_version(installed: Path, tmp_path: Path) -> None:
    run = kg(installed, tmp_path, "--version")
    assert run.returncode == 0 and run.stdout.startswith("kg ")


def test_kg_new_article_from_another_folder_uses_the_packaged_template(installed: Path,
                                                                       tmp_path: Path) -> None:
    run = kg(installed, tmp_path, "new-article", "--id", "905_x", "--publisher", "Kabar Contoh",
             "--date", "2025-07-09")
    assert run.returncode == 0, run.stderr
    assert "source:905_x {" in run.stdout and "## Example:" in run.stdout

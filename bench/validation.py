"""Validation at scale: kg validate against plain pyoxigraph's load, and against pySHACL.

    .venv/bin/python bench/validation.py --folder /tmp/synth100k        # ~100k statements
    .venv/bin/python bench/validation.py --folder /tmp/synth1m          # ~1.1M statements
    .venv/bin/python bench/validation.py --regions 100 --years 1        # generate, then measure
    .venv/bin/python bench/validation.py --measure kg /tmp/synth1m --profile /tmp/kg.prof

The data is ``kg synth`` output (exactly the project's model, and valid: every
figure validates a graph that conforms). Each figure is measured in a process
of its own (``--measure``), so that one engine's caches and garbage do not
weigh on another's, and its peak memory is that process's:

- ``pyoxigraph-load``: plain pyoxigraph reads the files into an in-memory
  store (the baseline of the target "kg validate within 8x of it").
- ``kg``: what ``kg validate FILE...`` runs, in a project whose ``data/`` is
  empty: the files read as untrusted input into the in-memory graph with the
  ontology (:func:`kg.graph.load_graph` with ``extra``: limits and checks while
  parsing, each source graph and their merge in the default graph), the
  project's shapes read (``shapes_s``), then :func:`kg.validate.validate_graph`
  (the fast engine); the median of ``--repeat`` validations of that graph.
- ``kg-shapes``: what ``kg validate --shapes shapes/kg-shapes.ttl FILE...``
  and :func:`kg.validate.validate_files` run: the files read as trusted
  (:func:`kg.graph.read_files`, pyoxigraph straight into the store) with the
  ontology, then ``validate_graph``.
- ``pyshacl``: the ``kg`` graph, ``validate_graph(engine="pyshacl")`` (pySHACL
  on an rdflib copy of the default graph). Run once, stopped after ``--pyshacl-cap``.
- ``focus``: the ``kg`` graph, ten observations (with their source article)
  added to it (``KnowledgeGraph.add``), and only the nodes they touch
  validated (``focus``), as ``kg add`` does; the median of ``--repeat``,
  checked against full validation.
- ``e2e``: ``kg validate`` on the shipped project (``data/``, ``ontology/``,
  ``shapes/``) in a fresh interpreter (:func:`kg.cli.main`): start, imports,
  load and validation, timed from outside; the child also says whether rdflib
  or pySHACL were imported.

``--profile FILE`` (with ``--measure``) writes cProfile's statistics of the
figure's run (load and validations) to FILE.

Use it as a library too: :func:`measure` returns one figure as a dict,
:func:`compare` runs the lot and returns them all, :func:`empty_project`
makes the project ``kg`` validates in.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FIGURES = ("pyoxigraph-load", "kg", "kg-shapes", "pyshacl", "focus", "e2e")

#: What ``e2e`` runs in a fresh interpreter: ``kg validate`` on the shipped project.
E2E = """
import io, json, sys
from kg.cli import main
out = io.StringIO()
code = main(["--root", sys.argv[1], "validate", "--format", "json"], out=out)
report = json.loads(out.getvalue())
print(code == 0, len(report["results"]), "rdflib" in sys.modules, "pyshacl" in sys.modules)
"""


def empty_project(ontology: Path = ROOT / "ontology", shapes: Path = ROOT / "shapes") -> Path:
    """A new project folder (in $TMPDIR) with the project's ontology and shapes and an empty
    ``data/``: where ``kg validate FILE...`` validates the files and nothing else."""
    root = Path(tempfile.mkdtemp(prefix="kg-bench-project-"))
    (root / "ontology").symlink_to(ontology.resolve(), target_is_directory=True)
    (root / "shapes").symlink_to(shapes.resolve(), target_is_directory=True)
    (root / "data").mkdir()
    return root


def generate(regions: int, years: int, seed: int, folder: Path) -> dict[str, Any]:
    """Synthetic data in ``folder`` (reused when a run with the same size is there)."""
    from kg.synth import synthesize

    stamp = folder / ".bench-size"  # no RDF suffix: the loaders skip it
    wanted = {"regions": regions, "years": years, "seed": seed}
    if stamp.is_file():
        known = json.loads(stamp.read_text())
        if {k: known.get(k) for k in wanted} == wanted:
            return known  # type: ignore[no-any-return]
        stamp.unlink()
    summary = synthesize(regions, years, seed, folder)
    found = {**wanted, "quads": summary.triples, "sources": summary.sources,
             "observations": summary.observations}
    stamp.write_text(json.dumps(found))
    return found


def addition(entities: int = 10, *, broken: bool = True) -> str:
    """TriG: a new source article stating ``entities`` observations about an existing region.

    With ``broken`` the last one is broken on purpose (a count of business
    units written as a decimal, 87.397): validating the addition must find
    it, and nothing else. Without, the addition conforms (``bench/run.py``
    times ``kg add`` with it).
    """
    prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in {
        "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#",
        "dct": "http://purl.org/dc/terms/", "qb": "http://purl.org/linked-data/cube#",
        "time": "http://www.w3.org/2006/time#", "schema": "http://schema.org/",
        "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
        "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
        "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
        "kg": "https://kg.example/def/", "source": "https://kg.example/id/source/",
        "body": "https://kg.example/id/body/", "place": "https://kg.example/id/place/",
        "obs": "https://kg.example/id/observation/", "date": "https://kg.example/id/date/",
        "period": "https://kg.example/id/period/", "size": "https://kg.example/code/size/",
        "indicator": "https://kg.example/code/indicator/", "uom": "https://kg.example/code/uom/",
        "qualifier": "https://kg.example/code/qualifier/", "basis": "https://kg.example/code/basis/",
    }.items())
    sizes = ["micro", "small", "medium", "large", "umkm", "ikm"]
    # micro, small and medium are groups of size:umkm: each below the UMKM total, or the
    # addition would not conform (kgsh:ObservationShape-groupNotAboveTotal)
    value = {i: (100 if sizes[i % len(sizes)] in ("micro", "small", "medium") else 1000) + i
             for i in range(entities)}
    observations = "".join(f"""
    obs:bench-addition-{i} a qb:Observation ; qb:dataSet kg:statistics ;
        skos:prefLabel "Pengamatan tambahan {i}"@id ;
        kg:indicator indicator:umkm-count ; sdmx-dimension:refArea place:synth-r0001 ;
        sdmx-dimension:refPeriod period:2024 ; kg:periodBasis basis:stated ;
        sdmx-measure:obsValue {"87.397" if broken and i == entities - 1 else value[i]} ;
        sdmx-attribute:unitMeasure uom:business-unit ;
        kg:qualifier qualifier:exact ; kg:statedAs "{value[i]} unit usaha"@id ;
        kg:sizeClass size:{sizes[i % len(sizes)]} ; dct:source source:bench-addition .
""" for i in range(entities))
    return prefixes + f"""
source:bench-addition {{
    source:bench-addition a kg:SourceArticle ;
        skos:prefLabel "Tambahan untuk pengukuran"@id ;
        dct:identifier "bench-addition" ; schema:publisher body:bench-publisher ;
        kg:statedDate "2025-02-01"^^xsd:date ; schema:inLanguage "id" ;
        skos:editorialNote "Data sintetis untuk pengukuran; bukan fakta."@id .
    body:bench-publisher a schema:NewsMediaOrganization ; skos:prefLabel "Penerbit uji"@id .
    place:synth-r0001 a schema:AdministrativeArea ; skos:prefLabel "Provinsi Sintetis 0001"@id .
    period:2024 a time:ProperInterval ; skos:prefLabel "2024"@id ;
        time:hasBeginning date:2024-01-01 ; time:hasEnd date:2024-12-31 .
    date:2024-01-01 a time:Instant ; time:inXSDDate "2024-01-01"^^xsd:date .
    date:2024-12-31 a time:Instant ; time:inXSDDate "2024-12-31"^^xsd:date .
{observations}}}
"""


#: CPU seconds of the last :func:`_timed` action: on a shared machine, wall-clock time
#: measures the neighbours too; the CPU time this process spent does not.
LAST_CPU = [0.0]


def _timed(action: Any) -> tuple[float, Any]:
    """Wall-clock seconds of ``action()``, and its value (CPU seconds in :data:`LAST_CPU`)."""
    started, cpu = time.perf_counter(), time.process_time()
    value = action()
    LAST_CPU[0] = time.process_time() - cpu
    return time.perf_counter() - started, value


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _repeat(figure: dict[str, Any], action: Any, repeat: int) -> Any:
    times, cpu, value = [], [], None
    for _ in range(repeat):
        seconds, value = _timed(action)
        times.append(seconds)
        cpu.append(LAST_CPU[0])
    figure["validate_s"] = statistics.median(times)
    figure["validate_cpu_s"] = statistics.median(cpu)
    figure["validate_runs_s"] = times
    return value


def measure(name: str, folder: Path, *, repeat: int = 3) -> dict[str, Any]:
    """One figure, in this process."""
    import pyoxigraph as ox

    files = sorted(folder.glob("*.trig"))
    figure: dict[str, Any] = {"figure": name, "folder": str(folder)}
    if name == "pyoxigraph-load":
        def load() -> ox.Store:
            store = ox.Store()
            for path in files:
                store.load(path=str(path), format=ox.RdfFormat.TRIG)
            return store
        figure["load_s"], store = _timed(load)
        figure["quads"] = len(store)
        figure["peak_mb"] = _peak_mb()
        return figure
    if name == "e2e":
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", E2E, str(ROOT)], capture_output=True,
                                  text=True, check=True, env={"PYTHONPATH": str(ROOT / "src")})
            times.append(time.perf_counter() - started)
        conforms, results, rdflib, pyshacl = done.stdout.split()
        figure.update(seconds=statistics.median(times), runs_s=times, conforms=conforms == "True",
                      results=int(results), imported_rdflib=rdflib == "True",
                      imported_pyshacl=pyshacl == "True")
        return figure

    if name not in FIGURES:
        raise SystemExit(f"unknown figure {name!r}: one of {', '.join(FIGURES)}")
    import shutil

    from kg.project import Project

    project = Project(empty_project())
    try:
        return validation(name, files, project, figure, repeat)
    finally:
        shutil.rmtree(project.root)  # symbolic links and an empty folder: nothing is followed


def validation(name: str, files: list[Path], project: Any, figure: dict[str, Any],
               repeat: int) -> dict[str, Any]:
    """The figures that validate: ``files`` validated in ``project`` (whose data/ is empty)."""
    import pyoxigraph as ox

    from kg.graph import KnowledgeGraph, load_graph, read_files
    from kg.parse import rdf_files
    from kg.shacl import Shapes
    from kg.validate import project_shapes, validate_graph

    if name == "kg-shapes":
        def load() -> KnowledgeGraph:
            return read_files(files, rdf_files(project.ontology_dir))
        figure["shapes_s"], shapes = _timed(
            lambda: Shapes.from_files(rdf_files(project.shapes_dir)))
    else:
        def load() -> KnowledgeGraph:
            return load_graph(project, extra=files)
        figure["shapes_s"], shapes = _timed(lambda: project_shapes(project))
    figure["load_s"], graph = _timed(load)
    figure["load_cpu_s"] = LAST_CPU[0]
    figure["quads"] = len(graph.store)
    if name in ("kg", "kg-shapes"):
        report = _repeat(figure, lambda: validate_graph(graph, shapes), repeat)
    elif name == "pyshacl":
        report = _repeat(figure, lambda: validate_graph(graph, shapes, engine="pyshacl"), 1)
    else:  # focus
        added = list(ox.parse(addition(10).encode("utf-8"), ox.RdfFormat.TRIG))
        graph.add(added)
        touched = {q.subject for q in added} | {q.object for q in added
                                                if isinstance(q.object, ox.NamedNode)}
        figure["focus_nodes"] = len(touched)
        report = _repeat(figure, lambda: validate_graph(graph, shapes, focus=touched), repeat)
        full_s, full = _timed(lambda: validate_graph(graph, shapes))
        figure["full_validate_s"] = full_s
        wanted = {n.value for n in touched}
        figure["same_as_full"] = (sorted(r.line() for r in report.results)
                                  == sorted(r.line() for r in full.results if r.focus in wanted))
    figure["total_s"] = figure["shapes_s"] + figure["load_s"] + figure["validate_s"]
    # one `kg validate` runs one validation: the first, which also compiles the shapes
    figure["total_first_s"] = figure["shapes_s"] + figure["load_s"] + figure["validate_runs_s"][0]
    figure["conforms"] = report.conforms
    figure["counts"] = report.counts
    figure["warnings"] = list(report.warnings)
    figure["peak_mb"] = _peak_mb()
    return figure


def measure_in_subprocess(name: str, folder: Path, *, repeat: int = 3,
                          timeout: float | None = None) -> dict[str, Any]:
    """:func:`measure` in a fresh Python process."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--measure", name, str(folder), "--repeat", str(repeat)],
            capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"figure": name, "folder": str(folder), "capped": timeout}
    if done.returncode != 0:
        return {"figure": name, "folder": str(folder), "error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(folder: Path, *, figures: tuple[str, ...] = FIGURES, repeat: int = 3,
            pyshacl_cap: float = 600) -> list[dict[str, Any]]:
    """Measure each figure on ``folder``'s files, one process each."""
    found = []
    for name in figures:
        figure = measure_in_subprocess(name, folder, repeat=repeat,
                                       timeout=pyshacl_cap if name == "pyshacl" else None)
        found.append(figure)
        print(json.dumps(figure), file=sys.stderr, flush=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, help="synthetic TriG files already generated")
    parser.add_argument("--regions", type=int, default=100)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--figures", default=",".join(FIGURES),
                        help=f"comma-separated, of: {', '.join(FIGURES)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--pyshacl-cap", type=float, default=600, help="seconds")
    parser.add_argument("--work", type=Path, help="where generated data goes "
                                                  "(default: $TMPDIR/kg-bench/)")
    parser.add_argument("--measure", nargs=2, metavar=("FIGURE", "FOLDER"),
                        help="measure one figure in this process and print it as JSON")
    parser.add_argument("--profile", type=Path, metavar="FILE",
                        help="with --measure: write cProfile's statistics of the figure to FILE")
    args = parser.parse_args(argv)
    if args.measure:
        name, folder = args.measure
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            figure = profiler.runcall(measure, name, Path(folder), repeat=args.repeat)
            profiler.dump_stats(str(args.profile))
        else:
            figure = measure(name, Path(folder), repeat=args.repeat)
        print(json.dumps(figure))
        return 0
    folder = args.folder
    if folder is None:
        folder = (args.work or Path(tempfile.gettempdir()) / "kg-bench") / \
            f"synth-{args.regions}x{args.years}"
        generate(args.regions, args.years, args.seed, folder)
    figures = compare(folder, figures=tuple(args.figures.split(",")), repeat=args.repeat,
                      pyshacl_cap=args.pyshacl_cap)
    by_name = {f["figure"]: f for f in figures}
    baseline = by_name.get("pyoxigraph-load", {}).get("load_s")
    for name in ("kg", "kg-shapes"):
        if baseline and "total_s" in by_name.get(name, {}):
            by_name[name]["over_pyoxigraph_load"] = by_name[name]["total_first_s"] / baseline
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

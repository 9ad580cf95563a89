"""Validation at scale: pySHACL against the fast engine, on synthetic data.

    .venv/bin/python bench/validation.py --regions 100 --years 3     # ~100k triples
    .venv/bin/python bench/validation.py --regions 520 --years 6     # ~1M triples

The data is ``kg synth`` output (exactly the project's model; valid, so every
figure below validates a graph that conforms). Each figure is measured in a
process of its own (``--measure``), so that one engine's caches and garbage
do not weigh on another's:

- ``pyshacl``: the files read by rdflib (``load_graph``), then
  ``validate(engine="pyshacl")``: pySHACL on the merged graph with the
  ontology mixed in. Run once: it is slow.
- ``fast``: the files read straight into a pyoxigraph store
  (``ValidationStore.from_files``), then the fast engine; the median of
  ``--repeat`` validations of that store.
- ``fast-rdflib``: as ``kg validate --engine fast`` runs: rdflib reads the
  files, the graph is copied into a store, the fast engine validates.
- ``incremental``: the ``fast`` store, then an addition of ten observations
  (with their source article) is added, and only the nodes it touches are
  validated (``focus``), as ``kg add`` does; the median of ``--repeat``.
  The result is checked against full validation of the same store.

Use it as a library too: :func:`measure` returns one figure as a dict,
:func:`compare` runs the lot and returns them all.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

ENGINES = ("pyshacl", "fast", "fast-rdflib", "incremental")


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
    observations = "".join(f"""
    obs:bench-addition-{i} a qb:Observation ; qb:dataSet kg:statistics ;
        skos:prefLabel "Pengamatan tambahan {i}"@id ;
        kg:indicator indicator:umkm-count ; sdmx-dimension:refArea place:synth-r0001 ;
        sdmx-dimension:refPeriod period:2024 ; kg:periodBasis basis:stated ;
        sdmx-measure:obsValue {"87.397" if broken and i == entities - 1 else 1000 + i} ;
        sdmx-attribute:unitMeasure uom:business-unit ;
        kg:qualifier qualifier:exact ; kg:statedAs "{1000 + i} unit usaha"@id ;
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


def measure(engine: str, folder: Path, *, repeat: int = 3) -> dict[str, Any]:
    """One figure, in this process: seconds to load and to validate ``folder``'s data."""
    from kg.load import Project, load_graph, load_ontology, load_shapes, rdf_files

    project = Project(ROOT)
    shapes = load_shapes(project)
    files = rdf_files(folder)
    figure: dict[str, Any] = {"engine": engine, "folder": str(folder)}
    if engine in ("pyshacl", "fast-rdflib"):
        from kg.validate import validate

        ontology = load_ontology(project)
        figure["load_s"], graph = _timed(lambda: load_graph(Project(folder), extra=files))
        figure["load_cpu_s"] = LAST_CPU[0]
        figure["quads"] = len(graph)
        runs = 1 if engine == "pyshacl" else repeat
        times, cpu, report = [], [], None
        for _ in range(runs):
            seconds, report = _timed(lambda: validate(
                graph, shapes, ontology, engine="pyshacl" if engine == "pyshacl" else "fast"))
            times.append(seconds)
            cpu.append(LAST_CPU[0])
        figure["validate_s"] = statistics.median(times)
        figure["validate_cpu_s"] = statistics.median(cpu)
        figure["validate_runs_s"] = times
        figure["validate_runs_cpu_s"] = cpu
        figure["counts"] = report.counts if report else None
        return figure

    from kg.fastshacl import FastValidator, ValidationStore

    figure["load_s"], store = _timed(lambda: ValidationStore.from_files(
        files, rdf_files(project.ontology_dir)))
    figure["load_cpu_s"] = LAST_CPU[0]
    figure["triples"] = len(store)
    validator = FastValidator(shapes)
    if engine == "fast":
        times, cpu = [], []
        for _ in range(repeat):
            seconds, report = _timed(lambda: validator.validate(store))
            times.append(seconds)
            cpu.append(LAST_CPU[0])
        figure["validate_s"] = statistics.median(times)
        figure["validate_cpu_s"] = statistics.median(cpu)
        figure["validate_runs_s"] = times
        figure["validate_runs_cpu_s"] = cpu
        figure["counts"] = report.counts
        return figure
    if engine != "incremental":
        raise SystemExit(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")

    from rdflib import Dataset, URIRef

    added = Dataset()
    added.parse(data=addition(10), format="trig")
    triples = [(s, p, o) for s, p, o, _ in added.quads((None, None, None, None))]
    source = URIRef("https://kg.example/id/source/bench-addition")
    figure["added_triples"] = len(triples)
    figure["add_s"], _ = _timed(lambda: store.add(triples, source=source))
    touched = {s for s, _, _ in triples} | {o for _, _, o in triples if isinstance(o, URIRef)}
    figure["focus_nodes"] = len(touched)
    times, cpu = [], []
    for _ in range(repeat):
        seconds, report = _timed(lambda: validator.validate(store, focus=touched))
        times.append(seconds)
        cpu.append(LAST_CPU[0])
    figure["validate_s"] = statistics.median(times)
    figure["validate_cpu_s"] = statistics.median(cpu)
    figure["validate_runs_s"] = times
    figure["validate_runs_cpu_s"] = cpu
    figure["counts"] = report.counts
    full_s, full = _timed(lambda: validator.validate(store))
    figure["full_validate_s"] = full_s
    figure["full_validate_cpu_s"] = LAST_CPU[0]
    wanted = {str(n) for n in touched}
    figure["same_as_full"] = (sorted(r.line() for r in report.results)
                              == sorted(r.line() for r in full.results if r.focus in wanted))
    return figure


def measure_in_subprocess(engine: str, folder: Path, *, repeat: int = 3,
                          timeout: float | None = None) -> dict[str, Any]:
    """:func:`measure` in a fresh Python process."""
    done = subprocess.run(
        [sys.executable, __file__, "--measure", engine, str(folder), "--repeat", str(repeat)],
        capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        return {"engine": engine, "folder": str(folder), "error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def compare(regions: int, years: int, *, seed: int = 1, engines: tuple[str, ...] = ENGINES,
            repeat: int = 3, work: Path | None = None) -> list[dict[str, Any]]:
    """Generate the data and measure each engine on it, one process each."""
    folder = (work or Path(tempfile.gettempdir()) / "kg-bench") / f"synth-{regions}x{years}"
    size = generate(regions, years, seed, folder)
    figures = []
    for engine in engines:
        figure = measure_in_subprocess(engine, folder, repeat=repeat)
        figure.update(size)
        figures.append(figure)
        print(json.dumps(figure), file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regions", type=int, default=100)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated, of: {', '.join(ENGINES)}")
    parser.add_argument("--repeat", type=int, default=3, help="validations per figure (median)")
    parser.add_argument("--work", type=Path, help="where the synthetic data goes "
                                                  "(default: $TMPDIR/kg-bench/)")
    parser.add_argument("--measure", nargs=2, metavar=("ENGINE", "FOLDER"),
                        help="measure one figure in this process and print it as JSON")
    args = parser.parse_args(argv)
    if args.measure:
        engine, folder = args.measure
        print(json.dumps(measure(engine, Path(folder), repeat=args.repeat)))
        return 0
    figures = compare(args.regions, args.years, seed=args.seed,
                      engines=tuple(args.engines.split(",")), repeat=args.repeat, work=args.work)
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

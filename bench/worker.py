"""One benchmark figure, measured in this process: ``bench/run.py`` starts one process per run.

    .venv/bin/python bench/worker.py '{"figure": "load", "engine": "kg", ...}'

prints one JSON object on its last line of stdout: ``seconds``, the wall-clock
time of the measured operation alone (``time.perf_counter`` around it: not the
interpreter's start, not the imports, not opening a store), ``cpu_seconds``
(this process's CPU time over the same span: the bulk loaders use several
threads, a busy machine slows the wall clock but not this), and what the
operation found (statements, rows, verdicts), so that the engines' answers can
be compared. Peak memory is measured by the driver (``os.wait4``).

A figure with a ``cap`` stops after that many seconds: the worker prints
``"capped": true`` and ``seconds`` equal to the cap (a lower bound). The cap
is an interval timer raising :class:`Capped`, which fires between Python
bytecodes: in pure-Python code (rdflib, pySHACL) at once, inside one long
pyoxigraph call only when it returns, so the driver also kills a worker that
outlives its cap by far.

Each engine's libraries are imported inside its functions: a plain
pyoxigraph process never imports rdflib or kg.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


class Capped(BaseException):
    """The measured operation ran out of time (a BaseException: libraries catching
    ``Exception`` must not swallow it)."""


@contextmanager
def time_limit(cap: float | None) -> Iterator[None]:
    """Raise :class:`Capped` in this thread after ``cap`` seconds (no limit when None)."""
    if not cap:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Capped()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(operation: Callable[[], Any], cap: float | None = None) -> dict[str, Any]:
    """Run ``operation`` under ``cap``: its seconds, CPU seconds, value (None when capped)."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with time_limit(cap):
            value = operation()
    except Capped:
        return {"seconds": cap, "cpu_seconds": time.process_time() - cpu, "capped": True,
                "value": None}
    return {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu,
            "capped": False, "value": value}


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def use_before(spec: dict[str, Any]) -> None:
    """For engine ``kg-before``: import kg from the exported ``src/`` of an earlier commit
    (``bench/run.py --before REV``) instead of this checkout's."""
    sys.path.insert(0, spec["before_src"])
    for name in [m for m in sys.modules if m == "kg" or m.startswith("kg.")]:
        del sys.modules[name]


def data_files(folder: str) -> list[Path]:
    return sorted(Path(folder).glob("*.trig"))


# --------------------------------------------------------------------------- load

def load(spec: dict[str, Any]) -> dict[str, Any]:
    """The files of ``spec["files"]`` into a new store (or an rdflib Dataset, in memory)."""
    files = data_files(spec["files"])
    engine = spec["engine"]
    if engine == "rdflib":
        dataset, result = rdflib_load(files)
        result["quads"] = count_quads(dataset)
        return result
    store = Path(spec["store"])
    shutil.rmtree(store, ignore_errors=True)  # untimed: every run builds a new store
    if engine == "kg-before":  # kg before pyoxigraph held every graph: kg.store
        use_before(spec)
        from kg.store import load_store as load_before  # type: ignore[import-not-found]

        result = timed(lambda: load_before(store, files))
        result["quads"] = result.pop("value").quads
        return result
    if engine == "kg":
        from kg.graph import load_store

        result = timed(lambda: load_store(store, files))
        result["quads"] = result.pop("value").quads
        return result
    import pyoxigraph as ox

    if engine == "pyoxigraph":  # all files in one bulk loader run
        from itertools import chain

        def bulk_extend() -> ox.Store:
            database = ox.Store(str(store))
            database.bulk_extend(chain.from_iterable(
                ox.parse(path=str(f), format=ox.RdfFormat.TRIG) for f in files))
            return database
        result = timed(bulk_extend)
    elif engine == "pyoxigraph-per-file":  # one bulk_load call per file
        def bulk_load() -> ox.Store:
            database = ox.Store(str(store))
            for f in files:
                database.bulk_load(path=str(f), format=ox.RdfFormat.TRIG)
            return database
        result = timed(bulk_load)
    else:
        raise SystemExit(f"load: unknown engine {engine!r}")
    result["quads"] = len(result.pop("value"))
    return result


def rdflib_load(files: list[Path]) -> tuple[Any, dict[str, Any]]:
    """An in-memory rdflib Dataset whose default graph is the union of the named graphs."""
    from rdflib import Dataset

    dataset = Dataset(default_union=True)

    def parse() -> None:
        for f in files:
            dataset.parse(str(f), format="trig")
    result = timed(parse)
    result.pop("value")
    return dataset, result


def count_quads(dataset: Any) -> int:
    """Statements over all graphs (``len`` of a union Dataset counts distinct triples)."""
    return sum(1 for _ in dataset.quads((None, None, None, None)))


# --------------------------------------------------------------------------- queries

def query(spec: dict[str, Any]) -> dict[str, Any]:
    """One saved query (its bound text, the same for every engine) on a store made before."""
    engine, text, cap = spec["engine"], spec["text"], spec.get("cap")
    if engine == "kg-before":
        use_before(spec)
        import kg.queries  # noqa: F401
        from kg.store import open_store as open_before  # type: ignore[import-not-found]

        backend = open_before(spec["store"])
        result = timed(lambda: backend.run(text), cap)
        answer = result.pop("value")
        result["rows"] = None if answer is None else (
            len(answer.rows) if answer.kind == "SELECT" else int(bool(answer.boolean))
            if answer.kind == "ASK" else len(answer.graph))
        return result
    if engine == "kg":
        import kg.queries  # noqa: F401 - imported by the CLI before it runs a query
        from kg.graph import open_store

        backend = open_store(spec["store"])
        result = timed(lambda: backend.run(text), cap)
        answer = result.pop("value")
        result["rows"] = None if answer is None else kg_rows(answer)
        return result
    if engine == "pyoxigraph":
        import pyoxigraph as ox

        store = ox.Store.read_only(spec["store"])
        result = timed(lambda: consume(store.query(text, use_default_graph_as_union=True)), cap)
        result["rows"] = result.pop("value")
        return result
    raise SystemExit(f"query: unknown engine {engine!r}")


def kg_rows(answer: Any) -> int:
    """Rows of a SELECT, triples of a CONSTRUCT, 1/0 for an ASK."""
    if answer.kind == "SELECT":
        return len(answer.rows)
    if answer.kind == "ASK":
        return int(bool(answer.boolean))
    return len(answer.triples)


def consume(answer: Any) -> int:
    """Every solution (or triple) of a pyoxigraph or rdflib answer read; how many there were."""
    if isinstance(answer, bool) or type(answer).__name__ == "QueryBoolean":
        return int(bool(answer))
    if getattr(answer, "type", None) == "ASK":  # rdflib
        return int(bool(answer.askAnswer))
    return sum(1 for _ in answer)


# --------------------------------------------------------------------------- export

def export(spec: dict[str, Any]) -> dict[str, Any]:
    """The whole graph written to ``spec["out"]`` as Turtle (the union) or JSON-LD (the graphs)."""
    engine, fmt, out, cap = spec["engine"], spec["format"], Path(spec["out"]), spec.get("cap")
    if engine == "kg-before":  # the store's export then: JSON-LD expanded by pyoxigraph
        use_before(spec)
        from kg.formats import RdfFormat as FormatBefore
        from kg.store import export_store, open_store as open_before  # type: ignore[import-not-found]

        backend = open_before(spec["store"])
        chosen = FormatBefore.TURTLE if fmt == "turtle" else FormatBefore.JSONLD
        result = timed(lambda: out.write_text(export_store(backend, chosen), encoding="utf-8"),
                       cap)
    elif engine == "kg":
        from kg.export import export_to
        from kg.formats import RdfFormat
        from kg.graph import open_store

        graph = open_store(spec["store"])
        kg_format = RdfFormat.TURTLE if fmt == "turtle" else RdfFormat.JSONLD
        result = timed(lambda: export_to(graph, kg_format, out,
                                         expanded=spec.get("expanded", False)), cap)
    elif engine == "pyoxigraph":
        import pyoxigraph as ox

        from kg.prefixes import PREFIXES  # plain strings: imports neither rdflib nor kg's code

        store = ox.Store.read_only(spec["store"])

        def dump() -> None:
            if fmt == "turtle":  # no graphs in Turtle: the union, as kg writes it
                union = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
                assert isinstance(union, ox.QueryTriples)
                ox.serialize(union, str(out), ox.RdfFormat.TURTLE, prefixes=PREFIXES)
            else:
                store.dump(str(out), ox.RdfFormat.JSON_LD)
        result = timed(dump, cap)
    else:
        raise SystemExit(f"export: unknown engine {engine!r}")
    result.pop("value")
    result["bytes"] = out.stat().st_size if out.exists() and not result["capped"] else None
    return result


# --------------------------------------------------------------------------- validation

def validate(spec: dict[str, Any]) -> dict[str, Any]:
    """The files against the project's shapes (with the ontology): the verdict and its counts.

    ``kg``: what ``kg validate FILE...`` runs, in a project whose ``data/`` is empty
    (:func:`validation.empty_project`): the files read as untrusted input into the
    in-memory graph with the ontology (``kg.graph.load_graph`` with ``extra``), the
    project's shapes, ``kg.validate.validate_graph`` (the fast engine). ``kg-shapes``: what
    ``kg validate --shapes shapes/kg-shapes.ttl FILE...`` runs (``validate_files``): the
    files read as trusted (``kg.graph.read_files``), the fast engine. ``pyshacl``: the
    ``kg`` graph, ``validate_graph(engine="pyshacl")``.
    """
    sys.path.insert(0, str(ROOT / "bench"))
    from validation import empty_project

    from kg.graph import load_graph, read_files
    from kg.parse import rdf_files
    from kg.project import Project
    from kg.shacl import Shapes
    from kg.validate import project_shapes, validate_graph

    engine, cap = spec["engine"], spec.get("cap")
    if engine not in ("kg", "kg-shapes", "pyshacl"):
        raise SystemExit(f"validate: unknown engine {engine!r}")
    project = Project(empty_project())  # symbolic links to ontology/ and shapes/, empty data/
    files = data_files(spec["files"])
    deadline = time.perf_counter() + cap if cap else None

    def left() -> float | None:
        return max(0.1, deadline - time.perf_counter()) if deadline else None

    def read() -> Any:  # the shapes are read as the command reads them (milliseconds)
        if engine == "kg-shapes":
            return (read_files(files, rdf_files(project.ontology_dir)),
                    Shapes.from_files(rdf_files(project.shapes_dir)))
        return load_graph(project, extra=files), project_shapes(project)
    loading = timed(read, left())
    graph, shapes = loading.pop("value") or (None, None)
    which = "pyshacl" if engine == "pyshacl" else "fast"
    checking = timed(lambda: validate_graph(graph, shapes, engine=which), left()) \
        if not loading["capped"] else {"seconds": 0.0, "cpu_seconds": 0.0, "capped": True,
                                       "value": None}
    shutil.rmtree(project.root)
    report: Any = checking.pop("value")
    capped = loading["capped"] or checking["capped"]
    return {
        "seconds": cap if capped else loading["seconds"] + checking["seconds"],
        "cpu_seconds": loading["cpu_seconds"] + checking["cpu_seconds"],
        "capped": capped,
        "load_seconds": loading["seconds"],
        "validate_seconds": checking["seconds"],
        "conforms": None if report is None else report.conforms,
        "counts": None if report is None else report.counts,
    }


def memory_load(spec: dict[str, Any]) -> dict[str, Any]:
    """Plain pyoxigraph: the files loaded into an in-memory store (the baseline of kg validate)."""
    import pyoxigraph as ox

    files = data_files(spec["files"])

    def load() -> int:
        store = ox.Store()
        for f in files:
            store.load(path=str(f), format=ox.RdfFormat.TRIG)
        return len(store)
    result = timed(load, spec.get("cap"))
    result["quads"] = result.pop("value")
    return result


# --------------------------------------------------------------------------- rdflib, once loaded

def rdflib_session(spec: dict[str, Any]) -> dict[str, Any]:
    """rdflib loads the files once, then runs each query and each export (each with its cap).

    At a million statements rdflib takes half a minute or more to load: one
    load per query would take the benchmark hours. The figures of this
    process share its memory: ``peak_mb`` after each step is the peak so far.
    """
    dataset, loaded = rdflib_load(data_files(spec["files"]))
    loaded["quads"] = count_quads(dataset)
    loaded["peak_mb"] = peak_mb()
    queries = {}
    for name, item in spec["queries"].items():
        if item["cap"] is None:  # kg did not finish it either: nothing to compare
            continue
        result = timed(lambda: consume(dataset.query(item["text"])), item["cap"])
        result["rows"] = result.pop("value")
        result["peak_mb"] = peak_mb()
        queries[name] = result
        print(json.dumps({"query": name, **result}), file=sys.stderr, flush=True)
    exports = {}
    for fmt, item in spec["exports"].items():
        out = Path(item["out"])
        rdflib_format = "turtle" if fmt == "turtle" else "json-ld"
        result = timed(lambda: dataset.serialize(str(out), format=rdflib_format), item["cap"])
        result.pop("value")
        result["bytes"] = out.stat().st_size if out.exists() and not result["capped"] else None
        result["peak_mb"] = peak_mb()
        exports[fmt] = result
        print(json.dumps({"export": fmt, **result}), file=sys.stderr, flush=True)
    return {"load": loaded, "queries": queries, "exports": exports}


# --------------------------------------------------------------------------- preparing

def data(spec: dict[str, Any]) -> dict[str, Any]:
    """``kg synth`` output for the size (reused when the folder already holds it)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from validation import generate

    return generate(spec["regions"], spec["years"], spec["seed"], Path(spec["folder"]))


def relocate(spec: dict[str, Any]) -> dict[str, Any]:
    """Point a copied store's record of its files (``kg-files.json``) at the copied data folder.

    ``kg add --store`` writes to the files the store was loaded from: a copy of the
    store must write to the copy of the data, never to the cached synthetic files.
    """
    from kg.graph import read_record, record_files

    store, folder = Path(spec["store"]), Path(spec["folder"])
    origins = {name: folder / Path(path).name
               for name, path in read_record(store).get("graphs", {}).items()}
    record_files(store, origins, add=False)
    return {"graphs": len(origins)}


def texts(spec: dict[str, Any]) -> dict[str, Any]:
    """Every saved query's text with ``spec["params"]`` bound (else its example or default),
    and the values bound, by query name."""
    from kg.queries import QueryLibrary
    from kg.sparqltext import with_prologue

    library = QueryLibrary.load(ROOT / "queries")
    bound, given = {}, {}
    for name in library.names():
        saved = library.get(name)
        params: dict[str, object] = {}
        for p in saved.params:
            value = spec["params"][p.name] if p.name in spec["params"] else (
                p.example if p.example is not None else p.default)
            if value is not None:
                params[p.name] = value
        # the prefixes declared in the text: the baselines know none of kg's
        bound[name] = with_prologue(saved.bind(**params))
        given[name] = params
    return {"texts": bound, "params": given}


FIGURES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "load": load, "query": query, "export": export, "validate": validate,
    "memory-load": memory_load,
    "rdflib-session": rdflib_session, "data": data, "texts": texts, "relocate": relocate,
}


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    result = FIGURES[spec["figure"]](spec)
    result["peak_mb_self"] = peak_mb()
    print(json.dumps(result, default=str), flush=True)
    # no teardown: freeing a million-statement rdflib graph object by object takes
    # longer than some of the figures measured
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])

"""kg against plain rdflib and plain pyoxigraph, on the same synthetic files, in one command.

    .venv/bin/python bench/run.py                      # 100k and 1M: about 20 minutes
    .venv/bin/python bench/run.py --sizes 10M          # kg alone at 10M: about 15 minutes
    .venv/bin/python bench/run.py --sizes 100k         # a quick check
    .venv/bin/python bench/run.py --sizes 100k,1M --runs 5 --out bench/results

What is measured, for each size (the data is ``kg synth --seed 1``, one TriG
file per region, cached under ``--work``; the same files feed every engine):

- **load**: kg = ``kg.graph.load_store`` (what ``kg load`` runs: pyoxigraph's
  bulk loader, every statement also written to the merged default graph,
  then ``optimize``); plain pyoxigraph = an on-disk ``Store`` filled by one
  ``bulk_extend`` over all files (faster than one ``bulk_load`` per file,
  which is measured too where it is cheap); plain rdflib = ``Dataset.parse``
  of each file, in memory;
- **each saved query** (``queries/*.rq``, bound with :data:`SYNTHETIC_PARAMS`
  by kg's own ``SavedQuery.bind``, so that every engine runs the identical
  text): kg = ``open_store(...).run(text)`` (the answer converted to rdflib
  terms, as the CLI gets it); plain pyoxigraph = ``Store.read_only(...)
  .query(text, use_default_graph_as_union=True)``, every solution read; plain
  rdflib = ``Dataset(default_union=True).query(text)``, every row read. The
  row counts are kept: pyoxigraph's union default graph is a bag (a triple
  stated by two sources matches twice), kg's default graph a set;
- **export** of the whole graph as Turtle (the union) and JSON-LD (the graphs):
  kg = ``kg.export.export_to`` (a file, written as it streams); plain pyoxigraph = a
  CONSTRUCT of the union serialized as Turtle, ``Store.dump`` as JSON-LD;
  plain rdflib = ``Dataset.serialize``;
- **full validation** of the files against ``shapes/`` (with ``ontology/``),
  from files to verdict: kg = what ``kg validate FILE...`` runs in a project
  whose ``data/`` is empty (``kg.graph.load_graph`` reads the files as untrusted
  input into the in-memory graph, ``kg.validate.validate_graph`` with the fast
  engine); pySHACL = the same graph, ``validate_graph(engine="pyshacl")``. The
  verdicts (conforms, results per severity) are compared where pySHACL
  finishes. At the first size also what ``kg validate --shapes SHAPES FILE...``
  runs (the files read as trusted: ``kg.graph.read_files``);
- **kg add** of ten observations (a new source article:
  :func:`validation.addition`) into a fresh copy of the size's store and data
  folder, end to end (``kg add --store``);
- once per run, **CLI start-up** on the shipped graph (``kg queries``,
  ``kg query``, ``kg add`` on a copy of ``data/``), with ``python -c pass`` and
  the imports of pyoxigraph and rdflib for reference.

How: every run of every figure is a process of its own (``bench/worker.py``):
the seconds of the operation alone are measured inside it (perf_counter), peak
memory (``ru_maxrss``) and CPU time by this driver (``os.wait4``); CLI figures
are timed from outside, process start included. The driver itself imports no
RDF library: a child's ``ru_maxrss`` starts at the size of the process that
forked it. A figure is the median of ``--runs`` processes; a run that hits its
cap is not repeated. Caps: kg's queries and exports stop after ``--cap``
seconds; a baseline's run stops once it has taken ten times kg's median (five
for pySHACL, with a margin; "> X s" and a ratio ">= R"), except pySHACL at the
first size, which runs to its end so that the verdicts can be compared. A
process over ``--memory-limit`` is stopped too. The rdflib queries and exports
of a size share one process that loads the files once (at a million
statements, one load per query would take hours). The largest size runs kg
alone, once per figure.

Child processes run with bytecode caching on (``PYTHONPYCACHEPREFIX`` under
``--work``): a user's installed kg has its ``.pyc`` files, and this machine's
environment turns caching off (``PYTHONDONTWRITEBYTECODE``), which would add
the compilation of kg's modules to every start-up.

The results go to ``--out``: ``<UTC time>.json`` (every run, the medians, the
machine, the load average, the versions, the commit) and ``<UTC time>.md``
(the tables, also ``latest.md``); the Markdown is printed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from report import PYSHACL_RATIO, RDFLIB_RATIO, markdown  # noqa: E402
from validation import addition  # noqa: E402  (plain text: imports nothing of kg)

PYTHON = sys.executable
KG = str(Path(sys.executable).with_name("kg"))
WORKER = str(BENCH / "worker.py")


@dataclass(frozen=True)
class Size:
    """One data size: the ``kg synth`` arguments, and whether the baselines run too."""

    name: str
    regions: int
    years: int
    baselines: bool = True    #: plain pyoxigraph and rdflib too (else kg alone, one run each)


SIZES = {size.name: size for size in (
    Size("100k", 50, 4),      # 102,961 statements
    Size("1M", 485, 4),       # 997,522
    Size("10M", 552, 35, baselines=False),   # about 9.9M
)}

#: Parameter values of the saved queries on synthetic data (their headers' examples name
#: the shipped data); a copy of tests/test_backends_differential.py's SYNTHETIC_PARAMS.
SYNTHETIC_PARAMS: dict[str, str | None] = {
    "post": "post:synth-r0002-mayor",
    "on": "2023-06-01",
    "person": "person:synth-r0002-p02",
    "area": "place:synth-r0002",
    "entity": "place:synth-r0002",
    "source": "source:synth-r0002-2023-b",
    "body": "body:synth-r0002-dinas",
    "text": "Sintetis 0002",
    "sector": None,       # unset: every sector
    "assessment": None,
    "qualifier": "qualifier:approximate",
}

#: Saved queries also timed end to end, as ``kg query NAME --store PATH`` (start-up included).
CLI_QUERIES = ("post-holder-on-date", "sources")

#: Seconds a worker may run beyond its cap (start-up, imports, reading files) before
#: the driver kills it: the worker's own timer fires only between Python bytecodes,
#: not inside one long pyoxigraph call. A query's worker starts in well under a second.
SLACK, QUERY_SLACK = 15.0, 3.0
#: The shortest cap of a baseline's run: below, start-up noise decides.
FLOOR = 5.0


# --------------------------------------------------------------------------- processes

@dataclass
class Run:
    """One process: what the driver saw, and what the worker measured (``result``)."""

    wall_s: float              #: the whole process, start-up included
    cpu_s: float               #: user + system CPU seconds of the process
    peak_mb: float             #: peak resident memory of the process
    exit_code: int
    stopped: str = ""          #: "time" or "memory" when the driver killed it
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    load_average: float = 0.0  #: the 1-minute load average when the run ended

    @property
    def capped(self) -> bool:
        return bool(self.stopped) or bool(self.result.get("capped"))

    @property
    def seconds(self) -> float:
        """The measured operation: the worker's figure, else the whole process."""
        return float(self.result.get("seconds", self.wall_s))


def child_environment(work: Path) -> dict[str, str]:
    """The environment of every measured process: the shipped project, no store, bytecode cached."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("KG_STORE", "KG_ROOT", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def resident_mb(pid: int) -> float:
    """The current resident memory of a process, in MB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_process(argv: list[str], *, timeout: float, env: dict[str, str],
                memory_limit_mb: float, cwd: Path | None = None) -> tuple[Run, str]:
    """Run ``argv`` to its end, or kill it after ``timeout`` s or above ``memory_limit_mb``.

    Returns the run (wall time, CPU, peak memory) and the process's stdout.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env)
        waited: list[tuple[int, int, Any]] = []
        waiter = threading.Thread(target=lambda: waited.append(os.wait4(process.pid, 0)))
        waiter.start()
        stopped = ""
        while True:
            waiter.join(0.25)
            if not waiter.is_alive():
                break
            if time.perf_counter() - started > timeout:
                stopped = "time"
            elif resident_mb(process.pid) > memory_limit_mb:
                stopped = "memory"
            if stopped:
                process.kill()
                waiter.join()
                break
        wall = time.perf_counter() - started
        _, status, usage = waited[0]
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    run = Run(wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime, peak_mb=usage.ru_maxrss / 1024,
              exit_code=process.returncode, stopped=stopped, load_average=os.getloadavg()[0])
    if process.returncode != 0 and not stopped:
        run.error = (stderr.strip() or stdout.strip())[-1500:] or f"exit {process.returncode}"
    return run, stdout


# --------------------------------------------------------------------------- figures

@dataclass
class Figure:
    """One figure: an operation on one engine at one size, over its runs."""

    size: str
    figure: str                #: "load", "query:<name>", "export:turtle", "validate", ...
    engine: str                #: "kg", "pyoxigraph", "rdflib", "pyshacl", "kg-shapes", ...
    runs: list[Run]
    cap: float | None = None
    note: str = ""
    spent_s: float = 0.0       #: wall-clock time the benchmark spent on it (copies included)

    @property
    def ok(self) -> bool:
        return any(r.error is None for r in self.runs)

    @property
    def median_s(self) -> float | None:
        """The median of the runs' seconds, a capped run counting as endless (None: capped)."""
        good = [r for r in self.runs if r.error is None]
        if not good:
            return None
        middle = statistics.median(float("inf") if r.capped else r.seconds for r in good)
        return None if middle == float("inf") else middle

    @property
    def capped(self) -> bool:
        """Whether the median is unknown, only bounded: at least half the runs hit the cap."""
        return self.ok and self.median_s is None

    @property
    def bound_s(self) -> float | None:
        """For a capped figure, the seconds it ran without finishing (a lower bound)."""
        if not self.capped:
            return None
        return min(r.seconds for r in self.runs if r.error is None and r.capped)

    @property
    def stopped_by_memory(self) -> bool:
        return any(r.stopped == "memory" for r in self.runs)

    @property
    def peak_mb(self) -> float | None:
        return max((r.peak_mb for r in self.runs if r.error is None), default=None)

    @property
    def median_wall_s(self) -> float | None:
        walls = [r.wall_s for r in self.runs if r.error is None and not r.capped]
        return statistics.median(walls) if walls else None

    def value(self, key: str) -> Any:
        """A value the worker reported (rows, quads, conforms ...), from the first good run."""
        for run in self.runs:
            if run.error is None and key in run.result:
                return run.result[key]
        return None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        return cls(data["size"], data["figure"], data["engine"],
                   [Run(**run) for run in data["runs"]], cap=data["cap_s"], note=data["note"],
                   spent_s=data.get("spent_s", 0.0))

    def to_json(self) -> dict[str, Any]:
        return {"size": self.size, "figure": self.figure, "engine": self.engine,
                "median_s": self.median_s, "capped": self.capped, "bound_s": self.bound_s,
                "cap_s": self.cap, "peak_mb": self.peak_mb, "median_wall_s": self.median_wall_s,
                "note": self.note, "spent_s": self.spent_s,
                "errors": [r.error for r in self.runs if r.error],
                "runs": [asdict(r) for r in self.runs]}


class Bench:
    """The settings of this run, and the figures measured so far."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work: Path = args.work
        self.env = child_environment(args.work)
        self.figures: list[Figure] = []
        self.started = time.monotonic()
        self.last_record = self.started
        #: what each size measured: the query texts, as bound (queries/ may change meanwhile)
        self.texts: dict[str, dict[str, str]] = {}
        #: with ``--before REV``: the exported src/ of that commit (engine ``kg-before``)
        self.before: Path | None = export_before(args.before, args.work) if args.before else None

    def log(self, text: str) -> None:
        elapsed = time.monotonic() - self.started
        print(f"[{elapsed / 60:5.1f} min, load {os.getloadavg()[0]:.1f}] {text}",
              file=sys.stderr, flush=True)

    def find(self, size: str, figure: str, engine: str) -> Figure | None:
        for f in self.figures:
            if (f.size, f.figure, f.engine) == (size, figure, engine):
                return f
        return None

    def record(self, figure: Figure) -> Figure:
        now = time.monotonic()
        figure.spent_s, self.last_record = now - self.last_record, now
        self.figures.append(figure)
        if not figure.runs:
            said = figure.note
        elif not figure.ok:
            said = f"failed: {(figure.runs[0].error or '?').strip().splitlines()[-1]}"
        elif figure.capped:
            said = f"> {figure.bound_s:.3g} s (stopped: {figure.runs[-1].stopped or 'cap'})"
        else:
            said = f"{figure.median_s:.3g} s"
        peak = f", peak {figure.peak_mb:.0f} MB" if figure.peak_mb else ""
        self.log(f"{figure.size:>4} {figure.figure:<34} {figure.engine:<20} {said}{peak}")
        return figure

    def worker(self, spec: dict[str, Any], *, timeout: float) -> Run:
        """One run of ``bench/worker.py``; its JSON is ``run.result``."""
        run, stdout = run_process([PYTHON, WORKER, json.dumps(spec)], timeout=timeout,
                                  env=self.env, memory_limit_mb=self.args.memory_limit)
        if run.stopped:
            run.result = {"seconds": spec.get("cap") if run.stopped == "time" else run.wall_s,
                          "capped": True}
        elif run.error is None:
            try:
                run.result = json.loads(stdout.strip().splitlines()[-1])
            except (ValueError, IndexError):
                run.error = f"no result from the worker: {stdout[-300:]!r}"
        return run

    def prepare(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A preparing step in a worker (data, query texts): its result, or exit on failure."""
        run = self.worker(spec, timeout=3600)
        if run.error:
            raise SystemExit(f"bench: {spec['figure']} failed:\n{run.error}")
        return run.result

    def measure(self, size: str, figure: str, engine: str, spec: dict[str, Any], *,
                runs: int, cap: float | None = None, slack: float = SLACK,
                timeout: float = 3600.0, note: str = "") -> Figure:
        """``runs`` processes of the worker, stopping at a capped or failed run."""
        done: list[Run] = []
        spec = {**spec, "cap": cap}
        for _ in range(runs):
            run = self.worker(spec, timeout=(cap + slack) if cap else timeout)
            done.append(run)
            if run.capped or run.error:
                break
        return self.record(Figure(size, figure, engine, done, cap=cap, note=note))

    def command(self, size: str, figure: str, argv: list[str], *, runs: int,
                timeout: float = 600.0, prepare: Callable[[], None] | None = None,
                env: dict[str, str] | None = None, expect: str = "", note: str = "") -> Figure:
        """``runs`` processes of a kg command (or Python), timed from outside: start-up included.

        ``expect``: what the first line of the command's output starts with when it
        did what is measured (else the run counts as failed).
        """
        done: list[Run] = []
        for _ in range(runs):
            if prepare is not None:
                prepare()  # untimed: a fresh copy of what the command changes
            run, stdout = run_process(argv, timeout=timeout, env=env or self.env, cwd=ROOT,
                                      memory_limit_mb=self.args.memory_limit)
            said = stdout.strip().splitlines()[0] if stdout.strip() else ""
            run.result = {"said": said[:300]}
            if run.error is None and not run.stopped and not said.startswith(expect):
                run.error = f"unexpected output: {said[:300]!r}"
            done.append(run)
            if run.stopped or run.error:
                break
        return self.record(Figure(size, figure, "kg", done, cap=timeout, note=note))


def export_before(revision: str, work: Path) -> Path:
    """The ``src/`` of ``revision`` exported under ``work`` (``git archive``): kg as it was,
    measured in the same run as kg now."""
    target = work / f"before-{revision}"
    if not (target / "src" / "kg").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", revision, "src"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def relative_cap(kg: Figure | None, ratio: float, *, ceiling: float) -> float | None:
    """The cap of a baseline's run: long enough to show it ``ratio`` times slower than kg.

    None when kg did not finish (there is nothing to compare with).
    """
    if kg is None or kg.median_s is None:
        return None
    return round(min(ceiling, max(FLOOR, ratio * kg.median_s * 1.05 + 1.0)), 1)


# --------------------------------------------------------------------------- one size

def bench_size(bench: Bench, size: Size) -> None:
    args = bench.args
    folder = bench.work / f"synth-{size.regions}x{size.years}"
    bench.log(f"{size.name}: data in {folder} ({size.regions} regions x {size.years} years)")
    made = bench.prepare({"figure": "data", "regions": size.regions, "years": size.years,
                          "seed": 1, "folder": str(folder)})
    bench.log(f"{size.name}: {made['quads']:,} statements in {made['sources']:,} source graphs")
    runs = args.runs if size.baselines else 1
    stores = {"kg": bench.work / f"store-kg-{size.name}",
              "pyoxigraph": bench.work / f"store-pyoxigraph-{size.name}",
              "kg-before": bench.work / f"store-kg-before-{size.name}"}
    before = {"before_src": str(bench.before)} if bench.before and size.baselines else None
    files = str(folder)
    first = size.name == args.sizes[0]

    # load: the stores the other figures read are those of the last run
    for engine in ("kg", "pyoxigraph") if size.baselines else ("kg",):
        bench.measure(size.name, "load", engine, {"figure": "load", "engine": engine,
                                                  "files": files, "store": str(stores[engine])},
                      runs=runs)
    if before:
        bench.measure(size.name, "load", "kg-before", {
            "figure": "load", "engine": "kg-before", "files": files,
            "store": str(stores["kg-before"]), **before}, runs=runs, note=bench.args.before)
    if size.baselines and first:
        bench.measure(size.name, "load", "pyoxigraph-per-file",
                      {"figure": "load", "engine": "pyoxigraph-per-file", "files": files,
                       "store": str(bench.work / f"store-pyoxigraph-per-file-{size.name}")},
                      runs=runs, note="one bulk_load call per file")
        bench.measure(size.name, "load", "rdflib", {"figure": "load", "engine": "rdflib",
                                                    "files": files}, runs=runs)

    prepared = bench.prepare({"figure": "texts", "params": SYNTHETIC_PARAMS})
    texts, params = prepared["texts"], prepared["params"]
    bench.texts[size.name] = texts
    for name, text in texts.items():
        spec = {"figure": "query", "text": text}
        kg = bench.measure(size.name, f"query:{name}", "kg",
                           {**spec, "engine": "kg", "store": str(stores["kg"])}, runs=runs,
                           cap=args.cap, slack=QUERY_SLACK)
        if size.baselines:
            cap = relative_cap(kg, RDFLIB_RATIO, ceiling=args.cap) or FLOOR
            bench.measure(size.name, f"query:{name}", "pyoxigraph",
                          {**spec, "engine": "pyoxigraph", "store": str(stores["pyoxigraph"])},
                          runs=runs, cap=cap, slack=QUERY_SLACK)
        if before:
            bench.measure(size.name, f"query:{name}", "kg-before", {
                **spec, "engine": "kg-before", "store": str(stores["kg-before"]), **before},
                runs=runs, cap=args.cap, slack=QUERY_SLACK, note=bench.args.before)
    for name in CLI_QUERIES:
        bench.command(size.name, f"kg query {name} --store", [
            KG, "query", name, "--store", str(stores["kg"]), "--format", "csv",
            *(arg for p, v in params[name].items() for arg in ("-p", f"{p}={v}"))],
            runs=runs, timeout=args.cap + QUERY_SLACK,
            note="end to end, CSV to a pipe")

    if size.baselines:
        for fmt in ("turtle", "jsonld"):
            kg = bench.measure(size.name, f"export:{fmt}", "kg",
                               {"figure": "export", "engine": "kg", "store": str(stores["kg"]),
                                "format": fmt, "out": str(bench.work / f"export-kg.{fmt}")},
                               runs=runs, cap=args.cap)
            if fmt == "jsonld":  # kg export --expanded: what kg wrote before it compacted
                bench.measure(size.name, "export:jsonld-expanded", "kg", {
                    "figure": "export", "engine": "kg", "store": str(stores["kg"]),
                    "format": fmt, "expanded": True,
                    "out": str(bench.work / "export-kg-expanded.jsonld")}, runs=runs, cap=args.cap)
            bench.measure(size.name, f"export:{fmt}", "pyoxigraph",
                          {"figure": "export", "engine": "pyoxigraph",
                           "store": str(stores["pyoxigraph"]), "format": fmt,
                           "out": str(bench.work / f"export-pyoxigraph.{fmt}")},
                          runs=runs, cap=relative_cap(kg, RDFLIB_RATIO, ceiling=args.cap) or FLOOR)
            if before:
                bench.measure(size.name, f"export:{fmt}", "kg-before", {
                    "figure": "export", "engine": "kg-before", "store": str(stores["kg-before"]),
                    "format": fmt, "out": str(bench.work / f"export-kg-before.{fmt}"), **before},
                    runs=runs, cap=args.cap, note=bench.args.before)
        if before:
            shutil.rmtree(stores["kg-before"], ignore_errors=True)
        validation(bench, size, files, runs, first=first)
        rdflib_session(bench, size, files, texts, first=first)
    before = sorted(p.name for p in folder.iterdir())
    add_on_store(bench, size, folder, stores["kg"])
    if sorted(p.name for p in folder.iterdir()) != before:
        raise SystemExit(f"bench: {folder} changed while kg add ran: remove it (it is "
                         "generated again) and report the bug")


def validation(bench: Bench, size: Size, files: str, runs: int, *, first: bool) -> None:
    """kg's fast engine, then pySHACL (to its end at the first size: the verdicts are compared)."""
    args = bench.args
    spec = {"figure": "validate", "files": files}
    bench.measure(size.name, "validate", "pyoxigraph", {"figure": "memory-load", "files": files},
                  runs=runs, note="plain pyoxigraph: the files loaded into an in-memory store")
    kg = bench.measure(size.name, "validate", "kg", {**spec, "engine": "kg"}, runs=runs,
                       cap=args.max_cap)
    cap = args.max_cap if first else (relative_cap(kg, PYSHACL_RATIO * 1.2, ceiling=args.max_cap)
                                      or FLOOR)
    bench.measure(size.name, "validate", "pyshacl", {**spec, "engine": "pyshacl"}, runs=1,
                  cap=cap, note="one run" + (", to its end (the verdicts are compared)" if first
                                             else ", capped at 6x kg's median"))
    if first:
        bench.measure(size.name, "validate", "kg-shapes", {**spec, "engine": "kg-shapes"},
                      runs=1, cap=args.max_cap,
                      note="one run; what `kg validate --shapes SHAPES FILE...` runs: the files "
                      "read as trusted")


def rdflib_session(bench: Bench, size: Size, files: str, texts: dict[str, str], *,
                   first: bool) -> None:
    """rdflib loads the files once, then runs every query and export, each capped."""
    args = bench.args
    queries: dict[str, dict[str, Any]] = {name: {"text": text, "cap": relative_cap(
        bench.find(size.name, f"query:{name}", "kg"), RDFLIB_RATIO, ceiling=args.rdflib_cap)}
        for name, text in texts.items()}
    exports: dict[str, dict[str, Any]] = {fmt: {"out": str(bench.work / f"export-rdflib.{fmt}"),
                     "cap": relative_cap(bench.find(size.name, f"export:{fmt}", "kg"),
                                         RDFLIB_RATIO, ceiling=args.max_cap) or FLOOR}
               for fmt in ("turtle", "jsonld")}
    budget = sum(q["cap"] or 0 for q in queries.values()) + sum(e["cap"] for e in exports.values())
    bench.log(f"{size.name}: rdflib, one process: load, queries, exports (caps total {budget:.0f} s)")
    spec = {"figure": "rdflib-session", "files": files, "queries": queries, "exports": exports}
    run = bench.worker(spec, timeout=budget + 1800)
    note = "one rdflib process: one load, then every query and export"
    # the process as a whole first: the time it took is counted there
    bench.record(Figure(size.name, "session", "rdflib", [run], note=note))
    if run.error or run.stopped:
        return
    session = run.result
    parts: list[tuple[str, dict[str, Any], float | None]] = []
    if not first:  # at the first size, rdflib's load has processes of its own
        parts.append(("load", session["load"], None))
    parts += [(f"query:{n}", r, queries[n]["cap"]) for n, r in session["queries"].items()]
    parts += [(f"export:{f}", r, exports[f]["cap"]) for f, r in session["exports"].items()]
    for figure, result, cap in parts:
        part = Run(wall_s=run.wall_s, cpu_s=float(result["cpu_seconds"]),
                   peak_mb=float(result["peak_mb"]), exit_code=0, result=result,
                   load_average=run.load_average)
        bench.record(Figure(size.name, figure, "rdflib", [part], cap=cap, note=note))


# --------------------------------------------------------------------------- kg add

def add_has_store() -> bool:
    """Whether ``kg add`` takes ``--store``."""
    shown = subprocess.run([KG, "add", "--help"], capture_output=True, text=True, check=False)
    return "--store" in shown.stdout


def scratch_project(where: Path, data: Path) -> Path:
    """A project folder: the checkout's ontology, shapes and queries, a copy of ``data``'s files."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    for name in ("ontology", "shapes", "queries"):
        (where / name).symlink_to(ROOT / name)
    (where / "data").mkdir()
    for file in sorted(data.glob("*.trig")):
        shutil.copy2(file, where / "data" / file.name)
    return where


def addition_file(work: Path) -> Path:
    """Ten new observations in a new source article about region 1 (conforms to the shapes)."""
    path = work / "addition-10-observations.trig"
    path.write_text(addition(10, broken=False), encoding="utf-8")
    return path


def add_on_store(bench: Bench, size: Size, folder: Path, store: Path) -> None:
    """``kg add --store`` of ten observations: a fresh copy of store and data/ for each run."""
    if not add_has_store():
        bench.record(Figure(size.name, "add", "kg", [],
                            note="not available: `kg add` has no --store"))
        return
    project = bench.work / f"add-project-{size.name}"
    copy = bench.work / f"add-store-{size.name}"

    def fresh() -> None:
        scratch_project(project, folder)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(store, copy)
        bench.prepare({"figure": "relocate", "store": str(copy), "folder": str(project / "data")})

    bench.command(size.name, "add", [KG, "--root", str(project), "add", "--store", str(copy),
                                     str(addition_file(bench.work))],
                  runs=bench.args.runs if size.baselines else 1, prepare=fresh, expect="added",
                  note="end to end: `kg add --store`, on a fresh copy of store and data/ "
                       "(copies untimed)")
    for scratch in (copy, project):  # gigabytes at 10M
        shutil.rmtree(scratch, ignore_errors=True)


# --------------------------------------------------------------------------- CLI start-up

def cli_figures(bench: Bench) -> None:
    """Start-up of the CLI on the shipped graph, with Python's own start-up for reference."""
    runs = max(5, bench.args.runs)
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        "python -c 'import pyoxigraph'": [PYTHON, "-c", "import pyoxigraph"],
        "python -c 'import rdflib'": [PYTHON, "-c", "import rdflib"],
        "kg queries": [KG, "queries"],
        "kg query post-holder-on-date -p post=post:head-dkumkmp-balikpapan -p on=2023-01-01":
            [KG, "query", "post-holder-on-date", "-p", "post=post:head-dkumkmp-balikpapan",
             "-p", "on=2023-01-01"],
    }
    for label, argv in commands.items():
        bench.command("cli", label, argv, runs=runs)
    text = bench.prepare({"figure": "texts", "params": {
        "post": "post:head-dkumkmp-balikpapan", "on": "2023-01-01"}})["texts"]
    bench.command("cli", "floor: a process that loads data/ and the ontology into pyoxigraph "
                  "and runs that query", [PYTHON, str(BENCH / "floor.py"),
                                          text["post-holder-on-date"]],
                  runs=runs, note="bench/floor.py: no kg, the query already bound")
    bench.command("cli", "kg validate", [KG, "validate"], runs=runs,
                  note="the shipped data, end to end")
    uncached = {k: v for k, v in bench.env.items() if k != "PYTHONPYCACHEPREFIX"}
    uncached["PYTHONDONTWRITEBYTECODE"] = "1"
    bench.command("cli", "kg queries (no bytecode cache: every module compiled)",
                  commands["kg queries"], runs=runs, env=uncached)
    project = bench.work / "add-project-shipped"

    def fresh() -> None:
        scratch_project(project, ROOT / "data")

    bench.command("cli", "kg add (10 observations) on a copy of the shipped data/",
                  [KG, "--root", str(project), "add", str(addition_file(bench.work))],
                  runs=runs, prepare=fresh,
                  expect="added", note="no store: reads data/ into memory; copy untimed")


# --------------------------------------------------------------------------- the run

def machine() -> dict[str, Any]:
    """Where and on what the figures were measured."""
    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        return done.stdout.strip()

    return {"cpus": os.cpu_count(), "load_average": os.getloadavg(),
            "platform": platform.platform(), "python": platform.python_version(),
            "pyoxigraph": version("pyoxigraph"), "rdflib": version("rdflib"),
            "pyshacl": version("pyshacl"), "git_head": git("rev-parse", "HEAD"),
            # a child's peak memory is at least this: its ru_maxrss counts the pages of
            # the process that forked it (this driver) until the child's exec
            "driver_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "git_changes": git("status", "--porcelain", "--", "src", "queries",
                               "shapes", "ontology").splitlines(),
            "tree_digest": tree_digest()}


def tree_digest() -> str:
    """A digest of the code and knowledge measured (src/kg, queries, shapes, ontology) as they
    are on disk: other people may change them while the benchmark runs."""
    digest = hashlib.sha256()
    for folder in ("src/kg", "queries", "shapes", "ontology"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M",
                        help=f"comma-separated, of {', '.join(SIZES)} (default: 100k,1M; "
                             "10M, kg alone, adds about 15 minutes)")
    parser.add_argument("--runs", type=int, default=3, help="processes per figure (median)")
    parser.add_argument("--out", type=Path, default=BENCH / "results",
                        help="folder for the JSON and Markdown results (default: bench/results)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-bench",
                        help="synthetic data, stores, exports (default: $TMPDIR/kg-bench)")
    parser.add_argument("--cap", type=float, default=30.0,
                        help="seconds after which a query or export stops (kg, plain "
                             "pyoxigraph; default: 30)")
    parser.add_argument("--rdflib-cap", type=float, default=60.0,
                        help="the most an rdflib query may take, whatever kg's time (default: 60)")
    parser.add_argument("--max-cap", type=float, default=300.0,
                        help="the most a validation or an rdflib export may take (default: 300)")
    parser.add_argument("--memory-limit", type=float, default=6000.0, metavar="MB",
                        help="stop a process above this resident memory (default: 6000; the "
                             "largest legitimate figure at 1M, rdflib's JSON-LD, takes 2.5 GB)")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI start-up figures")
    parser.add_argument("--before", metavar="REV",
                        help="also measure kg as of git revision REV (load, queries, exports; "
                             "engine kg-before), for the target 'no figure slower than before'")
    parser.add_argument("--report", type=Path, metavar="JSON",
                        help="measure nothing: print the Markdown of an earlier run's JSON")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}: use {', '.join(SIZES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.report:
        earlier = json.loads(args.report.read_text(encoding="utf-8"))
        figures = [Figure.from_json(f) for f in earlier["figures"]]
        sizes = [s for s in SIZES if any(f.size == s for f in figures)]
        print(markdown(figures, earlier["machine"], sizes))
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args)
    about = machine()
    bench.log(f"kg bench: sizes {', '.join(args.sizes)}, {args.runs} runs; "
              f"{about['cpus']} CPUs, load average {about['load_average'][0]:.2f}")
    if not args.no_cli:
        cli_figures(bench)
    for name in args.sizes:
        bench_size(bench, SIZES[name])
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    end = machine()
    changed = [k for k in ("git_head", "tree_digest") if end[k] != about[k]]
    about.update(load_average_end=os.getloadavg(), total_s=time.monotonic() - bench.started,
                 changed_during_run={k: end[k] for k in changed},
                 finished_utc=stamp, settings={k: str(v) for k, v in vars(args).items()},
                 command="bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{stamp}.json").write_text(json.dumps(
        {"machine": about, "figures": [f.to_json() for f in bench.figures],
         "query_texts": bench.texts}, indent=1,
        default=str) + "\n", encoding="utf-8")
    text = markdown(bench.figures, about, args.sizes)
    (args.out / f"{stamp}.md").write_text(text, encoding="utf-8")
    (args.out / "latest.md").write_text(text, encoding="utf-8")
    print(text)
    bench.log(f"done in {about['total_s'] / 60:.1f} min: {args.out / stamp}.json and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

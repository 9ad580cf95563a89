"""Load test of ``kg serve``, side by side with ``oxigraph serve-read-only`` on the same store.

Not part of the test run (it takes minutes and loads the machine). It starts, on
127.0.0.1 only:

- ``kg --store STORE serve`` and ``oxigraph serve-read-only --location STORE`` over the
  same on-disk store (a kg store is a pyoxigraph database, which Oxigraph's server reads);
- ``kg serve`` over the shipped graph in memory, for the pages and the saved-query API;

and drives each with ``wrk`` (Debian's package: ``apt-get install wrk``), concurrent
keep-alive clients for ``--duration`` seconds per line of the table:

- ``selective``: the SPARQL endpoint, one small SELECT per request, about a different
  person each time (``SELECT ?label WHERE { <person> skos:prefLabel ?label }``), the same
  query text for both servers, answered as SPARQL JSON;
- ``group-by``: a GROUP BY over the people of one region (a few hundred rows grouped),
  one client at a time: the latency of a query that computes before it answers;
- ``entity pages`` and ``saved queries``: the HTML page of each thing of the shipped graph,
  and each saved query with its example parameters, through ``/api/queries/NAME``.

For each line: requests per second, latency p50 and p99 (wrk's), and errors (non-2xx
answers and socket errors). The memory of the kg server (RSS, its worker processes
included) is read every second: after the warm-up (the first run) and at the end.

    .venv/bin/python bench/serve_load.py                       # 60 s per line
    .venv/bin/python bench/serve_load.py --duration 10 --store DIR

The store defaults to ``$TMPDIR/kg-bench/store-kg-1M`` (made by ``bench/run.py`` or
``kg synth`` + ``kg load``). The table is printed and written to
``bench/results/serve-<UTC time>.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SPARQL_JSON = "application/sparql-results+json"

LUA = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local accept = "%(accept)s"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Accept"] = accept})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT {\"requests\": %%d, \"seconds\": %%f, \"p50_us\": %%d, \"p99_us\": %%d, " ..
    "\"status_errors\": %%d, \"socket_errors\": %%d}\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} ended at start: {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"no answer at {url} after {seconds} s")


@contextmanager
def server(command: Sequence[str], probe: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=ROOT)
    try:
        wait_until_up(probe, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class MemoryWatch:
    """RSS of a process, read every second in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.samples.append((time.monotonic(), rss_mb(self.pid)))

    def now(self) -> float:
        return rss_mb(self.pid)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def wrk(base: str, paths: Sequence[str], *, clients: int, seconds: int, accept: str,
        work: Path) -> dict[str, float]:
    """Run wrk against ``base`` cycling through ``paths``; its figures."""
    listing = work / f"paths-{abs(hash(tuple(paths)))}.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = work / "load.lua"
    script.write_text(LUA % {"paths": listing, "accept": accept})
    threads = min(2, clients)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT (\{.*\})", out)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{out}")
    result = json.loads(found.group(1))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def sparql_paths(prefix: str, queries: Sequence[str]) -> list[str]:
    return [f"{prefix}?query={urllib.parse.quote(q)}" for q in queries]


def store_people(store: Path, count: int) -> list[str]:
    import pyoxigraph as ox

    found = ox.Store.read_only(str(store)).query(
        "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } LIMIT %d" % count)
    return [row[0].value for row in found]  # type: ignore[union-attr]


def region_of(person: str) -> str:
    return person.rsplit("/", 1)[1].split("-p", 1)[0]


def shipped_paths() -> tuple[list[str], list[str]]:
    """Entity pages of the shipped graph, and each saved query with its examples."""
    sys.path.insert(0, str(ROOT / "src"))
    import kg

    graph = kg.load_graph()
    rows = graph.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
                       "FILTER(STRSTARTS(STR(?s), 'https://kg.example/id/')) }").rows
    pages = sorted(str(r["s"].value)[len("https://kg.example"):] for r in rows)  # type: ignore[union-attr]
    api = []
    library = kg.QueryLibrary.load()
    for name in library.names():
        saved = library.get(name)
        params = {}
        for param in saved.params:
            if param.example is None:
                continue
            params[param.name] = str(param.example)  # prefixed names, as the CLI takes them
        api.append(f"/api/queries/{name}?{urllib.parse.urlencode(params)}")
    return pages, api


def line(name: str, server_name: str, clients: int, r: dict[str, float]) -> str:
    return (f"| {name} | {server_name} | {clients} | {r['rps']:,.0f} | {r['p50_us'] / 1000:.2f} | "
            f"{r['p99_us'] / 1000:.2f} | {int(r['status_errors'] + r['socket_errors'])} |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path,
                        default=Path(tempfile.gettempdir()) / "kg-bench" / "store-kg-1M")
    parser.add_argument("--duration", type=int, default=60, help="seconds per line")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workers", type=int, default=1, help="kg serve --workers")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    oxigraph = BIN / "oxigraph"
    if not oxigraph.exists():
        raise SystemExit("the Oxigraph server is not installed: pip install oxigraph")
    if not (args.store / "CURRENT").exists():
        raise SystemExit(f"{args.store}: no store; make one with bench/run.py or kg load --store")
    kg_cmd = [sys.executable, "-m", "kg.cli"]
    work = Path(tempfile.mkdtemp(prefix="kg-load-"))
    people = store_people(args.store, 500)
    selective = [f"SELECT ?label WHERE {{ <{p}> <http://www.w3.org/2004/02/skos/core#prefLabel> "
                 "?label }" for p in people]
    regions = sorted({region_of(p) for p in people})[:50]
    group_by = [("SELECT ?p (COUNT(?o) AS ?n) WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> ; "
                 f"?p ?o FILTER(STRSTARTS(STR(?s), \"https://kg.example/id/person/{r}-\")) }} "
                 "GROUP BY ?p") for r in regions]
    table = ["| load | server | clients | requests/s | p50 ms | p99 ms | errors |",
             "|---|---|---:|---:|---:|---:|---:|"]
    memory: list[str] = []
    kg_port, ox_port = free_port(), free_port()
    kg_serve = [*kg_cmd, "--store", str(args.store), "serve", "--port", str(kg_port),
                "--no-access-log", "--workers", str(args.workers)]
    ox_serve = [str(oxigraph), "serve-read-only", "--location", str(args.store),
                "--bind", f"127.0.0.1:{ox_port}"]
    kg_base, ox_base = f"http://127.0.0.1:{kg_port}", f"http://127.0.0.1:{ox_port}"
    with server(kg_serve, kg_base + "/sparql") as kg_process, \
            server(ox_serve, ox_base + "/query") as _:
        watch = MemoryWatch(kg_process.pid)
        warm = None
        for name, queries, clients_list in (("selective SPARQL (1M store)", selective, args.clients),
                                            ("group-by SPARQL (1M store)", group_by, [1])):
            for clients in clients_list:
                for server_name, base, prefix in (("kg serve", kg_base, "/sparql"),
                                                  ("oxigraph serve-read-only", ox_base, "/query")):
                    result = wrk(base, sparql_paths(prefix, queries), clients=clients,
                                 seconds=args.duration, accept=SPARQL_JSON, work=work)
                    table.append(line(name, server_name, clients, result))
                    print(table[-1], flush=True)
                    if warm is None and server_name == "kg serve":
                        warm = watch.now()
        watch.stop()
        memory.append(f"kg serve --store (1M): RSS {warm:.0f} MB after the first run, "
                      f"{watch.now():.0f} MB at the end, peak {max(s for _, s in watch.samples):.0f} MB")
    pages, api = shipped_paths()
    port = free_port()
    shipped = [*kg_cmd, "serve", "--port", str(port), "--no-access-log",
               "--workers", str(args.workers)]
    base = f"http://127.0.0.1:{port}"
    with server(shipped, base + "/sparql") as process:
        watch = MemoryWatch(process.pid)
        warm = None
        for name, paths, accept in (("entity pages (shipped graph)", pages, "text/html"),
                                    ("saved queries API (shipped graph)", api,
                                     SPARQL_JSON + ", text/turtle;q=0.5")):
            for clients in [1, *args.clients]:  # one client: the latency a reader sees
                result = wrk(base, paths, clients=clients, seconds=args.duration, accept=accept,
                             work=work)
                table.append(line(name, "kg serve", clients, result))
                print(table[-1], flush=True)
                if warm is None:
                    warm = watch.now()
        watch.stop()
        memory.append(f"kg serve (shipped graph, in memory): RSS {warm:.0f} MB after the first "
                      f"run, {watch.now():.0f} MB at the end, peak "
                      f"{max(s for _, s in watch.samples):.0f} MB")
    load = os.getloadavg()
    text = "\n".join([f"# kg serve under load, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
                      "", f"{args.duration} s per line, wrk on 127.0.0.1, {os.cpu_count()} cores, "
                      f"load average {load[0]:.2f} at the end; store {args.store}; "
                      f"kg serve --workers {args.workers}.", "", *table, "", *memory, ""])
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    out = results / f"serve-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.md"
    out.write_text(text)
    print(text)
    print(f"written to {out}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

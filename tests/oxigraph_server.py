"""A private Oxigraph server for the tests: ``oxigraph serve-read-only`` over an on-disk store.

``start_oxigraph(store_dir)`` is a context manager: it starts the server (the
``oxigraph`` command of PyPI's ``oxigraph`` package, in the ``test`` extra) on
127.0.0.1 on a free port, waits until its SPARQL endpoint answers, yields the
endpoint's URL (``http://127.0.0.1:PORT/query``) and stops the server on exit.
The store is one ``kg load --store DIR`` (or :func:`kg.graph.load_store`) made,
closed before the server opens it. Where the command is missing the test fails:
CI installs it.

    with start_oxigraph(store_dir) as url:
        kg("sparql", "ASK { ?s ?p ?o }", "--endpoint", url)
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def oxigraph_command() -> str:
    """The ``oxigraph`` command beside this Python (a virtualenv's), else on PATH; the test
    fails without it."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        pytest.fail("the `oxigraph` command is missing: pip install oxigraph (the test extra)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def start_oxigraph(store_dir: str | Path, *, union_default_graph: bool = False
                   ) -> Iterator[str]:
    """Serve the store at ``store_dir`` read-only; yield its SPARQL query endpoint's URL.

    ``union_default_graph``: the default graph is the union of the named graphs (else it
    is the store's own default graph, which a kg store fills with their merge).
    """
    command = [oxigraph_command(), "serve-read-only", "--location", str(store_dir)]
    if union_default_graph:
        command.append("--union-default-graph")
    for _ in range(3):  # another process may take the free port before the server binds it
        port = free_port()
        server = subprocess.Popen([*command, "--bind", f"127.0.0.1:{port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/query"
        try:
            if wait_until_answering(server, url):
                break
        except BaseException:
            stop(server)
            raise
        stop(server)
    else:
        pytest.fail(f"oxigraph serve-read-only over {store_dir} did not start")
    try:
        yield url
    finally:
        stop(server)


def wait_until_answering(server: subprocess.Popen[bytes], url: str) -> bool:
    """Whether the server answers an ASK within START_TIMEOUT (False: it exited, as on a
    port taken meanwhile)."""
    probe = url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(probe, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
    return False


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

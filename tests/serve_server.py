"""A real ``kg serve`` on 127.0.0.1, for the tests that need one over HTTP (the W3C protocol
tests, the browser tests, the remote tests): started as the user starts it, stopped after."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def kg_server(*args: str, env: dict[str, str] | None = None, wait: float = 60.0,
              cwd: str | None = None) -> Iterator[str]:
    """``kg serve ARGS --port P`` running; yields its base URL (``http://127.0.0.1:P``)."""
    port = free_port()
    command: Sequence[str] = [sys.executable, "-m", "kg.cli", *args, "serve",
                              "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    # global options (--root, --store) come before the command: callers pass them in args
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **(env or {})}, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                out, err = process.communicate()
                raise RuntimeError(f"kg serve ended at start ({process.returncode}): "
                                   f"{err.decode(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/sparql", timeout=2):
                    break
            except urllib.error.HTTPError:  # it answers
                break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"kg serve did not answer at {url} in {wait} s") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def app_server(app: object, *, wait: float = 30.0) -> Iterator[str]:
    """``app`` (an ASGI application) served by uvicorn on 127.0.0.1 in a thread of this
    process; yields its base URL."""
    import threading

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + wait
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on port {port}")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

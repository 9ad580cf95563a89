"""A private Virtuoso server for the integration tests (a pytest plugin).

The session fixture ``virtuoso`` starts ``virtuoso-t`` on a fresh database in
a temporary folder, bound to 127.0.0.1 on free ports, waits until its SPARQL
endpoint answers, and stops it when the session ends. Where Virtuoso is not
installed the tests that use it are skipped, unless ``KG_REQUIRE_VIRTUOSO=1``
(as in CI), where that is a failure.

Registered in ``conftest.py`` through ``pytest_plugins``.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0

#: What the private copy must hold whatever the packaged file says, by section.
#: ``{db}`` is the database folder, ``{sql}`` / ``{http}`` the ports.
OVERRIDES: dict[str, dict[str, str]] = {
    "Database": {
        "DatabaseFile": "{db}/virtuoso.db",
        "ErrorLogFile": "{db}/virtuoso.log",
        "LockFile": "{db}/virtuoso.lck",
        "TransactionFile": "{db}/virtuoso.trx",
        "xa_persistent_file": "{db}/virtuoso.pxa",
    },
    "TempDatabase": {
        "DatabaseFile": "{db}/virtuoso-temp.db",
        "TransactionFile": "{db}/virtuoso-temp.trx",
    },
    "Parameters": {
        "ServerPort": "127.0.0.1:{sql}",
        "DirsAllowed": "., {db}, /usr/share/virtuoso-opensource-7/vad",
        "DisableUnixSocket": "1",
        # The tests load a few thousand triples: keep the buffer pool small.
        "NumberOfBuffers": "10000",
        "MaxDirtyBuffers": "6000",
        # 7.2.5 with the packaged 4 threads per query answers duplicate rows for
        # some DISTINCT queries and splits some GROUP BY groups in two (seen with
        # queries/bodies.rq and graph-summary.rq); one thread answers correctly.
        "ThreadsPerQuery": "1",
    },
    "HTTPServer": {"ServerPort": "127.0.0.1:{http}"},
    "URIQA": {"DefaultHost": "127.0.0.1:{http}"},
    # The packaged plugins (wiki renderers ...) are not needed and may be missing.
    "Plugins": {},
}

#: Used when the packaged file is absent (Virtuoso built from source, other distributions).
MINIMAL_INI = """\
[Database]
[TempDatabase]
[Parameters]
CheckpointInterval = 60
CaseMode = 2
MaxQueryMem = 1G
[HTTPServer]
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[URIQA]
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class VirtuosoServer:
    """A running private Virtuoso: its endpoints and the DBA's credentials."""

    http_port: int
    sql_port: int
    folder: Path
    pid: int
    #: seconds from launch until the SPARQL endpoint answered
    start_seconds: float = 0.0
    user: str = "dba"
    password: str = "dba"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The anonymous, read-only SPARQL endpoint."""
        return f"{self.base}/sparql"

    @property
    def sparql_auth(self) -> str:
        """SPARQL query and update, HTTP Digest auth."""
        return f"{self.base}/sparql-auth"

    @property
    def graph_crud_auth(self) -> str:
        """SPARQL 1.1 Graph Store HTTP Protocol, HTTP Digest auth."""
        return f"{self.base}/sparql-graph-crud-auth"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def isql(self, sql: str) -> str:
        """Run SQL statements through ``isql-vt``; return its output.

        Raises:
            AssertionError: isql-vt reports an error.
        """
        isql = find_isql()
        if isql is None:
            raise AssertionError("isql-vt is not installed")
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.sql_port}", self.user, self.password, f"exec={sql}"],
            capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise AssertionError(f"isql-vt {sql!r} failed: {done.stdout}{done.stderr}")
        return done.stdout


def find_server() -> str | None:
    return shutil.which("virtuoso-t") or shutil.which("virtuoso")


def find_isql() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql-v")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def private_ini(template: str, *, db: Path, sql_port: int, http_port: int) -> str:
    """The packaged ``virtuoso.ini`` with database paths, ports and allowed folders replaced."""
    values = {section: {key: value.format(db=db, sql=sql_port, http=http_port)
                        for key, value in keys.items()}
              for section, keys in OVERRIDES.items()}
    lines: list[str] = []
    section = ""
    pending: dict[str, str] = {}

    def flush() -> None:
        lines.extend(f"{key} = {value}" for key, value in pending.items())
        pending.clear()

    for line in template.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            flush()
            section = header.group(1).strip()
            pending.update(values.get(section, {}))
            lines.append(line)
            continue
        key = re.match(r"\s*([A-Za-z0-9_]+)\s*=", line)
        if key and section in values:
            name = key.group(1)
            if section == "Plugins":
                continue  # drop every plugin
            if name in values[section]:
                if name in pending:
                    lines.append(f"{name} = {pending.pop(name)}")
                continue  # a duplicate key: the first one carries our value
        lines.append(line)
    flush()
    for missing in set(values) - {m.group(1).strip() for m in
                                  re.finditer(r"^\s*\[([^\]]+)\]", template, re.M)}:
        lines.append(f"[{missing}]")
        lines.extend(f"{key} = {value}" for key, value in values[missing].items())
    return "\n".join(lines) + "\n"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def log_tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def stop(process: subprocess.Popen[bytes], sql_port: int) -> None:
    """Shut the server down cleanly; terminate, then kill, its process group if it lingers."""
    if process.poll() is None:
        isql = find_isql()
        if isql is not None:
            try:
                subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", "exec=shutdown;"],
                               capture_output=True, timeout=STOP_TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                pass
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            continue


def die_with_parent() -> None:
    """In the server's process: be terminated when pytest dies, even by SIGKILL (Linux only)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def unavailable(reason: str) -> None:
    """Skip, or fail where a server is required (``KG_REQUIRE_VIRTUOSO=1``, as in CI)."""
    if os.environ.get("KG_REQUIRE_VIRTUOSO") == "1":
        pytest.fail(f"{reason} (KG_REQUIRE_VIRTUOSO=1: a missing server is a failure)",
                    pytrace=False)
    pytest.skip(f"{reason}; install virtuoso-opensource to run the integration tests")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A private Virtuoso on 127.0.0.1, started once per test session."""
    binary = find_server()
    if binary is None:
        unavailable("virtuoso-t is not on PATH")
        raise AssertionError  # unreachable: unavailable() skips or fails
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    template = PACKAGED_INI.read_text(encoding="utf-8") if PACKAGED_INI.is_file() else MINIMAL_INI
    ini = folder / "virtuoso.ini"
    ini.write_text(private_ini(template, db=folder, sql_port=sql_port, http_port=http_port),
                   encoding="utf-8")
    log = folder / "server.log"
    started = time.monotonic()
    with log.open("wb") as log_file:
        # A session of its own, so that stop() can end the server and anything it spawned.
        process = subprocess.Popen(
            [binary, "+foreground", "+configfile", str(ini)], cwd=folder,
            stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent)
    try:
        probe = f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D"
        while not answers(probe):
            if process.poll() is not None:
                pytest.fail(f"virtuoso-t exited with code {process.returncode} while starting; "
                            f"its log ({log}):\n{log_tail(log)}", pytrace=False)
            if time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"virtuoso-t did not answer {probe} within {START_TIMEOUT:.0f} s; "
                            f"its log ({log}):\n{log_tail(log)}", pytrace=False)
            time.sleep(0.25)
        yield VirtuosoServer(http_port=http_port, sql_port=sql_port, folder=folder,
                             pid=process.pid, start_seconds=time.monotonic() - started)
    finally:
        stop(process, sql_port)

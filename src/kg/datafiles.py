"""Changing ``data/`` safely: one writer at a time, and all of a change or none of it.

``kg add`` may rewrite several files of ``data/`` (one per source graph). A crash
(power loss, SIGKILL) at any moment must leave ``data/`` exactly as before or
exactly as after. One rename is atomic; several are not, so the commit goes
through an intent journal:

1. every new file content is written to a temporary file in ``data/``
   (``.kg-add.<name>.tmp``) and fsynced;
2. the journal ``data/.kg-add.journal`` (JSON: for each file, its temporary
   name and the SHA-256 of its content) is written to a temporary name, fsynced,
   and renamed into place; the folder is fsynced. **This rename is the commit
   point**: before it, the change does not exist; after it, it must happen;
3. each temporary file is renamed over its target; the folder is fsynced;
4. the journal is removed; the folder is fsynced.

:func:`recover` (run under the writers' lock before any write, and by readers
that find a journal or temporary files) finishes the job: with a journal it
rolls forward (renames whatever temporary files are left; their content is
complete, it was fsynced before the journal existed); without one it rolls back
(removes stray temporary files). Either way ``data/`` ends exactly before or
exactly after, and the hidden files (``.tmp``, ``.journal``) are never read as
data (their suffixes are not RDF suffixes).

Writers take ``data/.kg-add.lock`` exclusively (``fcntl.flock``) for their
whole read-validate-write cycle, so that two additions never lose one another.
Steps 2-4 additionally hold ``data/.kg-commit.lock`` exclusively, and
:func:`consistent_read` takes it shared, so that a reader never sees half a commit.

``KG_ADD_PAUSE_AT=<step>`` stops the writer at a step (it says so on stderr and
waits to be killed) and ``KG_ADD_FAIL_AT=<step>`` makes the step fail: the
tests use them to crash ``kg add`` at every step. Steps: ``locked``,
``temp-written``, ``journal-written``, ``renamed-one``, ``renamed-all``, ``done``.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .atomic import fsync_dir, write_synced
from .errors import StoreError

LOCK_NAME = ".kg-add.lock"
COMMIT_LOCK_NAME = ".kg-commit.lock"
JOURNAL_NAME = ".kg-add.journal"
TEMP_PREFIX = ".kg-add."
TEMP_SUFFIX = ".tmp"
STEPS = ("locked", "temp-written", "journal-written", "renamed-one", "renamed-all", "done")
DEFAULT_LOCK_TIMEOUT = 30.0


def checkpoint(step: str) -> None:
    """Pause or fail here when the environment asks for it (crash tests only)."""
    if os.environ.get("KG_ADD_FAIL_AT") == step:
        raise StoreError(f"injected failure at step {step!r} (KG_ADD_FAIL_AT)")
    if os.environ.get("KG_ADD_PAUSE_AT") == step:
        print(f"kg add: paused at {step} (pid {os.getpid()})", file=sys.stderr, flush=True)
        while True:  # until killed
            time.sleep(3600)


def lock_timeout_from_env() -> float:
    """``KG_LOCK_TIMEOUT`` (seconds), else the default of 30 s."""
    text = os.environ.get("KG_LOCK_TIMEOUT")
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        return max(0.0, float(text))
    except ValueError:
        raise StoreError(f"KG_LOCK_TIMEOUT={text!r}: expected a number of seconds") from None


@contextmanager
def _flock(path: Path, mode: int, *, timeout: float, what: str) -> Iterator[int]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot open the lock file {path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    raise StoreError(
                        f"{path.parent} is locked by {what}{holder} and was still locked after "
                        f"{timeout:g} s; wait for it to finish, or give --lock-timeout SECONDS "
                        "(KG_LOCK_TIMEOUT). The lock ends with its process, so it cannot be stale"
                    ) from None
                time.sleep(0.05)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return f" ({text})" if text else ""


@contextmanager
def writer_lock(data_dir: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold ``data/.kg-add.lock`` exclusively: the only writer of ``data/``.

    Raises:
        StoreError: another writer held it for longer than ``timeout`` seconds.
    """
    timeout = lock_timeout_from_env() if timeout is None else timeout
    data_dir.mkdir(parents=True, exist_ok=True)
    with _flock(data_dir / LOCK_NAME, fcntl.LOCK_EX, timeout=timeout,
                what="another kg add") as fd:
        note = f"kg add, pid {os.getpid()}, since {time.strftime('%H:%M:%S')}".encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, note, 0)
        yield


def temp_name(target: str) -> str:
    return f"{TEMP_PREFIX}{target}{TEMP_SUFFIX}"


def commit(data_dir: Path, contents: Mapping[str, bytes], *, timeout: float | None = None) -> None:
    """Replace files of ``data_dir`` (name -> full new content) all at once, or not at all.

    Call it holding :func:`writer_lock`. On an error before the commit point,
    nothing is changed and the temporary files are removed; after it, the
    journal stays and the next :func:`recover` completes the change.

    Raises:
        StoreError: a file cannot be written (disk full, permissions...).
    """
    import hashlib
    import json

    for name in contents:
        if "/" in name or name.startswith("."):
            raise StoreError(f"refusing to write {name!r} outside data/ or as a hidden file")
    journal = data_dir / JOURNAL_NAME
    temps = {name: data_dir / temp_name(name) for name in contents}
    try:
        for name, content in contents.items():
            write_synced(temps[name], content)
            checkpoint("temp-written")
        entries = [{"target": name, "temp": temps[name].name,
                    "sha256": hashlib.sha256(content).hexdigest()}
                   for name, content in contents.items()]
        staged = data_dir / (JOURNAL_NAME + TEMP_SUFFIX)
        write_synced(staged, json.dumps({"version": 1, "files": entries}, indent=1).encode())
    except BaseException as exc:
        for path in [*temps.values(), data_dir / (JOURNAL_NAME + TEMP_SUFFIX)]:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write to {data_dir}: {exc.strerror}; nothing was "
                             "changed") from None
        raise
    timeout = lock_timeout_from_env() if timeout is None else timeout
    with _flock(data_dir / COMMIT_LOCK_NAME, fcntl.LOCK_EX, timeout=timeout,
                what="a reader of data/"):
        try:
            os.replace(staged, journal)  # the commit point
            fsync_dir(data_dir)
        except OSError as exc:
            for path in [*temps.values(), staged]:
                path.unlink(missing_ok=True)
            raise StoreError(f"cannot write to {data_dir}: {exc.strerror}; nothing was "
                             "changed") from None
        checkpoint("journal-written")
        try:
            _roll_forward(data_dir, entries)
        except OSError as exc:
            raise StoreError(
                f"the addition is committed but could not be fully applied ({exc.strerror}); "
                f"the next kg command completes it from {journal}") from None


def _roll_forward(data_dir: Path, entries: list[dict[str, str]]) -> None:
    for number, entry in enumerate(entries):
        temp = data_dir / entry["temp"]
        if temp.exists():
            os.replace(temp, data_dir / entry["target"])
        if number == 0:
            checkpoint("renamed-one")
    fsync_dir(data_dir)
    checkpoint("renamed-all")
    (data_dir / JOURNAL_NAME).unlink(missing_ok=True)
    fsync_dir(data_dir)
    checkpoint("done")


def pending(data_dir: Path) -> bool:
    """Whether an interrupted change left a journal or temporary files in ``data_dir``."""
    if not data_dir.is_dir():
        return False
    return any(p.name.startswith(TEMP_PREFIX) and
               (p.name.endswith(TEMP_SUFFIX) or p.name == JOURNAL_NAME)
               for p in data_dir.iterdir())


def recover(data_dir: Path) -> str | None:
    """Finish or undo an interrupted change; say which (None when there was none).

    Call it holding :func:`writer_lock`.

    Raises:
        StoreError: the journal is unreadable, or a file it names was changed since.
    """
    import hashlib
    import json

    if not pending(data_dir):
        return None
    journal = data_dir / JOURNAL_NAME
    if journal.exists():
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"{journal}: unreadable journal of an interrupted kg add ({exc}); "
                             "inspect data/ and remove the journal by hand") from None
        for entry in entries:
            temp = data_dir / entry["temp"]
            if not temp.exists():
                done = data_dir / entry["target"]
                if not done.exists() or \
                        hashlib.sha256(done.read_bytes()).hexdigest() != entry["sha256"]:
                    raise StoreError(f"{journal}: {done.name} is not the content the interrupted "
                                     "kg add wrote; inspect data/ and remove the journal by hand")
        with _flock(data_dir / COMMIT_LOCK_NAME, fcntl.LOCK_EX, timeout=lock_timeout_from_env(),
                    what="a reader of data/"):
            _roll_forward(data_dir, entries)
        outcome = "completed an interrupted kg add (rolled forward from its journal)"
    else:
        outcome = "undid an interrupted kg add (removed its temporary files)"
    for path in data_dir.iterdir():
        if path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX):
            path.unlink(missing_ok=True)
    fsync_dir(data_dir)
    return outcome


@contextmanager
def consistent_read(data_dir: Path) -> Iterator[None]:
    """Read ``data/`` while no commit is half done.

    First settles what an interrupted ``kg add`` left (taking the writers' lock
    only then); then holds the commit lock shared while the caller reads.

    Raises:
        StoreError: an interrupted change cannot be settled (read-only folder, lock held).
    """
    if pending(data_dir):
        try:
            with writer_lock(data_dir):
                recover(data_dir)
        except OSError as exc:
            raise StoreError(f"{data_dir} holds an unfinished kg add, and it cannot be finished "
                             f"here: {exc.strerror}") from None
    lock_path = data_dir / COMMIT_LOCK_NAME
    if not lock_path.exists():  # no kg add ever committed here: nothing to wait for
        yield
        return
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + lock_timeout_from_env()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(f"{data_dir} is being written by kg add for too long; "
                                     "try again (KG_LOCK_TIMEOUT)") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)

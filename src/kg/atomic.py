"""Writing files so that a crash leaves the old content or the new, never half of it.

Every writer of kg goes through here: a temporary file in the same folder,
written and fsynced, renamed over the target, then the folder fsynced (so the
rename itself survives a power loss).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import InputError


@contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """A binary stream that becomes ``path`` when the block ends without an error.

    On any error the temporary file is removed and an old file at ``path`` stays as it was.

    Raises:
        InputError: the folder does not exist or cannot be written, or ``path`` is a folder.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {target}: no folder {folder}")
    if target.is_dir():
        raise InputError(f"cannot write {target}: it is a folder")
    try:
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                                 suffix=".part")
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600); what we write is an ordinary file.
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as exc:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    fsync_dir(folder)


def write_atomically(path: str | Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to ``path``: all of it or, on any error, nothing.

    Raises:
        InputError: the folder does not exist or cannot be written, or ``path`` is a folder.
    """
    with atomic_file(path) as stream:
        stream.write(content.encode("utf-8") if isinstance(content, str) else content)


def write_synced(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` in place and fsync it (not the folder): for files that
    are themselves temporary, renamed later by the caller."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(content)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename) to disk, where the OS allows it."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


__all__ = ["atomic_file", "write_atomically", "write_synced", "fsync_dir"]

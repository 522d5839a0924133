"""Reading the tool's own files safely: only regular files, only up to a sane size.

A review folder travels by shared drives and sync, so a sheet or a manifest
may turn out to be a FIFO (reading it would wait forever), a link to a
device such as /dev/zero (reading it would never end) or a file far larger
than any real one. These are refused with a clear error before reading.
"""

from __future__ import annotations

import mmap
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def read_regular_file(path: str | Path, limit: int, what: str = "file") -> bytes:
    """Return the bytes of a regular file of at most `limit` bytes.

    The file is opened without blocking (a FIFO does not hang the open) and
    checked with fstat on the opened descriptor (no race with a swapped link).

    Args:
        path: the file.
        limit: the largest size accepted, in bytes.
        what: what the file is, for the message ("sheet", "manifest").

    Returns:
        The file's bytes.

    Raises:
        FileNotFoundError: there is no such file.
        OSError: it cannot be opened or read, is not a regular file, or is too
            large (the message says which).
    """
    fd = _open_regular(path, limit, what)
    try:
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 24, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise OSError(f"the {what} grew past {limit:,} bytes while being read; "
                              "it was not read")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _open_regular(path: str | Path, limit: int, what: str) -> int:
    """Open a regular file of at most `limit` bytes without blocking; return its descriptor."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode)
                    else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                    else "a socket" if stat.S_ISSOCK(info.st_mode)
                    else "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file")
            raise OSError(f"the {what} is {kind}, not a regular file; it was not read")
        if info.st_size > limit:
            raise OSError(f"the {what} is {info.st_size:,} bytes, more than the {limit:,} "
                          "a real one could hold; it was not read")
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def mapped_regular_file(path: str | Path, limit: int, what: str = "file") -> Iterator[bytes]:
    """Map a regular file of at most `limit` bytes read-only, for searching without copying.

    The same checks as `read_regular_file`. Yields an mmap (bytes-like:
    find, rfind, slicing), or b"" for an empty file; it is valid inside the
    `with` block only. Searching a map is about three times faster than
    reading a 80 MB sheet into memory. The workbench only ever appends to its
    files or replaces them by renaming (the map keeps the old file), so only
    another program cutting the file short in place during the search could
    interrupt it.

    Raises:
        FileNotFoundError, OSError: as read_regular_file.
    """
    fd = _open_regular(path, limit, what)
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            yield b""
            return
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as mapped:
            yield mapped
    finally:
        os.close(fd)


def open_for_append(path: str | Path, what: str = "file") -> int:
    """Open a file the tool appends to (a sheet, the manifest), creating it; return its descriptor.

    The file itself is never followed as a symbolic link (a review folder from
    someone else could link `coding/alice.csv` to a file outside the review,
    and a save would append to it) and must be a regular file. The folders
    above it may be links.

    Raises:
        OSError: it cannot be opened, is a link or is not a regular file (the
            message says which; nothing was written).
    """
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        if os.path.islink(path):
            raise OSError(exc.errno, f"the {what} is a symbolic link, which is never "
                                     "written through") from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"the {what} is not a regular file; nothing was written to it")
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def regular_file_handle(path: str | Path, limit: int, what: str = "file") -> Iterator:
    """Open a regular file of at most `limit` bytes for reading in binary, without blocking.

    The same checks as `read_regular_file` (a FIFO, a device or a file past
    `limit` raises OSError before anything is read); yields the file object.
    """
    fd = _open_regular(path, limit, what)
    with os.fdopen(fd, "rb") as handle:
        yield handle

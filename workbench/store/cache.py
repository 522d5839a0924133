"""Caches under .workbench/: data only (JSON), sealed with this machine's key, never pickle.

A review folder travels by shared drives and sync, so anything in
`.workbench/` may have been written by someone else. A cache therefore holds
only JSON data (strings, numbers, lists, objects: reading it cannot run
code), and each file carries a keyed BLAKE2b MAC made with a secret kept
outside the review folder (`cache_key_path()`, created on first use, mode
0600). A cache whose MAC does not match (written elsewhere, edited, cut
short) or that cannot be read is treated as missing and rebuilt from the
review's own files.

Writing a cache is best effort: on a read-only review folder or a full
disk the cache is simply not written (and no temporary file is left), and
the caller keeps the value in memory.

File layout: one header line `workbench-cache 1 <kind> <mac hex>` then the
JSON document (UTF-8).
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from workbench.store.files import read_regular_file

log = logging.getLogger(__name__)

FORMAT = b"workbench-cache 1"
#: A cache larger than this is not read (100,000 records with abstracts is ~150 MB).
MAX_CACHE_BYTES = 4 << 30
KEY_BYTES = 32
#: Environment variable naming the key file (default: $XDG_CONFIG_HOME/workbench/cache-key).
KEY_ENV = "WORKBENCH_CACHE_KEY"

_key: bytes | None = None
_key_lock = threading.Lock()


def cache_key_path() -> Path:
    """Return where this machine's cache key lives (outside any review folder)."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "workbench" / "cache-key"


def _load_or_make_key(path: Path) -> bytes:
    try:
        key = read_regular_file(path, KEY_BYTES * 4, what="cache key")
        if len(key) == KEY_BYTES:
            return key
        log.warning("cache key %s has the wrong size; caches are kept in memory only", path)
        return secrets.token_bytes(KEY_BYTES)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot read the cache key %s (%s); caches are kept in memory only", path, exc)
        return secrets.token_bytes(KEY_BYTES)
    key = secrets.token_bytes(KEY_BYTES)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic: another process may have made one first
        except FileExistsError:
            return _load_or_make_key(path)
        finally:
            tmp.unlink(missing_ok=True)
        return key
    except OSError as exc:
        log.warning("cannot create the cache key %s (%s); caches are kept in memory only",
                    path, exc)
        return key


def cache_key() -> bytes:
    """Return this machine's secret cache key (read or created once per process)."""
    global _key
    with _key_lock:
        if _key is None:
            _key = _load_or_make_key(cache_key_path())
        return _key


def _mac(kind: bytes, data: bytes) -> bytes:
    mac = hashlib.blake2b(kind + b"\n", key=cache_key(), digest_size=32)
    mac.update(data)
    return mac.hexdigest().encode("ascii")


def write_cache(path: str | Path, kind: str, value: Any) -> bool:
    """Write a JSON-able value as a sealed cache file, atomically; return False if it could not.

    Args:
        path: the cache file (its folder is created).
        kind: what the cache holds ("records", "studies"); checked on reading.
        value: plain data: dicts, lists, strings, numbers, booleans, None.

    Returns:
        True when written; False when the folder is read-only, the disk is
        full or another OS error happened (logged; nothing half-written is left).
    """
    path = Path(path)
    # Encoding allocates a tuple per dict item: with 100k records alive, the collector's
    # full passes over them cost several times the encoding (0.27 s, not 0.06 s, for a
    # 100k-entry map). The value is plain data: pausing it leaves no cycle behind.
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    finally:
        if collecting:
            gc.enable()
    kind_bytes = kind.encode("ascii")
    header = b" ".join((FORMAT, kind_bytes, _mac(kind_bytes, data))) + b"\n"
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)   # a stale one, or a link placed there: never written through
        with open(tmp, "xb") as handle:
            handle.write(header)
            handle.write(data)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        log.info("cache %s not written (%s); it is kept in memory", path, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return False


def read_cache(path: str | Path, kind: str) -> Any | None:
    """Return the value of a sealed cache file, or None when it is missing or not trustworthy.

    None (logged, never raised) when the file is missing, unreadable, not a
    regular file, of another kind, sealed with another key, changed or cut
    short, or not valid JSON.
    """
    path = Path(path)
    try:
        data = read_regular_file(path, MAX_CACHE_BYTES, what="cache")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("ignoring unreadable cache %s: %s", path, exc)
        return None
    end = data.find(b"\n", 0, 256)
    parts = data[:end].split(b" ") if end > 0 else []
    kind_bytes = kind.encode("ascii")
    if len(parts) != 4 or b" ".join(parts[:2]) != FORMAT or parts[2] != kind_bytes:
        log.warning("ignoring cache %s: not a %s cache of this version", path, kind)
        return None
    body = memoryview(data)[end + 1:]
    if not hmac.compare_digest(parts[3], _mac(kind_bytes, body)):
        log.warning("ignoring cache %s: written on another machine or changed since", path)
        return None
    try:
        text = str(body, "utf-8")
        del body, data  # the file's bytes go before parsing: 420 MB at 250k records
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        log.warning("ignoring unreadable cache %s: %s", path, exc)
        return None


class CacheWriter:
    """Write a sealed cache a piece at a time, in the same layout as `write_cache`.

    For caches too large to build as one JSON string (a million parsed records):
    the caller writes the JSON document in pieces; the MAC is computed as they
    go and written into the header line at the end. Nothing is visible under
    the cache's name until `commit`; `discard` (or a failed write) leaves no
    temporary file behind. Reading is `read_cache`, as for any cache.
    """

    def __init__(self, path: str | Path, kind: str) -> None:
        self.path = Path(path)
        self._kind = kind.encode("ascii")
        self._mac = hashlib.blake2b(self._kind + b"\n", key=cache_key(), digest_size=32)
        self._tmp = self.path.with_name(
            f"{self.path.name}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp")
        self._handle = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self._tmp, "xb")
            self._handle.write(self._header(b"0" * 64))
        except OSError as exc:
            self._fail(exc)

    def _header(self, mac_hex: bytes) -> bytes:
        return b" ".join((FORMAT, self._kind, mac_hex)) + b"\n"

    @property
    def failed(self) -> bool:
        """True once a write failed (the cache will not be committed)."""
        return self._handle is None

    def write(self, data: bytes) -> None:
        """Append a piece of the JSON document (UTF-8 bytes)."""
        if self._handle is None:
            return
        self._mac.update(data)
        try:
            self._handle.write(data)
        except OSError as exc:
            self._fail(exc)

    def commit(self) -> bool:
        """Seal the cache and move it into place; return False if it could not be written."""
        if self._handle is None:
            return False
        try:
            self._handle.seek(0)
            self._handle.write(self._header(self._mac.hexdigest().encode("ascii")))
            self._handle.close()
            self._handle = None
            os.replace(self._tmp, self.path)
            return True
        except OSError as exc:
            self._fail(exc)
            return False

    def discard(self) -> None:
        """Drop what was written; the cache is not created."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        try:
            self._tmp.unlink(missing_ok=True)
        except OSError:
            pass

    def _fail(self, exc: OSError) -> None:
        log.info("cache %s not written (%s); it is rebuilt when needed", self.path, exc)
        self.discard()

"""The import manifest: which export came from which database, and the parse cache.

`references/imports.csv` is written by the tool, one row per imported export,
append-only (a re-import of the same bytes is refused before anything is
written). The exports themselves are never touched, and an export is never
stored under the manifest's name. Parsed records are cached under
`.workbench/records/<sha256>.json` (data only, sealed: see
`workbench.store.cache`), so they are rebuilt from the exports whenever the
cache is missing, unreadable or not trustworthy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from itertools import chain
from dataclasses import dataclass, fields
from pathlib import Path

from workbench.core.records import RECORD_FIELDS, Record
from workbench.errors import ReviewError
from workbench.store.cache import CacheWriter, read_cache, write_cache
from workbench.store.files import open_for_append, read_regular_file
from workbench.store.sheet_reading import paused_gc

log = logging.getLogger(__name__)

MANIFEST_NAME = "imports.csv"
CACHE_VERSION = 4  # 4: placeholder keywords ("No terms assigned") dropped
#: A manifest larger than this is refused (one short row per imported export).
MAX_MANIFEST_BYTES = 64 << 20
#: Bytes copied at a time into references/.
COPY_BLOCK = 8 << 20


@dataclass(frozen=True)
class ImportEntry:
    """One export in references/: its file name, database label and digest."""

    file: str
    database: str
    sha256: str
    format: str
    records: int
    skipped: int
    imported_at: str


_COLUMNS = [f.name for f in fields(ImportEntry)]


def read_manifest(references: Path) -> list[ImportEntry]:
    """Return the rows of references/imports.csv (empty if there is none).

    Raises:
        ReviewError: a row cannot be read (names the line).
    """
    path = references / MANIFEST_NAME
    try:
        data = read_regular_file(path, MAX_MANIFEST_BYTES, what="import manifest")
        text = data.decode("utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise ReviewError(f"cannot read the import manifest ({reason})", path=path,
                          hint="restore it from version control") from exc
    entries: list[ImportEntry] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is not None and list(reader.fieldnames) != _COLUMNS:
        raise ReviewError(f"not an import manifest: its header is "
                          f"{','.join(reader.fieldnames)!r}, expected {','.join(_COLUMNS)}",
                          path=path, line=1,
                          hint="restore it from version control; no export was changed")
    for row in reader:
        name = row.get("file")
        if isinstance(name, str) and not _plain_name(name):
            raise ReviewError(f"the import row names {name!r}, which is not a file name in "
                              "references/ (a path is never read)", path=path,
                              line=reader.line_num,
                              hint="fix or remove that row; no export was changed")
        try:
            entries.append(ImportEntry(
                file=row["file"], database=row["database"], sha256=row["sha256"],
                format=row["format"], records=int(row["records"] or 0),
                skipped=int(row["skipped"] or 0), imported_at=row["imported_at"]))
        except (KeyError, ValueError, TypeError) as exc:
            raise ReviewError(f"unreadable import row ({exc})", path=path,
                              line=reader.line_num,
                              hint="fix or remove that row; no export was changed") from exc
    return entries


def _plain_name(name: str) -> bool:
    """True for the name of a file directly in references/ (no folder, no `..`, no NUL)."""
    return name not in ("", ".", "..") and not any(
        c in name for c in ("/", "\0", os.sep, os.altsep) if c)


def append_manifest(references: Path, entry: ImportEntry) -> None:
    """Append one row to references/imports.csv, flushed and fsynced.

    Raises:
        OSError: the row cannot be written (full disk, read-only folder); the
            manifest is truncated back to its old size (or removed if this
            call created it), so it never holds half a row.
    """
    path = references / MANIFEST_NAME
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    fd = open_for_append(path, "import manifest")
    size = None
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            writer.writerow(_COLUMNS)
        writer.writerow([getattr(entry, name) for name in _COLUMNS])
        view = memoryview(buffer.getvalue().encode("utf-8"))
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError:
        try:
            if size == 0:
                path.unlink(missing_ok=True)
            elif size is not None:
                os.ftruncate(fd, size)
        except OSError as again:
            log.error("could not undo a partial write to %s: %s", path, again)
        raise
    finally:
        os.close(fd)


def _is_reserved(name: str) -> bool:
    """True for names an export must not get: the manifest, hidden or partial files."""
    return name.lower() == MANIFEST_NAME or name.startswith(".") or name.endswith(".part")


def export_target(references: Path, name: str, taken: set[str] = frozenset()) -> Path:
    """Return the free path in references/ an export named `name` is copied to.

    The name is never the manifest's (`imports.csv` becomes `imports-2.csv`),
    never hidden, never ends in `.part` and is none of `taken` (names already
    given to other exports of the same import).
    """
    name = name.lstrip(".") or "export"
    if name.endswith(".part"):
        name = name[:-5] + "_part"
    target = references / name
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while target.exists() or _is_reserved(target.name) or target.name in taken:
        target = references / f"{stem}-{n}{suffix}"
        n += 1
    return target


def staged_path(target: Path) -> Path:
    """Where an export destined for `target` is copied while its import runs (`NAME.part`)."""
    return target.with_name(target.name + ".part")


class UnreadableExport(OSError):
    """The export itself cannot be read (as opposed to its copy not being written)."""


def stage_export(source: Path, target: Path) -> str:
    """Copy an export next to `target` (as `staged_path(target)`) and return its SHA-256.

    The export is read once, a block at a time: each block is hashed and
    written. The import then parses this copy, so the bytes parsed, hashed and
    finally stored are the same bytes even if the source changes meanwhile.
    The copy is flushed and fsynced; `commit_staged` moves it into place and
    `discard_staged` removes it.

    Raises:
        UnreadableExport: the export cannot be read (no copy is left).
        OSError: the copy cannot be written (full disk, read-only folder; no
            copy is left).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = staged_path(target)
    tmp.unlink(missing_ok=True)   # a stale copy, or a link placed there: never written through
    sha = hashlib.sha256()
    try:
        inp = open(source, "rb")
    except OSError as exc:
        raise UnreadableExport(exc.errno, exc.strerror or str(exc)) from exc
    try:
        with inp, tmp.open("xb") as handle:
            while True:
                try:
                    block = inp.read(COPY_BLOCK)
                except OSError as exc:
                    raise UnreadableExport(exc.errno, exc.strerror or str(exc)) from exc
                if not block:
                    break
                sha.update(block)
                handle.write(block)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        discard_staged(target)
        raise
    return sha.hexdigest()


def commit_staged(target: Path) -> Path:
    """Move a staged export (see `stage_export`) to `target`; return `target`.

    Raises:
        OSError: it cannot be moved (the staged copy is left for `discard_staged`).
    """
    os.replace(staged_path(target), target)
    return target


def discard_staged(target: Path) -> None:
    """Remove a staged export copy, if any (logged, never raised, when it cannot be)."""
    try:
        staged_path(target).unlink(missing_ok=True)
    except OSError as exc:
        log.error("could not remove %s: %s", staged_path(target), exc)


def _record_row(record: Record) -> list:
    values = record.__dict__
    return [values[name] for name in RECORD_FIELDS]


_AUTHORS, _KEYWORDS = RECORD_FIELDS.index("authors"), RECORD_FIELDS.index("keywords")


def _record_of(row: list, new=object.__new__, names=RECORD_FIELDS) -> Record:
    # Built like `relabelled` does (a frozen dataclass's __init__ costs more than the JSON).
    row[_AUTHORS] = tuple(row[_AUTHORS])
    row[_KEYWORDS] = tuple(row[_KEYWORDS])
    record = new(Record)
    record.__dict__.update(zip(names, row))
    return record


def read_cached_records(cache_dir: Path, digest: str) -> list[Record] | None:
    """Return the cached records of a file digest, or None when not cached or not trustworthy."""
    path = cache_dir / f"{digest}.json"
    with paused_gc():  # 100k records: the collector's passes cost more than the JSON
        return _records_of(read_cache(path, "records"), digest, path)


def _records_of(value, digest: str, path: Path) -> list[Record] | None:
    if not isinstance(value, dict) or value.get("version") != CACHE_VERSION \
            or value.get("fields") != list(RECORD_FIELDS) or value.get("sha256") != digest:
        return None
    rows = value.get("records")
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == len(RECORD_FIELDS)
                                             for r in rows):
        return None
    try:
        return list(map(_record_of, rows))
    except TypeError as exc:
        log.warning("ignoring unreadable cache %s: %s", path, exc)
        return None


def write_cached_records(cache_dir: Path, digest: str, records: list[Record]) -> bool:
    """Cache parsed records for a file digest (atomic, best effort; the cache is rebuildable).

    Returns:
        False when it could not be written (read-only folder, full disk): the
        records are simply parsed again next time.
    """
    with paused_gc():
        return write_cache(cache_dir / f"{digest}.json", "records",
                           {"version": CACHE_VERSION, "sha256": digest,
                            "fields": list(RECORD_FIELDS),
                            "records": list(map(_record_row, records))})


class RecordCacheWriter:
    """Write the records cache of one export a chunk of rows at a time.

    The file is byte for byte what `write_cached_records` writes for the same
    records (tests/store/test_record_cache_stream.py), so a 1.5 GB export's records
    are never held in memory or in one JSON string.
    """

    def __init__(self, cache_dir: Path, digest: str) -> None:
        self._cache = CacheWriter(cache_dir / f"{digest}.json", "records")
        head = {"version": CACHE_VERSION, "sha256": digest, "fields": list(RECORD_FIELDS)}
        self._cache.write(_dumps(head)[:-1].encode("utf-8") + b',"records":[')
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                        check_circular=False).encode
        self._first = True

    def write(self, rows: list[list]) -> None:
        """Append record rows (`RECORD_FIELDS` order, as `Record.__dict__` holds them)."""
        if not rows:
            return
        if not self._first:
            self._cache.write(b",")
        self._cache.write(json_rows_utf8(rows, self._encode))
        self._first = False

    def commit(self) -> bool:
        """Finish the cache and move it into place (False: not written; it is rebuilt later)."""
        self._cache.write(b"]}")
        return self._cache.commit()

    def discard(self) -> None:
        """Leave no cache and no temporary file."""
        self._cache.discard()


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_rows(rows: list[list], encode=None) -> str:
    """Return `json.dumps(rows)` (compact, not ASCII-escaped) without its outer brackets.

    The same text as json's encoder, made a column at a time: a column of strings
    that need no escape (no quote, backslash or control character) is put between
    quotes as it is, so the encoder only sees the values that need it. At a
    million records this halves the cost of writing the records cache
    (tests/review/test_import_stream.py compares it to json.dumps).
    """
    encode = encode or json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                                        check_circular=False).encode
    if not all(rows):  # an empty row has no column to go through
        return _dumps(rows)[1:-1]
    columns = []
    template = []
    for values in zip(*rows):
        kinds = set(map(type, values))
        if kinds == {str}:
            columns.append(values if _plain("".join(values)) else
                           [v if _plain(v) else encode(v)[1:-1] for v in values])
            template.append('"%s"')
        elif kinds <= {tuple, list} and \
                set(map(type, chain.from_iterable(values))) <= {str}:
            text = "".join(chain.from_iterable(values))
            columns.append(['"' + '","'.join(v) + '"' if v else "" for v in values]
                           if _plain(text) else [_json_strings(v, encode) for v in values])
            template.append("[%s]")
        elif kinds <= {int, type(None)}:
            columns.append(["null" if v is None else int.__repr__(v) for v in values])
            template.append("%s")
        else:
            columns.append([encode(v) for v in values])
            template.append("%s")
    row = "[" + ",".join(template) + "]"
    return ",".join(row % values for values in zip(*columns))


def json_rows_utf8(rows: list[list], encode=None) -> bytes:
    """Return `json_rows(rows)` encoded in UTF-8, checked once on its bytes.

    Records rarely hold a quote, a backslash or a control character. So the
    text is first made as if no string needed an escape (values put between
    quotes as they are), encoded, and checked as a whole: it holds no control
    byte and no backslash, and exactly the quotes that delimit strings (a
    quote inside a value would add one; UTF-8 never uses these bytes inside
    a multi-byte character). Only when that check fails, or a column holds
    other kinds of values, is the text made value by value (`json_rows`).
    tests/review/test_import_stream.py compares it to json.dumps.
    """
    try:
        made = _unescaped_rows(rows)
    except TypeError:  # a string column holds another kind of value
        made = None
    if made is not None:
        text, quotes = made
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: json_rows gives the same error
            data = None
        if data is not None and _escapes(data) == (quotes, False):
            return data
    return json_rows(rows, encode).encode("utf-8")


_CONTROL_OR_BACKSLASH = bytes(range(0x20)) + b"\\"
#: From this size on, the bytes are checked with numpy (about twice as fast).
NUMPY_BYTES = 1 << 20


def _escapes(data: bytes) -> tuple[int, bool]:
    """The quotes in UTF-8 bytes, and whether any byte is a control character or a backslash."""
    if len(data) >= NUMPY_BYTES:
        import numpy as np

        codes = np.frombuffer(data, np.uint8)
        return int(np.count_nonzero(codes == 0x22)), bool(codes.min() < 0x20 or b"\\" in data)
    return data.count(b'"'), len(data.translate(None, _CONTROL_OR_BACKSLASH)) != len(data)


def _unescaped_rows(rows: list[list]) -> tuple[str, int] | None:
    """The rows as JSON if no string needs an escape, and the number of quotes that makes.

    The text is one join: the JSON between the values of one row is the same
    in every row (`"`, `","`, `],[`...), so the rows' pieces are laid out in one
    list a column at a time (slice assignment, no tuple or string per row), and
    a column with one value all the way down (an empty ISSN, the file, the
    database) becomes part of the text between its neighbours. None when a
    column holds values other than strings, lists or tuples of strings, and
    integers or None; a TypeError when a string column holds something else
    (the caller then makes the text value by value).
    """
    n = len(rows)
    columns = list(zip(*rows))
    if not n or not columns:
        return None
    parts: list = ["["]  # one row's pieces: a text for all rows, or a list with one per row
    quotes = 0

    def add(part) -> None:
        if isinstance(part, str) and isinstance(parts[-1], str):
            parts[-1] += part
        else:
            parts.append(part)

    for index, values in enumerate(columns):
        if index:
            add(",")
        first = values[0]
        kind = type(first)
        if kind is str:
            quotes += 2 * n
            if values.count(first) == n:
                add('"' + first + '"')
            else:
                add('"')
                parts.append(values)  # a value that is not a string fails the join
                add('"')
        elif kind is tuple or kind is list:
            if not set(map(type, values)) <= {tuple, list}:
                return None
            quotes += 2 * sum(map(len, values))
            body = ['","'.join(v) for v in values]  # an item that is not a string: TypeError
            if all(values):
                add('["')
                parts.append(body)
                add('"]')
            else:
                parts.append(['["' if v else "[" for v in values])
                parts.append(body)
                parts.append(['"]' if v else "]" for v in values])
        elif first is None or kind is int:
            if not set(map(type, values)) <= {int, type(None)}:
                return None
            if values.count(None) == n:
                add("null")
            else:
                parts.append(["null" if v is None else int.__repr__(v) for v in values])
        else:
            return None
    add("],")
    k = len(parts)
    out: list = [None] * (k * n)
    for j, part in enumerate(parts):
        out[j::k] = [part] * n if isinstance(part, str) else part
    out[-1] = out[-1][:-1]  # no comma after the last row
    return "".join(out), quotes


def _plain(text: str) -> bool:
    """True when json writes the text as it is (no quote, backslash or control character)."""
    return text.isprintable() and '"' not in text and "\\" not in text or \
        not any(ch in text for ch in _ESCAPED)


_ESCAPED = ['"', "\\"] + [chr(c) for c in range(0x20)]


def _json_strings(values, encode) -> str:
    """The items of a list of strings as json writes them, without the brackets."""
    if not values:
        return ""
    return '"' + '","'.join(values) + '"' if _plain("".join(values)) else encode(list(values))[1:-1]

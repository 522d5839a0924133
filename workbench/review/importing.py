"""Importing search exports into references/ and reading them back as records."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from workbench.core.ids import file_digest, record_id
from workbench.core.records import RECORD_FIELDS, ImportReport, Record, relabelled
from workbench.core.wording import plural
from workbench.errors import ImportProblems, Problem, ReviewError
from workbench.store.imports import (
    MANIFEST_NAME, ImportEntry, RecordCacheWriter, UnreadableExport, append_manifest,
    commit_staged, discard_staged, export_target, read_cached_records, read_manifest,
    stage_export, staged_path, write_cached_records,
)
from workbench.store.sheet_reading import paused_gc

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportedFile:
    """What one `import` did with one export."""

    source: str
    stored_as: str
    database: str
    format: str
    records: int
    skipped: list[Problem] = field(default_factory=list)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_files(references: Path) -> list[Path]:
    """Return the exports under references/ (not the manifest, not hidden files), sorted."""
    if not references.is_dir():
        return []
    return sorted(p for p in references.iterdir()
                  if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".")
                  and not p.name.endswith(".part"))


@dataclass
class _Staged:
    """An export copied next to its place in references/ and parsed, waiting to be committed.

    Its records are in memory (`report.records`, read whole) or already in a
    temporary records cache (`cache`, read in chunks).
    """

    path: Path
    target: Path  # where it goes in references/ (its copy is `staged_path(target)` until then)
    digest: str = ""
    report: ImportReport = field(default_factory=ImportReport)
    label: str = ""
    count: int = 0
    cache: object = None  # a RecordCacheWriter when read in chunks


def import_exports(root: Path, paths: Sequence[Path], database: str | None = None,
                   skip_invalid: bool = False, mapping: dict[str, str] | None = None,
                   progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> list[ImportedFile]:
    """Check every export, then copy each into references/ byte for byte and record it.

    Every file is parsed before anything is committed: if any file has problems
    (and skip_invalid is False) or was imported before, nothing is imported.
    Each export is read once from its place: copied next to its name in
    references/ (as `NAME.part`) and hashed on the way; the copy is what is
    parsed and, once every file passed, what is moved into place. A CSV/TSV
    or RIS export in clean UTF-8 is parsed a chunk at a time and its records
    go straight to a temporary records cache, so a million-record export is
    never held in memory; every other export is read whole.

    Args:
        root: the review folder.
        paths: the exports to import.
        database: the database label; guessed from content when None.
        skip_invalid: import the valid entries of a partly broken export.
        mapping: column -> field map for CSV/TSV exports.
        progress: called with (files done, files total).
        cancel: set to stop before anything is written.

    Returns:
        One ImportedFile per export.

    Raises:
        ImportProblems: an export has broken entries (nothing was written).
        ReviewError: a path is missing, or an export was already imported.
    """
    references = root / "references"
    known = {e.sha256: e for e in read_manifest(references)}
    for existing in export_files(references):
        if existing.name not in {e.file for e in known.values()}:
            known.setdefault(file_digest(existing.read_bytes()), ImportEntry(
                existing.name, "", "", "", 0, 0, ""))
    staged: list[_Staged] = []
    try:
        return _import_staged(root, paths, database, skip_invalid, mapping, progress, cancel,
                              known, staged)
    finally:
        for item in staged:  # copies and caches of exports that were not imported
            discard_staged(item.target)
            if item.cache is not None:
                item.cache.discard()


def _import_staged(root: Path, paths: Sequence[Path], database: str | None, skip_invalid: bool,
                   mapping: dict[str, str] | None, progress: Progress | None,
                   cancel: threading.Event | None, known: dict,
                   staged: list[_Staged]) -> list[ImportedFile]:
    references = root / "references"
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    taken: set[str] = set()
    for n, path in enumerate(paths):
        if cancel is not None and cancel.is_set():
            raise ReviewError("import cancelled", hint="nothing was imported")
        path = Path(path)
        if not path.is_file():
            raise ReviewError("no such file", path=path, hint="nothing was imported")
        item = _Staged(path, export_target(references, path.name, taken))
        staged.append(item)
        taken.add(item.target.name)
        try:
            item.digest = digest = stage_export(path, item.target)
        except UnreadableExport as exc:
            raise ReviewError(f"cannot read the file ({exc.strerror or exc})", path=path,
                              hint="nothing was imported") from exc
        except OSError as exc:
            raise ReviewError(f"cannot copy the export into references/ ({exc.strerror or exc})",
                              path=path, hint=_unwritten_hint([])) from exc
        if digest in known:
            raise ReviewError(f"already imported as references/{known[digest].file}",
                              path=path, hint="nothing was imported")
        if digest in seen:
            raise ReviewError(f"same content as {seen[digest]}", path=path,
                              hint="nothing was imported")
        seen[digest] = path
        copy = staged_path(item.target)
        item.label = database or guess_database_of(copy, ImportReport(), path.name)
        if not _stream(root, item, database, mapping, cancel):
            from workbench.io.formats.references import read_export  # the parsers: when parsing
            item.report = read_export(copy, display_path=str(path), database=database or "",
                                      mapping=mapping, filename=path.name)
            item.count = len(item.report.records)
        if not item.count:  # not imported: its name is free again for the next export
            discard_staged(item.target)
            taken.discard(item.target.name)
            if not item.report.problems:
                problems.append(Problem(str(path), 1, None, "no records found in this file"))
        problems.extend(item.report.problems)
        if progress:
            progress(n + 1, len(paths) * 2)
    if problems and not skip_invalid:
        raise ImportProblems(problems, hint="nothing was imported (use --skip-invalid to "
                                            "import the valid entries)")
    done: list[ImportedFile] = []
    for n, item in enumerate(staged):
        if not item.count:
            continue
        path, report = item.path, item.report
        if item.cache is None:
            records = _relabel(report.records, item.target, root, item.label, item.digest)
        try:
            stored = commit_staged(item.target)
        except OSError as exc:
            raise ReviewError(f"cannot copy the export into references/ ({exc.strerror or exc})",
                              path=path, hint=_unwritten_hint(done)) from exc
        try:
            append_manifest(references, ImportEntry(
                file=stored.name, database=item.label, sha256=item.digest, format=report.format,
                records=item.count, skipped=len(report.problems), imported_at=_now()))
        except OSError as exc:
            try:
                stored.unlink()
            except OSError as again:
                log.error("could not remove %s after a failed import: %s", stored, again)
            raise ReviewError(f"cannot write references/{MANIFEST_NAME} "
                              f"({exc.strerror or exc})", path=path,
                              hint=_unwritten_hint(done)) from exc
        if item.cache is not None:
            item.cache.commit()
            item.cache = None
        else:
            write_cached_records(root / ".workbench" / "records", item.digest, records)
        done.append(ImportedFile(str(path), f"references/{stored.name}", item.label,
                                 report.format, item.count, list(report.problems)))
        if progress:
            progress(len(paths) + n + 1, len(paths) * 2)
    return done


def _stream(root: Path, item: _Staged, database: str | None, mapping: dict[str, str] | None,
            cancel: threading.Event | None) -> bool:
    """Parse a staged export in chunks into a temporary records cache (False: read it whole)."""
    from workbench.io.formats.references import stream_export
    from workbench.io.formats.table_rows import NotStreamable
    try:
        stream = stream_export(staged_path(item.target), str(item.path), database or "", mapping,
                               filename=item.path.name)
    except OSError as exc:
        raise ReviewError(f"cannot read the copy of the file ({exc.strerror or exc})",
                          path=item.path, hint="nothing was imported") from exc
    if stream is None:
        return False
    digest = item.digest
    prefix = record_id(digest, 0)[:-4]  # what comes before the ordinal
    cache = RecordCacheWriter(root / ".workbench" / "records", digest)
    file = f"references/{item.target.name}"
    label = item.label
    problems: list[Problem] = []
    count = 0
    file_at, database_at, id_at = (RECORD_FIELDS.index(name) for name in ("file", "database", "id"))
    try:
        with paused_gc():  # the chunks are many small lists, never cyclic garbage
            for rows, found in stream.chunks:
                if cancel is not None and cancel.is_set():
                    raise ReviewError("import cancelled", hint="nothing was imported")
                problems.extend(found)
                for row, ordinal in zip(rows, range(count + 1, count + len(rows) + 1)):
                    row[file_at] = file
                    if label:
                        row[database_at] = label
                    row[id_at] = f"{prefix}{ordinal:04d}"  # record_id(digest, ordinal)
                count += len(rows)
                cache.write(rows)
    except NotStreamable:
        cache.discard()
        return False
    except BaseException:
        cache.discard()
        raise
    item.report = ImportReport([], problems, stream.format)
    item.count = count
    item.cache = cache
    return True


def _unwritten_hint(done: list[ImportedFile]) -> str:
    """What a failed write left: this file not imported, and those imported before it."""
    hint = "this file was not imported and nothing of it was left in references/"
    if done:
        hint += "; already imported by this command: " + ", ".join(d.stored_as for d in done)
    return hint


def guess_database_of(path: Path, report: ImportReport, filename: str | None = None) -> str:
    """Return the database a parsed export most likely came from ("" if unknown).

    `filename` is the export's own name when `path` is a staged copy.
    """
    try:
        with open(path, "rb") as handle:  # the head only: an export may be 1.5 GB
            head = handle.read(20000).decode("utf-8", errors="replace")
    except OSError:
        return ""
    from workbench.io.formats.references import guess_database
    return guess_database(head, filename or path.name) or ""


def _relabel(records: list[Record], stored: Path, root: Path, database: str,
             digest: str) -> list[Record]:
    rel = stored.relative_to(root).as_posix()
    ids = [record_id(digest, i) for i in range(1, len(records) + 1)]
    if database:
        return relabelled(records, file=rel, database=database, id=ids)
    return relabelled(records, file=rel, id=ids)


def load_records(root: Path, progress: Progress | None = None) -> list[Record]:
    """Return every record of every export in references/, in import order.

    Parsed records come from the cache when present and are re-parsed (and
    re-cached) otherwise. Exports copied in by hand, without `import`, are read
    too, after the imported ones, with a guessed database label.

    Raises:
        ImportProblems: an export that was not imported with --skip-invalid has problems.
    """
    references = root / "references"
    cache = root / ".workbench" / "records"
    entries = read_manifest(references)
    listed = {e.file for e in entries}
    extra = [p for p in export_files(references) if p.name not in listed]
    total = len(entries) + len(extra)
    records: list[Record] = []
    fresh: list[str] = []   # exports parsed again (no records cache)
    for n, entry in enumerate(entries):
        path = references / entry.file
        if not path.exists():
            raise ReviewError("imported export is missing", path=path,
                              hint="restore it from version control; decisions are kept")
        if not path.is_file():   # a folder, a device or a FIFO (reading it would never end)
            raise ReviewError("imported export is not a regular file", path=path,
                              hint="restore it from version control; decisions are kept")
        cached = read_cached_records(cache, entry.sha256) if entry.sha256 else None
        if cached is None:
            cached = _parse_stored(root, path, entry.database, allow_problems=entry.skipped > 0,
                                   expected=entry.records, imported=entry.sha256)
            fresh.append(f"references/{entry.file}")
        elif cached and entry.database and any(r.database != entry.database for r in cached):
            cached = relabelled(cached, database=entry.database)
            write_cached_records(cache, entry.sha256, cached)
        records.extend(cached)
        if progress:
            progress(n + 1, total)
    listed: dict[str, str] = {}
    for n, path in enumerate(extra):
        if path.is_symlink() and not path.resolve().is_relative_to(references.resolve()):
            # No recorded digest to hold it to: a link placed at a name in references/
            # would make any file outside the review part of it.
            raise ReviewError("an export copied in by hand is a link to a file outside the "
                              "review; it was not read", path=path.relative_to(root).as_posix(),
                              hint="import the file itself (`workbench import FILE` keeps a "
                                   "copy in references/), or remove the link")
        digest = file_digest(path.read_bytes())
        listed[digest[:8]] = f"references/{path.name}"
        cached = read_cached_records(cache, digest)
        records.extend(cached if cached is not None
                       else _parse_stored(root, path, None, allow_problems=False))
        if progress:
            progress(len(entries) + n + 1, total)
    if fresh:   # ids just made again: do the sheets name studies no export has?
        from workbench.review.orphaned_ids import warn_orphaned
        warn_orphaned(root, {**{e.sha256[:8]: f"references/{e.file}" for e in entries},
                             **listed}, fresh)
    return records


def _parse_stored(root: Path, path: Path, database: str | None,
                  allow_problems: bool, expected: int | None = None,
                  imported: str = "") -> list[Record]:
    """Parse an export in references/ (no records cache), caching its records.

    `imported` is the SHA-256 the manifest recorded at import: a file whose
    bytes differ is refused (`_edited_since_import`), never read as other records.
    """
    rel = path.relative_to(root).as_posix()
    records = _reparse_streamed(root, path, rel, database, allow_problems, expected, imported)
    if records is not None:
        return records
    data = path.read_bytes()
    digest = file_digest(data)
    del data
    if imported and digest != imported:
        raise _edited_since_import(rel, imported, digest)
    from workbench.io.formats.references import read_export  # a cached review never parses
    report = read_export(path, display_path=rel, database=database or "")
    if report.problems and not allow_problems:
        raise ImportProblems(report.problems, hint="this export was not read")
    if expected and len(report.records) != expected:
        raise _count_changed(expected, len(report.records), rel)
    label = database if database is not None else guess_database_of(path, report)
    records = _relabel(report.records, path, root, label, digest)
    write_cached_records(root / ".workbench" / "records", digest, records)
    return records


def _edited_since_import(rel: str, imported: str, digest: str) -> ReviewError:
    # Record ids are made from the digest, and a machine with the records cache reads
    # the records as imported: parsing other bytes would give this machine other
    # records than the rest of the team, with nothing said.
    return ReviewError(
        f"the export changed since it was imported (sha256 {digest[:12]}..., imported as "
        f"{imported[:12]}...)", path=rel,
        hint="nothing was read; restore the file as imported (from version control, a "
             "teammate's copy or the original export; a git checkout that converted its "
             "line endings changes it too), or, to use the edited records, move the edited "
             "file out of references/, restore this one and `workbench import` the edited "
             "copy as a new export")


def _count_changed(expected: int, found: int, rel: str) -> ReviewError:
    # Record ids count the records read from a file: a different count would move
    # decisions onto other records. Happens when a newer version reads a partly broken
    # export (imported with --skip-invalid) differently.
    return ReviewError(
        f"imported as {plural(expected, 'record')}, but this version of workbench reads "
        f"{found}", path=rel,
        hint="record ids would shift and decisions could move to other studies, so "
             "nothing was read; open the review with the version that imported it, or "
             "re-import a corrected export under a new name")


def _reparse_streamed(root: Path, path: Path, rel: str, database: str | None,
                      allow_problems: bool, expected: int | None,
                      imported: str = "") -> list[Record] | None:
    """`_parse_stored` for an export `stream_export` reads: its records cache written a chunk at a time.

    The records, the cache's bytes and the errors are those of the whole-file
    reading below it (tests/review/test_import_stream.py removes the caches and
    compares); the export's text is never held whole. None: the export is not
    one `stream_export` reads (or not clean UTF-8): read it whole.
    """
    import hashlib

    from workbench.io.formats.references import stream_export
    from workbench.io.formats.table_rows import NotStreamable
    from workbench.store.imports import COPY_BLOCK
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(COPY_BLOCK), b""):
            sha.update(block)
    digest = sha.hexdigest()
    if imported and digest != imported:
        raise _edited_since_import(rel, imported, digest)
    stream = stream_export(path, rel, database or "")
    if stream is None:
        return None
    label = database if database is not None else guess_database_of(path, ImportReport())
    prefix = record_id(digest, 0)[:-4]  # what comes before the ordinal
    file_at, database_at, id_at = (RECORD_FIELDS.index(name) for name in ("file", "database", "id"))
    cache = RecordCacheWriter(root / ".workbench" / "records", digest)
    records: list[Record] = []
    problems: list[Problem] = []
    new = object.__new__
    try:
        with paused_gc():
            for rows, found in stream.chunks:
                problems.extend(found)
                count = len(records)
                for row, ordinal in zip(rows, range(count + 1, count + len(rows) + 1)):
                    row[file_at] = rel
                    if label:
                        row[database_at] = label
                    row[id_at] = f"{prefix}{ordinal:04d}"  # record_id(digest, ordinal)
                    record = new(Record)
                    record.__dict__.update(zip(RECORD_FIELDS, row))
                    records.append(record)
                cache.write(rows)
    except NotStreamable:
        cache.discard()
        return None
    except BaseException:
        cache.discard()
        raise
    if problems and not allow_problems:
        cache.discard()
        raise ImportProblems(problems, hint="this export was not read")
    if expected and len(records) != expected:
        cache.discard()
        raise _count_changed(expected, len(records), rel)
    cache.commit()
    return records

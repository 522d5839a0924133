"""The last export kept in .workbench/export/, so exporting an unchanged review is copying.

Kept for a review whose sheets hold at least MIN_SHEET_BYTES (8 MB, about
60,000 events; a smaller one is always built). An export is a pure function of
the review's files (every file outside exports/, .workbench/ and .git/: the sheets, the codebook, the references,
the pair decisions, the full texts), the export's options (source, charts,
require_agreed) and the code, apart from the time it is made. After a
successful export, `store` keeps its files in `.workbench/export/` (hard links
where the file system allows, else copies) with a sealed manifest
(`workbench.store.cache`): the key, the SHA-256 of every kept file and what
`write_exports` returns. The next export with the same key (`memo_key`: the
SHA-256 of every input file's bytes, the options and the source of the
library, all of the package but the app and the command line) checks every kept file against its SHA-256 and, only when all
match, stages them instead of building them again. Any miss (an input
changed, a kept file edited, truncated or missing, a manifest edited or
sealed on another machine) builds the export as before: a bad memo is
ignored, never trusted.

What carries the time of the export is made anew: README.txt and
export_metadata.json (`exported_at`), the workbook's README sheet (the other
parts are copied as they are, compressed), and review.qdpx, whose project.qde
has the creation time in its tags (the old time is replaced in those tags
only; anything else falls back to building the export). Every zip part gets
the new time, as a fresh export would. The .dta/.sav files keep the time
pyreadstat wrote in their header when they were built; their data and labels
are the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import shutil
import time
import zipfile
from pathlib import Path

from workbench.store.cache import read_cache, write_cache

log = logging.getLogger(__name__)

#: Bump when what is kept changes shape.
MEMO_VERSION = 1
FOLDER = "export"
MANIFEST = "manifest.json"
KIND = "export-memo"
#: Top-level folders of a review that are not the export's input.
_NOT_INPUT = {"exports", ".workbench", ".git"}
#: Files whose content carries the export's time; made anew on a reuse.
_README, _METADATA = "README.txt", "export_metadata.json"
_WORKBOOK, _PROJECT = "workbench_export.xlsx", "review.qdpx"
_CHUNK = 1 << 20
#: Sheets (coding/*.csv, in bytes) below which an export is always built: a small review
#: exports in seconds, and its .workbench/ gets no second copy of exports/.
MIN_SHEET_BYTES = 8_000_000


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def memo_key(review, source: str, charts: bool, require_agreed: bool,
             out: Path | None = None) -> str | None:
    """The key of an export of this review now: inputs' bytes, options, code. None: unknown."""
    root = Path(review.root)
    try:
        sheets = sum(p.stat().st_size for p in Path(review.coding).glob("*.csv"))
    except OSError:
        return None
    if sheets < MIN_SHEET_BYTES:
        return None
    skip = {root / name for name in _NOT_INPUT}
    if out is not None:
        skip.add(Path(out).resolve())
    listing = []
    try:
        for folder, dirs, names in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if here / d not in skip)
            if any((here / d).is_symlink() for d in dirs):   # os.walk would not look inside
                return None
            for name in sorted(names):
                path = here / name
                if not path.is_file():    # a FIFO, a socket, a dangling link: not cached
                    return None
                listing.append([path.relative_to(root).as_posix(), _file_digest(path)])
    except OSError as exc:
        log.info("export not reused: %s", exc)
        return None
    # the library's code (the agreement cache's digest, computed once per process): the
    # export is built by the library alone, so the app and the command line are not in it
    from workbench.review.agreement_cache import code_digest
    parts = [MEMO_VERSION, code_digest(), str(root), source, bool(charts), bool(require_agreed),
             listing]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def slot(source: str, charts: bool, require_agreed: bool) -> str:
    """The folder under .workbench/export/ of one kind of export (one per source, options)."""
    return hashlib.sha256(json.dumps([source, bool(charts), bool(require_agreed)]).encode()
                          ).hexdigest()[:16]


def _folder(review, where: str) -> Path:
    return Path(review.root) / ".workbench" / FOLDER / where


# --- what write_exports returns, as JSON ---------------------------------------------------

def counts_json(counts) -> dict:
    return dataclasses.asdict(counts)


def counts_from_json(data: dict):
    from workbench.core.prisma import ExclusionReason, PrismaCounts
    reasons = {"reasons", "screening_reasons", "other_reasons"}
    pairs = {"databases", "other_sources", "other_methods"}
    values = {}
    for f in dataclasses.fields(PrismaCounts):
        value = data[f.name]
        if f.name in reasons:
            value = tuple(ExclusionReason(**r) for r in value)
        elif f.name in pairs:
            value = tuple(tuple(p) for p in value)
        elif f.name in ("problems", "stages"):
            value = tuple(value)
        values[f.name] = value
    return PrismaCounts(**values)


def store(review, where: str, key: str | None, folder_files: list[Path], target: Path,
          summary: dict) -> bool:
    """Keep an export's files and summary under `key`; False when not kept (best effort).

    `summary` holds JSON data: meta (without exported_at), readme lines,
    counts (PrismaCounts), warnings, not_agreed, source, codebook_version,
    sheets, studies_included.
    """
    from workbench.review.unresolved import NotAgreed
    if key is None:
        return False
    try:   # kept only when it reads back as it was
        if counts_from_json(json.loads(json.dumps(summary["counts"]))) != summary["_counts"]:
            return False
        if [NotAgreed(**n) for n in summary["not_agreed"]] != list(summary["_not_agreed"]):
            return False
    except (TypeError, KeyError, ValueError):
        return False
    summary = {k: v for k, v in summary.items() if not k.startswith("_")}
    memo = _folder(review, where)
    staging = memo.with_name(f"{where}.{os.getpid()}.tmp")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        files = {}
        for path in folder_files:
            name = Path(path).relative_to(target).as_posix()
            if name in (_README, _METADATA):
                continue
            kept = staging / "files" / name
            kept.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, kept)
            except OSError:
                shutil.copyfile(path, kept)
            files[name] = _file_digest(kept)
        if not write_cache(staging / MANIFEST, KIND, {
                "version": MEMO_VERSION, "key": key, "files": files, "summary": summary,
                "order": [Path(p).relative_to(target).as_posix() for p in folder_files]}):
            raise OSError("manifest not written")
        old = memo.with_name(f"{where}.{os.getpid()}.old")
        shutil.rmtree(old, ignore_errors=True)
        if memo.exists():
            os.replace(memo, old)
        os.replace(staging, memo)
        shutil.rmtree(old, ignore_errors=True)
        return True
    except (OSError, ValueError) as exc:
        log.info("export not kept for reuse: %s", exc)
        shutil.rmtree(staging, ignore_errors=True)
        return False


def load(review, where: str, key: str | None) -> dict | None:
    """The kept export's manifest when it was made under `key`; None otherwise."""
    if key is None:
        return None
    found = read_cache(_folder(review, where) / MANIFEST, KIND)
    if not (isinstance(found, dict) and found.get("version") == MEMO_VERSION
            and found.get("key") == key and isinstance(found.get("files"), dict)
            and isinstance(found.get("summary"), dict) and isinstance(found.get("order"), list)):
        return None
    return found


class Stale(Exception):
    """A kept file is not what the manifest says: the export is built instead."""


def stage_file(review, where: str, manifest: dict, name: str, dest: Path) -> None:
    """Put the kept file `name` at `dest` (a link, else a copy) after checking its SHA-256."""
    kept = kept_path(review, where, name)
    want = manifest["files"].get(name)
    if not isinstance(want, str) or not kept.is_file() or kept.is_symlink():
        raise Stale(f"{name}: missing")
    try:
        os.link(kept, dest)
    except OSError:
        shutil.copyfile(kept, dest)
    if _file_digest(dest) != want:
        raise Stale(f"{name}: changed since it was kept")


def kept_path(review, where: str, name: str) -> Path:
    return _folder(review, where) / "files" / name


# --- zip files whose content has the time -----------------------------------------------

def _dos_time(when: tuple) -> bytes:
    year, month, day, hour, minute, second = when
    return ((hour << 11) | (minute << 5) | (second // 2)).to_bytes(2, "little") + \
        (((year - 1980) << 9) | (month << 5) | day).to_bytes(2, "little")


def rewrite_zip(source: Path, dest: Path, replace: dict, level: int = 1) -> None:
    """Write `source`'s parts to `dest` in order, each dated now: raw, or `replace[name](zf)`.

    A part named in `replace` is written by its function, given the output
    ZipFile (at the part's place); every other part's compressed bytes are
    copied as they are, with the new time in its headers.
    """
    now = time.localtime(time.time())[:6]
    stamp = _dos_time(now)
    with zipfile.ZipFile(source) as src, open(source, "rb") as raw, \
            zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as out:
        infos = sorted(src.infolist(), key=lambda i: i.header_offset)
        ends = [i.header_offset for i in infos[1:]] + [src.start_dir]
        if [i.filename for i in infos] != src.namelist():
            raise Stale(f"{source.name}: parts out of order")
        for info, end in zip(infos, ends):
            if info.filename in replace:
                replace[info.filename](out)
                continue
            raw.seek(info.header_offset)
            data = bytearray(raw.read(end - info.header_offset))
            if data[:4] != b"PK\x03\x04":
                raise Stale(f"{source.name}: {info.filename} has no local header")
            data[10:14] = stamp
            new = zipfile.ZipInfo(info.filename, date_time=now)
            for attr in ("compress_type", "comment", "extra", "create_system", "create_version",
                         "extract_version", "flag_bits", "volume", "internal_attr",
                         "external_attr", "CRC", "compress_size", "file_size"):
                setattr(new, attr, getattr(info, attr))
            new._compresslevel = getattr(info, "_compresslevel", None)
            new.header_offset = out.start_dir
            out.fp.seek(out.start_dir)
            out.fp.write(data)
            out.start_dir = out.fp.tell()
            out._didModify = True
            out.filelist.append(new)
            out.NameToInfo[new.filename] = new


_WHEN = re.compile(rb'<Project [^<>]*?creationDateTime="([0-9T:Z-]{20})"')


def project_text(source: Path, when: str) -> tuple[bytes, bool]:
    """project.qde of a kept review.qdpx with its creation time `when`; and its zip64 flag.

    The old time is replaced where it is an attribute of <Project>, <TextSource> or
    <PlainTextSelection> (the only tags that have one); Stale when it occurs anywhere
    else (a coder's note quoting it), so nothing but those attributes changes.
    """
    with zipfile.ZipFile(source) as src:
        info = src.getinfo("project.qde")
        data = src.read(info)
    found = _WHEN.search(data[:65536])
    if found is None:
        raise Stale("review.qdpx: no creation time")
    old = b'creationDateTime="' + found.group(1) + b'"'
    tags = data.count(b"<Project ") + data.count(b"<TextSource ") + \
        data.count(b"<PlainTextSelection ")
    if data.count(old) != tags or data.count(b'creationDateTime="') != tags:
        raise Stale("review.qdpx: the creation time occurs outside its tags")
    return data.replace(old, b'creationDateTime="' + when.encode() + b'"'), \
        _local_zip64(source, info)


def _local_zip64(source: Path, info: zipfile.ZipInfo) -> bool:
    """Whether the part's local header has a zip64 field (it was written with force_zip64)."""
    with open(source, "rb") as raw:
        raw.seek(info.header_offset)
        head = raw.read(30)
        if head[:4] != b"PK\x03\x04":
            raise Stale(f"{source.name}: {info.filename} has no local header")
        name_len = int.from_bytes(head[26:28], "little")
        extra_len = int.from_bytes(head[28:30], "little")
        raw.seek(name_len, 1)
        extra = raw.read(extra_len)
    at = 0
    while at + 4 <= len(extra):
        kind, size = int.from_bytes(extra[at:at + 2], "little"), \
            int.from_bytes(extra[at + 2:at + 4], "little")
        if kind == 1:
            return True
        at += 4 + size
    return False


# --- the reuse ----------------------------------------------------------------------

def reuse(review, where: str, manifest: dict, target: Path, progress, cancel):
    """The kept export of an unchanged review, staged and committed with the time of now.

    Raises Stale (or KeyError/TypeError/ValueError from a manifest
    of another shape) before anything is committed: the caller exports anew.
    """
    from datetime import datetime, timezone
    import pandas as pd
    from workbench.io.exports.folder import ExportFolder, write_json, write_text
    from workbench.io.exports.xlsx import _sheet_chunks
    from workbench.io.refi_project import COMPRESS_LEVEL, _entry
    from workbench.review.exporting import STEPS, WORKBOOK, ExportSummary, _readme, _step
    from workbench.review.unresolved import NotAgreed
    kept = manifest["summary"]
    counts = counts_from_json(kept["counts"])
    not_agreed = tuple(NotAgreed(**n) for n in kept["not_agreed"])
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    meta = {"review": kept["meta"]["review"], "exported_at": now,   # the order a build writes
            **{k: v for k, v in kept["meta"].items() if k != "review"}}
    readme = _readme(meta, counts)
    _step(progress, cancel, 1)
    with ExportFolder(target) as folder:
        for name in manifest["order"]:   # the order a build listed them in
            dest = folder.path(name)
            if name == "README.txt":
                write_text(folder, name, "\n".join(f"{k}: {v}" for k, v in readme) + "\n")
                continue
            if name == "export_metadata.json":   # written last, as a build does
                continue
            if name in (WORKBOOK, "review.qdpx"):   # checked whole, then rewritten
                _digest_or_stale(kept_path(review, where, name),
                                 manifest["files"].get(name), name)
            if name == WORKBOOK:
                frame = pd.DataFrame(readme, columns=["key", "value"], dtype=object)

                def readme_sheet(zf, frame=frame):
                    with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                        for chunk in _sheet_chunks(frame, False):
                            part.write(chunk.encode("utf-8"))
                rewrite_zip(kept_path(review, where, name), dest,
                            {"xl/worksheets/sheet1.xml": readme_sheet})
            elif name == "review.qdpx":
                source = kept_path(review, where, name)
                data, zip64 = project_text(source, now)

                def project(zf, data=data, zip64=zip64):
                    with zf.open(_entry(zf, "project.qde"), "w", force_zip64=zip64) as part:
                        part.write(data)
                rewrite_zip(source, dest, {"project.qde": project}, COMPRESS_LEVEL)
            else:
                stage_file(review, where, manifest, name, dest)
        _step(progress, cancel, 7)
        write_json(folder, "export_metadata.json", {**meta, "files": sorted(
            n for n in folder.files if n != "export_metadata.json")})
        _step(progress, cancel, 8)
        files = folder.commit()
    _step(progress, None, STEPS)
    log.info("exported %d files to %s (unchanged review: the kept export)", len(files), target)
    return ExportSummary(target, tuple(files), kept["source"], int(kept["studies_included"]),
                         counts, kept["codebook_version"], tuple(kept["sheets"]), now,
                         tuple(folder.recovered) + tuple(kept["warnings"]), not_agreed)


def _digest_or_stale(path: Path, want, name: str) -> None:
    if not isinstance(want, str) or _file_digest(path) != want:
        raise Stale(f"{name}: changed since it was kept")


__all__ = ["memo_key", "store", "load", "stage_file", "rewrite_zip", "project_text", "Stale",
           "counts_json", "slot", "reuse", "kept_path", "counts_from_json", "code_digest"]

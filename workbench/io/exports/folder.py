"""Writing an export set atomically: CSV, XLSX, JSON and text, all or nothing.

Every file of one export is written into a hidden temporary folder inside
exports/ and moved into place (`os.replace`) only once all of them were
written, so a failed export leaves exports/ exactly as it was and never a
half-written file. The files a new one replaces are moved aside first and put
back if any move fails, so exports/ never mixes two exports' files. NA stays missing: an empty CSV cell, a blank XLSX cell.

One export at a time writes into a folder (a lock), and an export killed while
moving its files in is finished or undone by the next one
(`workbench.io.exports.journal`). A reader that must see one whole export: the
commit's journal `.export-journal` is in the folder while files are moving, and
`export_metadata.json`, staged last, is moved in last and lists the files of
its export.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

import pandas as pd

from workbench.errors import ExportError
from workbench.io.exports.journal import (FolderLock, fsync_folder, recover,
                                          remove_journal, write_journal)
from workbench.io.exports.xlsx import write_workbook
from workbench.io.safe_cells import csv_text, write_safe_csv

log = logging.getLogger(__name__)

#: XLSX sheet names are at most 31 characters.
SHEET_NAME_MAX = 31


class ExportFolder:
    """A staging folder for one export; `commit()` moves every file into the target.

    Use as a context manager: leaving the block with an exception removes the
    staging folder and leaves the target untouched.

    Args:
        target: the exports/ folder (created if missing).
    """

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.files: list[str] = []
        self.staging: Path | None = None
        self.lock = FolderLock(self.target)
        #: What was done about an export killed earlier (lines for the output).
        self.recovered: list[str] = []

    def __enter__(self) -> "ExportFolder":
        try:
            self.target.mkdir(parents=True, exist_ok=True)
            self.lock.acquire()
            try:
                self.recovered = recover(self.target)
                for line in self.recovered:
                    log.warning("%s", line)
                self.staging = Path(tempfile.mkdtemp(prefix=".export-", dir=self.target))
            except BaseException:
                self.lock.release()
                raise
        except OSError as exc:
            raise ExportError(f"cannot write the exports folder ({exc.strerror or exc})",
                              path=self.target, hint="nothing was exported") from exc
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.staging is not None and self.staging.exists():
                shutil.rmtree(self.staging, ignore_errors=True)
        finally:
            self.lock.release()
        if exc_type is not None and issubclass(exc_type, OSError):  # e.g. a full disk
            raise ExportError(f"cannot write the export ({exc.strerror or exc})",
                              path=self.target, hint="nothing was exported; the folder is "
                              "as it was") from exc

    def path(self, name: str) -> Path:
        """Return the staging path for a file named relative to exports/ (subfolders allowed)."""
        if self.staging is None:
            raise RuntimeError("ExportFolder used outside its `with` block")
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name not in self.files:
            self.files.append(name)
        return path

    def commit(self) -> list[Path]:
        """Move every staged file into the target folder; return their final paths.

        All or nothing, as far as renames allow: each file of the target that a
        new one replaces is first moved aside (into a hidden folder in the
        target, so a rename), then the new files are moved in; the old ones are
        removed only once every new file is in place. When a move fails (a full
        disk, a permission, a file held open, a folder at a file's name), the
        new files are moved back out and the old ones back, so the target is as
        it was.

        Raises:
            ExportError: a file could not be moved; it names the file, the
                problem and that nothing was exported (or, when even putting
                the folder back failed, which files are new and where the old
                ones are).
        """
        moves = [(name, self.staging / name, self.target / name) for name in self.files
                 if (self.staging / name).exists()]
        for name, source, final in moves:
            try:
                with open(source, "rb") as handle:
                    os.fsync(handle.fileno())
            except OSError as exc:
                raise ExportError(f"cannot write the export ({exc.strerror or exc})",
                                  path=final, hint=NOTHING_EXPORTED) from exc
        try:
            aside = Path(tempfile.mkdtemp(prefix=".export-old-", dir=self.target))
        except OSError as exc:
            raise ExportError(f"cannot move the export into place ({exc.strerror or exc})",
                              path=self.target, hint=NOTHING_EXPORTED) from exc
        made: list[Path] = []                 # folders this commit created, in order
        old: list[tuple[Path, Path]] = []     # (final, where it was set aside)
        placed: list[tuple[Path, Path]] = []  # (staged, final) of the new files moved in
        final = self.target
        try:
            write_journal(self.target, self.staging, aside, [name for name, _, _ in moves],
                          _missing_folders([final for _, _, final in moves], self.target))
        except OSError as exc:
            shutil.rmtree(aside, ignore_errors=True)
            raise ExportError(f"cannot move the export into place ({exc.strerror or exc})",
                              path=self.target, hint=NOTHING_EXPORTED) from exc
        try:
            for name, source, final in moves:
                if final.is_dir() and not final.is_symlink():
                    raise IsADirectoryError(errno.EISDIR, "a folder has this file's name")
                _make_folders(final.parent, self.target, made)
                if os.path.lexists(final):    # a link is moved aside, never followed
                    kept = aside / name
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(final, kept)
                    old.append((final, kept))
            for name, source, final in moves:
                os.replace(source, final)
                placed.append((source, final))
        except BaseException as exc:   # an interrupt too: the folder is put back first
            left = _roll_back(placed, old, made)
            if not left:
                shutil.rmtree(aside, ignore_errors=True)
            remove_journal(self.target)   # done with: the error says where any file is
            if not isinstance(exc, OSError):
                raise
            problem = f"cannot move the export into place ({exc.strerror or exc})"
            if not left:
                raise ExportError(problem, path=final, hint=NOTHING_EXPORTED) from exc
            raise ExportError(problem, path=final, hint="putting the folder back failed too; "
                              "these are not as they were:\n  " + "\n  ".join(left)) from exc
        for folder in dict.fromkeys(final.parent for _, final in placed):
            fsync_folder(folder)   # the new files are in place for good: the old ones can go
        try:
            shutil.rmtree(aside)
        except OSError as exc:   # every new file is in place: only a hidden folder stays
            log.warning("could not remove the previous export's files in %s (%s)", aside,
                        exc.strerror or exc)
        remove_journal(self.target)
        return [final for _, final in placed]


#: The end of a failed commit's error when the target is as it was.
NOTHING_EXPORTED = "nothing was exported; the folder is as it was"


def _make_folders(folder: Path, top: Path, made: list[Path]) -> None:
    """Create `folder` and its missing parents up to `top`, adding each one made to `made`."""
    missing = []
    while folder != top and not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _missing_folders(finals: list[Path], top: Path) -> list[str]:
    """The folders (relative to `top`) that moving files to `finals` would create."""
    missing: dict[str, None] = {}
    for final in finals:
        folder = final.parent
        while folder != top and not os.path.lexists(folder):
            missing[folder.relative_to(top).as_posix()] = None
            folder = folder.parent
    return list(missing)


def _roll_back(placed: list[tuple[Path, Path]], old: list[tuple[Path, Path]],
               made: list[Path]) -> list[str]:
    """Undo a commit's moves, last first; return a line per file that could not be put back."""
    left: dict[Path, str] = {}
    for source, final in reversed(placed):
        try:
            os.replace(final, source)
        except OSError as exc:
            left[final] = f"{final}: the new file stayed ({exc.strerror or exc})"
    for final, kept in reversed(old):
        try:
            os.replace(kept, final)   # over a new file that stayed, too
            left.pop(final, None)
        except OSError as exc:
            left[final] = (f"{final}: the previous file is kept as {kept} "
                           f"({exc.strerror or exc})")
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError as exc:
            left[folder] = f"{folder}: a new folder stayed ({exc.strerror or exc})"
    return list(left.values())


#: Rows per piece when a table is written as CSV: the text of a 1.5M-row audit log
#: would otherwise be built whole (several hundred MB) before it is written.
CSV_CHUNK_ROWS = 100_000


def write_csv(folder: ExportFolder, name: str, frame: pd.DataFrame,
              chunk_rows: int = CSV_CHUNK_ROWS) -> None:
    """Write a table as UTF-8 CSV (no BOM, for R, Stata and pandas); NA is an empty cell.

    Text cells a spreadsheet would run as a formula get a leading quote
    (`workbench.io.safe_cells`). A long table is written `chunk_rows` rows
    at a time; the bytes are those of writing it whole (each row's text
    depends on that row and the column types alone).
    """
    if len(frame) <= chunk_rows:
        write_safe_csv(frame, folder.path(name), index=False, na_rep="", encoding="utf-8",
                       lineterminator="\n")
        return
    with open(folder.path(name), "w", encoding="utf-8", newline="") as handle:
        for start in range(0, len(frame), chunk_rows):
            handle.write(csv_text(frame.iloc[start:start + chunk_rows], index=False,
                                  na_rep="", lineterminator="\n", header=start == 0))


def write_csv_chunks(folder: ExportFolder, name: str, frames) -> None:
    """Write the tables of an iterable one after the other as one CSV (the header once).

    The bytes are those `write_csv` writes for the tables joined (the first one
    must come even when empty: it gives the header). Only one table is held
    at a time: a long table made in pieces (the audit log) is never whole.
    """
    with open(folder.path(name), "w", encoding="utf-8", newline="") as handle:
        for i, frame in enumerate(frames):
            handle.write(csv_text(frame, index=False, na_rep="", lineterminator="\n",
                                  header=i == 0))


def write_json(folder: ExportFolder, name: str, value: object) -> None:
    """Write a value as indented UTF-8 JSON."""
    folder.path(name).write_text(json.dumps(value, indent=2, ensure_ascii=False, default=str)
                                 + "\n", encoding="utf-8")


def write_text(folder: ExportFolder, name: str, text: str) -> None:
    """Write UTF-8 text."""
    folder.path(name).write_text(text, encoding="utf-8")


def sheet_title(name: str, used: set[str]) -> str:
    """Return a unique XLSX sheet title (31 characters at most, no []:*?/\\)."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:SHEET_NAME_MAX] or "sheet"
    title, n = clean, 2
    while title.lower() in used:
        suffix = f"~{n}"
        title = clean[:SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    used.add(title.lower())
    return title


def write_xlsx(folder: ExportFolder, name: str, sheets: Mapping[str, pd.DataFrame],
               readme: list[tuple[str, str]]) -> None:
    """Write one workbook: a README sheet first, then one sheet per table.

    Sheets are built column by column (`workbench.io.exports.xlsx`), so a
    100k-row table takes about a second. Empty strings and NA are blank
    cells; numbers stay numbers; text is never read as a formula.

    Args:
        folder: the staging folder.
        name: the file name (e.g. "workbench_export.xlsx").
        sheets: sheet name -> table, in order.
        readme: (key, value) lines of the README sheet (no header row).
    """
    used: set[str] = set()
    info = sheet_title("README", used)
    book = {info: pd.DataFrame(readme, columns=["key", "value"], dtype=object)}
    for title, frame in sheets.items():
        book[sheet_title(title, used)] = frame
    write_workbook(folder.path(name), book, headless=[info])

"""One export at a time per folder, and recovery from an export killed mid-commit.

`ExportFolder` holds a lock on the target folder from the start of an export to
its end (`exports/.export-lock`, an advisory `flock`; the file is removed when
the export ends), so a second export into the same folder refuses at once and
names the folder and the process that holds it.

Before `ExportFolder.commit` moves any file it writes a journal,
`exports/.export-journal` (fsynced, as is the folder): the staging folder, the
hidden folder the replaced files are set aside into, the files of the new
generation and the folders the commit will create. The journal is removed
only after every new file is in place and the old ones are deleted. A process
killed in between (kill -9, a power cut) leaves the journal behind, and the
next export (`recover`, under the lock) finishes the job before it starts:

- every new file is still in staging or already moved in: the commit is
  completed (the rest moved in), so exports/ is the new generation;
- otherwise (a staged file was lost): the new files are removed, the old ones
  put back and the folders the commit made removed: exports/ is the old
  generation.

Then the leftovers go: staging folders (`.export-*`) of killed exports are
removed (they hold only what an export wrote); a set-aside folder
(`.export-old-*`) that no journal names is kept, since it may hold the only
copy of earlier files, and is reported so its owner can look. Every step is
reported back as a line of text for the export's output.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path, PurePosixPath

from workbench.errors import ExportError

LOCK = ".export-lock"
JOURNAL = ".export-journal"
STAGING_PREFIX = ".export-"
ASIDE_PREFIX = ".export-old-"


class FolderLock:
    """An exclusive lock on an export folder (no-op where `fcntl` is missing).

    `acquire()` refuses at once when another process holds it; `release()`
    removes the lock file and closes it (the kernel drops the lock of a killed
    process by itself, so a stale file never blocks).
    """

    def __init__(self, target: Path) -> None:
        self.path = Path(target) / LOCK
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:   # not POSIX: no lock
            return
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        for _ in range(100):
            try:
                fd = os.open(self.path, flags, 0o644)
            except OSError as exc:
                if os.path.islink(self.path):   # a link planted there is never followed
                    os.unlink(self.path)
                    continue
                raise ExportError(f"cannot lock the exports folder ({exc.strerror or exc})",
                                  path=self.path.parent, hint="nothing was exported") from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = os.pread(fd, 400, 0).decode("utf-8", "replace").strip()
                os.close(fd)
                raise ExportError(
                    f"another export is writing into this folder ({holder or 'a process'})",
                    path=self.path.parent,
                    hint="nothing was exported; wait for it to finish, then export again") \
                    from None
            same = os.fstat(fd)
            try:
                now = os.lstat(self.path)
            except FileNotFoundError:
                now = None
            if now is None or (now.st_dev, now.st_ino) != (same.st_dev, same.st_ino):
                os.close(fd)   # the holder removed it as we opened it: take the new one
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, (f"process {os.getpid()} on {socket.gethostname()}, started "
                           f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n").encode(), 0)
            self.fd = fd
            return
        raise ExportError("cannot lock the exports folder (its lock file keeps changing)",
                          path=self.path.parent, hint="nothing was exported")

    def release(self) -> None:
        if self.fd is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


def fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_journal(target: Path, staging: Path, aside: Path, files: list[str],
                  made: list[str]) -> Path:
    """Write and fsync the journal of a commit about to start; return its path."""
    path = target / JOURNAL
    if os.path.lexists(path):
        os.unlink(path)
    text = json.dumps({"journal": 1, "pid": os.getpid(),
                       "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                       "staging": staging.name, "aside": aside.name,
                       "files": files, "made": made}, ensure_ascii=False)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    fsync_folder(target)
    return path


def remove_journal(target: Path) -> None:
    """Remove the journal: the commit is over (done or undone)."""
    try:
        os.unlink(target / JOURNAL)
    except FileNotFoundError:
        return
    fsync_folder(target)


def _inside(name: object) -> bool:
    """A relative path of plain parts (what a journal written here holds)."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    parts = PurePosixPath(name).parts
    return not PurePosixPath(name).is_absolute() and all(p not in ("", ".", "..")
                                                         for p in parts)


def _read_journal(path: Path) -> dict | None:
    """The journal's content, or None when it is not one this module wrote."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.loads(handle.read(10_000_000))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("journal") != 1:
        return None
    files, made = data.get("files"), data.get("made")
    staging, aside = data.get("staging"), data.get("aside")
    if not (isinstance(files, list) and isinstance(made, list)
            and all(_inside(n) for n in files + made)
            and isinstance(staging, str) and staging.startswith(STAGING_PREFIX)
            and not staging.startswith(ASIDE_PREFIX) and _inside(staging) and "/" not in staging
            and isinstance(aside, str) and aside.startswith(ASIDE_PREFIX) and _inside(aside)
            and "/" not in aside):
        return None
    return data


def recover(target: Path) -> list[str]:
    """Finish or undo a commit a killed export left, then remove its leftovers.

    Call it holding the folder's lock. Returns one line per thing done, for
    the export's output (none when the folder was clean).
    """
    target = Path(target)
    said: list[str] = []
    journal = target / JOURNAL
    named: set[str] = set()
    if os.path.lexists(journal):
        data = _read_journal(journal) if not journal.is_symlink() else None
        if data is None:
            said.append(f"{journal}: not a commit journal of this program; removed (no file "
                        "was moved by it)")
        else:
            named = {data["staging"], data["aside"]}
            said.append(_finish(target, data))
        remove_journal(target)
    for entry in sorted(os.scandir(target), key=lambda e: e.name):
        if not entry.name.startswith(STAGING_PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        if entry.name in named:
            continue
        if entry.name.startswith(ASIDE_PREFIX):
            said.append(f"{entry.path}: files an earlier export set aside and did not put back "
                        "or delete (an older version, or a failed clean-up); kept: compare "
                        "them with exports/, then delete the folder")
        else:
            shutil.rmtree(entry.path, ignore_errors=True)
            said.append(f"{entry.path}: the unfinished files of an interrupted export; removed")
    return said


def _finish(target: Path, data: dict) -> str:
    """Complete the journal's commit when every new file is at hand, else undo it."""
    staging, aside = target / data["staging"], target / data["aside"]
    files: list[str] = data["files"]
    staged = {n for n in files if os.path.lexists(staging / n)}
    moved = {n for n in files if n not in staged}
    when = f"the export of {data.get('started', '?')} (process {data.get('pid', '?')})"
    if all(os.path.lexists(target / n) for n in moved):
        for name in files:
            if name in staged:
                final = target / name
                final.parent.mkdir(parents=True, exist_ok=True)
                if final.is_dir() and not final.is_symlink():
                    break   # a folder at the name: cannot complete; undo below
                os.replace(staging / name, final)
                moved.add(name)
                staged.discard(name)
        else:
            for folder in {(target / n).parent for n in files}:
                fsync_folder(folder)
            shutil.rmtree(aside, ignore_errors=True)
            shutil.rmtree(staging, ignore_errors=True)
            return (f"{target}: {when} was killed while moving its files into place; "
                    f"finished it ({len(files)} files of that export now in place)")
    # Undo: the new files out, the old ones back, the folders made removed.
    for name in moved:
        final = target / name
        if os.path.lexists(final) and not (final.is_dir() and not final.is_symlink()):
            os.unlink(final)
    kept = []
    if aside.is_dir() and not aside.is_symlink():
        for path in sorted(aside.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            final = target / path.relative_to(aside)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, final)
            kept.append(final)
    for name in sorted(data["made"], key=lambda n: -n.count("/")):
        try:
            (target / name).rmdir()
        except OSError:
            pass
    for folder in {f.parent for f in kept} | {target}:
        fsync_folder(folder)
    shutil.rmtree(aside, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    return (f"{target}: {when} was killed while moving its files into place and some of "
            f"its files are missing; put the previous export back ({len(kept)} files)")

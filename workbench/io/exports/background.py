"""Writing part of an export in a second process while the caller writes the rest.

An export is a dozen independent files; on a machine with two cores the
slow ones (references, the screening log, the PRISMA diagram and the charts)
are written by a forked child into the same staging folder while the parent
writes the tables and the workbook. The child inherits the data (nothing is
pickled but the list of file names it wrote, or its error). Where fork is not
safe or not available (not Linux), the jobs simply run in the caller.
"""

from __future__ import annotations

import logging
import multiprocessing
import sys
import threading
from typing import Callable, Sequence

from workbench.errors import ExportError
from workbench.io.exports.folder import ExportFolder

log = logging.getLogger(__name__)

Job = Callable[[ExportFolder], object]


def _run(jobs: Sequence[Job], folder: ExportFolder, conn) -> None:
    """The child: run every job, then send ("ok", file names) or ("error", exception)."""
    try:
        for job in jobs:
            job(folder)
        conn.send(("ok", list(folder.files)))
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled
            conn.send(("error", ExportError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


class Background:
    """Jobs writing into an ExportFolder, run in a forked process (or inline).

    Use `start(jobs)`, write the other files, then `wait()`: it adds the
    child's files to the folder and raises the child's error, if any.
    `stop()` ends the child (on cancel or failure); it is safe to call twice.

    Args:
        folder: the export's staging folder (inside its `with` block).
        parallel: False runs the jobs inline in `start`.
    """

    def __init__(self, folder: ExportFolder, parallel: bool = True) -> None:
        self.folder = folder
        # Forking a process that runs other threads (the TUI's workers) can copy a lock
        # held by another thread into the child and hang it: fork only when single-threaded.
        self.parallel = parallel and sys.platform.startswith("linux") and \
            "fork" in multiprocessing.get_all_start_methods() and \
            threading.active_count() == 1
        self.process = None
        self.conn = None

    def start(self, jobs: Sequence[Job]) -> None:
        """Start the jobs (in order, in one child process)."""
        if not self.parallel or not jobs:
            for job in jobs:
                job(self.folder)
            return
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe(duplex=False)
        self.process = context.Process(target=_run, args=(jobs, self.folder, child),
                                       name="workbench-export", daemon=True)
        try:
            self.process.start()
        except OSError as exc:  # no process to spare: write them here
            log.warning("export runs in one process (%s)", exc)
            self.process = None
            for job in jobs:
                job(self.folder)
        finally:
            child.close()

    def wait(self) -> None:
        """Wait for the child; add its files to the folder; raise its error.

        Raises:
            ExportError: the child ended without an answer.
            Exception: the child's own error (e.g. OSError), re-raised here.
        """
        if self.process is None:
            return
        try:
            status, value = self.conn.recv()
        except EOFError:
            status, value = "error", ExportError(
                f"the export's second process ended (exit code {self.process.exitcode})",
                hint="nothing was exported")
        finally:
            self.process.join()
            self.conn.close()
            self.process = None
        if status == "error":
            raise value
        for name in value:
            if name not in self.folder.files:
                self.folder.files.append(name)

    def stop(self) -> None:
        """End the child if it still runs (its half-written files go with the staging)."""
        if self.process is not None:
            self.process.terminate()
            self.process.join()
            self.conn.close()
            self.process = None

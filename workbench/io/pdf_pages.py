"""A PDF's text read by PDFium in a child process with bounded memory and time.

A PDF is a program of sorts: a few kB can hold a stream that inflates to
gigabytes (a decompression bomb: PDFium inflates a page's content stream whole),
a page tree of a million pages, or objects nested without end. Read in the
app's or the command's own process, one such file from a shared folder took
the machine's memory or hours of CPU, and ended the batch it was in.

So `read_pdf_pages` runs PDFium in a child (`python -m workbench.io.pdf_pages`)
that first limits itself (`resource.setrlimit`: address space `MEMORY_BYTES`,
CPU `CPU_SECONDS` per file) and refuses a PDF of more than `MAX_PAGES` pages;
the parent also ends it after `WALL_SECONDS` and when `cancel` is set. A batch
(`with pdf_batch():`, as `fulltext link FOLDER` does) reuses one child for its
files, so the child's start (about 0.25 s of CPU) is paid once. A child that
goes over a limit or crashes gives a `FulltextError` (problem `unreadable`)
naming the file and the limit, and nothing else is affected. The password goes
to the child on its standard input, never on its command line. The pages
returned are those `pdf_pages` gives in-process (the oracle in the tests).
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from workbench.core.fulltext import PASSWORD, UNREADABLE
from workbench.errors import FulltextError

Progress = Callable[[int, int], None]

#: The most address space the reading child may take (PDFium inflates a content stream whole).
MEMORY_BYTES = 2 << 30
#: The most CPU time one PDF may take (a 2,000-page book takes about a minute).
CPU_SECONDS = 300
#: The parent's guard against a child that stops without using its CPU time.
WALL_SECONDS = 3_000
#: The most pages read from one PDF (a thesis or a book has a few hundred to two thousand).
MAX_PAGES = 10_000

#: How PDFium says a password is needed.
_PASSWORD_WORDS = "password"


def pdf_pages(path: str | Path, password: str | None = None, max_pages: int = MAX_PAGES,
              progress: Progress | None = None,
              cancel: threading.Event | None = None) -> list[str]:
    """Return the raw text of each page of a PDF, in this process (the child's work).

    Raises:
        FulltextError: not a PDF PDFium can open, a password is needed (problem
            PASSWORD), more than `max_pages` pages, or the read was cancelled.
    """
    import pypdfium2 as pdfium
    try:
        document = pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        if _PASSWORD_WORDS in str(exc).lower():
            raise FulltextError("the PDF is password-protected" if not password
                                else "the password does not open this PDF", path=path,
                                problem=PASSWORD) from exc
        raise FulltextError(f"not a readable PDF ({exc})", path=path,
                            problem=UNREADABLE) from exc
    try:
        total = len(document)
        if total > max_pages:
            raise FulltextError(f"the PDF has {total:,} pages, more than the {max_pages:,} "
                                "read from one file (a broken or hostile page tree?)",
                                path=path, problem=UNREADABLE)
        pages = []
        for index in range(total):
            if cancel is not None and cancel.is_set():
                raise FulltextError("text extraction was cancelled", path=path)
            page = document[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
            if progress is not None:
                progress(index + 1, total)
        return pages
    finally:
        document.close()


class PdfReader:
    """Reads PDFs one after another in one bounded child process.

    The child starts on the first `read` and serves the next ones (its start,
    about 0.25 s of CPU, is paid once per batch); the CPU limit is set anew for
    each file. A file that sends the child over a limit, crashes it, or is
    cancelled ends that child only: the next `read` starts a new one. Use as a
    context manager, or call `close()`.

    Args:
        memory, cpu, wall, max_pages: the limits (MEMORY_BYTES, CPU_SECONDS,
            WALL_SECONDS, MAX_PAGES when None).
    """

    def __init__(self, memory: int | None = None, cpu: int | None = None,
                 wall: float | None = None, max_pages: int | None = None) -> None:
        self.memory = MEMORY_BYTES if memory is None else memory
        self.cpu = CPU_SECONDS if cpu is None else cpu
        self.wall = WALL_SECONDS if wall is None else wall
        self.max_pages = MAX_PAGES if max_pages is None else max_pages
        self.child: subprocess.Popen | None = None
        self.errors = b""

    def __enter__(self) -> "PdfReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End the child (if any)."""
        child, self.child = self.child, None
        if child is None:
            return
        try:
            child.stdin.close()
        except OSError:
            pass
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()

    def _kill(self) -> None:
        child, self.child = self.child, None
        if child is not None:
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()
            child.stderr.close()

    def _start(self) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")]
            if p)}
        self.errors = b""
        self.child = subprocess.Popen(
            [sys.executable, "-m", "workbench.io.pdf_pages", str(self.memory)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            close_fds=True)
        return self.child

    def read(self, path: str | Path, password: str | None = None,
             progress: Progress | None = None,
             cancel: threading.Event | None = None) -> list[str]:
        """Return the raw text of each page of a PDF, as `pdf_pages` gives it.

        Raises:
            FulltextError: as `pdf_pages`, or the child went over a limit or
                crashed (problem UNREADABLE, the message names the limit).
        """
        if sys.platform == "win32":   # no setrlimit: read here
            return pdf_pages(path, password, self.max_pages, progress, cancel)
        child = self.child if self.child is not None and self.child.poll() is None \
            else self._start()
        request = json.dumps({"path": str(path), "password": password, "cpu": self.cpu,
                              "max_pages": self.max_pages}) + "\n"
        try:
            child.stdin.write(request.encode("utf-8"))
            child.stdin.flush()
        except OSError:
            pass   # it died: its exit status says why
        try:
            result = self._answer(child, path, progress, cancel)
        except BaseException:
            self._kill()   # cancelled, too slow, interrupted: this child is done
            raise
        if result is None:   # it ended without an answer
            self._kill()
            raise FulltextError(_death(child.returncode, self.memory, self.cpu, self.errors),
                                path=path, problem=UNREADABLE)
        if "pages" in result:
            return result["pages"]
        raise FulltextError(result["error"], path=path, problem=result["problem"])

    def _answer(self, child: subprocess.Popen, path, progress, cancel) -> dict | None:
        """Read the child's lines until its answer for this file (None: it ended)."""
        buffer = b""
        deadline = time.monotonic() + self.wall
        with selectors.DefaultSelector() as watch:
            watch.register(child.stdout, selectors.EVENT_READ, "out")
            watch.register(child.stderr, selectors.EVENT_READ, "err")
            while "out" in {key.data for key in watch.get_map().values()}:
                if cancel is not None and cancel.is_set():
                    raise FulltextError("text extraction was cancelled", path=path)
                if time.monotonic() > deadline:
                    raise FulltextError(f"reading the PDF took longer than {self.wall:,.0f} s; "
                                        "stopped", path=path, problem=UNREADABLE)
                for key, _ in watch.select(timeout=0.1):
                    block = os.read(key.fileobj.fileno(), 1 << 16)
                    if not block:
                        watch.unregister(key.fileobj)
                    elif key.data == "err":
                        self.errors = (self.errors + block)[-4000:]
                    else:
                        buffer += block
                        *lines, buffer = buffer.split(b"\n")
                        for line in lines:
                            message = json.loads(line)
                            if "done" in message:
                                if progress is not None:
                                    progress(*message["done"])
                            else:
                                return message
        self.errors = (self.errors + child.stderr.read())[-4000:]   # all it said before it ended
        child.wait()
        return None


#: The reader `read_pdf_pages` uses in this thread while `pdf_batch` is open.
_batch = threading.local()


class pdf_batch:  # noqa: N801 - used as a function: `with pdf_batch():`
    """Within the block, `read_pdf_pages` in this thread reuses one child (a batch of files)."""

    def __enter__(self) -> PdfReader:
        self.outer = getattr(_batch, "reader", None)
        _batch.reader = self.reader = self.outer or PdfReader()
        return self.reader

    def __exit__(self, *exc) -> None:
        _batch.reader = self.outer
        if self.outer is None:
            self.reader.close()


def read_pdf_pages(path: str | Path, password: str | None = None,
                   progress: Progress | None = None, cancel: threading.Event | None = None,
                   memory: int | None = None, cpu: int | None = None,
                   wall: float | None = None, max_pages: int | None = None) -> list[str]:
    """Return the raw text of each page of a PDF, read in a child with bounded memory and time.

    Inside `pdf_batch()` (and with no limit given) the batch's child is reused;
    otherwise a child is started for this file.

    Args:
        path: the PDF (only read).
        password: its user password, if any.
        progress: called with (pages done, pages).
        cancel: set to stop (the child is ended).
        memory, cpu, wall, max_pages: the limits (MEMORY_BYTES, CPU_SECONDS,
            WALL_SECONDS, MAX_PAGES when None).

    Raises:
        FulltextError: as `pdf_pages`, or the child went over a limit or
            crashed (problem UNREADABLE, the message names the limit).
    """
    shared = getattr(_batch, "reader", None)
    if shared is not None and memory is cpu is wall is max_pages is None:
        return shared.read(path, password, progress, cancel)
    with PdfReader(memory, cpu, wall, max_pages) as reader:
        return reader.read(path, password, progress, cancel)


def _death(code: int, memory: int, cpu: int, errors: bytes) -> str:
    """Why the child ended without an answer, in words."""
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return (f"reading the PDF took more than the {cpu:,} s of CPU allowed; stopped "
                "(a page tree or content too large to read)")
    tail = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if "MemoryError" in tail[0] or code in (-signal.SIGABRT, -signal.SIGSEGV, -signal.SIGBUS):
        return (f"reading the PDF needed more than the {memory >> 20:,} MB of memory allowed, "
                "or crashed the PDF reader; stopped (a compressed stream that inflates "
                "to gigabytes, or a broken file)")
    return f"the PDF reader stopped ({'signal ' + str(-code) if code < 0 else 'exit ' + str(code)}" \
           f"{': ' + tail[0] if tail[0] else ''})"


def _child() -> None:
    """The child: limit itself, then read each requested PDF, answering on stdout as JSON lines."""
    import math
    import resource
    memory = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    out = sys.stdout.buffer

    def say(value) -> None:
        out.write(json.dumps(value, ensure_ascii=True).encode("ascii") + b"\n")
        out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft = math.ceil(used.ru_utime + used.ru_stime + request["cpu"])
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY
                                                 else min(soft, hard), hard))
        try:
            pages = pdf_pages(request["path"], request["password"], request["max_pages"],
                              progress=lambda done, total: say({"done": [done, total]}))
        except FulltextError as exc:
            say({"error": exc.message, "problem": exc.problem or ""})
            continue
        say({"pages": pages})


if __name__ == "__main__":
    _child()

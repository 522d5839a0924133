"""A PDF's text read by PDFium in a child process with bounded memory and time.

A PDF is a program of sorts: a few kB can hold a stream that inflates to
gigabytes (a decompression bomb: PDFium inflates a page's content stream whole),
a page tree of a million pages, or objects nested without end. Read in the
app's or the command's own process, one such file from a shared folder took
the machine's memory or hours of CPU, and ended the batch it was in.

So `read_pdf_pages` runs PDFium in a child (`python -m workbench.io.pdf_pages`)
that first limits itself (`resource.setrlimit`: address space `MEMORY_BYTES`,
CPU `CPU_SECONDS`) and refuses a PDF of more than `MAX_PAGES` pages; the
parent also ends it after `WALL_SECONDS` and when `cancel` is set. A child that
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

#: Marks the password as problem, through the pipe.
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


def read_pdf_pages(path: str | Path, password: str | None = None,
                   progress: Progress | None = None, cancel: threading.Event | None = None,
                   memory: int | None = None, cpu: int | None = None,
                   wall: float | None = None, max_pages: int | None = None) -> list[str]:
    """Return the raw text of each page of a PDF, read in a child with bounded memory and time.

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
    memory = MEMORY_BYTES if memory is None else memory
    cpu = CPU_SECONDS if cpu is None else cpu
    wall = WALL_SECONDS if wall is None else wall
    max_pages = MAX_PAGES if max_pages is None else max_pages
    if sys.platform == "win32":   # no setrlimit: read here
        return pdf_pages(path, password, max_pages, progress, cancel)
    request = json.dumps({"path": str(path), "password": password, "memory": memory,
                          "cpu": cpu, "max_pages": max_pages}) + "\n"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")]
        if p)}
    child = subprocess.Popen([sys.executable, "-m", "workbench.io.pdf_pages"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, close_fds=True)
    try:
        child.stdin.write(request.encode("utf-8"))
        child.stdin.close()
    except OSError:
        pass   # it died at once: its exit status says why
    result = None
    buffer = b""
    errors = b""
    deadline = time.monotonic() + wall
    with selectors.DefaultSelector() as watch:
        watch.register(child.stdout, selectors.EVENT_READ, "out")
        watch.register(child.stderr, selectors.EVENT_READ, "err")
        try:
            while watch.get_map():
                if cancel is not None and cancel.is_set():
                    raise FulltextError("text extraction was cancelled", path=path)
                if time.monotonic() > deadline:
                    raise FulltextError(f"reading the PDF took longer than {wall:,.0f} s; "
                                        "stopped", path=path, problem=UNREADABLE)
                for key, _ in watch.select(timeout=0.1):
                    block = os.read(key.fileobj.fileno(), 1 << 16)
                    if not block:
                        watch.unregister(key.fileobj)
                    elif key.data == "err":
                        errors = (errors + block)[-4000:]
                    else:
                        buffer += block
                        *lines, buffer = buffer.split(b"\n")
                        for line in lines:
                            message = json.loads(line)
                            if "done" in message and progress is not None:
                                progress(*message["done"])
                            elif "pages" in message or "error" in message:
                                result = message
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            child.stdout.close()
            child.stderr.close()
    if result is not None and "pages" in result:
        return result["pages"]
    if result is not None:
        raise FulltextError(result["error"], path=path, problem=result["problem"])
    raise FulltextError(_death(child.returncode, memory, cpu, errors), path=path,
                        problem=UNREADABLE)


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
    """The child: limit itself, read the PDF, answer on stdout as JSON lines."""
    import resource
    request = json.loads(sys.stdin.readline())
    resource.setrlimit(resource.RLIMIT_AS, (request["memory"], request["memory"]))
    resource.setrlimit(resource.RLIMIT_CPU, (request["cpu"], request["cpu"] + 5))
    out = sys.stdout.buffer

    def say(value) -> None:
        out.write(json.dumps(value, ensure_ascii=True).encode("ascii") + b"\n")
        out.flush()
    try:
        pages = pdf_pages(request["path"], request["password"], request["max_pages"],
                          progress=lambda done, total: say({"done": [done, total]}))
    except FulltextError as exc:
        say({"error": exc.message, "problem": exc.problem or ""})
        return
    say({"pages": pages})


if __name__ == "__main__":
    _child()

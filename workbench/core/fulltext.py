"""Full texts as pages of text: repair, running headers/footers, problems (pure; no file I/O).

An `Extraction` is what the workbench knows about one file's text: its
SHA-256, and one `Page` per page with the repaired text and the slice of it a
reader sees (`body_start:body_end`, running headers, footers and page numbers
left out where they were detected). Evidence offsets always count characters
in `Page.text` of the extraction of a given file hash (`EXTRACTOR_VERSION`
changes only if that text would change), so a passage saved today points at
the same characters tomorrow.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

#: Bump when the text a file gives would change (offsets of old evidence refer to older text).
EXTRACTOR_VERSION = 1

#: Extraction problems (Extraction.problem).
OK = ""
NO_TEXT = "no_text_layer"
PASSWORD = "password"
BROKEN = "broken_text_layer"
PARTIAL = "partial_text_layer"
UNREADABLE = "unreadable"

#: A character PDFium could not map to Unicode shows as this (kept: the reader sees a gap).
MISSING_CHAR = "\ufffd"

_LIGATURES = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LONE_CR_IN_WORD = re.compile(r"(?<=\w)\r(?=\w)")
_SOFT_BREAK = re.compile(r"[\ufffe\u00ad][ \t]*\n?")
_HYPHEN_BREAK = re.compile(r"(?<=[a-zà-ÿ])-[ \t]*\n(?=[a-zà-ÿ])")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s+)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?\W*$",
                          re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_EDGE_LINES = 3
_LATIN_LETTERS = "etaoinsrc"


@dataclass(frozen=True)
class Page:
    """One page: `text` (repaired) and the slice a reader sees, `text[body_start:body_end]`."""

    number: int
    text: str
    body_start: int = 0
    body_end: int = -1

    @property
    def body(self) -> str:
        """The reading view of the page (running headers/footers left out)."""
        end = len(self.text) if self.body_end < 0 else self.body_end
        return self.text[self.body_start:end]


@dataclass(frozen=True)
class Extraction:
    """One file's text, page by page.

    Attributes:
        sha256: the file's SHA-256 (evidence records it).
        name: the file name it was read from (display only).
        kind: "pdf", "html", "txt" or "docx".
        pages: one Page per page (one page for files without pages).
        problem: "" or one of NO_TEXT, PASSWORD, BROKEN, PARTIAL, UNREADABLE.
        message: what the problem means for the reviewer ("" when none).
        version: EXTRACTOR_VERSION that produced it.
    """

    sha256: str
    name: str
    kind: str
    pages: tuple[Page, ...] = ()
    problem: str = OK
    message: str = ""
    version: int = EXTRACTOR_VERSION
    stats: dict = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return any(p.text.strip() for p in self.pages)

    def to_json(self) -> dict:
        """Return plain data for the JSON cache (never pickle)."""
        return {"version": self.version, "sha256": self.sha256, "name": self.name,
                "kind": self.kind, "problem": self.problem, "message": self.message,
                "stats": self.stats,
                "pages": [[p.number, p.text, p.body_start, p.body_end] for p in self.pages]}

    @classmethod
    def from_json(cls, data: dict) -> "Extraction":
        """Rebuild from `to_json` data (raises KeyError/TypeError/ValueError when malformed)."""
        pages = tuple(Page(int(n), str(t), int(s), int(e)) for n, t, s, e in data["pages"])
        return cls(str(data["sha256"]), str(data["name"]), str(data["kind"]), pages,
                   str(data["problem"]), str(data["message"]), int(data["version"]),
                   dict(data.get("stats", {})))


def repair_text(text: str, marked_hyphens: bool = True) -> str:
    """Return page text with line ends, ligatures, soft hyphens and control characters repaired.

    Args:
        text: raw text of one page.
        marked_hyphens: the source marks line-break hyphens itself (PDFium writes
            U+FFFE); when False, "word-<newline>word" in lower case is joined too.
    """
    text = _LONE_CR_IN_WORD.sub(MISSING_CHAR, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SOFT_BREAK.sub("", text)
    if not marked_hyphens:
        text = _HYPHEN_BREAK.sub("", text)
    if any(ch in text for ch in _LIGATURES):
        text = "".join(_LIGATURES.get(ch, ch) for ch in text)
    text = _CONTROL.sub("", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _line_key(line: str) -> str:
    """Digits dropped and words sorted: "3 Journal X" (even pages) = "Journal X 4" (odd)."""
    return " ".join(sorted(_DIGITS.sub(" ", line).lower().split())) or "#"


def _edge_lines(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return (start, end) offsets of the first and last few non-blank lines of a page."""
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans[:_EDGE_LINES], spans[::-1][:_EDGE_LINES]


def find_bodies(texts: list[str]) -> list[tuple[int, int]]:
    """Return each page's (body_start, body_end): running headers/footers and page numbers cut.

    A line at the top (or bottom) of a page is running when, digits ignored, it
    repeats at the top (or bottom) of at least half the pages (three at least),
    or when it is a bare page number ("12", "iv", "Page 3 of 4", "3/16").
    Only lines touching the edge are cut, so body text is never taken out of the middle.
    """
    tops, bottoms = Counter(), Counter()
    edges = [_edge_lines(t) for t in texts]
    for text, (top, bottom) in zip(texts, edges):
        tops.update({_line_key(text[s:e]) for s, e in top})
        bottoms.update({_line_key(text[s:e]) for s, e in bottom})
    need = max(3, (len(texts) + 1) // 2)
    out = []
    for text, (top, bottom) in zip(texts, edges):
        start, end = 0, len(text)
        for s, e in top:
            line = text[s:e]
            if tops[_line_key(line)] >= need or _PAGE_NUMBER.match(line.strip()):
                start = e
            else:
                break
        for s, e in bottom:
            line = text[s:e]
            if s < start:
                break
            if bottoms[_line_key(line)] >= need or _PAGE_NUMBER.match(line.strip()):
                end = s
            else:
                break
        while start < end and text[start] == "\n":
            start += 1
        out.append((start, max(start, end)))
    return out


def diagnose(texts: list[str], kind: str = "pdf") -> tuple[str, str]:
    """Return (problem, message) for a document's page texts.

    No page with 20 or more characters means no text layer (a scan without
    OCR). Some pages without text, unmapped characters (U+FFFD) or a common
    Latin letter that never occurs in a long Latin text mean a broken layer.
    """
    counts = [len(t.strip()) for t in texts]
    if not texts or max(counts, default=0) < 20:
        what = "no text layer (a scanned image?)" if kind == "pdf" else "no text"
        return NO_TEXT, (f"{what}: nothing to read or quote here; decide and code from the "
                         "abstract, or add an OCR'd copy (e.g. ocrmypdf) and link it")
    joined = "".join(texts)
    missing = joined.count(MISSING_CHAR)
    letters = Counter(ch for ch in joined.lower() if "a" <= ch <= "z")
    total = sum(letters.values())
    absent = [ch for ch in _LATIN_LETTERS if total > 2000 and letters[ch] < total * 0.001]
    if absent or missing > 20:
        parts = []
        if absent:
            parts.append("the letter" + ("s " if len(absent) > 1 else " ")
                         + ", ".join(repr(a) for a in absent) + " never occurs")
        if missing > 20:
            parts.append(f"{missing} characters have no Unicode mapping (shown as {MISSING_CHAR})")
        return BROKEN, ("broken text layer (a font without a Unicode map): " + "; ".join(parts)
                        + ". Check quotes against the PDF before citing them")
    empty = [i + 1 for i, c in enumerate(counts) if c < 20]
    if kind == "pdf" and empty and len(empty) < len(texts):
        shown = ", ".join(map(str, empty[:8])) + (" ..." if len(empty) > 8 else "")
        return PARTIAL, f"{len(empty)} of {len(texts)} pages have no text (p. {shown})"
    return OK, ""


def build_extraction(sha256: str, name: str, kind: str, raw_pages: list[str],
                     marked_hyphens: bool = True, cut_running: bool = True,
                     stats: dict | None = None) -> Extraction:
    """Repair raw page texts, find each page's body and diagnose problems."""
    texts = [repair_text(t, marked_hyphens) for t in raw_pages]
    bodies = find_bodies(texts) if cut_running and len(texts) >= 3 else \
        [(0, len(t)) for t in texts]
    pages = tuple(Page(i + 1, t, s, e) for i, (t, (s, e)) in enumerate(zip(texts, bodies)))
    problem, message = diagnose(texts, kind)
    return Extraction(sha256, name, kind, pages, problem, message, EXTRACTOR_VERSION,
                      dict(stats or {}))

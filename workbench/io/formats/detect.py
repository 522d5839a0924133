"""Work out which export format a decoded file is in, from its content first."""

from __future__ import annotations

import csv
import io
import re
from pathlib import PurePath

from workbench.errors import WorkbenchError

#: Every format name detect_format can return.
FORMATS: tuple[str, ...] = ("bibtex", "ris", "medline", "wos", "endnote_xml", "pubmed_xml", "table")

_EXTENSIONS: dict[str, str] = {
    ".bib": "bibtex", ".bibtex": "bibtex",
    ".ris": "ris", ".enw": "ris",
    ".nbib": "medline", ".medline": "medline",
    ".isi": "wos", ".ciw": "wos",
    ".csv": "table", ".tsv": "table", ".tab": "table",
}

_HEAD_CHARS = 200_000
#: An entry head with its key and comma (`@article{key,`), or an @string/@comment/@preamble.
_BIBTEX_ENTRY = re.compile(
    r"^[ \t]*@(?:[A-Za-z]+[ \t]*[{(][ \t]*[^\s,{}()\"=#]*[ \t]*,|"
    r"(?:string|comment|preamble)[ \t]*[{(])", re.MULTILINE | re.IGNORECASE)
_RIS_TY = re.compile(r"^TY  ?- ", re.MULTILINE)
_RIS_TAG = re.compile(r"^[A-Z][A-Z0-9]  ?-(?: |$)", re.MULTILINE)
_MEDLINE_TAG = re.compile(r"^(?:PMID|PMC |OWN |STAT|FAU |DCOM|PST |SO  )- ", re.MULTILINE)
_WOS_HEAD = re.compile(r"^(?:FN |VR |PT [A-Z]\b|UT (?:WOS|ISI):)", re.MULTILINE)
_WOS_TAG = re.compile(r"^[A-Z][A-Z0-9] \S", re.MULTILINE)
_WOS_ER = re.compile(r"^ER\s*$", re.MULTILINE)
_PUBMED_XML = re.compile(r"<(?:PubmedArticleSet|PubmedArticle|MedlineCitation|PubmedBookArticle)\b")
_ENDNOTE_XML = re.compile(r"<(?:xml|records|record|XML|RECORDS|RECORD)>")


def _looks_like_table(head: str) -> bool:
    """True when the first line reads as a header row of a delimited table."""
    first = next((line for line in head.split("\n") if line.strip()), "")
    for delimiter in ("\t", ",", ";"):
        cells = [c.strip().strip('"') for c in first.split(delimiter)]
        if len(cells) >= 2 and sum(1 for c in cells if c) >= 2:
            return True
    return False


#: Rows of the head read to judge whether a table explains the file.
_TABLE_SAMPLE_ROWS = 500


def _table_fit(head: str) -> int:
    """Return how many sampled rows match the header's width, or 0 when most do not.

    A table explains a file when nearly every row has as many fields as its
    header row; a BibTeX or RIS file read as CSV does not.
    """
    first = next((line for line in head.split("\n") if line.strip()), "")
    if first.lstrip()[:1] in ("@", "%", "<") or not _looks_like_table(head):
        return 0
    counts = {d: first.count(d) for d in ("\t", ";", ",")}
    delimiter = max(counts, key=lambda d: (counts[d], d == "\t", d == ","))
    reader = csv.reader(io.StringIO(head.lstrip()), delimiter=delimiter)
    try:
        width = len(next(reader))
        rows = fitting = 0
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            fitting += len(row) == width
            if rows >= _TABLE_SAMPLE_ROWS:
                break
    except (csv.Error, StopIteration):
        return 0
    if width < 2 or not rows or fitting < 0.9 * rows:
        return 0
    return fitting


def _scores(head: str) -> dict[str, int]:
    """Return a score per format from content markers in the start of a file."""
    stripped = head.lstrip()
    scores = dict.fromkeys(FORMATS, 0)
    if stripped.startswith("<"):
        if _PUBMED_XML.search(head):
            scores["pubmed_xml"] = 100
        elif _ENDNOTE_XML.search(head):
            scores["endnote_xml"] = 100
        return scores
    scores["bibtex"] = 10 * len(_BIBTEX_ENTRY.findall(head))
    medline = len(_MEDLINE_TAG.findall(head))
    scores["medline"] = 10 * medline
    ris_ty = len(_RIS_TY.findall(head))
    ris_tags = len(_RIS_TAG.findall(head))
    scores["ris"] = 0 if medline > ris_ty else 10 * ris_ty + ris_tags
    wos_head = len(_WOS_HEAD.findall(head))
    if wos_head and (_WOS_ER.search(head) or "FN " in head[:200]):
        scores["wos"] = 10 * wos_head + len(_WOS_TAG.findall(head)) // 10
    if not any(scores.values()) and _looks_like_table(head):
        scores["table"] = 1
    elif scores["bibtex"] or scores["ris"] or scores["medline"]:
        fit = _table_fit(head)  # a table whose cells start lines with "@UNESCO (" or "TY  - "
        if fit:
            scores["table"] = 10 * fit + 1
    first = next((line for line in head.split("\n") if line.strip()), "")
    if first.startswith("PT\t") or first.count("\t") >= 3:
        scores["table"] = max(scores.values()) + 1
    return scores


def detect_format(text: str, filename: str) -> str:
    """Return the format of an export, judged from its content, the extension breaking ties.

    Args:
        text: the decoded file content.
        filename: the file name (only its extension is used).

    Returns:
        One of "bibtex", "ris", "medline", "wos", "endnote_xml", "pubmed_xml", "table".

    Raises:
        WorkbenchError: when neither content nor extension names a supported format.
    """
    head = text[:_HEAD_CHARS]
    scores = _scores(head)
    best = max(scores.values())
    by_extension = _EXTENSIONS.get(PurePath(filename).suffix.lower())
    if best > 0:
        tied = [fmt for fmt, score in scores.items() if score == best]
        if by_extension in tied:
            return by_extension
        return tied[0]
    if by_extension is not None:
        return by_extension
    raise WorkbenchError(
        "cannot tell what kind of export this is",
        path=filename,
        hint="supported: BibTeX (.bib), RIS (.ris), PubMed MEDLINE (.nbib/.txt), "
             "Web of Science plain text (.txt/.isi), EndNote XML, PubMed XML and "
             "CSV/TSV tables with a header row; nothing was imported")

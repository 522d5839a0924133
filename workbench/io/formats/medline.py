"""PubMed MEDLINE / .nbib reader (``PMID- 12345`` tagged text).

Written by hand because the `nbib` package gives up on a whole file at the
first odd line. Here an odd line becomes a Problem with its line number and
the rest of the file is still read.

Layout: a tag of up to four characters padded to four, a dash and a space
(``TI  - Title``); continuation lines start with white space (six spaces);
records are separated by blank lines or start at a new ``PMID-``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem

log = logging.getLogger(__name__)

FORMAT = "medline"

_TAG_HEAD = re.compile(r"[A-Z][A-Z0-9]{1,3} *")
_BRACKET = re.compile(r"\s*\[([a-z]+)\]\s*$")
_PAREN = re.compile(r"\s*\(.*?\)\s*$")


def parse_medline(text: str, path: str, database: str = "") -> ImportReport:
    """Read a PubMed MEDLINE (.nbib / .txt) export.

    Args:
        text: the decoded file content, with "\\n" line endings.
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.

    Returns:
        An ImportReport: one Record per entry with a PMID, and a Problem for
        every line inside an entry that is not a MEDLINE line and every entry
        with no PMID. Free text between entries is ignored (it holds no data).

    Raises:
        Nothing for bad input: every defect is reported as a Problem.
    """
    return ImportReport.of_chunks(medline_chunks([text.split("\n")], path, database), FORMAT)


def medline_chunks(blocks: Iterable[list[str]], path: str,
                   database: str = "") -> Iterator[tuple[list[Record], list[Problem]]]:
    """Read a MEDLINE export given as lists of lines, yielding its records a list at a time.

    The rules are `parse_medline`'s; an entry may run across lists. Only the
    records of one list (and the open entry) are held at a time
    (`workbench.io.formats.references.stream_export`).

    Args:
        blocks: the text's lines without their "\\n", in lists; chained, they
            are `text.split("\\n")`.
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.

    Yields:
        (records, problems) found since the last yield, the problems sorted by
        line as `parse_medline` sorts them (a problem of the open entry waits
        until the entry ends, since "no PMID" is reported at its first line).
    """
    records: list[Record] = []
    problems: list[Problem] = []
    fields: dict[str, list[str]] = {}
    start = 0
    ordinal = 0
    last: list[str] | None = None  # the value list of the last tag, for continuations
    damaged = False  # the open entry has a problem: it is reported, not imported

    def finish() -> None:
        nonlocal fields, start, last, damaged
        if fields:
            entry = f"record {ordinal}"
            if not fields.get("PMID", [""])[0].strip():
                problems.append(Problem(path, start, entry,
                                        "entry has no PMID- line; not read as a PubMed record"))
            elif not damaged:
                records.append(_build_record(fields, path, database, start))
        fields = {}
        last = None
        damaged = False

    heads: dict[str, str | None] = {}  # first four characters -> tag (or None): no regex per line
    number = 0
    for lines in blocks:
        for line in lines:
            number += 1
            if not line or line.isspace():
                finish()
                continue
            tag = None
            if line[4:5] == "-":
                head = line[:4]
                tag = heads.get(head, "")
                if tag == "":
                    tag = heads[head] = head.rstrip() if _TAG_HEAD.fullmatch(head) else None
            if tag is not None:
                value = line[5:].strip()
                if tag == "PMID" and "PMID" in fields:
                    finish()
                if not fields:
                    ordinal += 1
                    start = number
                last = fields.get(tag)
                if last is None:
                    last = fields[tag] = []
                last.append(value)
                continue
            if line[0] in " \t" and last is not None:
                last[-1] = f"{last[-1]} {line.strip()}" if last[-1] else line.strip()
                continue
            if not fields:  # free text between records (a note, a numbering line): no data lost
                log.info("%s:%d: text between records ignored: %r", path, number,
                         line.strip()[:60])
                continue
            problems.append(Problem(path, number, f"record {ordinal}",
                                    f"not a MEDLINE line (expected 'TAG - value'): "
                                    f"{line.strip()[:60]!r}; record was not imported"))
            damaged = True
        if fields:  # the open entry's problems wait for it to end
            ready = [p for p in problems if (p.line or 0) < start]
            problems = [p for p in problems if (p.line or 0) >= start]
        else:
            ready, problems = problems, []
        if records or ready:
            ready.sort(key=lambda p: p.line or 0)
            yield records, ready
            records = []
    finish()
    if records or problems:
        problems.sort(key=lambda p: p.line or 0)
        yield records, problems


def _first(fields: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        for value in fields.get(tag, ()):
            if value:
                return value
    return ""


def _all(fields: dict[str, list[str]], *tags: str) -> list[str]:
    return [v for tag in tags for v in fields.get(tag, ()) if v]


def _doi(fields: dict[str, list[str]]) -> str:
    fallback = ""
    for value in fields.get("LID", []) + fields.get("AID", []):
        kind = _BRACKET.search(value)
        if kind and kind.group(1) == "doi":
            doi = normalize_doi(_BRACKET.sub("", value))
            if doi:
                return doi
        elif not kind and not fallback:
            fallback = normalize_doi(value)
    return fallback


def _build_record(fields: dict[str, list[str]], path: str, database: str, line: int) -> Record:
    pmid = _first(fields, "PMID")
    authors = _all(fields, "FAU") or _all(fields, "AU")
    abstracts = _all(fields, "AB")
    keywords = list(dict.fromkeys(_all(fields, "MH", "OT")))
    issn = _first(fields, "IS")
    title = clean_text(" ".join(_all(fields, "TI")) or _first(fields, "BTI"))
    return Record(
        title=title,
        abstract="\n\n".join(clean_text(a) for a in abstracts),
        authors=tuple(authors),
        year=parse_year(_first(fields, "DP", "DEP", "EDAT")),
        venue=_first(fields, "JT", "TA", "CTI"),
        volume=_first(fields, "VI"),
        issue=_first(fields, "IP"),
        pages=_first(fields, "PG"),
        doi=_doi(fields),
        pmid=pmid,
        isbn=_first(fields, "ISBN"),
        issn=_PAREN.sub("", issn),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else "",
        keywords=tuple(keywords),
        language=_first(fields, "LA"),
        pub_type="; ".join(_all(fields, "PT")),
        file=path,
        database=database,
        key=pmid,
        line=line,
    )

"""Web of Science plain-text tagged export reader (savedrecs.txt, .isi, .ciw).

Layout: an ``FN``/``VR`` header, then records from ``PT`` to ``ER``, then
``EF``. Each line is a two-character tag, a space and a value; continuation
lines start with three spaces. Tags the reader does not know are kept out of
the Record but never stop it (Clarivate keeps adding tags: C3, WE, ...).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem

log = logging.getLogger(__name__)

FORMAT = "wos"

_TAG = re.compile(r"[A-Z][A-Z0-9]$")
_AFTER_TAG = (" ", "")
#: Tags whose lines (and continuation lines) are separate items.
LIST_TAGS = frozenset({"AU", "AF", "BA", "BF", "CA", "GP", "BE", "CR", "C1", "C3", "EM", "RI", "OI"})
#: Tags a malformed line like ``AUGilles, H`` may be recovered to.
KNOWN_TAGS = frozenset({
    "PT", "AU", "AF", "BA", "BF", "CA", "GP", "BE", "TI", "SO", "SE", "BS", "LA", "DT", "CT",
    "CY", "CL", "SP", "HO", "DE", "ID", "AB", "C1", "C3", "RP", "EM", "RI", "OI", "FU", "FP",
    "FX", "CR", "NR", "TC", "Z9", "U1", "U2", "PU", "PI", "PA", "SN", "EI", "BN", "J9", "JI",
    "PD", "PY", "VL", "IS", "PN", "SU", "SI", "MA", "BP", "EP", "AR", "DI", "DL", "D2", "EA",
    "PG", "WC", "WE", "SC", "GA", "PM", "OA", "HC", "HP", "DA", "UT", "ER", "PS",
})
_HEADER_TAGS = frozenset({"FN", "VR", "EF"})


def parse_wos(text: str, path: str, database: str = "") -> ImportReport:
    """Read a Web of Science plain-text ("tagged") export.

    Args:
        text: the decoded file content, with "\\n" line endings.
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.

    Returns:
        An ImportReport with one Record per PT..ER record, and a Problem for
        each malformed line in a record, each record missing its ER and each
        tag found outside a record. Untagged text between records is ignored.

    Raises:
        Nothing for bad input: every defect is reported as a Problem.
    """
    return ImportReport.of_chunks(wos_chunks([text.split("\n")], path, database), FORMAT)


def wos_chunks(blocks: Iterable[list[str]], path: str,
               database: str = "") -> Iterator[tuple[list[Record], list[Problem]]]:
    """Read a Web of Science export given as lists of lines, yielding its records a list at a time.

    The rules are `parse_wos`'s; a record may run across lists. Only the
    records of one list (and the open record) are held at a time
    (`workbench.io.formats.references.stream_export`).

    Args:
        blocks: the text's lines without their "\\n", in lists; chained, they
            are `text.split("\\n")`. Leading U+FEFF of the first line are dropped
            (as `text.lstrip("\\ufeff")`).
        path: the display path used in problems and in `Record.file`.
        database: the database label stored in `Record.database`.

    Yields:
        (records, problems) found since the last yield, the problems sorted by
        line as `parse_wos` sorts them (a problem at or after the open record's
        first line waits until the record ends, since "no ER" is reported at
        its first line).
    """
    records: list[Record] = []
    problems: list[Problem] = []
    tags: dict[str, list[str]] | None = None
    start = 0
    ordinal = 0
    last_tag = ""
    damaged = False  # the open record has a problem: it is reported, not imported

    def close(complete: bool, number: int, why: str) -> None:
        nonlocal tags, damaged
        if tags is None:
            return
        entry = f"record {ordinal}"
        if not complete:
            problems.append(Problem(path, start, entry, f"record has no ER line ({why} at line "
                                                        f"{number}); record was not imported"))
        elif not damaged:
            records.append(record_from_tags(tags, path, database, start, entry))
        tags = None
        damaged = False

    heads: dict[str, str | None] = {}
    number = 0
    raw = ""
    first = True
    for lines in blocks:
        if first and lines:
            lines = [lines[0].lstrip("\ufeff"), *lines[1:]] if lines[0][:1] == "\ufeff" \
                else lines
            first = False
        for raw in lines:
            number += 1
            line = raw.rstrip()
            if not line:
                continue
            if line[2:3] in _AFTER_TAG:  # cheap test first; the regex runs once per distinct head
                head = line[:2]
                tag = heads.get(head, "")
                if tag == "":
                    tag = heads[head] = head if _TAG.match(head) else None
            else:
                tag = None
            if tag is None and tags is None:  # free text between records: no data lost
                log.info("%s:%d: text outside a record ignored: %r", path, number,
                         line.strip()[:60])
                continue
            if tag is None:
                if line[0] in " \t":
                    if last_tag:
                        _add(tags, last_tag, line.strip(), continuation=True)
                    else:
                        problems.append(Problem(path, number, f"record {ordinal}",
                                                "continuation line after an unreadable line; "
                                                "record was not imported"))
                        damaged = True
                    continue
                recovered = line[:2] if line[:2] in KNOWN_TAGS and line[2:3].isalpha() else ""
                entry = f"record {ordinal}"
                if recovered:
                    problems.append(Problem(path, number, entry,
                                            f"tag {recovered!r} is not followed by a space: "
                                            f"{line[:40]!r}; record was not imported"))
                    last_tag = recovered
                    _add(tags, recovered, line[2:].strip(), continuation=False)
                else:
                    problems.append(Problem(path, number, entry,
                                            f"not a Web of Science tag line: {line[:60]!r}; "
                                            "record was not imported"))
                    last_tag = ""
                damaged = True
                continue
            value = line[3:].strip()
            if tag == "PT":
                close(False, number, "next PT")
                ordinal += 1
                start = number
                tags = {}
            elif tag == "ER":
                if tags is None:
                    problems.append(Problem(path, number, None, "ER without a PT record before it"))
                close(True, number, "")
                last_tag = ""
                continue
            elif tags is None:
                if tag not in _HEADER_TAGS:
                    problems.append(Problem(path, number, None,
                                            f"tag {tag} outside a record (no PT line before it)"))
                continue
            elif tag == "EF":
                close(False, number, "EF")
                continue
            last_tag = tag
            _add(tags, tag, value, continuation=False)
        if tags is not None:  # the open record's problems wait for it to end
            ready = [p for p in problems if (p.line or 0) < start]
            problems = [p for p in problems if (p.line or 0) >= start]
        else:
            ready, problems = problems, []
        if records or ready:
            ready.sort(key=lambda p: p.line or 0)
            yield records, ready
            records = []
    close(False, number - (not raw), "file ends")
    if records or problems:
        problems.sort(key=lambda p: p.line or 0)
        yield records, problems


def _add(tags: dict[str, list[str]], tag: str, value: str, continuation: bool) -> None:
    values = tags.setdefault(tag, [])
    if continuation and tag not in LIST_TAGS and values:
        values[-1] = f"{values[-1]} {value}"
    else:
        values.append(value)


def _first(tags: dict[str, list[str]], *names: str) -> str:
    for name in names:
        for value in tags.get(name, ()):
            if value.strip():
                return clean_text(value)
    return ""


def _split(values: list[str]) -> list[str]:
    items: list[str] = []
    for value in values:
        items.extend(clean_text(part) for part in value.split(";") if part.strip())
    return items


def record_from_tags(tags: dict[str, list[str]], path: str, database: str,
                     line: int | None, fallback_key: str) -> Record:
    """Build a Record from Web of Science tags (plain-text or tab-delimited export).

    Args:
        tags: tag -> values; list tags (AU, AF) hold one or more authors per value,
            separated by ";" in the tab-delimited export.
        path: the display path stored in `Record.file`.
        database: the database label.
        line: the 1-based line where the record starts, if known.
        fallback_key: the key used when the record has no UT accession number.

    Returns:
        The normalized Record.
    """
    authors = _split(tags.get("AF", [])) or _split(tags.get("AU", [])) \
        or _split(tags.get("CA", [])) or _split(tags.get("GP", []))
    first_page, last_page = _first(tags, "BP"), _first(tags, "EP")
    if first_page and last_page:
        pages = f"{first_page}-{last_page}"
    else:
        pages = first_page or _first(tags, "AR", "PS")
    keywords = list(dict.fromkeys(_split(tags.get("DE", [])) + _split(tags.get("ID", []))))
    pmid = _first(tags, "PM")
    accession = _first(tags, "UT")
    if not pmid and accession.upper().startswith("MEDLINE:"):
        pmid = accession.split(":", 1)[1]
    return Record(
        title=_first(tags, "TI"),
        abstract=_first(tags, "AB"),
        authors=tuple(authors),
        year=parse_year(_first(tags, "PY")) or parse_year(_first(tags, "PD", "EA")),
        venue=_first(tags, "SO", "J9", "JI", "SE"),
        volume=_first(tags, "VL"),
        issue=_first(tags, "IS"),
        pages=pages,
        doi=normalize_doi(_first(tags, "DI")),
        pmid=pmid,
        isbn=_first(tags, "BN"),
        issn=_first(tags, "SN", "EI"),
        url=_first(tags, "DL"),
        keywords=tuple(keywords),
        language=_first(tags, "LA"),
        pub_type=_first(tags, "DT"),
        file=path,
        database=database,
        key=accession or fallback_key,
        line=line,
    )

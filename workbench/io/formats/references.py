"""Read one search export from disk: decode, detect the format, dispatch to its parser."""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from workbench.core.records import RECORD_FIELDS, ImportReport
from workbench.errors import Problem, WorkbenchError
from workbench.io.formats.detect import _HEAD_CHARS as DETECT_HEAD_CHARS
from workbench.io.formats.detect import detect_format
from workbench.io.formats.encoding import decode_export

log = logging.getLogger(__name__)

_HEAD_CHARS = 50_000

#: (label, pattern) checked in order against the start of a file; the first match wins.
_HEADER_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.MULTILINE | re.IGNORECASE)) for label, pattern in (
        ("Web of Science", r"^FN (?:Clarivate|Thomson Reuters|ISI Export)|^UT WOS:|"
                           r"WOS:\d{15}|\{ ?ISI:\d{9}|^DB  - Web of Science|"
                           r"^PT\tAU\t"),
        ("Scopus", r"^Source: Scopus|^DB  - Scopus|^Scopus\s*\nEXPORT DATE|"
                   r"scopus\.com/inward/|,\"?Scopus\"?\s*$|source=\{Scopus\}"),
        ("Embase", r"^DB  - Embase|embase\.com|Emtree"),
        ("PubMed", r"^PMID- |<PubmedArticleSet|^DB  - PubMed|^PMC - "),
        ("MEDLINE", r"^DB  - [^\n]*MEDLINE"),
        ("PsycINFO", r"^DB  - (?:psyh|APA PsycInfo|PsycINFO)"),
        ("CINAHL", r"^DB  - (?:rzh|cin20|CINAHL)"),
        ("ProQuest", r"^DB  - ProQuest"),
    ))
#: Weaker markers (links), checked only when no header or DB tag names the database.
_LINK_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern, re.IGNORECASE)) for label, pattern in (
        ("Dimensions", r"app\.dimensions\.ai/"),
        ("Lens", r"//(?:www\.)?lens\.org/"),
        ("OpenAlex", r"//openalex\.org/"),
        ("Google Scholar", r"//scholar\.google\."),
        ("ProQuest", r"search\.proquest\.com"),
        ("EBSCOhost", r"^DP  - EBSCOhost|search\.ebscohost\.com"),
        ("PsycINFO", r"ovidsp\.ovid\.com/\S*[?&]D=psyc|sid=OVID:psycdb"),
    ))
_DB_TAG = re.compile(r"^DB  - (.+)$", re.MULTILINE)


def guess_database(text: str, filename: str) -> str:
    """Return the database an export most likely came from, from markers in its content.

    Args:
        text: the decoded content (the first few tens of kB are enough).
        filename: the file name; used only when the content says nothing.

    Returns:
        A label such as "Scopus", "Web of Science", "PubMed", "Embase", a RIS
        file's own DB value, or "" when nothing points to a database.
    """
    head = text[:_HEAD_CHARS]
    for label, pattern in _HEADER_MARKERS:
        if pattern.search(head):
            return label
    db = _DB_TAG.search(head)
    if db:
        value = " ".join(db.group(1).split())
        if re.fullmatch(r"[a-z0-9]{2,5}", value) and "DP  - EBSCOhost" in head:
            return f"EBSCOhost ({value})"  # EBSCO writes its short database codes
        return value
    for label, pattern in _LINK_MARKERS:
        if pattern.search(head):
            return label
    name = filename.lower()
    for label, word in (("Scopus", "scopus"), ("Web of Science", "savedrecs"),
                        ("Web of Science", "wos"), ("PubMed", "pubmed"), ("Embase", "embase"),
                        ("PsycINFO", "psycinfo")):
        if word in name:
            return label
    return ""


def _parser(fmt: str):
    """Return the parse function for a format (imported lazily)."""
    if fmt == "bibtex":
        from workbench.io.formats.bibtex import parse_bibtex
        return parse_bibtex
    if fmt == "ris":
        from workbench.io.formats.ris import parse_ris
        return parse_ris
    if fmt == "endnote_xml":
        from workbench.io.formats.endnote_xml import parse_endnote_xml
        return parse_endnote_xml
    if fmt == "medline":
        from workbench.io.formats.medline import parse_medline
        return parse_medline
    if fmt == "pubmed_xml":
        from workbench.io.formats.pubmed_xml import parse_pubmed_xml
        return parse_pubmed_xml
    if fmt == "wos":
        from workbench.io.formats.wos import parse_wos
        return parse_wos
    raise ValueError(f"no parser for format {fmt!r}")


def read_export(path: Path, display_path: str | None = None, database: str = "",
                mapping: dict[str, str] | None = None,
                filename: str | None = None) -> ImportReport:
    """Read a search export of any supported format into records and problems.

    The file is only read, never changed. Its encoding and format are detected
    from the content; broken entries come back as Problems, not exceptions.

    Args:
        path: the export on disk.
        display_path: the path shown in problems and stored in Record.file
            (defaults to `path` as given).
        database: the database label; when "", it is guessed from the content.
        mapping: column name -> Record field, for CSV/TSV tables only.
        filename: the export's own name, for the format and database hints
            (default: the name of `path`; an import reads a staged copy).

    Returns:
        ImportReport with `format` set to the detected format name.

    Raises:
        WorkbenchError: when the file cannot be read, decoded, or recognised.
    """
    path = Path(path)
    shown = display_path if display_path is not None else str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbenchError(f"cannot read the file ({exc.strerror or exc})", path=shown,
                             hint="nothing was imported") from exc
    decoded = decode_export(data, shown)
    text = decoded.text
    if not text.strip():
        return ImportReport(problems=[Problem(shown, 1, None,
                                              "the file is empty; nothing was imported")])
    name = filename or path.name
    try:
        fmt = detect_format(text, name)
    except WorkbenchError as exc:
        raise WorkbenchError(exc.message, path=shown, line=1, hint=exc.hint) from exc
    label = database or guess_database(text, name)
    log.info("%s: %s export%s", shown, fmt, f" from {label}" if label else "")
    if fmt == "table":
        from workbench.io.formats.tabular import parse_table
        report = parse_table(text, shown, label, mapping=mapping)
    else:
        report = _parser(fmt)(text, shown, label)
    if decoded.bad_lines:
        report = set_aside_damaged(report, decoded.bad_lines, shown, decoded.encoding)
    if any(r.abstract.strip().lower() in NO_ABSTRACT for r in report.records):
        report = dataclasses.replace(report, records=[
            dataclasses.replace(r, abstract="") if r.abstract.strip().lower() in NO_ABSTRACT
            else r for r in report.records])
    if any(k.strip().lower() in NO_KEYWORD for r in report.records for k in r.keywords):
        report = dataclasses.replace(report, records=[
            dataclasses.replace(r, keywords=tuple(k for k in r.keywords
                                                  if k.strip().lower() not in NO_KEYWORD))
            for r in report.records])
    return dataclasses.replace(report, format=fmt)


@dataclasses.dataclass(frozen=True)
class ExportStream:
    """An export read from disk a chunk at a time (see `stream_export`).

    `chunks` yields (rows, problems): each row a record's values in
    `RECORD_FIELDS` order, with the placeholders of `read_export` already
    cleared; iterating it may raise `table_rows.NotStreamable` (a damaged byte
    far into the file): read the file with `read_export` then.
    """

    format: str
    database: str
    chunks: Iterator[tuple[list[list], list[Problem]]]


#: Formats `stream_export` reads a chunk at a time (the others are read whole).
STREAMED_FORMATS = ("table", "ris", "medline", "wos")


def stream_export(path: Path, display_path: str, database: str = "",
                  mapping: dict[str, str] | None = None, chunk_rows: int | None = None,
                  filename: str | None = None) -> ExportStream | None:
    """Read a CSV/TSV, RIS, MEDLINE or Web of Science export from disk in chunks.

    For exports too large to hold.

    The records and problems are those `read_export` gives for the same file;
    only the current chunk (a few MB of text, at most `chunk_rows` table rows)
    is held at a time.

    Args:
        path: the export on disk.
        display_path: the path shown in problems and stored in Record.file.
        database: the database label; when "", it is guessed from the content.
        mapping: column name -> Record field (tables only).
        chunk_rows: table records per chunk (default `tabular.CHUNK_ROWS`).
        filename: the export's own name, for the format and database hints
            (default: the name of `path`).

    Returns:
        An ExportStream, or None when the file is not a table, RIS, MEDLINE or
        Web of Science plain-text export in clean UTF-8 (then `read_export` reads it, with all its checks
        and repairs).

    Raises:
        OSError: the file cannot be read.
    """
    from workbench.io.formats.table_rows import NotStreamable, lf_blocks, text_blocks

    name = filename or Path(path).name
    blocks = text_blocks(Path(path), newlines=False)  # line ends as they are: see below
    head: list[str] = []
    size = 0
    try:
        for block in blocks:  # the head detection reads (CR LF may make it shrink by
            head.append(block)  # half), and its whole first line
            size += len(block)
            if size >= 2 * _DETECT_CHARS and "\n" in block:
                break
    except NotStreamable:
        return None
    raw = "".join(head)
    text = "".join(lf_blocks([raw]))  # its start, as decode_export gives it
    if not text.strip():
        return None
    try:
        fmt = detect_format(text, name)
    except WorkbenchError:
        return None
    if fmt not in STREAMED_FORMATS:
        return None
    label = database or guess_database(text, name)
    rest = itertools.chain([raw], blocks)
    if fmt == "table":
        from workbench.io.formats.table_rows import table_row_lists
        from workbench.io.formats.tabular import CHUNK_ROWS, row_list_chunks, sniff_delimiter
        chunks = row_list_chunks(table_row_lists(rest, sniff_delimiter(text)), display_path,
                                 label, mapping, chunk_rows or CHUNK_ROWS)
        return ExportStream(fmt, label, (_cleared(rows, problems) for rows, problems in chunks))
    from workbench.io.formats.table_rows import split_blocks
    if fmt == "ris":
        from workbench.io.formats.ris import ris_chunks as read_chunks
    elif fmt == "wos":
        from workbench.io.formats.wos import wos_chunks as read_chunks
    else:
        from workbench.io.formats.medline import medline_chunks as read_chunks
    chunks = read_chunks(split_blocks(lf_blocks(rest)), display_path, label)
    return ExportStream(fmt, label, (_cleared(list(map(_record_row, records)), problems)
                                     for records, problems in chunks))


def _record_row(record, names=RECORD_FIELDS) -> list:
    values = record.__dict__
    return [values[name] for name in names]


#: Characters `detect_format` and `guess_database` look at (at least).
_DETECT_CHARS = max(DETECT_HEAD_CHARS, _HEAD_CHARS)
_ABSTRACT, _KEYWORDS = RECORD_FIELDS.index("abstract"), RECORD_FIELDS.index("keywords")


def _cleared(rows: list[list], problems: list[Problem]) -> tuple[list[list], list[Problem]]:
    """Clear placeholder abstracts and keywords in record rows, as `read_export` does.

    Same test as `read_export`'s, without lower-casing every abstract: a value
    longer than the longest placeholder cannot be one (lower-casing never makes a
    text shorter), and each distinct keyword of the chunk is looked at once.
    """
    for row in rows:
        abstract = row[_ABSTRACT].strip()
        if len(abstract) <= _LONGEST_ABSTRACT and abstract.lower() in NO_ABSTRACT:
            row[_ABSTRACT] = ""
    words = set().union(*(row[_KEYWORDS] for row in rows))
    placeholders = {k for k in words if k.strip().lower() in NO_KEYWORD}
    if placeholders:
        for row in rows:
            keywords = row[_KEYWORDS]
            if not placeholders.isdisjoint(keywords):
                row[_KEYWORDS] = tuple(k for k in keywords if k not in placeholders)
    return rows, problems


#: What databases write where a record has no abstract (Web of Science's `AB  - NA`,
#: Scopus' "[No abstract available]"): read as no abstract, never shown as one.
NO_ABSTRACT = frozenset({"na", "n/a", "[no abstract available]", "no abstract available",
                         "[no abstract]", "no abstract"})
_LONGEST_ABSTRACT = max(map(len, NO_ABSTRACT))
#: What databases write as a keyword where a record has none (PsycINFO's "No terms
#: assigned"): dropped, never shown or counted as a keyword.
NO_KEYWORD = frozenset({"no terms assigned", "na", "n/a", "[no keywords]", "no keywords",
                        "[no keywords available]", "no keywords available"})



def set_aside_damaged(report: ImportReport, bad_lines: tuple[int, ...], path: str,
                      encoding: str) -> ImportReport:
    """Drop the records that hold damaged bytes and report each damaged line.

    A record holds a line when it is the last record starting at or before it.
    A damaged line before the first record is reported on its own; when records
    carry no line numbers, no record can be cleared and none is kept.

    Args:
        report: what the parser made of the decoded text.
        bad_lines: 1-based lines with bytes that were not valid (shown as U+FFFD).
        path: the display path.
        encoding: the encoding the file was read in, for the message.

    Returns:
        The report without the damaged records, with one Problem per damaged line.
    """
    what = f"bytes that are not valid {encoding} or NUL bytes (shown as \ufffd)"
    records = report.records
    problems = list(report.problems)
    if any(r.line is None for r in records):
        problems.extend(Problem(path, line, None, f"{what}; the record they belong to cannot "
                                "be told, so no record of this file was imported")
                        for line in bad_lines)
        return dataclasses.replace(report, records=[], problems=_sorted(problems))
    order = sorted(range(len(records)), key=lambda i: records[i].line)
    starts = [records[i].line for i in order]
    damaged: set[int] = set()
    for line in bad_lines:
        at = bisect.bisect_right(starts, line) - 1
        if at < 0:
            problems.append(Problem(path, line, None, f"{what}, before the first record; "
                                                      "this line was not imported"))
            continue
        index = order[at]
        record = records[index]
        if index not in damaged:
            problems.append(Problem(path, line, record.key or None,
                                    f"{what}; record was not imported"))
        damaged.add(index)
    kept = [r for i, r in enumerate(records) if i not in damaged]
    return dataclasses.replace(report, records=kept, problems=_sorted(problems))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)

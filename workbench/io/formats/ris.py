"""RIS exports from every common database, with our own framing and line numbers.

rispy is not used for framing: it silently drops a first record after a BOM and a
last record without "ER  -", merges records that lack "ER", and gives no line
numbers. Tag reading is simple enough to do here in one pass.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem

log = logging.getLogger(__name__)

#: A tag line: two-character tag, one or two spaces, "-", optional value.
_TAG = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?: (.*)|$)")
#: Tags whose repeated or continued values are separate items.
_LIST_TAGS = frozenset({"AU", "A1", "A2", "A3", "A4", "KW", "UR", "L1", "L2", "L4", "SN", "DO"})
_VENUE_TAGS = ("JF", "T2", "JO", "BT", "JA", "J2", "J1", "T3")
_ISSN = re.compile(r"(?<![\dX-])(\d{4})-?(\d{3}[\dXx])(?![\dXx-])")
_ISBN = re.compile(r"(?<![\d-])(?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx](?![\dXx])")
_PMID = re.compile(r"^\d{1,9}$")


def split_issn_isbn(value: str) -> tuple[str, str]:
    """Split an SN/ISSN/ISBN value into (issn, isbn) by the shape of each number.

    ISSNs come back as "1234-567X", ISBNs without hyphens; several of one kind are
    joined with "; ". Either part is "" when absent.
    """
    issns: list[str] = []
    isbns: list[str] = []
    for token in re.split(r"[;,/\s]+(?:\(\w+\)\s*)?", value):
        token = token.strip().strip("()")
        digits = re.sub(r"[- ]", "", token)
        if len(digits) in (10, 13) and re.fullmatch(r"\d{9,12}[\dXx]", digits):
            if digits not in isbns:
                isbns.append(digits.upper())
            continue
        match = _ISSN.fullmatch(token) or (len(digits) == 8 and _ISSN.fullmatch(digits))
        if match:
            issn = f"{match.group(1)}-{match.group(2).upper()}"
            if issn not in issns:
                issns.append(issn)
    return "; ".join(issns), "; ".join(isbns)


def _pages(tags: dict[str, list[str]]) -> str:
    """Return "SP-EP", or SP alone when it already holds a range."""
    start = clean_text(_first(tags, "SP"))
    end = clean_text(_first(tags, "EP"))
    if start and end and "-" not in start and start != end:
        return f"{start}-{end}"
    return start or end


def _first(tags: dict[str, list[str]], *names: str) -> str:
    """Return the first non-empty value among the given tags."""
    for name in names:
        for value in tags.get(name, ()):
            if value.strip():
                return value
    return ""


def _doi(tags: dict[str, list[str]]) -> str:
    """Find the DOI in DO, M3, or a doi.org link in UR/L2."""
    for name in ("DO", "M3", "N1"):
        for value in tags.get(name, ()):
            if name != "DO" and "10." not in value[:40]:
                continue
            doi = normalize_doi(value)
            if doi:
                return doi
    for name in ("UR", "L2", "L1", "LK"):
        for value in tags.get(name, ()):
            if "doi.org/" in value:
                doi = normalize_doi(value)
                if doi:
                    return doi
    return ""


def _pmid(tags: dict[str, list[str]]) -> str:
    """Return a PMID from a PMID/PM tag, or an all-digit AN in a PubMed/MEDLINE record."""
    explicit = clean_text(_first(tags, "PMID", "PM"))
    if explicit:
        return explicit
    accession = clean_text(_first(tags, "AN"))
    source = " ".join(tags.get("DB", []) + tags.get("DP", [])).lower()
    if _PMID.match(accession) and ("pubmed" in source or "medline" in source or "nlm" in source):
        return accession
    return ""


def _keywords(values: list[str]) -> tuple[str, ...]:
    """Return keywords, splitting values that pack several on one line with ";"."""
    out: list[str] = []
    for value in values:
        out.extend(k for k in (clean_text(p) for p in value.split(";")) if k)
    return tuple(out)


def _to_record(tags: dict[str, list[str]], ordinal: int, line: int, path: str,
               database: str) -> Record:
    """Build a Record from one RIS record's tags."""
    authors = tuple(a for a in (clean_text(v) for v in tags.get("AU", [])) if a)
    issn, isbn = split_issn_isbn(" ; ".join(tags.get("SN", [])))
    url = next((clean_text(u) for u in tags.get("UR", []) if u.strip()), "")
    return Record(
        title=clean_text(_first(tags, "TI", "T1", "CT", "ST")),
        abstract=clean_text(_first(tags, "AB", "N2")),
        authors=authors,
        year=parse_year(_first(tags, "PY", "Y1", "DA", "Y2")),
        venue=clean_text(_first(tags, *_VENUE_TAGS)),
        volume=clean_text(_first(tags, "VL", "VO")),
        issue=clean_text(_first(tags, "IS", "CP")),
        pages=_pages(tags), doi=_doi(tags), pmid=_pmid(tags), isbn=isbn, issn=issn, url=url,
        keywords=_keywords(tags.get("KW", [])),
        language=clean_text(_first(tags, "LA")),
        pub_type=clean_text(_first(tags, "TY")),
        file=path, database=database or clean_text(_first(tags, "DB")),
        key=clean_text(_first(tags, "ID")) or f"record {ordinal}", line=line)


def parse_ris(text: str, path: str, database: str = "") -> ImportReport:
    """Parse a RIS export into records, reporting records that are not properly framed.

    A record starts at "TY  -" and ends at "ER  -". A record with no "ER", tags
    with no "TY", and a file with content but no record at all are reported as
    Problems naming the line. Numbering lines and free text between records
    (Ovid's "1.", "Link to the Ovid Full Text") are skipped; untagged lines inside a
    record continue the previous tag.

    Args:
        text: the decoded file content.
        path: display path for problems and Record.file.
        database: the database label; when "", each record's DB tag is used.

    Returns:
        ImportReport with the well-framed records and a Problem per broken one.
    """
    report = ImportReport.of_chunks(ris_chunks([text.split("\n")], path, database), "ris")
    log.debug("%s: %d RIS records, %d problems", path, len(report.records), len(report.problems))
    return report


def ris_chunks(blocks: Iterable[list[str]], path: str,
               database: str = "") -> Iterator[tuple[list[Record], list[Problem]]]:
    """Read a RIS export given as lists of lines, yielding its records a list at a time.

    The rules are `parse_ris`'s; a record may run across lists. Only the
    records of one list (and the open record) are held at a time, so a
    million-record export streams in bounded memory
    (`workbench.io.formats.references.stream_export`).

    Args:
        blocks: the text's lines without their "\\n", in lists; chained, they
            are `text.split("\\n")`.
        path: display path for problems and Record.file.
        database: the database label; when "", each record's DB tag is used.

    Yields:
        (records, problems) found in the lines read since the last yield; the
        problems in the order `parse_ris` gives them.
    """
    records: list[Record] = []
    problems: list[Problem] = []
    tags: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    ordinal = 0
    orphan_line = 0  # first tag line seen outside a record since the last ER/TY
    seen_record = False
    found_any = False  # a record or a problem was yielded
    content = False  # a line that is not blank was read
    number = 0
    match_tag = _TAG.match
    for lines in blocks:
        for line in lines:
            number += 1
            match = match_tag(line) if len(line) >= 4 and line[0] <= "Z" else None
            if match is None:
                if tags is not None and last_tag and line.strip():
                    value = line.strip()
                    bucket = tags[last_tag]
                    if last_tag in _LIST_TAGS or not bucket:
                        bucket.append(value)
                    else:
                        bucket[-1] = f"{bucket[-1]} {value}"
                elif not content and line.strip():
                    content = True
                continue
            tag, value = match.group(1), (match.group(2) or "").strip()
            if tag == "A1":
                tag = "AU"  # primary authors under either tag, kept in file order
            if tag == "TY":
                if tags is not None:
                    problems.append(Problem(path, start, f"record {ordinal}",
                                            f'record has no "ER  -" before the next "TY  -" at '
                                            f"line {number}; record was not imported"))
                ordinal += 1
                seen_record = True
                tags, start, last_tag, orphan_line = {"TY": [value]}, number, "TY", 0
            elif tags is None:
                content = True
                if tag == "ER":
                    if orphan_line:
                        problems.append(Problem(path, orphan_line, f"record {ordinal + 1}",
                                                'record has no "TY  -" line; record was not '
                                                "imported"))
                        ordinal += 1
                    orphan_line = 0
                elif not orphan_line:
                    orphan_line = number  # tags outside a record: Ovid puts NL after ER
            elif tag == "ER":
                records.append(_to_record(tags, ordinal, start, path, database))
                tags, last_tag, seen_record = None, "", True
            else:
                last_tag = tag
                if value:
                    tags.setdefault(tag, []).append(value)
                else:
                    tags.setdefault(tag, [])
        if records or problems:
            found_any = True
            yield records, problems
            records, problems = [], []
    if tags is not None:
        problems.append(Problem(path, start, f"record {ordinal}",
                                'file ends before "ER  -"; record was not imported'))
    if orphan_line and not seen_record:
        problems.append(Problem(path, orphan_line, None,
                                'tags found outside any record (no "TY  -" line before them); '
                                "they were not imported"))
    if not found_any and not problems and (content or seen_record):
        problems.append(Problem(path, 1, None,
                                'no RIS record found (no "TY  -" line); nothing was imported'))
    if problems:
        yield records, problems

"""EndNote XML exports: the modern dialect (with <style> wrappers) and the legacy upper-case one."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET

from workbench.core.records import ImportReport, Record, clean_text, normalize_doi, parse_year
from workbench.errors import Problem
from workbench.io.formats.ris import split_issn_isbn

log = logging.getLogger(__name__)

_RECORD_START = re.compile(r"<record\b", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(r"""(?<=<\?xml)([^>]*?)encoding=["'][^"']*["']""")

#: Legacy upper-case names that differ from the modern ones once lower-cased.
_ALIASES = {"reference-type": "ref-type", "refnum": "rec-number",
            "electronic-resource-number": "electronic-resource-num",
            "accession-number": "accession-num"}


def _name(element: ET.Element) -> str:
    """Return an element's name in the modern dialect ("SECONDARY_TITLE" -> "secondary-title")."""
    name = element.tag.lower().replace("_", "-")
    return _ALIASES.get(name, name)


def _text(element: ET.Element | None) -> str:
    """Return all text inside an element (through <style> wrappers), white space collapsed."""
    if element is None:
        return ""
    return clean_text("".join(element.itertext()))


def _index(record: ET.Element) -> dict[str, list[ET.Element]]:
    """Map each normalized element name under a record to its elements, in document order."""
    found: dict[str, list[ET.Element]] = {}
    for element in record.iter():
        found.setdefault(_name(element), []).append(element)
    return found


def _first(index: dict[str, list[ET.Element]], *names: str) -> str:
    """Return the text of the first non-empty element among the names."""
    for name in names:
        for element in index.get(name, ()):
            text = _text(element)
            if text:
                return text
    return ""


def _all(index: dict[str, list[ET.Element]], name: str) -> tuple[str, ...]:
    """Return the non-empty texts of every element with this name."""
    return tuple(t for t in (_text(e) for e in index.get(name, ())) if t)


def _authors(record: ET.Element) -> tuple[str, ...]:
    """Return the primary authors (not editors or secondary authors)."""
    for element in record.iter():
        if _name(element) == "authors":
            return tuple(t for t in (_text(a) for a in element if _name(a) == "author") if t)
    return ()


def _pub_type(index: dict[str, list[ET.Element]]) -> str:
    """Return the reference type's name ("Journal Article"), or its number."""
    for element in index.get("ref-type", ()):
        return clean_text(element.get("name") or _text(element))
    return ""


def _to_record(record: ET.Element, ordinal: int, line: int | None, path: str,
               database: str) -> Record:
    """Build a Record from one <record> element."""
    index = _index(record)
    url = next((u for u in _all(index, "url") if u), "")
    doi = normalize_doi(_first(index, "electronic-resource-num"))
    if not doi and "doi.org/" in url:
        doi = normalize_doi(url)
    issn, isbn = split_issn_isbn(_first(index, "isbn", "issn"))
    accession = _first(index, "accession-num")
    remote = _first(index, "remote-database-name", "remote-database-provider").lower()
    pmid = accession if accession.isdigit() and ("pubmed" in remote or "medline" in remote
                                                 or "nlm" in remote) else ""
    number = _first(index, "rec-number")
    return Record(
        title=_first(index, "title"), abstract=_first(index, "abstract"),
        authors=_authors(record),
        year=parse_year(_first(index, "year") or _first(index, "date")),
        venue=_first(index, "secondary-title", "full-title", "alt-periodical", "abbr-1",
                     "tertiary-title"),
        volume=_first(index, "volume"), issue=_first(index, "number", "issue"),
        pages=_first(index, "pages"), doi=doi, pmid=pmid, isbn=isbn, issn=issn, url=url,
        keywords=tuple(k.strip() for kw in _all(index, "keyword") for k in kw.split(";")
                       if k.strip()), language=_first(index, "language"),
        pub_type=_pub_type(index), file=path, database=database,
        key=_first(index, "label") or (f"record {number}" if number else f"record {ordinal}"),
        line=line)


def parse_endnote_xml(text: str, path: str, database: str = "") -> ImportReport:
    """Parse an EndNote XML export (modern or legacy dialect) into records.

    Args:
        text: the decoded file content.
        path: display path for problems and Record.file.
        database: the database label for Record.database.

    Returns:
        ImportReport; malformed XML gives one Problem with the line and column,
        and no records (the file cannot be trusted past the error).
    """
    # The text is already decoded: declare it UTF-8 (same length, so lines stay put).
    body = _DECLARED_ENCODING.sub(r'\1encoding="UTF-8"', text, count=1).encode("utf-8")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        return ImportReport(problems=[Problem(
            path, line, None, f"malformed XML at column {column + 1} ({reason}); "
            "nothing was imported")], format="endnote_xml")
    starts = [text.count("\n", 0, m.start()) + 1 for m in _RECORD_START.finditer(text)]
    elements = [e for e in root.iter() if _name(e) == "record"]
    records = []
    for ordinal, element in enumerate(elements, start=1):
        line = starts[ordinal - 1] if len(starts) == len(elements) else None
        records.append(_to_record(element, ordinal, line, path, database))
    problems = []
    if not records and text.strip():
        problems.append(Problem(path, 1, None, "no <record> found in this EndNote XML file; "
                                "nothing was imported"))
    log.debug("%s: %d EndNote records", path, len(records))
    return ImportReport(records=records, problems=problems, format="endnote_xml")

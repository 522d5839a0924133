"""The normalized bibliographic record every importer produces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace

from workbench.errors import Problem

#: The bibliographic fields of a Record, in export order.
BIB_FIELDS: tuple[str, ...] = (
    "title", "abstract", "authors", "year", "venue", "volume", "issue", "pages",
    "doi", "pmid", "isbn", "issn", "url", "keywords", "language", "pub_type",
)
#: The provenance fields of a Record.
PROVENANCE_FIELDS: tuple[str, ...] = ("file", "database", "key", "line")


@dataclass(frozen=True)
class Record:
    """One bibliographic record as one database exported it.

    `authors` and `keywords` are tuples of strings. `year` is an int or None.
    Empty text fields are "" (never None). `doi` is normalized by `normalize_doi`.
    Provenance: `file` is the export's path relative to the review folder,
    `database` its label, `key` the entry's own key or "row N"/"record N",
    `line` the 1-based line where the entry starts (None when unknown).
    `id` is assigned on import (see workbench.core.ids) and is "" before.
    """

    title: str = ""
    abstract: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    isbn: str = ""
    issn: str = ""
    url: str = ""
    keywords: tuple[str, ...] = ()
    language: str = ""
    pub_type: str = ""
    file: str = ""
    database: str = ""
    key: str = ""
    line: int | None = None
    id: str = ""

    def with_(self, **changes) -> "Record":
        """Return a copy with some fields changed (field names are checked)."""
        return replace(self, **changes)


def relabelled(records: list[Record], **changes) -> list[Record]:
    """Return copies of many records with the same fields changed, fast.

    Import relabels every record of an export (file, database, id);
    `dataclasses.replace` re-runs the frozen `__init__` per record, which costs
    more than parsing at 100k records, so this copies the instance dict instead.
    Per-record values can be given as a list in `changes` (one value per record).
    """
    unknown = set(changes) - set(RECORD_FIELDS)
    if unknown:
        raise TypeError(f"unknown Record fields: {sorted(unknown)}")
    fixed = {k: v for k, v in changes.items() if not isinstance(v, list)}
    varying = {k: v for k, v in changes.items() if isinstance(v, list)}
    out = []
    new = object.__new__
    for i, record in enumerate(records):
        copy = new(Record)
        values = copy.__dict__
        values.update(record.__dict__)
        values.update(fixed)
        for name, per_record in varying.items():
            values[name] = per_record[i]
        out.append(copy)
    return out


RECORD_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Record))


@dataclass(frozen=True)
class ImportReport:
    """What a parser made of one file: the records it read and the problems it found."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    format: str = ""

    @classmethod
    def of_chunks(cls, chunks, format: str) -> "ImportReport":
        """The report of a whole file from a streaming parser's (records, problems) chunks."""
        report = cls(format=format)
        for found, wrong in chunks:
            report.records.extend(found)
            report.problems.extend(wrong)
        return report


_DOI_PREFIX = re.compile(
    r"^\s*(?:doi\s*:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/)", re.IGNORECASE)
_DOI_SHAPE = re.compile(r"10\.\d{4,9}/\S+")


def normalize_doi(value: str | None) -> str:
    """Return a DOI in lower case with no resolver prefix, or "" if it is not a DOI.

    Args:
        value: a DOI as exported ("https://doi.org/10.1000/ABC", "doi:10.1000/abc", ...).

    Returns:
        "10.1000/abc", or "" when no DOI can be found in the value.
    """
    if not value:
        return ""
    text = _DOI_PREFIX.sub("", str(value).strip())
    match = _DOI_SHAPE.search(text)
    if not match:
        return ""
    doi = match.group(0).rstrip(".,;")
    return doi.lower()


_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")


def parse_year(value: str | int | None) -> int | None:
    """Return the first plausible four-digit year in a value, or None."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    match = _YEAR.search(str(value))
    return int(match.group(1)) if match else None


def clean_text(value: str | None) -> str:
    """Collapse runs of white space and strip; None becomes ""."""
    if value is None:
        return ""
    return " ".join(str(value).split())

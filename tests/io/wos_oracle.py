"""The whole-file Web of Science plain-text reader of main at 9cbe31b, frozen: the oracle for
the streamed one.

`workbench.io.formats.wos.wos_chunks` reads a Web of Science export a block of
lines at a time; tests/io/test_wos_stream.py compares it with this copy. Only
`parse_wos` is copied: the record builder and tag tables it calls did not change.
Do not change it (it is meant to stay the old code).
"""
from __future__ import annotations

import logging

from workbench.core.records import ImportReport, Record
from workbench.errors import Problem
from workbench.io.formats.wos import (
    _AFTER_TAG, _HEADER_TAGS, _TAG, FORMAT, KNOWN_TAGS, _add, record_from_tags,
)

log = logging.getLogger(__name__)


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
    lines = text.lstrip("\ufeff").split("\n")
    for number, raw in enumerate(lines, start=1):
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
            log.info("%s:%d: text outside a record ignored: %r", path, number, line.strip()[:60])
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
                                        f"tag {recovered!r} is not followed by a space: {line[:40]!r}"
                                        "; record was not imported"))
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
    close(False, len(lines) - (not lines[-1]), "file ends")
    problems.sort(key=lambda p: p.line or 0)
    return ImportReport(records=records, problems=problems, format=FORMAT)

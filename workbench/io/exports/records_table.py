"""Normalized records as a table (CSV, JSON Lines) and back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

import pandas as pd

from workbench.core.records import RECORD_FIELDS, Record
from workbench.io.safe_cells import restore, write_safe_csv

#: Columns of the records table: id first, then every Record field, then the study id.
COLUMNS: tuple[str, ...] = ("id",) + tuple(f for f in RECORD_FIELDS if f != "id") + ("study_id",)
_LIST_FIELDS = ("authors", "keywords")
_SEP = "; "


def record_row(record: Record, study_id: str = "") -> dict[str, object]:
    """Return one record as a flat dict (lists joined by "; ", missing year as "")."""
    row: dict[str, object] = {}
    for name in COLUMNS:
        if name == "study_id":
            row[name] = study_id
            continue
        value = getattr(record, name)
        if name in _LIST_FIELDS:
            value = _SEP.join(value)
        elif value is None:
            value = ""
        row[name] = value
    return row


def records_to_frame(records: Iterable[Record],
                     study_of: dict[str, str] | None = None) -> pd.DataFrame:
    """Return records as a DataFrame with the columns in COLUMNS."""
    study_of = study_of or {}
    rows = [record_row(r, study_of.get(r.id, "")) for r in records]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def frame_to_records(frame: pd.DataFrame) -> list[Record]:
    """Return Records from a DataFrame written by records_to_frame (the round trip).

    A quote that the CSV writer put before a formula-like cell is removed again.
    """
    records = []
    for row in frame.fillna("").astype(str).to_dict("records"):
        values: dict[str, object] = {}
        for name in RECORD_FIELDS:
            raw = restore(row.get(name, ""))
            if name in _LIST_FIELDS:
                values[name] = tuple(p for p in raw.split(_SEP) if p) if raw else ()
            elif name in ("year", "line"):
                values[name] = int(float(raw)) if raw.strip() else None
            else:
                values[name] = raw
        records.append(Record(**values))
    return records


def iter_jsonl(records: Iterable[Record], study_of: dict[str, str] | None = None) -> Iterator[str]:
    """Yield one JSON line per record (lists stay lists)."""
    study_of = study_of or {}
    for record in records:
        row = {name: getattr(record, name) for name in COLUMNS if name != "study_id"}
        row["authors"] = list(record.authors)
        row["keywords"] = list(record.keywords)
        row["study_id"] = study_of.get(record.id, "")
        yield json.dumps(row, ensure_ascii=False)


def write_records(records: Iterable[Record], out: IO[str], fmt: str = "csv",
                  study_of: dict[str, str] | None = None) -> None:
    """Write records to a text stream as "csv" or "jsonl" (CSV cells neutralized)."""
    if fmt == "jsonl":
        for line in iter_jsonl(records, study_of):
            out.write(line + "\n")
        return
    write_safe_csv(records_to_frame(records, study_of), out, index=False, lineterminator="\n")

"""Fully labelled screening datasets (title, abstract, label) for `workbench simulate`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError

#: Label columns tried in this order when none is named.
LABEL_COLUMNS = ("label_included", "included", "label", "label_abstract_screening")
TITLE_COLUMNS = ("title", "primary_title", "ti")
ABSTRACT_COLUMNS = ("abstract", "abstract_note", "ab")
TRUE = {"1", "1.0", "true", "yes", "y", "include", "included", "relevant"}
FALSE = {"0", "0.0", "false", "no", "n", "exclude", "excluded", "irrelevant"}


@dataclass(frozen=True)
class LabelledSet:
    """A labelled review: one title, abstract and 1/0 label per record, in file order."""

    path: str
    titles: tuple[str, ...]
    abstracts: tuple[str, ...]
    labels: tuple[int, ...]
    label_column: str

    def __len__(self) -> int:
        return len(self.labels)


def _pick(header: list[str], wanted: tuple[str, ...]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    for name in wanted:
        if name in lowered:
            return lowered[name]
    return None


def read_labelled(path: str | Path, label_column: str | None = None) -> LabelledSet:
    """Read a labelled dataset from a CSV file (UTF-8, a header row).

    Args:
        path: the CSV file.
        label_column: the label column; None tries label_included, included,
            label, label_abstract_screening.

    Raises:
        WorkbenchError: the file cannot be read, a column is missing, or a label
            is not 0/1 (the message names the file and line).
    """
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        raise WorkbenchError(f"{path.suffix or 'no extension'}: simulate reads CSV files "
                             "(title, abstract and label columns)", path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"cannot read the dataset ({exc})", path=path) from exc
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise WorkbenchError("the file is empty (no header row)", path=path, line=1)
    title_col = _pick(header, TITLE_COLUMNS)
    abstract_col = _pick(header, ABSTRACT_COLUMNS)
    label_col = (label_column if label_column in header else None) if label_column \
        else _pick(header, LABEL_COLUMNS)
    if label_col is None:
        wanted = label_column or " or ".join(LABEL_COLUMNS)
        raise WorkbenchError(f"no label column {wanted} (columns: {', '.join(header)})",
                             path=path, line=1)
    if title_col is None and abstract_col is None:
        raise WorkbenchError(f"no title or abstract column (columns: {', '.join(header)})",
                             path=path, line=1)
    index = {h: i for i, h in enumerate(header)}
    titles, abstracts, labels = [], [], []
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) != len(header):
            raise WorkbenchError(f"record has {len(row)} fields, the header {len(header)}",
                                 path=path, line=line)
        raw = row[index[label_col]].strip().lower()
        if raw in TRUE:
            labels.append(1)
        elif raw in FALSE:
            labels.append(0)
        else:
            raise WorkbenchError(f"label {row[index[label_col]]!r} in column {label_col!r} "
                                 "is not 0 or 1", path=path, line=line)
        titles.append(row[index[title_col]] if title_col else "")
        abstracts.append(row[index[abstract_col]] if abstract_col else "")
    if not labels:
        raise WorkbenchError("no records after the header", path=path, line=2)
    if sum(labels) == 0 or sum(labels) == len(labels):
        raise WorkbenchError(f"every label in {label_col!r} is the same; a replay needs "
                             "relevant and irrelevant records", path=path)
    return LabelledSet(str(path), tuple(titles), tuple(abstracts), tuple(labels), label_col)

"""Fully labelled screening datasets (title, abstract, label) for `workbench simulate`."""

from __future__ import annotations

import csv
import io
import re
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
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".txt", ".ris", ".bib"):
        raise WorkbenchError(f"{path.suffix or 'no extension'}: simulate reads CSV (title, "
                             "abstract and label columns), RIS or BibTeX files", path=path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkbenchError(f"cannot read the dataset ({exc})", path=path) from exc
    if suffix == ".ris":
        return _finish(path, _ris_rows(text, path, label_column), label_column or "LB")
    if suffix == ".bib":
        return _finish(path, _bibtex_rows(text, path, label_column),
                       label_column or "/".join(LABEL_COLUMNS[:3]))
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


#: RIS notes (N1) that ASReview writes for a labelled record.
ASREVIEW_NOTES = {"asreview_relevant": 1, "asreview_irrelevant": 0}
_RIS_TAG = re.compile(r"([A-Z][A-Z0-9]) {1,2}-(?: (.*)|$)")


def _label(raw: str, field: str, path: Path, line: int) -> int:
    value = raw.strip().lower()
    if value in TRUE:
        return 1
    if value in FALSE:
        return 0
    raise WorkbenchError(f"label {raw!r} in {field} is not 0 or 1", path=path, line=line)


def _ris_rows(text: str, path: Path, tag: str | None) -> list[tuple[str, str, int]]:
    """Return (title, abstract, label) per RIS record; the label is in `tag` (default LB,
    else an N1 note ASReview_relevant / ASReview_irrelevant)."""
    rows: list[tuple[str, str, int]] = []
    tags: dict[str, list[str]] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = _RIS_TAG.match(line)
        if match is None:
            continue
        name, value = match.group(1), (match.group(2) or "").strip()
        if name == "TY":
            tags, start = {}, number
        elif tags is None:
            continue
        elif name == "ER":
            title = " ".join(tags.get("TI", tags.get("T1", [])))
            abstract = " ".join(tags.get("AB", tags.get("N2", [])))
            wanted = tag or "LB"
            if tags.get(wanted):
                label = _label(tags[wanted][0], f"tag {wanted}", path, start)
            else:
                notes = [ASREVIEW_NOTES[n.strip().lower()] for n in tags.get("N1", [])
                         if n.strip().lower() in ASREVIEW_NOTES]
                if not notes or tag:
                    raise WorkbenchError(f"record has no label (tag {wanted}"
                                         + ("" if tag else " or an N1 note ASReview_relevant/"
                                            "ASReview_irrelevant") + ")", path=path, line=start)
                label = notes[0]
            rows.append((title, abstract, label))
            tags = None
        else:
            tags.setdefault(name, []).append(value)
    if tags is not None:
        raise WorkbenchError('file ends before "ER  -"', path=path, line=start)
    return rows


def _bibtex_rows(text: str, path: Path, field: str | None) -> list[tuple[str, str, int]]:
    """Return (title, abstract, label) per BibTeX entry; the label is a field (default
    label_included, included or label)."""
    from workbench.io.formats.bibtex import ValueTooLong, _fields, _parse_all, decode_latex
    rows = []
    for entries, _, problems in _parse_all(text, str(path)):
        if problems:
            raise WorkbenchError(problems[0].message, path=path, line=problems[0].line)
        for key, _, fields, line in entries:
            try:
                values = _fields(fields, {})
            except ValueTooLong as exc:
                raise WorkbenchError(f"entry {key}: {exc}", path=path, line=line) from exc
            wanted = [field.lower()] if field else list(LABEL_COLUMNS)
            name = next((n for n in wanted if n in values), None)
            if name is None:
                raise WorkbenchError(f"entry {key} has no label field ({' or '.join(wanted)})",
                                     path=path, line=line)
            rows.append((decode_latex(values.get("title", "")).replace("{", "").replace("}", ""),
                         decode_latex(values.get("abstract", "")),
                         _label(values[name], f"field {name} of entry {key}", path, line)))
    return rows


def _finish(path: Path, rows: list[tuple[str, str, int]], label: str) -> LabelledSet:
    if not rows:
        raise WorkbenchError("no records", path=path)
    labels = [r[2] for r in rows]
    if sum(labels) == 0 or sum(labels) == len(labels):
        raise WorkbenchError(f"every label in {label!r} is the same; a replay needs "
                             "relevant and irrelevant records", path=path)
    return LabelledSet(str(path), tuple(r[0] for r in rows), tuple(r[1] for r in rows),
                       tuple(labels), label)

"""The data dictionary (every exported column, its type and codebook source) and the
codebook as a table (for the XLSX workbook)."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from workbench.core.codebook import Codebook, Field
from workbench.core.wording import plural
from workbench.io.exports.tables import BIB_COLUMNS, column_name, table_name

_BIB_TYPES = {"year": "integer"}
_BIB_LABELS = {
    "study_id": "Study id (stable; one study = deduplicated records)",
    "title": "Title", "authors": "Authors, '; '-separated", "year": "Publication year",
    "venue": "Journal, book or publisher", "volume": "Volume", "issue": "Issue",
    "pages": "Pages", "doi": "DOI (lower case, no resolver prefix)", "pmid": "PubMed id",
    "url": "URL", "databases": "Databases the study's records came from, '; '-separated",
    "record_ids": "Ids of the study's records, '; '-separated",
}
#: Each coder's memos, evidence, flags and notes (never agreed on, never unresolved).
ANNOTATIONS_FILE = "annotations.csv"
MISSING = "empty cell = NA (not reported or not agreed), never 0"


def _field_type(fld: Field) -> str:
    return {"integer": "integer", "number": "number", "boolean": "0/1",
            "multi_choice": "text (choice ids joined with ';')"}.get(fld.type, "text")


def _allowed(fld: Field) -> str:
    if fld.choices:
        return "; ".join(f"{c.id} = {c.label}" for c in fld.choices)
    bounds = []
    if fld.minimum is not None:
        bounds.append(f">= {fld.minimum:g}")
    if fld.maximum is not None:
        bounds.append(f"<= {fld.maximum:g}")
    if fld.type == "boolean":
        bounds.append("1 = yes; 0 = no")
    return ", ".join(bounds)


def data_dictionary(codebook: Codebook, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Describe every column of every table.

    Args:
        codebook: the review's codebook.
        tables: file name -> table, as written.

    Returns:
        A table with file, column, type, label, unit, allowed, source, missing.
    """
    known: dict[str, tuple[str, str, str, str, str]] = {}
    for name in BIB_COLUMNS:
        known[name] = (_BIB_TYPES.get(name, "text"), _BIB_LABELS[name], "", "",
                       "bibliographic record (deduplicated)")
    for dim in codebook.dimensions:
        known[column_name(dim.id)] = (
            "text (code ids joined with ';')", dim.label,
            "", "; ".join(f"{c.id} = {c.label}" for c in dim.all_codes()),
            f"dimension {dim.id} ({dim.select}-select)")
        for code in dim.all_codes():
            known[column_name(dim.id, code.id)] = (
                "0/1", f"{dim.label}: {code.label}", "",
                "1 = coded; 0 = not coded; empty = not agreed (the coders differ on this "
                "code) or the dimension not coded",
                f"dimension {dim.id}, code {code.id}")
    for fld in codebook.fields:
        known[column_name(fld.id)] = (_field_type(fld), fld.label, fld.unit, _allowed(fld),
                                      f"field {fld.id} ({fld.type})")
    group_cols: dict[str, dict[str, tuple]] = {}
    for group in codebook.groups:
        cols = {"study": ("text", "First author (year) of the study", "", "", "study record"),
                "row": ("integer", f"Row number within the study ({group.label})", "", "",
                        f"group {group.id}")}
        for fld in group.fields:
            cols[column_name(fld.id)] = (_field_type(fld), fld.label, fld.unit, _allowed(fld),
                                         f"group {group.id}, field {fld.id} ({fld.type})")
        group_cols[f"{table_name(group)}.csv"] = cols
    group_cols[ANNOTATIONS_FILE] = {
        "coder": ("text", "Sheet the annotation is in (a coder, or consensus)", "", "",
                  "sheets"),
        "kind": ("text", "memo (a dimension's memo), evidence (a code's quote and page), "
                 "passage (full-text passage for a code or field), "
                 "flag (flagged for discussion; text = reason), note", "", "", "sheets"),
        "target": ("text", "Dimension of a memo, code of evidence, code:<id>/field:<id> of "
                   "a passage, else empty", "", "",
                   "codebook"),
        "text": ("text", "Memo, evidence quote, flag reason or note", "", "", "sheets"),
        "page": ("text", "Page of the evidence quote", "", "", "sheets"),
        "start": ("integer", "Passage start: character offset in the page's extracted text",
                  "", "", "sheets"),
        "end": ("integer", "Passage end: character offset in the page's extracted text",
                "", "", "sheets"),
        "file_sha256": ("text", "SHA-256 of the full-text file the passage was coded from",
                        "", "", "fulltext links")}
    group_cols["coded_long.csv"] = {
        "kind": ("text", "code (a chosen code), field (an extraction value), or a group id "
                 "(a value of one of its rows)", "", "", "codebook"),
        "name": ("text", "Dimension of a code, field id of a value or of a group row's value",
                 "", "", "codebook"),
        "row": ("integer", "Row number within the study (group values only)", "", "",
                "sheets"),
        "value": ("text", "Code id or value as saved (an extraction field's NA is empty)",
                  "", "", "sheets"),
        "source": ("text", "Where the value comes from: consensus (coding/consensus.csv), "
                   "agreed (every coder who coded the study gave it), or the reviewer whose "
                   "sheet was exported (--reviewer)", "", "", "sheets")}
    group_cols["evidence.csv"] = {
        "target_kind": ("text", "code or field the quote is evidence for", "", "", "codebook"),
        "target": ("text", "Code id or field id", "", "", "codebook"),
        "label": ("text", "Label of the code or field", "", "", "codebook"),
        "study": ("text", "First author (year) of the study", "", "", "study record"),
        "coder": ("text", "Sheet the quote is in (a coder, or consensus)", "", "", "sheets"),
        "quote": ("text", "The quote", "", "", "sheets"),
        "page": ("text", "Page of the quote", "", "", "sheets"),
        "start": ("integer", "Passage start in the page's extracted text (full-text passages)",
                  "", "", "sheets"),
        "end": ("integer", "Passage end in the page's extracted text", "", "", "sheets"),
        "file_sha256": ("text", "SHA-256 of the full-text file", "", "", "fulltext links"),
        "code_ticked": ("text", "Whether the coder has the quote's code ticked for the study "
                        "(no: a quote kept for a code not applied; empty for a field)",
                        "", "yes; no", "sheets")}
    known["unresolved"] = ("text", "Fields still in conflict or pending (left missing)", "",
                           "", "sheets")
    rows = []
    for file, frame in tables.items():
        for col in frame.columns:
            entry = group_cols.get(file, {}).get(col) or known.get(col) \
                or ("text", col.replace("_", " "), "", "", "export")
            rows.append((file, col, *entry, MISSING))
    return pd.DataFrame(rows, columns=["file", "column", "type", "label", "unit", "allowed",
                                       "source", "missing"])


def codebook_table(codebook: Codebook) -> pd.DataFrame:
    """Return the codebook as rows: kind, parent, id, label, type, unit, allowed, description."""
    rows = []
    for stage in codebook.stages:
        rows.append(("stage", "", stage.id, stage.label, stage.kind, "",
                     plural(stage.reviewers, "reviewer"), stage.description))
    for crit in codebook.criteria:
        rows.append(("criterion", ";".join(crit.stages), crit.id, crit.label, crit.kind, "", "",
                     crit.description))
    for dim in codebook.dimensions:
        rows.append(("dimension", "", dim.id, dim.label, dim.select, "", "", dim.description))
        for code in dim.all_codes():
            rows.append(("code", dim.id, code.id, code.label, "", "", "", code.description))
    for fld in codebook.fields:
        rows.append(("field", "", fld.id, fld.label, fld.type, fld.unit, _allowed(fld),
                     fld.description))
    for group in codebook.groups:
        rows.append(("group", "", group.id, group.label, "", "", "", group.description))
        for fld in group.fields:
            rows.append(("field", group.id, fld.id, fld.label, fld.type, fld.unit,
                         _allowed(fld), fld.description))
    return pd.DataFrame(rows, columns=["kind", "parent", "id", "label", "type", "unit",
                                       "allowed", "description"])

"""The coded dataset: wide (one row per study), long/tidy, group tables, data dictionary.

Inputs are the resolved values of `workbench.io.exports.decisions.resolve_coding`.
Missing (NA, not reported, not yet agreed) is an empty cell, never 0: a code's
0/1 column is 0 only when its dimension was coded and the code not chosen.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.core.codebook import Codebook, Field
from workbench.core.screening import split_ids

#: Bibliographic columns of the dataset, in order.
BIB_COLUMNS = ("study_id", "title", "authors", "year", "venue", "volume", "issue", "pages",
               "doi", "pmid", "url", "databases", "record_ids")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_NUMERIC = {"integer", "number"}


def starts_with(series: pd.Series, prefix: str) -> np.ndarray:
    """Return a boolean mask of the string values that start with `prefix` (a plain loop,
    several times faster than `.str.startswith` on object columns)."""
    return np.array([v.startswith(prefix) for v in series.tolist()], dtype=bool)


def column_name(*parts: str) -> str:
    """Return a column name safe for R, Stata and SPSS (letters, digits, "_")."""
    name = "__".join(_UNSAFE.sub("_", p) for p in parts)
    return name if name[:1].isalpha() else f"v_{name}"


def table_name(group) -> str:
    """Return the file stem of a repeatable group's table: the group in the plural.

    A `table` name given in the codebook wins; a group id already in the
    plural is kept ("campaigns"); otherwise "campaign" -> "campaigns",
    "policy" -> "policies", "approach" -> "approaches".
    """
    given = getattr(group, "table", "") or ""
    if given:
        return given
    gid = group.id
    if gid.endswith("s") and not gid.endswith(("ss", "us", "is")):
        return gid
    if gid.endswith("y") and gid[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return gid[:-1] + "ies"
    if gid.endswith(("s", "x", "z", "ch", "sh")):
        return gid + "es"
    return gid + "s"


def study_table(studies: Iterable) -> pd.DataFrame:
    """Return the bibliographic table of studies (workbench.core.dedupe.duplicates.Study values).

    Authors, databases and record ids are joined with "; "; a missing year is NA.
    """
    rows = [(s.id, s.title, "; ".join(s.authors), s.year, s.venue, s.volume, s.issue, s.pages,
             s.doi, s.pmid, s.url, "; ".join(s.databases), "; ".join(s.record_ids))
            for s in studies]
    frame = pd.DataFrame.from_records(rows, columns=list(BIB_COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    return frame


def typed(series: pd.Series, fld: Field | None) -> pd.Series:
    """Return values typed for export: numbers as numbers, booleans as 0/1, "" as NA."""
    series = series.replace("", pd.NA)
    if fld is None:
        return series
    if fld.type == "integer":
        numbers = pd.to_numeric(series, errors="coerce")
        # A value typed before the field became an integer (2.5) is NA here, as text is;
        # the export names it (review.off_codebook) and coded_long.csv keeps it as saved.
        fits = numbers.isna() | ((numbers % 1 == 0) & (numbers.abs() < 2 ** 63))
        return numbers.where(fits).astype("Int64")
    if fld.type == "number":
        return pd.to_numeric(series, errors="coerce").astype("Float64")
    if fld.type == "boolean":
        return series.map({"true": 1, "false": 0}).astype("Int64")
    return series


def numbers_as_typed(codebook: Codebook, table: pd.DataFrame) -> pd.DataFrame:
    """Return the table for its CSV: a number field's whole values without ".0".

    `typed` makes number fields floats (for .dta, .sav and XLSX), so a coder's
    30 would reach the CSV as 30.0; here it is written 30, and 5.2 stays 5.2.
    The table itself is not changed.
    """
    names = {column_name(f.id) for f in codebook.fields if f.type == "number"}
    names |= {column_name(f.id) for g in codebook.groups for f in g.fields if f.type == "number"}
    out = None
    for name in names & set(table.columns):
        if not pd.api.types.is_float_dtype(table[name]):
            continue
        values = table[name].astype(object).to_numpy()
        shown = [v if v is pd.NA or v != v or not float(v).is_integer() or abs(v) >= 1e15
                 else int(v) for v in values]
        out = table.copy() if out is None else out
        out[name] = pd.Series(shown, index=table.index, dtype=object)
    return table if out is None else out


def _field_values(values: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Pivot the values whose field starts with `prefix` to one column per id."""
    part = values[starts_with(values["field"], prefix)]
    if part.empty:
        return pd.DataFrame(index=pd.Index([], name="study_id"))
    part = part.assign(key=part["field"].str.slice(len(prefix)))
    return part.pivot_table(index="study_id", columns="key", values="value", aggfunc="last")


def _agreed_codes_of_conflicts(unresolved: pd.DataFrame) -> dict[str, dict[str, tuple[set, set]]]:
    """{dimension: {study: (codes every coder gave, codes only some gave)}} of code conflicts."""
    if unresolved.empty or "agreed" not in unresolved:
        return {}
    out: dict[str, dict[str, tuple[set, set]]] = {}
    for study, field, common, disputed in zip(unresolved["study_id"].tolist(),
                                              unresolved["field"].tolist(),
                                              unresolved["agreed"].tolist(),
                                              unresolved["disputed"].tolist()):
        if isinstance(common, str) and field.startswith("code:"):
            out.setdefault(field[5:], {})[study] = (set(split_ids(common)),
                                                    set(split_ids(disputed or "")))
    return out


def wide_table(codebook: Codebook, bib: pd.DataFrame, values: pd.DataFrame,
               unresolved: pd.DataFrame) -> pd.DataFrame:
    """Return the coded dataset: one row per study, codes as 0/1 plus a joined column.

    Args:
        codebook: the review's codebook (column order, types, renamed codes).
        bib: `study_table` of the included studies (row order kept).
        values: resolved values (study_id, field, value, source).
        unresolved: study_id, field, status of values left missing.

    Returns:
        Columns: the bibliographic ones; per dimension `<dim>` (code ids joined
        with ";") then `<dim>__<code>` (1/0, NA when the dimension is not coded;
        when the coders differ on the dimension, the codes they all gave are 1,
        the codes none gave 0, and only the disputed ones NA);
        per extraction field `<field>`; `unresolved` (fields still in conflict
        or pending, ";"-joined).
    """
    out = bib.set_index("study_id", drop=False)
    index = out.index
    columns: dict[str, pd.Series] = {}
    codes = _field_values(values, "code:").reindex(index)
    in_common = _agreed_codes_of_conflicts(unresolved)
    for dim in codebook.dimensions:
        joined = codes[dim.id] if dim.id in codes else pd.Series(pd.NA, index=index, dtype=object)
        resolved = {v: ";".join(codebook.resolve_code(c) for c in split_ids(v))
                    for v in joined.dropna().unique()}
        joined = joined.map(resolved, na_action="ignore")
        columns[column_name(dim.id)] = joined
        coded = joined.notna().to_numpy()
        # Few distinct code lists: test each code against the distinct lists only.
        which, distinct = pd.factorize(joined, use_na_sentinel=True)
        chosen = [set(v.split(";")) for v in distinct]
        for code in dim.all_codes():
            hit = np.array([code.id in c for c in chosen] + [False], dtype=bool)[which]
            flag = pd.array(np.where(hit, 1, 0), dtype="Int64")
            flag[~coded] = pd.NA
            column = pd.Series(flag, index=index)
            for study, (common, disputed) in in_common.get(dim.id, {}).items():
                # the dimension is in conflict, but not every code of it
                if study in column.index and code.id not in disputed:
                    column[study] = 1 if code.id in common else 0
            columns[column_name(dim.id, code.id)] = column
    fields = _field_values(values, "field:").reindex(index)
    for fld in codebook.fields:
        raw = fields[fld.id] if fld.id in fields else pd.Series(pd.NA, index=index, dtype=object)
        columns[column_name(fld.id)] = typed(raw.fillna(""), fld)
    if not unresolved.empty:
        listed = unresolved.groupby("study_id")["field"].agg(lambda s: ";".join(sorted(s)))
        columns["unresolved"] = listed.reindex(index)
    else:
        columns["unresolved"] = pd.Series(pd.NA, index=index, dtype=object)
    frame = pd.concat([out, pd.DataFrame(columns, index=index)], axis=1)
    return frame.reset_index(drop=True)


def group_tables(codebook: Codebook, rows: pd.DataFrame,
                 bib: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Return one table per repeatable group: study_id, study, row, then the group's fields.

    Rows keep the order they were added in; `row` counts from 1 within a study;
    `study` is "First author (year)". A value never entered is NA.
    """
    cite = pd.Series(_citations(bib), index=bib["study_id"].to_numpy(), dtype=object) \
        if len(bib) else pd.Series(dtype=object)
    order = {sid: i for i, sid in enumerate(bib["study_id"])}
    out = {}
    for group in codebook.groups:
        part = rows[rows["group"] == group.id] if not rows.empty else rows
        names = [column_name(f.id) for f in group.fields]
        if part.empty:
            out[group.id] = pd.DataFrame(columns=["study_id", "study", "row", *names])
            continue
        keys = part[["study_id", "row_id", "row_time"]].drop_duplicates(["study_id", "row_id"])
        keys = keys.assign(pos=keys["study_id"].map(order)).sort_values(
            ["pos", "row_time", "row_id"], kind="stable")
        keys["row"] = keys.groupby("study_id").cumcount() + 1
        wide = part[part["field"] != ""].pivot_table(
            index=["study_id", "row_id"], columns="field", values="value", aggfunc="last")
        table = keys.set_index(["study_id", "row_id"]).join(wide).reset_index()
        frame = pd.DataFrame({"study_id": table["study_id"],
                              "study": table["study_id"].map(cite), "row": table["row"]})
        for fld, name in zip(group.fields, names):
            raw = table[fld.id] if fld.id in table else pd.Series(pd.NA, index=table.index)
            frame[name] = typed(raw.fillna("").astype(object), fld).to_numpy()
        out[group.id] = frame.reset_index(drop=True)
    return out


def _citations(bib: pd.DataFrame) -> list[str]:
    """ "First author (year)" of each study (title start when there is no author)."""
    out = []
    for authors, title, year in zip(bib["authors"].fillna("").tolist(),
                                    bib["title"].fillna("").tolist(),
                                    bib["year"].astype("Int64").tolist()):
        first = authors.split(";", 1)[0].split(",", 1)[0]
        out.append(f"{(first or title[:40]).strip()} "
                   f"({year if year is not None and year is not pd.NA else 'n.d.'})")
    return out


def long_table(codebook: Codebook, values: pd.DataFrame, rows: pd.DataFrame,
               study_ids: Sequence[str]) -> pd.DataFrame:
    """Return the tidy table: study_id, kind, name, row, value, source.

    One line per chosen code (kind "code", name = dimension), per extraction
    value (kind "field"; an NA value is kept with an empty value), per group
    value (kind = group id, name = field, row = 1-based row number).
    """
    cols = ["study_id", "kind", "name", "row", "value", "source"]
    order = pd.Series(range(len(study_ids)), index=pd.Index(study_ids))
    parts = []
    codes = values[starts_with(values["field"], "code:")]
    if not codes.empty:
        exploded = codes.assign(value=codes["value"].str.split(";")).explode("value")
        exploded = exploded[exploded["value"].fillna("") != ""]
        parts.append(pd.DataFrame({"study_id": exploded["study_id"], "kind": "code",
                                   "name": exploded["field"].str.slice(5),
                                   "row": pd.NA,
                                   "value": exploded["value"].map(
                                       {c: codebook.resolve_code(c)
                                        for c in exploded["value"].unique()}),
                                   "source": exploded["source"]}))
    fields = values[starts_with(values["field"], "field:")]
    if not fields.empty:
        parts.append(pd.DataFrame({"study_id": fields["study_id"], "kind": "field",
                                   "name": fields["field"].str.slice(6), "row": pd.NA,
                                   "value": fields["value"], "source": fields["source"]}))
    if not rows.empty:
        vals = rows[rows["field"] != ""]
        number = rows.drop_duplicates(["study_id", "group", "row_id"]).sort_values(
            ["study_id", "group", "row_time", "row_id"], kind="stable")
        number = number.assign(row=number.groupby(["study_id", "group"]).cumcount() + 1)
        vals = vals.merge(number[["study_id", "group", "row_id", "row"]],
                          on=["study_id", "group", "row_id"])
        parts.append(pd.DataFrame({"study_id": vals["study_id"], "kind": vals["group"],
                                   "name": vals["field"], "row": vals["row"],
                                   "value": vals["value"], "source": vals["source"]}))
    if not parts:
        return pd.DataFrame(columns=cols)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["study_id"].isin(order.index)]
    frame = frame.assign(_pos=frame["study_id"].map(order))
    frame = frame.sort_values(["_pos", "kind", "name", "row"], kind="stable",
                              na_position="first").drop(columns="_pos")
    frame["row"] = frame["row"].astype("Int64")
    frame["value"] = frame["value"].replace("", pd.NA)
    return frame[cols].reset_index(drop=True)

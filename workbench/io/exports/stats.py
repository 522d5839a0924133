"""The coded dataset for statistics packages: Stata .dta, SPSS .sav and an R loader.

`write_stats(folder, codebook, tables, dictionary)` writes, next to the CSVs:

- stats/<table>.dta and stats/<table>.sav for the coded dataset and each
  repeatable group's table, written with pyreadstat (ReadStat): one writer for
  both formats, with variable labels and value labels, and the same reader in
  the tests. Variable labels come from the data dictionary; value labels from
  the codebook: a code column is 1 = coded / 0 = not coded, a choice field is
  numbered 1..k in codebook order with the choice labels, a yes/no field is
  1 = yes / 0 = no. A choice value the codebook does not list is numbered
  after them and labelled with itself plus "(not in the codebook)" (never
  dropped, never under a choice's own label). A multi_choice field
  keeps its text column (choice ids joined with ";", as in the CSV) and gets,
  right after it, one 0/1 indicator per choice (1 = chosen, 0 = not chosen,
  missing where the field is NA), named `<field>__<choice>` within the name
  limit, labelled "Field: Choice"; a value the codebook does not list gets an
  indicator of its own, labelled "(not in the codebook)".
- stats/variable_names.csv: each CSV column, its Stata/SPSS name (at most 28
  characters, unique, no reserved word), its label and value labels; an
  indicator's row names its field's column and, under `choice`, its choice.
- load.R: reads the CSVs in R with their types, choice fields as factors with
  the codebook's levels (ordered where the codebook says so), yes/no as
  logical, dates as Date, and the formula-guard quote taken off text cells.

Missing stays missing: a numeric NA is Stata's `.` and SPSS's system-missing;
a text NA is an empty string (neither format has a missing text value); in R,
an empty cell is NA. Nothing is ever written as 0 for missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from workbench.core.codebook import Codebook, Field
from workbench.io.exports.tables import column_name, table_name

#: Longest variable name written. Stata allows 32 (SPSS 64), but pyreadstat names a
#: variable's value-label set after it plus a number, and that name has the same limit.
NAME_MAX = 28
#: Longest variable label Stata keeps; SPSS keeps 256 bytes, its value labels 120.
STATA_LABEL_MAX, SPSS_LABEL_MAX, SPSS_VALUE_LABEL_MAX = 80, 255, 120
_RESERVED = {"_all", "_b", "_coef", "_cons", "_n", "_N", "_pi", "_pred", "_rc", "_se",
             "_skip", "byte", "double", "float", "if", "in", "int", "long", "using", "with",
             "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to",
             "strl", "str"}
_CODED = {0: "not coded", 1: "coded"}
_YES_NO = {0: "no", 1: "yes"}
_CHOSEN = {0: "not chosen", 1: "chosen"}
STATS_TABLES = "coded_dataset.csv"


@dataclass
class Variable:
    """One column as a statistics package sees it."""

    column: str
    name: str
    label: str
    kind: str                       # "numeric", "text" or "date"
    value_labels: dict[int, str] = field(default_factory=dict)
    ordered: bool = False
    #: For a multi_choice field's 0/1 indicator: the choice it stands for ("" otherwise;
    #: `column` is then the field's text column).
    choice: str = ""


def variable_names(columns, used: set[str] | None = None) -> dict:
    """Return {CSV column: Stata/SPSS name}: at most NAME_MAX characters, unique ignoring case.

    Args:
        columns: the names to give, in order (a column is a text, or a (text, key) pair
            named after its text).
        used: names already given (lower case), added to as names are given.
    """
    out, used = {}, set() if used is None else used
    for col in columns:
        base = re.sub(r"[^A-Za-z0-9_]", "_", col if isinstance(col, str) else col[0])
        if not base[:1].isalpha():
            base = f"v_{base}"
        if base.lower() in _RESERVED:
            base += "_"
        name, n = base[:NAME_MAX], 2
        while name.lower() in used:
            suffix = f"_{n}"
            name, n = base[:NAME_MAX - len(suffix)] + suffix, n + 1
        used.add(name.lower())
        out[col] = name
    return out


def _fields_by_column(codebook: Codebook, file: str) -> dict[str, Field]:
    if file == STATS_TABLES:
        return {column_name(f.id): f for f in codebook.fields}
    for group in codebook.groups:
        if f"{table_name(group)}.csv" == file:
            return {column_name(f.id): f for f in group.fields}
    return {}


def stats_tables(codebook: Codebook, tables: Mapping) -> list[str]:
    """Return the CSV file names written for statistics packages: the coded dataset and groups."""
    groups = {f"{table_name(g)}.csv" for g in codebook.groups}
    return [name for name in tables if name == STATS_TABLES or name in groups]


def describe_table(codebook: Codebook, file: str, frame, labels: Mapping[str, str]):
    """Return (the table as a statistics package gets it, its Variables).

    Args:
        codebook: the review's codebook.
        file: the CSV's name (coded_dataset.csv or a group's table).
        frame: the table as written to the CSV.
        labels: column -> variable label (from the data dictionary).
    """
    import numpy as np
    import pandas as pd
    fields = _fields_by_column(codebook, file)
    codes = {column_name(d.id, c.id) for d in codebook.dimensions for c in d.all_codes()}
    chosen = {col: _chosen(frame[col]) for col in frame.columns
              if fields.get(col) is not None and fields[col].type == "multi_choice"}
    indicators = {col: _indicator_choices(fields[col], sets) for col, sets in chosen.items()}
    # The table's own columns are named first, so an indicator never takes their names.
    used: set[str] = set()
    names = variable_names(frame.columns, used)
    names.update(variable_names([(_indicator_name(col, choice), col, choice)
                                 for col, choices in indicators.items() for choice in choices],
                                used))
    out, flags, variables = {}, {}, []
    for col in frame.columns:
        series = frame[col]
        fld = fields.get(col)
        var = Variable(col, names[col], labels.get(col, col.replace("_", " ")), "text")
        if col in indicators:
            label = var.label
            texts = {c.id: c.label or c.id for c in fld.choices}
            for choice in indicators[col]:
                name = names[(_indicator_name(col, choice), col, choice)]
                flags[name] = np.array([np.nan if picked is None else float(choice in picked)
                                        for picked in chosen[col]], dtype="float64")
                variables.append(Variable(
                    col, name, f"{label}: {texts[choice]}" if choice in texts else
                    f"{label}: {choice} (not in the codebook)", "numeric",
                    dict(_CHOSEN), choice=choice))
        if fld is not None and fld.type == "choice":
            ids = list(fld.choice_ids())
            extra = [v for v in pd.unique(series.dropna().astype(str)) if v not in ids]
            order = ids + extra
            number = {v: i + 1 for i, v in enumerate(order)}
            texts = {c.id: c.label for c in fld.choices}
            out[col] = series.map(number).astype("float64")
            # a value off the codebook says so: 'Qualitative' typed by hand is never shown
            # under the same label as the choice qualitative = Qualitative
            var.kind, var.value_labels = "numeric", {
                number[v]: texts[v] if v in texts else f"{v} (not in the codebook)"
                for v in order}
            var.ordered = fld.ordered
        elif (fld is not None and fld.type == "boolean") or col in codes:
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
            var.kind, var.value_labels = "numeric", dict(_CODED if col in codes else _YES_NO)
        elif fld is not None and fld.type == "date" and _all_dates(series):
            out[col] = pd.to_datetime(series, errors="coerce").dt.date.astype(object) \
                .where(series.notna(), None)
            var.kind = "date"
        elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
                series.dtype):
            out[col] = pd.to_numeric(series, errors="coerce").astype("float64")
            var.kind = "numeric"
        else:
            # object, not pandas' str dtype: pyreadstat reads the table row by row
            # (narwhals), and a str column gives its values one __getitem__ at a time.
            out[col] = series.astype(object).where(series.notna(), "").astype(str) \
                .astype(object)
        variables.append(var)
    variables = _in_table_order(variables)   # a text column, then its indicators
    table = pd.DataFrame({v.name: flags[v.name] if v.choice else out[v.column]
                          for v in variables}, index=frame.index)
    return table, variables


def _indicator_name(column: str, choice: str) -> str:
    """`<field>__<choice>`, the field's part shortened first so the choice stays readable."""
    keep = max(8, NAME_MAX - 2 - len(choice))
    return f"{column[:keep]}__{choice}"


def _in_table_order(variables: list[Variable]) -> list[Variable]:
    """Each column's Variable, a multi_choice field's indicators right after its text column."""
    own = [v for v in variables if not v.choice]
    extra: dict[str, list[Variable]] = {}
    for v in variables:
        if v.choice:
            extra.setdefault(v.column, []).append(v)
    return [w for v in own for w in (v, *extra.get(v.column, ()))]


def _chosen(series) -> list[frozenset | None]:
    """Each cell's set of choices (None: the value is missing, NA)."""
    import pandas as pd
    from workbench.core.screening import split_ids
    out = []
    for value in series.tolist():
        text = "" if pd.isna(value) else str(value)
        out.append(frozenset(split_ids(text)) if text.strip() else None)
    return out


def _indicator_choices(fld: Field, sets: list[frozenset | None]) -> list[str]:
    """The codebook's choices in order, then every other value entered (first seen first):
    a value off the codebook gets an indicator of its own, never dropped."""
    ids = list(fld.choice_ids())
    known = set(ids)
    extra = dict.fromkeys(c for picked in sets if picked for c in sorted(picked)
                          if c not in known)
    return ids + list(extra)


def _all_dates(series) -> bool:
    import pandas as pd
    known = series.dropna().astype(str)
    parsed = pd.to_datetime(known, errors="coerce", format="%Y-%m-%d")
    return bool(parsed.notna().all())


def _clip(text: str, limit: int, in_bytes: bool = False) -> str:
    if in_bytes:
        raw = text.encode("utf-8")
        if len(raw) <= limit:
            return text
        return raw[:limit - 3].decode("utf-8", errors="ignore") + "..."
    return text if len(text) <= limit else text[:limit - 3] + "..."


def write_stats(folder, codebook: Codebook, tables: Mapping, dictionary) -> None:
    """Write stats/*.dta, stats/*.sav, stats/variable_names.csv and load.R (see the module).

    Args:
        folder: the export's staging folder (workbench.io.exports.folder.ExportFolder).
        codebook: the review's codebook.
        tables: CSV name -> table, as written.
        dictionary: the data dictionary (file, column, label, ...).
    """
    import pandas as pd
    import pyreadstat
    from workbench.io.exports.folder import write_csv, write_text
    from workbench.io.exports.rscript import load_r
    rows = []
    for file in stats_tables(codebook, tables):
        part = dictionary[dictionary["file"] == file]
        labels = dict(zip(part["column"], part["label"]))
        table, variables = describe_table(codebook, file, tables[file], labels)
        stem = file[:-4]
        values = {v.name: v.value_labels for v in variables if v.value_labels}
        pyreadstat.write_dta(
            table, str(folder.path(f"stats/{stem}.dta")), file_label=_clip(stem, 80),
            column_labels={v.name: _clip(v.label, STATA_LABEL_MAX) for v in variables},
            variable_value_labels=values, version=15)
        pyreadstat.write_sav(
            table, str(folder.path(f"stats/{stem}.sav")),
            column_labels={v.name: _clip(v.label, SPSS_LABEL_MAX, True) for v in variables},
            variable_value_labels={n: {k: _clip(t, SPSS_VALUE_LABEL_MAX, True)
                                       for k, t in vl.items()} for n, vl in values.items()},
            variable_measure={v.name: ("ordinal" if v.ordered else "nominal" if v.value_labels
                                       else "scale" if v.kind == "numeric" else "nominal")
                              for v in variables})
        rows += [(file, v.column, v.name, v.label,
                  "; ".join(f"{k} = {t}" for k, t in v.value_labels.items()), v.choice)
                 for v in variables]
    write_csv(folder, "stats/variable_names.csv", pd.DataFrame(
        rows, columns=["file", "column", "variable", "label", "value_labels", "choice"]))
    write_text(folder, "load.R", load_r(codebook, tables, dictionary))

"""load.R: an R script that reads the exported CSVs with the right types and factor levels.

Written by `workbench.io.exports.stats.write_stats` next to the CSVs. It uses
base R only (utils::read.csv), so it runs on any R installation:

    source("exports/load.R", chdir = TRUE)   # data frames named after the CSVs

Every column gets its class from the export (integer, numeric, character);
choice fields become factors whose levels are the codebook's choices in order
(ordered factors where the codebook says `ordered: true`), labelled with the
choice labels; a value the codebook does not list is kept as an extra level,
never turned into NA. Yes/no fields become logical, date fields Date (kept as
text when a value is not a date), and the quote the formula guard put before
text starting with = + - @ is taken off. Each column carries its data
dictionary label in attr(x, "label") (read by the labelled, haven and gtsummary
packages). An empty cell is NA.
"""

from __future__ import annotations

from typing import Mapping

from workbench.core.codebook import Codebook, Field
from workbench.io.exports.tables import column_name, table_name

_HELPERS = r'''wb_read <- function(file, classes) {
  d <- utils::read.csv(file, colClasses = classes, na.strings = "", check.names = FALSE,
                       stringsAsFactors = FALSE, fileEncoding = "UTF-8")
  for (col in names(classes)[classes == "character"]) {
    # the export puts a quote before text a spreadsheet would run as a formula
    d[[col]] <- sub("^'(?='*[-=+@\t\r])", "", d[[col]], perl = TRUE)
  }
  d
}
wb_factor <- function(x, levels, labels, ordered = FALSE) {
  extra <- setdiff(unique(x[!is.na(x)]), levels)   # values the codebook does not list
  factor(x, levels = c(levels, extra), labels = c(labels, extra), ordered = ordered)
}
wb_logical <- function(x) as.logical(x)
wb_date <- function(x) {
  d <- as.Date(x, format = "%Y-%m-%d")
  if (any(is.na(d) & !is.na(x))) x else d   # a value that is not a date stays text
}
wb_label <- function(d, labels) {
  for (col in intersect(names(labels), names(d))) attr(d[[col]], "label") <- labels[[col]]
  d
}
'''


def r_string(text: str) -> str:
    """Return text as an R string literal (double quotes, escapes)."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _vector(items) -> str:
    return "c(" + ", ".join(r_string(i) for i in items) + ")"


#: R's reserved words: not names a data frame can be assigned to.
_R_RESERVED = frozenset("if else repeat while function for next break TRUE FALSE NULL Inf NaN NA "
                        "NA_integer_ NA_real_ NA_character_ NA_complex_ in".split())


def _r_name(file: str, used: set[str] | None = None) -> str:
    """The data frame's name in R: the file's stem as a syntactic name, unique in `used`.

    A group id may hold `-` (R reads `a-b <- x` as a subtraction) and start with a
    digit; such characters become `_`, and a name another table took gets `_2`, `_3`...
    """
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "._") else "_"
                   for c in file[:-4].replace("/", "_"))
    name = stem if stem[:1].isalpha() and stem not in _R_RESERVED else f"t_{stem}"
    if used is not None:
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
    return name


def _fields(codebook: Codebook, file: str) -> dict[str, Field]:
    if file == "coded_dataset.csv":
        return {column_name(f.id): f for f in codebook.fields}
    for group in codebook.groups:
        if f"{table_name(group)}.csv" == file:
            return {column_name(f.id): f for f in group.fields}
    return {}


def _class(series, declared: str) -> str:
    """The R class of a column: from its dtype, or the dictionary's "integer" for text
    columns whose every value is a whole number (annotation offsets)."""
    import pandas as pd
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "character"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "numeric"
    if declared == "integer":
        known = series.dropna().astype(str)
        known = known[known != ""]
        if known.str.fullmatch(r"-?\d{1,9}").all():
            return "integer"
    return "character"


def load_r(codebook: Codebook, tables: Mapping, dictionary) -> str:
    """Return the text of load.R for the CSV tables of one export.

    Args:
        codebook: the review's codebook (choices, order, field types).
        tables: CSV name -> table as written (column order and dtypes).
        dictionary: the data dictionary (file, column, label, ...).
    """
    lines = ["# load.R: written by `workbench export`. Reads the CSVs of this folder with",
             "# their types: choice fields as factors with the codebook's levels, yes/no as",
             "# logical, dates as Date, and the data dictionary's labels in attr(x, \"label\").",
             "# An empty cell is NA (not reported or not agreed), never 0.",
             "# Use: source(\"exports/load.R\", chdir = TRUE)",
             "", _HELPERS]
    used: set[str] = set()
    for file, frame in tables.items():
        if not file.endswith(".csv") or "/" in file:
            continue
        name = _r_name(file, used)
        part = dictionary[dictionary["file"] == file]
        declared = dict(zip(part["column"], part["type"]))
        classes = ", ".join(f"{r_string(c)} = {r_string(_class(frame[c], declared.get(c, '')))}"
                            for c in frame.columns)
        lines.append(f"{name} <- wb_read({r_string(file)}, c({classes}))")
        for col, fld in _fields(codebook, file).items():
            if col not in frame.columns:
                continue
            ref = f"{name}[[{r_string(col)}]]"
            if fld.type == "choice":
                ordered = ", ordered = TRUE" if fld.ordered else ""
                lines.append(f"{ref} <- wb_factor({ref}, {_vector(fld.choice_ids())}, "
                             f"{_vector(c.label for c in fld.choices)}{ordered})")
            elif fld.type == "boolean":
                lines.append(f"{ref} <- wb_logical({ref})")
            elif fld.type == "date":
                lines.append(f"{ref} <- wb_date({ref})")
        labels = ", ".join(f"{r_string(c)} = {r_string(lab)}"
                           for c, lab in zip(part["column"], part["label"]))
        lines.append(f"{name} <- wb_label({name}, list({labels}))")
        lines.append("")
    return "\n".join(lines) + "\n"

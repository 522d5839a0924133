"""Summary tables the seed study reports, and their charts (PNG and SVG, matplotlib Agg).

Frequencies are counted on the coded dataset (`exports.tables.wide_table`):
a code's percentage is over the studies whose dimension is coded (NA rows are
not counted as "no"), and `n_missing` says how many were left out.
"""

from __future__ import annotations

import pandas as pd

from workbench.core.codebook import Codebook
from workbench.io.exports.folder import ExportFolder
from workbench.io.exports.tables import column_name
from workbench.io.safe_cells import visible_text

CHART_MAX_BARS = 30
#: matplotlib settings under which every label is drawn as written: a code label
#: "$x^2$" or "costs $5-$10" is text, never mathtext or TeX (which fail on some labels).
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def plain_text():
    """Return a context in which matplotlib draws every string as plain text."""
    import matplotlib

    return matplotlib.rc_context(PLAIN_TEXT)


def code_frequencies(codebook: Codebook, wide: pd.DataFrame) -> pd.DataFrame:
    """Return dimension, code, label, n, percent, n_coded, n_missing for every code."""
    rows = []
    for dim in codebook.dimensions:
        coded = int(wide[column_name(dim.id)].notna().sum()) if len(wide) else 0
        for code in dim.all_codes():
            col = wide[column_name(dim.id, code.id)]
            n = int(col.fillna(0).sum())
            pct = round(100.0 * n / coded, 1) if coded else None
            rows.append((dim.id, code.id, code.label, n, pct, coded, len(wide) - coded))
    frame = pd.DataFrame(rows, columns=["dimension", "code", "label", "n", "percent",
                                        "n_coded", "n_missing"])
    frame["percent"] = frame["percent"].astype("Float64")
    return frame


def _indicators(codebook: Codebook, wide: pd.DataFrame, key: str) -> pd.DataFrame | None:
    """0/1 columns (labelled) for a dimension or a choice field with this id."""
    dim = codebook.dimension(key)
    if dim is not None:
        cols = {c.label: wide[column_name(dim.id, c.id)] for c in dim.all_codes()}
        return pd.DataFrame(cols, index=wide.index)
    fld = codebook.field(key)
    if fld is not None and fld.choices:
        raw = wide[column_name(fld.id)].fillna("").astype(str)
        padded = ";" + raw + ";"
        cols = {c.label: padded.str.contains(f";{c.id};", regex=False).astype("Int64")
                .where(raw != "", pd.NA) for c in fld.choices}
        return pd.DataFrame(cols, index=wide.index)
    return None


def crosstab(codebook: Codebook, wide: pd.DataFrame, rows_key: str,
             cols_key: str) -> pd.DataFrame | None:
    """Count studies coded with each pair of codes (dimension or choice field ids).

    Returns:
        A table with the row codes' labels as the first column and one column
        per column code, or None when either key is not in the codebook.
    """
    left = _indicators(codebook, wide, rows_key)
    right = _indicators(codebook, wide, cols_key)
    if left is None or right is None:
        return None
    a = left.fillna(0).astype(int).to_numpy()
    b = right.fillna(0).astype(int).to_numpy()
    table = pd.DataFrame(a.T @ b, index=left.columns, columns=right.columns)
    table.index.name = rows_key
    return table.reset_index()


def find_key(codebook: Codebook, *words: str) -> str | None:
    """Return the first dimension or choice-field id whose id contains one of the words."""
    ids = [d.id for d in codebook.dimensions] + [f.id for f in codebook.fields if f.choices]
    for word in words:
        for key in ids:
            if word in key.lower():
                return key
    return None


def studies_per_year(wide: pd.DataFrame) -> pd.DataFrame:
    """Return year, n (studies), with a row for every year in the range; no year is NA."""
    years = wide["year"].dropna().astype(int)
    if years.empty:
        counts = pd.Series(dtype=int)
    else:
        counts = years.value_counts().reindex(range(years.min(), years.max() + 1), fill_value=0)
    frame = pd.DataFrame({"year": counts.index.astype("Int64"), "n": counts.to_numpy()})
    missing = int(wide["year"].isna().sum())
    if missing:
        frame = pd.concat([frame, pd.DataFrame({"year": pd.array([pd.NA], dtype="Int64"),
                                                "n": [missing]})], ignore_index=True)
    return frame


def metric_summary(table: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    """Return n, n_missing, mean, median, min, max of each numeric column (NA skipped)."""
    rows = []
    for col in numeric:
        values = pd.to_numeric(table[col], errors="coerce")
        rows.append((col, int(values.notna().sum()), int(values.isna().sum()),
                     values.mean(), values.median(), values.min(), values.max()))
    return pd.DataFrame(rows, columns=["column", "n", "n_missing", "mean", "median", "min",
                                       "max"]).round(3)


def write_chart(folder: ExportFolder, stem: str, labels: list[str], values: list[float],
                title: str, xlabel: str = "", kind: str = "barh") -> list[str]:
    """Draw a bar chart (or a line for "line") as PNG and SVG; return the file names.

    Labels and titles are plain text (`PLAIN_TEXT`), whatever characters they
    hold; characters an SVG cannot hold are shown as symbols (`visible_text`).
    """
    if kind == "barh":
        labels = [visible_text(x) if isinstance(x, str) else x for x in labels]
    with plain_text():
        return _draw_chart(folder, stem, labels, values, visible_text(title),
                           visible_text(xlabel), kind)


def _draw_chart(folder: ExportFolder, stem: str, labels: list[str], values: list[float],
                title: str, xlabel: str, kind: str) -> list[str]:
    from matplotlib.figure import Figure

    labels, values = labels[:CHART_MAX_BARS], values[:CHART_MAX_BARS]
    height = max(3.0, 0.3 * len(labels) + 1.2) if kind == "barh" else 4.0
    fig = Figure(figsize=(7.5, height))
    ax = fig.add_subplot()
    if kind == "line":
        ax.plot(labels, values, marker="o")
        ax.set_ylabel("studies")
        ax.xaxis.get_major_locator().set_params(integer=True)
    else:
        ax.barh(labels[::-1], values[::-1])
        ax.set_xlabel(xlabel)
        if all(float(v).is_integer() for v in values):   # counts: no 0.5 ticks
            ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, fontsize=10)
    # Fixed margins from the longest label (a tight_layout pass would draw the figure once more).
    longest = max((len(str(x)) for x in labels), default=1) if kind == "barh" else 5
    fig.subplots_adjust(left=min(0.55, 0.05 + 0.0095 * longest), right=0.96,
                        top=1 - 0.45 / height, bottom=0.6 / height)
    return save_figure(folder, stem, fig, dpi=150)


def save_figure(folder: ExportFolder, stem: str, fig, dpi: int) -> list[str]:
    """Save a drawn figure as SVG (text kept as text) and PNG; return the file names."""
    import matplotlib

    names = []
    with matplotlib.rc_context({"svg.fonttype": "none", **PLAIN_TEXT}):
        for ext in ("svg", "png"):
            name = f"{stem}.{ext}"
            fig.savefig(folder.path(name), format=ext, dpi=dpi if ext == "png" else None,
                        metadata={"Date": None} if ext == "svg" else None)
            names.append(name)
    return names


def group_metric(table: pd.DataFrame, column: str, name_col: str | None,
                 top: int = CHART_MAX_BARS) -> tuple[list[str], list[float], int]:
    """Aggregate a group's numeric column for a chart: mean per name, largest first.

    Args:
        table: the group's table (`exports.tables.group_tables`).
        column: the numeric column.
        name_col: the column naming each row (e.g. the campaign name), or None
            to label rows "First author (year) #row".
        top: how many bars at most.

    Returns:
        (labels, values, n_labels): at most `top` labels with their mean
        value, and how many distinct labels there were in all.
    """
    shown = table[table[column].notna()]
    labels = shown[name_col].fillna("?").astype(str) if name_col else \
        shown["study"].astype(str) + " #" + shown["row"].astype(str)
    means = pd.to_numeric(shown[column], errors="coerce").astype(float).groupby(
        labels.to_numpy()).mean().sort_values(ascending=False, kind="stable")
    best = means.head(top)
    return [str(x) for x in best.index], [float(v) for v in best], len(means)

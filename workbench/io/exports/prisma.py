"""PRISMA 2020 outputs: the counts in the PRISMA2020 R package's template, and the diagram.

The template CSV has the columns of `PRISMA.csv` in the PRISMA2020 R package
(data, node, box, description, boxtext, tooltips, url, n), so
`PRISMA2020::PRISMA_flowdiagram(PRISMA_data(read.csv("prisma_counts.csv")))`
redraws the diagram. Per-database counts and exclusion reasons use the
package's "Name, n; Name, n" form (`database_specific_results`, `dbr_excluded`).
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd

from workbench.core.prisma import (CITATIONS, ORGANISATIONS, WEBSITES, PrismaCounts,
                                    source_method)
from workbench.io.exports.folder import ExportFolder
from workbench.io.exports.summary import plain_text, save_figure
from workbench.io.safe_cells import visible_text

TEMPLATE_COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]

# (data variable, node, box, description) in the order of the package template.
_ROWS = [
    ("previous_studies", "node5", "box1", "Studies included in previous version of review"),
    ("previous_reports", "", "box1", "Reports of studies included in previous version of review"),
    ("database_results", "node7", "box2", "Records identified from: Databases"),
    ("database_specific_results", "", "box2", "Records identified from each database"),
    ("register_results", "", "box2", "Records identified from: Registers"),
    ("website_results", "node17", "box11", "Records identified from: Websites"),
    ("organisation_results", "", "box11", "Records identified from: Organisations"),
    ("citations_results", "", "box11", "Records identified from: Citation searching"),
    ("duplicates", "node8", "box3", "Duplicate records"),
    ("excluded_automatic", "", "box3", "Records marked as ineligible by automation tools"),
    ("excluded_other", "", "box3", "Records removed for other reasons"),
    ("records_screened", "node9", "box4", "Records screened (databases and registers)"),
    ("records_excluded", "node10", "box5", "Records excluded (databases and registers)"),
    ("dbr_sought_reports", "node11", "box6",
     "Reports sought for retrieval (databases and registers)"),
    ("dbr_notretrieved_reports", "node12", "box7",
     "Reports not retrieved (databases and registers)"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)"),
    ("dbr_assessed", "node13", "box8",
     "Reports assessed for eligibility (databases and registers)"),
    ("dbr_excluded", "node14", "box9", "Reports excluded (databases and registers): reasons"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)"),
    ("other_excluded", "node21", "box15", "Reports excluded (other): reasons"),
    ("new_studies", "node15", "box10", "New studies included in review"),
    ("new_reports", "", "box10", "Reports of new included studies"),
    ("total_studies", "node22", "box16", "Total studies included in review"),
    ("total_reports", "", "box16", "Reports of total included studies"),
]


_SEPARATOR = re.compile(r"\s*[,;]+\s*")
_SPACES = re.compile(r"\s+")


def template_label(name: str) -> str:
    """Return a label safe in the template's "Name, n; Name, n" lists.

    A comma or semicolon inside a label becomes " - " and runs of spaces one
    space: "Theoretical, no empirical evidence" -> "Theoretical - no empirical
    evidence".
    """
    text = _SPACES.sub(" ", _SEPARATOR.sub(" - ", name)).strip()
    return text.strip(" -") or "-"


def _pairs(items) -> str:
    return "; ".join(f"{template_label(name)}, {n}" for name, n in items)


def prisma_values(counts: PrismaCounts) -> dict[str, object]:
    """Return {template variable: n} for the counts (0 for boxes the review does not use)."""
    values: dict[str, object] = {name: 0 for name, *_ in _ROWS}
    values.update({
        "database_results": sum(n for _, n in counts.databases),
        "database_specific_results": _pairs(counts.databases),
        "duplicates": counts.duplicates,
        "excluded_automatic": counts.records_stopped,
        "records_screened": counts.records_screened,
        "records_excluded": counts.records_excluded,
        "dbr_sought_reports": counts.reports_sought,
        "dbr_notretrieved_reports": counts.reports_not_retrieved,
        "dbr_assessed": counts.reports_assessed,
        "dbr_excluded": _pairs((r.label, r.n) for r in counts.reasons if r.n) or "0",
        "website_results": dict(counts.other_methods).get(WEBSITES, 0),
        "organisation_results": dict(counts.other_methods).get(ORGANISATIONS, 0),
        "citations_results": dict(counts.other_methods).get(CITATIONS, 0),
        "other_sought_reports": counts.other_sought,
        "other_notretrieved_reports": counts.other_not_retrieved,
        "other_assessed": counts.other_assessed,
        "other_excluded": _pairs((r.label, r.n) for r in counts.other_reasons if r.n) or "0",
        "new_studies": counts.studies_included,
        "new_reports": counts.reports_included,
        "total_studies": counts.studies_included,
        "total_reports": counts.reports_included,
    })
    return values


def prisma_template(counts: PrismaCounts) -> pd.DataFrame:
    """Return the counts as the PRISMA2020 R package's template table."""
    values = prisma_values(counts)
    rows = [(name, node, box, desc, desc.split(": ")[-1] if ": " in desc else desc, desc,
             f"{name}.html", values[name]) for name, node, box, desc in _ROWS]
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


def reasons_table(counts: PrismaCounts) -> pd.DataFrame:
    """Return exclusion reasons of both stages: stage, criterion, label, n (primary), n_any."""
    rows = [(r.stage, r.criterion, r.label, r.n, r.n_any)
            for r in (*counts.screening_reasons, *counts.reasons)]
    frame = pd.DataFrame(rows, columns=["stage", "criterion", "label", "n", "n_any"])
    if counts.other_sought:
        other = pd.DataFrame([(r.stage, r.criterion, r.label, r.n, r.n_any)
                              for r in counts.other_reasons], columns=frame.columns)
        frame = pd.concat([frame.assign(column="databases"), other.assign(column="other")],
                          ignore_index=True)
    return frame


#: Diagram geometry in inches: the phase-label band, column gap (room for a
#: visible arrow), gap between rows, padding inside a box, and font size.
_BAND, _GAP, _ROW_GAP, _PAD, _FONT = 0.55, 0.55, 0.38, 0.1, 9


def _method_lines(counts: PrismaCounts) -> list[str]:
    """Other-methods lines in the template's wording, each source under its method."""
    per_method = dict(counts.other_methods)
    lines = []
    for method, word in ((WEBSITES, "Websites"), (ORGANISATIONS, "Organisations"),
                         (CITATIONS, "Citation searching")):
        lines.append(f"  {word} (n = {per_method.get(method, 0):,})")
        lines += [f"    {name} (n = {n:,})" for name, n in counts.other_sources
                  if source_method(name) == method and name != word]
    return lines


def _cells(counts: PrismaCounts) -> list[list[str | None]]:
    """Rows of [main, excluded, other-methods] box texts (None: no box), top first."""
    dbs = [f"    {name} (n = {n:,})" for name, n in counts.databases]
    reasons = [f"  {r.label} (n = {r.n:,})" for r in counts.reasons]
    other = bool(counts.other_sought or counts.other_sources)
    rows: list[list[str | None]] = [
        ["\n".join(["Records identified from:",
                    f"  Databases (n = {sum(n for _, n in counts.databases):,})", *dbs,
                    "  Registers (n = 0)"]),
         "Records removed before screening:\n"
         f"  Duplicate records removed (n = {counts.duplicates:,})"
         + (f"\n  Records marked as ineligible by automation tools\n"
            f"  (not screened: stopping criterion met) (n = {counts.records_stopped:,})"
            if counts.records_stopped else ""),
         "\n".join(["Records identified from:", *_method_lines(counts),
                    "(screened with the database records)"]) if other else None],
        [f"Records screened\n(n = {counts.records_screened:,})",
         f"Records excluded\n(n = {counts.records_excluded:,})", None],
        [f"Reports sought for retrieval\n(n = {counts.reports_sought:,})",
         f"Reports not retrieved\n(n = {counts.reports_not_retrieved:,})"
         + _not_screened(counts.reports_not_screened),
         f"Reports sought (other)\n(n = {counts.other_sought:,})\n"
         f"Reports not retrieved\n(n = {counts.other_not_retrieved:,})"
         + _not_screened(counts.other_not_screened) if other else None],
        [f"Reports assessed for eligibility\n(n = {counts.reports_assessed:,})",
         "\n".join([f"Reports excluded (n = {counts.reports_excluded:,})"
                    + (":" if reasons else ""), *reasons]),
         "\n".join([f"Reports assessed (other)\n(n = {counts.other_assessed:,})",
                    f"Reports excluded (n = {counts.other_excluded:,})"
                    + (":" if counts.other_reasons else ""),
                    *(f"  {r.label} (n = {r.n:,})" for r in counts.other_reasons)])
         if other else None],
        [f"Studies included in review\n(n = {counts.studies_included:,})\n"
         f"Reports of included studies\n(n = {counts.reports_included:,})", None, None],
    ]
    return rows


def _not_screened(n: int) -> str:
    """The line a reviewer's own diagram adds under "Reports not retrieved" (none when 0)."""
    return f"\nReports not screened by this reviewer\n(n = {n:,})" if n else ""


def _wrap(text: str, width: float, measure) -> str:
    """Wrap each line of text (keeping its indent) until measure(text) <= width."""
    lines = text.replace("(n = ", "(n\u00a0=\u00a0").split("\n")   # never split "(n = 1)"
    for chars in range(max(len(line) for line in lines), 8, -1):
        wrapped = []
        for line in lines:
            indent = line[:len(line) - len(line.lstrip())]
            wrapped += textwrap.wrap(line, chars, initial_indent="",
                                     subsequent_indent=indent + "  ",
                                     drop_whitespace=False) or [""]
        out = "\n".join(w.rstrip() for w in wrapped).replace("\u00a0", " ")
        if measure(out)[0] <= width:
            return out
    return out


def draw_prisma_figure(counts: PrismaCounts, title: str = ""):
    """Return the PRISMA 2020 flow diagram as a matplotlib Figure (Agg canvas).

    Each box is sized to its wrapped text; the boxes of a row share a centre
    line so the arrow between them meets both mid-height.

    Args:
        counts: checked counts (see `workbench.core.prisma.check_prisma`).
        title: a title drawn above the diagram.

    Returns:
        The figure; every box is a `Rectangle` whose gid is "box<i>" and its
        text a `Text` with the same gid. Every text is plain (a "$" in a
        criterion label or the title is drawn as a "$", never as mathtext).
    """
    with plain_text():
        return _draw_prisma_figure(counts, title)


def _draw_prisma_figure(counts: PrismaCounts, title: str):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    title = visible_text(title)
    rows = [[visible_text(t) if t else t for t in row] for row in _cells(counts)]
    other = any(row[2] for row in rows)
    widths = (3.0, 3.0, 2.75) if other else (3.4, 3.4, 0.0)
    xs = [_BAND, _BAND + widths[0] + _GAP, _BAND + widths[0] + widths[1] + 2 * _GAP - 0.2]
    fig_w = xs[2] + widths[2] + 0.15 if other else xs[1] + widths[1] + 0.2
    fig = Figure(figsize=(fig_w, 10))
    FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()

    def measure(text: str) -> tuple[float, float]:
        probe = fig.text(0, 0, text, fontsize=_FONT)
        box = probe.get_window_extent(renderer)
        probe.remove()
        return box.width / fig.dpi, box.height / fig.dpi

    # Lay the rows out top-down in inches, then size the figure to fit.
    placed = []                      # (x, y_top, w, h, text, col) with y from the top
    top = 0.75 if title else 0.2
    for row in rows:
        texts = [(c, _wrap(t, widths[c] - 2 * _PAD, measure)) for c, t in enumerate(row) if t]
        sizes = {c: measure(t) for c, t in texts}
        height = max(h for _, h in sizes.values()) + 2 * _PAD
        for c, t in texts:
            h = sizes[c][1] + 2 * _PAD
            placed.append((xs[c], top + (height - h) / 2, widths[c], h, t, c, top, height))
        top += height + _ROW_GAP
    fig_h = top - _ROW_GAP + 0.2
    fig.set_size_inches(fig_w, fig_h)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, fig_w)
    ax.set_ylim(fig_h, 0)            # y grows downwards, in inches
    ax.axis("off")
    if title:
        ax.text(fig_w / 2, 0.25, title, ha="center", va="top", fontsize=11, weight="bold")
    for i, (x, y, w, h, text, *_rest) in enumerate(placed):
        ax.add_patch(Rectangle((x, y), w, h, fc="white", ec="black", lw=0.8, gid=f"box{i}"))
        ax.text(x + _PAD, y + h / 2, text, ha="left", va="center", fontsize=_FONT,
                gid=f"box{i}")
    arrow = dict(arrowstyle="-|>", lw=0.9, color="black", shrinkA=0, shrinkB=0)
    main = [b for b in placed if b[5] == 0]
    for upper, lower in zip(main, main[1:]):
        mid = upper[0] + upper[2] / 2
        ax.annotate("", xy=(mid, lower[1]), xytext=(mid, upper[1] + upper[3]),
                    arrowprops=arrow)
    for box in placed:
        if box[5] == 1:
            source = next(b for b in main if b[6] == box[6])
            centre = box[1] + box[3] / 2
            ax.annotate("", xy=(box[0], centre), xytext=(source[0] + source[2], centre),
                        arrowprops=arrow)
    side = [b for b in placed if b[5] == 2]
    for upper, lower in zip(side[1:], side[2:]):
        mid = upper[0] + upper[2] / 2
        ax.annotate("", xy=(mid, lower[1]), xytext=(mid, upper[1] + upper[3]),
                    arrowprops=arrow)
    if len(side) > 1:                # other-methods studies join the included box
        last, included = side[-1], main[-1]
        mid = last[0] + last[2] / 2
        ax.annotate("", xy=(included[0] + included[2], included[1] + included[3] / 2),
                    xytext=(mid, last[1] + last[3]),
                    arrowprops=dict(arrow, connectionstyle="angle,angleA=-90,angleB=180"))
    row_tops = sorted({(b[6], b[7]) for b in placed})
    for start, end, label in ((0, 0, "Identification"), (1, 3, "Screening"),
                              (4, 4, "Included")):
        y0, y1 = row_tops[start][0], row_tops[end][0] + row_tops[end][1]
        ax.add_patch(Rectangle((0.1, y0), 0.3, y1 - y0, fc="#dbe8f5", ec="none"))
        ax.text(0.25, (y0 + y1) / 2, label, rotation=90, ha="center", va="center",
                fontsize=_FONT, weight="bold", color="#1f4e79")
    return fig


def write_prisma_diagram(folder: ExportFolder, stem: str, counts: PrismaCounts,
                         title: str = "") -> list[str]:
    """Draw the PRISMA 2020 flow diagram as SVG and PNG (matplotlib, Agg backend).

    Args:
        folder: the staging folder.
        stem: file name without extension (e.g. "prisma_flow").
        counts: checked counts (see `workbench.core.prisma.check_prisma`).
        title: a title drawn above the diagram.

    Returns:
        The file names written.
    """
    with plain_text():
        return save_figure(folder, stem, draw_prisma_figure(counts, title), dpi=200)

"""PRISMA 2020 outputs: the counts in the PRISMA2020 R package's template, and the diagram.

The template CSV has the columns of `PRISMA.csv` in the PRISMA2020 R package
(data, node, box, description, boxtext, tooltips, url, n), so
`PRISMA2020::PRISMA_flowdiagram(PRISMA_data(read.csv("prisma_counts.csv")))`
redraws the diagram. Per-database counts and exclusion reasons use the
package's "Name, n; Name, n" form (`database_specific_results`, `dbr_excluded`).
"""

from __future__ import annotations

import re

import pandas as pd

from workbench.core.prisma import CITATIONS, ORGANISATIONS, WEBSITES, PrismaCounts
from workbench.io.export import ExportFolder
from workbench.io.export_summary import save_figure

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


def _boxes(counts: PrismaCounts) -> list[tuple[float, float, float, float, str]]:
    """(x, y, w, h, text) of each box in a 100 x 100 frame; main column first."""
    dbs = "\n".join(f"  {name} (n = {n:,})" for name, n in counts.databases)
    reasons = "\n".join(f"  {r.label} (n = {r.n:,})" for r in counts.reasons)
    other = bool(counts.other_sought or counts.other_sources)
    left, right, w = (7, 39, 30) if other else (8, 58, 40)
    boxes = [
        (left, 80, w, 16, f"Records identified from:\n{dbs}\n" + (
            f"Databases (n = {sum(n for _, n in counts.databases):,});\nall sources "
            f"(n = {counts.records_identified:,})" if other else
            f"Total (n = {counts.records_identified:,})")),
        (right, 80, w, 16, "Records removed before screening:\n"
                           f"  Duplicate records removed (n = {counts.duplicates:,})"),
        (left, 64, w, 9, f"Records screened\n(n = {counts.records_screened:,})"),
        (right, 64, w, 9, f"Records excluded\n(n = {counts.records_excluded:,})"),
        (left, 50, w, 9, f"Reports sought for retrieval\n(n = {counts.reports_sought:,})"),
        (right, 50, w, 9, f"Reports not retrieved\n(n = {counts.reports_not_retrieved:,})"),
        (left, 36, w, 9, f"Reports assessed for eligibility\n(n = {counts.reports_assessed:,})"),
        (right, 22, w, 23, f"Reports excluded (n = {counts.reports_excluded:,}):\n{reasons}"),
        (left, 6, w, 11, f"Studies included in review\n(n = {counts.studies_included:,})\n"
                         f"Reports of included studies\n(n = {counts.reports_included:,})"),
    ]
    if other:
        x = 71
        sources = "\n".join(f"  {name} (n = {n:,})" for name, n in counts.other_sources)
        excluded = "\n".join(f"  {r.label} (n = {r.n:,})" for r in counts.other_reasons)
        boxes += [
            (x, 80, 27, 16, f"Other methods\n(screened with the rest):\n{sources}"),
            (x, 50, 27, 9, f"Reports sought (other)\n(n = {counts.other_sought:,})"),
            (x, 40, 27, 7, f"Not retrieved (other)\n(n = {counts.other_not_retrieved:,})"),
            (x, 30, 27, 7, f"Assessed (other)\n(n = {counts.other_assessed:,})"),
            (x, 19, 27, 9, f"Excluded (other) (n = {counts.other_excluded:,})\n{excluded}"),
        ]
    return boxes


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
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    fig = Figure(figsize=(9, 10.5))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.axis("off")
    if title:
        ax.text(50, 98.5, title, ha="center", va="top", fontsize=10, weight="bold", wrap=True)
    boxes = _boxes(counts)
    for x, y, w, h, text in boxes:
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.3", fc="white",
                                    ec="black", lw=0.8))
        ax.text(x + 1.2, y + h / 2, text, ha="left", va="center",
                fontsize=9 if w >= 40 else 7.5)
    arrow = dict(arrowstyle="->", lw=0.8, color="black")
    # Down the left column, and across to each box on the right.
    column = [b for b in boxes if b[0] == boxes[0][0]]
    for (x, y, w, h, _), (_, y2, _, h2, _) in zip(column, column[1:]):
        ax.annotate("", xy=(x + w / 2, y2 + h2 + 0.4), xytext=(x + w / 2, y - 0.4),
                    arrowprops=arrow)
    for (x, y, w, h, _) in column[:-1]:
        right = next((b for b in boxes if b[0] == boxes[1][0]
                      and b[1] <= y + h / 2 <= b[1] + b[3]), None)
        if right is not None:
            ax.annotate("", xy=(right[0] - 0.4, y + h / 2), xytext=(x + w + 0.4, y + h / 2),
                        arrowprops=arrow)
    for label, y0, y1 in (("Identification", 78, 97), ("Screening", 20, 75),
                          ("Included", 5, 18)):
        ax.text(3, (y0 + y1) / 2, label, rotation=90, ha="center", va="center", fontsize=9,
                weight="bold", color="#1f4e79")
    return save_figure(folder, stem, fig, dpi=200)

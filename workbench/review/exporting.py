"""`write_exports`: everything `workbench export` writes to exports/, all or nothing.

Reads the records, the studies and every coding sheet, combines the sheets
into one source (the consensus by default, or one reviewer's sheet), checks
the PRISMA flow, and only then writes the coded dataset, the references, the
screening log, the PRISMA diagram and counts, and the summary tables and
charts. Nothing in exports/ changes when any step fails.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from workbench.core.codebook import SCREENING
from workbench.core.events import CONSENSUS
from workbench.core.wording import plural
from workbench.core.prisma import (BOX_INCLUDED, BOX_NOT_SCREENED, PrismaCounts, check_prisma,
                                    compute_flow)
from workbench.errors import ExportError
from workbench.io.exports import summary
from workbench.io.exports.folder import (CSV_CHUNK_ROWS, ExportFolder, write_csv,
                                        write_csv_chunks, write_json, write_text, write_xlsx)
from workbench.io.exports.background import Background
from workbench.io.exports.evidence import EVIDENCE_FILE, evidence_table, ticked_codes
from workbench.io.exports.decisions import (ANNOTATION_COLUMNS, SHEET, coding_annotations,
                                           events_frame, final_screening, latest_values,
                                           resolve_coding)
from workbench.io.exports.dictionary import ANNOTATIONS_FILE, codebook_table, data_dictionary
from workbench.io.exports.prisma import (prisma_template, reasons_table,
                                        write_prisma_diagram)
from workbench.io.exports.csl import write_reference_files
from workbench.io.exports.stats import write_stats
from workbench.review.refi_project import project_sources, write_project_file
from workbench.io.exports.tables import (group_tables, long_table, numbers_as_typed,
                                        study_table, table_name, wide_table)
from workbench.review.agreement import agreement_frame, methods_text
from workbench.review.agreement_cache import cached_agreement
from workbench.review.screening_methods import screening_methods
from workbench.review.stopping_close import stopped_studies
from workbench.review.off_codebook import describe as describe_off_codebook, off_codebook
from workbench.review.unresolved import (apply_merges_to_coding, apply_merges_to_screening,
                                        criteria_not_agreed, describe, not_agreed_list,
                                        open_merge_conflicts)
from workbench.review.history import AUDIT_FILE, audit_chunks, audit_table
from workbench.review.reviewer_flow import describe_not_screened, reports_not_reached
from workbench.review.sheet_reads import forget_review_sheets

log = logging.getLogger(__name__)

#: Events up to which the audit trail is also a sheet of the workbook. Excel holds
#: 1,048,575 rows, but a sheet of 300k events (13 columns) costs the export 40 s, so a
#: large review gets the audit trail as audit_log.csv only (and the README sheet says so).
XLSX_AUDIT_ROWS = 100_000

Progress = Callable[[int, int], None]
STEPS = 9
WORKBOOK = "workbench_export.xlsx"


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: folder, files, source, counts, codebook version, sheets."""

    folder: Path
    files: tuple[Path, ...]
    source: str
    studies_included: int
    prisma: PrismaCounts
    codebook_version: str
    sheets: tuple[str, ...]
    exported_at: str
    warnings: tuple[str, ...] = ()
    #: Every value left empty because not agreed, and every decision whose
    #: criteria the reviewers differ on (the union was used): NotAgreed values.
    not_agreed: tuple = ()


def _read_sheets(review) -> tuple[pd.DataFrame, list[str], list[str]]:
    """All events of every sheet in coding/ (file order kept), the sheet names, warnings.

    Decisions on a study that duplicate detection merged into another follow
    it: the review's aliases (old study id -> current id) are applied as the
    sheets are read.
    """
    from workbench.review.sheet_reads import review_sheet_frame
    frames, names, warnings = [], [], []
    for path in sorted(review.coding.glob("*.csv")):
        # The store's reader (`read_sheet`'s events and problems, as columns): it proves
        # each line complete (its check column), refuses impossible times and sets torn
        # lines aside, so the export applies exactly the events every other command sees.
        # Read once per command: the parts of the export that read the sheets
        # themselves (agreement, conflicts) get the same columns from the review.
        contents = review_sheet_frame(review, path)
        warnings += [str(p) for p in contents.problems]
        frames.append(_object_frame(contents.events, path.stem))
        names.append(path.stem)
        del contents
    if not frames:
        return events_frame([], ""), names, warnings
    return pd.concat(frames, ignore_index=True), names, warnings


def _object_frame(columns: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """`events_frame` of one sheet from its columns, each an object array (the same cells).

    Each distinct text of a categorical column is one object shared by its
    events (a 1.5M-event review repeats its reviewers, studies, fields, values
    and versions: a string per event would cost most of a gigabyte). Object,
    not pandas 3's python-backed `str`, which compares, factorizes, tests for
    NA and writes to CSV slower; every step of the export works on these columns.
    """
    from workbench.core.events import COLUMNS
    if columns.empty:
        return events_frame([], sheet).astype(object)
    data = {name: columns[name].to_numpy(dtype=object) for name in COLUMNS}
    data[SHEET] = np.full(len(columns), sheet, dtype=object)
    return pd.DataFrame(data, dtype=object, copy=False)


def _step(progress: Progress | None, cancel: threading.Event | None, done: int) -> None:
    if cancel is not None and cancel.is_set():
        raise ExportError("export cancelled", hint="nothing was exported")
    if progress is not None:
        progress(done, STEPS)


def write_exports(review, source: str = CONSENSUS, progress: Progress | None = None,
                  cancel: threading.Event | None = None, charts: bool = True,
                  require_agreed: bool = False, out: Path | None = None) -> ExportSummary:
    """Write the coded dataset, references, screening log, PRISMA and summaries to exports/.

    Args:
        review: an open workbench.review.Review.
        source: "consensus" (the consensus sheet plus values all required
            reviewers agree on) or a reviewer name (that reviewer's sheet).
        progress: called with (steps done, steps in all).
        cancel: set it to stop; nothing is written then.
        charts: draw the PRISMA diagram and the summary charts (SVG and PNG);
            False writes every table but no picture (faster; `--no-charts`).
        require_agreed: refuse (write nothing) when any value would be left
            empty because it is not agreed, or criteria would be a union.
        out: the folder to write to instead of the review's exports/ (e.g.
            when the review folder is read-only; `--out`).

    Returns:
        ExportSummary naming every file written.

    Raises:
        ExportError: the reviewer has no sheet; the PRISMA flow is unfinished or
            does not add up (every disagreeing number is listed); with
            `require_agreed`, values not agreed (each listed); the export was
            cancelled or a file could not be written. exports/ is unchanged.
        CodebookError, SheetError: from reading the codebook or the sheets.
    """
    from workbench.review import export_memo
    target = Path(out) if out is not None else review.exports
    key = export_memo.memo_key(review, source, charts, require_agreed, out)
    where = export_memo.slot(source, charts, require_agreed)
    manifest = export_memo.load(review, where, key)
    if manifest is not None:   # nothing changed since the kept export: copy it
        try:
            return export_memo.reuse(review, where, manifest, target, progress, cancel)
        except (export_memo.Stale, KeyError, TypeError, ValueError) as exc:
            log.info("the kept export is not used (%s); exporting", exc)
    codebook = review.codebook()
    _step(progress, cancel, 0)
    records = review.records()
    dedupe = review.dedupe()
    studies = list(dedupe.studies)
    events, sheets, warnings = _read_sheets(review)
    if source != CONSENSUS and source not in sheets:
        raise ExportError(f"no coding sheet for reviewer {source!r}",
                          path=review.coding / f"{source}.csv",
                          hint=f"sheets: {', '.join(sheets) or 'none'}; nothing was exported")
    latest = latest_values(events)
    _step(progress, cancel, 1)

    stages = codebook.screening_stages()
    if not stages:
        raise ExportError("the codebook has no screening stage", path=codebook.path or None,
                          hint="PRISMA needs one; nothing was exported")
    labels = {c.id: c.label for c in codebook.criteria}
    merges = open_merge_conflicts(review) if source == CONSENSUS else []
    finals = [(stage.id, apply_merges_to_screening(
        stage.id, final_screening(latest, stage, source), merges)) for stage in stages]
    # Studies left unscreened when a reviewer closed screening (stopping test): not screened.
    closed = stopped_studies(latest, stages[0], finals[0][1], source)
    finals[0] = (stages[0].id, closed.finals)
    not_agreed = [n for sid, f in finals for n in criteria_not_agreed(sid, f)]
    unseen = set() if source == CONSENSUS else reports_not_reached(latest, stages, finals)
    counts = compute_flow(
        [r.database for r in records], [s.id for s in studies], finals, labels,
        {s.id: s.databases for s in studies}, not_screened=unseen, stopped=closed.stopped)
    stopped_text = closed.describe(stages[0].id)
    if stopped_text:
        warnings.append(stopped_text)
    unseen = {sid for sid, box in counts.placement.items() if box == BOX_NOT_SCREENED}
    if unseen:
        warnings.append(describe_not_screened(source, stages[-1].id, unseen))
    problems = check_prisma(counts)
    if any("still unscreened" in p for p in problems):
        problems.append("(a study counts as screened at a stage once as many reviewers as the "
                        "stage needs have decided alike, or the consensus has; "
                        "`workbench status` shows each reviewer's progress)")
    if problems and merges:
        problems.append("(conflicts from merged studies, one reviewer's decisions differing: "
                        + ", ".join(sorted({f"{c.study_id} at {c.stage}" for c in merges}))
                        + "; see `workbench conflicts`)")
    if problems:
        raise ExportError(
            "the PRISMA flow is not finished or does not add up:\n  " + "\n  ".join(problems),
            hint=f"source {source}; nothing was exported")
    _step(progress, cancel, 2)

    included = [s for s in studies if counts.placement.get(s.id) == BOX_INCLUDED]
    pub_types = _pub_types(records, dedupe.record_to_study)
    screening_ids = {s.id for s in codebook.stages if s.kind == SCREENING}
    title = codebook.review.title

    def write_references(folder: ExportFolder) -> None:   # .bib, .ris, CSL-JSON, with decisions
        write_reference_files(folder, included, pub_types, finals, codebook)

    def write_log(folder: ExportFolder) -> None:
        rows = np.flatnonzero(events["stage"].isin(screening_ids).to_numpy())
        # Sheets are concatenated in name order: a stable sort on time alone gives
        # (time, sheet) order. Fixed-width times sort as bytes, in C.
        order = rows[np.argsort(np.array(events["time"].take(rows).tolist(), dtype="S32"),
                                kind="stable")]
        columns = [SHEET, *events.columns[:-1]]
        # Taken and written CSV_CHUNK_ROWS rows at a time: no sorted copy of the events.
        write_csv_chunks(folder, "screening_log.csv", (
            events.take(order[at:at + CSV_CHUNK_ROWS])[columns]
            for at in range(0, max(len(order), 1), CSV_CHUNK_ROWS)))

    def release(folder: ExportFolder) -> None:
        """In the forked writer only, before the agreement: drop what no later job uses.

        The events, the latest values, the records, the studies and the final
        decisions (the log, the audit and the references are written): the
        agreement's memory reuses theirs, so this process peaks lower. Run
        inline (no fork), this process still needs them: nothing is dropped.
        """
        nonlocal events, latest, records, dedupe, studies, finals, included
        if os.getpid() != exporter:
            events = latest = records = dedupe = studies = finals = included = None
            review.forget_loaded()

    def write_agreement(folder: ExportFolder) -> None:
        """Inter-coder agreement and its methods sentences (review.agreement)."""
        # On the sheets' columns as this export read them (review_sheet_frame keeps
        # them for the command; a forked second process has them too): no second read.
        # .workbench/agreement.json: what `workbench agreement` stored, or stored for it
        agreement, _ = cached_agreement(review)
        write_csv(folder, "agreement.csv", agreement_frame(agreement))
        write_text(folder, "agreement_methods.txt", methods_text(agreement))

    # The audit trail goes to the workbook too when it is small enough (XLSX_AUDIT_ROWS);
    # then it is built here, else only the second process builds it, for the CSV.
    audit = audit_table(review, events, dedupe, studies) if len(events) <= XLSX_AUDIT_ROWS \
        else None

    def write_audit(folder: ExportFolder) -> None:
        if audit is not None:
            write_csv(folder, AUDIT_FILE, audit)
        else:   # made and written 100,000 entries at a time, never whole
            write_csv_chunks(folder, AUDIT_FILE, audit_chunks(review, events, dedupe, studies))

    # Counted here, from the events, before the first writer is forked: after that this
    # process drops the events.
    methods = screening_methods(review, events)
    drawn: list | None = [] if charts else None
    with ExportFolder(target) as folder:
        # A second process (where the platform allows) writes the references, the
        # log and the diagram while this one builds the coded tables, and another
        # draws the charts while this one writes the tables and the workbook.
        early, late = Background(folder), Background(folder)
        exporter = os.getpid()
        early.start([write_log, write_audit, write_references, release, write_agreement] + (
            [lambda f: write_prisma_diagram(f, "prisma_flow", counts, title)] if charts else []))
        # The first writer has its own copy of what it needs: the events (the log's and the
        # audit's), the studies (the audit's) and the parsed sheets (the agreement's). This
        # process needs none of them any more; dropped, their memory serves the tables,
        # and the second writer, forked later, does not count their pages again.
        events = dedupe = studies = None
        if early.process is not None:
            forget_review_sheets(review)
        try:
            bib = study_table(included)
            coding = codebook.coding_stages()
            values, rows, unresolved, annotations = _resolved(codebook, latest, source, bib)
            coding_id = coding[0].id if coding else ""
            values, unresolved = apply_merges_to_coding(coding_id, values, unresolved, merges)
            drift = off_codebook(codebook, values, rows)   # a code/field/type changed since
            if drift:
                warnings.append("\n".join(describe_off_codebook(drift)))
            not_agreed = not_agreed_list(coding_id, unresolved, merges) + not_agreed
            if require_agreed and not_agreed:
                raise ExportError("values are not agreed (--require-agreed):\n  "
                                  + "\n  ".join(describe(not_agreed, first=20)),
                                  hint="resolve them (`workbench conflicts`); nothing was "
                                  "exported")
            wide = wide_table(codebook, bib, values, unresolved)
            groups = group_tables(codebook, rows, bib)
            tidy = long_table(codebook, values, rows, list(bib["study_id"]))
            _step(progress, cancel, 3)

            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            meta = {"review": codebook.review.title, "exported_at": now, "source": source,
                    # relative, so a shared supplement never names a home directory
                    "codebook": "codebook.yaml",
                    "codebook_version": codebook.version,
                    "sheets": [f"coding/{s}.csv" for s in sheets],
                    "screening_stages": [s.id for s in stages],
                    "coding_stage": coding[0].id if coding else "",
                    "records": counts.records_identified, "studies": counts.records_screened + counts.records_stopped,
                    "studies_included": counts.studies_included,
                    "values_unresolved": int(len(unresolved)),
                    "studies_not_coded": sorted({n.study_id for n in not_agreed
                                                 if n.why == "not coded"}),
                    "not_agreed": [n.as_dict() for n in not_agreed],
                    "values_off_codebook": [d.as_dict() for d in drift],
                    **({"not_screened": {"stage": stages[-1].id, "studies": sorted(unseen)}}
                       if unseen else {}),
                    **({"stopped": {"stage": stages[0].id, "text": stopped_text,
                                    "studies": sorted(closed.stopped),
                                    "single_screened": sorted(closed.single),
                                    "reviewers": closed.reviewers}} if stopped_text else {}),
                    "annotations": int(len(annotations)),
                    "sheet_warnings": warnings,
                    "screening_methods": methods}
            tables = {"coded_dataset.csv": wide, "coded_long.csv": tidy}
            by_id = {g.id: g for g in codebook.groups}
            tables.update({f"{table_name(by_id[g])}.csv": t for g, t in groups.items()})
            tables[ANNOTATIONS_FILE] = annotations
            tables[EVIDENCE_FILE] = evidence_table(codebook, annotations, bib, ticked_codes(
                latest, coding_id, set(annotations["study_id"].tolist()),
                codebook.resolve_code))
            summaries = _write_summaries(folder, codebook, wide, groups, drawn)
            # review.qdpx (REFI-QDA): its sources here (they carry warnings for the
            # metadata), its XML in the second process with the charts.
            sources, coders, project_warnings = project_sources(
                review, codebook, included, latest, annotations, values, coding_id)
            warnings += project_warnings
            late.start(([lambda f: [summary.write_chart(f, *a, **k) for a, k in drawn]]
                        if charts else [])
                       + [lambda f: write_project_file(f, codebook, sources, coders)])
            for name, table in tables.items():
                write_csv(folder, name, numbers_as_typed(codebook, table))   # 30, not 30.0
            dictionary = data_dictionary(codebook, tables)
            write_csv(folder, "data_dictionary.csv", dictionary)
            write_stats(folder, codebook, tables, dictionary)   # .dta, .sav, load.R
            _step(progress, cancel, 4)
            write_csv(folder, "prisma_counts.csv", prisma_template(counts))
            write_csv(folder, "prisma_reasons.csv", reasons_table(counts))
            write_csv(folder, "prisma_studies.csv", pd.DataFrame(
                {"study_id": list(counts.placement), "box": list(counts.placement.values())}))
            _step(progress, cancel, 5)
            readme = _readme(meta, counts)
            write_xlsx(folder, WORKBOOK, {**{n[:-4]: t for n, t in tables.items()},
                                          "data_dictionary": dictionary,
                                          "codebook": codebook_table(codebook), **summaries,
                                          **({"audit_log": audit} if audit is not None else {})},
                       readme)
            _step(progress, cancel, 6)
            write_text(folder, "README.txt", "\n".join(f"{k}: {v}" for k, v in readme) + "\n")
            _step(progress, cancel, 7)
            early.wait()
            late.wait()
        finally:
            early.stop()
            late.stop()
        write_json(folder, "export_metadata.json", {**meta, "files": sorted(folder.files)})
        _step(progress, cancel, 8)
        files = folder.commit()
    if key is not None and export_memo.memo_key(review, source, charts, require_agreed,
                                                out) == key:   # inputs unchanged meanwhile
        export_memo.store(review, where, key, files, target, {
            "meta": {k: v for k, v in meta.items() if k != "exported_at"},
            "counts": export_memo.counts_json(counts), "_counts": counts,
            "not_agreed": [n.as_dict() for n in not_agreed], "_not_agreed": not_agreed,
            "warnings": list(warnings), "source": source,
            "codebook_version": codebook.version, "sheets": list(sheets),
            "studies_included": counts.studies_included})
    _step(progress, None, STEPS)
    log.info("exported %d files to %s", len(files), target)
    return ExportSummary(target, tuple(files), source, counts.studies_included, counts,
                         codebook.version, tuple(sheets), now,
                         tuple(folder.recovered) + tuple(warnings),   # a killed export's repair
                         tuple(not_agreed))


def _resolved(codebook, latest: pd.DataFrame, source: str, bib: pd.DataFrame):
    """The coding stage's values, group rows, unresolved values and annotations."""
    coding = codebook.coding_stages()
    ids = pd.Index(bib["study_id"])
    if coding:
        values, rows, unresolved = resolve_coding(latest, coding[0], source, ids, codebook)
        return values, rows, unresolved, coding_annotations(latest, coding[0], source, ids,
                                                            codebook.resolve_code)
    empty = pd.DataFrame({"study_id": [], "field": [], "value": [], "source": []}, dtype=object)
    rows = pd.DataFrame({c: [] for c in ("study_id", "group", "row_id", "row_time", "field",
                                         "value", "source")}, dtype=object)
    unresolved = pd.DataFrame({"study_id": [], "field": [], "status": []}, dtype=object)
    return empty, rows, unresolved, pd.DataFrame({c: [] for c in ANNOTATION_COLUMNS},
                                                 dtype=object)


def _pub_types(records, record_to_study: dict[str, str]) -> dict[str, list[str]]:
    """Study id -> the publication types of all its records (exports.refs picks one)."""
    out: dict[str, list[str]] = {}
    for r in records:
        sid = record_to_study.get(r.id)
        if sid and r.pub_type:
            out.setdefault(sid, []).append(r.pub_type)
    return out


def _write_summaries(folder: ExportFolder, codebook, wide: pd.DataFrame,
                     groups: dict[str, pd.DataFrame],
                     drawn: list | None) -> dict[str, pd.DataFrame]:
    """Write summary/*.csv; list the charts to draw in `drawn` (None: no charts).

    Returns the tables for the workbook; each item of `drawn` is the
    (args, kwargs) of `summary.write_chart` after its folder.

    Each chart is drawn once from an aggregated table (at most CHART_MAX_BARS
    bars), so drawing does not grow with the number of studies.
    """
    def chart(folder, *args, **kwargs) -> None:   # drawn later, by `summary.write_chart`
        if drawn is not None:
            drawn.append((args, kwargs))

    out: dict[str, pd.DataFrame] = {}
    freq = summary.code_frequencies(codebook, wide)
    write_csv(folder, "summary/code_frequencies.csv", freq)
    out["code_frequencies"] = freq
    for dim in codebook.dimensions:
        part = freq[freq["dimension"] == dim.id]
        chart(folder, f"charts/codes_{dim.id}", list(part["label"]), list(part["n"]),
              f"{dim.label} (n = {plural(int(part['n_coded'].max() or 0), 'study')} coded)",
              "studies")
    platform = summary.find_key(codebook, "platform")
    policy = summary.find_key(codebook, "policy")
    source_type = summary.find_key(codebook, "source_type", "source")
    theme = summary.find_key(codebook, "activism", "theme", "approach")
    for a, b in ((platform, policy), (source_type, theme)):
        if a and b and a != b:
            table = summary.crosstab(codebook, wide, a, b)
            if table is not None:
                write_csv(folder, f"summary/crosstab_{a}_x_{b}.csv", table)
                out[f"x_{a}_{b}"] = table
    years = summary.studies_per_year(wide)
    write_csv(folder, "summary/studies_per_year.csv", years)
    out["studies_per_year"] = years
    known = years.dropna()
    chart(folder, "charts/studies_per_year", list(known["year"].astype(int)),
          list(known["n"]), "Included studies per year", kind="line")
    for group in codebook.groups:
        table = groups[group.id]
        numeric = [f.id for f in group.fields if f.type in ("integer", "number")]
        if not numeric:
            continue
        metrics = summary.metric_summary(table, numeric)
        write_csv(folder, f"summary/{group.id}_metrics.csv", metrics)
        out[f"{group.id}_metrics"] = metrics
        name_col = next((f.id for f in group.fields if f.type == "text"), None)
        for col in numeric:
            fld = group.field(col)
            labels, values, n_labels = summary.group_metric(table, col, name_col)
            unit = f" ({fld.unit})" if fld.unit else ""
            what = group.label.lower() or group.id
            chart(folder, f"charts/{group.id}_{col}", labels, values,
                  f"{fld.label}{unit}, mean by {what} ({min(n_labels, len(labels))} of "
                  f"{n_labels}; {int(table[col].isna().sum())} not reported)", fld.label)
    return out


def _readme(meta: dict, counts: PrismaCounts) -> list[tuple[str, str]]:
    return [
        ("Review", meta["review"]),
        ("Exported at (UTC)", meta["exported_at"]),
        ("Source", "consensus sheet plus values all required reviewers agree on"
         if meta["source"] == CONSENSUS else f"the sheet of reviewer {meta['source']}"),
        ("Codebook", f"{meta['codebook']} (version {meta['codebook_version']})"),
        ("Sheets used", ", ".join(meta["sheets"]) or "none"),
        ("Records identified", str(counts.records_identified)),
        ("Studies (after duplicates removed)", str(counts.records_screened
                                                   + counts.records_stopped)),
        *([("Not screened: stopping criterion met", meta["stopped"]["text"])]
          if "stopped" in meta else []),
        ("Studies included", str(counts.studies_included)),
        *([("Reports not screened by this reviewer", f"{len(meta['not_screened']['studies'])}"
            f" at {meta['not_screened']['stage']}: the team's decisions did not send them on, "
            "so they never reached this reviewer (listed in export_metadata.json, "
            "`not_screened`)")] if "not_screened" in meta else []),
        ("Values left missing (not agreed)", str(meta["values_unresolved"])
         + " (listed in export_metadata.json, `not_agreed`, and in each study's "
           "`unresolved` column)"),
        ("Included studies no coder has started",
         (", ".join(meta["studies_not_coded"]) + " (every value missing; their values are "
          "pending in `unresolved`)") if meta["studies_not_coded"] else "none"),
        ("Values the current codebook does not define or accept",
         (f"{len(meta['values_off_codebook'])} (a code, field or type changed after they were "
          "entered; exported as saved, every one in coded_long.csv; listed in "
          "export_metadata.json, `values_off_codebook`)") if meta["values_off_codebook"]
         else "none"),
        ("Agreed", "a value is agreed when the consensus sheet sets it or when every coder "
                   "who coded the study gave the same value; a coder who left a value "
                   "untouched answered 'none' (coded as none = not coded)"),
        ("Criteria not agreed", "when reviewers agree on a decision but not on its "
                                "criteria, PRISMA's reasons use the union of their criteria "
                                "until the consensus sheet resolves them"),
        ("Screening order and stopping", "; ".join(
            f"{m['reviewer']} at {m['stage']}: {m['order']}, {m['stopping']}"
            for m in meta.get("screening_methods", [])) or "no screening decisions"),
        ("Missing values", "an empty cell is NA (not reported or not agreed), never 0"),
        ("Files", "coded_dataset.csv (one row per study), coded_long.csv (tidy), one CSV per "
                  "repeatable group, annotations.csv (each coder's memos, evidence quotes "
                  "and pages, full-text passages with offsets and file hash, flags and notes: "
                  "never agreed on), evidence.csv (every quote by code, study and page), "
                  "data_dictionary.csv, "
                  "included.bib/.ris/.json (CSL-JSON with each study's id and final decision), "
                  "stats/ (.dta and .sav with labels) and load.R, review.qdpx (REFI-QDA), "
                  "screening_log.csv, audit_log.csv (every event of every "
                  "sheet and every duplicate answer, with what it changed),"
                  " prisma_counts.csv (PRISMA2020 R package template), prisma_reasons.csv, "
                  "prisma_studies.csv, prisma_flow.svg/.png, summary/, charts/, "
                  "agreement.csv (inter-coder agreement per stage and variable on the blind "
                  "decisions, full precision) and agreement_methods.txt (the same in the "
                  "words of a methods section)"),
        ("PRISMA stages", "every screening stage in codebook order ("
         + ", ".join(counts.stages) + "): all but the last screen records, the last "
         "assesses reports; a final 'maybe' before the last stage is sought for retrieval"),
        ("PRISMA columns", "records whose database label names citation searching or a "
         "hand search (citations_results), an organisation, NGO, government, agency or "
         "reports (organisation_results), or a website or grey literature in general "
         "(website_results) are 'other methods'; every other label is a database or register. "
         "A study is counted in the other-methods column when none of "
         "its records came from a database. Duplicates and records screened count both "
         "columns (grey literature is screened with the rest)."),
    ]

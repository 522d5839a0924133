"""`workbench check` and `workbench sheet`: the codebook and the sheets, checked and tabled."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.core.checks import UNTICKED
from workbench.errors import ExportError, Problem, ReviewError, WorkbenchError
from workbench.review.sheet_reads import review_sheet_frame, review_sheet_state
from workbench.store.sheet import consensus_path, sheet_path
from workbench.store.sheet_checks import check_coding, sheet_files


@dataclass(frozen=True)
class CheckReport:
    """What `check` found: the sheets read, the problems, and the notices (not errors)."""

    codebook_version: str
    sheets: list[str]
    problems: list[Problem]
    notices: list[Problem]
    #: Decisions or codes two merged studies carry for one reviewer that differ
    #: (not an error in a file, but never picked silently): "stage study field: values".
    merge_conflicts: tuple[str, ...] = ()
    #: Sheet lines that hold together but ask for a look (a quote for a code the sheet has
    #: not ticked, `core.checks.unticked_quote`): printed as warnings, not problems.
    warnings: tuple[Problem, ...] = ()


def check_review(review) -> CheckReport:
    """Validate codebook.yaml and every coding sheet against it; nothing is modified.

    Raises:
        CodebookError: codebook.yaml is invalid (lists every problem with file, line and key).
    """
    codebook = review.codebook()
    study_ids, unchecked = _study_ids(review)
    found = _check_sheets(review, codebook, study_ids)
    notices = [p for p in found if "was renamed to" in p.message] + unchecked
    warnings = tuple(p for p in found if UNTICKED in p.message)
    problems = [p for p in found if p not in notices and p not in warnings]
    sheets = [p.relative_to(review.root).as_posix() for p in sheet_files(review.coding)]
    from workbench.review.unresolved import open_merge_conflicts
    merges = tuple(f"{c.stage} {c.study_id} {c.field}: "
                   + "; ".join(f"{who} = {v or '(none)'}" for who, v in c.values.items())
                   for c in (open_merge_conflicts(review) if sheets else []))
    return CheckReport(codebook.version, sheets, problems, notices, merges, warnings)


def _check_sheets(review, codebook, study_ids) -> list[Problem]:
    """check_coding on the review's sheets; large ones through their caches in .workbench/checks/."""
    from workbench.store import sheet_checks
    files = sheet_files(review.coding)
    if sum(sheet_checks._size(p) for p in files) < sheet_checks.COLUMNS_FROM_BYTES:
        return check_coding(codebook, review.coding, study_ids)   # small: no pandas to load
    from workbench.review.check_cache import check_sheets
    from workbench.store.sheet import paused_gc
    with paused_gc():
        return check_sheets(review, codebook, files, study_ids)


def full_check(review) -> list[Problem]:
    """Every sheet checked in full, without the caches (the oracle of `check_review`'s sheets)."""
    codebook = review.codebook()
    study_ids, _ = _study_ids(review)
    return check_coding(codebook, review.coding, study_ids,  # the command's shared reads
                        read=lambda path: review_sheet_frame(review, path, aliased=False))


def _study_ids(review) -> tuple[set[str] | None, list[Problem]]:
    """The review's study ids and the old ids merged into them; None (and why) if unreadable."""
    try:   # the small study index: the same ids, without building every study
        index = review.study_index()
    except WorkbenchError as exc:
        return None, [Problem("references", None, None, "study ids in the sheets were not "
                              f"checked: the references cannot be read ({exc})")]
    return set(index.titles) | set(index.aliases), []


def write_wide_sheet(review, reviewer: str | None) -> list[Path]:
    """Write one sheet (a reviewer's, or the consensus when reviewer is None) as a wide table.

    One row per study with a decision; written to exports/sheet-<name>.csv and .xlsx.

    Raises:
        ReviewError: that sheet does not exist.
        ExportError: a file cannot be written.
    """
    from workbench.io.exports.sheet_table import wide_rows, write_wide_rows
    codebook = review.codebook()
    path = consensus_path(review.coding) if reviewer is None else sheet_path(review.coding, reviewer)
    if not path.exists():
        raise ReviewError("no such sheet", path=path.relative_to(review.root).as_posix(),
                          hint="nothing was written")
    state = review_sheet_state(review, path)
    studies = review.studies()
    order = [s.id for s in studies]
    decided = {study for (_, study), _ in state.items()}
    rows = [sid for sid in order if sid in decided] + sorted(decided - set(order))
    table = wide_rows(codebook, state, rows, titles={s.id: s.title for s in studies})
    stem = review.exports / f"sheet-{path.stem}"
    try:
        review.exports.mkdir(parents=True, exist_ok=True)
        return write_wide_rows(table, csv_path=stem.with_suffix(".csv"),
                               xlsx_path=stem.with_suffix(".xlsx"))
    except OSError as exc:
        raise ExportError(f"cannot write the wide sheet ({exc.strerror or exc})",
                          path=review.exports, hint="the sheet itself is unchanged") from exc


def wide_sheet_set_aside(review, reviewer: str | None) -> list[Problem]:
    """Return the lines of that sheet its reader set aside (torn, unchecked, hand-edited), as
    `check` reports them: the wide sheet leaves them out, as every other command does."""
    from workbench.review.sheet_reads import read_review_sheet
    path = consensus_path(review.coding) if reviewer is None else sheet_path(review.coding, reviewer)
    return list(read_review_sheet(review, path).problems) if path.exists() else []

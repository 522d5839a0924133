"""The review folder and the Review object both front ends call."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from workbench.core.records import Record
from workbench.errors import ReviewError
from workbench.review.importing import ImportedFile, Progress, import_exports, load_records
from workbench.store.imports import read_manifest

log = logging.getLogger(__name__)

CODEBOOK = "codebook.yaml"
FOLDERS = ("references", "coding", "exports")
GITIGNORE = ".workbench/\n"


def init_review(path: Path) -> "Review":
    """Make a new review folder with a commented codebook template.

    Args:
        path: the folder to create (it may exist, but must not hold a codebook.yaml).

    Returns:
        The opened Review.

    Raises:
        ReviewError: the folder already holds a review.
    """
    path = Path(path)
    if (path / CODEBOOK).exists():
        raise ReviewError("already a review folder (codebook.yaml exists)", path=path,
                          hint="nothing was changed")
    path.mkdir(parents=True, exist_ok=True)
    for name in FOLDERS:
        (path / name).mkdir(exist_ok=True)
    template = resources.files("workbench").joinpath("templates", "codebook.yaml")
    (path / CODEBOOK).write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    gitignore = path / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
    return Review.open(path)


class Review:
    """A review folder: codebook.yaml, references/, coding/, exports/.

    Open one with `Review.open(path)`. Records are parsed lazily and cached.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self._records: list[Record] | None = None
        self._dedupe = None
        self._aliases: dict[str, str] | None = None
        self._codebook = None
        self._lock = threading.RLock()

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str = ".") -> "Review":
        """Open the review in a folder.

        Raises:
            ReviewError: the folder has no codebook.yaml.
        """
        root = Path(path)
        if not (root / CODEBOOK).is_file():
            raise ReviewError("not a review folder: no codebook.yaml here", path=root,
                              hint="run `workbench init DIR` to make one")
        return cls(root)

    @property
    def references(self) -> Path:
        return self.root / "references"

    @property
    def coding(self) -> Path:
        return self.root / "coding"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    # -- references --------------------------------------------------------------------------
    def import_references(self, paths: Sequence[Path], database: str | None = None,
                          skip_invalid: bool = False, mapping: dict[str, str] | None = None,
                          progress: Progress | None = None,
                          cancel: threading.Event | None = None) -> list[ImportedFile]:
        """Import search exports (see workbench.review.importing.import_exports)."""
        with self._lock:
            done = import_exports(self.root, paths, database=database, skip_invalid=skip_invalid,
                                  mapping=mapping, progress=progress, cancel=cancel)
            self._records = None
            self._invalidate()
            return done

    def records(self, progress: Progress | None = None) -> list[Record]:
        """Return every record in import order (parsed once, then cached)."""
        with self._lock:
            if self._records is None:
                self._records = load_records(self.root, progress=progress)
            return self._records

    def status(self) -> dict:
        """Return files, records per database, studies, each reviewer's progress and what waits.

        For `workbench status`: everything a lead wants to know at a glance.
        """
        from workbench.review.coding import coding_progress
        from workbench.review.conflicts import conflict_counts
        from workbench.review.screening import stage_progress
        from workbench.review.status_cache import cached_header, cached_status
        from workbench.store.sheet_checks import sheet_files
        files = [
            {"file": f"references/{e.file}", "database": e.database, "format": e.format,
             "records": e.records, "skipped": e.skipped, "imported_at": e.imported_at}
            for e in read_manifest(self.references)
        ]

        def header() -> dict:
            records = self.records()
            per_db = Counter(r.database or "(unknown)" for r in records)
            result = self.dedupe() if records else None
            return {"records_per_database": dict(sorted(per_db.items())),
                    "records": len(records),
                    "studies": len(result.studies) if result else 0,
                    "duplicate_pairs_waiting": len(result.uncertain) if result else 0,
                    "study_ids": [s.id for s in result.studies] if result else []}

        # Records and studies not loaded yet: the header from .workbench/status_header.json.
        loaded = self._records is not None or self._dedupe is not None
        head = header() if loaded else cached_header(self, header)
        study_ids = head.pop("study_ids")

        def progress() -> dict:
            from workbench.review.decision_frames import use_columns
            from workbench.review.progress_cache import cached_progress
            names = [p.stem for p in sheet_files(self.coding) if p.stem != "consensus"]
            kept = cached_progress(self, names, study_ids) if names and use_columns(self) \
                else None
            if kept is not None:  # a large review: per-study facts, taken again where appended
                return {"reviewers": kept, **_conflicts_status(conflict_counts(self))}
            reviewers = {}
            for path in sheet_files(self.coding):
                if path.stem == "consensus":
                    continue
                reviewers[path.stem] = {
                    p.stage: {"done": p.done, "total": p.total, **p.counts}
                    for p in stage_progress(self, path.stem)}
                for coded in coding_progress(self, path.stem):  # coding progress too
                    reviewers[path.stem][coded.stage] = {"done": coded.coded,
                                                         "total": coded.total,
                                                         "flagged": coded.flagged}
            return {"reviewers": reviewers,
                    **_conflicts_status(conflict_counts(self) if reviewers else {"total": 0})}

        # Unchanged sheets, codebook and studies: the figures from .workbench/status.json.
        return {"review": str(self.root), "files": files, **head, **cached_status(self, progress)}

    # -- studies -----------------------------------------------------------------------------
    def dedupe(self, progress: Progress | None = None, cancel: threading.Event | None = None):
        """Group records into studies with the team's pair decisions (cached).

        Returns:
            workbench.core.dedupe.duplicates.DedupeResult.
        """
        from workbench.review.studies import group_studies
        with self._lock:
            if self._dedupe is None:
                self._dedupe = group_studies(self.root, self.records, progress=progress,
                                             cancel=cancel)
            return self._dedupe

    def forget_loaded(self) -> None:
        """Drop the records and studies held in memory (loaded again when next asked for).

        The merge aliases are kept. For a command that no longer needs them:
        `export`'s forked writer before it computes the agreement.
        """
        with self._lock:
            if self._dedupe is not None and self._aliases is None:
                self._aliases = dict(self._dedupe.aliases)
            self._records = None
            self._dedupe = None

    def studies(self, progress: Progress | None = None) -> list:
        """Return the studies (deduplicated records) in import order of their first record."""
        return list(self.dedupe(progress=progress).studies)

    def study_index(self):
        """Return titles, aliases and the pair-named records' studies without every study.

        Returns:
            workbench.review.studies.StudyIndex (read from .workbench/ when the
            studies are unchanged, so one study's history stays fast at 100k).
        """
        from workbench.review.studies import study_index
        with self._lock:
            if self._dedupe is not None:
                from workbench.review.studies import StudyIndex
                result = self._dedupe
                return StudyIndex({s.id: s.title for s in result.studies}, dict(result.aliases),
                                  dict(result.record_to_study))
        return study_index(self.root, self.dedupe)

    def study_of_records(self) -> dict[str, str]:
        """Return record id -> study id."""
        return dict(self.dedupe().record_to_study)

    def decide_pair(self, reviewer: str, record_a: str, record_b: str, verdict: str,
                    note: str = "") -> None:
        """Save a person's answer on two records ("same" or "different"), durably.

        Raises:
            DedupeError: unknown record id, bad verdict, or the file cannot be written.
        """
        from workbench.core.dedupe.duplicates import PairDecision
        from workbench.errors import DedupeError
        from workbench.store.pairs import append_pair_decision
        known = {r.id for r in self.records()}
        for rid in (record_a, record_b):
            if rid not in known:
                raise DedupeError(f"no record with id {rid!r}",
                                  hint="see `workbench records` for the ids; nothing was saved")
        with self._lock:
            append_pair_decision(self.root, PairDecision("", reviewer, record_a, record_b,
                                                         verdict, note))
            self._dedupe = None
            self._aliases = None

    def aliases(self) -> dict[str, str]:
        """Return old study id -> current study id, for reading decisions on merged studies.

        From the studies when they are loaded, else from the small study index
        (`study_index`: the same aliases, without building 100k studies).
        """
        with self._lock:
            if self._dedupe is not None:
                return dict(self._dedupe.aliases)
            if self._aliases is None:
                self._aliases = dict(self.study_index().aliases)
            return dict(self._aliases)

    def pending_pairs(self) -> list:
        """Return the uncertain candidate pairs no person has answered yet."""
        return list(self.dedupe().uncertain)

    def record_by_id(self) -> dict[str, Record]:
        """Return record id -> Record."""
        return {r.id: r for r in self.records()}

    # -- codebook ----------------------------------------------------------------------------
    @property
    def codebook_path(self) -> Path:
        return self.root / CODEBOOK

    def codebook(self):
        """Return the parsed codebook.yaml (raises CodebookError naming file, line and key)."""
        from workbench.io.codebook_yaml import load_codebook
        with self._lock:
            if self._codebook is None:
                self._codebook = load_codebook(self.codebook_path)
                self._keep_codebook_copy(self._codebook.version)
            return self._codebook

    def _keep_codebook_copy(self, version: str) -> None:
        """Keep this codebook version in coding/codebooks/ the first time it is used."""
        from workbench.store.codebooks import keep_codebook_copy
        try:
            text = self.codebook_path.read_bytes()
        except OSError:
            return
        keep_codebook_copy(self.coding, version, text)

    def stage(self, kind: str, stage_id: str | None = None):
        """Return a stage of the codebook of one kind ("screening" or "coding").

        Args:
            kind: the stage kind.
            stage_id: the stage id; None means the first stage of that kind.

        Raises:
            ReviewError: the codebook has no such stage.
        """
        codebook = self.codebook()
        stages = [s for s in codebook.stages if s.kind == kind]
        if not stages:
            raise ReviewError(f"the codebook has no {kind} stage (kind: {kind})",
                              path=self.codebook_path)
        stage = stages[0] if stage_id is None else codebook.stage(stage_id)
        if stage is None or stage not in stages:
            raise ReviewError(f"unknown {kind} stage {stage_id!r} "
                              f"({kind} stages: {', '.join(s.id for s in stages)})",
                              path=self.codebook_path)
        return stage

    def forget(self, changed: Sequence[str]) -> None:
        """Drop what was read from files that changed on disk (review-relative paths).

        Records are re-parsed when an import changed references/, the codebook
        when codebook.yaml changed; duplicate groups always (pair answers and
        imports change them). Sheets are read afresh by whoever reads them.
        """
        with self._lock:
            if any(p.startswith("references/") for p in changed):
                self._records = None
            if CODEBOOK in changed:
                self._codebook = None
            self._invalidate()

    def _invalidate(self) -> None:
        """Drop derived state that depends on the records or decisions."""
        self._dedupe = None
        self._aliases = None


def _conflicts_status(counts: dict[str, int]) -> dict:
    """`conflicts_open` (every kind) and `conflicts_by_kind` for `Review.status`."""
    return {"conflicts_open": counts["total"],
            "conflicts_by_kind": {k: v for k, v in counts.items() if k != "total"}}

"""Full texts of a review: link files to studies, extract (cached), and say what was found.

Linked files are COPIED into `fulltext/` of the review folder
(`fulltext/<study id>-<first 8 hex of sha256><suffix>`), never moved or
changed. A copy rather than a reference because the review folder is what a
team syncs (git, shared drive): a path into alice's Zotero storage does not
exist on bob's laptop, and evidence offsets refer to the exact bytes coded
from (a reference manager may later replace the PDF by an annotated one).
The cost is disk space; a team that keeps PDFs out of git can list
`fulltext/` in .gitignore and share that folder another way: links record
each file's SHA-256, so a different file under the same name is noticed.

Link records are decisions like any other: `coding/fulltext/<reviewer>.csv`,
appended durably (same format and writer as the coding sheets: stage
`fulltext`, fields `file`, `sha256`, `source`, `method`), latest per study wins
across reviewers, and an unlink appends an empty `file`.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from workbench.core.events import Event, is_valid_reviewer
from workbench.core.wording import plural
from workbench.core.fulltext import UNREADABLE, Extraction
from workbench.core.fulltext_link import (StudyIndex, StudyKeys, Verdict, decide, doi_signals,
                                          name_signals, surname, title_signals)
from workbench.errors import FulltextError
from workbench.io.fulltext import KINDS, extract_fulltext, file_sha256, kind_of
from workbench.store.fulltext_cache import read_cached_extraction, write_cached_extraction
from workbench.store.sheet import append_events, read_sheet

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

FOLDER = "fulltext"
LINKS = Path("coding") / "fulltext"
STAGE = "fulltext"
FIELDS = ("file", "sha256", "source", "method")


@dataclass(frozen=True)
class Link:
    """A study's full text: the copy under fulltext/, its digest and where it came from."""

    study_id: str
    file: str
    sha256: str
    source: str = ""
    method: str = ""
    reviewer: str = ""
    time: str = ""


@dataclass
class LinkReport:
    """What `link_folder` did: linked files, files for a person, files matching nothing."""

    linked: list[tuple[Path, Link, str]] = field(default_factory=list)
    uncertain: list[tuple[Path, Verdict]] = field(default_factory=list)
    unmatched: list[tuple[Path, str]] = field(default_factory=list)
    already: list[tuple[Path, Link]] = field(default_factory=list)


def links_path(review, reviewer: str) -> Path:
    """Return a reviewer's link record file (coding/fulltext/<reviewer>.csv)."""
    if not is_valid_reviewer(reviewer):
        raise FulltextError(f"{reviewer!r} is not a valid reviewer name (letters, digits, _ . -)")
    return review.root / LINKS / f"{reviewer}.csv"


def link_files(review) -> list[Path]:
    """Return the reviewers' link record files (coding/fulltext/<reviewer>.csv), sorted."""
    folder = review.root / LINKS
    if not folder.is_dir():
        return []
    return [p for p in sorted(folder.glob("*.csv")) if is_valid_reviewer(p.stem)]


def read_links(review) -> dict[str, Link]:
    """Return study id -> its current full-text link (latest event across every reviewer).

    Raises:
        SheetError: a link file exists but cannot be read.
    """
    files = link_files(review)
    if not files:
        return {}
    aliases = review.aliases() if review.records() else {}
    latest: dict[str, dict[str, Event]] = {}
    for path in files:
        for event in read_sheet(path, aliases).events:
            if event.stage != STAGE or event.field not in FIELDS:
                continue
            cell = latest.setdefault(event.study_id, {})
            old = cell.get(event.field)
            if old is None or event.time >= old.time:
                cell[event.field] = event
    out = {}
    for sid, cell in latest.items():
        file = cell.get("file")
        if file is None or not file.value:
            continue
        get = lambda name: cell[name].value if name in cell else ""  # noqa: E731
        out[sid] = Link(sid, file.value, get("sha256"), get("source"), get("method"),
                        file.reviewer, file.time)
    return out


def _study_ids(review) -> set[str]:
    return {s.id for s in review.studies()}


def link_file(review, path: str | Path, study_id: str, reviewer: str, method: str = "manual",
              sha256: str | None = None) -> Link:
    """Copy a file into fulltext/ and record it as a study's full text (durably).

    The user's file is only read. A file already copied (same digest) is not copied again.

    Raises:
        FulltextError: unknown study, a file type the workbench does not read, missing file.
        SheetError: the link record cannot be written.
    """
    path = Path(path)
    if study_id not in _study_ids(review):
        raise FulltextError(f"no study with id {study_id!r}", path=path,
                            hint="see `workbench fulltext status` for the ids; nothing was linked")
    if not kind_of(path):
        raise FulltextError(f"not a full text the workbench reads (use "
                            f"{', '.join(sorted(KINDS))})", path=path, hint="nothing was linked")
    if not path.is_file():
        raise FulltextError("no such file", path=path, hint="nothing was linked")
    digest = sha256 or file_sha256(path)
    target = review.root / FOLDER / f"{study_id}-{digest[:8]}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.part")
        tmp.unlink(missing_ok=True)   # a stale copy, or a link placed there: never written through
        with open(path, "rb") as source, open(tmp, "xb") as copy:
            shutil.copyfileobj(source, copy)
        tmp.replace(target)
    relative = target.relative_to(review.root).as_posix()
    version = review.codebook().version
    values = {"file": relative, "sha256": digest, "source": str(path), "method": method}
    events = [Event("", reviewer, study_id, STAGE, name, values[name], "", version)
              for name in FIELDS]
    written = append_events(links_path(review, reviewer), events)
    return Link(study_id, relative, digest, str(path), method, reviewer, written[0].time)


def unlink_study(review, study_id: str, reviewer: str) -> None:
    """Record that a study has no full text (appends an empty `file`; the copy stays)."""
    version = review.codebook().version
    append_events(links_path(review, reviewer),
                  [Event("", reviewer, study_id, STAGE, "file", "", "unlinked", version)])


def study_keys(review) -> list[StudyKeys]:
    """Return what each study can be recognised by (DOIs, citation keys, surname+year, title)."""
    records = review.record_by_id()
    out = []
    for study in review.studies():
        recs = [records[r] for r in study.record_ids if r in records]
        dois = tuple(dict.fromkeys(d for d in [study.doi, *(r.doi for r in recs)] if d))
        keys = tuple(dict.fromkeys(k for r in recs for k in (r.key, r.id) if k))
        first = surname(study.authors[0]) if study.authors else ""
        out.append(StudyKeys(study.id, study.title, dois, keys, first, study.year))
    return out


def _running_text(extraction: Extraction) -> str:
    return "\n".join(p.text[:p.body_start] + "\n" + p.text[p.body_end:]
                     for p in extraction.pages if p.body_end >= 0)


def match_file(review, index: StudyIndex, path: Path, extraction: Extraction) -> Verdict:
    """Return the verdict for one file from its name, DOIs and first-page title."""
    pages = [p.text for p in extraction.pages]
    signals = name_signals(index, path.stem)
    signals += doi_signals(index, pages, _running_text(extraction))
    if pages:
        signals += title_signals(index, pages[0])
    return decide(signals)


def extraction_of_file(review, path: Path, sha256: str | None = None,
                       password: str | None = None, progress: Progress | None = None,
                       cancel: threading.Event | None = None) -> Extraction:
    """Return a file's extraction from the cache, extracting and caching it when missing."""
    digest = sha256 or file_sha256(path)
    cached = read_cached_extraction(review.root, digest)
    if cached is not None:
        return cached
    extraction = extract_fulltext(path, password=password, sha256=digest, progress=progress,
                                  cancel=cancel)
    try:
        write_cached_extraction(review.root, extraction)
    except OSError as exc:
        log.warning("%s: could not cache the extraction (%s)", path, exc)
    return extraction


def link_folder(review, folder: str | Path, reviewer: str, dry_run: bool = False,
                progress: Progress | None = None,
                cancel: threading.Event | None = None) -> LinkReport:
    """Match every full text in a folder (recursively) to a study; link the certain ones.

    Args:
        review: the open Review.
        folder: e.g. a Zotero storage folder or a shared drive (only read).
        reviewer: whose link records get the new links.
        dry_run: match and report, link nothing.
        progress: called with (files done, files).
        cancel: set to stop between files.

    Returns:
        LinkReport: linked, uncertain (candidates for a person), unmatched, already linked.

    Raises:
        FulltextError: the folder does not exist, or the run was cancelled.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FulltextError("no such folder", path=folder, hint="nothing was linked")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and kind_of(p)
                   and not p.name.startswith("."))
    index = StudyIndex(study_keys(review))
    links = read_links(review)
    by_digest = {link.sha256: link for link in links.values()}
    report = LinkReport()
    from workbench.io.pdf_pages import pdf_batch
    with pdf_batch():   # one bounded PDF reader for every file
        _link_each(review, folder, files, index, links, by_digest, report, reviewer, dry_run,
                   progress, cancel)
    if not dry_run:
        from workbench.review.fulltext_pending import write_pending
        write_pending(review, report)  # offered in the app when a study's text is linked
    return report


def _link_each(review, folder: Path, files: list[Path], index: StudyIndex,
               links: dict[str, Link], by_digest: dict[str, Link], report: LinkReport,
               reviewer: str, dry_run: bool, progress: Progress | None,
               cancel: threading.Event | None) -> None:
    """`link_folder`'s loop: match each file, link the certain ones, fill `report`."""
    for n, path in enumerate(files, 1):
        if cancel is not None and cancel.is_set():
            raise FulltextError("linking was cancelled", path=folder,
                                hint=f"{plural(len(report.linked), 'file')} "
                                f"{'was' if len(report.linked) == 1 else 'were'} linked before")
        digest = file_sha256(path)
        if digest in by_digest:
            report.already.append((path, by_digest[digest]))
        else:
            try:
                extraction = extraction_of_file(review, path, digest)
            except FulltextError as exc:   # a broken or hostile file: the batch goes on
                if exc.problem != UNREADABLE:
                    raise
                report.unmatched.append((path, exc.message))
                if progress is not None:
                    progress(n, len(files))
                continue
            verdict = match_file(review, index, path, extraction)
            if verdict.certain and verdict.study_id in links:
                report.uncertain.append((path, verdict))  # the study already has a file
            elif verdict.certain:
                how = verdict.describe(verdict.study_id)
                if dry_run:
                    link = Link(verdict.study_id, "", digest, str(path), how)
                else:
                    link = link_file(review, path, verdict.study_id, reviewer, how, digest)
                    links[verdict.study_id] = by_digest[digest] = link
                report.linked.append((path, link, how))
            elif verdict.candidates:
                report.uncertain.append((path, verdict))
            else:
                why = extraction.message or "no DOI, file name or first-page title matches a study"
                report.unmatched.append((path, why))
        if progress is not None:
            progress(n, len(files))


def open_fulltext(review, study_id: str, password: str | None = None,
                  progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> Extraction | None:
    """Return the extraction of a study's linked full text (cached), or None when none is linked.

    Raises:
        FulltextError: the linked copy under fulltext/ is missing.
    """
    link = read_links(review).get(study_id)
    if link is None:
        return None
    return extraction_of_link(review, link, password, progress, cancel)


def extraction_of_link(review, link: Link, password: str | None = None,
                       progress: Progress | None = None,
                       cancel: threading.Event | None = None) -> Extraction:
    """Return the extraction of a linked file: the cache by its recorded digest, else the file."""
    if link.sha256:
        cached = read_cached_extraction(review.root, link.sha256)
        if cached is not None:
            return cached
    name = PurePosixPath(link.file)
    if name.is_absolute() or Path(link.file).is_absolute() or ".." in name.parts:
        raise FulltextError("the link names a file outside the review (an edited link "
                            "is never read)", path=link.file,
                            hint=f"link it again: workbench fulltext link FILE {link.study_id}")
    path = review.root / link.file
    if not path.is_file():
        raise FulltextError("the linked full text is missing", path=path,
                            hint=f"link it again: workbench fulltext link FILE {link.study_id}")
    digest = file_sha256(path)
    if (not link.sha256 or digest != link.sha256) \
            and not path.resolve().is_relative_to(review.root.resolve()):
        # A symbolic link placed at the copy's name (git, zip and sync keep them): its
        # text would go to the screens and into review.qdpx, back to the team.
        raise FulltextError("the linked copy is a symbolic link to a file outside the review "
                            "that is not the file linked (its digest differs); it is never "
                            "read", path=path,
                            hint=f"link it again: workbench fulltext link FILE {link.study_id}")
    if link.sha256 and digest != link.sha256:
        log.warning("%s: the file changed since it was linked (sha256 %s, linked %s)",
                    path, digest[:12], link.sha256[:12])
    return extraction_of_file(review, path, digest, password, progress, cancel)

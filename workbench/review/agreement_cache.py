"""The agreement of an unchanged review kept in .workbench/agreement.json.

`workbench agreement` and the agreement inside `workbench export` compute the
same statistics from the same blind decisions: on a 100,000-study review that
is tens of seconds of bootstrap and matrices. Both go through
`cached_agreement`, so the second of them, and any repeat on a review nobody
changed, reads the stored result instead of computing it again.

The result depends only on:
- the bytes of every sheet in coding/ (name, size and SHA-256 of the whole
  file: about 0.15 s for 160 MB, much less than parsing it);
- the codebook's bytes and the merge aliases applied to the study ids;
- where the review is (the stored warnings name its sheets by path);
- the code (the SHA-256 of every module of the package outside the app and
  the command line, which only format the result);
- the stage, the number of resamples and the seed (one entry each).

All of it is in the key, so a stored result is used only for exactly the
inputs it was computed from; anything else computes the agreement again
(`agreement_report`) and stores it. The key is taken before and after the
computation, and a result is stored only when both agree (a sheet saved
meanwhile leaves nothing stored). The file is JSON only, sealed like every cache
(`workbench.store.cache`): a damaged, edited or foreign file is ignored, and
an entry of the wrong shape is computed again, never trusted in part.

Floats are stored as JSON writes them (the shortest text that reads back as
the same double), so the stored statistics print and export byte for byte as
the computed ones. A stored report has no reliability matrices: `disagreements`
(the app's bar view) needs `agreement_report` itself.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from workbench.core.agreement.defaults import DEFAULT_RESAMPLES, DEFAULT_SEED
from workbench.store.cache import read_cache, write_cache

log = logging.getLogger(__name__)

#: Bump when what is stored changes shape.
CACHE_VERSION = 1
CACHE_NAME = "agreement.json"
KIND = "agreement"
#: Entries (stage, resamples, seed) kept for one key; the oldest go first.
MAX_ENTRIES = 16
_CHUNK = 1 << 20
_code: str | None = None
_code_lock = threading.Lock()


def code_digest() -> str:
    """The SHA-256 of every module of the package but the app's and the command line's."""
    global _code
    with _code_lock:
        if _code is None:
            import workbench
            root = Path(workbench.__file__).parent
            digest = hashlib.sha256(workbench.__version__.encode())
            for path in sorted(root.rglob("*.py")):
                relative = path.relative_to(root).as_posix()
                if relative.split("/", 1)[0] in ("tui", "cli"):
                    continue
                digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
            _code = digest.hexdigest()
        return _code


def _file_digest(path: Path) -> str:
    """The SHA-256 of a regular file (OSError for a FIFO or a device: never waited on)."""
    from workbench.store.files import regular_file_handle
    from workbench.store.sheet_reading import MAX_SHEET_BYTES
    digest = hashlib.sha256()
    with regular_file_handle(path, MAX_SHEET_BYTES) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def agreement_key(review) -> str | None:
    """The key of a stored agreement: sheets, codebook, aliases, code (None: a file unreadable)."""
    digest = hashlib.sha256(f"{CACHE_VERSION}\0{code_digest()}\0".encode())
    # Where the review is: the stored warnings name its sheets by path (a copy names its own).
    digest.update(f"{Path(review.root).resolve()}\0".encode())
    try:
        digest.update(_file_digest(review.codebook_path).encode())
        folder = Path(review.coding)
        for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
            digest.update(f"\0{path.name}\0{path.stat().st_size}\0{_file_digest(path)}".encode())
    except OSError:
        return None   # the reader reports it; nothing is stored
    for old, new in sorted(review.aliases().items()):
        digest.update(f"\0{old}\0{new}".encode())
    return digest.hexdigest()


def _entry_name(stage: str, n_resamples: int, seed: int) -> str:
    return f"{stage}\0{int(n_resamples)}\0{int(seed)}"


def cached_agreement(review, stage: str | None = None, n_resamples: int = DEFAULT_RESAMPLES,
                     seed: int = DEFAULT_SEED, progress=None, cancel=None
                     ) -> tuple[list, list[str]]:
    """Return (`agreement_report(review, stage, n_resamples, seed)`, the sheets' warnings).

    From .workbench/agreement.json when it holds every asked stage for
    exactly these sheets, codebook, aliases and code; else computed (each
    sheet read once, as `agreement_report` reads them) and stored.

    Raises:
        ReviewError: unknown stage, or cancelled.
        SheetError, CodebookError: a sheet or the codebook cannot be read.
    """
    from workbench.review.agreement import agreement_report, sheet_frames
    from workbench.review.all_sheets import audit_stages
    stages = audit_stages(review, stage)
    path = Path(review.root) / ".workbench" / CACHE_NAME
    key = agreement_key(review)
    stored = _stored(read_cache(path, KIND), key) if key is not None else None
    if stored is not None:
        reports = []
        for st in stages:
            entry = stored["entries"].get(_entry_name(st.id, n_resamples, seed))
            report = _decode(st, entry) if entry is not None else None
            if report is None:
                break
            reports.append(report)
        else:
            for i in range(len(stages)):
                if progress is not None:
                    progress(i + 1, len(stages))
            return reports, list(stored["warnings"])
    frames = sheet_frames(review)
    reports = agreement_report(review, stage, n_resamples=n_resamples, seed=seed,
                               progress=progress, cancel=cancel, frames=frames)
    warnings = list(frames[2])
    if key is not None and agreement_key(review) == key:
        entries = dict(stored["entries"]) if stored is not None else {}
        for report in reports:
            name = _entry_name(report.stage.id, n_resamples, seed)
            entries.pop(name, None)
            entries[name] = _encode(report)
        while len(entries) > MAX_ENTRIES:
            entries.pop(next(iter(entries)))
        write_cache(path, KIND, {"key": key, "warnings": warnings, "entries": entries})
    return reports, warnings


def _stored(found, key: str) -> dict | None:
    if not isinstance(found, dict) or found.get("key") != key:
        return None
    warnings, entries = found.get("warnings"), found.get("entries")
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings) \
            or not isinstance(entries, dict):
        return None
    return {"warnings": warnings, "entries": entries}


# -- one stage's report as JSON and back -----------------------------------------------------
_FLOAT, _INT, _STR = "float", "int", "str"
#: StatResult's fields in order and what each holds (a trailing "?": or None).
_FIELDS = (("name", _STR), ("value", _FLOAT + "?"), ("ci_low", _FLOAT + "?"),
           ("ci_high", _FLOAT + "?"), ("n_units", _INT), ("n_coders", _INT), ("label", _STR),
           ("reason", _STR), ("level", _STR), ("category", _STR), ("note", _STR),
           ("n_resamples", _INT), ("seed", _INT + "?"), ("confidence", _FLOAT),
           ("q", _INT + "?"))


def _plain(value, kind: str):
    """A StatResult cell as JSON keeps it exactly (numpy scalars to Python numbers)."""
    if value is None:
        return None
    if kind.startswith(_FLOAT):
        return float(value)
    if kind.startswith(_INT):
        return int(value)
    return str(value)


def _encode(report) -> dict:
    sel = report.selection
    return {
        "version": sel.version, "after_consensus": int(sel.after_consensus),
        "other_version": int(sel.other_version), "reviewers": list(report.reviewers),
        "n_resamples": int(report.n_resamples), "seed": int(report.seed),
        "counts": [int(report.studies_by_two()), int(report.bulk_studies()),
                   *(int(n) for n in report.not_retrieved())],
        "unmatched": [[u.study_id, u.group, u.key, dict(u.entered), list(u.missing)]
                      for u in report.unmatched],
        "results": [[v.name, v.kind, v.level, v.label,
                     [[_plain(getattr(r, f), kind) for f, kind in _FIELDS] for r in stats]]
                    for v, stats in report.results]}


def _is(value, kind: str) -> bool:
    if value is None:
        return kind.endswith("?")
    if kind.startswith(_FLOAT):
        return type(value) is float
    if kind.startswith(_INT):
        return type(value) is int
    return type(value) is str


def _strs(value) -> bool:
    return isinstance(value, list) and all(type(v) is str for v in value)


def _decode(stage, entry):
    """One stage's StageAgreement from a stored entry; None when the entry is not well formed."""
    try:
        return _decoded(stage, entry)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        log.warning("ignoring a stored agreement of stage %s: %s", stage.id, exc)
        return None


def _decoded(stage, entry):
    from workbench.core.agreement.audit import BlindSelection, Variable
    from workbench.core.agreement.groups import UnmatchedRow
    from workbench.core.agreement.result import StatResult
    from workbench.review.agreement import StageAgreement
    ints = ("after_consensus", "other_version", "n_resamples", "seed")
    if not isinstance(entry, dict) or type(entry.get("version")) is not str \
            or not all(type(entry.get(k)) is int for k in ints) or not _strs(entry.get("reviewers")):
        return None
    counts, unmatched, results = entry.get("counts"), entry.get("unmatched"), entry.get("results")
    if not (isinstance(counts, list) and len(counts) == 4 and all(type(c) is int for c in counts)):
        return None
    rows = []
    for u in unmatched:
        study, group, key, entered, missing = u
        if not (all(type(x) is str for x in (study, group, key)) and isinstance(entered, dict)
                and all(type(k) is str and type(v) is str for k, v in entered.items())
                and _strs(missing)):
            return None
        rows.append(UnmatchedRow(study, group, key, entered, tuple(missing)))
    out = []
    for name, kind, level, label, stats in results:
        if not all(type(x) is str for x in (name, kind, level, label)):
            return None
        decoded = []
        for cells in stats:
            if len(cells) != len(_FIELDS) or not all(_is(c, k) for c, (_, k) in zip(cells, _FIELDS)):
                return None
            decoded.append(StatResult(*cells))
        # no matrix: what was rated is not stored (disagreements needs agreement_report)
        out.append((Variable(name, kind, level, None, label=label), decoded))
    selection = BlindSelection(stage.id, entry["version"], {}, entry["after_consensus"],
                               entry["other_version"])
    return StageAgreement(stage, selection, out, tuple(entry["reviewers"]), entry["n_resamples"],
                          entry["seed"], tuple(rows), None, tuple(counts))


__all__ = ["cached_agreement", "agreement_key", "code_digest", "CACHE_NAME"]

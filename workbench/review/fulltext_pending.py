"""Files `fulltext link DIR` was not sure about, kept for a person to decide in the app.

`.workbench/fulltext/pending.json` (derived data, plain JSON) lists each
uncertain file with its digest and candidate studies (and why). The app offers
a study's candidates when the reviewer links its full text (`L`); a file is
dropped from the list once its digest is linked to any study.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from workbench.review.fulltext import LinkReport, read_links

log = logging.getLogger(__name__)

PENDING = Path(".workbench") / "fulltext" / "pending.json"


def read_pending(review) -> list[dict]:
    """Return the pending files: [{file, sha256, candidates: {study id: why}}]."""
    path = review.root / PENDING
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable (%s); starting an empty list", path, exc)
        return []
    return [d for d in data if isinstance(d, dict) and {"file", "sha256", "candidates"} <= set(d)]


def write_pending(review, report: LinkReport) -> None:
    """Merge a link run's uncertain files into the pending list (linked files leave it)."""
    from workbench.io.fulltext import file_sha256
    linked = {link.sha256 for link in read_links(review).values()}
    entries = {d["file"]: d for d in read_pending(review)}
    for path, verdict in report.uncertain:
        entries[str(path)] = {"file": str(path), "sha256": file_sha256(path),
                              "candidates": {sid: verdict.describe(sid)
                                             for sid in verdict.candidates}}
    keep = [d for d in entries.values() if d["sha256"] not in linked]
    path = review.root / PENDING
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(keep, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def pending_for(review, study_id: str) -> list[tuple[str, str]]:
    """Return (file, why) of the pending files that may be a study's full text."""
    linked = {link.sha256 for link in read_links(review).values()}
    return [(d["file"], d["candidates"][study_id]) for d in read_pending(review)
            if study_id in d["candidates"] and d["sha256"] not in linked
            and Path(d["file"]).is_file()]

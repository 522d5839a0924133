"""The extraction cache: `.workbench/fulltext/<sha256>.json`, plain JSON data only.

Keyed by the SHA-256 of the file's bytes, so a renamed or moved file is not
read twice and a changed file is read again. JSON (never pickle): a cache
file is data, and loading one can't run code even if someone swaps it. The
cache is derived data: deleting `.workbench/` loses nothing.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from workbench.core.fulltext import EXTRACTOR_VERSION, PASSWORD, Extraction

log = logging.getLogger(__name__)

CACHE_DIR = Path(".workbench") / "fulltext"


def cache_path(review_root: Path, sha256: str) -> Path:
    """Return where the extraction of a file with this digest is cached."""
    return Path(review_root) / CACHE_DIR / f"{sha256}.json"


def read_cached_extraction(review_root: Path, sha256: str) -> Extraction | None:
    """Return the cached extraction of a file digest, or None when missing, stale or damaged."""
    path = cache_path(review_root, sha256)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable cache file (%s); the text will be extracted again", path, exc)
        return None
    try:
        if data.get("version") != EXTRACTOR_VERSION or data.get("sha256") != sha256:
            return None
        return Extraction.from_json(data)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        log.warning("%s: damaged cache file (%s); the text will be extracted again", path, exc)
        return None


def write_cached_extraction(review_root: Path, extraction: Extraction) -> Path | None:
    """Write an extraction to the cache atomically (temp file, then replace).

    A password-protected file that could not be opened is not cached (a
    password given later must be able to open it).

    Returns:
        The cache file, or None when nothing was written.
    """
    if extraction.problem == PASSWORD:
        return None
    path = cache_path(review_root, extraction.sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(extraction.to_json(), handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path

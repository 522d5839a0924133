"""Copies of every codebook version used, kept so that versions can be compared later.

`coding/codebooks/<version>.yaml` holds codebook.yaml byte for byte as it was
when that version was first loaded. The files are written once and never
rewritten (append-only, like the sheets), so the folder syncs through git or
a shared drive without conflicts: two machines that keep the same version
write the same bytes under the same name.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER = "codebooks"
_VERSION = re.compile(r"^[0-9a-f]{12}$")

__all__ = ["keep_codebook_copy", "codebook_copies", "FOLDER"]


def keep_codebook_copy(coding_dir: str | Path, version: str, text: bytes) -> Path | None:
    """Keep a copy of a codebook version in coding/codebooks/, once.

    Args:
        coding_dir: the review's coding/ folder (not created when missing).
        version: the codebook version (12 hex characters).
        text: the codebook file's bytes.

    Returns:
        The copy's path, or None when no copy could be kept (no coding/
        folder, a read-only review, a full disk): keeping a copy is a
        convenience for `codebook diff`, never a reason to stop work.
    """
    folder = Path(coding_dir) / FOLDER
    if not _VERSION.match(version or "") or not Path(coding_dir).is_dir():
        return None
    target = folder / f"{version}.yaml"
    if target.is_file():
        return target
    tmp = None
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{version}.", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        tmp = None
        return target
    except OSError as exc:
        log.info("could not keep a copy of codebook version %s: %s", version, exc)
        return None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def codebook_copies(coding_dir: str | Path) -> dict[str, Path]:
    """Return {version: path} of the codebook copies kept in coding/codebooks/."""
    folder = Path(coding_dir) / FOLDER
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))
            if _VERSION.match(p.stem) and p.is_file()}

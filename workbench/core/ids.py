"""Record ids: stable across machines and re-imports.

A file under references/ is never rewritten, so a record is identified by the
content hash of its file and its position in that file: the same export gives
the same ids on every machine, and adding a new file never changes old ids.
"""

from __future__ import annotations

import hashlib

from workbench.core.records import Record, relabelled


def file_digest(data: bytes) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def record_id(digest: str, ordinal: int) -> str:
    """Return the id of the `ordinal`-th (1-based) record of the file with this digest.

    Example: record_id("3fa2b1c9...", 12) == "3fa2b1c9-0012".
    """
    return f"{digest[:8]}-{ordinal:04d}"


def assign_ids(records: list[Record], digest: str) -> list[Record]:
    """Return the records with ids from the file digest and their position (1-based)."""
    return relabelled(records, id=[record_id(digest, i) for i in range(1, len(records) + 1)])

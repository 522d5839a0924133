"""The feature cache of prioritised screening: .workbench/features/<key>.npz (data only).

The key is a SHA-256 of the model's feature settings and every study's text,
so a cache is used only for exactly the texts it was built from. Files hold
plain arrays (the CSR matrix's data, indices, indptr and shape) and are read
with `allow_pickle=False`: a cache file can never run code. Writes go to a
temporary file that is then renamed, so a crash leaves no half file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)

#: Cache folder inside a review.
FEATURES_DIR = Path(".workbench") / "features"
#: Bump when the cached arrays change meaning.
FORMAT = 1
#: Keep this many cache files per review (the newest).
KEEP = 3


def features_key(texts: Sequence[str], settings: dict) -> str:
    """Return the cache key of some study texts under some feature settings."""
    digest = hashlib.sha256()
    digest.update(json.dumps({"format": FORMAT, **settings}, sort_keys=True).encode())
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def cache_path(root: str | Path, key: str) -> Path:
    """Return the cache file of a key inside a review folder."""
    return Path(root) / FEATURES_DIR / f"{key[:40]}.npz"


def read_features(root: str | Path, key: str):
    """Return the cached CSR matrix for a key, or None when missing or unreadable."""
    import numpy as np
    import scipy.sparse as sp
    path = cache_path(root, key)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["key"]) != key:
                return None
            shape = tuple(int(v) for v in data["shape"])
            matrix = sp.csr_matrix((data["data"], data["indices"], data["indptr"]), shape=shape)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("ignoring unreadable feature cache %s: %s", path, exc)
        return None
    return matrix


def write_features(root: str | Path, key: str, matrix) -> Path:
    """Write a CSR matrix to the cache (atomically) and drop the oldest other caches.

    Returns:
        The cache file.
    """
    import numpy as np
    path = cache_path(root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    matrix = matrix.tocsr()
    tmp.unlink(missing_ok=True)   # a guessable name: never write through a link left there
    with open(tmp, "xb") as handle:
        np.savez(handle, key=np.array(key), shape=np.array(matrix.shape, dtype=np.int64),
                 data=matrix.data, indices=matrix.indices, indptr=matrix.indptr)
    os.replace(tmp, path)
    others = sorted((p for p in path.parent.glob("*.npz") if p != path and ".tmp" not in p.name),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP - 1:]:
        try:
            old.unlink()
        except OSError:
            pass
    return path

"""What changed on disk under a review folder: a cheap poll for a running app.

Another reviewer's sheet arriving by `workbench sync`, a `workbench pair`,
`resolve` or `import` run from a shell, an edited codebook: `signature(root)`
stats the handful of files that carry those (no file is read), and
`changed(old, new)` names the ones that differ. A stat of a few dozen files
costs well under a millisecond, whatever the size of the review, so a running
app can poll every couple of seconds. (A file-watching library would save the
poll but adds a dependency and a thread for no measurable gain here.)
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["signature", "changed", "WATCHED"]

#: The files and folders (relative to the review) whose changes an app must see.
WATCHED = ("codebook.yaml", "references/imports.csv", "coding", "coding/duplicates",
           "coding/fulltext")


def signature(root: str | Path) -> dict[str, tuple[int, int]]:
    """Return {review-relative path: (size, mtime_ns)} of every watched file."""
    root = Path(root)
    out: dict[str, tuple[int, int]] = {}
    for name in WATCHED:
        path = root / name
        try:
            if name.endswith((".yaml", ".csv")):
                st = path.stat()
                out[name] = (st.st_size, st.st_mtime_ns)
                continue
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.name.endswith(".csv") and entry.is_file():
                        st = entry.stat()
                        out[f"{name}/{entry.name}"] = (st.st_size, st.st_mtime_ns)
        except OSError:  # missing or unreadable: not there, as far as a refresh goes
            continue
    return out


def changed(old: dict[str, tuple[int, int]], new: dict[str, tuple[int, int]]) -> list[str]:
    """Return the paths added, removed or changed between two signatures, sorted."""
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))

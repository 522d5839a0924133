"""Each sheet read once per command: the review's cache of parsed sheets.

A command such as `status` asks for the same sheets several times (each
reviewer's progress, the work list of a later stage, the conflicts). Reading
and parsing a 75 MB sheet costs seconds, so the Review keeps what
`workbench.store.sheet.read_sheet` returned, and the latest-wins SheetState
built from it, keyed by the file's path, size, modification time and inode
and by the merge aliases applied. A sheet that changed on disk (an append
changes its size and time) is read again; an unchanged one is shared.

The cache lives in the review layer, not in the store: the store's reader
always reads the file. What is shared must not be changed: callers copy
the events before changing a list and never apply events to a shared state.

    contents = read_review_sheet(review, path)
    state = review_sheet_state(review, path)
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from workbench.core.events import SheetState
from workbench.store.sheet import SheetContents, paused_gc, read_sheet

_LOCK = threading.Lock()


def _stat_key(path: Path) -> tuple:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ("missing",)  # read as an empty sheet; creating it changes the key
    except OSError:
        return ("unreadable",)  # let the reader raise its own error, uncached
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)


def _cache(review) -> dict:
    cache = getattr(review, "_sheet_reads", None)
    if cache is None:
        cache = {}
        try:
            review._sheet_reads = cache
        except AttributeError:  # an object that is not a Review: no sharing
            pass
    return cache


def forget_review_sheets(review) -> None:
    """Drop every sheet this review holds parsed (read again when next asked for).

    For a command that has handed them on and no longer needs them: `export`
    after it forked the writer that computes the agreement (a process forked
    later would otherwise count their pages again).
    """
    with _LOCK:
        _cache(review).clear()


def _key(review, path: Path, aliased: bool) -> tuple:
    aliases = review.aliases() if aliased else {}
    return (str(Path(path).resolve()), tuple(sorted(aliases.items()))), aliases


def read_review_sheet(review, path: str | Path, aliased: bool = True) -> SheetContents:
    """Return `read_sheet(path, review.aliases())`, read once while the file is unchanged.

    Args:
        review: the open Review.
        path: a sheet (coding/<name>.csv).
        aliased: apply the merge aliases (False: the study ids as written).

    Raises:
        SheetError: the sheet exists but cannot be read.
    """
    path = Path(path)
    key, aliases = _key(review, path, aliased)
    stat = _stat_key(path)
    cache = _cache(review)
    with _LOCK:
        hit = cache.get(("contents", key))
    if hit is not None and hit[0] == stat and stat != ("unreadable",):
        return hit[1]
    contents = read_sheet(path, aliases or None)
    if stat != ("unreadable",) and _stat_key(path) == stat:
        with _LOCK:
            cache[("contents", key)] = (stat, contents)
            cache.pop(("state", key), None)
    return contents


def review_sheet_state(review, path: str | Path, aliased: bool = True) -> SheetState:
    """Return the latest-wins SheetState of a sheet, built once while the file is unchanged.

    The state is shared: read it, never apply events to it.
    """
    path = Path(path)
    contents = read_review_sheet(review, path, aliased)
    key, _ = _key(review, path, aliased)
    cache = _cache(review)
    with _LOCK:
        hit = cache.get(("state", key))
        held = cache.get(("contents", key))
    if hit is not None and hit[0] is contents:
        return hit[1]
    with paused_gc():
        state = SheetState(contents.events)
    if held is not None and held[1] is contents:
        with _LOCK:
            cache[("state", key)] = (contents, state)
    return state



def review_sheet_frame(review, path: str | Path, aliased: bool = True,
                       data: bytes | None = None, data_stat: tuple | None = None):
    """Return `read_sheet_frame(path, review.aliases())`, read once while the file is unchanged.

    The columns a command that looks at every decision needs
    (`workbench.store.sheet_frame`): read once per file, the merge aliases
    applied to a shallow copy. Shared: never change it. `data`: the file's
    bytes the caller read while its stat was `data_stat` (size, mtime_ns,
    inode, device); used instead of reading the file again only when the
    file's stat is still that and the size is theirs.

    Raises:
        SheetError: the sheet exists but cannot be read.
    """
    from workbench.store.sheet_frame import SheetFrame, read_sheet_frame, remap_categories
    path = Path(path)
    key = str(path.resolve())
    stat = _stat_key(path)
    cache = _cache(review)
    with _LOCK:
        hit = cache.get(("frame", key))
    if hit is not None and hit[0] == stat and stat != ("unreadable",):
        raw = hit[1]
    else:
        given = data if data is not None and data_stat == stat and len(stat) == 4 \
            and len(data) == stat[0] else None
        raw = read_sheet_frame(path, data=given)
        if stat != ("unreadable",) and _stat_key(path) == stat:
            with _LOCK:
                cache[("frame", key)] = (stat, raw)
    aliases = review.aliases() if aliased else {}
    if not aliases:
        return raw
    names = tuple(sorted(aliases.items()))
    with _LOCK:
        hit = cache.get(("frame-aliased", key))
    if hit is not None and hit[0] is raw and hit[1] == names:
        return hit[2]
    events = raw.events.copy(deep=False)
    events["study_id"] = remap_categories(raw.events["study_id"], aliases)
    found = SheetFrame(events, raw.lines, raw.problems)
    with _LOCK:
        cache[("frame-aliased", key)] = (raw, names, found)
    return found


def review_memo(review, name: str, deps: tuple, compute):
    """Return `compute()`, computed once while `deps` are the same objects (by identity).

    For what a command derives from shared sheet states (e.g. a stage's final
    decisions, asked for once per reviewer by `status`). `deps` must be objects
    the review's cache holds (shared states), never a state that changes.
    """
    cache = _cache(review)
    with _LOCK:
        hit = cache.get(("memo", name))
    if hit is not None and len(hit[0]) == len(deps) and all(a is b for a, b in zip(hit[0], deps)):
        return hit[1]
    value = compute()
    with _LOCK:
        cache[("memo", name)] = (deps, value)
    return value


__all__ = ["read_review_sheet", "review_sheet_state", "review_sheet_frame", "review_memo"]

"""The latest rows of a sheet as `latest_rows` returns them, from `workbench.review.sheet_tails`.

The cache holds a sheet's latest rows as arrays with the study ids as
written; a command gets them as the DataFrame `decision_frames.latest_rows`
makes (categorical columns, `line`, `cell`, `first` and the field name's
parts), built once per command, and with the merge aliases applied: merged
studies' rows join, the latest wins again and the orders are ranked again
(the same rows as a full read of the aliased sheet: tests compare them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.events import COLUMNS
from workbench.review.sheet_tails import _LOCK, INFO, SheetTail, sheet_tail

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


def tail_rows(review, path: str | Path, aliased: bool = True) -> "pd.DataFrame | None":
    """Return `latest_rows(review, path, aliased)` from the sheet's cache; None when it has none.

    Shared: never change it.
    """
    tail = sheet_tail(review, path)
    if tail is None or tail.offset == 0 and not len(tail):
        return None
    aliases = review.aliases() if aliased else {}
    name = tuple(sorted(aliases.items()))
    with _LOCK:
        hit = tail.frames.get(name if aliases else False)
    if hit is not None:
        return hit
    raw = tail.frames.get(False)
    if raw is None:
        raw = _frame(tail)
    found = _aliased(raw, aliases) if aliases else raw
    with _LOCK:
        tail.frames[False] = raw
        tail.frames[name if aliases else False] = found
    return found


def tail_rows_of(review, path: str | Path, studies: set[str]) -> "pd.DataFrame | None":
    """Return the rows of `latest_rows(review, path)` whose study is one of `studies`.

    The same rows, columns, categories and index labels as
    `rows[rows["study_id"].isin(studies)]` of the whole frame, without building
    the whole frame (a 750,000-row sheet's is ~0.3 s) when only a few studies
    were touched since the last command. None when the sheet has no cache or the
    review has merged studies (their rows join and are ranked again over the
    whole sheet): the caller filters the whole frame then.
    """
    import numpy as np
    import pandas as pd
    tail = sheet_tail(review, path)
    if tail is None or tail.offset == 0 and not len(tail) or review.aliases():
        return None
    with _LOCK:
        whole = tail.frames.get(False)
    if whole is not None:
        return whole[whole["study_id"].isin(studies).to_numpy()]
    with _LOCK:
        ids = tail.indexes.get("study_id")
        if ids is None:
            ids = tail.indexes["study_id"] = pd.Index(tail.cats["study_id"], dtype=object)
    codes = ids.get_indexer(list(studies))
    rows = np.flatnonzero(np.isin(tail.codes["study_id"], codes[codes >= 0]))
    return _frame(tail, rows)


def _frame(tail: SheetTail, rows: "np.ndarray | None" = None) -> "pd.DataFrame":
    """The latest rows as a frame; `rows`: only these (their positions are the index)."""
    import numpy as np
    import pandas as pd

    def pick(values):
        return values if rows is None else values[rows]
    index = None if rows is None else pd.Index(rows)
    columns = {}
    for c in COLUMNS:
        if c == "time":
            columns[c] = pd.Series(np.asarray(pick(tail.times), dtype=object), dtype=object,
                                   index=index)
        else:
            with _LOCK:
                cats = tail.indexes.get(c)
                if cats is None:
                    cats = tail.indexes[c] = pd.Index(tail.cats[c], dtype=object)
            columns[c] = pd.Series(pd.Categorical.from_codes(pick(tail.codes[c]),
                                                             categories=cats), index=index)
    out = pd.DataFrame(columns)
    out["line"] = pick(tail.line)
    out["cell"] = pick(tail.cell)
    out["first"] = pick(tail.first)
    fcode = out["field"].cat.codes.to_numpy()
    if rows is not None:   # only the fields these rows name (a sheet may have 272k)
        named, fcode = np.unique(fcode, return_inverse=True)
        fcode = fcode.reshape(-1)
    for name in INFO:
        default = 0 if name == "parts" else ""
        if rows is None:
            values = np.asarray(tail.info[name] + [default],
                                dtype=np.int64 if name == "parts" else object)
            out[name] = values[fcode]
        else:   # typed as the whole frame's column is, even with no row (not object)
            info = tail.info[name]
            values = np.asarray([info[k] if k >= 0 else default for k in named.tolist()]
                                + [default], dtype=np.int64 if name == "parts" else object)
            out[name] = pd.Series(values).take(fcode).set_axis(out.index)
    return out


def _dense(values: "np.ndarray") -> "np.ndarray":
    import numpy as np
    return np.unique(values, return_inverse=True)[1].astype(np.int64).reshape(-1)


def _aliased(raw: "pd.DataFrame", aliases: dict[str, str]) -> "pd.DataFrame":
    """The latest rows with merged studies' ids joined: latest wins again, orders re-ranked."""
    import numpy as np
    import pandas as pd
    from workbench.store.sheet_frame import remap_categories
    study = remap_categories(raw["study_id"], aliases)
    if study is raw["study_id"] or not len(raw):
        return raw
    s_code = study.cat.codes.to_numpy().astype(np.int64)
    stage = raw["stage"].cat.codes.to_numpy().astype(np.int64)
    fld = raw["field"].cat.codes.to_numpy().astype(np.int64)
    cell_key = stage * (len(study.cat.categories) + 1) + s_code
    key = cell_key * (len(raw["field"].cat.categories) + 1) + fld
    line = raw["line"].to_numpy()
    order = np.lexsort((line, key))
    sorted_key = key[order]
    winner = order[np.r_[sorted_key[1:] != sorted_key[:-1], True]]
    winner.sort()   # file order (lines grow with the row index)
    first = pd.Series(raw["first"].to_numpy()).groupby(key).transform("min").to_numpy()
    cell = pd.Series(raw["cell"].to_numpy()).groupby(cell_key).transform("min").to_numpy()
    out = raw.iloc[winner].copy()
    out["study_id"] = study.iloc[winner].to_numpy()
    out["first"] = _dense(first[winner])
    out["cell"] = _dense(cell[winner])
    return out.reset_index(drop=True)


__all__ = ["tail_rows", "tail_rows_of"]

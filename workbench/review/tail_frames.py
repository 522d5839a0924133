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


def _frame(tail: SheetTail) -> "pd.DataFrame":
    import numpy as np
    import pandas as pd
    columns = {}
    for c in COLUMNS:
        if c == "time":
            columns[c] = pd.Series(np.asarray(tail.times, dtype=object), dtype=object)
        else:
            columns[c] = pd.Series(pd.Categorical.from_codes(
                tail.codes[c], categories=pd.Index(tail.cats[c], dtype=object)))
    out = pd.DataFrame(columns)
    out["line"] = tail.line
    out["cell"] = tail.cell
    out["first"] = tail.first
    fcode = out["field"].cat.codes.to_numpy()
    for name in INFO:
        values = np.asarray(tail.info[name] + [0 if name == "parts" else ""],
                            dtype=np.int64 if name == "parts" else object)
        out[name] = values[fcode]
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


__all__ = ["tail_rows"]

"""The audit trail as one table, computed column-wise (for the export's audit_log.csv).

`history_frame` gives, for a DataFrame of sheet events, the same entries as
`workbench.core.history.sheet_entries` gives event by event (previous value,
action, undo), without a Python loop over events: a 100,000-study review has
over a million events. A test checks the two agree.
"""

from __future__ import annotations

import pandas as pd

from workbench.core.events import CONSENSUS
from workbench.core.history import CHANGE, CLEAR, COLUMNS, RESOLVE, SET, UNDO

__all__ = ["change_words", "history_columns", "history_frame", "history_rows", "time_codes",
           "time_order"]


def history_frame(events: pd.DataFrame, sheet_column: str = "sheet",
                  titles: dict[str, str] | None = None) -> pd.DataFrame:
    """Return the audit trail of sheet events as a table with the columns of `history.COLUMNS`.

    Args:
        events: one row per event with the sheet columns (time, reviewer,
            study_id, stage, field, value, note, codebook_version) and the
            sheet's name in `sheet_column`; each sheet's rows in file order.
        sheet_column: the column naming the sheet ("consensus" for the consensus sheet).
        titles: study id -> title.

    Returns:
        The entries, oldest first (ties keep sheet then file order).
    """
    if events.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    frame = events.reset_index(drop=True)
    value, previous, action = history_columns(frame, sheet_column)
    out = history_rows(frame, sheet_column, titles or {}, value, previous, action)
    return out.iloc[time_order(out["time"])].reset_index(drop=True)


def history_rows(frame: pd.DataFrame, sheet_column: str, titles: dict[str, str],
                 value, previous, action) -> pd.DataFrame:
    """The entries of some events (rows of `frame`, in its order) from their history columns.

    `value`, `previous` and `action` are `history_columns` of the whole sheets
    taken at the same rows: the export builds its audit log this way a chunk
    of rows at a time.
    """
    import numpy as np

    index = frame.index
    consensus = frame[sheet_column].to_numpy(dtype=object) == CONSENSUS
    value = np.asarray(value, dtype=object)
    previous = np.asarray(previous, dtype=object)
    return pd.DataFrame({
        "time": frame["time"],
        "source": pd.Series(_SOURCES[consensus.astype(np.intp)], index=index, dtype=object),
        "reviewer": frame["reviewer"], "study_id": frame["study_id"],
        "title": _titles(frame["study_id"], titles),
        "stage": frame["stage"], "field": frame["field"],
        "action": pd.Series(action, index=index, dtype=object),
        "previous": pd.Series(previous, index=index, dtype=object),
        "value": pd.Series(value, index=index, dtype=object),
        "change": pd.Series(change_words(previous, value), index=index, dtype=object),
        "note": frame["note"].fillna(""),
        "codebook_version": frame["codebook_version"].fillna("")}, columns=list(COLUMNS))


#: The `source` of an event: index 1 for the consensus sheet's.
_SOURCES = __import__("numpy").array(["sheet", CONSENSUS], dtype=object)


def _titles(study_ids: pd.Series, titles: dict[str, str]) -> pd.Series:
    """Each event's study title ("" for an unknown study), as `study_ids.map(titles)` with
    NA as "": looked up in the dict directly when every title is text (pandas' map
    builds an index of every study for each call)."""
    if all(type(t) is str for t in titles.values()):
        get = titles.get
        return pd.Series([get(s, "") if type(s) is str else "" for s in study_ids.tolist()],
                         index=study_ids.index, dtype=object)
    return study_ids.map(titles).astype(object).fillna("")


def history_columns(frame: pd.DataFrame, sheet_column: str = "sheet", times=None):
    """Return (value, previous, action) of each event, object arrays in the frame's order.

    `value` is the event's value as text ("" for none), `previous` the value
    its field had before in the same sheet, stage and study ("" for none), and
    `action` one of set, change, clear, undo, resolve (as `sheet_entries` says).
    `times` is `time_codes(frame["time"])` when the caller has it already.
    """
    import numpy as np

    value = _texts(frame["value"])
    # Groups are keyed by one integer per (sheet, stage, study[, field or time]) made
    # once: grouping by several text columns re-hashes the strings for every groupby.
    cell = _key([frame[sheet_column], frame["stage"], frame["study_id"]], dense=False)
    field_key = _key([cell, frame["field"]], dense=False)
    before = _previous_positions(field_key.to_numpy())
    before2 = np.where(before >= 0, before[before], -1)
    previous = _at(value, before, "")
    before_previous = _at(value, before2, "")
    time_values = frame["time"].to_numpy(dtype=object)
    time_previous = pd.Series(_at(time_values, before, np.nan), index=frame.index, dtype=object)

    # One append = the events of one sheet that share a time, a stage and a study.
    _, time_code = times if times is not None else time_codes(frame["time"])
    append_id = _key([cell, pd.Series(time_code, index=frame.index)])
    appends = pd.DataFrame({"cell": cell, "time": frame["time"],
                            "id": append_id}).drop_duplicates("id")
    appends["prior_time"] = appends.groupby("cell", sort=False)["time"].shift(1)
    appends["size"] = append_id.value_counts().reindex(appends["id"]).to_numpy()
    appends["prior_size"] = appends.groupby("cell", sort=False)["size"].shift(1)
    per_append = appends.set_index("id")

    # Append ids are 0..n-1 (dense): each event's append's values are taken by position.
    prior_time = pd.Series(_by_id(per_append["prior_time"], len(per_append), object)[append_id],
                           index=frame.index, dtype=object)
    same_prior = (time_previous == prior_time).to_numpy()
    restores = same_prior & (value == before_previous)
    changed = same_prior & (previous != before_previous)
    grouped = pd.DataFrame({"id": append_id, "restores": restores, "changed": changed})
    restores_all = grouped.groupby("id")["restores"].all()
    changed_any = grouped.groupby("id")["changed"].any()
    per_append["cond"] = (restores_all & changed_any).reindex(per_append.index).fillna(False) \
        & (per_append["size"] == per_append["prior_size"])
    # An undo is never compared with the append it undid: in a run of appends that each
    # restore the one before (undo, redo, undo, ...), every other one is an undo.
    keys = [per_append["cell"]]
    run = (~per_append["cond"]).astype(int).groupby(keys, sort=False).cumsum()
    position = per_append["cond"].groupby(keys + [run], sort=False).cumcount()
    undo_append = per_append["cond"] & (position % 2 == 1)

    action = np.full(len(frame), SET, dtype=object)
    action[(previous != "") & (previous != value)] = CHANGE
    action[value == ""] = CLEAR
    action[_by_id(undo_append, len(per_append), bool)[append_id.to_numpy()]] = UNDO
    action[(frame[sheet_column] == CONSENSUS).to_numpy()] = RESOLVE
    return value, previous, action


def _by_id(column: pd.Series, size: int, dtype):
    """The values of a Series indexed by append id (0..size-1, each once) as an array
    whose position i holds id i's value."""
    import numpy as np

    out = np.empty(size, dtype=dtype)
    out[column.index.to_numpy()] = column.to_numpy(dtype=dtype)
    return out


def _texts(values: pd.Series):
    """The values as an object array of str: NA -> "", anything else str() (as
    `fillna("").astype(str)`), each str kept as the same object."""
    import numpy as np

    out = values.to_numpy(dtype=object).copy()
    cells = out.tolist()
    try:
        if all(type(v) is str for v in set(cells)):   # the few distinct values, not each cell
            return out
    except TypeError:   # an unhashable value
        pass
    other = [i for i, v in enumerate(cells) if type(v) is not str]
    if other:
        fixed = values.iloc[other].fillna("").astype(str).to_numpy(dtype=object)
        out[other] = fixed
    return out


def _previous_positions(keys):
    """Position of the previous row with the same key (-1 for the first of each key)."""
    import numpy as np

    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    out = np.full(len(keys), -1, dtype=np.int64)
    same = ordered[1:] == ordered[:-1]
    out[order[1:][same]] = order[:-1][same]
    return out


def _at(values, positions, missing):
    """values[positions], with `missing` where a position is -1 (an object array)."""
    import numpy as np

    out = np.asarray(values, dtype=object)[positions]
    out[positions < 0] = missing
    return out


def time_order(times: pd.Series):
    """Return the positions that sort `times` (stable), as `times.argsort(kind="stable")`.

    Sheet times are ASCII text: sorted as bytes, in C, instead of comparing
    a million Python strings. Anything else (a value that is not text, or not
    ASCII, or with a NUL, which bytes would drop) is sorted as before.
    """
    import numpy as np

    keys = _ascii_keys(times)
    if keys is not None:
        return np.argsort(keys, kind="stable")
    return times.argsort(kind="stable").to_numpy()


def time_codes(times: pd.Series):
    """Return (`time_order(times)`, one integer per distinct time) for the events' times.

    The integers number the distinct times in time order (equal times, equal
    integers): with ASCII times they come from the bytes `time_order` sorts
    (comparing neighbours in C), instead of hashing a million new strings.
    """
    import numpy as np

    keys = _ascii_keys(times)
    if keys is None:
        codes, _ = pd.factorize(times, sort=False, use_na_sentinel=False)
        return times.argsort(kind="stable").to_numpy(), codes.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    codes = np.empty(len(keys), dtype=np.int64)
    if len(keys):
        ordered = keys[order]
        codes[order] = np.concatenate([[0], np.cumsum(ordered[1:] != ordered[:-1])])
    return order, codes


def _ascii_keys(times: pd.Series):
    """The times as a numpy bytes array when each is ASCII text without NUL, else None."""
    import numpy as np

    values = times.tolist()
    try:
        joined = "".join(values)   # a value that is not text raises
    except TypeError:
        return None
    if "\x00" in joined or not joined.isascii():
        return None
    return np.array(values, dtype="S")


def _key(columns: list[pd.Series], dense: bool = True) -> pd.Series:
    """One integer per distinct combination of the columns' values, numbered in order of
    first appearance (as `pd.factorize` numbers a MultiIndex of them).

    With `dense=False` the integers only tell the combinations apart (equal
    combinations, equal integers), unnumbered while they fit in 62 bits: for
    keys that are only grouped or compared, not used as positions.
    """
    import numpy as np

    code = np.zeros(len(columns[0]), dtype=np.int64)
    size = 1
    for column in columns:
        part, uniques = pd.factorize(column, sort=False, use_na_sentinel=False)
        if not dense and size * max(len(uniques), 1) >= 1 << 62:   # would not fit: renumber
            code, found = pd.factorize(code, sort=False)
            size = max(len(found), 1)
        code = code * len(uniques) + part
        size *= max(len(uniques), 1)
        if dense:
            code, found = pd.factorize(code, sort=False)
            size = max(len(found), 1)
    return pd.Series(code.astype(np.int64), index=columns[0].index)


def change_words(previous, value):
    """The audit log's `change` of each event, an object array: the value ("(cleared)"
    when empty), or "<previous> -> <value>" when it replaced a different one.

    `previous` and `value` are object arrays of str (`history_columns`). The
    joined text is made only for the events that changed a value.
    """
    import numpy as np

    previous = np.asarray(previous, dtype=object)
    shown = np.asarray(value, dtype=object).copy()
    shown[shown == ""] = "(cleared)"
    changed = np.flatnonzero((previous != "") & (previous != value))
    if len(changed):
        shown[changed] = [p + " -> " + v for p, v in zip(previous[changed].tolist(),
                                                           shown[changed].tolist())]
    return shown

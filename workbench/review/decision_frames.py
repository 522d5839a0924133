"""Every sheet's latest values as columns, and what a command counts from them, vectorized.

`status`, `check` and `conflicts` look at every decision of every sheet. On
a 100,000-study review that is 1.5M events; building a Python object per
event and walking them study by study took most of their time and memory.
Here each sheet is read once per command as columns
(`workbench.review.sheet_reads.review_sheet_frame`), its latest-wins rows
are picked in bulk, and:

- the stage progress counts (`passing_studies`, `decision_counts`) and
  the coding progress (`coding_counts`) are computed on those columns, by
  the rule of `workbench.core.consensus` (tests compare them with the
  per-study functions);
- the conflicts are found in two steps: the columns rule out, in bulk, the
  studies that certainly have no conflict (`screening_candidates`,
  `coding_candidates`: reviewers who agree in the text of every value); the
  few left go through the one per-study rule (`workbench.core.conflicts`)
  on small states built from their rows only (`small_states`). So the list
  is the per-study path's list, item for item.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from workbench.core.events import CONSENSUS, COLUMNS, Event, SheetState, is_valid_reviewer
from workbench.core.screening import CRITERIA, DECISION
from workbench.review.sheet_reads import review_memo, review_sheet_frame

if TYPE_CHECKING:
    import pandas as pd

#: Field kinds that make a coder take part in a study (core.consensus._CODING_KINDS).
CODING_KINDS = ("code", "field", "row")
#: Sheets together at least this large are counted on their columns (pandas). Smaller
#: ones go study by study, which spares loading pandas (start-up); both give the same.
COLUMNS_FROM_BYTES = 4 << 20


def use_columns(review) -> bool:
    """True when the review's sheets (coding/*.csv) are together at least COLUMNS_FROM_BYTES."""
    folder = Path(review.coding)
    total = 0
    for path in folder.glob("*.csv") if folder.is_dir() else []:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total >= COLUMNS_FROM_BYTES


def sheet_paths(review) -> tuple[dict[str, Path], Path]:
    """Return ({reviewer: path} of the valid reviewer sheets in name order, consensus path)."""
    folder = Path(review.coding)
    found = {p.stem: p for p in sorted(folder.glob("*.csv")) if folder.is_dir()
             and p.stem != CONSENSUS and is_valid_reviewer(p.stem)} if folder.is_dir() else {}
    return found, folder / f"{CONSENSUS}.csv"


def latest_rows(review, path: Path, aliased: bool = True) -> "pd.DataFrame":
    """Return the latest event of every (stage, study, field) of one sheet, in file order.

    Columns: COLUMNS (categorical but `time`), `line` (the event's line),
    `cell` (the order in which the sheet first wrote to the (stage, study):
    the order of `SheetState.items()`) and `first` (the order in which it
    first wrote to the (stage, study, field): the order of a cell's fields).
    Computed once per read of the sheet, from the sheet's cache in .workbench/ and the
    lines appended since when it has one (`workbench.review.sheet_tails`).
    """
    from workbench.review.tail_frames import tail_rows
    found = tail_rows(review, path, aliased)
    if found is not None:
        return found
    frame = review_sheet_frame(review, path, aliased)
    return review_memo(review, f"latest:{Path(path).resolve()}:{aliased}", (frame,),
                       lambda: latest_of_frame(frame))


def latest_rows_of(review, path: Path, studies: set[str]) -> "pd.DataFrame":
    """Return the rows of `latest_rows(review, path)` (aliased) whose study is in `studies`.

    Equal to filtering the whole frame (index labels too); from the sheet's
    cache without building the whole frame when it can (`tail_frames.tail_rows_of`).
    """
    from workbench.review.tail_frames import tail_rows_of
    found = tail_rows_of(review, path, studies)
    if found is not None:
        return found
    rows = latest_rows(review, path)
    return rows[rows["study_id"].isin(studies).to_numpy()]


def latest_of_frame(frame) -> "pd.DataFrame":
    """Return a sheet frame's latest row of each (stage, study, field), with its line, its
    study's cell, when the field first appeared and the parsed field name (`latest_rows`)."""
    import numpy as np
    import pandas as pd
    from workbench.store.sheet_frame import last_of_codes
    events = frame.events
    if not len(events):
        out = events.copy()
        out["line"] = pd.Series([], dtype=np.int64)
        out["cell"] = pd.Series([], dtype=np.int64)
        out["first"] = pd.Series([], dtype=np.int64)
        for name in ("prefix", "rowkey", "group", "sub"):
            out[name] = pd.Series([], dtype=object)
        out["parts"] = pd.Series([], dtype=np.int64)
        return out
    stage = events["stage"].cat.codes.to_numpy().astype(np.int64)
    study = events["study_id"].cat.codes.to_numpy().astype(np.int64)
    fld = events["field"].cat.codes.to_numpy().astype(np.int64)
    n_study = len(events["study_id"].cat.categories) + 1
    n_field = len(events["field"].cat.categories) + 1
    cell_key = stage * n_study + study
    cell, _ = pd.factorize(cell_key)            # codes in order of first appearance
    full_key = cell_key * n_field + fld
    first, keys = pd.factorize(full_key)        # when each (stage, study, field) first appeared
    last = np.zeros(len(full_key), dtype=bool)  # the latest event of each: one hash, not two
    last[last_of_codes(first, len(keys))] = True
    out = events[last].copy()
    out["line"] = frame.lines[last]
    out["cell"] = cell[last]
    out["first"] = first[last]
    out = out.reset_index(drop=True)
    parts = field_parts(out["field"].cat.categories.tolist())   # once per sheet: per field name
    fcode = out["field"].cat.codes.to_numpy()
    for name in ("prefix", "parts", "rowkey", "group", "sub"):   # field_info's order
        codes, names = parts[name]
        if names is None:
            out[name] = codes[fcode]
        else:
            out[name] = pd.Categorical.from_codes(codes[fcode],
                                                  categories=pd.Index(names, dtype=object))
    return out


def latest_frames(review, aliased: bool = True) -> tuple[dict[str, "pd.DataFrame"], "pd.DataFrame"]:
    """Return ({reviewer: latest rows}, consensus latest rows) of the review's sheets."""
    reviewers, consensus = sheet_paths(review)
    return ({name: latest_rows(review, path, aliased) for name, path in reviewers.items()},
            latest_rows(review, consensus, aliased))


#: id(latest rows) -> (a weak reference to them, {(stage, field): their rows there}).
_SUBSETS: dict[int, tuple] = {}


def _subsets(latest: "pd.DataFrame") -> dict:
    """What was picked from a shared latest-rows frame (kept while the frame lives)."""
    import weakref
    held = _SUBSETS.get(id(latest))
    if held is None or held[0]() is not latest:
        held = (weakref.ref(latest), {})
        _SUBSETS[id(latest)] = held
        weakref.finalize(latest, _SUBSETS.pop, id(latest), None)
    return held[1]


def _at(latest: "pd.DataFrame", stage: str, field: str | None = None) -> "pd.DataFrame":
    """The rows of a stage (and field), picked once per shared latest-rows frame."""
    held = (None, _subsets(latest))
    found = held[1].get((stage, field))
    if found is None:
        if field is None:
            found = latest[_is(latest["stage"], (stage,))]
        else:
            rows = _at(latest, stage)
            found = rows[_is(rows["field"], (field,))]
        held[1][(stage, field)] = found
    return found


def decisions(latest: "pd.DataFrame", stage: str) -> "pd.Series":
    """Return study id -> non-empty decision at a stage (in `SheetState.items()` order).

    Computed once per shared frame: read it, never change it.
    """
    import pandas as pd
    held = _subsets(latest)
    found = held.get(("\0decisions", stage))
    if found is None:   # once per shared frame: read it, never change it
        rows = _at(latest, stage, DECISION)
        rows = rows[~_is(rows["value"], ("",))].sort_values("cell", kind="stable")
        found = held[("\0decisions", stage)] = pd.Series(
            rows["value"].astype(object).to_numpy(),
            index=rows["study_id"].astype(object).to_numpy(), dtype=object)
    return found


def final_passing(review, stage, passing: Iterable[str]) -> set[str]:
    """Return the studies whose final decision at a screening stage is one of `passing`.

    The rule of `workbench.core.consensus.final_decisions` (consensus
    source): the consensus sheet's decision, else the decision every
    reviewer who decided gave, when at least `stage.reviewers` did.
    """
    reviewers, consensus = latest_frames(review)
    deps = (*reviewers.values(), consensus)
    wanted = tuple(passing)

    def compute() -> set[str]:
        cons, agreed = _agreed_votes(review, stage, reviewers, consensus)
        out = set(cons.index[cons.isin(wanted).to_numpy()].tolist())
        if agreed is not None:
            ok = agreed[agreed["first"].isin(wanted).to_numpy()]
            out |= set(ok.index.difference(cons.index).tolist())
        return out

    return review_memo(review, f"passing:{stage.id}:{stage.reviewers}:{wanted}:{sorted(reviewers)}",
                       deps, compute)


def _agreed_votes(review, stage, reviewers: dict, consensus) -> tuple:
    """(the consensus decisions, the studies every reviewer who decided decided alike, with
    at least `stage.reviewers` of them, and that decision as `first`; None: no votes).

    Grouped once per stage and shared by every `final_passing` of it (`status` asks for
    the passing and the included studies: the same groups, two answers).
    """
    import pandas as pd
    deps = (*reviewers.values(), consensus)

    def compute():
        cons = decisions(consensus, stage.id)
        votes = [decisions(f, stage.id) for f in reviewers.values()]
        votes = [v for v in votes if len(v)]
        if not votes:
            return cons, None
        all_votes = pd.concat(votes)
        grouped = all_votes.groupby(level=0, sort=False)
        stats = pd.DataFrame({"kinds": grouped.nunique(), "n": grouped.size(),
                              "first": grouped.first()})
        return cons, stats[(stats["kinds"] == 1).to_numpy()
                           & (stats["n"] >= stage.reviewers).to_numpy()]

    return review_memo(review, f"agreed:{stage.id}:{stage.reviewers}:{sorted(reviewers)}",
                       deps, compute)


def coding_counts(latest: "pd.DataFrame", stage: str, ids: set[str], flag: str,
                  flagged: str) -> tuple[int, int]:
    """Return (studies coded, studies flagged) of one sheet at a coding stage, among `ids`.

    Coded: any non-empty code, extraction value or group row (as `coding_progress`).
    """
    import numpy as np
    rows = _at(latest, stage)
    study = _codes(rows["study_id"])
    wanted = _is(rows["study_id"], ids)
    coded = field_kinds(rows) & ~_is(rows["value"], ("",)) & wanted
    flags = _is(rows["field"], (flag,)) & _is(rows["value"], (flagged,)) & wanted
    return len(np.unique(study[coded])), len(np.unique(study[flags]))


def field_info(categories) -> dict:
    """Return per-category arrays of a field column (one more entry for a missing value).

    `prefix` (the part before the first ':'), `parts` (how many ':'-parts),
    `rowkey` ("<group>:<key>"), `group` and `sub` (the 4th part) of
    `row:<group>:<key>[:<field>]` names. `latest_rows` adds them as columns.
    """
    import numpy as np
    split = [c.split(":") for c in categories.tolist()]
    return {"prefix": np.array([p[0] for p in split] + [""], dtype=object),
            "parts": np.array([len(p) for p in split] + [0], dtype=np.int64),
            "rowkey": np.array([":".join(p[1:3]) for p in split] + [""], dtype=object),
            "group": np.array([p[1] if len(p) > 1 else "" for p in split] + [""], dtype=object),
            "sub": np.array([p[3] if len(p) > 3 else "" for p in split] + [""], dtype=object)}


def field_parts(names: list[str]) -> dict:
    """Return `field_info`'s parts of field names as (codes, distinct values) per part.

    Per name (one more entry, for a missing value, at the end): `prefix`,
    `rowkey`, `group` and `sub` as codes into their distinct values, and
    `parts` as (counts, None). Cut in bulk by the colons' byte positions and
    factorised as byte spans (`sheet_bytes.factorize_spans`), not name by name: a
    sheet has a name per group row and field (272k at 100k studies: 0.6 s with
    numpy's string functions, `_field_parts_text`, kept for names holding a NUL
    and as the tests' oracle).
    """
    import numpy as np
    from workbench.store.sheet_bytes import factorize_spans
    try:
        data = "\n".join(names).encode("utf-8")
    except UnicodeEncodeError:   # a lone surrogate: refused by the text path alike
        return _field_parts_text(names)
    if b"\x00" in data:   # factorize_spans pads with zero bytes: a NUL would vanish
        return _field_parts_text(names)
    n = len(names)
    if len(data) == sum(map(len, names)) + max(n - 1, 0):   # ASCII: a character is a byte
        lengths = np.fromiter(map(len, names), dtype=np.int64, count=n)
    else:
        lengths = np.fromiter((len(name.encode("utf-8")) for name in names), dtype=np.int64,
                              count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    ends = starts + lengths
    buf = np.frombuffer(data, dtype=np.uint8)
    colons = np.flatnonzero(buf == ord(":"))
    at = np.searchsorted(colons, starts)
    count = np.searchsorted(colons, ends) - at
    padded = np.append(colons, 0)

    def colon(j: int) -> "np.ndarray":   # the j-th colon of each name (1-based), or its end
        return np.where(count >= j, padded[np.minimum(at + j - 1, len(colons))], ends)
    c1, c2, c3, c4 = colon(1), colon(2), colon(3), colon(4)
    after1 = np.where(count >= 1, c1 + 1, ends)
    after3 = np.where(count >= 3, c3 + 1, ends)
    out = {}
    for name, begin, end in (("prefix", starts, c1), ("rowkey", after1, c3),
                             ("group", after1, c2), ("sub", after3, c4)):
        codes, uniques = factorize_spans(data, buf, begin, end - begin)
        try:
            missing = uniques.index("")
        except ValueError:
            missing = len(uniques)
            uniques = uniques + [""]
        out[name] = (np.append(codes, missing).astype(np.int64), uniques)
    out["parts"] = (np.append(count + 1, 0).astype(np.int64), None)
    return out


def _field_parts_text(names: list[str]) -> dict:
    """`field_parts` by numpy's string functions (names that are not UTF-8; tests' oracle)."""
    import numpy as np
    import pandas as pd
    text = np.dtypes.StringDType()
    found = np.array(names, dtype=text)
    colon = np.array(":", dtype=text)
    prefix, _, rest = np.strings.partition(found, colon)
    group, sep, rest = np.strings.partition(rest, colon)
    key, _, rest = np.strings.partition(rest, colon)
    sub, _, _ = np.strings.partition(rest, colon)
    out = {}
    for name, values in (("prefix", prefix), ("rowkey", np.strings.add(np.strings.add(
            group, sep), key)), ("group", group), ("sub", sub)):
        values = np.append(values, np.array([""], dtype=text)).astype(object)
        codes, uniques = pd.factorize(values)           # hashed, not sorted
        out[name] = (codes.astype(np.int64), uniques.tolist())
    count = np.strings.count(found, colon) + 1
    out["parts"] = (np.append(count, 0).astype(np.int64), None)
    return out


def field_kinds(rows: "pd.DataFrame", kinds: tuple[str, ...] = CODING_KINDS):
    """Return a bool array: whether each row's field kind (before the first ':') is in `kinds`."""
    import numpy as np
    return _is(rows["prefix"], kinds)


def _is(column: "pd.Series", values) -> "np.ndarray":
    """Whether each value of a column (categorical or not) is one of `values`, in bulk."""
    import numpy as np
    if hasattr(column, "cat"):
        hit = np.append(column.cat.categories.isin(list(values)), False)
        return hit[column.cat.codes.to_numpy()]
    return np.isin(column.to_numpy(dtype=object), list(values))


# -- conflicts ----------------------------------------------------------------------------------
def _objects(rows: "pd.DataFrame", names: Iterable[str]) -> dict:
    return {n: rows[n].astype(object).to_numpy() for n in names}


def screening_candidates(reviewers: dict[str, "pd.DataFrame"], stage: str) -> set[str]:
    """Return the studies that may have a decision or criteria conflict at a screening stage.

    At least two reviewers decided and their decisions, or their criteria
    texts, differ. The others certainly have none (`screening_conflicts`).
    """
    import pandas as pd
    parts = []
    for name, latest in reviewers.items():
        dec = decisions(latest, stage)
        if not len(dec):
            continue
        crit = _at(latest, stage, CRITERIA)
        texts = pd.Series(crit["value"].astype(object).to_numpy(),
                          index=crit["study_id"].astype(object).to_numpy(), dtype=object)
        parts.append(pd.DataFrame({"study": dec.index, "decision": dec.to_numpy(),
                                   "criteria": texts.reindex(dec.index).fillna("").to_numpy()}))
    if len(parts) < 2:
        return set()
    votes = pd.concat(parts, ignore_index=True)
    grouped = votes.groupby("study", sort=False)
    stats = pd.DataFrame({"n": grouped.size(), "decisions": grouped["decision"].nunique(),
                          "criteria": grouped["criteria"].nunique()})
    hit = (stats["n"] >= 2) & ((stats["decisions"] > 1) | (stats["criteria"] > 1))
    return set(stats.index[hit.to_numpy()].tolist())


def coding_candidates(reviewers: dict[str, "pd.DataFrame"], consensus: "pd.DataFrame",
                      stage: str, required: int) -> tuple[list[str], set[str]]:
    """Return (every study some sheet has at a coding stage, sorted; those that may conflict).

    A study certainly holds no open conflict when at least `required` coders
    took part, the consensus sheet set no group row of it, and the coders'
    non-empty codes and values are the same text, leaving out the ones the
    consensus sheet set (those are settled), and so are their group rows
    (each row's group and non-empty values, row ids aside). That is
    `core.consensus.quick_agreed`, with what the consensus settled set
    aside. Compared by two independent 64-bit hashes of each coder's set of
    values (hashes of the distinct texts, combined per row in bulk).
    """
    import pandas as pd
    cons = _at(consensus, stage)
    cons_study = cons["study_id"].astype(object).to_numpy()
    cons_ids = set(pd.unique(cons_study).tolist())
    cons_rows = set(cons_study[field_kinds(cons, ("row",))].tolist())
    settled = (cons_study, cons["field"].astype(object).to_numpy())
    every = set(cons_ids)
    parts = [_coder_shapes(_at(latest, stage), settled) for latest in reviewers.values()]
    parts = [p for p in parts if p is not None]
    out = set(cons_rows)
    if parts:
        cells = pd.concat(parts, ignore_index=True)
        every.update(cells["study"].tolist())
        coders = cells[cells["took"].to_numpy()]
        grouped = coders.groupby("study", sort=False)
        stats = pd.DataFrame({"n": grouped.size(),
                              **{h: grouped[h].nunique() for h in _HASHES}})
        open_ = stats["n"] < max(required, 1)
        for h in _HASHES:
            open_ = open_ | (stats[h] > 1)
        out |= set(stats.index[open_.to_numpy()].tolist())
        out |= every - set(stats.index.tolist())   # nobody took part: the full rule decides
    return sorted(every), out & every


_HASHES = ("v1", "v2", "r1", "r2")
_KEYS = ("workbench-hash-1", "workbench-hash-2")
#: Odd multipliers that combine two hashes into one (a different one per hash).
_JOIN = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F)


def _hashes(text, key: str):
    import numpy as np
    import pandas as pd
    return pd.util.hash_array(np.asarray(text, dtype=object), hash_key=key).astype(np.uint64)


def _category_hashes(column, key: str, used=None):
    """The hash of each category of a column (one more, 0, for a missing value).

    `column`: a categorical column, or (codes, categories) from `_coded`.
    `used`: the codes that will be looked up (only those categories are hashed; the others 0).
    """
    import numpy as np
    names = _coded(column)[1] if not isinstance(column, tuple) else column[1]
    out = np.zeros(len(names) + 1, dtype=np.uint64)
    at = np.arange(len(names)) if used is None else np.unique(used[used >= 0])
    out[at] = _hashes(names[at], key)
    return out


def _mix(x):
    """A 64-bit finaliser (splitmix64): every bit of the result depends on every bit of x."""
    import numpy as np
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _join(a, b, i: int):
    """One hash of a pair of hashes (the i-th of the two independent ones)."""
    import numpy as np
    with np.errstate(over="ignore"):
        return _mix(a * np.uint64(_JOIN[i]) + b)


def _sums(codes, n: int, values):
    import numpy as np
    out = np.zeros(n, dtype=np.uint64)
    np.add.at(out, codes, values)
    return out


def _coded(column: "pd.Series") -> tuple["np.ndarray", "np.ndarray"]:
    """(codes, categories as objects) of a column: categorical, or text (factorised here)."""
    import numpy as np
    import pandas as pd
    if hasattr(column, "cat"):
        return (column.cat.codes.to_numpy().astype(np.int64),
                column.cat.categories.to_numpy(dtype=object))
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _codes(column: "pd.Series"):
    return _coded(column)[0]


def _coder_shapes(rows: "pd.DataFrame", settled) -> "pd.DataFrame | None":
    """Per study of one coder's sheet: took part, and hashes of its values and of its group rows.

    `settled`: (study ids, field names) the consensus sheet set at the stage.
    Works on the rows' category codes; only the distinct texts are hashed.
    """
    import numpy as np
    import pandas as pd
    if not len(rows):
        return None
    study, study_names = _coded(rows["study_id"])
    fcode, field_names = _coded(rows["field"])
    vcode, value_names = _coded(rows["value"])
    codes, uniques = pd.factorize(study)
    n = len(uniques)
    took = np.bincount(codes, weights=field_kinds(rows), minlength=n) > 0
    out = {"study": study_names[uniques], "took": took}
    filled = np.append(value_names != "", False)[vcode]
    # codes and extraction values: non-empty, not settled by the consensus sheet
    plain = field_kinds(rows, ("code", "field")) & filled
    if len(settled[0]) and plain.any():
        # (study, field) in the consensus's own numbering: look up only the plain rows' names
        s_cons, s_names = pd.factorize(pd.Index(settled[0], dtype=object))
        f_cons, f_names = pd.factorize(pd.Index(settled[1], dtype=object))
        pairs = pd.Index(s_cons.astype(np.int64) * (len(f_names) + 1) + f_cons)
        at = np.flatnonzero(plain)
        s_used, s_inv = np.unique(study[at], return_inverse=True)
        f_used, f_inv = np.unique(fcode[at], return_inverse=True)
        s_in = pd.Index(s_names, dtype=object).get_indexer(study_names[s_used])
        f_in = pd.Index(f_names, dtype=object).get_indexer(field_names[f_used])
        s_row, f_row = s_in[s_inv.ravel()], f_in[f_inv.ravel()]
        hit = (s_row >= 0) & (f_row >= 0)
        hit[hit] = pd.Index(s_row[hit].astype(np.int64) * (len(f_names) + 1)
                            + f_row[hit]).isin(pairs)
        plain[at[hit]] = False
    value_h = [_category_hashes((vcode, value_names), key, vcode) for key in _KEYS]
    field_h = [_category_hashes((fcode, field_names), key, fcode[plain]) for key in _KEYS]
    for i in range(2):
        out[f"v{i + 1}"] = _sums(codes[plain], n, _join(field_h[i][fcode[plain]],
                                                        value_h[i][vcode[plain]], i))
    # group rows: "row:<group>:<key>" = "1" (the row exists), "row:<group>:<key>:<field>" values
    parts = rows["parts"].to_numpy()
    is_row = _is(rows["prefix"], ("row",))
    one = np.append(value_names == "1", False)[vcode]
    exists = is_row & (parts == 3) & one
    if exists.any():
        rowkey, key_names = _coded(rows["rowkey"])
        n_key = len(key_names) + 1
        row_ids = pd.Index(study[exists] * n_key + rowkey[exists])
        valued = is_row & (parts == 4) & filled
        at = row_ids.get_indexer(study[valued] * n_key + rowkey[valued])
        keep = at >= 0
        subs = _coded(rows["sub"])
        groups = _coded(rows["group"])
        sub = subs[0][valued][keep]
        value = vcode[valued][keep]
        group = groups[0][exists]
        row_study = codes[exists]
        for i, key in enumerate(_KEYS):
            sub_h = _category_hashes(subs, key, sub)
            group_h = _category_hashes(groups, key, group)
            field_sums = _sums(at[keep], len(row_ids), _join(sub_h[sub], value_h[i][value], i))
            out[f"r{i + 1}"] = _sums(row_study, n, _join(group_h[group], _mix(field_sums), i))
    else:
        out["r1"] = out["r2"] = np.zeros(n, dtype=np.uint64)
    return pd.DataFrame(out)


def events_of(latest: "pd.DataFrame", stage: str, studies: set[str] | None) -> list[Event]:
    """Return the latest events of some studies at a stage.

    In the order their fields first appeared in the sheet, so a SheetState
    built from them lists cells and fields in the whole sheet's order.
    """
    rows = _at(latest, stage)
    if studies is not None:
        rows = rows[rows["study_id"].isin(studies).to_numpy()]
    cols = _objects(rows.sort_values("first", kind="stable"), COLUMNS)
    make = tuple.__new__
    return [make(Event, row) for row in zip(*(cols[c] for c in COLUMNS))]


def small_states(frames: dict[str, "pd.DataFrame"], stage: str,
                 studies: set[str] | None) -> dict[str, SheetState]:
    """Return {sheet: SheetState} of only these studies' latest events at a stage.

    For those studies every value, note and latest event is the whole
    sheet's (a state holds only the latest event per field anyway).
    """
    return {name: SheetState(events_of(latest, stage, studies)) for name, latest in frames.items()}


__all__ = ["use_columns", "COLUMNS_FROM_BYTES", "latest_rows", "latest_rows_of", "latest_of_frame",
           "latest_frames",
           "decisions",
           "final_passing", "coding_counts",
           "field_kinds", "screening_candidates", "coding_candidates", "events_of",
           "small_states", "sheet_paths"]

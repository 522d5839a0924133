"""Reliability data: a units x coders matrix turned into integer codes.

A reliability matrix has one row per unit (a study, a source) and one column
per coder; a cell holds the value that coder gave that unit, or is missing.
Missing cells are None, NaN, pandas NA or the empty string "". Everything the
agreement statistics need is derived from the integer-coded form built here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

#: Levels of measurement understood by Krippendorff's alpha. "masi" is nominal
#: data whose values are sets of codes, compared with the MASI distance.
LEVELS: tuple[str, ...] = ("nominal", "ordinal", "interval", "ratio", "masi")
#: Largest units x categories table of counts built in memory.
MAX_COUNT_CELLS = 250_000_000


@dataclass(frozen=True)
class Ratings:
    """A reliability matrix in integer-coded form.

    Attributes:
        codes: int array, units x coders; the index of the value in
            `categories`, or -1 where the coder gave that unit no value.
        categories: the distinct values, in order (sorted, or as given).
        units: the unit labels (row labels of the input).
        coders: the coder labels (column labels of the input).
        level: the level of measurement the values were read for.
    """

    codes: np.ndarray
    categories: tuple
    units: tuple
    coders: tuple
    level: str = "nominal"

    @property
    def n_units(self) -> int:
        """Number of rows (units), including units nobody rated."""
        return int(self.codes.shape[0])

    @property
    def n_coders(self) -> int:
        """Number of columns (coders)."""
        return int(self.codes.shape[1])

    @property
    def n_categories(self) -> int:
        """Number of distinct values (or of the categories given)."""
        return len(self.categories)

    def values_per_unit(self) -> np.ndarray:
        """Return m_u, the number of values each unit received."""
        return (self.codes >= 0).sum(axis=1)

    def counts(self, mask: np.ndarray | None = None) -> np.ndarray:
        """Return n_uk, the number of coders who gave unit u value k (units x K floats).

        Args:
            mask: optional boolean per unit; rows outside it are all zero.
        """
        n, k = self.codes.shape[0], self.n_categories
        if n * k > MAX_COUNT_CELLS:
            raise ValueError(f"{n} units x {k} distinct values is too many to count; "
                             "numeric data belongs at the interval or ratio level")
        codes = self.codes
        if mask is not None:
            codes = np.where(mask[:, None], codes, -1)
        rows = np.broadcast_to(np.arange(n)[:, None], codes.shape)
        valid = codes >= 0
        flat = rows[valid].astype(np.int64) * k + codes[valid]
        return np.bincount(flat, minlength=n * k).reshape(n, k).astype(np.float64)

    def numeric_categories(self) -> np.ndarray:
        """Return the categories as floats (interval and ratio data)."""
        return np.asarray([float(c) for c in self.categories], dtype=np.float64)


def is_missing(value: Any) -> bool:
    """Return True for the values that mean "this coder gave this unit no value"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, np.floating) and np.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    return False


def to_code_set(value: Any) -> frozenset:
    """Return a multi-select value as a frozenset of code labels.

    A string is split on ";" (the sheet's separator); any other iterable is
    taken as it is. An empty set means "coded, and no code applies".
    """
    if isinstance(value, frozenset):
        return value
    if isinstance(value, str):
        return frozenset(p.strip() for p in value.split(";") if p.strip())
    if isinstance(value, Iterable):
        return frozenset(value)
    return frozenset([value])


def _sort_key(value: Any) -> tuple:
    if isinstance(value, frozenset):
        return (len(value), sorted(str(v) for v in value))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def _as_number(value: Any, where: str, level: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{where}: {value!r} is not a number; "
                         f"{level} agreement needs numeric values") from None
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{where}: {value!r} is not a finite number")
    if level == "ratio" and number < 0:
        raise ValueError(f"{where}: {value!r} is negative; "
                         "ratio data has an absolute zero and no negative values")
    return number


def _as_array(matrix: Any) -> tuple[np.ndarray, tuple, tuple]:
    """Return (2-D array, unit labels, coder labels); cells may be sets or tuples."""
    if isinstance(matrix, pd.DataFrame):
        return matrix.to_numpy(), tuple(matrix.index), tuple(matrix.columns)
    if isinstance(matrix, np.ndarray):
        values = matrix
    else:
        rows = [list(row) for row in matrix]
        width = {len(row) for row in rows}
        if len(width) > 1:
            raise ValueError(f"rows of the reliability matrix differ in length: {sorted(width)}")
        values = np.empty((len(rows), width.pop() if width else 0), dtype=object)
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                values[i, j] = cell
        if values.dtype == object and values.size and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in values.ravel()):
            values = values.astype(np.float64)
    if values.ndim != 2:
        raise ValueError(f"a reliability matrix must be 2-D (units x coders), got shape {values.shape}")
    return values, tuple(range(values.shape[0])), tuple(range(values.shape[1]))


def read_ratings(matrix: Any, level: str = "nominal",
                 categories: Sequence | None = None) -> Ratings:
    """Return a reliability matrix in integer-coded form.

    Args:
        matrix: a pandas DataFrame (rows = units, columns = coders), a 2-D numpy
            array or a list of rows. Missing cells: None, NaN, pd.NA or "".
            For level "masi" each cell is a set of codes (a set, tuple, list or
            a ";"-joined string).
        level: one of LEVELS. "interval" and "ratio" convert values to floats.
        categories: the full list of possible values, in order (for ordinal
            data, the order of the scale). Values outside it are an error.
            Without it, the observed values are used, sorted.

    Returns:
        A Ratings.

    Raises:
        ValueError: unknown level, a non-numeric value at the interval or
            ratio level, or a value not among `categories`.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level of measurement {level!r}; use one of {', '.join(LEVELS)}")
    if isinstance(matrix, Ratings):
        return matrix
    values, units, coders = _as_array(matrix)
    n_units, n_coders = values.shape
    flat = values.ravel()
    if flat.dtype.kind in "fiub":
        flat = flat.astype(np.float64)
    elif level == "masi":
        flat = np.asarray([to_code_set(v) if isinstance(v, (list, set, tuple)) else v
                           for v in flat] + [None], dtype=object)[:-1]
    raw_codes, raw_uniques = pd.factorize(flat, sort=False)  # None/NaN/NA -> -1

    def where(j: int) -> str:
        i = int(np.flatnonzero(raw_codes == j)[0])
        return f"unit {units[i // n_coders]!r}, coder {coders[i % n_coders]!r}"

    # Canonical value of each distinct raw value; blanks are missing, and raw
    # values that mean the same ("a;b" and "b;a", "3" and 3.0) are merged.
    uniques: list = []
    seen: dict = {}
    canon = np.full(len(raw_uniques) + 1, -1, dtype=np.int64)
    for j, raw in enumerate(raw_uniques):
        if is_missing(raw):
            continue
        if level == "masi":
            value = to_code_set(raw)
        elif level in ("interval", "ratio"):
            value = _as_number(raw, where(j), level)
        else:
            value = raw.item() if isinstance(raw, np.generic) else raw
        if value not in seen:
            seen[value] = len(uniques)
            uniques.append(value)
        canon[j] = seen[value]
    codes_present = canon[raw_codes]  # raw code -1 picks the trailing -1
    present_idx = np.flatnonzero(codes_present >= 0)
    codes_present = codes_present[present_idx]
    if categories is not None:
        cats = list(categories)
        if level == "masi":
            cats = [to_code_set(c) for c in cats]
        position = {c: i for i, c in enumerate(cats)}
        unknown = [k for k, u in enumerate(uniques) if u not in position]
        if unknown:
            first = int(present_idx[np.flatnonzero(codes_present == unknown[0])[0]])
            raise ValueError(f"unit {units[first // n_coders]!r}, coder {coders[first % n_coders]!r}: "
                             f"value {uniques[unknown[0]]!r} is not one of the categories {cats!r}")
        remap = np.asarray([position[u] for u in uniques], dtype=np.int64)
    else:
        order = sorted(range(len(uniques)), key=lambda j: _sort_key(uniques[j]))
        cats = [uniques[j] for j in order]
        remap = np.empty(len(uniques), dtype=np.int64)
        remap[order] = np.arange(len(uniques))
    codes = np.full(flat.size, -1, dtype=np.int64)
    if len(uniques):
        codes[present_idx] = remap[codes_present]
    log.debug("read %d units x %d coders, %d categories", n_units, n_coders, len(cats))
    return Ratings(codes=codes.reshape(n_units, n_coders), categories=tuple(cats),
                   units=units, coders=coders, level=level)


def masi_distance(a: Iterable, b: Iterable) -> float:
    """Return the MASI distance between two code sets (Passonneau 2006).

    MASI = J * M, with J the Jaccard index |A & B| / |A | B| and M the
    monotonicity weight: 1 if A == B, 2/3 if one is a subset of the other,
    1/3 if they overlap otherwise, 0 if they are disjoint. The distance is
    1 - MASI. Two empty sets are identical (distance 0).

    Args:
        a: a set of codes.
        b: another set of codes.

    Returns:
        A float in [0, 1].
    """
    a, b = frozenset(a), frozenset(b)
    if a == b:
        return 0.0
    union = len(a | b)
    inter = len(a & b)
    if inter == 0:
        return 1.0
    m = 2.0 / 3.0 if (a <= b or b <= a) else 1.0 / 3.0
    return 1.0 - (inter / union) * m


def code_presence(matrix: Any) -> dict[str, pd.DataFrame]:
    """Split a multi-select matrix into one present/absent matrix per code.

    Args:
        matrix: units x coders DataFrame whose cells are code sets (or
            ";"-joined strings); missing cells stay missing.

    Returns:
        {code: DataFrame of "present"/"absent"/None}, codes sorted.
    """
    frame = matrix if isinstance(matrix, pd.DataFrame) else pd.DataFrame(matrix)
    cells = frame.to_numpy(dtype=object)
    sets = np.empty(cells.shape, dtype=object)
    for idx, value in np.ndenumerate(cells):
        sets[idx] = None if is_missing(value) else to_code_set(value)
    codes = sorted({c for s in sets.ravel() if s is not None for c in s}, key=str)
    out: dict[str, pd.DataFrame] = {}
    for code in codes:
        marks = np.empty(cells.shape, dtype=object)
        for idx, s in np.ndenumerate(sets):
            marks[idx] = None if s is None else ("present" if code in s else "absent")
        out[str(code)] = pd.DataFrame(marks, index=frame.index, columns=frame.columns, dtype=object)
    return out

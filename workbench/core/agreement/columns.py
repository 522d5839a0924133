"""The agreement audit's blind selection and reliability matrices, computed on columns.

`workbench.core.agreement.audit` builds them from `Event`s: a `SheetState`
per reviewer, then each study's cell read one by one. On a 100,000-study
review that is 1.5M Python objects and a few million dict look-ups per stage.
Here the same selection is made on each sheet's events frame
(`workbench.store.sheet_frame`: `time` as text, the other columns
categorical), in bulk:

- the blind cut (events at or after the study's first consensus event at
  the stage are left out) compares each event's time with its study's
  cut-off, as arrays;
- the codebook version (the most used one; ties go to the one used most
  recently) and the events of other versions left out, by counting;
- latest wins per (study, field) by the last occurrence of its key;
- each variable's matrix is placed by index look-up, each distinct value
  converted once.

Group rows are rebuilt from the `row:<group>:<id>[:<field>]` columns and
matched by the same `match_rows` as before (one study at a time: the
matching is fuzzy).

The results are the audit module's, number for number: the statistics get
the same units in the same order, the same categories and the same values
(tests/core/test_agreement_columns.py compares the whole report with the
per-event path on random reviews). `agreement_report` uses this path; the
per-event functions stay for callers that hold events.

    blind = blind_columns({"alice": frame_a, "bob": frame_b}, consensus_frame, "coding")
    variables = coding_variables_columns(blind, codebook)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from workbench.core.codebook import Codebook
from workbench.core.coding import ROW, ROW_EXISTS, GroupRow, code_field, value_field
from workbench.core.screening import CRITERIA, DECISION, DECISIONS, NOT_RETRIEVED, split_ids

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from workbench.core.agreement.audit import Variable
    from workbench.core.agreement.groups import GroupUnits, UnmatchedRow

#: Field kinds that make a coder take part in a study (core.consensus.took_part).
_CODING_KINDS = ("code", "field", "row")
_KIND_PREFIXES = tuple(f"{k}:" for k in _CODING_KINDS)


@dataclass
class LatestColumns:
    """One coder's latest blind event per (study, field) at a stage, as arrays.

    `study`, `value`, `note` and `time` are object arrays; `field` holds codes
    into `fields` (the sheet's field names); `first` is the position at which
    the (study, field) was first written among the blind events (the order of
    a SheetState cell's fields).
    """

    study: "np.ndarray"
    field: "np.ndarray"
    value: "np.ndarray"
    note: "np.ndarray"
    time: "np.ndarray"
    first: "np.ndarray"
    fields: "np.ndarray"
    _index: list = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.study)

    def code(self, name: str) -> int:
        """The code of a field name (-2 when the sheet never wrote it)."""
        if not self._index:   # the names are the sheet's distinct fields: one dict, once
            self._index.append({n: i for i, n in enumerate(self.fields.tolist())})
        return self._index[0].get(name, -2)

    def rows_of(self, name: str) -> "np.ndarray":
        """The positions of one field's rows."""
        import numpy as np
        return np.flatnonzero(self.field == self.code(name))


@dataclass(frozen=True)
class BlindColumns:
    """The blind events of one stage per coder (see the module notes).

    `coders` are the reviewers with a blind event at the stage, sorted
    (audit.stage_coders); `latest` holds each coder's latest events.
    """

    stage: str
    version: str
    latest: dict[str, LatestColumns]
    coders: tuple[str, ...]
    after_consensus: int = 0
    other_version: int = 0

    def studies_by_two(self) -> int:
        """How many studies two or more coders have a blind event for."""
        import numpy as np
        import pandas as pd
        parts = [pd.unique(self.latest[c].study) for c in self.coders]
        if not parts:
            return 0
        counts = pd.Series(np.concatenate(parts)).value_counts()
        return int((counts.to_numpy() >= 2).sum())

    def bulk_studies(self, prefix: str) -> int:
        """How many studies some coder's kept decision has a note starting with `prefix`.

        A not_retrieved mark is no decision agreement counts (audit.drop_not_retrieved).
        """
        found: set = set()
        for c in self.coders:
            latest = self.latest[c]
            rows = latest.rows_of(DECISION)
            found.update(s for s, n, v in zip(latest.study[rows].tolist(),
                                               latest.note[rows].tolist(),
                                               latest.value[rows].tolist())
                         if n.startswith(prefix) and v != NOT_RETRIEVED)
        return len(found)


def _objects(column: "pd.Series", rows: "np.ndarray") -> "np.ndarray":
    """A categorical column's values at `rows`, as an object array."""
    import numpy as np
    cats = np.asarray(column.cat.categories, dtype=object)
    codes = column.cat.codes.to_numpy()[rows]
    return np.append(cats, None)[codes]  # code -1 (no value) picks the None


def _first_cutoffs(consensus: "pd.DataFrame", stage: str) -> "pd.Series":
    """{study: time of its first consensus event at the stage}, as a Series."""
    import numpy as np
    import pandas as pd
    if not len(consensus):
        return pd.Series([], dtype=object)
    rows = np.flatnonzero((consensus["stage"] == stage).to_numpy())
    if not len(rows):
        return pd.Series([], dtype=object)
    times = pd.Series(consensus["time"].to_numpy(dtype=object)[rows])
    return times.groupby(_objects(consensus["study_id"], rows), sort=False).min()


def blind_columns(reviewers: Mapping[str, "pd.DataFrame"], consensus: "pd.DataFrame",
                  stage: str, version: str | None = None) -> BlindColumns:
    """Return each reviewer's blind events at a stage, as `audit.blind_selection` selects them.

    Args:
        reviewers: {reviewer: events frame (file order)}.
        consensus: the consensus sheet's events frame.
        stage: the stage id.
        version: keep only this codebook version (default: the most used one).

    Returns:
        A BlindColumns.
    """
    import numpy as np
    import pandas as pd
    cutoff = _first_cutoffs(consensus, stage)
    version = version.strip() if version is not None else None
    kept: dict[str, tuple] = {}
    late = 0
    use: dict[str, int] = {}      # in order of first use, as a Counter fills
    for reviewer, events in reviewers.items():
        rows = np.flatnonzero((events["stage"] == stage).to_numpy()) if len(events) else \
            np.zeros(0, dtype=np.int64)
        times = events["time"].to_numpy(dtype=object)[rows] if len(rows) else \
            np.zeros(0, dtype=object)
        if len(cutoff) and len(rows):
            limit = cutoff.reindex(_objects(events["study_id"], rows)).to_numpy(dtype=object)
            has = np.flatnonzero(pd.notna(limit))
            out = np.zeros(len(rows), dtype=bool)
            out[has] = (times[has] >= limit[has]).astype(bool)
            late += int(out.sum())
            rows, times = rows[~out], times[~out]
        versions = _objects(events["codebook_version"], rows) if len(rows) else \
            np.zeros(0, dtype=object)
        if len(rows):   # a space typed around a version does not make another (audit._version)
            vcodes, vnames = pd.factorize(versions)
            versions = np.asarray([v.strip() for v in vnames.tolist()], dtype=object)[vcodes]
            codes, uniques = pd.factorize(versions)
            counts = np.bincount(codes, minlength=len(uniques))
            for k, v in enumerate(uniques.tolist()):
                use[v] = use.get(v, 0) + int(counts[k])
        kept[reviewer] = (rows, times, versions)
    if version is None:
        top = max(use.values(), default=0)
        tied = [v for v, n in use.items() if n == top]
        if len(tied) > 1:  # ties go to the version used most recently
            last = {v: max((t for _, times, versions in kept.values()
                            for t in times[versions == v].tolist()), default="")
                    for v in tied}
            version = max(tied, key=lambda v: last[v])
        else:
            version = tied[0] if tied else ""
    other = sum(use.values()) - use.get(version, 0)
    latest = {}
    for reviewer, (rows, times, versions) in kept.items():
        if other and len(rows):
            mine = versions == version
            rows, times = rows[mine], times[mine]
        latest[reviewer] = _latest(reviewers[reviewer], rows, times)
    coders = tuple(sorted(r for r, lt in latest.items() if len(lt)))
    return BlindColumns(stage, version, latest, coders, late, other)


def _latest(events: "pd.DataFrame", rows: "np.ndarray", times: "np.ndarray") -> LatestColumns:
    """The latest of the given events per (study, field) (rows in file order)."""
    import numpy as np
    import pandas as pd
    if not len(rows):
        empty = np.zeros(0, dtype=object)
        return LatestColumns(empty, np.zeros(0, dtype=np.int64), empty, empty, empty,
                             np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object))
    study = events["study_id"].cat.codes.to_numpy()[rows].astype(np.int64)
    fld = events["field"].cat.codes.to_numpy()[rows].astype(np.int64)
    key = study * (len(events["field"].cat.categories) + 1) + fld
    first, _ = pd.factorize(key)
    last = np.flatnonzero(~pd.Series(key).duplicated(keep="last").to_numpy())
    picked = rows[last]
    return LatestColumns(_objects(events["study_id"], picked), fld[last],
                         _objects(events["value"], picked), _objects(events["note"], picked),
                         times[last], first[last],
                         np.asarray(events["field"].cat.categories, dtype=object))


# -- matrices ------------------------------------------------------------------------------------
def _pairs(blind: BlindColumns, name: str) -> list[tuple["np.ndarray", "np.ndarray"]]:
    """[(studies, values)] of one field, one pair per coder (in coder order)."""
    out = []
    for c in blind.coders:
        latest = blind.latest[c]
        rows = latest.rows_of(name)
        out.append((latest.study[rows], latest.value[rows]))
    return out


def _sorted_studies(parts: Sequence["np.ndarray"]) -> list:
    import numpy as np
    found = [p for p in parts if len(p)]
    if not found:
        return []
    return sorted(set(np.concatenate(found).tolist()))


def _matrix(pairs, convert: Callable = lambda v: v, blank_is_value: bool = False,
            studies: list | None = None, coders: Sequence[str] = (),
            untouched: Sequence["np.ndarray"] | None = None) -> "pd.DataFrame":
    """studies x coders of one field's values, as audit._field_matrix makes it.

    With `untouched` (per coder, the studies they coded), a coder's missing
    cell of a study they coded is the empty set (audit._none_when_untouched),
    whether or not another coder gave the field.
    """
    import numpy as np
    import pandas as pd

    from workbench.core.agreement.audit import _frame
    if studies is None:
        studies = _sorted_studies([s for s, _ in pairs])
    index = pd.Index(studies, dtype=object)
    cells = np.full((len(studies), len(pairs)), None, dtype=object)
    for j, (where, values) in enumerate(pairs):
        if not len(where):
            continue
        codes, uniques = pd.factorize(values)
        mapped = [None if (not blank_is_value and not u.strip()) else convert(u)
                  for u in uniques.tolist()]
        lookup = np.full(len(mapped) + 1, None, dtype=object)
        for k, value in enumerate(mapped):  # one by one: a set is a value, not a sequence
            lookup[k] = value
        cells[index.get_indexer(where), j] = lookup[codes]
    if untouched is not None:
        for j, mine in enumerate(untouched):
            rows = index.get_indexer(mine)
            for i in rows[np.equal(cells[rows, j], None)].tolist():
                cells[i, j] = frozenset()
    return _frame(cells, list(studies), list(coders))


def screening_variables_columns(blind: BlindColumns, criteria: Sequence[str] = (),
                                decisions: Sequence[str] = DECISIONS) -> list["Variable"]:
    """Return `audit.screening_variables` computed on columns (the same Variables)."""
    import numpy as np
    import pandas as pd

    from workbench.core.agreement.audit import (Variable, _categories, criteria_variables,
                                                drop_not_retrieved)
    coders = list(blind.coders)
    matrix, left_out = drop_not_retrieved(_matrix(_pairs(blind, DECISION), coders=coders))
    out = [Variable("decision", "decision", "nominal", matrix,
                    categories=_categories(matrix, tuple(decisions)), label="decision",
                    not_retrieved=left_out)]
    studies, reviewers = list(matrix.index), list(matrix.columns)
    given = matrix.to_numpy(dtype=object) != None  # noqa: E711 (elementwise)
    texts = np.full(given.shape, "", dtype=object)
    index = pd.Index(studies, dtype=object)
    used: set[str] = set()
    for j, (where, values) in enumerate(_pairs(blind, CRITERIA)):
        used.update(c for v in set(values.tolist()) for c in split_ids(v))
        at = index.get_indexer(where)
        inside = at >= 0
        texts[at[inside], j] = values[inside]
    return out + criteria_variables(texts, given, used, criteria, studies, reviewers)


def _coded(blind: BlindColumns) -> list["np.ndarray"]:
    """Per coder, the studies they took part in (any code, value or row: core.consensus)."""
    import numpy as np
    import pandas as pd
    out = []
    for c in blind.coders:
        latest = blind.latest[c]
        kinds = np.asarray([n.startswith(_KIND_PREFIXES) or n in _CODING_KINDS
                            for n in latest.fields.tolist()] + [False], dtype=bool)
        out.append(pd.unique(latest.study[kinds[latest.field]]))
    return out


def coding_variables_columns(blind: BlindColumns, codebook: Codebook) -> list["Variable"]:
    """Return `audit.coding_variables` computed on columns (the same Variables)."""
    from workbench.core.agreement.audit import (_NOMINAL_TYPES, _NUMBER_TYPES, Variable,
                                                _categories, _code_variables, _number,
                                                _single_select)
    coders = list(blind.coders)
    coded = _coded(blind)
    studies = _sorted_studies(coded)
    out: list = []
    for dim in codebook.dimensions:
        sets = _matrix(_pairs(blind, code_field(dim.id)), lambda v: frozenset(split_ids(v)),
                       True, studies, coders, untouched=coded)
        codes = [c.id for c in dim.all_codes()]
        if dim.select == "single":
            out.append(_single_select(dim, sets, codes))
        else:
            out.append(Variable(f"code:{dim.id}", "dimension", "masi", sets, label=dim.label))
        out += _code_variables(dim.id, sets, codes)
    for fld in codebook.fields:
        name = value_field(fld.id)

        def read_field(convert=lambda v: v):
            return _matrix(_pairs(blind, name), convert, False, None, coders)

        if fld.type in _NUMBER_TYPES:
            level = "ratio" if fld.minimum is not None and fld.minimum >= 0 else "interval"
            out.append(Variable(name, "field", level, read_field(_number), label=fld.label))
        elif fld.type == "multi_choice":
            sets = read_field(lambda v: frozenset(split_ids(v)))
            out.append(Variable(name, "field", "masi", sets, label=fld.label))
        elif fld.type == "choice" and fld.ordered:
            matrix = read_field(str.strip)
            out.append(Variable(name, "field", "ordinal", matrix,
                                categories=_categories(matrix, fld.choice_ids()),
                                label=fld.label))
        elif fld.type in _NOMINAL_TYPES:
            matrix = read_field(str.strip)
            cats = _categories(matrix, fld.choice_ids() if fld.type == "choice" else
                               ("true", "false") if fld.type == "boolean" else ())
            out.append(Variable(name, "field", "nominal", matrix, categories=cats,
                                label=fld.label))
    return out


# -- group rows ----------------------------------------------------------------------------------
def _row_names(fields: "np.ndarray") -> tuple["np.ndarray", list, list, list]:
    """Split the `row:<group>:<id>[:<field>]` names of a sheet's fields (numpy's string ufuncs).

    Returns (parts per field, 0 for other names; then the group, row id and
    field part of each name, "" where absent). A name with another number
    of parts is no row name (groups.group_rows skips it too).
    """
    import numpy as np
    n = len(fields)
    parts = np.zeros(n + 1, dtype=np.int64)
    group, row_id, sub = [""] * n, [""] * n, [""] * n
    if not n:
        return parts, group, row_id, sub
    text = np.asarray(fields, dtype=str)
    rows = np.flatnonzero(np.strings.startswith(text, f"{ROW}:"))
    if not len(rows):
        return parts, group, row_id, sub
    picked = text[rows]
    parts[rows] = np.strings.count(picked, ":") + 1
    rest = np.strings.slice(picked, len(ROW) + 1, None)
    head, _, tail = np.strings.partition(rest, ":")
    ident, _, last = np.strings.partition(tail, ":")
    for i, g, r, f in zip(rows.tolist(), head.tolist(), ident.tolist(), last.tolist()):
        group[i], row_id[i], sub[i] = g, r, f
    return parts, group, row_id, sub


def _group_rows(latest: LatestColumns) -> dict[str, dict[str, list[GroupRow]]]:
    """{study: {group: its current rows, in the order added}} (groups.group_rows, in bulk)."""
    import numpy as np
    parts, group_of, id_of, sub_of = _row_names(latest.fields)
    n_parts = parts[latest.field]
    values: dict[tuple[str, str, str], dict[str, str]] = {}
    four = np.flatnonzero(n_parts == 4)
    for study, code, value in zip(latest.study[four].tolist(), latest.field[four].tolist(),
                                  latest.value[four].tolist()):
        key = (study, group_of[code], id_of[code])
        found = values.get(key)
        if found is None:
            values[key] = {sub_of[code]: value}
        else:
            found[sub_of[code]] = value
    three = np.flatnonzero((n_parts == 3) & np.equal(latest.value, ROW_EXISTS))
    added = sorted(zip(latest.study[three].tolist(), latest.time[three].tolist(),
                       latest.first[three].tolist(), latest.field[three].tolist()))
    out: dict[str, dict[str, list[GroupRow]]] = {}
    for study, _, _, code in added:     # by study, then time, then the order of its fields
        group, row_id = group_of[code], id_of[code]
        out.setdefault(study, {}).setdefault(group, []).append(
            GroupRow(group, row_id, values.get((study, group, row_id)) or {}))
    return out


def group_units_columns(blind: BlindColumns, codebook: Codebook
                        ) -> tuple[list["GroupUnits"], list["UnmatchedRow"]]:
    """Return `groups.match_group_units` computed from columns (the same units and rows)."""
    import pandas as pd

    from workbench.core.agreement.groups import match_units
    if not codebook.groups:
        return [], []
    coders = list(blind.coders)
    rows_of: dict[tuple[str, str], dict[str, list[GroupRow]]] = {}
    studied: dict[str, set] = {}
    for c in coders:
        for study, rows in _group_rows(blind.latest[c]).items():
            rows_of[(c, study)] = rows
        studied[c] = set(pd.unique(blind.latest[c].study).tolist())
    with_rows = sorted({study for _, study in rows_of})
    coded_by = {study: [c for c in coders if study in studied[c]] for study in with_rows}
    return match_units(codebook, coders, rows_of, coded_by, with_rows)


__all__ = ["LatestColumns", "BlindColumns", "blind_columns", "screening_variables_columns",
           "coding_variables_columns", "group_units_columns"]

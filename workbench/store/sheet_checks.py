"""Check every coding sheet of a review against its codebook (`workbench check`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.core.checks import check_sheet_events, counted_problems
from workbench.core.codebook import Codebook
from workbench.core.events import CONSENSUS, is_valid_reviewer
from workbench.errors import Problem
from workbench.store.sheet import Event, format_time, paused_gc, read_sheet

#: A time this far past the clock is reported (a machine's clock may be off by minutes).
FUTURE_SLACK = timedelta(days=1)
#: Unknown study ids listed one by one per sheet before the rest are counted together.
UNKNOWN_LISTED = 20
#: Sheets together at least this large are checked on their columns (pandas); smaller
#: ones event by event, which spares loading pandas. Both report the same problems.
COLUMNS_FROM_BYTES = 4 << 20


def sheet_files(coding_dir: str | Path) -> list[Path]:
    """Return the sheets in coding/ (every *.csv), the consensus sheet last."""
    folder = Path(coding_dir)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.glob("*.csv") if p.stem != CONSENSUS)
    consensus = folder / f"{CONSENSUS}.csv"
    return files + ([consensus] if consensus.exists() else [])


def check_coding(codebook: Codebook, coding_dir: str | Path,
                 study_ids: Collection[str] | None = None, read=None) -> list[Problem]:
    """Read every sheet in coding/ and return its reading problems and codebook problems.

    Torn, cut or malformed lines, impossible and future times, events of
    another reviewer, unknown stages, fields and codes, decisions on study
    ids the review does not have, and values no longer valid are reported;
    renamed codes are reported as carried over. Nothing is modified.

    Args:
        codebook: the loaded codebook.
        coding_dir: the review's coding/ folder (its form is used in messages).
        study_ids: the review's study ids (and the old ids merged into them);
            None skips that check.
        read: path -> SheetFrame (default `read_sheet_frame`; a Review passes its
            shared read, so a command reads each sheet once). Used when the sheets
            are at least COLUMNS_FROM_BYTES together.

    Returns:
        The problems, sheet by sheet, in line order.

    Raises:
        SheetError: a sheet exists but cannot be read.
    """
    files = sheet_files(coding_dir)
    with paused_gc():
        if sum(_size(p) for p in files) < COLUMNS_FROM_BYTES:  # small: no pandas to load
            return _check_files(codebook, files, study_ids)
        from workbench.store.sheet_frame import read_sheet_frame
        return _check_frames(codebook, files, study_ids, read or read_sheet_frame)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _future_times(path: str, events: list[Event], lines: list[int]) -> list[Problem]:
    limit = format_time(datetime.now(timezone.utc) + FUTURE_SLACK)
    late = [(line, e.time) for e, line in zip(events, lines) if e.time > limit]
    if not late:
        return []
    more = f" (and {len(late) - 1} more line{'s' if len(late) > 2 else ''})" if len(late) > 1 \
        else ""
    return [Problem(path, late[0][0], None, f"time {late[0][1]!r} is in the future{more}; "
                    "the event is kept (the order of lines decides), but no later save takes "
                    "its time from it")]


def _unknown_studies(path: str, events: list[Event], lines: list[int],
                     study_ids: Collection[str]) -> list[Problem]:
    first: dict[str, int] = {}
    for event, line in zip(events, lines):
        if event.study_id not in study_ids and event.study_id not in first:
            first[event.study_id] = line
    out = [Problem(path, line, f"study {study}", "no such study in this review's references "
                   "(edited by hand, or its export was removed?); its decisions are kept but "
                   "not used") for study, line in list(first.items())[:UNKNOWN_LISTED]]
    rest = list(first.items())[UNKNOWN_LISTED:]
    if rest:
        out.append(Problem(path, rest[0][1], None, f"and {len(rest)} more study ids that are "
                           "not in this review's references"))
    return out


def _not_a_sheet(path: Path, problems: list[Problem]) -> bool:
    """True (and a problem noted) when a file's name is not a reviewer's nor the consensus."""
    if path.stem != CONSENSUS and not is_valid_reviewer(path.stem):
        problems.append(Problem(str(path), None, None, f"{path.stem!r} is not a valid "
                                "reviewer name, so this file is not read as a sheet"))
        return True
    return False


def _check_files(codebook: Codebook, files: list[Path],
                 study_ids: Collection[str] | None = None) -> list[Problem]:
    problems: list[Problem] = []
    for path in files:
        if _not_a_sheet(path, problems):
            continue
        contents = read_sheet(path)
        problems.extend(contents.problems)
        problems.extend(_future_times(str(path), contents.events, contents.lines))
        if study_ids is not None:
            problems.extend(_unknown_studies(str(path), contents.events, contents.lines,
                                             study_ids))
        reviewer = None if path.stem == CONSENSUS else path.stem
        problems.extend(check_sheet_events(codebook, str(path), contents.events,
                                           contents.lines, reviewer))
    return problems


# -- the same checks on a sheet's columns (store/sheet_frame.py), as `check` runs them ----------
def _check_frames(codebook: Codebook, files: list[Path], study_ids: Collection[str] | None,
                  read) -> list[Problem]:
    """`_check_files` on each sheet's columns: the same problems, in the same order."""
    problems: list[Problem] = []
    for path in files:
        if _not_a_sheet(path, problems):
            continue
        frame = read(path)
        problems.extend(frame.problems)
        if not len(frame.events):
            continue
        problems.extend(_frame_future_times(str(path), frame))
        if study_ids is not None:
            problems.extend(_frame_unknown_studies(str(path), frame, study_ids))
        reviewer = None if path.stem == CONSENSUS else path.stem
        problems.extend(check_sheet_frame(codebook, str(path), frame, reviewer))
    return problems


def _frame_future_times(path: str, frame) -> list[Problem]:
    import numpy as np
    limit = format_time(datetime.now(timezone.utc) + FUTURE_SLACK)
    times = frame.events["time"].to_numpy(dtype=object)
    late = np.flatnonzero(times > limit)
    if not len(late):
        return []
    first = int(late[0])
    more = f" (and {len(late) - 1} more line{'s' if len(late) > 2 else ''})" \
        if len(late) > 1 else ""
    return [Problem(path, int(frame.lines[first]), None, f"time {times[first]!r} is in the "
                    f"future{more}; the event is kept (the order of lines decides), but no "
                    "later save takes its time from it")]


def _frame_unknown_studies(path: str, frame, study_ids: Collection[str]) -> list[Problem]:
    import numpy as np
    study = frame.events["study_id"]
    cats = study.cat.categories.tolist()
    known = set(study_ids)
    unknown = np.array([c not in known for c in cats] + [False], dtype=bool)
    rows = np.flatnonzero(unknown[study.cat.codes.to_numpy()])
    if not len(rows):
        return []
    codes = study.cat.codes.to_numpy()[rows]
    _, first = np.unique(codes, return_index=True)
    order = rows[np.sort(first)]   # each unknown id at its first line, in line order
    names = [cats[c] for c in study.cat.codes.to_numpy()[order]]
    lines = frame.lines[order].tolist()
    out = [Problem(path, line, f"study {name}", "no such study in this review's references "
                   "(edited by hand, or its export was removed?); its decisions are kept but "
                   "not used") for name, line in list(zip(names, lines))[:UNKNOWN_LISTED]]
    if len(names) > UNKNOWN_LISTED:
        out.append(Problem(path, lines[UNKNOWN_LISTED], None, f"and {len(names) - UNKNOWN_LISTED} "
                           "more study ids that are not in this review's references"))
    return out


def _field_shapes(names: list[str]):
    """Number field names so that group row names differing only in the row key share one.

    `row:<group>:<key>` and `row:<group>:<key>:<field>` are numbered by their
    group (and field); every other name by itself. The numbers only tell names
    apart: equal number, equal check.
    """
    import numpy as np
    index: dict[str, int] = {}
    out = []
    for name in names:
        if name.startswith("row:"):
            parts = name.split(":")
            if len(parts) == 3:
                name = f"row:{parts[1]}:\0"           # no event holds a NUL: no name is this
            elif len(parts) == 4:
                name = f"row:{parts[1]}:\0:{parts[3]}"
        out.append(index.setdefault(name, len(index)))
    return np.asarray(out, dtype=np.int64)


def reviewer_slots(frame, reviewer: str | None) -> dict[str, list]:
    """{message: [first line, entry, count]} of the events naming another reviewer, and of
    those whose codebook version has a space around it (both judged on every event, not only
    the latest values), in line order."""
    import numpy as np
    found: dict[str, list] = {}
    if reviewer is None:
        return spaced_version_slots(frame)
    events, lines = frame.events, frame.lines
    names = events["reviewer"].cat.categories.tolist()
    codes = events["reviewer"].cat.codes.to_numpy()
    for code in np.unique(codes):
        if names[code] == reviewer:
            continue
        rows = np.flatnonzero(codes == code)
        first = int(rows[0])
        found.setdefault(f"reviewer {names[code]!r} in the sheet of {reviewer!r}",
                         [int(lines[first]), f"study {events['study_id'].iloc[first]}", 0])
        found[f"reviewer {names[code]!r} in the sheet of {reviewer!r}"][2] += len(rows)
    found.update(spaced_version_slots(frame))   # on one line: after the reviewer, as per event
    # messages first reported in line order: re-insert in that order
    return dict(sorted(found.items(), key=lambda kv: kv[1][0]))


def check_sheet_frame(codebook: Codebook, path: str, frame,
                      reviewer: str | None = None) -> list[Problem]:
    """`workbench.core.checks.check_sheet_events` on a sheet's columns: the same problems.

    Each distinct (stage, field, value) of the latest values is checked once
    by the same rules (`_check_event`); the reports are then counted in bulk.
    A group row's key does not change what its fields are checked against, so
    at a coding stage rows are checked per group and field, not per row.
    """
    found = reviewer_slots(frame, reviewer)
    for message, slot in value_slots(codebook, LatestRows.of_frame(frame)).items():
        found[message] = slot
    return counted_problems(path, found)


class LatestRows:
    """The latest event of each (stage, study, field) of a sheet, in order of first appearance.

    Category codes (`stage`, `study`, `field`, `value`, each indexing its
    `*_names`), and each row's line.
    """

    def __init__(self, stage, study, fld, value, lines, stage_names, study_names,
                 field_names, value_names):
        self.stage, self.study, self.fld, self.value, self.lines = stage, study, fld, value, lines
        self.stage_names, self.study_names = stage_names, study_names
        self.field_names, self.value_names = field_names, value_names

    @classmethod
    def of_frame(cls, frame) -> "LatestRows":
        """The latest rows of a sheet's full read (`read_sheet_frame`)."""
        import numpy as np
        import pandas as pd
        from workbench.store.sheet_frame import last_of_codes
        events = frame.events
        stage = events["stage"].cat.codes.to_numpy().astype(np.int64)
        study = events["study_id"].cat.codes.to_numpy().astype(np.int64)
        fld = events["field"].cat.codes.to_numpy().astype(np.int64)
        key = (stage * (len(events["study_id"].cat.categories) + 1) + study) \
            * (len(events["field"].cat.categories) + 1) + fld
        order, keys = pd.factorize(key)                    # keys in order of first appearance
        last = last_of_codes(order, len(keys))             # the latest event of each, that order
        return cls(stage[last], study[last], fld[last],
                   events["value"].cat.codes.to_numpy()[last].astype(np.int64),
                   np.asarray(frame.lines)[last], events["stage"].cat.categories.tolist(),
                   events["study_id"].cat.categories.tolist(),
                   events["field"].cat.categories.tolist(),
                   events["value"].cat.categories.tolist())


def value_slots(codebook: Codebook, rows: LatestRows) -> dict[str, list]:
    """{message: [line, entry, count]} of the latest values' problems, first reported first.

    A message's line and entry are those of the first row (in the order the
    (stage, study, field) first appeared) that has it.
    """
    import numpy as np
    import pandas as pd
    from workbench.core.checks import _check_event
    from workbench.core.codebook import CODING
    found: dict[str, list] = {}
    if not len(rows.lines):
        return found
    stage_names, field_names = rows.stage_names, rows.field_names
    codes = codebook.code_index()
    kinds = {}
    for i, sid in enumerate(stage_names):
        found_stage = codebook.stage(sid)
        kinds[i] = None if found_stage is None else found_stage.kind
    # per field category: the name the check depends on at a coding stage (a group row's key
    # does not matter), numbered; at a screening stage the name itself
    shape = _field_shapes(field_names) + len(field_names)
    coding = np.array([kinds[i] == CODING for i in range(len(stage_names))] + [False])
    value_codes = rows.value + 1
    value_names = [""] + list(rows.value_names)
    l_stage, l_field = rows.stage, rows.fld
    probe = np.where(coding[l_stage], shape[l_field], l_field)
    key = (l_stage * (2 * len(field_names) + 1) + probe) * (len(value_names) + 1) + value_codes
    combo_id, _ = pd.factorize(key)                 # (stage, probe, value) in order of appearance
    firsts = np.flatnonzero(~pd.Series(combo_id).duplicated().to_numpy())
    messages_of: list[list[str]] = []
    for i in firsts.tolist():   # each distinct check once, as the first event that needs it
        kind = kinds[int(l_stage[i])]
        sid = stage_names[int(l_stage[i])]
        if kind is None:
            messages_of.append([f"stage {sid!r} is not in the codebook; its decisions are "
                                "kept but not used"])
            continue
        messages_of.append(_check_event(codebook, codes, kind, sid, field_names[int(l_field[i])],
                                        value_names[int(value_codes[i])]))
    bad = np.array([bool(m) for m in messages_of] + [False], dtype=bool)
    hits = np.flatnonzero(bad[combo_id])
    study_names = rows.study_names
    for i in hits.tolist():
        for message in messages_of[combo_id[i]]:
            slot = found.get(message)
            if slot is None:
                found[message] = [int(rows.lines[i]), f"study {study_names[rows.study[i]]}, "
                                  f"stage {stage_names[l_stage[i]]}", 1]
            else:
                slot[2] += 1
    found.update(_unticked_quotes(codebook, rows))
    return found


def _unticked_quotes(codebook: Codebook, rows: LatestRows) -> dict[str, list]:
    """`core.checks.unticked_quote_slots` on the latest rows: the quotes and passages of the
    sheet, and the codes of only the studies that have one."""
    import numpy as np
    from workbench.core.checks import quote_kind, quoted_code, unticked_quote_slots
    names = rows.field_names
    shape = np.array([0 if n.count(":") != 1 else 1 if n.startswith("code:")
                      else 2 if n.startswith(("quote:", "seg:")) else 0 for n in names] + [0])
    kind = shape[rows.fld]
    quoting = np.flatnonzero(kind == 2)
    if not len(quoting):
        return {}
    values = [""] + list(rows.value_names)
    quotes = []
    for i in quoting.tolist():
        name, value = names[rows.fld[i]], values[rows.value[i] + 1]
        found = quote_kind(name, value)
        if found:
            quotes.append((int(rows.lines[i]), rows.stage_names[rows.stage[i]],
                           rows.study_names[rows.study[i]], found, quoted_code(name, value)))
    if not quotes:
        return {}
    ticked: dict[tuple[str, str], list[str]] = {}
    coded = np.flatnonzero((kind == 1) & np.isin(rows.study, rows.study[quoting]))
    for i in coded.tolist():
        value = values[rows.value[i] + 1]
        if value:
            ticked.setdefault((rows.stage_names[rows.stage[i]],
                               rows.study_names[rows.study[i]]), []).append(value)
    return unticked_quote_slots(codebook, quotes, ticked)


def spaced_version_slots(frame) -> dict[str, list]:
    """{message: [first line, entry, count]} of the events whose codebook version has a space
    before or after it (`workbench.core.checks.spaced_version`), as check_sheet_events."""
    import numpy as np
    from workbench.core.checks import spaced_version
    found: dict[str, list] = {}
    events = frame.events
    if not len(events):
        return found
    names = events["codebook_version"].cat.categories.tolist()
    codes = events["codebook_version"].cat.codes.to_numpy()
    for code, name in enumerate(names):
        if name != name.strip():
            rows = np.flatnonzero(codes == code)
            if len(rows):
                first = int(rows[0])
                found[spaced_version(name)] = [int(frame.lines[first]),
                                               f"study {events['study_id'].iloc[first]}",
                                               len(rows)]
    return dict(sorted(found.items(), key=lambda kv: kv[1][0]))

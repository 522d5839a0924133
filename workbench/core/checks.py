"""Check a coding sheet's current decisions against the codebook (pure; for `workbench check`).

Only the current (latest-wins) value of each (stage, study, field) is checked:
a superseded event is history, not a decision. Problems never drop data: a
decision that uses a removed code stays in the sheet and is reported; one
that uses a renamed code is reported as carried over. A problem that repeats
on many lines is reported once, at its first line, with the count.
"""

from __future__ import annotations

from typing import Sequence

from workbench.core import coding as cod
from workbench.core.codebook import CODING, Codebook
from workbench.core.events import DecisionRefused, Event
from workbench.core.evidence import SEGMENT
from workbench.core.screening import CRITERIA, DECISION, DECISIONS, NOTE, split_ids
from workbench.core.stopping import (ORDER_FIELD, SAMPLE_FIELD, STOPPED_FIELD, parse_sample_value,
                                    parse_stopped_value)
from workbench.errors import Problem


#: What happens to a value typed by hand in another spelling (a coder's value is never rewritten).
_KEPT_AS_TYPED = ("; the line is kept as typed, and agreement, conflicts and the export read it "
                  "as a value of its own: change it in the app or with workbench resolve")


def check_sheet_events(codebook: Codebook, path: str, events: Sequence[Event],
                       lines: Sequence[int], reviewer: str | None = None) -> list[Problem]:
    """Return the problems of a sheet's current decisions under a codebook.

    Args:
        codebook: the current codebook.
        path: the sheet's display path (used in the problems).
        events: the sheet's events in file order (from `read_sheet`).
        lines: the 1-based line of each event.
        reviewer: the reviewer the file belongs to (its name); events naming
            another reviewer are reported. None for the consensus sheet.

    Returns:
        Problems in line order, each `path:line: study S, stage T: problem`.
    """
    latest: dict[tuple[str, str, str], tuple[Event, int]] = {}
    found: dict[str, list] = {}

    def report(line: int, entry: str, message: str) -> None:
        slot = found.get(message)
        if slot is None:
            found[message] = [line, entry, 1]
        else:
            slot[2] += 1

    for event, line in zip(events, lines):
        if reviewer is not None and event.reviewer != reviewer:
            report(line, f"study {event.study_id}",
                   f"reviewer {event.reviewer!r} in the sheet of {reviewer!r}")
        if event.codebook_version != event.codebook_version.strip():
            report(line, f"study {event.study_id}", spaced_version(event.codebook_version))
        latest[(event.stage, event.study_id, event.field)] = (event, line)
    codes = codebook.code_index()
    known: dict[tuple[str, str, str], list[str]] = {}  # most values repeat: check each once
    for (stage_id, study, name), (event, line) in latest.items():
        key = (stage_id, name, event.value)
        messages = known.get(key)
        if messages is None:
            stage = codebook.stage(stage_id)
            if stage is None:
                messages = [f"stage {stage_id!r} is not in the codebook; its decisions are "
                            "kept but not used"]
            else:
                messages = _check_event(codebook, codes, stage.kind, stage_id, name,
                                        event.value)
            known[key] = messages
        for message in messages:
            report(line, f"study {study}, stage {stage_id}", message)
    quotes, ticked = [], {}
    for (stage_id, study, name), (event, line) in latest.items():
        kind = quote_kind(name, event.value)
        if kind == cod.CODE:
            ticked.setdefault((stage_id, study), []).append(event.value)
        elif kind:
            quotes.append((line, stage_id, study, kind, quoted_code(name, event.value)))
    found.update(unticked_quote_slots(codebook, quotes, ticked))
    return counted_problems(path, found)


def quote_kind(name: str, value: str) -> str:
    """What a latest (field, value) is to the unticked-quote check: "code" for a dimension's
    codes, "quote" for a code's quote, "passage" for a passage on a code, else ""."""
    if not value:
        return ""
    if name.startswith(f"{cod.CODE}:") and name.count(":") == 1:
        return cod.CODE
    if name.startswith(f"{cod.QUOTE}:") and name.count(":") == 1:
        return "quote" if value.strip() else ""
    if name.startswith(f"{SEGMENT}:") and name.count(":") == 1 and \
            value.startswith(f"{cod.CODE}:"):
        return "passage"
    return ""


def quoted_code(name: str, value: str) -> str:
    """The code a quote (quote:<code>) or a passage (seg:<id> = code:<code>) is evidence for."""
    return (value if name.startswith(f"{SEGMENT}:") else name).split(":", 1)[1]


#: What every unticked-quote message says (`review.checking` reports them as warnings).
UNTICKED = "which this sheet has not ticked"


def unticked_quote(code: str, kind: str) -> str:
    """The problem of a quote or passage for a code the same sheet has not ticked."""
    what = "a quote" if kind == "quote" else "a passage"
    return (f"{what} is saved for code {code!r}, {UNTICKED} for the study (an older sheet, the code unticked after the quote, a hand edit or a "
            "merge); the quote is kept and evidence.csv marks it code_ticked = no, while the "
            "coded dataset counts the code as not applied: tick the code in the app if the "
            "quote is evidence for it, or remove the quote")


def unticked_quote_slots(codebook: Codebook, quotes, ticked) -> dict[str, list]:
    """{message: [first line, entry, count]} of the quotes and passages on codes not ticked.

    Args:
        codebook: the current codebook (renamed codes count as their new id; a code it
            does not have is reported by the value checks, not here).
        quotes: (line, stage, study, kind, code) of each latest non-empty quote
            ("quote") or passage on a code ("passage").
        ticked: {(stage, study): [each latest code:<dimension> value]} of the same sheet.
    """
    found: dict[str, list] = {}
    codes = codebook.code_index()
    coding = {s.id for s in codebook.stages if s.kind == CODING}
    for line, stage_id, study, kind, code in sorted(quotes):
        current = codebook.resolve_code(code)
        if stage_id not in coding or current not in codes:
            continue
        applied = {codebook.resolve_code(c) for value in ticked.get((stage_id, study), ())
                   for c in split_ids(value)}
        if current in applied:
            continue
        message = unticked_quote(code, kind)
        slot = found.get(message)
        if slot is None:
            found[message] = [line, f"study {study}, stage {stage_id}", 1]
        else:
            slot[2] += 1
    return found


def spaced_version(version: str) -> str:
    """The problem of a codebook version typed with a space (or tab) before or after it."""
    return (f"codebook version {version!r} has a space before or after it (typed by hand?); "
            f"every command reads it as {version.strip()!r}")


def counted_problems(path: str, found: dict[str, list]) -> list[Problem]:
    """Return one Problem per message, at its first line, in line order, with its count.

    Args:
        path: the sheet.
        found: {message: [first line, entry, how many lines]}.
    """
    out = []
    for message, (line, entry, count) in sorted(found.items(), key=lambda kv: kv[1][0]):
        more = f" (and {count - 1} more line{'s' if count > 2 else ''})" if count > 1 else ""
        out.append(Problem(path, line, entry, message + more))
    return out


def _check_codes(codebook: Codebook, codes: dict, dimension: str, ids: Sequence[str]) -> list[str]:
    out = []
    for code in ids:
        current = codebook.resolve_code(code)
        if current != code and current in codes:
            out.append(f"code {code!r} was renamed to {current!r}; counted as {current!r}")
        elif current not in codes:
            hint = cod.did_you_mean(code, list(codes))
            out.append(f"code {code!r} is not in the codebook{hint or ' (removed?)'}; the "
                       "decision is kept in the sheet: add it back, map it under 'renamed', "
                       "or recode")
        elif dimension and codes[current][0].id != dimension:
            out.append(f"code {current!r} belongs to dimension {codes[current][0].id!r}, "
                       f"not {dimension!r}")
    return out


def _check_event(codebook: Codebook, codes: dict, kind: str, stage_id: str, name: str,
                 value: str) -> list[str]:
    parts = cod.split_field(name)
    if name in (cod.FLAG, NOTE):
        return []
    if kind != CODING:
        if name == ORDER_FIELD:
            return []
        if name == SAMPLE_FIELD:
            return [] if parse_sample_value(value) or not value else \
                [f"stopping sample value {value!r} is not test=..;urn=..;found=..;seq=.."]
        if name == STOPPED_FIELD:
            return [] if parse_stopped_value(value) is not None or not value else \
                [f"stopped value {value!r} is not test;confidence=..;sample=..;... (or override;...)"]
        if name == DECISION:
            if value and value not in DECISIONS:
                return [f"unknown decision {value!r}{cod.did_you_mean(value, list(DECISIONS))}"
                        f"{_KEPT_AS_TYPED}"]
            offered = codebook.stage(stage_id).offered_decisions()
            if value and value not in offered:
                return [f"decision {value!r} is not offered at stage {stage_id!r} (it offers "
                        f"{', '.join(offered)}); the export refuses it: change it in the app "
                        "or with `workbench resolve`"]
            return []
        if name == CRITERIA:
            allowed = [c.id for c in codebook.stage_criteria(stage_id)]
            return [f"criterion {c!r} is not defined for stage {stage_id!r}"
                    f"{cod.did_you_mean(c, allowed)}"
                    for c in split_ids(value) if c not in allowed]
        return [f"unknown field {name!r} for a screening stage"]
    head = parts[0]
    if head == cod.CODE and len(parts) == 2:
        if codebook.dimension(parts[1]) is None:
            return [f"dimension {parts[1]!r} is not in the codebook"]
        return _check_codes(codebook, codes, parts[1], split_ids(value))
    if head == cod.MEMO and len(parts) == 2:
        return [] if codebook.dimension(parts[1]) else \
            [f"memo for dimension {parts[1]!r}, which is not in the codebook"]
    if head in (cod.QUOTE, cod.PAGE) and len(parts) == 2:
        return _check_codes(codebook, codes, "", (parts[1],))
    if head == SEGMENT:
        return _check_passage(codebook, codes, parts, value)
    if head == cod.FIELD and len(parts) == 2:
        fld = codebook.field(parts[1])
        if fld is None:
            return [f"field {parts[1]!r} is not in the codebook"]
        return _check_value(fld, value)
    if head == cod.ROW and len(parts) in (3, 4):
        group = codebook.group(parts[1])
        if group is None:
            return [f"group {parts[1]!r} is not in the codebook"]
        if len(parts) == 3:
            return []
        fld = group.field(parts[3])
        if fld is None:
            return [f"group {parts[1]!r} has no field {parts[3]!r}"]
        return _check_value(fld, value)
    return [f"unknown field {name!r} for a coding stage"]


def _check_value(fld, value: str) -> list[str]:
    try:
        written = cod.validate_value(fld, value)
    except DecisionRefused as exc:
        return [exc.message.replace("; nothing was saved", "") + " under the current codebook"]
    if written != value:   # e.g. TRUE typed by hand: the app writes true
        return [f"field {fld.id!r}: {value!r} is not written as the app writes it "
                f"(did you mean {written!r}?){_KEPT_AS_TYPED}"]
    return []


def _check_passage(codebook: Codebook, codes, parts: list[str], value: str) -> list[str]:
    """Check one field of an evidence passage (workbench.core.evidence: seg:<id>[:part])."""
    if len(parts) == 2:  # the passage's target, or "" once removed
        if not value:
            return []
        kind, _, target = value.partition(":")
        if kind == cod.CODE:
            return _check_codes(codebook, codes, "", (target,))
        if kind == cod.FIELD:
            return [] if codebook.field(target) else \
                [f"passage for field {target!r}, which is not in the codebook"]
        return [f"passage target {value!r} is not code:<id> or field:<id>"]
    if len(parts) != 3:
        return [f"unknown passage field {':'.join(parts)!r}"]
    part = parts[2]
    if part == "quote":
        return []
    if part in ("page", "start", "end"):
        return [] if not value or value.isdigit() else \
            [f"passage {part} {value!r} is not a whole number"]
    if part == "sha256":
        return [] if not value or (len(value) == 64 and all(c in "0123456789abcdef"
                                                          for c in value)) else \
            [f"passage sha256 {value!r} is not 64 hex digits"]
    return [f"unknown passage field {':'.join(parts)!r}"]

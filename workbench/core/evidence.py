"""Coded passages: a quote of a full text tied to a code or field, by page and offsets (pure).

A passage (a coded segment in the QualCoder / REFI-QDA sense) is saved at a
coding stage as one append of these fields, all under one random id:

=================================  =============================================
field                              value
=================================  =============================================
``seg:<id>``                       the target: ``code:<code id>`` or
                                   ``field:<field id>``; "" once removed
``seg:<id>:quote``                 the quoted text, as extracted
``seg:<id>:page``                  the page number (1-based)
``seg:<id>:start`` / ``:end``      character offsets in that page's extracted
                                   text (`core.fulltext.Page.text`)
``seg:<id>:sha256``                the SHA-256 of the file the text came from
=================================  =============================================

Offsets refer to the cached extraction of that file hash (extractor version
recorded in `core.fulltext.EXTRACTOR_VERSION`), so they stay put: the same file
always gives the same text. Removing a passage appends ``seg:<id>`` = "";
the history keeps it, and undo brings it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workbench.core.codebook import Codebook
from workbench.core.events import Change, DecisionRefused, Event

SEGMENT = "seg"
CODE_TARGET, FIELD_TARGET = "code", "field"
PARTS = ("quote", "page", "start", "end", "sha256")


@dataclass(frozen=True)
class Passage:
    """One saved passage of a study's full text."""

    id: str
    kind: str       # "code" or "field"
    target: str     # the code id or field id
    quote: str
    page: int
    start: int
    end: int
    sha256: str
    time: str = ""

    @property
    def target_field(self) -> str:
        return f"{self.kind}:{self.target}"

    def overlaps(self, other: "Passage") -> bool:
        """True when both mark overlapping text of the same page of the same file."""
        return (self.sha256 == other.sha256 and self.page == other.page
                and self.start < other.end and other.start < self.end)


def new_passage_id() -> str:
    """Return a short random id for a new passage."""
    return uuid.uuid4().hex[:10]


def passage_changes(codebook: Codebook, kind: str, target: str, quote: str, page: int,
                    start: int, end: int, sha256: str,
                    passage_id: str | None = None) -> tuple[str, list[Change]]:
    """Return (id, changes) saving a passage; validated against the codebook.

    Raises:
        DecisionRefused: unknown code or field, empty quote, bad page or offsets, no file hash.
    """
    if kind == CODE_TARGET:
        target = codebook.resolve_code(target)
        if target not in codebook.code_index():
            raise DecisionRefused(f"code {target!r}: not defined in the codebook")
    elif kind == FIELD_TARGET:
        if target not in {f.id for f in codebook.fields}:
            raise DecisionRefused(f"field {target!r}: not defined in the codebook")
    else:
        raise DecisionRefused(f"a passage is evidence for a code or a field, not {kind!r}")
    if not quote.strip():
        raise DecisionRefused("the passage is empty: select some text first")
    if page < 1 or start < 0 or end <= start:
        raise DecisionRefused(f"bad position of the passage (page {page}, {start}-{end})")
    if len(sha256) != 64:
        raise DecisionRefused("the passage needs the SHA-256 of its file")
    pid = passage_id or new_passage_id()
    base = f"{SEGMENT}:{pid}"
    return pid, [Change(base, f"{kind}:{target}"), Change(f"{base}:quote", quote),
                 Change(f"{base}:page", str(page)), Change(f"{base}:start", str(start)),
                 Change(f"{base}:end", str(end)), Change(f"{base}:sha256", sha256)]


def remove_changes(passage_id: str) -> list[Change]:
    """Return the change removing a passage (its values stay in the history)."""
    return [Change(f"{SEGMENT}:{passage_id}", "")]


def is_passage_field(name: str) -> bool:
    return name.startswith(SEGMENT + ":")


def passages_of(cell: Mapping[str, Event], resolve_code=None) -> list[Passage]:
    """Return the current passages of one study at one stage, oldest first.

    Args:
        cell: {field: latest event} of the study (e.g. `SheetState.fields(stage, study)`).
        resolve_code: maps an old code id to its current one (codebook renames).
    """
    heads: dict[str, Event] = {}
    parts: dict[str, dict[str, str]] = {}
    for name, event in cell.items():
        if not is_passage_field(name):
            continue
        bits = name.split(":")
        if len(bits) == 2:
            heads[bits[1]] = event
        elif len(bits) == 3 and bits[2] in PARTS:
            parts.setdefault(bits[1], {})[bits[2]] = event.value
    out = []
    for pid, head in heads.items():
        kind, _, target = head.value.partition(":")
        got = parts.get(pid, {})
        if not head.value or kind not in (CODE_TARGET, FIELD_TARGET):
            continue
        try:
            page, start, end = int(got.get("page", "")), int(got.get("start", "")), \
                int(got.get("end", ""))
        except ValueError:
            page = start = end = 0
        if kind == CODE_TARGET and resolve_code is not None:
            target = resolve_code(target)
        out.append(Passage(pid, kind, target, got.get("quote", ""), page, start, end,
                           got.get("sha256", ""), head.time))
    return sorted(out, key=lambda p: (p.time, p.id))


def overlap_count(a: Iterable[Passage], b: Iterable[Passage]) -> tuple[int, int, int]:
    """Compare two coders' passages of one study: (overlapping, only a, only b).

    A passage of coder A overlaps when coder B tied overlapping text of the
    same page of the same file to the same code or field.
    """
    a, b = list(a), list(b)
    both = sum(1 for p in a if any(p.target_field == q.target_field and p.overlaps(q)
                                   for q in b))
    only_b = sum(1 for q in b if not any(p.target_field == q.target_field and p.overlaps(q)
                                         for p in a))
    return both, len(a) - both, only_b

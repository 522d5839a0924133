"""Evidence from the full text: passages a coder ties to a code or field, saved to their sheet.

A thin layer over `CodingSession` (its Sheet, stage and codebook): the quote
is taken from the extraction itself at the given page and offsets, so what is
saved is exactly the text those offsets point at, together with the file's
SHA-256. Each save is one durable append, undoable like any other change.
"""

from __future__ import annotations

from workbench.core.evidence import (Passage, passage_changes, passages_of, remove_changes)
from workbench.core.events import DecisionRefused


def passages(session, study_id: str) -> list[Passage]:
    """Return the coder's current passages of a study, oldest first."""
    cell = session.sheet.state.fields(session.stage.id, study_id)
    return passages_of(cell, session.codebook.resolve_code)


def add_passage(session, study_id: str, kind: str, target: str, extraction, page: int,
                start: int, end: int) -> Passage:
    """Save a passage of a study's full text as evidence for a code or field.

    Args:
        session: the coder's CodingSession.
        study_id: the study coded.
        kind: "code" or "field".
        target: the code id or field id.
        extraction: the `core.fulltext.Extraction` shown (its sha256 is recorded).
        page: 1-based page number.
        start, end: character offsets in that page's `Page.text`.

    Returns:
        The saved Passage.

    Raises:
        DecisionRefused: unknown target, empty or out-of-page selection; nothing saved.
        SheetError: the sheet could not be written.
    """
    if not 1 <= page <= len(extraction.pages):
        raise DecisionRefused(f"page {page} is not in {extraction.name} "
                              f"({len(extraction.pages)} pages)")
    text = extraction.pages[page - 1].text
    if not 0 <= start < end <= len(text):
        raise DecisionRefused(f"offsets {start}-{end} are outside page {page} of "
                              f"{extraction.name}")
    quote = text[start:end].strip()
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    start += lead
    end = start + len(quote)
    pid, changes = passage_changes(session.codebook, kind, target, quote, page, start, end,
                                   extraction.sha256)
    session.sheet.append(session.stage.id, study_id, changes)
    return next(p for p in passages(session, study_id) if p.id == pid)


def remove_passage(session, study_id: str, passage_id: str) -> None:
    """Remove a passage (appends; the history keeps it and undo brings it back)."""
    if passage_id not in {p.id for p in passages(session, study_id)}:
        raise DecisionRefused(f"no passage {passage_id!r} on this study")
    session.sheet.append(session.stage.id, study_id, remove_changes(passage_id))

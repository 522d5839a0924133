"""Evidence from the full text: passages a coder ties to a code or field, saved to their sheet.

A thin layer over `CodingSession` (its Sheet, stage and codebook): the quote
is taken from the extraction itself at the given page and offsets, so what is
saved is exactly the text those offsets point at, together with the file's
SHA-256. Each save is one durable append, undoable like any other change. A
passage for a code the coder has not ticked ticks it in the same append
(`tick_changes`).
"""

from __future__ import annotations

from workbench.core.evidence import (Passage, passage_changes, passages_of, remove_changes)
from workbench.core.events import DecisionRefused
from workbench.core.wording import plural


def tick_changes(session, study_id: str, code_id: str) -> list:
    """Return the change that ticks a code a quote is saved for ([] when it is ticked):
    `core.coding.tick_for_quote` on the session's current coding of the study.

    Raises:
        DecisionRefused: unknown code; or the code's dimension takes one code
            and another is ticked (ticking would replace that value): nothing
            is saved.
    """
    from workbench.core.coding import tick_for_quote
    return tick_for_quote(session.codebook, session.stage.id, session.coding(study_id).codes,
                          code_id)


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
        DecisionRefused: unknown target, empty or out-of-page selection, or a code
            of a single-select dimension where another is ticked; nothing saved.
        SheetError: the sheet could not be written.
    """
    if not 1 <= page <= len(extraction.pages):
        raise DecisionRefused(f"page {page} is not in {extraction.name} "
                              f"({plural(len(extraction.pages), 'page')})")
    text = extraction.pages[page - 1].text
    if not 0 <= start < end <= len(text):
        raise DecisionRefused(f"offsets {start}-{end} are outside page {page} of "
                              f"{extraction.name}")
    quote = text[start:end].strip()
    lead = len(text[start:end]) - len(text[start:end].lstrip())
    start += lead
    end = start + len(quote)
    tick = tick_changes(session, study_id, target) if kind == "code" else []
    pid, changes = passage_changes(session.codebook, kind, target, quote, page, start, end,
                                   extraction.sha256)
    session.sheet.append(session.stage.id, study_id, tick + changes)
    return next(p for p in passages(session, study_id) if p.id == pid)


def remove_passage(session, study_id: str, passage_id: str) -> None:
    """Remove a passage (appends; the history keeps it and undo brings it back)."""
    if passage_id not in {p.id for p in passages(session, study_id)}:
        raise DecisionRefused(f"no passage {passage_id!r} on this study")
    session.sheet.append(session.stage.id, study_id, remove_changes(passage_id))


def passage_overlap(review, stage_id: str | None = None) -> list[dict]:
    """Compare every pair of coders' passages per code or field: how many overlap.

    Two passages overlap when they mark overlapping text of the same page of the
    same file for the same code or field (`core.evidence.overlap_count`).

    Returns:
        One dict per (target, coder pair): target, coder_a, coder_b, overlapping,
        only_a, only_b, summed over the studies both coded.

    Raises:
        ReviewError: no coding stage; SheetError: a sheet cannot be read.
    """
    from itertools import combinations

    from workbench.core.events import SheetState, is_valid_reviewer
    from workbench.core.evidence import overlap_count
    from workbench.store.sheet import read_sheet
    stage = review.stage("coding", stage_id)
    codebook = review.codebook()
    by_coder: dict[str, dict[str, list[Passage]]] = {}
    for path in sorted(review.coding.glob("*.csv")):
        if not is_valid_reviewer(path.stem) or path.stem == "consensus":
            continue
        state = SheetState(read_sheet(path, review.aliases()).events)
        studies: dict[str, list[Passage]] = {}
        for (stage_of, study), cell in state.items():
            if stage_of == stage.id:
                found = passages_of(cell, codebook.resolve_code)
                if found:
                    studies[study] = found
        if studies:
            by_coder[path.stem] = studies
    totals: dict[tuple[str, str, str], list[int]] = {}
    for a, b in combinations(sorted(by_coder), 2):
        for study in set(by_coder[a]) & set(by_coder[b]):
            targets = {p.target_field for p in by_coder[a][study] + by_coder[b][study]}
            for target in targets:
                counts = overlap_count([p for p in by_coder[a][study] if p.target_field == target],
                                       [p for p in by_coder[b][study] if p.target_field == target])
                slot = totals.setdefault((target, a, b), [0, 0, 0])
                for i, n in enumerate(counts):
                    slot[i] += n
    return [{"target": t, "coder_a": a, "coder_b": b, "overlapping": n[0], "only_a": n[1],
             "only_b": n[2]} for (t, a, b), n in sorted(totals.items())]

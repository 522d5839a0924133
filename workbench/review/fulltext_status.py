"""Which full texts were sought, found and not found (for `workbench fulltext status` and PRISMA).

Sought: the studies that reach the full-text stage (the final decision of
its source stage is include or maybe, the rule of the screening work list,
`workbench.core.consensus`). Found: sought and linked. Not found: sought and
not linked. A study that is not found is counted by PRISMA as "not
retrieved" only once a reviewer records it (`r` in the full-text stage):
a text may still come by interlibrary loan. Status lists the mismatches both
ways so the PRISMA numbers and the links agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.core.consensus import FINAL, final_decisions
from workbench.core.events import CONSENSUS, SheetState, is_valid_reviewer
from workbench.core.screening import INCLUDE_DECISION, MAYBE, NOT_RETRIEVED, decisions_by_study
from workbench.review.fulltext import Link, read_links
from workbench.store.sheet import read_sheet

PASSING = (INCLUDE_DECISION, MAYBE)


@dataclass
class FulltextStatus:
    """Full-text retrieval of a review."""

    stage: str
    sought: list = field(default_factory=list)
    found: dict[str, Link] = field(default_factory=dict)
    not_found: list = field(default_factory=list)
    not_retrieved: list[str] = field(default_factory=list)
    linked_but_not_retrieved: list[str] = field(default_factory=list)
    not_found_undecided: list[str] = field(default_factory=list)
    linked_not_sought: int = 0

    def as_dict(self) -> dict:
        return {"stage": self.stage, "sought": len(self.sought), "found": len(self.found),
                "not_found": [s.id for s in self.not_found],
                "not_retrieved_decided": len(self.not_retrieved),
                "linked_but_marked_not_retrieved": self.linked_but_not_retrieved,
                "not_found_without_decision": self.not_found_undecided,
                "linked_not_sought": self.linked_not_sought}


def fulltext_stage(codebook):
    """Return the screening stage that assesses full texts (None when the codebook has none).

    The coding stage's source when it is a screening stage with a source,
    else the last screening stage that has a source.
    """
    screening = [s for s in codebook.stages if s.kind == "screening"]
    coding = [s for s in codebook.stages if s.kind == "coding"]
    for stage in coding:
        source = codebook.stage(stage.source) if stage.source else None
        if source is not None and source.kind == "screening" and source.source:
            return source
    with_source = [s for s in screening if s.source]
    return with_source[-1] if with_source else None


def final_at(review, stage) -> dict:
    """Return study id -> FinalDecision at a screening stage, from every sheet."""
    votes = []
    aliases = review.aliases()
    if review.coding.is_dir():
        for path in sorted(review.coding.glob("*.csv")):
            if not (is_valid_reviewer(path.stem) or path.stem == CONSENSUS):
                continue
            state = SheetState(read_sheet(path, aliases).events)
            votes += [(path.stem, sid, value, "")
                      for sid, value in decisions_by_study(state, stage.id).items()]
    return final_decisions(stage.id, votes, stage.reviewers)


def fulltext_status(review) -> FulltextStatus:
    """Return sought / found / not found, and where links and "not retrieved" disagree.

    Raises:
        CodebookError, SheetError: the codebook or a sheet cannot be read.
    """
    codebook = review.codebook()
    stage = fulltext_stage(codebook)
    studies = review.studies()
    links = read_links(review)
    if stage is None:
        sought = list(studies)
        finals_here = {}
        label = ""
    else:
        source = codebook.stage(stage.source)
        passed = final_at(review, source)
        sought = [s for s in studies if (f := passed.get(s.id)) is not None
                  and f.status == FINAL and f.decision in PASSING]
        finals_here = final_at(review, stage)
        label = stage.id
    status = FulltextStatus(label, sought)
    sought_ids = set()
    for study in sought:
        sought_ids.add(study.id)
        final = finals_here.get(study.id)
        marked = final is not None and final.status == FINAL and final.decision == NOT_RETRIEVED
        if marked:
            status.not_retrieved.append(study.id)
        if study.id in links:
            status.found[study.id] = links[study.id]
            if marked:
                status.linked_but_not_retrieved.append(study.id)
        else:
            status.not_found.append(study)
            if final is None:
                status.not_found_undecided.append(study.id)
    status.linked_not_sought = sum(1 for sid in links if sid not in sought_ids)
    return status


def mark_not_retrieved(review, reviewer: str, dry_run: bool = False) -> list[str]:
    """Record `not_retrieved` for this reviewer on every sought study that has no full text.

    Only studies this reviewer has not decided at the full-text stage are marked
    (a decision already made is never overwritten). Each is saved like a key
    press in the screening screen, so PRISMA counts it as a report not retrieved
    once the stage's reviewers agree (or the consensus says so).

    Returns:
        The study ids marked (or that would be, with dry_run).

    Raises:
        ReviewError: no full-text stage; SheetError: the sheet cannot be written.
    """
    from workbench.errors import ReviewError
    from workbench.review.screening import open_session
    stage = fulltext_stage(review.codebook())
    if stage is None:
        raise ReviewError("the codebook has no full-text stage (a screening stage with a source)",
                          path=review.codebook_path)
    status = fulltext_status(review)
    session = open_session(review, reviewer, stage.id)
    todo = [s.id for s in status.not_found if not session.decision(s.id)]
    if not dry_run:
        for study_id in todo:
            session.record(study_id, NOT_RETRIEVED, (), note="no full text found "
                           "(workbench fulltext not-retrieved)")
    return todo

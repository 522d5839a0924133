"""Marking a possible duplicate while screening: the pair goes to the duplicates queue.

The screening screen shows one study; when the reviewer thinks another study
is the same one, `similar_studies` suggests candidates (titles alike, or the
words the reviewer types) and `mark_possible_duplicate` saves the pair as an
answer "possible" in the reviewer's duplicate-answer file
(coding/duplicates/<reviewer>.csv). Duplicate detection then puts the pair
first in the queue that `workbench dedupe`, `workbench pair` and the
duplicates screen work through, where a person says "same" or "different"
(the later answer stands). Decisions are never merged by the mark itself.
"""

from __future__ import annotations

from workbench.errors import DedupeError

#: Suggestions listed at most.
SUGGESTIONS = 8


def similar_studies(review, study, words: str = "", limit: int = SUGGESTIONS) -> list:
    """Return the studies most like `study` (titles alike), or matching `words` when given.

    Args:
        review: the open Review.
        study: the study on screen.
        words: what the reviewer typed: words of a title, an author, a DOI or a study id.
        limit: how many to return.

    Returns:
        Studies, best first (never `study` itself).
    """
    from rapidfuzz import fuzz, process
    others = [s for s in review.studies() if s.id != study.id]
    words = words.strip().lower()
    if words:
        exact = [s for s in others if words == s.id.lower() or (s.doi and words == s.doi.lower())]
        if exact:
            return exact[:limit]
        terms = words.split()
        found = [s for s in others
                 if all(t in f"{s.title} {' '.join(s.authors)} {s.year or ''}".lower()
                        for t in terms)]
        query = words
    else:
        found, query = others, (study.title or "").lower()
    if not query:
        return found[:limit]
    scored = process.extract(query, [(s.title or "").lower() for s in found],
                             scorer=fuzz.token_set_ratio, limit=limit)
    return [found[i] for _, _, i in scored]


def mark_possible_duplicate(review, reviewer: str, study_id: str, other_id: str,
                            note: str = "") -> tuple[str, str]:
    """Send two studies to the duplicates queue as a possible duplicate (saved durably).

    Returns:
        The two record ids saved (the first record of each study).

    Raises:
        DedupeError: a study id is unknown, the two are one study, or the file
            cannot be written (nothing saved).
    """
    from workbench.core.dedupe.duplicates import POSSIBLE
    studies = {s.id: s for s in review.studies()}
    for sid in (study_id, other_id):
        if sid not in studies:
            raise DedupeError(f"no study with id {sid!r}", hint="nothing was saved")
    if study_id == other_id:
        raise DedupeError(f"{study_id} is one study: choose another one", hint="nothing was saved")
    a, b = studies[study_id].record_ids[0], studies[other_id].record_ids[0]
    review.decide_pair(reviewer, a, b, POSSIBLE, note)
    return a, b

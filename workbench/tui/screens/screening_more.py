"""The screening screen's actions on more than one study (mixed into ScreeningScreen).

`b` decides every study the filter shows at once (review.bulk: a preview, a
confirmation, one undo); `d` sends the study on screen and one the reviewer
picks to the duplicates queue (review.duplicate_marks). Kept apart so
screening.py stays small.
"""

from __future__ import annotations

from workbench.core.codebook import EXCLUDE, compile_highlights
from workbench.errors import WorkbenchError
from workbench.review.bulk import apply_bulk, bulk_candidates, describe_filter, plan_bulk
from workbench.review.duplicate_marks import mark_possible_duplicate, similar_studies
from workbench.tui.bulk_modal import BulkModal
from workbench.tui.duplicate_mark_modal import DuplicateMarkModal
from workbench.tui.highlights_modal import HighlightsModal
from workbench.tui.modals import ErrorModal
from workbench.tui.wording import plural


class BulkAndDuplicates:
    """Mixin for ScreeningScreen: needs `session`, `filter`, `source`, `review`, `reviewer`,
    `prioritised`, `_show` and `_refresh_undo`."""

    def action_bulk(self) -> None:
        """One decision for every study the filter shows (b): preview, confirm, one undo."""
        session, flt = self.session, self.filter
        try:
            studies, kept = bulk_candidates(session, flt)
        except WorkbenchError as exc:
            self.notify(f"{exc} (/ sets a filter, e.g. years -2009).", severity="warning",
                        timeout=8)
            return
        if not studies:
            self.notify(f"Every study shown ({describe_filter(flt)}) is decided already; a "
                        "filter naming a decision (e.g. maybe) re-decides them.",
                        severity="warning", timeout=8)
            return
        reasons = [c for c in session.codebook.stage_criteria(session.stage.id)
                   if c.kind == EXCLUDE]

        def confirmed(plan) -> None:
            if plan is None:
                return
            try:
                n = apply_bulk(session, plan)
            except (WorkbenchError, OSError) as exc:
                self.app.push_screen(ErrorModal("The bulk decision was NOT saved",
                                                [str(exc), "No study was changed."]))
                return
            if self.prioritised is not None:
                self.prioritised.decided()
            self._show()
            self._refresh_undo()
            self.notify(f"Saved in bulk: {plan.decision}"
                        + (f" ({', '.join(plan.criteria)})" if plan.criteria else "")
                        + f" for {plural(n, 'study')}; u takes all of it back.", timeout=8)

        self.app.push_screen(BulkModal(
            f"Bulk decision · {describe_filter(flt)}", studies, kept, session.stage.offered_decisions(),
            reasons, lambda decision, criteria: plan_bulk(session, flt, decision, criteria)),
            confirmed)

    def action_mark_duplicate(self) -> None:
        """Send the study on screen and one the reviewer picks to the duplicates queue (d)."""
        study = self.source

        def picked(other) -> None:
            if other is None:
                return
            try:
                mark_possible_duplicate(self.review, self.reviewer, study.id, other.id)
            except (WorkbenchError, OSError) as exc:
                self.app.push_screen(ErrorModal("The possible duplicate was NOT saved",
                                                [str(exc)]))
                return
            self.notify(f"Sent to the duplicates queue: {study.id} and {other.id} (the "
                        "duplicates screen, d on home, or workbench dedupe). Your decisions "
                        "stay as they are.", timeout=8)

        self.app.push_screen(DuplicateMarkModal(
            f"{study.year or '----'}  {study.title or study.id}",
            lambda words: similar_studies(self.review, study, words)), picked)

    def action_edit_highlights(self) -> None:
        """Edit the highlight terms (e): the diff of codebook.yaml, y saves, highlights redrawn."""
        from workbench.review.highlights import plan_highlights, write_highlights
        if self.session is None:
            return
        terms = self.session.codebook.highlights

        def saved(edit) -> None:
            if edit is None:
                return
            try:
                codebook = write_highlights(self.review, edit)
            except (WorkbenchError, OSError) as exc:
                self.app.push_screen(ErrorModal("The highlight terms were NOT saved",
                                                [str(exc)]))
                return
            # new decisions carry the new codebook version; the highlights redraw now
            self.session.codebook = codebook
            self.session.sheet.codebook_version = codebook.version
            self.matcher = compile_highlights(codebook.highlights)
            self._show()
            self.notify(f"Saved to codebook.yaml: {plural(len(edit.include), 'include term')}, "
                        f"{plural(len(edit.exclude), 'exclude term')}.", timeout=6)

        self.app.push_screen(HighlightsModal(
            terms.include, terms.exclude,
            lambda include, exclude: plan_highlights(self.review, include, exclude)), saved)

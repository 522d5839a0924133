"""Shows a study's full text in a screen: loads it in a worker, swaps card and text panel.

Used by the screening screen (full-text stage) and the coding screen through a
few calls (`show`, `toggle`), so those screens keep their own logic. The text
comes from `review.fulltext.open_fulltext` (the cache, else an extraction in a
thread worker with page progress); the last few texts stay in memory.
"""

from __future__ import annotations

from collections import OrderedDict

from workbench.core.fulltext import NO_TEXT, PASSWORD, UNREADABLE
from workbench.errors import WorkbenchError
from workbench.tui.widgets.source_card import SourceCard
from workbench.tui.widgets.text_panel import FullTextPanel

KEEP = 4


class FulltextController:
    """The full text of the study on screen, beside (in place of) its SourceCard."""

    def __init__(self, screen, review, card: SourceCard, panel: FullTextPanel,
                 evidence=None) -> None:
        self.screen, self.review = screen, review
        self.card, self.panel = card, panel
        self.evidence = evidence or (lambda study_id: [])
        self.matcher = None
        self.study_id = ""
        self.texts: OrderedDict[str, object] = OrderedDict()
        self.prefer_text = True
        self.panel.display = False

    @property
    def extraction(self):
        """The extraction on screen, or None when the card is shown."""
        return self.texts.get(self.study_id) if self.panel.display else None

    @property
    def showing_text(self) -> bool:
        return bool(self.panel.display)

    def show(self, study, matcher=None) -> None:
        """Show the full text of `study` if it has one (else its card); loads it when needed."""
        self.matcher = matcher if matcher is not None else self.matcher
        self.study_id = study.id if study is not None else ""
        if study is None:
            self._card()
            return
        if study.id in self.texts:
            self._display(study.id)
            return
        self._card()
        self.screen.run_worker(lambda: self._load(study.id), thread=True, exclusive=True,
                               group="fulltext", exit_on_error=False)

    def toggle(self) -> None:
        """Switch between the full text and the study's card (abstract)."""
        self.prefer_text = not self.prefer_text
        if self.study_id in self.texts:
            self._display(self.study_id)
        elif self.prefer_text:
            self.screen.notify("This study has no full text with a text layer "
                               "(workbench fulltext link FILE STUDY).", timeout=5)

    def ask_link(self, study, reviewer: str) -> None:
        """Ask which file is the study's full text (candidates first), link it and show it."""
        from workbench.review.fulltext import link_file
        from workbench.review.fulltext_pending import pending_for
        from workbench.tui.fulltext_modals import LinkModal
        from workbench.tui.modals import ErrorModal
        try:
            candidates = pending_for(self.review, study.id)
        except (WorkbenchError, OSError) as exc:
            self.screen.app.push_screen(ErrorModal("Cannot read the link records", [str(exc)]))
            return

        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                link = link_file(self.review, path, study.id, reviewer)
            except (WorkbenchError, OSError) as exc:
                self.screen.app.push_screen(ErrorModal("The full text was NOT linked",
                                                       [str(exc)]))
                return
            self.screen.notify(f"Linked: copied to {link.file}", timeout=5)
            self.texts.pop(study.id, None)
            self.prefer_text = True
            if self.study_id == study.id:
                self.show(study)

        self.screen.app.push_screen(LinkModal(study.title or study.id, candidates), chosen)

    def refresh_evidence(self) -> None:
        if self.showing_text:
            self.panel.view.set_evidence(self.evidence(self.study_id))

    # -- loading (worker thread) -------------------------------------------------------------
    def _load(self, study_id: str) -> None:
        from workbench.review.fulltext import open_fulltext
        app = self.screen.app

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, study_id, done, total)

        try:
            extraction = open_fulltext(self.review, study_id, progress=progress)
        except (WorkbenchError, OSError) as exc:
            app.call_from_thread(self._failed, study_id, str(exc))
            return
        app.call_from_thread(self._loaded, study_id, extraction)

    def _progress(self, study_id: str, done: int, total: int) -> None:
        if study_id == self.study_id and not self.panel.display:
            self.card.border_subtitle = f"extracting the full text: page {done} of {total}"

    def _failed(self, study_id: str, message: str) -> None:
        self.card.border_subtitle = ""
        if study_id == self.study_id:
            self.screen.notify(f"{message} (showing the abstract)", severity="warning",
                               timeout=10)

    def _loaded(self, study_id: str, extraction) -> None:
        self.card.border_subtitle = ""
        if extraction is None:
            return
        if extraction.problem in (NO_TEXT, PASSWORD, UNREADABLE) or not extraction.has_text:
            if study_id == self.study_id:
                self.screen.notify(f"{extraction.name}: {extraction.message} "
                                   "(showing the abstract)", severity="warning", timeout=12)
            return
        if extraction.message and study_id == self.study_id:
            self.screen.notify(f"{extraction.name}: {extraction.message}", severity="warning",
                               timeout=10)
        self.texts[study_id] = extraction
        while len(self.texts) > KEEP:
            self.texts.popitem(last=False)
        if study_id == self.study_id:
            self._display(study_id)

    # -- display -----------------------------------------------------------------------------
    def _card(self) -> None:
        self.panel.display = False
        self.card.display = True

    def _display(self, study_id: str) -> None:
        if not self.prefer_text:
            self._card()
            return
        extraction = self.texts[study_id]
        self.texts.move_to_end(study_id)
        self.card.display = False
        self.panel.display = True
        label = extraction.name + (" · broken text layer" if extraction.problem else "")
        self.panel.show_extraction(extraction, self.matcher, label, self.evidence(study_id))
        self.panel.view.focus()

"""ScreeningScreen: one study at a time, decided from the keyboard, saved before moving on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ProgressBar, Static

from workbench.tui.history_modal import HISTORY_BINDING, HistoryModal
from workbench.core.codebook import EXCLUDE, compile_highlights
from workbench.core.links import study_links
from workbench.core.screening import (DECISIONS, EXCLUDE_DECISION, INCLUDE_DECISION, MAYBE,
                                      NOT_RETRIEVED)
from workbench.errors import WorkbenchError
from workbench.store.reviewer_sheet import UndoRefused
from workbench.review.ordering import IMPORT_ORDER
from workbench.review.screening import (UNSCREENED, Filter, ScreeningSession,
                                        empty_stage_reason, find_fulltext, open_session)
from workbench.tui.live import others_decide, own_sheet_changed
from workbench.tui.key_hold import LoadsInBackground
from workbench.tui.loading import bulk_loading
from workbench.tui.modals import CriteriaModal, ErrorModal, FilterModal, NoteModal
from workbench.tui.screens.screening_order import ScreeningOrder
from workbench.tui.screens.screening_more import BulkAndDuplicates
from workbench.tui.widgets.decision_bar import DecisionBar
from workbench.tui.widgets.key_footer import KeyFooter
from workbench.tui.widgets.source_card import SourceCard
from workbench.tui.widgets.text_panel import FullTextPanel
from workbench.tui.fulltext_support import FulltextController
from workbench.tui.wording import NOTHING_TO_UNDO, plural


def open_external(target: str) -> bool:
    """Open a URL or file with the desktop's handler; False when nothing can open it.

    Uses `open` on macOS, the file association on Windows and `xdg-open` on a
    Linux desktop. Console browsers are never started: they would take over
    the terminal the workbench runs in.
    """
    try:
        if sys.platform == "win32":
            os.startfile(target)  # type: ignore[attr-defined]
            return True
        if sys.platform == "darwin":
            command = ["open", target]
        else:
            opener = shutil.which("xdg-open")
            if not opener or not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
                return False
            command = [opener, target]
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
        return True
    except OSError:
        return False


#: Screening actions whose keys the full-text view also binds (see ScreeningScreen.BINDINGS).
_SHARED_WITH_TEXT = ("filter", "note", "stopping_test", "back")


class ScreeningScreen(LoadsInBackground, BulkAndDuplicates, ScreeningOrder, Screen):
    """Screen one stage: include / exclude (with criteria) / maybe / not retrieved."""

    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="screening.help"),
        Binding("i", "include", "Include", id="screening.include"),
        Binding("x", "exclude", "Exclude", id="screening.exclude"),
        Binding("m", "maybe", "Maybe", id="screening.maybe"),
        Binding("r", "not_retrieved", "Not retrieved", id="screening.not_retrieved"),
        Binding("u", "undo", "Undo", id="screening.undo"),
        Binding("n", "note", "Note", id="screening.note"),
        Binding("right,l", "next", "Next", key_display="→", id="screening.next"),
        Binding("left,h", "previous", "Prev", key_display="←", id="screening.previous"),
        Binding("g", "next_unscreened", "Go unscreened", id="screening.next_unscreened"),
        Binding("slash", "filter", "Filter", id="screening.filter"),
        Binding("b", "bulk", "Bulk", id="screening.bulk"),
        Binding("d", "mark_duplicate", "Possible duplicate", show=False,
                id="screening.mark_duplicate"),
        Binding("e", "edit_highlights", "Edit highlight terms", show=False,
                id="screening.edit_highlights"),
        Binding("c", "criteria", "Criteria", id="screening.criteria"),
        Binding("o", "open", "Open", id="screening.open"),
        Binding("t", "toggle_text", "Text/abstract", id="screening.toggle_text"),
        Binding("L", "link_text", "Link full text", show=False, id="screening.link_text"),
        Binding("p", "order", "Order", id="screening.order"),
        Binding("s", "stopping_test", "Stop test", id="screening.stopping_test"),
        HISTORY_BINDING,
        Binding("escape", "back", "Home", id="screening.back"),
    ]
    #: Every key of this screen is a priority binding: the app runs it as it reads it,
    #: so keys typed in one burst (x 1 Enter, tmux send-keys) act in the order typed and
    #: the ones after a key that opens a dialog reach that dialog, never the card behind.
    #: Keys the full-text view also uses (/ search, n next match, s sentence, Esc clear)
    #: keep their plain binding too: while the text has the focus the fast copy declines
    #: (check_action) and the key goes to the text, as before.
    BINDINGS = ([replace(b, priority=True) for b in BINDINGS
                 if b.action not in _SHARED_WITH_TEXT]
                + [b for b in BINDINGS if b.action in _SHARED_WITH_TEXT]
                # the fast copy is the one the footer finds first: it shows the key
                + [replace(b, priority=True, action=f"fast('{b.action}')", id=None)
                   for b in BINDINGS if b.action in _SHARED_WITH_TEXT])

    class Loaded(Message):
        """The session is ready (posted from the loading worker)."""

        def __init__(self, session: ScreeningSession) -> None:
            super().__init__()
            self.session = session

    class LoadProgress(Message):
        """Loading progress (posted from the loading worker)."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done, self.total = done, total

    index: reactive[int] = reactive(0, init=False)
    LOADING_NAME = "screening screen"   # named when keys typed while it loaded are dropped

    def __init__(self, review, reviewer: str, stage: str | None = None) -> None:
        super().__init__(classes="screening")
        self.review = review
        self.reviewer = reviewer
        self.stage_id = stage
        self.session: ScreeningSession | None = None
        self.view: list[int] = []
        self.filter = Filter()
        self.matcher = None
        self.cancel = threading.Event()
        self._loader = None   # the loading worker (keys typed meanwhile wait: load_state)
        self._could_undo = False

    # -- layout and loading ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Loading...", id="screen-title", classes="screen-title")
        with Vertical(id="loading"):
            yield Static("Reading references and sheets...", id="loading-label")
            yield ProgressBar(id="loading-bar", show_eta=False)
        yield SourceCard(id="card")
        yield FullTextPanel(id="fulltext")
        yield DecisionBar(id="decision")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#card").display = False
        self.fulltext = FulltextController(self, self.review, self.query_one("#card", SourceCard),
                                           self.query_one("#fulltext", FullTextPanel))
        self._loader = self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="screening-load")
    def _load(self) -> None:
        try:
            with bulk_loading():
                session = open_session(
                    self.review, self.reviewer, self.stage_id, cancel=self.cancel,
                    progress=lambda d, t: self.post_message(self.LoadProgress(d, t)))
        except WorkbenchError as exc:
            self.app.call_from_thread(self.app.fail, exc)
            return
        self.post_message(self.Loaded(session))

    def on_screening_screen_load_progress(self, event: LoadProgress) -> None:
        self.query_one("#loading-bar", ProgressBar).update(total=event.total, progress=event.done)

    def on_screening_screen_loaded(self, event: Loaded) -> None:
        opening = self.session is None
        if not opening:  # a reload: u still takes back this screen's decisions
            event.session.sheet.keep_undo(self.session.sheet)
        self.session = session = event.session
        self.matcher = compile_highlights(session.codebook.highlights)
        self.query_one("#loading").display = False
        self.query_one("#card").display = True
        self.query_one("#card").focus()
        for warning in session.warnings:
            self.notify(f"{warning} (skipped; every other decision was read)",
                        title="Sheet warning", severity="warning", timeout=15)
        self.view = list(range(len(session)))
        first = session.next_unscreened(0)
        if first is None and session.studies:
            self.notify("Every study at this stage is screened.", timeout=6)
        if not session.studies:
            why = empty_stage_reason(self.review, session.stage)
            self.query_one("#card", SourceCard).empty_text = why
            self.notify(why, severity="warning", timeout=12)
        self.index = first or 0
        self._return_to_kept_study(session)
        if self.prioritised is not None or self.order_name != IMPORT_ORDER:
            self.use_order(self.order_name, again=True)   # a reload: the order on the new session
        elif opening:
            self._reopen_in_chosen_order(session)
        self._show()
        self.refresh_bindings()
        self.app.screen_loaded(self)   # the keys typed while it loaded act now, in order

    def on_review_changed(self, event) -> None:
        """Files changed on disk: reload when they can change this stage's studies.

        The reviewer stays on the study shown; if a duplicate answer merged it into
        another study, that study is shown (decisions follow it) and a notice says so.
        A CLI command that appended to the reviewer's own sheet is read in the same way.
        """
        if self.session is None or not (
                others_decide(event.paths, bool(self.session.stage.source))
                or own_sheet_changed(event, self.session.sheet)):
            return
        self._kept = self.source.id if self.source else None
        self._load()

    def _return_to_kept_study(self, session) -> None:
        kept, self._kept = getattr(self, "_kept", None), None
        if kept is None:
            return
        target = kept if session.index_of(kept) is not None else self.review.aliases().get(kept)
        position = session.index_of(target) if target else None
        if position is None:
            self.notify(f"{kept} is no longer at this stage (the others' decisions or a "
                        "duplicate answer changed the list).", severity="warning", timeout=10)
            return
        if target != kept:
            self.notify(f"{kept} was merged into {target} (a duplicate answer); your "
                        "decisions follow it.", timeout=10)
        if position in self.view:
            self.index = self.view.index(position)

    # -- display ---------------------------------------------------------------------------
    @property
    def source(self):
        """The study on screen (None while loading or when the view is empty)."""
        if self.session is None or not self.view:
            return None
        return self.session.studies[self.view[min(self.index, len(self.view) - 1)]]

    def watch_index(self) -> None:
        self._show()

    def _show(self) -> None:
        session = self.session
        if session is None:
            return
        study = self.source
        stage = session.stage
        title = f"{stage.label or stage.id} · {self.reviewer} · {self._position_label(study)}"
        self.query_one("#screen-title", Static).update(title, layout=False)
        self.query_one("#card", SourceCard).show_study(study, self.matcher)
        if stage.source:  # the full-text stage shows the linked full text, if any
            self.fulltext.show(study, self.matcher)
        progress = session.progress()
        decision_bar = self.query_one("#decision", DecisionBar)
        if study is None:
            decision_bar.show_state("", (), "", progress.done, progress.total,
                                    self.filter.describe(), len(self.view))
            return
        decision_bar.show_state(session.decision(study.id), session.criteria(study.id),
                                session.note(study.id), progress.done, progress.total,
                                self.filter.describe(), len(self.view))

    def _position_label(self, study) -> str:
        """Where the study on screen is, each number named: "study 3 of 28 (filter)" in a
        static order; in prioritised order its rank among the unscreened ("rank 2 of 24
        unscreened · top 8% · model of 3 decisions"), since the list is served one by one."""
        if self.prioritised is not None:
            return self._order_label().removeprefix(" · ") or "prioritised order"
        if study is None:
            return "no study"
        shown = "shown" if not self.filter.is_empty() else ""
        return (f"study {self.index + 1} of {len(self.view)}" + (f" {shown}" if shown else "")
                + self._order_label())

    def _text_has_focus(self) -> bool:
        focused = self.focused
        return focused is not None and any(
            node.id == "fulltext" for node in focused.ancestors_with_self)

    def action_fast(self, action: str) -> None:
        """A key of _SHARED_WITH_TEXT read while the text does not have the focus."""
        getattr(self, f"action_{action}")()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "fast":
            return False if self._text_has_focus() else \
                self.check_action(parameters[0], ()) is True
        if action in ("back", "filter"):
            return True
        if action == "stopping_test":
            return self.session is not None and self.prioritised is not None
        if self.session is None:
            return False
        if action == "not_retrieved":
            return "not_retrieved" in self.session.stage.offered_decisions()
        if action == "maybe" and "maybe" not in self.session.stage.offered_decisions():
            return False
        if action == "undo":   # always on: with nothing to undo, u says why
            return True
        if action in ("include", "exclude", "maybe", "note", "next", "previous", "bulk",
                      "mark_duplicate"):
            return self.source is not None
        return True

    # -- deciding --------------------------------------------------------------------------
    def _decide(self, study, decision: str, criteria: tuple[str, ...] = ()) -> bool:
        """Save a decision, then move on; on failure stay and show the error."""
        try:
            self.session.record(study.id, decision, criteria)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("The decision was NOT saved",
                                            [str(exc), "The study stays on screen; try again."]))
            return False
        self._after_decision(study)
        self._advance()
        self._refresh_undo()
        return True

    def _advance(self) -> None:
        if self._next_in_order():
            return
        if self.index + 1 < len(self.view):
            self.index += 1
        else:
            left = self.session.progress().left
            self._show()
            said = (self.source.id if self.source else None, left)
            if said == getattr(self, "_end_said", None):
                return  # re-deciding the last study: the notice is already on screen
            self._end_said = said
            self.notify(f"End of the list. {left} left unscreened"
                        + (" (g jumps to the next)." if left else "."), timeout=6)

    def _refresh_undo(self) -> None:
        """Refresh the footer only when undo becomes (un)available (a footer redraw is slow)."""
        can = self.session.can_undo()
        if can != self._could_undo:
            self._could_undo = can
            self.refresh_bindings()

    def action_include(self) -> None:
        self._decide(self.source, INCLUDE_DECISION)

    def action_maybe(self) -> None:
        self._decide(self.source, MAYBE)

    def action_not_retrieved(self) -> None:
        self._decide(self.source, NOT_RETRIEVED)

    def action_exclude(self) -> None:
        study, session = self.source, self.session
        reasons = [c for c in session.codebook.stage_criteria(session.stage.id) if c.kind == EXCLUDE]
        if not reasons:
            self._decide(study, EXCLUDE_DECISION)
            return
        required = session.stage.exclude_needs_criterion

        def chosen(ids: tuple[str, ...] | None) -> None:
            if ids is not None:
                self._decide(study, EXCLUDE_DECISION, ids)

        # A new decision starts empty: `x 1 Enter` on a study already excluded with E1
        # must give E1, not untick it. The reasons it had are in the title.
        before = session.criteria(study.id) if session.decision(study.id) == EXCLUDE_DECISION \
            else ()
        title = ("Exclude: which criteria? " + ("(at least one)" if required else "(optional)")
                 + (f" · was {', '.join(before)}" if before else ""))
        self.app.push_screen(CriteriaModal(reasons, title, required=required), chosen)

    def action_undo(self) -> None:
        many = self.session.undo_size()
        try:
            study_id = self.session.undo()
        except UndoRefused as exc:
            self.notify(exc.message, severity="warning", timeout=10)
            self._refresh_undo()
            return
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("Undo was NOT saved", [str(exc)]))
            return
        if study_id is None:
            self.notify(NOTHING_TO_UNDO, timeout=8)
            return
        if self.prioritised is not None:
            self.prioritised.decided()          # the model forgets the undone decision
        position = self.session.index_of(study_id)
        if position is not None and position not in self.view:
            self.view = list(range(len(self.session)))
            self.filter = Filter()
        if position is not None:
            self.index = self.view.index(position)
            if self.prioritised is not None:
                self.prioritised.look_ahead(position)   # the undone study is on screen
        self._show()
        self._refresh_undo()
        self.notify(f"Undone: the bulk decision is taken back ({plural(many, 'study')} as "
                    "they were)." if many > 1 else "Undone: the study is back as it was.",
                    timeout=3 if many <= 1 else 6)

    def action_note(self) -> None:
        study = self.source

        def saved(note: str | None) -> None:
            if note is None:
                return
            try:
                self.session.set_note(study.id, note)
            except (WorkbenchError, OSError) as exc:
                self.app.push_screen(ErrorModal("The note was NOT saved", [str(exc)]))
                return
            self._show()

        self.app.push_screen(NoteModal(self.session.note(study.id)), saved)

    # -- moving ----------------------------------------------------------------------------
    def action_next(self) -> None:
        if self.index + 1 < len(self.view):
            self.index += 1

    def action_previous(self) -> None:
        if self.index > 0:
            self.index -= 1

    def action_next_unscreened(self) -> None:
        session = self.session
        n = len(self.view)
        for step in range(1, n + 1):
            j = (self.index + step) % n
            if not session.decision(session.studies[self.view[j]].id):
                self.index = j
                return
        self.notify("Nothing left unscreened here.", timeout=4)

    def action_filter(self) -> None:
        if self.session is None:
            return

        def applied(flt: Filter | None) -> None:
            if flt is None:
                return
            view = self.session.matching(flt)
            if not view:
                # "unscreened" typed in the words box (the first one) searches the text
                hint = ("; a decision goes in the second box (Tab)" if not flt.decision
                        and flt.text.strip().lower() in (*DECISIONS, UNSCREENED) else "")
                self.notify(f"No study matches {flt.describe()}; filter unchanged{hint}.",
                            severity="warning")
                return
            current = self.view[self.index] if self.view else 0
            was_prioritised = self.prioritised is not None
            if was_prioritised:
                self.use_order("import")
            self.filter, self.view = flt, view
            self.index = view.index(current) if current in view else 0
            self._show()
            them = "them" if len(view) > 1 else "it"
            self.notify(f"{plural(len(view), 'study')} shown" + (
                f" ({flt.describe()}); b decides {them} in bulk" if not flt.is_empty() else "")
                + ("; the prioritised order is off (import order now; p chooses it again)"
                   if was_prioritised else ""))

        self.app.push_screen(FilterModal(self.filter), applied)

    def action_criteria(self) -> None:
        session = self.session
        criteria = session.codebook.stage_criteria(session.stage.id)
        # Exclusion criteria first, numbered as in the exclude dialog (x 1 = E1 here too).
        criteria = ([c for c in criteria if c.kind == EXCLUDE]
                    + [c for c in criteria if c.kind != EXCLUDE])
        chosen = session.criteria(self.source.id) if self.source else ()
        self.app.push_screen(CriteriaModal(criteria, f"Criteria: {session.stage.label}",
                                           pick=False, chosen=chosen))

    def action_open(self) -> None:
        study = self.source
        if study is None:
            self.notify("No study on screen: nothing to open.", severity="warning")
            return
        pdfs = find_fulltext(self.review, study)
        links = study_links([str(p) for p in pdfs], study.doi, study.url)
        targets = links.openable
        if not targets and links.refused:
            self.notify(f"Not opened (only web and DOI links are): {links.refused[0]!r}",
                        timeout=15, severity="warning")
            return
        if not targets:
            self.notify("This study has no DOI, URL or PDF under references/.",
                        severity="warning")
            return
        if open_external(targets[0]):
            self.notify(f"Opening {Path(targets[0]).name if pdfs else targets[0]}")
        else:
            self.notify(f"Cannot open a browser here. Link: {targets[0]}", timeout=15,
                        severity="warning")

    def action_toggle_text(self) -> None:
        self.fulltext.toggle()

    def action_link_text(self) -> None:
        if self.source is not None:
            self.fulltext.ask_link(self.source, self.reviewer)

    def action_back(self) -> None:
        self.cancel.set()
        if self.prioritised is not None:
            self.prioritised.stop()
        self.app.pop_screen()

    def action_history(self) -> None:
        """Show the current study's history (H): blind until this reviewer finishes the stage."""
        study = self.source
        if study is not None:
            self.app.push_screen(HistoryModal(self.review, study.id, study.title, self.reviewer))

"""CodingScreen: tag one included study at a time; every change saved before it is shown."""

from __future__ import annotations

import threading
from dataclasses import replace

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static

from workbench.tui.history_modal import HISTORY_BINDING, HistoryModal
from workbench.core.codebook import compile_highlights
from workbench.errors import WorkbenchError
from workbench.review.coding import ALL, CodingSession, open_coding_session
from workbench.tui.coding_modals import (EvidenceModal, InfoModal, RowModal, TextModal,
                                         value_modal)
from workbench.tui.fulltext_support import FulltextController
from workbench.tui.modals import ErrorModal
from workbench.tui.screens.coding_navigation import NavigationActions
from workbench.tui.screens.coding_evidence import (EVIDENCE_ACTIONS, EVIDENCE_BINDINGS,
                                                   EvidenceActions)
from workbench.tui.widgets.coding_panel import (DIMENSION, FIELDS, GROUP, CodePanel,
                                                codes_with_depth, coding_counts, describe_lines,
                                                item_hint, section_size, sections_of,
                                                status_line)
from workbench.tui.key_hold import LoadsInBackground, fast_binding
from workbench.tui.live import others_decide, own_sheet_changed
from workbench.tui.widgets.key_footer import KeyFooter
from workbench.tui.widgets.source_card import SourceCard
from workbench.tui.widgets.text_panel import FullTextPanel


#: Coding actions whose keys the full-text view also uses (see CodingScreen._text_takes).
TEXT_KEYS = ("study", "cursor", "cycle_view", "section", "scroll_card", "back")
#: Coding actions that end a search in the full text (a code ticked, a dialog opened, another
#: section): `n` is the next study again. Moving in the list (j/k), selecting and saving
#: passages (s, v, e) keep it, so each match can be quoted in turn.
ENDS_SEARCH = ("activate", "number", "tab_section", "section", "add_row", "remove_row",
               "memo", "flag", "copy_previous", "next_uncoded", "undo")


class CodingScreen(LoadsInBackground, EvidenceActions, NavigationActions, Screen):
    """Code one study: dimensions (codes), extraction fields, repeatable groups, memos, flags.

    With a linked full text, the text replaces the study card: a passage
    selected there is saved as evidence for the code or field under the
    cursor (`e`), see `coding_evidence.EvidenceActions`.
    """

    DEFAULT_CSS = """
    CodingScreen #coding-main { height: 1fr; }
    CodingScreen #coding-left { width: 1fr; min-width: 36; max-width: 100;
                                border-right: vkey $primary-muted; }
    CodingScreen CodePanel { width: 1fr; }
    CodingScreen #coding-hint { height: 1; padding: 0 1; color: $text-muted; }
    CodingScreen #coding-status { height: 1; padding: 0 1; background: $boost; }
    """

    BINDINGS = [
        Binding("space,enter", "activate", "Toggle/edit", key_display="spc",
                id="coding.activate"),
        # Tab is never the text's (it has no use for it), so it stays a priority key with the
        # full text shown and a burst such as `Tab a name Enter` acts in the order typed;
        # ] and [ turn the text's pages when it has the focus (TEXT_KEYS: "section").
        Binding("tab", "tab_section(1)", "Section", key_display="tab",
                id="coding.next_section"),
        Binding("shift+tab", "tab_section(-1)", "Prev section", show=False,
                id="coding.previous_section"),
        Binding("right_square_bracket", "section(1)", "Section", show=False,
                id="coding.next_section_bracket"),
        Binding("left_square_bracket", "section(-1)", "Prev section", show=False,
                id="coding.previous_section_bracket"),
        # j/k and n/b have their own actions: the text reads with the arrows (and extends a
        # selection with left/right) but never uses j, k or b, and n only during a search, so
        # with the full text shown they stay priority keys and a burst such as `k e` or `n 1`
        # acts in the order typed (_text_takes).
        Binding("down", "cursor(1)", "Down", show=False, id="coding.down"),
        Binding("up", "cursor(-1)", "Up", show=False, id="coding.up"),
        Binding("j", "list_cursor(1)", "Down", show=False, id="coding.down_j"),
        Binding("k", "list_cursor(-1)", "Up", show=False, id="coding.up_k"),
        # While a search in the shown text is on, n is its next match (next_match, in the
        # order typed); once coding work ends the search, n is the next study again.
        Binding("n", "next_match", "Next match", key_display="n", id="coding.next_match"),
        Binding("n", "next_study(1)", "Next", key_display="n", id="coding.next"),
        Binding("right", "study(1)", "Next", show=False, id="coding.next_arrow"),
        Binding("b", "next_study(-1)", "Back", key_display="b", id="coding.previous"),
        Binding("left", "study(-1)", "Back", show=False, id="coding.previous_arrow"),
        Binding("a", "add_row", "Add row", id="coding.add_row"),
        Binding("x,delete", "remove_row", "Remove row", id="coding.remove_row"),
        Binding("u", "undo", "Undo", id="coding.undo"),
        Binding("f", "flag", "Flag", id="coding.flag"),
        Binding("m", "memo", "Memo", id="coding.memo"),
        Binding("e", "evidence", "Evidence", id="coding.evidence"),
        Binding("v", "cycle_view", "View", id="coding.view"),
        Binding("question_mark", "app.help", "Keys", id="coding.help"),
        HISTORY_BINDING,
        Binding("escape", "back", "Home", id="coding.back"),
        Binding("d", "describe", "Describe", show=False, id="coding.describe"),
        Binding("p", "copy_previous", "Copy previous", show=False, id="coding.copy_previous"),
        Binding("g", "next_uncoded", "Go uncoded", show=False, id="coding.next_uncoded"),
        Binding("pagedown", "scroll_card(1)", "Scroll study", show=False,
                id="coding.scroll_down"),
        Binding("pageup", "scroll_card(-1)", "Scroll study up", show=False,
                id="coding.scroll_up"),
    ] + EVIDENCE_BINDINGS + [Binding(str(n), f"number({n})", f"Item {n}", show=False)
                             for n in range(1, 10)]
    #: As on the screening screen, each key is a priority binding, so keys typed in one
    #: burst act in the order typed and those after a key that opens a dialog (Enter on
    #: a field, a, m, f, e) reach that dialog. While the full text has the focus the
    #: priority copy declines (check_action) and the text keeps its keys (arrows, v, s,
    #: /, :, n...); a key the text does not use then reaches the plain binding.
    #: The copy keeps `show`: the footer lists the copy while it applies, else the plain key.
    BINDINGS = BINDINGS + [replace(fast_binding(b), id=None) for b in BINDINGS
                           if not b.action.startswith("app.")]

    class Loaded(Message):
        """The session is ready (posted from the loading worker)."""

        def __init__(self, session: CodingSession) -> None:
            super().__init__()
            self.session = session

    index: reactive[int] = reactive(0, init=False)
    LOADING_NAME = "coding screen"   # named when keys typed while it loaded are dropped

    def __init__(self, review, reviewer: str, stage: str | None = None) -> None:
        super().__init__(classes="coding")
        self.review, self.reviewer, self.stage_id = review, reviewer, stage
        self.session: CodingSession | None = None
        self.view: list[int] = []
        self.which = ALL
        self.sections = sections_of(review.codebook())
        self.section = 0
        self.cursor = 0
        self.matcher = None
        self.cancel = threading.Event()
        self._loader = None   # the loading worker (keys typed meanwhile wait: load_state)
        self._could_undo = False
        self._kept: str | None = None   # the study to stay on across a reload

    # -- layout and loading ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Loading...", id="coding-title", classes="screen-title")
        yield Static("Reading references, studies and your sheet...", id="loading")
        with Horizontal(id="coding-main"):
            with Vertical(id="coding-left"):
                yield SourceCard(id="card")
                yield FullTextPanel(id="fulltext")
            yield CodePanel(id="panel")
        yield Static("", id="coding-hint")
        yield Static("", id="coding-status")
        yield KeyFooter()   # wrapped: every key stays visible at 80 columns

    def on_mount(self) -> None:
        self.query_one("#coding-main").display = False
        card = self.query_one("#card", SourceCard)
        card.can_focus = False  # keys go to the screen; PageUp/PageDown scroll the study
        card.empty_text = "No study to code here (v changes the view)."
        self.query_one("#panel", CodePanel).can_focus = False
        self.fulltext = FulltextController(self, self.review, card,
                                           self.query_one("#fulltext", FullTextPanel),
                                           evidence=self.passage_spans)
        self._loader = self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="coding-load")
    def _load(self) -> None:
        try:
            session = open_coding_session(self.review, self.reviewer, self.stage_id,
                                          cancel=self.cancel)
        except WorkbenchError as exc:
            self.app.call_from_thread(self.app.fail, exc)
            return
        self.post_message(self.Loaded(session))

    def on_review_changed(self, event) -> None:
        """Files changed on disk: read the session again when they change the studies to
        code (imports, duplicate answers, screening decisions) or this coder's own sheet
        (a CLI command), staying on the study shown."""
        if self.session is None or not (others_decide(event.paths, True)
                                        or own_sheet_changed(event, self.session.sheet)):
            return
        self._kept = self.source.id if self.source else None
        self._load()

    def on_coding_screen_loaded(self, event: Loaded) -> None:
        kept, self._kept = self._kept, None
        if self.session is not None:  # a reload: u still takes back this screen's changes
            event.session.sheet.keep_undo(self.session.sheet)
        self.session = session = event.session
        self.matcher = compile_highlights(session.codebook.highlights)
        self.query_one("#loading").display = False
        self.query_one("#coding-main").display = True
        for warning in session.warnings:
            self.notify(f"{warning} (skipped; everything else was read)", title="Sheet warning",
                        severity="warning", timeout=15)
        self.view = list(range(len(session)))
        if not session.studies:
            source = session.stage.source or "screening"
            self.notify(f"No study is included at {source} yet: include studies there "
                        "first (both reviewers, or the consensus).", severity="warning",
                        timeout=12)
        self.index = session.resume_index() if session.studies else 0
        if kept is not None:  # a reload: stay on the study shown (if it is still listed)
            self.index = next((i for i, s in enumerate(session.studies) if s.id == kept),
                              min(self.index, max(len(session.studies) - 1, 0)))
        self._show(scroll=True)
        self.refresh_bindings()
        self.app.screen_loaded(self)   # the keys typed while it loaded act now, in order

    # -- display ---------------------------------------------------------------------------
    @property
    def source(self):
        """The study on screen (None while loading or when the view is empty)."""
        if self.session is None or not self.view:
            return None
        return self.session.studies[self.view[min(self.index, len(self.view) - 1)]]

    def watch_index(self) -> None:
        self.section = 0   # a new study starts at the first dimension, top of the list
        self.cursor = 0
        self._show(scroll=True)

    def _show(self, scroll: bool = False) -> None:
        session, study = self.session, self.source
        if session is None:
            return
        coding = session.coding(study.id) if study else None
        size = section_size(session.codebook, self.sections[self.section], coding) \
            if self.sections else 0
        self.cursor = max(0, min(self.cursor, size - 1))
        view = "" if self.which == ALL else f" · view {self.which}"
        title = (f"{session.stage.label or session.stage.id} · {self.reviewer} · "
                 f"{self.index + 1 if study else 0}/{len(self.view)}{view}")
        self.query_one("#coding-title", Static).update(title)
        if scroll:
            self.query_one("#card", SourceCard).show_study(study, self.matcher)
            self.fulltext.show(study, self.matcher)
        else:
            self.fulltext.refresh_evidence()
        self.query_one("#panel", CodePanel).show(session.codebook, self.sections, self.section,
                                                 coding, self.cursor)
        hint = item_hint(self._item()) + self.passage_hint()
        if self.fulltext.showing_text:
            # the arrows read the text (and mark passages); j/k move in the list
            hint = Text.assemble(("j/k move in the list, arrows in the text · ", "bold"), hint,
                                 no_wrap=True, overflow="ellipsis")
        self.query_one("#coding-hint", Static).update(hint)
        flagged = study is not None and session.is_flagged(study.id)
        missing = (session.missing_required(study.id)
                   if study is not None and session.is_coded(study.id) else [])
        status = status_line(coding_counts(session), flagged,
                             coding.flag_reason if flagged else "", missing)
        self.query_one("#coding-status", Static).update(status)

    def _item(self):
        """Return ("code", Code) | ("field", Field) | ("row", GroupRow) under the cursor."""
        if self.session is None or self.source is None or not self.sections:
            return None
        section = self.sections[self.section]
        codebook = self.session.codebook
        if section.kind == DIMENSION:
            codes = codes_with_depth(codebook.dimension(section.id))
            return ("code", codes[self.cursor][0]) if self.cursor < len(codes) else None
        if section.kind == FIELDS:
            fields = codebook.fields
            return ("field", fields[self.cursor]) if self.cursor < len(fields) else None
        rows = self.session.coding(self.source.id).rows.get(section.id, [])
        return ("row", rows[self.cursor]) if self.cursor < len(rows) else None

    def _text_has_focus(self) -> bool:
        focused = self.focused
        return focused is not None and any(
            node.id == "fulltext" for node in focused.ancestors_with_self)

    def _text_takes(self, action: str) -> bool:
        """True when the full text has the focus and uses this action's keys itself: its
        search or page prompt takes every key; the text view takes the moving keys
        (arrows, v, [ ], PageUp/Down, Esc). Every other coding key (numbers,
        space/Enter, j/k, n/b, Tab, a, m, f, e...) stays a priority key, so a burst
        after it lands; `n` goes to the next match itself while a search is on
        (_searching)."""
        if not self._text_has_focus():
            return False
        if isinstance(self.focused, Input):
            return True
        return action in TEXT_KEYS

    def _searching(self) -> bool:
        """Whether a search in the shown text is on (`n` is its next match)."""
        return self._text_has_focus() and bool(self.fulltext.panel.view.matches)

    def action_next_match(self) -> None:
        """n while a search is on: the text's next match, run here in the order typed (as
        the text's own key it waited in the text's queue behind the keys typed after it)."""
        self.fulltext.panel.view.action_match(1)

    def action_fast(self, action: str, *args) -> None:
        """A key read while the full text does not have the focus (see BINDINGS)."""
        if action in ENDS_SEARCH and self.fulltext.panel.view.end_search():
            # Coding work after a search ends it: `n` is the next study again (w7 typed n
            # for the next study long after a search, and the keys after it went astray).
            self.notify("Search ended: n is the next study again (/ searches anew).",
                        timeout=4)
            self.refresh_bindings()
        getattr(self, f"action_{action}")(*args)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "fast":
            return False if self._text_takes(parameters[0]) else \
                self.check_action(parameters[0], tuple(parameters[1:])) is True
        if action in ("back", "help"):
            return True
        if self.session is None:
            return False
        if action == "next_match" or (action == "next_study" and parameters == (1,)):
            return (action == "next_match") == self._searching()
        if self.source is None:
            return action in ("cycle_view",)
        kind = self.sections[self.section].kind if self.sections else ""
        if action == "add_row":
            return kind == GROUP
        if action == "remove_row":
            return kind == GROUP
        if action in EVIDENCE_ACTIONS:
            return self.check_evidence_action(action)
        if action == "evidence":
            return kind == DIMENSION or (kind == FIELDS and self.fulltext.showing_text)
        if action == "memo":
            return kind == DIMENSION
        if action == "undo":   # always on: with nothing to undo, u says why
            return True
        return True

    # -- saving ----------------------------------------------------------------------------
    def _save(self, what: str, call, *args) -> bool:
        """Run one session write; on failure show why and change nothing on screen."""
        try:
            call(*args)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal(f"{what} was NOT saved", [str(exc)]))
            return False
        self._show()
        self._refresh_undo()
        return True

    def _refresh_undo(self) -> None:
        """Refresh the footer only when undo becomes (un)available (a footer redraw is slow)."""
        can = self.session.can_undo()
        if can != self._could_undo:
            self._could_undo = can
            self.refresh_bindings()

    # -- actions ---------------------------------------------------------------------------
    def action_cursor(self, step: int) -> None:
        self.cursor += step
        self._show()

    def action_list_cursor(self, step: int) -> None:
        self.action_cursor(step)

    def action_next_study(self, step: int) -> None:
        self.action_study(step)

    def action_tab_section(self, step: int) -> None:
        self.action_section(step)

    def action_section(self, step: int) -> None:
        if self.sections:
            self.section = (self.section + step) % len(self.sections)
            self.cursor = 0
            self._show()
            self.refresh_bindings()

    def action_number(self, number: int) -> None:
        coding = self.session.coding(self.source.id)
        if number - 1 < section_size(self.session.codebook, self.sections[self.section], coding):
            self.cursor = number - 1
            self.action_activate()

    def action_activate(self) -> None:
        item, study = self._item(), self.source
        if item is None:
            if self.sections[self.section].kind == GROUP:
                self.action_add_row()
            return
        kind, obj = item
        session = self.session
        if kind == "code":
            dimension = self.sections[self.section].id
            if self._save("The code", session.toggle_code, study.id, dimension, obj.id):
                self.untick_notice(study.id, dimension, obj)
        elif kind == "field":
            current = session.coding(study.id).values.get(obj.id, "")

            def typed(value: str | None) -> None:
                if value is not None:
                    self._save(f"{obj.label}", session.set_field, study.id, obj.id, value)

            self.app.push_screen(value_modal(obj, current), typed)
        else:
            group = session.codebook.group(self.sections[self.section].id)

            def edited(values: dict | None) -> None:
                if values is not None:
                    self._save("The row", session.edit_row, study.id, group.id, obj.row_id,
                               values)

            self.app.push_screen(RowModal(group, obj.values, f"Edit {group.label} row "
                                          f"{self.cursor + 1}"), edited)

    def action_add_row(self) -> None:
        study, session = self.source, self.session
        group = session.codebook.group(self.sections[self.section].id)

        def added(values: dict | None) -> None:
            if values is not None and self._save("The row", session.add_row, study.id,
                                                 group.id, values):
                self.cursor = len(session.coding(study.id).rows.get(group.id, [])) - 1
                self._show()

        self.app.push_screen(RowModal(group), added)

    def action_remove_row(self) -> None:
        item = self._item()
        if item is None or item[0] != "row":
            self.notify("No row here to remove.", severity="warning")
            return
        row = item[1]
        if self._save("Removing the row", self.session.remove_row, self.source.id, row.group,
                      row.row_id):
            self.notify("Row removed (u brings it back).", timeout=4)

    def action_describe(self) -> None:
        item = self._item()
        if item is None:
            return
        kind, obj = item
        evidence = (self.session.coding(self.source.id).evidence.get(obj.id, ("", ""))
                    if kind == "code" else ("", ""))
        title = "Row" if kind == "row" else obj.label or obj.id
        passages = self.passage_lines()
        lines = describe_lines(kind, obj, evidence) + (
            ["", f"Passages of the full text ({len(passages)}):", *passages] if passages else [])
        self.app.push_screen(InfoModal(title, lines))

    def action_memo(self) -> None:
        study, session = self.source, self.session
        section = self.sections[self.section]
        current = session.coding(study.id).memos.get(section.id, "")

        def saved(text: str | None) -> None:
            if text is not None:
                self._save("The memo", session.set_memo, study.id, section.id, text)

        # The placeholder comes from the codebook (a dimension's memo_hint) or stays neutral.
        dimension = session.codebook.dimension(section.id) if section.kind == DIMENSION else None
        hint = (dimension.memo_hint if dimension is not None else "") or \
            "what you noticed on this dimension in this study"
        self.app.push_screen(TextModal(f"Memo on {section.label}", current, hint), saved)

    def action_evidence(self) -> None:
        if self.save_selected_passage():
            return
        item, study, session = self._item(), self.source, self.session
        if item is None or item[0] != "code":
            return
        code = item[1]
        ticks = self.quote_ticks(code)
        if ticks is None:
            return
        quote, page = session.coding(study.id).evidence.get(code.id, ("", ""))

        def saved(result: tuple[str, str] | None) -> None:
            if result is not None and self._save("The evidence", session.set_evidence,
                                                 study.id, code.id, *result) \
                    and ticks and result[0].strip():
                self.notify(f"{code.label or code.id} ticked: a quote is evidence for a code "
                            "you apply (u undoes both).", timeout=6)

        note = "Not ticked yet: saving a quote ticks this code." if ticks else ""
        self.app.push_screen(EvidenceModal(code.label or code.id, quote, page, note), saved)

    def action_flag(self) -> None:
        study, session = self.source, self.session
        if session.is_flagged(study.id):
            if self._save("Clearing the flag", session.set_flag, study.id, False):
                self.notify("Flag cleared (u puts it back).", timeout=4)
            return

        def saved(reason: str | None) -> None:
            if reason is not None:
                self._save("The flag", session.set_flag, study.id, True, reason)

        self.app.push_screen(TextModal("Flag for discussion: why?", "",
                                       "what the team should discuss"), saved)

    def action_scroll_card(self, step: int) -> None:
        card = self.query_one("#card", SourceCard)
        card.scroll_page_down() if step > 0 else card.scroll_page_up()

    def action_back(self) -> None:
        self.cancel.set()
        self.app.pop_screen()

    def action_history(self) -> None:
        """Show the current study's history (H): blind until this reviewer finishes the stage."""
        study = self.source
        if study is not None:
            self.app.push_screen(HistoryModal(self.review, study.id, study.title, self.reviewer))

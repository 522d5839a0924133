"""Keys typed in one burst reach the dialog they were typed for, in the order typed.

Textual hands each key to the widget focused *when the app reads it*. A fast
typist (or tmux send-keys) delivers `Enter 3 Enter` or `n h i Enter i` at
once, so without help the keys after one that opens a dialog reach the screen
behind (the dialog is not drawn and focused yet), and the keys after Enter in
a text dialog land in the text (the dialog has not closed yet).

`KeyHold` (mixed into the app) holds the keys the app reads while a dialog
opens or a text dialog closes, and hands them on, in order, once it is done:

- pushing a modal screen holds keys until the dialog is drawn (its focus set);
- `TypedInput` (the text field of the dialogs) treats Enter in its own queue,
  after every key typed before it, submits the whole text, and holds the keys
  typed after it until the dialog has handled the submission (closed, or
  stayed open with a message);
- Tab and Shift+Tab in a `TypedInput` are treated in its queue too: the focus
  moves to the next field once the keys typed before them are in, and the keys
  typed after them go to that field. A Tab typed after Enter is for the screen
  behind, like any key typed after Enter (`e quote Enter Tab` saves the quote,
  then switches section); the dialog's Tab binding no longer moves the focus
  when the key is read, ahead of the Enter still queued on the field.

- pushing a screen that loads what its keys act on in a worker (the coding and
  screening screens: a screen says so with a `load_state()` method) holds
  keys until it is loaded and says so (`screen_loaded`): `c 1 n 2` typed while
  the coding screen reads a big review codes the first study, then the next,
  as typed (the keys were lost before, and the rest acted on whichever study
  was shown when loading ended). The key that leaves the screen (Esc, its
  `back` action; and Ctrl+Q) acts at once, cancelling the load; the keys held
  before it were typed for the screen it left, so they are dropped and the
  app says how many. Keys held for a screen whose loading failed are dropped
  in the same way, never handed to the error shown instead. An Enter typed
  before the app took the terminal arrives as ^J (the terminal's cooked mode
  turns Return into a newline): the app reads it as the Enter it was.

A hold ends after HOLD_LIMIT seconds if nothing releases it, but not while the
screen on top is still being built: a dialog not drawn and focused yet (up to
DRAW_LIMIT), or a screen still loading (for as long as its worker runs): on a
loaded machine the keys typed for it would otherwise reach a dialog with no
fields yet, or a screen with no study yet. And a
key that reaches a `TypedInput` after its dialog closed (replayed into its
queue by a hold that ended before the submission was handled) is handed to the
screen now on top, in the order typed, never to the closed dialog.
"""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.actions import SkipAction, parse
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

from workbench.core.wording import plural

#: A hold that nothing releases (a dialog that never draws) ends after this many seconds.
HOLD_LIMIT = 2.0
#: ... unless the dialog on top is still being built (a loaded machine): its keys wait
#: for it up to this many seconds in all, as they must not reach a dialog with no fields.
DRAW_LIMIT = 30.0


def _copy(event: events.Key) -> events.Key:
    return events.Key(event.key, event.character)


#: What a screen's `load_state()` says: still loading what its keys act on, ready, or
#: never will be (its loading failed or was cancelled).
LOADING, READY, FAILED = "loading", "ready", "failed"


def load_state(screen) -> str:
    """Return the screen's `load_state()` (READY for a screen that loads nothing)."""
    check = getattr(screen, "load_state", None)
    return check() if check is not None else READY


def screen_loading(screen) -> bool:
    """Whether `screen` is still loading what its keys act on."""
    return load_state(screen) == LOADING


def load_failed(worker) -> bool:
    """Whether a loading worker ended without loading (an error, or cancelled)."""
    from textual.worker import WorkerState
    return worker is not None and worker.state in (WorkerState.ERROR, WorkerState.CANCELLED)


class LoadsInBackground:
    """Mixin for a screen that loads what its keys act on in a worker.

    The screen sets `self._loader` (the worker), `self.cancel` (a threading
    Event) and, once loaded, `self.session`. The app holds the keys typed
    while it loads and replays them once it is ready (`KeyHold`).
    """

    def load_state(self) -> str:
        """LOADING until the session is loaded (READY), or FAILED (an error, or cancelled)."""
        if self.session is not None:
            return READY
        return FAILED if self.cancel.is_set() or load_failed(self._loader) else LOADING

    def on_worker_state_changed(self, event) -> None:
        """The loading worker's unexpected error is shown (a worker's state reaches only
        the screen that runs it, so the app's handler never saw it: "Loading..." stayed)."""
        if event.worker is self._loader:
            self.app.on_worker_state_changed(event)


#: Actions a key runs at once on a screen still loading (leaving it cancels the load).
LEAVING_ACTIONS = {("", "back"), ("", "fast"), ("app", "quit")}


class KeyHold:
    """Mixin for the App: hold keys while a dialog opens or closes, then replay them."""

    _held: list[events.Key] | None = None
    _early: list[events.Key] | None = None
    _holds = 0
    _opening: ModalScreen | None = None
    #: The screen whose loading the keys held now were typed for (None: no such hold).
    _loading_for = None

    def hold_keys(self) -> None:
        """Start holding the keys the app reads (already holding: nothing changes)."""
        if self._held is None:
            self._held, self._early = [], []
            self._holds += 1
            hold = self._holds
            self.set_timer(HOLD_LIMIT, lambda: self._release_stale(hold))

    async def _release_stale(self, hold: int, waited: float = HOLD_LIMIT) -> None:
        if self._held is None or self._holds != hold:
            return
        if self._loading_now() or (self._dialog_opening() and waited < DRAW_LIMIT):
            # Not drawn (or loaded) yet: its fields (its study) do not exist, and the keys
            # are typed for them.
            self.set_timer(HOLD_LIMIT, lambda: self._release_stale(hold, waited + HOLD_LIMIT))
            return
        await self.release_keys(force=True)

    def _dialog_opening(self) -> bool:
        """Whether the screen on top is a dialog not drawn and focused yet (its push
        releases the keys once it is)."""
        return self._opening is not None and self._opening is self.screen

    def _loading_now(self) -> bool:
        """Whether the keys held now wait for the screen on top to load."""
        return self._loading_for is not None and self._loading_for is self.screen \
            and screen_loading(self.screen)

    def _building(self) -> bool:
        """Whether the screen on top is not ready for the held keys yet."""
        return self._dialog_opening() or self._loading_now()

    def keep_early_key(self, event: events.Key) -> None:
        """Keep a key that a closing field had queued (typed before the held ones)."""
        if self._early is None:
            self.hold_keys()
        self._early.append(_copy(event))

    async def release_keys(self, force: bool = False) -> None:
        """Replay the held keys in the order typed; a key that opens a dialog holds the rest.

        While a dialog is being built, nothing is released (unless `force`): the
        release its push asked for comes once it is drawn.
        """
        if self._held is None or (self._building() and not force):
            return
        keys = self._early + self._held
        self._held = self._early = None
        waited_for, self._loading_for = self._loading_for, None
        if waited_for is not None and (waited_for is not self.screen
                                       or load_state(waited_for) != READY):
            # Typed for a screen that is gone or never loaded: never handed to another
            # screen (an error shown instead), nor to a screen with no study.
            gone = waited_for not in self.screen_stack
            self._drop_keys(keys, waited_for, "you left it before it was ready" if gone
                            else "it did not load")
            return
        for n, event in enumerate(keys):
            top = self.screen
            await self._dispatch_key(event)
            if self._held is not None:        # that key opened a dialog: it holds the rest
                self._early = keys[n + 1:] + self._early
                return
            if self.screen is not top:        # a dialog closed: its answer is handled first
                self.hold_keys()
                self._early = keys[n + 1:]
                self._release_soon()
                return

    async def _dispatch_key(self, event: events.Key) -> None:
        await super().on_event(_copy(event))

    def _drop_keys(self, keys: list, screen, why: str) -> None:
        """Say how many keys typed for a screen that never became ready are dropped."""
        if keys:
            name = getattr(screen, "LOADING_NAME", type(screen).__name__)
            self.notify(f"{plural(len(keys), 'key')} typed while the "
                        f"{name} was loading not used: {why}.", severity="warning",
                        timeout=8)

    def _leaves_loading_screen(self, event: events.Key) -> bool:
        """Whether `event` is the key that leaves the screen still loading on top (Esc:
        its `back` action) or quits: it acts at once (see the module docstring)."""
        if not self._loading_now():
            return False
        for _node, bindings in self.screen._binding_chain:
            for binding in bindings.key_to_bindings.get(event.key, ()):
                namespace, name, params = parse(binding.action)
                if (namespace, name) in LEAVING_ACTIONS and (
                        name != "fast" or params[:1] == ("back",)):
                    return True
        return False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == "ctrl+j" and not event.is_forwarded:
            # An Enter typed before the app took the terminal (while Python starts: ~8 s
            # under load) reaches it as a newline, the terminal's cooked mode having
            # turned the Return into ^J: it is the Enter typed (memo Enter n saved nothing).
            event = events.Key("enter", "\r")
        if self._held is not None and isinstance(event, events.Key) \
                and not event.is_forwarded:
            if self._leaves_loading_screen(event):
                left = self.screen
                held, self._held, self._early, self._loading_for = \
                    self._early + self._held, None, None, None
                self._drop_keys(held, left, "you left it before it was ready")
                await super().on_event(event)
                return
            self._held.append(event)
            return
        await super().on_event(event)

    def screen_loaded(self, screen) -> None:
        """A screen that held the keys while it loaded is ready: replay them to it."""
        if self._held is not None and self._loading_for is screen:
            self._release_soon()

    def action_focus_field(self, forward: bool = True) -> None:
        """Tab in a dialog: a text field moves the focus itself, in the order typed."""
        if isinstance(self.focused, TypedInput):
            raise SkipAction()                # the field's own queue treats it (see above)
        if forward:
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    def push_screen(self, screen, *args, **kwargs):
        if not isinstance(screen, ModalScreen):
            result = super().push_screen(screen, *args, **kwargs)
            if screen_loading(screen):       # its keys wait for its session (screen_loaded)
                self.hold_keys()
                self._loading_for = screen
            return result
        self.hold_keys()
        result = super().push_screen(screen, *args, **kwargs)
        self._opening = screen
        self._release_soon(screen)          # once it is drawn and focused
        return result

    def _release_soon(self, opened: ModalScreen | None = None) -> None:
        """Release once the messages queued now (a dialog's answer) are handled, on the
        app and on the screen on top, and that screen is drawn (`opened`: the dialog
        just pushed, which no other release reaches before this one)."""
        def drawn() -> None:
            if opened is not None and self._opening is opened:
                self._opening = None
            self.call_later(self.release_keys)

        self.call_later(lambda: self.screen.call_after_refresh(drawn))


class TypedInput(Input):
    """A dialog's text field: Enter submits everything typed before it, nothing after it."""

    _after_enter = False

    def _dialog_closed(self) -> bool:
        """Whether this field's dialog is no longer the screen on top (it closed)."""
        try:
            return self.screen is not self.app.screen
        except Exception:              # already taken out of its screen (NoScreen)
            return True

    async def _on_key(self, event: events.Key) -> None:
        if isinstance(self.app, KeyHold) and self._dialog_closed():
            # Queued here before the dialog closed (a hold ended by its time limit on a
            # loaded machine replays the keys typed after Enter into this field, behind
            # the submission): they are for the screen now on top, in the order typed.
            event.stop()
            event.prevent_default()
            self.app.keep_early_key(event)
            self.app._release_soon()
            return
        if self._after_enter:                      # typed after Enter: for the screen behind
            event.stop()
            event.prevent_default()
            self.app.keep_early_key(event)
            return
        if event.key == "enter" and isinstance(self.app, KeyHold):
            event.stop()
            event.prevent_default()
            self._after_enter = True
            self.app.hold_keys()
            self.call_later(self._submit)     # after the keys already queued on this field
            return
        if event.key in ("tab", "shift+tab") and isinstance(self.app, KeyHold):
            event.stop()
            event.prevent_default()
            self._after_enter = True          # the keys after it are for the next field
            self.app.hold_keys()
            self.call_later(self._move_focus, event.key == "tab")
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            # The field's own editing keys (backspace, arrows...) act here, in the order
            # typed, not later when the key has bubbled up to the app.
            event.stop()
            event.prevent_default()
            await self.run_action(binding.action)
            return
        await super()._on_key(event)

    def _move_focus(self, forward: bool) -> None:
        """Move to the next (previous) field, then hand it the keys typed after the Tab."""
        self._after_enter = False
        try:
            if forward:
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
        finally:
            self.app._release_soon()

    def _submit(self) -> None:
        """Hand the whole text to the dialog, then the held keys to whoever is on top."""
        self._after_enter = False
        if self._dialog_closed():             # the dialog closed meanwhile: nothing to submit to
            self.app._release_soon()
            return
        try:
            message = self.Submitted(self, self.value)
            handler = next((h for h in (getattr(node, "on_input_submitted", None)
                                        for node in self.ancestors) if h is not None), None)
            if handler is not None:          # the dialog's (or the text panel's) handler
                handler(message)             # the dialog closes (or stays, with a message)
            else:
                self.post_message(message)
        finally:
            self.app._release_soon()


def fast_binding(binding: Binding) -> Binding:
    """Return a priority copy of a screen binding that runs `fast('<action>', args...)`.

    The screen's `action_fast` runs the action; its `check_action` lets the copy
    decline while a widget that has its own use for the key has the focus.
    """
    name, _, args = binding.action.partition("(")
    args = args.rstrip(")").strip()
    action = f"fast('{name}'" + (f", {args}" if args else "") + ")"
    return replace(binding, action=action, priority=True)

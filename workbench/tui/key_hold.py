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
"""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Input

#: A hold that nothing releases (a dialog that never draws) ends after this many seconds.
HOLD_LIMIT = 2.0


def _copy(event: events.Key) -> events.Key:
    return events.Key(event.key, event.character)


class KeyHold:
    """Mixin for the App: hold keys while a dialog opens or closes, then replay them."""

    _held: list[events.Key] | None = None
    _early: list[events.Key] | None = None
    _holds = 0

    def hold_keys(self) -> None:
        """Start holding the keys the app reads (already holding: nothing changes)."""
        if self._held is None:
            self._held, self._early = [], []
            self._holds += 1
            hold = self._holds
            self.set_timer(HOLD_LIMIT, lambda: self._release_stale(hold))

    async def _release_stale(self, hold: int) -> None:
        if self._held is not None and self._holds == hold:
            await self.release_keys()

    def keep_early_key(self, event: events.Key) -> None:
        """Keep a key that a closing field had queued (typed before the held ones)."""
        if self._early is None:
            self.hold_keys()
        self._early.append(_copy(event))

    async def release_keys(self) -> None:
        """Replay the held keys in the order typed; a key that opens a dialog holds the rest."""
        if self._held is None:
            return
        keys = self._early + self._held
        self._held = self._early = None
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

    async def on_event(self, event: events.Event) -> None:
        if self._held is not None and isinstance(event, events.Key) \
                and not event.is_forwarded:
            self._held.append(event)
            return
        await super().on_event(event)

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
            return super().push_screen(screen, *args, **kwargs)
        self.hold_keys()
        result = super().push_screen(screen, *args, **kwargs)
        self._release_soon()                # once it is drawn and focused
        return result

    def _release_soon(self) -> None:
        """Release once the messages queued now (a dialog's answer) are handled, on the
        app and on the screen on top, and that screen is drawn."""
        self.call_later(lambda: self.screen.call_after_refresh(
            lambda: self.call_later(self.release_keys)))


class TypedInput(Input):
    """A dialog's text field: Enter submits everything typed before it, nothing after it."""

    _after_enter = False

    async def _on_key(self, event: events.Key) -> None:
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
        try:
            message = self.Submitted(self, self.value)
            handler = getattr(self.screen, "on_input_submitted", None)
            if handler is not None:
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

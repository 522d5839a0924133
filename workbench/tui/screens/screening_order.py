"""The screening screen's order choice and stopping test (mixed into ScreeningScreen).

Kept apart from screening.py so the screen keeps a small hook: two bindings
(p: order, s: stopping test), `_order_label` in the title, `_after_decision`
after a saved decision and `_next_in_order` when moving on. Static orders
(import order, and any registered later) replace the view; the prioritised
order serves each next study from a ranked queue (see tui/prioritised.py).
"""

from __future__ import annotations

from workbench.core.screening import DECISION
from workbench.core.wording import plural
from workbench.errors import WorkbenchError
from workbench.review.ordering import (IMPORT_ORDER, PRIORITISED_ORDER, ORDERS, order_mark,
                                       recorded_order)
from workbench.review.prioritise import (draw_stopping_sample, last_order, mark_order,
                                         open_sample, order_label, plan_stopping_sample,
                                         stopping_estimate, withdraw_stopping_sample,
                                         withdrawable_sample)
from workbench.review.screening import Filter
from workbench.tui.modals import ErrorModal
from workbench.tui.prioritised import PrioritisedOrder
from workbench.tui.widgets.order_choice import OrderModal
from workbench.tui.widgets.stopping_choice import StoppingModal


class ScreeningOrder:
    """Mixin for ScreeningScreen: needs `session`, `view`, `index`, `filter`, `_show`."""

    order_name: str = IMPORT_ORDER
    prioritised: PrioritisedOrder | None = None

    # -- choosing ------------------------------------------------------------------------
    def action_order(self) -> None:
        if self.session is None:
            return

        def chosen(name: str | None) -> None:
            if name and name != self.order_name:
                self.use_order(name)

        self.app.push_screen(OrderModal(self.order_name), chosen)

    def use_order(self, name: str, again: bool = False) -> None:
        """Switch to an order of ORDERS (prioritised starts the model in the background).

        `again`: the screen read the sheets anew (a save from a shell, another
        reviewer, a duplicate answer), so the order is made again on the new
        session: a ranked queue still tied to the old session would serve studies
        already decided and never train on the new decisions.
        """
        order = ORDERS[name]
        if self.prioritised is not None:
            self.prioritised.stop()
            self.prioritised = None
        self.order_name = name
        current = self.view[self.index] if self.view else None
        self.filter = Filter()
        if order.dynamic:
            self.prioritised = PrioritisedOrder(self, self.review, self.session, self._ranked)
            self.prioritised.queue.sample = open_sample(self.session)
            self.prioritised.start()
            self.view = [current] if current is not None else []
            self.index = 0
            if not again:
                self.notify("Prioritised order: the model learns from your decisions only and "
                            "reranks after each one.", timeout=5)
        else:
            self.view = order.arrange(self.session)
            first = next((i for i, p in enumerate(self.view)
                          if not self.session.decision(self.session.studies[p].id)), 0)
            # the study on screen stays on screen: only what comes next changes
            self.index = self.view.index(current) if current in self.view else first
        self._show()
        self.refresh_bindings()

    def _reopen_in_chosen_order(self, session) -> None:
        """Opening the stage: screen in the order the sheet records the reviewer chose last
        (prioritised, year, a shuffle...), not in import order; a static order starts at its
        first unscreened study."""
        name = recorded_order(last_order(session.state, session.stage.id))
        if name == IMPORT_ORDER:
            return
        self.use_order(name, again=True)
        if not ORDERS[name].dynamic:
            self.index = next((i for i, p in enumerate(self.view)
                               if not session.decision(session.studies[p].id)), self.index)
        else:
            self._top_when_ranked = True   # the first ranking shows its top study
        self.notify(f"{ORDERS[name].label}, the order you chose last (p changes it).", timeout=5)

    def _ranked(self) -> None:
        """A new ranking arrived: show the top study if the one on screen is already decided."""
        study = self.source
        top, self._top_when_ranked = getattr(self, "_top_when_ranked", False), False
        if study is not None and self.session.decision(study.id) and \
                self.index == len(self.view) - 1:
            self._next_in_order()
        elif top and self.index == len(self.view) - 1 and \
                self.prioritised.queue.next() not in (None, self.view[self.index]):
            self._next_in_order()   # reopened in prioritised order: start at its top study
        else:
            self._show()

    # -- the hooks the screen calls ------------------------------------------------------
    def _order_label(self) -> str:
        """Return the title's order part ("" in import order)."""
        if self.prioritised is None:
            return ""
        position = self.view[self.index] if self.view else None
        text = self.prioritised.describe(position)
        return f" · {text}" if text else ""

    def _after_decision(self, study) -> None:
        """Record the order in the sheet when it changed and ask for a retrain."""
        session = self.session
        name = (order_label(self.prioritised.prioritiser.settings)
                if self.prioritised is not None and self.prioritised.prioritiser is not None
                else (PRIORITISED_ORDER if self.prioritised is not None
                      else order_mark(self.order_name, session.reviewer)))
        try:
            if self.prioritised is not None or self.order_name != IMPORT_ORDER or \
                    last_order(session.state, session.stage.id):
                mark_order(session, study.id, name)
        except (WorkbenchError, OSError) as exc:
            self.notify(f"The order was not recorded: {exc}", severity="warning")
        if self.prioritised is not None:
            self.prioritised.decided()
            self._report_sample(study)

    def _next_in_order(self) -> bool:
        """Move to the next study of the prioritised queue; False in a static order."""
        if self.prioritised is None:
            return False
        position = self.prioritised.next_position()
        if position is None:
            position = self.session.next_unscreened(0)
        if position is None:
            self._show()
            self.notify("Every study at this stage is screened.", timeout=6)
            return True
        self.view = self.view[:self.index + 1] + [position]
        self.index = len(self.view) - 1
        self._show()
        return True

    # -- the stopping test ---------------------------------------------------------------
    def action_stopping_test(self) -> None:
        """s: start (or extend) the stopping test after a confirmation, or withdraw a draw.

        While the latest draw is untouched (no study of it screened), s offers to
        withdraw it instead; otherwise it says what drawing will do and waits for a yes.
        """
        if self.prioritised is None:
            self.notify("The stopping test belongs to prioritised order (p to choose it).",
                        severity="warning")
            return
        if withdrawable_sample(self.session):
            self._offer_withdrawal()
            return
        if (not open_sample(self.session)
                and stopping_estimate(self.session.state, self.session.stage.id).can_stop):
            self._offer_close()
            return
        try:
            plan = plan_stopping_sample(self.session)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("The stopping sample was NOT drawn", [str(exc)]))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._draw_sample(plan)
            else:
                self.notify("Stopping test not started: nothing was drawn.", timeout=4)

        self.app.push_screen(StoppingModal("Stopping test", plan.describe(),
                                           "draw the sample", "d"), answered)

    def _draw_sample(self, plan) -> None:
        try:
            drawn = draw_stopping_sample(self.session, plan=plan)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("The stopping sample was NOT drawn", [str(exc)]))
            return
        self.prioritised.queue.sample = open_sample(self.session)
        self.notify(f"Stopping test: {plural(len(drawn), 'study')} drawn at random from "
                    f"{plan.unscreened:,} unscreened and recorded in your sheet; they come "
                    "next. s withdraws them until you screen the first.", timeout=10)
        current = self.source
        if current is not None and self.session.decision(current.id):
            self._next_in_order()
        elif drawn:
            self.view = self.view[:self.index + 1] + [drawn[0]]
            self.index = len(self.view) - 1
            self._show()

    def _offer_close(self) -> None:
        """s once the test says stop: close screening (review.stopping_close), after a yes."""
        from workbench.review.stopping_close import close_screening, plan_close
        try:
            plan = plan_close(self.session)
        except (WorkbenchError, OSError) as exc:
            self.app.push_screen(ErrorModal("Screening was NOT closed", [str(exc)]))
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                self.notify("Screening not closed: nothing was recorded.", timeout=4)
                return
            try:
                count = close_screening(self.session, plan=plan)
            except (WorkbenchError, OSError) as exc:
                self.app.push_screen(ErrorModal("Screening was NOT closed", [str(exc)]))
                return
            self.notify(f"Screening closed: {plural(count, 'study')} recorded in your sheet as "
                        "not screened (stopping criterion met). Deciding one still counts.",
                        timeout=10)

        self.app.push_screen(StoppingModal("Close screening?", plan.describe(),
                                           "close screening", "c"), answered)

    def _offer_withdrawal(self) -> None:
        ids = withdrawable_sample(self.session)
        text = (f"The stopping sample's latest draw ({plural(len(ids), 'study')}) is recorded in your "
                "sheet and none of it is screened yet. Withdraw it? The draw and its "
                "withdrawal both stay in your sheet's log; screening goes on in prioritised "
                "order. Esc keeps the sample.")

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                count = withdraw_stopping_sample(self.session)
            except (WorkbenchError, OSError) as exc:
                self.app.push_screen(ErrorModal("The sample was NOT withdrawn", [str(exc)]))
                return
            self.prioritised.queue.sample = open_sample(self.session)
            self.notify(f"Stopping sample withdrawn ({plural(count, 'study')}).", timeout=6)
            self._show()

        self.app.push_screen(StoppingModal("Withdraw the stopping sample?", text,
                                           "withdraw it", "w"), answered)

    def _report_sample(self, study) -> None:
        queue = self.prioritised.queue
        position = self.session.index_of(study.id)
        if position not in queue.sample:
            return
        stage = self.session.stage.id
        if any(not self.session.state.value(stage, self.session.studies[p].id, DECISION)
               for p in queue.sample):
            return
        estimate = stopping_estimate(self.session.state, stage)
        queue.sample = []
        if estimate.can_stop:
            self.notify(f"Stopping test: {estimate.describe()}. You may stop screening: s "
                        "closes it (the studies left are recorded as not screened).",
                        timeout=20)
        else:
            self.notify(f"Stopping test: {estimate.describe()}. Press s to extend the sample.",
                        severity="warning", timeout=20)

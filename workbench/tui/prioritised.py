"""The screening screen's prioritised order: features, background retraining, the ranked queue.

The screen owns one PrioritisedOrder while the reviewer screens in
prioritised order. After each decision it calls `decided()`: a snapshot of the
reviewer's decisions is taken (cheap) and handed to one background thread
worker that retrains and reranks; if decisions arrive while it trains, only
the newest snapshot is trained on next (newest request wins). The next study
is `next_position()`: a pop from the latest ranking that never waits for the
worker. Before the first ranking exists the screen goes on in import order.
When the worker has nothing to do, it ranks ahead for the study on screen (both
decisions: `Prioritiser.ahead`); a decision that matches one of them gets its
ranking at once, so the next study already follows it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from workbench.core.ranking import model_settings
from workbench.core.wording import plural
from workbench.review.prioritise import (Prioritiser, RankedQueue, Ranking, Snapshot,
                                         load_features)


def build_prioritiser(review, session, progress=None, cancel=None) -> Prioritiser:
    """Load (or build) the review's features and return the session's Prioritiser."""
    settings = model_settings()
    features = load_features(review, settings, progress=progress, cancel=cancel)
    return Prioritiser(session, features, settings)


#: Builds the Prioritiser in a worker; tests replace it (e.g. with a slow fake model).
PRIORITISER_FACTORY: Callable = build_prioritiser


class PrioritisedOrder:
    """Prioritised order for one screening screen (see module docstring)."""

    def __init__(self, screen, review, session, on_ranked: Callable[[], None]) -> None:
        self.screen = screen
        self.review = review
        self.session = session
        self.on_ranked = on_ranked
        self.prioritiser: Prioritiser | None = None
        studies = session.studies
        self.queue = RankedQueue(lambda p: bool(session.decision(studies[p].id)))
        self.cancel = threading.Event()
        self._lock = threading.Lock()
        self._pending: Snapshot | None = None
        self._latest: Snapshot | None = None
        self._ahead: tuple[Snapshot, int] | None = None
        self._running = False
        self.retrains = 0

    # -- life ----------------------------------------------------------------------------
    def start(self) -> None:
        """Load the features and rank for the first time, in a background worker."""
        self.screen.run_worker(self._prepare, thread=True, group="prioritise-load",
                               exclusive=True, exit_on_error=False)

    def stop(self) -> None:
        """Stop using the model (the workers finish and are ignored)."""
        self.cancel.set()

    def _prepare(self) -> None:
        prioritiser = PRIORITISER_FACTORY(self.review, self.session, cancel=self.cancel)
        if not self.cancel.is_set():
            self._call(self._prepared, prioritiser)

    def _prepared(self, prioritiser: Prioritiser) -> None:
        self.prioritiser = prioritiser
        self.decided()

    def _call(self, callback, *args) -> None:
        try:
            self.screen.app.call_from_thread(callback, *args)
        except RuntimeError:        # the app is closing
            pass

    # -- retraining ----------------------------------------------------------------------
    def decided(self) -> None:
        """Ask for a retrain on the decisions as they are now (call after each decision)."""
        if self.prioritiser is None or self.cancel.is_set():
            return
        snap = self.prioritiser.snapshot()
        ready = self.prioritiser.ready(snap)
        if ready is not None and self.queue.set_ranking(ready):
            # ranked ahead for exactly these decisions: the next study follows this one
            self.retrains += 1
            with self._lock:
                self._latest, self._pending = snap, None
            return
        with self._lock:
            self._pending = self._latest = snap
        self._wake()

    def _wake(self) -> None:
        with self._lock:
            start = not self._running
            self._running = True
        if start:
            self.screen.run_worker(self._rank_loop, thread=True, group="prioritise-rank",
                                   exit_on_error=False)

    def _asked(self) -> bool:
        with self._lock:
            return self._pending is not None or self.cancel.is_set()

    def _rank_loop(self) -> None:
        try:
            while not self.cancel.is_set():
                with self._lock:
                    snap, self._pending = self._pending, None
                    ahead = None
                    if snap is None:
                        ahead, self._ahead = self._ahead, None
                        if ahead is None:
                            self._running = False
                            return
                if snap is not None:
                    self._call(self._ranked, self.prioritiser.rank(snap))
                else:       # idle: rank ahead for the study on screen
                    self.prioritiser.ahead(*ahead, stop=self._asked)
        finally:
            with self._lock:
                self._running = False

    def _ranked(self, ranking: Ranking) -> None:
        if self.cancel.is_set():
            return
        if self.queue.set_ranking(ranking):
            self.retrains += 1
            self.on_ranked()

    @property
    def busy(self) -> bool:
        """True while a retrain runs or waits."""
        with self._lock:
            return self._running

    # -- reading -------------------------------------------------------------------------
    def next_position(self) -> int | None:
        """Return the next study to show: the open stopping sample, then the best ranked.

        The worker then ranks ahead for that study's two possible decisions.
        """
        position = self.queue.next()
        self.look_ahead(position)
        return position

    def look_ahead(self, position: int | None) -> None:
        """Rank ahead for the study at `position`, the one on screen, when the worker is free."""
        if position is None or self.prioritiser is None or self.cancel.is_set():
            return
        with self._lock:
            latest = self._latest
            self._ahead = (latest, position) if latest is not None else None
        if latest is not None:
            self._wake()

    def describe(self, position: int | None) -> str:
        """Return "rank 3 of 1,204 · top 1% · model of 40 decisions" ("" if unranked).

        Short enough that the whole of it fits in the title at 80 columns (s8 walkthrough:
        "· model of N decisions" was cut off); the rank is among the unscreened studies.
        """
        ranking = self.queue.ranking
        if position is None:
            return ""
        if position in self.queue.sample:
            sample = self.queue.sample
            return (f"stopping sample: study {sample.index(position) + 1} of {len(sample)} "
                    "(drawn at random)")
        if ranking is None:
            return "building the model's features..." if self.prioritiser is None else ""
        rank = self.queue.rank_of(position)
        if rank is None:
            return ""
        where, total = rank
        share = max(1, round(100 * where / total))
        basis = (f"model of {plural(ranking.trained_on, 'decision')}" if ranking.basis == "model"
                 else ranking.basis)
        return f"rank {where:,} of {total:,} · top {share}% · {basis}"

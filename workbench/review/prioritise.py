"""Prioritised screening for one reviewer: features, the ranked queue, the stopping test.

Blind by construction: a Prioritiser learns only from the decisions in its
session's sheet, which is one reviewer's own; another reviewer's decisions
never reach it. The front end calls `snapshot()` after each decision (cheap,
main thread), `rank(snapshot)` in a background worker (the CPU work), and
`RankedQueue.next()` to show the next study (no model work). While the reviewer
reads a study, `ahead(snapshot, position)` ranks in the background for both
decisions they can make on it (relevant, irrelevant); after the decision,
`ready(snapshot)` returns that ranking at once when the decisions are exactly
the ones it assumed, so the study shown next already follows the decision just
made. A ranking made ahead is the one `rank` would make on that snapshot (same
trainer, same inputs, in the same order).

A relevance decision is include or maybe (relevant) or exclude (irrelevant);
"not retrieved" says nothing about relevance and is not learned from.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from workbench.core import stopping
from workbench.core.events import Change, SheetState
from workbench.core.wording import plural
from workbench.core.ranking import (LinearModel, ModelSettings, build_features, model_settings,
                                    score, study_text, term_scores, train_model)
from workbench.core.screening import DECISION, EXCLUDE_DECISION, INCLUDE_DECISION, MAYBE
from workbench.errors import ReviewError
from workbench.store.features import features_key, read_features, write_features

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]

RELEVANT = (INCLUDE_DECISION, MAYBE)
IRRELEVANT = (EXCLUDE_DECISION,)
#: How the sheet names the orders in the `order` field.
PRIORITISED = "prioritised"
IMPORT = "import"


def relevance(decision: str) -> int | None:
    """Return 1 (relevant), 0 (irrelevant) or None (no relevance judgement) for a decision."""
    if decision in RELEVANT:
        return 1
    if decision in IRRELEVANT:
        return 0
    return None


# -- features ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeatureSet:
    """The features of every study of a review, one row per study id."""

    ids: tuple[str, ...]
    rows: dict
    matrix: object
    key: str
    cached: bool


_loaded: dict[tuple[str, str], FeatureSet] = {}
_loaded_lock = threading.Lock()


def load_features(review, settings: ModelSettings | None = None,
                  progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> FeatureSet:
    """Return the features of the review's studies, from .workbench/features/ when cached.

    Args:
        review: the open Review.
        settings: the model (None: the default).
        progress: called with (steps done, steps in all) while building.
        cancel: set it to stop building (InterruptedError).
    """
    settings = settings or model_settings()
    studies = review.studies()
    texts = [study_text(s.title, s.abstract) for s in studies]
    key = features_key(texts, settings.feature_key())
    with _loaded_lock:
        found = _loaded.get((str(review.root), key))
    if found is not None:
        return found
    matrix = read_features(review.root, key)
    cached = matrix is not None
    if matrix is None:
        matrix = build_features(texts, settings, progress=progress, cancel=cancel)
        try:
            write_features(review.root, key, matrix)
        except OSError as exc:          # a read-only review still screens, just slower to open
            log.warning("could not write the feature cache: %s", exc)
    ids = tuple(s.id for s in studies)
    result = FeatureSet(ids, {sid: i for i, sid in enumerate(ids)}, matrix, key, cached)
    with _loaded_lock:
        _loaded.clear()
        _loaded[(str(review.root), key)] = result
    return result


# -- ranking -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    """The reviewer's relevance decisions at one moment (positions in the work list)."""

    labelled: tuple[int, ...]
    labels: tuple[int, ...]
    decided: frozenset
    generation: int


@dataclass(frozen=True)
class Ranking:
    """Unscreened studies best first, from one snapshot.

    Attributes:
        order: positions in the work list, most likely relevant first.
        scores: score of every position (numpy array; higher is more relevant).
        generation: the snapshot's generation (newer rankings replace older ones).
        basis: "model" (trained on `trained_on` decisions), "include terms" (cold
            start from the codebook's include highlight terms) or "import order".
        trained_on: decisions the model learned from.
    """

    order: tuple[int, ...]
    scores: object
    generation: int
    basis: str
    trained_on: int
    ranks: object = None        # numpy: rank (0-based) of each position, -1 when decided


class Prioritiser:
    """Ranks one reviewer's work list at one stage by a model of their decisions."""

    def __init__(self, session, features: FeatureSet, settings: ModelSettings | None = None,
                 trainer: Callable | None = None) -> None:
        import numpy as np
        self.session = session
        self.settings = settings or model_settings()
        rows = np.array([features.rows[s.id] for s in session.studies], dtype=np.int64)
        self.matrix = features.matrix[rows] if len(rows) else features.matrix[:0]
        self.terms = tuple(session.codebook.highlights.include)
        self._term_scores = None
        self._generation = 0
        self._trainer = trainer or train_model
        # (labelled, labels) -> (model, scores): the last few models, so a snapshot whose
        # relevance decisions did not change (or were trained on ahead) is not trained again
        self._models: dict = {}
        # (labelled, labels, decided) -> Ranking made ahead of a decision (see `ahead`)
        self._ready: dict = {}
        self._ahead_lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """Return this reviewer's relevance decisions now (call on the thread that records)."""
        session = self.session
        labelled, labels, decided = [], [], set()
        stage = session.stage.id
        for (cell_stage, study_id), cell in session.state.items():
            if cell_stage != stage:
                continue
            event = cell.get(DECISION)
            if event is None or not event.value:
                continue
            position = session.index_of(study_id)
            if position is None:
                continue
            decided.add(position)
            label = relevance(event.value)
            if label is not None:
                labelled.append(position)
                labels.append(label)
        self._generation += 1
        return Snapshot(tuple(labelled), tuple(labels), frozenset(decided), self._generation)

    def rank(self, snap: Snapshot) -> Ranking:
        """Train on a snapshot and rank the unscreened studies (CPU work: run it in a worker)."""
        import numpy as np
        n = self.matrix.shape[0]
        model, scores = self._model(snap.labelled, snap.labels)
        if model is not None:
            basis = "model"
        elif self.terms:
            if self._term_scores is None:
                self._term_scores = term_scores(
                    [study_text(s.title, s.abstract) for s in self.session.studies], self.terms)
            scores = self._term_scores
            basis = "include terms"
        else:
            scores = np.zeros(n, dtype=np.float32)
            basis = "import order"
        undecided = np.ones(n, dtype=bool)
        if snap.decided:
            undecided[np.fromiter(snap.decided, dtype=np.int64)] = False
        candidates = np.flatnonzero(undecided)
        # stable: ties keep work-list (import) order
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        ranks = np.full(n, -1, dtype=np.int64)
        ranks[order] = np.arange(len(order))
        return Ranking(tuple(order.tolist()), scores, snap.generation, basis,
                       len(snap.labels) if model is not None else 0, ranks)

    def _model(self, labelled: tuple, labels: tuple):
        """Return (model or None, its scores) for these decisions; trained once for the last few."""
        key = (labelled, labels)
        with self._ahead_lock:
            known = self._models.get(key)
        if known is not None:
            return known
        model: LinearModel | None = None
        if labels and 0 < sum(labels) < len(labels):
            model = self._trainer(self.matrix, list(labelled), list(labels), self.settings)
        known = (model, score(self.matrix, model) if model is not None else None)
        with self._ahead_lock:
            self._models[key] = known
            while len(self._models) > _MODELS_KEPT:
                del self._models[next(iter(self._models))]
        return known

    def ahead(self, snap: Snapshot, position: int | None,
              stop: Callable[[], bool] | None = None) -> int:
        """Rank, ahead of the decision, for both relevance decisions on the study at `position`.

        Irrelevant first (most decisions are). `stop` is asked before each: a real
        request waiting ends the work early. Replaces what an earlier call made
        ready; returns how many rankings were made (CPU work: run it in a worker).
        """
        with self._ahead_lock:
            self._ready = {}
        if position is None or position in snap.decided:
            return 0
        made = 0
        for label in (0, 1):
            if stop is not None and stop():
                break
            then = Snapshot(snap.labelled + (position,), snap.labels + (label,),
                            snap.decided | {position}, snap.generation)
            ranking = self.rank(then)
            with self._ahead_lock:
                self._ready[(then.labelled, then.labels, then.decided)] = ranking
            made += 1
        return made

    def ready(self, snap: Snapshot) -> Ranking | None:
        """Return the ranking made ahead for exactly these decisions (None when there is none)."""
        with self._ahead_lock:
            ranking = self._ready.get((snap.labelled, snap.labels, snap.decided))
        return None if ranking is None else replace(ranking, generation=snap.generation)


#: Models kept by a Prioritiser: the last one and the two made ahead of a decision.
_MODELS_KEPT = 3


class RankedQueue:
    """The next study to show: the open stopping sample first, then the ranking.

    `next()` skips studies decided since the ranking was made, so it never waits
    for a retrain; a new ranking replaces the old one only when it is newer.
    """

    def __init__(self, is_decided: Callable[[int], bool]) -> None:
        self.is_decided = is_decided
        self.ranking: Ranking | None = None
        self._cursor = 0
        self.sample: list[int] = []

    def set_ranking(self, ranking: Ranking) -> bool:
        """Use a new ranking; False (ignored) when an equal or newer one is in use."""
        if self.ranking is not None and ranking.generation <= self.ranking.generation:
            return False
        self.ranking = ranking
        self._cursor = 0
        return True

    def next(self) -> int | None:
        """Return the position of the next study to screen (None: nothing left)."""
        for position in self.sample:
            if not self.is_decided(position):
                return position
        if self.ranking is None:
            return None
        order = self.ranking.order
        while self._cursor < len(order) and self.is_decided(order[self._cursor]):
            self._cursor += 1
        return order[self._cursor] if self._cursor < len(order) else None

    def rank_of(self, position: int) -> tuple[int, int] | None:
        """Return (rank among the unscreened when ranked, how many were ranked), or None."""
        if self.ranking is None or self.ranking.ranks is None:
            return None
        rank = int(self.ranking.ranks[position])
        return None if rank < 0 else (rank + 1, len(self.ranking.order))


# -- the order written to the sheet ------------------------------------------------------------
def last_order(state: SheetState, stage: str) -> str:
    """Return the latest order this sheet recorded at a stage ("" when none)."""
    latest = None
    for (cell_stage, _), cell in state.items():
        if cell_stage == stage and stopping.ORDER_FIELD in cell:
            event = cell[stopping.ORDER_FIELD]
            if latest is None or event.time > latest.time:
                latest = event
    return latest.value if latest is not None else ""


def mark_order(session, study_id: str, order: str) -> None:
    """Record in the sheet the order a decision was made in, when it changed since the last one.

    Raises:
        SheetError: the sheet could not be written.
    """
    if last_order(session.state, session.stage.id) != order:
        # not on the undo stack: undo takes back the decision, the mark stays true
        session.sheet.append_batch(session.stage.id,
                                   [(study_id, [Change(stopping.ORDER_FIELD, order)])])


def order_label(settings: ModelSettings) -> str:
    """Return the `order` value written for prioritised screening with a model."""
    return f"{PRIORITISED} {settings.name}"


# -- the stopping test -------------------------------------------------------------------------
@dataclass(frozen=True)
class SampleState:
    """The latest stopping test of a reviewer at a stage, read from the sheet."""

    test: int
    urn: int
    found_before: int
    positions: tuple[str, ...]      # study ids in draw order
    last_draw: tuple[str, ...] = ()  # the study ids of the test's latest draw
    draw: int = 1                   # how many draws the test has had


def read_sample(state: SheetState, stage: str) -> SampleState | None:
    """Return the latest stopping test recorded in a sheet at a stage, or None."""
    tests: dict[int, list[tuple[int, str, int, int, int]]] = {}
    for (cell_stage, study_id), cell in state.items():
        if cell_stage != stage or stopping.SAMPLE_FIELD not in cell:
            continue
        value = cell[stopping.SAMPLE_FIELD].value
        parsed = stopping.parse_sample_value(value)
        if parsed is None:
            continue
        test, urn, found, seq = parsed
        tests.setdefault(test, []).append((seq, study_id, urn, found,
                                           stopping.parse_sample_draw(value)))
    if not tests:
        return None
    test = max(tests)
    drawn = sorted(tests[test])
    draw = max(d[4] for d in drawn)
    return SampleState(test, drawn[0][2], drawn[0][3], tuple(d[1] for d in drawn),
                       tuple(d[1] for d in drawn if d[4] == draw), draw)


def stopping_estimate(state: SheetState, stage: str) -> stopping.StoppingEstimate:
    """Return the stopping test's estimate for a reviewer at a stage (an empty one if none)."""
    sample = read_sample(state, stage)
    if sample is None:
        return stopping.estimate(0, 0, 0, 0, 0)
    screened = relevant = 0
    for study_id in sample.positions:
        label = relevance(state.value(stage, study_id, DECISION))
        if label is not None:
            screened += 1
            relevant += label
    return stopping.estimate(sample.urn, len(sample.positions), screened, relevant,
                             sample.found_before)


@dataclass(frozen=True)
class SamplePlan:
    """What starting (or extending) the stopping test will do, before anything is written.

    Attributes:
        extend: True when the reviewer's open test gets more draws (relevant studies turned
            up in its sample), False for a new test.
        test: the test's number.
        urn: unscreened studies the test draws from (when the test started).
        found_before: relevant studies found before the test started.
        size: studies this draw adds to the sample.
        unscreened: unscreened studies it can draw from now.
        first_seq: the draw position of its first study within the test.
        draw: which draw of the test this is (1 for a new test).
        candidates: the ids of the studies it draws from.
    """

    extend: bool
    test: int
    urn: int
    found_before: int
    size: int
    unscreened: int
    first_seq: int = 0
    draw: int = 1
    candidates: tuple[str, ...] = ()

    def describe(self) -> str:
        """Return what drawing the sample will do, in a sentence or two for the reviewer."""
        if self.extend:
            return (f"Extend stopping test {self.test}: draw {self.size:,} more at random from "
                    f"your {self.unscreened:,} unscreened studies and record them in your "
                    "sheet. Screen them all; the test then says with which confidence "
                    f"recall is at least {stopping.TARGET_RECALL:.0%}.")
        return (f"Start the stopping test: {self.size:,} of your {self.unscreened:,} unscreened "
                "studies are drawn at random and recorded in your sheet, and are served next. "
                f"Screen them all: if none is relevant, recall >= {stopping.TARGET_RECALL:.0%} "
                f"with {1 - stopping.ALPHA:.0%} confidence ({self.found_before:,} relevant "
                "found so far). Until you screen the first of them you can withdraw the "
                "sample (s again).")


def plan_stopping_sample(session) -> SamplePlan:
    """Return what `draw_stopping_sample` would draw now, writing nothing.

    A new test draws from every unscreened study (the urn) as many as the test
    needs if none of them turns out relevant; when relevant ones turn up the
    reviewer extends the sample (same test, more draws from the same urn).

    Raises:
        ReviewError: nothing is left unscreened, or the open sample is partly screened.
    """
    stage = session.stage.id
    state = session.state
    current = read_sample(state, stage)
    estimate = stopping_estimate(state, stage)
    left = [sid for sid in (current.positions if current else ())
            if not state.value(stage, sid, DECISION)]
    if left and len(left) < len(current.positions):
        # a new draw now would let a relevant find in the open sample be redrawn away
        raise ReviewError(f"the stopping sample is open: screen its {plural(len(left), 'study')} left "
                          "first (they come next in prioritised order)")
    extend = current is not None and not estimate.can_stop and not left
    already = set(current.positions) if extend else set()
    unscreened = tuple(s.id for s in session.studies
                       if not state.value(stage, s.id, DECISION) and s.id not in already)
    if not unscreened:
        raise ReviewError("nothing is left unscreened: recall is 100% at this stage")
    if extend:
        test, urn, found = current.test, current.urn, current.found_before
        start, draw = len(current.positions), current.draw + 1
        needed = stopping.sample_needed(urn, found, found_in_sample=estimate.relevant_in_sample)
        size = max(1, needed - estimate.screened)
    else:
        test = (current.test + 1) if current else 1
        urn = len(unscreened)
        found = sum(1 for (st, _), cell in state.items() if st == stage
                    and DECISION in cell and relevance(cell[DECISION].value) == 1)
        start, draw = 0, 1
        size = max(1, stopping.sample_needed(urn, found))
    return SamplePlan(extend, test, urn, found, min(size, len(unscreened)), len(unscreened),
                      start, draw, unscreened)


def draw_stopping_sample(session, seed: int | None = None,
                         plan: SamplePlan | None = None) -> list[int]:
    """Start (or extend) the stopping test: draw unscreened studies at random and record them.

    The drawn studies are written to the reviewer's sheet (field
    `stopping_sample`) in one durable append.

    Args:
        session: the reviewer's screening session.
        seed: seeds the draw (None: a fresh random draw).
        plan: the plan shown to the reviewer (default: `plan_stopping_sample` now).

    Returns:
        The positions of the sample's unscreened studies, in draw order.

    Raises:
        ReviewError: nothing is left unscreened.
        SheetError: the sheet could not be written (nothing was recorded).
    """
    plan = plan or plan_stopping_sample(session)
    rng = random.Random(seed)
    drawn = rng.sample(list(plan.candidates), plan.size)
    session.sheet.append_batch(session.stage.id, [
        (sid, [Change(stopping.SAMPLE_FIELD,
                      stopping.sample_value(plan.test, plan.urn, plan.found_before,
                                            plan.first_seq + i, plan.draw))])
        for i, sid in enumerate(drawn)])
    return [session.index_of(sid) for sid in drawn]


def withdrawable_sample(session) -> list[str]:
    """Return the study ids of the latest draw if it can be withdrawn, else [].

    A draw can be withdrawn until the reviewer screens any study of it: after
    that, withdrawing it would let a relevant find be redrawn away.
    """
    stage = session.stage.id
    current = read_sample(session.state, stage)
    if current is None or not current.last_draw:
        return []
    if any(session.state.value(stage, sid, DECISION) for sid in current.last_draw):
        return []
    return list(current.last_draw)


def withdraw_stopping_sample(session) -> int:
    """Withdraw the latest draw of the stopping test before any of it is screened.

    Each study of the draw gets an empty `stopping_sample` value in the sheet
    (one durable append), so the audit trail keeps both the draw and its
    withdrawal; a withdrawn first draw leaves no test open, a withdrawn
    extension leaves the test as it was before it.

    Returns:
        How many studies were withdrawn.

    Raises:
        ReviewError: there is no draw to withdraw, or a study of it is already screened.
        SheetError: the sheet could not be written (nothing changed).
    """
    ids = withdrawable_sample(session)
    if not ids:
        raise ReviewError("there is no stopping sample to withdraw: none was drawn, or you "
                          "have screened a study of it (the test would be biased)")
    session.sheet.append_batch(session.stage.id,
                               [(sid, [Change(stopping.SAMPLE_FIELD, "")]) for sid in ids])
    return len(ids)


def open_sample(session) -> list[int]:
    """Return the positions of the latest stopping sample's unscreened studies, in draw order."""
    sample = read_sample(session.state, session.stage.id)
    if sample is None:
        return []
    out = []
    for sid in sample.positions:
        position = session.index_of(sid)
        if position is not None and not session.decision(sid):
            out.append(position)
    return out


# -- figures for the home screen and the export ------------------------------------------------
@dataclass(frozen=True)
class PriorityFigures:
    """One reviewer at one screening stage: what prioritised screening has found so far."""

    stage: str
    label: str
    order: str
    decided: int
    relevant: int
    irrelevant_run: int
    estimate: stopping.StoppingEstimate

    @property
    def hint(self) -> str:
        return stopping.hint(self.irrelevant_run)


def figures_from_state(state: SheetState, stage, work_ids: Sequence[str] | None = None
                       ) -> PriorityFigures:
    """Return a reviewer's PriorityFigures at a stage from their sheet state."""
    keep = set(work_ids) if work_ids is not None else None
    timeline = []
    for (cell_stage, study_id), cell in state.items():
        if cell_stage != stage.id or (keep is not None and study_id not in keep):
            continue
        event = cell.get(DECISION)
        if event is not None and event.value:
            timeline.append((event.time, relevance(event.value)))
    timeline.sort(key=lambda item: item[0])
    labels = [label for _, label in timeline if label is not None]
    return PriorityFigures(stage.id, stage.label or stage.id, last_order(state, stage.id),
                           len(timeline), sum(labels), stopping.irrelevant_run(labels),
                           stopping_estimate(state, stage.id))


def reviewer_figures(review, reviewer: str) -> list[PriorityFigures]:
    """Return this reviewer's PriorityFigures at every screening stage (for the home screen).

    Raises:
        CodebookError, SheetError: the codebook or sheet cannot be read.
    """
    from workbench.review.screening import sheet_path
    from workbench.store.sheet import read_sheet
    state = SheetState(read_sheet(sheet_path(review, reviewer), review.aliases()).events)
    return [figures_from_state(state, stage) for stage in review.codebook().screening_stages()]


def _descriptions() -> dict[str, str]:
    from workbench.core.ranking import MODELS
    return {name: settings.describe() for name, settings in MODELS.items()}


MODEL_DESCRIPTIONS = _descriptions()

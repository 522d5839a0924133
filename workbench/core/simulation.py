"""Replaying a fully labelled review: the screening order a model gives, and its metrics (pure).

Metrics follow asreview-insights' definitions so figures compare with
published ones. Priors (the studies the replay starts from) are excluded: the
labels passed to the metrics are those of the studies screened after the
priors, in screening order, padded with the studies never screened (which
are all irrelevant once every relevant one has been found).

- WSS@r: at the first point where a fraction r of the relevant studies is
  found, (studies random order needs to reach that many) - (studies the
  order needed), as a fraction of all studies; random order finds the
  relevant studies evenly (round(linspace(0, relevant, n))).
- recall@x: the fraction of relevant studies found after screening a
  fraction x of the studies.
- ATD (average time to discovery): mean number of studies screened until
  each relevant study is found (absolute, as asreview-insights reports it).
- A figure "at x" is read at the last point of its curve at or before x.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workbench.core import stopping
from workbench.core.ranking import ELAS_U4, ModelSettings, score, train_model
from workbench.core.ranking_models import model_scores

Progress = Callable[[int, int], None]


def _wss_curve(labels: Sequence[int]):
    import numpy as np
    labels = np.asarray(labels, dtype=np.int64)
    n_docs = len(labels)
    n_pos = int(labels.sum())
    found = np.cumsum(labels)
    found_random = np.round(np.linspace(0, n_pos, n_docs))
    targets = np.arange(1, n_pos + 1)
    when = np.searchsorted(found, targets)
    when_random = np.searchsorted(found_random, targets)
    x = targets / n_pos
    y = (when_random - when) / n_docs
    return x, y


def _slice(x, y, at: float) -> float:
    """Return y at the last x <= at (asreview-insights' slicing)."""
    import numpy as np
    i = int(np.searchsorted(x, at, side="right"))
    return float(y[i - 1])


def wss(labels: Sequence[int], recall: float) -> float:
    """Return the work saved over sampling at a recall (asreview-insights' definition).

    Args:
        labels: 1/0 in screening order, priors excluded, every study listed.
        recall: e.g. 0.95.
    """
    x, y = _wss_curve(labels)
    if len(x) == 0:
        return float("nan")
    return _slice(x, y, recall)


def recall_at(labels: Sequence[int], fraction: float) -> float:
    """Return the fraction of relevant studies found after screening `fraction` of them all."""
    import numpy as np
    labels = np.asarray(labels, dtype=np.int64)
    n, total = len(labels), int(labels.sum())
    if not total:
        return float("nan")
    x = np.arange(1, n + 1) / n
    if fraction < x[0]:
        return 0.0
    return _slice(x, np.cumsum(labels) / total, fraction)


def time_to_discovery(labels: Sequence[int]) -> list[int]:
    """Return, for each relevant study, how many studies were screened until it was found."""
    return [i + 1 for i, v in enumerate(labels) if v]


def average_time_to_discovery(labels: Sequence[int]) -> float:
    """Return the mean time to discovery in studies screened (asreview-insights' ATD)."""
    times = time_to_discovery(labels)
    return sum(times) / len(times) if times else float("nan")


@dataclass(frozen=True)
class Replay:
    """One replay of a labelled review.

    Attributes:
        priors: row numbers of the studies the replay started from.
        order: row numbers in the order screened after the priors (every study, the
            never-screened ones at the end in row order).
        labels: the label of each row of `order`.
        stop_at: studies screened after the priors when the stopping test said stop.
        stop_recall: recall reached at that point (priors' relevant included).
    """

    priors: tuple[int, ...]
    order: tuple[int, ...]
    labels: tuple[int, ...]
    stop_at: int
    stop_recall: float

    def metrics(self) -> dict[str, float]:
        """Return WSS@95, WSS@100, recall@10%, ATD, and the stopping point's recall and work saved."""
        n = len(self.labels)
        return {"wss95": wss(self.labels, 0.95), "wss100": wss(self.labels, 1.0),
                "recall10": recall_at(self.labels, 0.10),
                "atd": average_time_to_discovery(self.labels),
                "stop_recall": self.stop_recall,
                "stop_saved": 1.0 - self.stop_at / n if n else float("nan")}


def pick_priors(labels: Sequence[int], seed: int) -> tuple[int, int]:
    """Return (one relevant, one irrelevant) row chosen at random with a seed."""
    rng = random.Random(seed)
    relevant = [i for i, v in enumerate(labels) if v]
    irrelevant = [i for i, v in enumerate(labels) if not v]
    if not relevant or not irrelevant:
        raise ValueError("a replay needs at least one relevant and one irrelevant study")
    return rng.choice(relevant), rng.choice(irrelevant)


def replay(features, labels: Sequence[int], priors: Sequence[int],
           settings: ModelSettings = ELAS_U4, seed: int = 0,
           trigger: int | None = None, progress: Progress | None = None,
           ranker: Callable | None = None) -> Replay:
    """Replay prioritised screening of a labelled review, then the stopping test.

    The model is retrained after every decision and the highest-scoring
    unscreened study is screened next, until every relevant study is found.
    The stopping test is replayed on the same order: when the run of
    irrelevant decisions first reaches `trigger` (the hint), a random sample
    is drawn from the unscreened studies and screened until the test says
    stop (p < 0.05) or the sample runs out of studies.

    Args:
        features: CSR matrix, one row per study.
        labels: 1/0 per study.
        priors: row numbers screened first (their labels known).
        settings: the model.
        seed: seeds the stopping sample.
        trigger: irrelevant run that starts the stopping test (default: the hint's).
        progress: called with (relevant found, relevant in all).
        ranker: optional `ranker(features, labelled, labels, settings, state)` returning
            scores; the default trains `settings`' SVM (or its ensemble: `model_scores`).

    Returns:
        The Replay (see its metrics()).
    """
    import numpy as np
    labels = np.asarray(labels, dtype=np.int8)
    n = len(labels)
    total = int(labels.sum())
    pool = np.ones(n, dtype=bool)
    labelled = [int(p) for p in priors]
    pool[labelled] = False
    ys = [int(labels[p]) for p in labelled]
    found = sum(ys)
    order: list[int] = []
    state: dict = {}
    if ranker is None and settings.combine != "stack":
        def ranker(features, labelled, ys, settings, state):
            scores = model_scores(features, labelled, ys, settings, state)
            return scores if scores is not None else np.zeros(n, dtype=np.float32)
    while pool.any() and found < total:
        if ranker is not None:
            scores = ranker(features, labelled, ys, settings, state)
        else:
            model = train_model(features, labelled, ys, settings)
            scores = (score(features, model) if model is not None
                      else np.zeros(n, dtype=np.float32))
        scores = np.where(pool, scores, -np.inf)
        pick = int(np.argmax(scores))
        pool[pick] = False
        labelled.append(pick)
        ys.append(int(labels[pick]))
        order.append(pick)
        found += int(labels[pick])
        if progress:
            progress(found, total)
    rest = np.flatnonzero(pool).tolist()
    order_all = order + rest
    ordered = [int(labels[i]) for i in order_all]
    stop_at, stop_found = replay_stopping(ordered, int(sum(ys[:len(priors)])), total, seed,
                                          trigger)
    return Replay(tuple(int(p) for p in priors), tuple(order_all), tuple(ordered), stop_at,
                  stop_found / total if total else float("nan"))


def replay_stopping(ordered: Sequence[int], prior_relevant: int, total: int, seed: int,
                    trigger: int | None = None) -> tuple[int, int]:
    """Replay the stopping test on a screening order.

    Returns:
        (studies screened after the priors when the test said stop,
         relevant found by then, priors included).
    """
    trigger = stopping.HINT_RUN if trigger is None else trigger
    n = len(ordered)
    found = prior_relevant
    run = 0
    start = n
    for i, value in enumerate(ordered):
        found += value
        run = 0 if value else run + 1
        if run >= trigger:
            start = i + 1
            break
    if start >= n:
        return n, prior_relevant + sum(ordered)
    found_before = found
    urn = list(range(start, n))
    rng = random.Random(seed)
    rng.shuffle(urn)
    k = 0
    for drawn, position in enumerate(urn, start=1):
        k += ordered[position]
        if stopping.stopping_p_value(len(urn), drawn, k, found_before) < stopping.ALPHA:
            return start + drawn, found_before + k
    return n, prior_relevant + sum(ordered)


def summarize(values: Sequence[float]) -> tuple[float, float]:
    """Return (mean, sample standard deviation) of a list of figures."""
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return float("nan"), float("nan")
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return mean, math.sqrt(var)

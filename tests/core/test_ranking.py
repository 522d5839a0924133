"""The ranking model, the replay metrics and the stopping test."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from workbench.core import stopping
from workbench.core.ranking import (ELAS_U4, build_features, sample_weights, score,
                                    study_text, term_scores, train_model)
from workbench.core.simulation import (average_time_to_discovery, recall_at, replay,
                                       replay_stopping, wss)


def read_set(shared_data, name):
    with open(shared_data / "screening" / f"Cohen_2006_{name}.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return ([study_text(r["title"], r["abstract"]) for r in rows],
            [int(r["label_included"]) for r in rows])


def test_a_planted_relevant_study_ranks_first_after_a_few_decisions(shared_data):
    # A review of proton pump inhibitors whose search also returned 300 records of an
    # opioid review; one relevant PPI study is planted in the middle of them.
    ppi_texts, ppi_labels = read_set(shared_data, "ProtonPumpInhibitors")
    other, _ = read_set(shared_data, "Opiods")
    relevant = [t for t, v in zip(ppi_texts, ppi_labels) if v and len(t) > 400]
    pool = [t for t in other if len(t) > 400][:306]
    decided = relevant[:4] + pool[:6]
    texts = decided + pool[6:156] + [relevant[10]] + pool[156:306]
    planted = len(decided) + 150
    x = build_features(texts, ELAS_U4)
    model = train_model(x, list(range(10)), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    scores = score(x, model)
    unscreened = np.arange(len(decided), len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    # and without the decisions there is no model to rank by
    assert train_model(x, [4, 5, 6], [0, 0, 0]) is None


def test_relevant_studies_carry_ratio_times_the_weight():
    labels = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    w = sample_weights(labels, 9.8)
    assert w[labels == 1].sum() == pytest.approx(9.8 * w[labels == 0].sum())
    assert w.sum() == pytest.approx(len(labels))


def test_no_model_until_both_kinds_of_decision():
    x = build_features(["aspirin trial", "cancer mice", "aspirin dose"])
    assert train_model(x, [0, 2], [1, 1]) is None
    assert train_model(x, [0, 1], [1, 0]) is not None


def test_include_terms_give_a_cold_start():
    scores = term_scores(["Hashtag activism online", "mice liver", "activists and hashtags"],
                         ["activis*", "hashtag*"])
    assert list(scores) == [2, 0, 2]


def test_wss_recall_and_atd_by_hand():
    # 18 records after the priors, the 4 relevant first
    labels = [1, 1, 1, 1] + [0] * 14
    # 95%: read at 3 of 4 found (the last point at or before 0.95): found after 3 records;
    # random order (round(linspace(0, 4, 18))) reaches 3 after 12: (12 - 3) / 18
    assert wss(labels, 0.95) == pytest.approx(9 / 18)
    # 100%: 4 records against 16: (16 - 4) / 18
    assert wss(labels, 1.0) == pytest.approx(12 / 18)
    assert recall_at(labels, 0.10) == pytest.approx(1 / 4)      # 1 record screened (1/18)
    assert average_time_to_discovery(labels) == pytest.approx(2.5)


def test_replay_finds_every_relevant_study_first_on_separable_texts():
    texts = [f"alpha study {i}" for i in range(5)] + [f"beta trial {i}" for i in range(15)]
    labels = [1] * 5 + [0] * 15
    x = build_features(texts)
    result = replay(x, labels, (0, 5))
    assert result.labels[:4] == (1, 1, 1, 1)
    assert result.metrics()["wss100"] == pytest.approx(12 / 18)


def test_hypergeometric_cdf_matches_scipy():
    from scipy.stats import hypergeom
    for k, urn, successes, draws in [(0, 1000, 6, 390), (2, 500, 20, 100), (0, 50, 1, 49),
                                     (3, 80, 10, 30)]:
        assert stopping.hypergeom_cdf(k, urn, successes, draws) == pytest.approx(
            hypergeom(urn, successes, draws).cdf(k), rel=1e-9, abs=1e-12)


def test_stopping_test_by_hand():
    # 100 relevant found, 1000 unscreened: recall < 95% needs >= 6 relevant left
    assert stopping.target_missed(100, 0) == 6
    n = stopping.sample_needed(1000, 100)
    assert stopping.stopping_p_value(1000, n, 0, 100) < 0.05 <= \
        stopping.stopping_p_value(1000, n - 1, 0, 100)
    # a relevant study in the sample raises the p-value
    assert stopping.stopping_p_value(1000, n, 1, 100) > 0.05
    assert stopping.estimate(1000, n, n, 0, 100).can_stop
    assert not stopping.estimate(1000, n, 10, 0, 100).can_stop


def test_heuristic_is_only_a_labelled_hint():
    assert stopping.irrelevant_run([1, 0, 1, 0, 0, 0]) == 3
    assert stopping.hint(10) == ""
    assert stopping.hint(60).startswith("Hint (heuristic, not a test)")


def test_replayed_stopping_test_reaches_the_target_recall():
    # 40 relevant found early, 2 stragglers late in 2,000 records
    ordered = [1] * 40 + [0] * 1000 + [1] + [0] * 500 + [1] + [0] * 458
    stop_at, found = replay_stopping(ordered, 1, 43, seed=3)
    assert found / 43 >= 0.95 or stop_at == len(ordered)
    assert stop_at < len(ordered)
    assert not math.isnan(found)


@pytest.mark.parametrize("max_df,ngrams", [(0.95, (1, 2)), (0.2, (1, 2)), (0.95, (1, 1))])
def test_fast_word_features_equal_scikit_learns_vectorizer_bit_for_bit(shared_data, max_df,
                                                                       ngrams):
    from sklearn.feature_extraction.text import TfidfVectorizer
    texts, _ = read_set(shared_data, "OralHypoglycemics")
    # a few awkward texts: empty, one-letter words only, repeats and case, non-ASCII words
    texts = texts + ["", "a b c", "The the THE cat cat", "Überblick über Straße-Daten 2020"]
    ours = build_features(texts, ELAS_U4.__class__(word_ngrams=ngrams, max_df=max_df))
    theirs = TfidfVectorizer(ngram_range=ngrams, sublinear_tf=True, max_df=max_df,
                             dtype=np.float32).fit_transform(texts)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)


def _plain_svm(x, rows, labels, settings=ELAS_U4):
    """The oracle: the plain scikit-learn call train_model made before it kept rows."""
    from sklearn.svm import LinearSVC
    y = np.asarray(labels, dtype=np.int8)
    svm = LinearSVC(C=settings.c, loss="squared_hinge", dual=True, random_state=0)
    svm.fit(x[np.asarray(rows, dtype=np.int64)].astype(np.float64), y,
            sample_weight=sample_weights(y, settings.ratio))
    return svm.coef_.ravel().astype(np.float32), float(svm.intercept_[0])


def test_kept_training_rows_give_the_plain_scikit_learn_model_bit_for_bit(shared_data):
    # train_model keeps the decided rows between retrains and fits on the columns they
    # use; the model and the ranking must be the plain call's, whatever the sequence
    texts, labels = read_set(shared_data, "OralHypoglycemics")
    texts = texts + ["", "", "x"]                   # rows without any feature
    labels = labels + [0, 0, 0]
    x = build_features(texts, ELAS_U4)
    x64 = x.astype(np.float64)                      # float64 features are not re-sorted
    rng = np.random.default_rng(7)
    order = rng.permutation(len(texts)).tolist()
    empty = [len(texts) - 3, len(texts) - 2]
    first_relevant = next(i for i in order if labels[i])
    order.remove(first_relevant)
    steps = [order[:k] for k in range(1, 40)]                         # one decision at a time
    steps += [order[:30], order[:31]]                                 # an undo, then on again
    steps += [order[:200], order[:200] + empty, empty + order[:50]]   # empty rows, new start
    steps += [order[:60] + order[:5], order[::-1][:80]]               # a row twice; new rows
    steps += [order[:40 + k] + rng.choice(order[100:], 30, replace=False).tolist()
              for k in range(3)]                        # random rows added after the decisions
    checked = 0
    for features in (x, x64, x):
        for step in steps:
            rows = [first_relevant] + step
            ys = [labels[i] for i in rows]
            if min(ys) == max(ys):
                continue
            flipped = list(ys)
            flipped[len(ys) // 2] = 1 - flipped[len(ys) // 2]        # a decision changed
            for y in (ys, flipped):
                if min(y) == max(y):
                    continue
                model = train_model(features, rows, y)
                coef, intercept = _plain_svm(features, rows, y)
                assert np.array_equal(model.coef, coef), (len(rows), np.abs(model.coef - coef).max())
                assert model.intercept == intercept
                plain = np.asarray(features @ coef).ravel() + np.float32(intercept)
                assert np.array_equal(np.argsort(-score(features, model), kind="stable"),
                                      np.argsort(-plain, kind="stable"))
                checked += 1
    assert checked > 100


def test_kept_training_rows_follow_a_retrain_on_another_thread(shared_data):
    # the worker retrains on its own thread while decisions arrive: models trained at
    # the same time from the same matrix are still each the plain call's
    import threading
    texts, labels = read_set(shared_data, "ProtonPumpInhibitors")
    x = build_features(texts, ELAS_U4)
    first = labels.index(1)
    rows = [first] + [i for i in range(len(texts)) if i != first]
    results, errors = {}, []

    def retrain(ks):
        try:
            for k in ks:
                results[k] = train_model(x, rows[:k], [labels[i] for i in rows[:k]])
        except Exception as exc:         # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=retrain, args=(range(start, 400, 3),))
               for start in (20, 21, 22)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k in (20, 21, 22, 200, 398, 399):
        coef, intercept = _plain_svm(x, rows[:k], [labels[i] for i in rows[:k]])
        assert np.array_equal(results[k].coef, coef) and results[k].intercept == intercept

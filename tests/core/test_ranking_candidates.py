"""The candidate models measured against ELAS u4 (core.ranking_models)."""

from __future__ import annotations

import csv

from dataclasses import replace

import numpy as np
import pytest

from workbench.core.ranking import (BMI_LR, ELAS_CHAR, ELAS_U4, ENS_CHAR, FUSION_NB, NBSVM,
                                    SWITCH50, build_features, score, study_text, train_model)
from workbench.core.ranking_models import (bm25_features, build_model_features, char_block,
                                           ensemble_scores, fuse_u4_tar_scores, fusion_nb_scores,
                                           irrelevant_run, lsa_block_features, mean_ranks,
                                           model_scores, nb_log_ratio, nb_scores,
                                           pairwise_logistic_loss, pseudo_negative_rows,
                                           reciprocal_rank_fusion, tar_lr_scores,
                                           title_block_features, train_nbsvm,
                                           train_pairwise_logistic, train_with_pseudo_negatives)
from workbench.core.simulation import replay


def read_set(shared_data, name):
    with open(shared_data / "screening" / f"Cohen_2006_{name}.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return ([study_text(r["title"], r["abstract"]) for r in rows],
            [int(r["label_included"]) for r in rows])


def planted_review(shared_data):
    """PPI records planted among an opioid review's: 4 relevant + 6 irrelevant decided."""
    ppi_texts, ppi_labels = read_set(shared_data, "ProtonPumpInhibitors")
    other, _ = read_set(shared_data, "Opiods")
    relevant = [t for t, v in zip(ppi_texts, ppi_labels) if v and len(t) > 400]
    pool = [t for t in other if len(t) > 400][:306]
    decided = relevant[:4] + pool[:6]
    texts = decided + pool[6:156] + [relevant[10]] + pool[156:306]
    return texts, len(decided), len(decided) + 150


def test_pseudo_negatives_are_unscreened_and_stop_once_enough_are_known():
    labelled, labels = [0, 3, 5], [1, 0, 0]
    rows = pseudo_negative_rows(50, labelled, labels, upto=20, seed=1)
    assert len(rows) == 18 and len(set(rows.tolist())) == 18
    assert not set(rows.tolist()) & set(labelled)
    # the same decisions draw the same rows; one more decision draws anew
    assert rows.tolist() == pseudo_negative_rows(50, labelled, labels, 20, 1).tolist()
    assert rows.tolist() != pseudo_negative_rows(50, labelled + [7], labels + [0], 20,
                                                 1).tolist()
    assert len(pseudo_negative_rows(50, list(range(21)), [1] + [0] * 20, 20, 1)) == 0
    # never more than the unscreened studies
    assert len(pseudo_negative_rows(5, [0, 1], [1, 0], 100)) == 3


def test_pseudo_negatives_give_a_model_from_one_relevant_decision(shared_data):
    texts, n_decided, planted = planted_review(shared_data)
    x = build_features(texts, ELAS_U4)
    assert train_model(x, [0], [1]) is None
    model = train_with_pseudo_negatives(x, [0, 1, 2, 3], [1, 1, 1, 1], ELAS_U4, upto=100)
    scores = score(x, model)
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted


def test_score_ensemble_ranks_a_planted_relevant_study_first(shared_data):
    texts, n_decided, planted = planted_review(shared_data)
    blocks = (build_features(texts, ELAS_U4), char_block(texts, ELAS_CHAR))
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    scores = ensemble_scores(blocks, list(range(10)), labels, ELAS_U4)
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    # each block's scores are z-scored, so the average has mean 0
    assert abs(float(scores.mean())) < 1e-4
    assert ensemble_scores(blocks, [4, 5], [0, 0], ELAS_U4) is None


def test_switching_model_uses_the_word_svm_until_a_run_of_irrelevant_then_the_ensemble(
        shared_data):
    texts, _, _ = planted_review(shared_data)
    settings = replace(SWITCH50, switch_after=3)
    features = build_model_features(texts, settings)
    word = features[0]
    assert (word != build_features(texts, ELAS_U4)).nnz == 0
    state: dict = {}
    labelled, labels = [0, 1, 4, 5], [1, 1, 0, 0]          # a run of 2 irrelevant
    word_only = score(word, train_model(word, labelled, labels, settings))
    assert np.array_equal(model_scores(features, labelled, labels, settings, state), word_only)
    labelled, labels = labelled + [6], labels + [0]          # the run reaches 3: switch
    both = ensemble_scores(features, labelled, labels, settings)
    assert np.array_equal(model_scores(features, labelled, labels, settings, state), both)
    # once switched it stays switched, also after a relevant decision ends the run
    labelled, labels = labelled + [2], labels + [1]
    assert irrelevant_run(labels) == 0
    assert np.array_equal(model_scores(features, labelled, labels, settings, state),
                          ensemble_scores(features, labelled, labels, settings))
    assert "ensemble" in settings.describe() and "3 irrelevant in a row" in settings.describe()


@pytest.mark.parametrize("settings", [ENS_CHAR, SWITCH50, NBSVM, FUSION_NB, BMI_LR])
def test_replay_of_a_candidate_model_finds_every_relevant_study_first(settings):
    texts = [f"alpha study {i}" for i in range(5)] + [f"beta trial {i}" for i in range(15)]
    labels = [1] * 5 + [0] * 15
    result = replay(build_model_features(texts, settings), labels, (0, 5), settings)
    assert result.labels[:4] == (1, 1, 1, 1)
    assert result.metrics()["wss100"] == pytest.approx(12 / 18)


def test_ensemble_features_are_keyed_apart_and_elas_u4_keeps_its_cache_key():
    assert "combine" not in ELAS_U4.feature_key()
    assert ENS_CHAR.feature_key()["combine"] == "ensemble"
    # NBSVM and the fusion read ELAS u4's matrix: the same cached features
    assert NBSVM.feature_key() == FUSION_NB.feature_key() == ELAS_U4.feature_key()


def test_nb_log_ratio_is_wang_and_mannings_on_binarised_features():
    import scipy.sparse as sp
    x = sp.csr_matrix(np.array([[0.5, 0.2, 0.0], [0.9, 0.0, 0.0], [0.0, 0.3, 0.7]],
                               dtype=np.float32))
    r = nb_log_ratio(x, [0, 1, 2], [1, 1, 0], alpha=1.0)
    p = np.array([1 + 2, 1 + 1, 1 + 0], dtype=float)     # relevant rows 0 and 1, binarised
    q = np.array([1 + 0, 1 + 1, 1 + 1], dtype=float)     # irrelevant row 2
    assert np.allclose(r, np.log(p / p.sum()) - np.log(q / q.sum()))


def test_nbsvm_is_the_same_svm_on_nb_scaled_features_and_finds_a_planted_study(shared_data):
    import scipy.sparse as sp
    from sklearn.svm import LinearSVC

    from workbench.core.ranking import sample_weights
    texts, n_decided, planted = planted_review(shared_data)
    x = build_features(texts, ELAS_U4)
    labelled, labels = list(range(10)), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    model = train_nbsvm(x, labelled, labels, ELAS_U4)
    # oracle: scikit-learn's SVM fitted on the scaled matrix, scoring the scaled matrix
    r = nb_log_ratio(x, labelled, labels)
    scaled = sp.csr_matrix(x.astype(np.float64).multiply(r.reshape(1, -1)))
    svm = LinearSVC(C=ELAS_U4.c, loss="squared_hinge", dual=True, random_state=0)
    svm.fit(scaled[labelled], labels, sample_weight=sample_weights(labels, ELAS_U4.ratio))
    assert np.allclose(score(x, model), svm.decision_function(scaled), atol=1e-4)
    scores = score(x, model)
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    assert train_nbsvm(x, [4, 5], [0, 0]) is None


def test_nb_scores_order_studies_as_scikit_learns_multinomial_nb(shared_data):
    from sklearn.naive_bayes import MultinomialNB
    texts, n_decided, planted = planted_review(shared_data)
    x = build_features(texts, ELAS_U4)
    labelled, labels = list(range(10)), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    nb = MultinomialNB(alpha=3.822).fit(x[labelled], labels)
    log_joint = nb.predict_joint_log_proba(x)
    expected = (log_joint[:, 1] - nb.class_log_prior_[1]) - (log_joint[:, 0]
                                                              - nb.class_log_prior_[0])
    assert np.allclose(nb_scores(x, labelled, labels), expected, atol=1e-6)


def test_reciprocal_rank_fusion_sums_one_over_k_plus_rank():
    fused = reciprocal_rank_fusion([3.0, 1.0, 2.0], [0.0, 5.0, 1.0], k=60)
    # ranks: first list 1, 3, 2; second list 3, 1, 2
    assert np.allclose(fused, [1 / 61 + 1 / 63, 1 / 63 + 1 / 61, 1 / 62 + 1 / 62])
    # a tie keeps row order
    assert np.allclose(reciprocal_rank_fusion([1.0, 1.0], k=0), [1.0, 0.5])


def test_fusion_with_naive_bayes_finds_a_planted_study(shared_data):
    texts, n_decided, planted = planted_review(shared_data)
    x = build_features(texts, ELAS_U4)
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    scores = fusion_nb_scores(x, list(range(10)), labels, ELAS_U4)
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    assert fusion_nb_scores(x, [4, 5], [0, 0]) is None


def test_title_block_counts_title_words_apart_and_keeps_titles_without_abstract(shared_data):
    texts, _, _ = planted_review(shared_data)
    base = build_features(texts, ELAS_U4)
    # no titles at all: the title block is one empty column, the rest is ELAS u4's matrix
    none = title_block_features([""] * len(texts), texts)
    assert none.shape == (base.shape[0], base.shape[1] + 1)
    assert abs(none[:, :base.shape[1]] - base).max() < 1e-6
    titles = ["Omeprazole against ranitidine", "A cohort of opioid users", ""]
    abstracts = ["Healing of reflux oesophagitis.", "", "Only an abstract here."]
    x = title_block_features(titles, abstracts)
    width = build_features([study_text(t, a) for t, a in zip(titles, abstracts)]).shape[1]
    rows = x.toarray()
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)
    assert rows[1, width:].any() and rows[0, width:].any() and not rows[2, width:].any()


@pytest.mark.parametrize("settings", [NBSVM, FUSION_NB])
def test_nbsvm_and_fusion_models_score_as_their_functions(shared_data, settings):
    texts, _, _ = planted_review(shared_data)
    x = build_model_features(texts, settings)
    assert (x != build_features(texts, ELAS_U4)).nnz == 0
    labelled, labels = list(range(10)), [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    expected = (score(x, train_nbsvm(x, labelled, labels, settings)) if settings is NBSVM
                else fusion_nb_scores(x, labelled, labels, settings))
    assert np.array_equal(model_scores(x, labelled, labels, settings, {}), expected)
    assert model_scores(x, [4, 5], [0, 0], settings, {}) is None
    assert settings.name in settings.describe()


def test_bmi_pairwise_logistic_loss_is_the_mean_over_pairs_and_its_gradient_is_right():
    import scipy.sparse as sp
    from scipy.optimize import check_grad
    x = sp.csr_matrix(np.array([[0.5, 0.2, 0.0], [0.9, 0.0, 0.1], [0.0, 0.3, 0.7]]))
    w = np.array([0.3, -1.2, 2.0])
    loss, _ = pairwise_logistic_loss(w, x[[0, 1]], x[[2]], lam=0.5)
    s = x.toarray() @ w
    by_hand = (np.log1p(np.exp(-(s[0] - s[2]))) + np.log1p(np.exp(-(s[1] - s[2])))) / 2 \
        + 0.25 * (w @ w)
    assert loss == pytest.approx(by_hand)
    rng = np.random.default_rng(3)
    y = sp.random(40, 30, density=0.2, random_state=3, format="csr")
    for lam in (1e-4, 0.1):
        assert check_grad(lambda v: pairwise_logistic_loss(v, y[:6], y[6:], lam)[0],
                          lambda v: pairwise_logistic_loss(v, y[:6], y[6:], lam)[1],
                          rng.normal(size=30)) < 1e-5


def test_bmi_logistic_regression_finds_a_planted_study(shared_data):
    texts, n_decided, planted = planted_review(shared_data)
    x = build_features(texts, ELAS_U4)
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    w = train_pairwise_logistic(x, list(range(10)), labels)
    scores = x @ w
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    assert np.array_equal(model_scores(x, list(range(10)), labels, BMI_LR, {}), scores)
    # a lower objective than where it started (w = 0: log 2)
    decided = x[:10].astype(np.float64)
    assert pairwise_logistic_loss(w, decided[:4], decided[4:])[0] < np.log(2) - 0.01
    assert train_pairwise_logistic(x, [4, 5], [0, 0]) is None
    assert model_scores(x, [4, 5], [0, 0], BMI_LR, {}) is None
    assert BMI_LR.feature_key() == ELAS_U4.feature_key()
    assert "lambda 0.0001" in BMI_LR.describe()


def test_lsa_block_is_the_tfidf_stacked_with_its_truncated_svd_and_finds_a_planted_study(
        shared_data):
    from sklearn.decomposition import TruncatedSVD
    texts, n_decided, planted = planted_review(shared_data)
    texts = texts + [""]                                   # a study with no text at all
    base = build_features(texts, ELAS_U4)
    x = lsa_block_features(base)
    width = base.shape[1]
    assert x.shape == (len(texts), width + 100) and x.dtype == np.float32
    # oracle: scikit-learn's LSA of the same matrix, each block unit length, rows halved
    latent = TruncatedSVD(n_components=100, random_state=0).fit_transform(
        base.astype(np.float64))
    latent /= np.linalg.norm(latent, axis=1, keepdims=True).clip(min=1e-300)
    rows = x.toarray()
    assert np.allclose(rows[:-1, :width] * np.sqrt(2), base[:-1].toarray(), atol=1e-6)
    assert np.allclose(rows[:-1, width:] * np.sqrt(2), latent[:-1], atol=1e-5)
    assert np.allclose(np.linalg.norm(rows[:-1], axis=1), 1.0, atol=1e-6)
    assert not rows[-1].any()                              # no text: a zero row, not NaN
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    scores = score(x, train_model(x, list(range(10)), labels, ELAS_U4))
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    # fewer rows or terms than 100: as many components as the matrix allows
    small = build_features(["opioid users", "reflux healing", "opioid cohort healing"])
    assert lsa_block_features(small).shape[1] == small.shape[1] + 2


def test_bm25_features_are_the_saturated_tf_times_idf_worked_by_hand():
    import math
    x = bm25_features(["A cat sat", "the CAT cat", "dog", ""]).toarray()
    # tokens of two letters or more, lowercased: [cat sat] [the cat cat] [dog] []; avglen 1.5
    n, avg = 4, 1.5

    def w(tf, length, df):
        return (tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg))
                * math.log(1 + (n - df + 0.5) / (df + 0.5)))
    columns = ["cat", "dog", "sat", "the"]                 # the vocabulary, sorted
    expected = np.zeros((4, 4))
    expected[0, 0], expected[0, 2] = w(1, 2, 2), w(1, 2, 1)
    expected[1, 0], expected[1, 3] = w(2, 3, 2), w(1, 3, 1)
    expected[2, 1] = w(1, 1, 1)
    assert x.shape == (4, len(columns))
    assert np.allclose(x, expected, rtol=1e-12)
    assert not x[3].any()                                  # no text: a zero row
    # a longer study gets less for the same count (b), more counts saturate (k1)
    assert x[1, 0] < 2 * x[0, 0]
    assert bm25_features(["", " "]).shape == (2, 1)         # no token anywhere: no error


def test_tar_lr_is_scikit_learns_liblinear_logistic_regression_and_finds_a_planted_study(
        shared_data):
    from sklearn.linear_model import LogisticRegression
    texts, n_decided, planted = planted_review(shared_data)
    x = bm25_features(texts)
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    scores = tar_lr_scores(x, list(range(10)), labels)
    oracle = LogisticRegression(solver="liblinear").fit(x[:10], labels)
    assert np.allclose(scores, oracle.decision_function(x), rtol=1e-10, atol=1e-12)
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(scores[unscreened])] == planted
    assert tar_lr_scores(x, [0, 1], [1, 1]) is None        # one class only: no model


def test_mean_rank_fusion_averages_ranks_and_ties():
    fused = mean_ranks([3.0, 1.0, 2.0, 2.0], [1.0, 4.0, 3.0, 2.0])
    # ranks (1 = highest, ties averaged): [1, 4, 2.5, 2.5] and [4, 1, 2, 3]
    assert fused.tolist() == [-2.5, -2.5, -2.25, -2.75]
    assert mean_ranks([5.0, 1.0]).tolist() == [-1.0, -2.0]


def test_fusion_of_elas_u4_and_the_tar_baseline_finds_a_planted_study(shared_data):
    texts, n_decided, planted = planted_review(shared_data)
    blocks = (build_features(texts, ELAS_U4), bm25_features(texts))
    labels = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    fused = fuse_u4_tar_scores(blocks, list(range(10)), labels)
    svm = score(blocks[0], train_model(blocks[0], list(range(10)), labels, ELAS_U4))
    assert np.array_equal(fused, mean_ranks(svm, tar_lr_scores(blocks[1], list(range(10)),
                                                                 labels)))
    unscreened = np.arange(n_decided, len(texts))
    assert unscreened[np.argmax(fused[unscreened])] == planted
    assert fuse_u4_tar_scores(blocks, [0, 4], [0, 0]) is None

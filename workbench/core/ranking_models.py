"""Models beyond ELAS u4's single SVM: pseudo-negatives, a score ensemble, model switching,
NB-weighted features (NBSVM), rank fusion with naive Bayes, a title block, BMI's pairwise
logistic regression, a latent semantic (LSA) block, the TAR baseline (logistic regression on
BM25 saturated tf x idf) and its 1:1 mean-rank fusion with ELAS u4.

Measured against ELAS u4 by benchmarks/bench_prioritise_models.py (README: what it
measures). `build_model_features` and `model_scores` serve any model of
`ranking.MODELS`: one stacked matrix and one SVM ("stack", ELAS u4 and
elas_char), or a (word, char) pair of blocks with one SVM each ("ensemble":
ens_char, and switch50, which starts as the word SVM alone).

scikit-learn and numpy are imported inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from workbench.core.ranking import (ELAS_U4, LinearModel, ModelSettings, build_features, score,
                                    train_model)


def pseudo_negative_rows(n: int, labelled: Sequence[int], labels: Sequence[int], upto: int,
                         seed: int = 0):
    """AutoTAR/BMI's presumed-irrelevant records: random unscreened rows, while few are known.

    Returns rows (numpy) of random studies not in `labelled`, enough to bring the
    irrelevant decisions up to `upto` (none once that many are known). The draw is
    seeded by `seed` and the number of decisions, so a retrain is reproducible.
    """
    import numpy as np
    known_irrelevant = len(labels) - int(sum(labels))
    want = upto - known_irrelevant
    if want <= 0:
        return np.empty(0, dtype=np.int64)
    pool = np.ones(n, dtype=bool)
    pool[np.asarray(labelled, dtype=np.int64)] = False
    free = np.flatnonzero(pool)
    rng = np.random.default_rng([seed, len(labelled)])
    return rng.choice(free, size=min(want, len(free)), replace=False)


def train_with_pseudo_negatives(features, labelled: Sequence[int], labels: Sequence[int],
                                settings: ModelSettings = ELAS_U4, upto: int = 100,
                                seed: int = 0) -> LinearModel | None:
    """Train the SVM with random unscreened studies presumed irrelevant (up to `upto` in all).

    The presumed-irrelevant studies join the irrelevant class and share its weight
    (`sample_weights`), so the relevant studies keep `settings.ratio` x the weight.
    A model exists once one study is relevant, before any is judged irrelevant.
    """
    extra = pseudo_negative_rows(features.shape[0], labelled, labels, upto, seed)
    if not len(extra) or not sum(labels):
        return train_model(features, labelled, labels, settings)
    return train_model(features, list(labelled) + extra.tolist(),
                       list(labels) + [0] * len(extra), settings)


def char_block(texts: Sequence[str], settings: ModelSettings):
    """TF-IDF of character n-grams within words alone (rows L2-normalised), for an ensemble."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    texts = list(texts)
    max_df = settings.max_df if len(texts) > 2 else 1.0
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams,
                            sublinear_tf=True, max_df=max_df, min_df=settings.min_df,
                            dtype=np.float32)
    try:
        return chars.fit_transform(texts).tocsr()
    except ValueError:          # empty vocabulary (no text at all)
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def ensemble_scores(blocks: Sequence, labelled: Sequence[int], labels: Sequence[int],
                    settings: ModelSettings = ELAS_U4):
    """Score ensemble: one SVM per feature block, scores z-scored over all studies, averaged.

    Returns None while the decisions hold only one class.
    """
    import numpy as np
    total = None
    for block in blocks:
        model = train_model(block, labelled, labels, settings)
        if model is None:
            return None
        s = score(block, model).astype(np.float64)
        sd = s.std()
        s = (s - s.mean()) / (sd if sd > 0 else 1.0)
        total = s if total is None else total + s
    return (total / len(blocks)).astype(np.float32)


def build_model_features(texts: Sequence[str], settings: ModelSettings):
    """Return a model's features: one matrix ("stack"), or a (word, char) tuple ("ensemble")."""
    if settings.combine in ("stack", "nbsvm", "fusion_nb", "bmi_lr"):
        return build_features(texts, settings)
    if settings.combine != "ensemble":
        raise ValueError(f"unknown combine {settings.combine!r} "
                         "(stack, ensemble, nbsvm, fusion_nb, bmi_lr)")
    return (build_features(texts, replace(settings, char_ngrams=(0, 0))),
            char_block(texts, settings))


def irrelevant_run(labels: Sequence[int]) -> int:
    """Return the number of irrelevant decisions since the last relevant one."""
    run = 0
    for value in reversed(labels):
        if value:
            break
        run += 1
    return run


def model_scores(features, labelled: Sequence[int], labels: Sequence[int],
                 settings: ModelSettings, state: dict):
    """Scores of every study under a model of any kind (None while no model can be trained).

    Args:
        features: from `build_model_features`.
        labelled, labels: the decisions so far, in the order they were made.
        settings: the model.
        state: kept between calls of one screening (a switching model remembers
            there that it has switched).
    """
    import numpy as np
    if settings.combine == "stack":
        model = train_model(features, labelled, labels, settings)
        return score(features, model) if model is not None else None
    if settings.combine == "nbsvm":
        model = train_nbsvm(features, labelled, labels, settings)
        return score(features, model) if model is not None else None
    if settings.combine == "fusion_nb":
        return fusion_nb_scores(features, labelled, labels, settings)
    if settings.combine == "bmi_lr":
        w = train_pairwise_logistic(features, labelled, labels)
        return None if w is None else np.asarray(features @ w, dtype=np.float64).ravel()
    if settings.switch_after and not state.get("switched"):
        state["switched"] = irrelevant_run(labels) >= settings.switch_after
        if not state["switched"]:
            word = features[0]
            model = train_model(word, labelled, labels, settings)
            return score(word, model) if model is not None else None
    return ensemble_scores(features, labelled, labels, settings)


def _class_sums(features, labelled: Sequence[int], labels: Sequence[int], binary: bool):
    """Column sums of the decided relevant rows and of the decided irrelevant rows (float64)."""
    import numpy as np
    rows = np.asarray(labelled, dtype=np.int64)
    y = np.asarray(labels, dtype=bool)
    sums = []
    for chosen in (rows[y], rows[~y]):
        block = features[chosen]
        if binary:
            block = block.copy()
            block.data = (block.data != 0).astype(np.float64)
        sums.append(np.asarray(block.sum(axis=0), dtype=np.float64).ravel())
    return sums


def nb_log_ratio(features, labelled: Sequence[int], labels: Sequence[int], alpha: float = 1.0):
    """NBSVM's log-count ratio r (Wang & Manning 2012), one value per feature column.

    r = log((p / |p|_1) / (q / |q|_1)) with p = alpha + the binarised features summed over
    the decided relevant rows and q the same over the decided irrelevant rows.
    """
    import numpy as np
    rel, irr = _class_sums(features, labelled, labels, binary=True)
    p, q = rel + alpha, irr + alpha
    return np.log(p / p.sum()) - np.log(q / q.sum())


def train_nbsvm(features, labelled: Sequence[int], labels: Sequence[int],
                settings: ModelSettings = ELAS_U4, alpha: float = 1.0) -> LinearModel | None:
    """NB-weighted features with the same SVM: the SVM of `settings` on x o r (see nb_log_ratio).

    The model returned scores the unscaled features: its coef is r o w, so
    `score(features, model)` equals (x o r).w + b. None while one class only.
    """
    import numpy as np
    import scipy.sparse as sp
    y = np.asarray(labels, dtype=np.int8)
    if len(y) == 0 or y.min() == y.max():
        return None
    r = nb_log_ratio(features, labelled, labels, alpha)
    rows = np.asarray(labelled, dtype=np.int64)
    x = features[rows].astype(np.float64)
    x = sp.csr_matrix((x.data * r[x.indices], x.indices, x.indptr), shape=x.shape)
    model = _fit_svm(x, y, settings)
    return LinearModel((r * model.coef).astype(np.float32), model.intercept)


def _fit_svm(x, y, settings: ModelSettings) -> LinearModel:
    """The SVM of `settings` (C, squared hinge, class weight ratio) fitted on x as given."""
    import numpy as np
    from sklearn.svm import LinearSVC

    from workbench.core.ranking import _FIT_LOCK, sample_weights
    svm = LinearSVC(C=settings.c, loss="squared_hinge",
                    dual=True if settings.dual == "dual" else "auto", random_state=0)
    with _FIT_LOCK:
        svm.fit(x, y, sample_weight=sample_weights(y, settings.ratio))
    return LinearModel(svm.coef_.ravel().astype(np.float64), float(svm.intercept_[0]))


def nb_scores(features, labelled: Sequence[int], labels: Sequence[int], alpha: float = 3.822):
    """Multinomial naive Bayes scores: log P(x | relevant) - log P(x | irrelevant), every row.

    Feature probabilities are smoothed with `alpha` over all columns, as
    scikit-learn's MultinomialNB does (3.822: ASReview v0/v1's default). Class
    priors only shift every score alike, so they are left out.
    """
    import numpy as np
    rel, irr = _class_sums(features, labelled, labels, binary=False)
    width = features.shape[1]
    log_ratio = (np.log(rel + alpha) - np.log(rel.sum() + alpha * width)
                 - np.log(irr + alpha) + np.log(irr.sum() + alpha * width))
    return np.asarray(features @ log_ratio).ravel()


def reciprocal_rank_fusion(*scores, k: int = 60):
    """Fuse score vectors by their ranks: sum of 1 / (k + rank), rank 1 = highest score.

    Cormack, Clarke & Buettcher (2009), k = 60. Ties keep row order (stable).
    """
    import numpy as np
    total = None
    for s in scores:
        s = np.asarray(s, dtype=np.float64)
        ranks = np.empty(len(s), dtype=np.float64)
        ranks[np.argsort(-s, kind="stable")] = np.arange(1, len(s) + 1)
        fused = 1.0 / (k + ranks)
        total = fused if total is None else total + fused
    return total


def fusion_nb_scores(features, labelled: Sequence[int], labels: Sequence[int],
                     settings: ModelSettings = ELAS_U4):
    """ELAS u4's SVM fused by rank with multinomial naive Bayes (None while one class only)."""
    model = train_model(features, labelled, labels, settings)
    if model is None:
        return None
    return reciprocal_rank_fusion(score(features, model), nb_scores(features, labelled, labels))


def title_block_features(titles: Sequence[str], abstracts: Sequence[str],
                         settings: ModelSettings = ELAS_U4):
    """TF-IDF of title + abstract stacked 1:1 with a TF-IDF of the title alone, rows L2-normed.

    Title words count in both blocks, so they weigh more than abstract words, and
    a record without an abstract keeps its title block.
    """
    import numpy as np
    import scipy.sparse as sp

    from workbench.core.ranking import study_text
    both = build_features([study_text(t, a) for t, a in zip(titles, abstracts)], settings)
    title = build_features([t or "" for t in titles], settings)
    matrix = sp.hstack([both, title], format="csr", dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(matrix), dtype=np.float32)


#: LSA's number of latent dimensions: scikit-learn's recommendation for LSA (TruncatedSVD's
#: documentation: "For LSA, a value of 100 is recommended").
LSA_COMPONENTS = 100


def lsa_block_features(features, components: int = LSA_COMPONENTS):
    """ELAS u4's TF-IDF stacked 1:1 with its latent semantic analysis, rows L2-normalised.

    The latent block is TruncatedSVD(components, randomized, n_iter 5, random_state 0)
    of the TF-IDF matrix of every study (no decisions used, as the IDF uses every
    study), each row L2-normalised (an all-zero row stays zero); the two blocks are
    stacked and every row L2-normalised again, as the other stacked blocks are. A
    relevant study sharing few words with those found so far can still share latent
    topics with them (Deerwester et al. 1990). Fewer components when the matrix has
    fewer terms or rows.

    Args:
        features: the CSR matrix from `ranking.build_features` (ELAS u4's settings).
        components: latent dimensions (the default is fixed a priori, see LSA_COMPONENTS).

    Returns:
        A CSR matrix of float32: the TF-IDF columns, then the latent ones.
    """
    import numpy as np
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD

    rows, terms = features.shape
    k = min(components, terms - 1, rows - 1)
    if k < 1:
        return sp.csr_matrix(features, dtype=np.float32)
    latent = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5,
                          random_state=0).fit_transform(features.astype(np.float64))
    norms = np.linalg.norm(latent, axis=1)
    norms[norms == 0] = 1.0
    latent = (latent / norms[:, None]).astype(np.float32)
    matrix = sp.hstack([features, sp.csr_matrix(latent)], format="csr", dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(matrix), dtype=np.float32)


#: BMI / AutoTAR's regularisation: Sofia-ML `--learner_type logreg-pegasos --loop_type roc
#: --lambda 0.0001 --iterations 200000` (Cormack & Grossman's baseline model implementation).
BMI_LAMBDA = 1e-4


def pairwise_logistic_loss(w, x_rel, x_irr, lam: float = BMI_LAMBDA):
    """BMI's objective and its gradient at w: lam/2 |w|^2 + mean over (relevant, irrelevant)
    pairs of log(1 + exp(-w.(x_r - x_i))).

    x_rel, x_irr: the decided relevant and irrelevant rows (sparse, float64).
    """
    import numpy as np
    s_rel = np.asarray(x_rel @ w).ravel()
    s_irr = np.asarray(x_irr @ w).ravel()
    margin = s_rel[:, None] - s_irr[None, :]
    pairs = margin.size
    loss = np.logaddexp(0.0, -margin).sum() / pairs + 0.5 * lam * float(w @ w)
    # d/dmargin log(1 + exp(-m)) = -1 / (1 + exp(m))
    g = -np.exp(-np.logaddexp(0.0, margin)) / pairs
    grad = lam * w + np.asarray(x_rel.T @ g.sum(axis=1)).ravel() \
        - np.asarray(x_irr.T @ g.sum(axis=0)).ravel()
    return loss, grad


def train_pairwise_logistic(features, labelled: Sequence[int], labels: Sequence[int],
                            lam: float = BMI_LAMBDA):
    """The weights minimising BMI's pairwise logistic objective (`pairwise_logistic_loss`).

    The objective that BMI/AutoTAR's Sofia-ML call (logreg-pegasos, ROC loop, lambda
    0.0001) minimises by 200,000 random pair steps, here over every decided
    (relevant, irrelevant) pair, solved to convergence by scipy's L-BFGS-B from
    w = 0 with its default tolerances. No intercept (it cancels in a pair), no class
    weights (every pair weighs the same). Returns None while one class only.
    """
    import numpy as np
    from scipy.optimize import minimize
    y = np.asarray(labels, dtype=bool)
    if len(y) == 0 or y.all() or not y.any():
        return None
    rows = np.asarray(labelled, dtype=np.int64)
    x = features[rows].astype(np.float64).tocsr()
    x_rel, x_irr = x[np.flatnonzero(y)], x[np.flatnonzero(~y)]
    result = minimize(pairwise_logistic_loss, np.zeros(x.shape[1]), args=(x_rel, x_irr, lam),
                      jac=True, method="L-BFGS-B")
    return result.x


#: BM25's saturation and length normalisation: the standard values (Robertson & Zaragoza
#: 2009, "The probabilistic relevance framework: BM25 and beyond"), fixed a priori.
BM25_K1 = 1.2
BM25_B = 0.75


def bm25_features(texts: Sequence[str], k1: float = BM25_K1, b: float = BM25_B):
    """Word unigrams weighted by BM25's within-document saturated tf times IDF (the TAR baseline).

    The features of the stopping-rule literature's baseline (Yang, Lewis & Frieder
    2021): for term t in study d, tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) /
    avglen)) * ln(1 + (N - df + 0.5) / (df + 0.5)) (Lucene's non-negative IDF). Tokens
    are ELAS u4's (lowercased, `\\b\\w\\w+\\b`); len(d) counts them; no term is cut and
    rows are not normalised (BM25 normalises length itself).

    Returns:
        A CSR matrix of float64, one row per text.
    """
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    from workbench.core.ranking import _TOKEN
    texts = list(texts)
    n = len(texts)
    try:
        counts = CountVectorizer(token_pattern=_TOKEN.pattern, lowercase=True,
                                 dtype=np.float64).fit_transform(texts).tocsr()
    except ValueError:          # no token in any text
        return sp.csr_matrix((n, 1), dtype=np.float64)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    avg = lengths.mean() if n and lengths.mean() > 0 else 1.0
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    norm = k1 * (1.0 - b + b * lengths / avg)
    row_norm = np.repeat(norm, np.diff(counts.indptr))
    tf = counts.data
    values = tf * (k1 + 1.0) / (tf + row_norm) * idf[counts.indices]
    return sp.csr_matrix((values, counts.indices.copy(), counts.indptr.copy()),
                         shape=counts.shape)


def tar_lr_scores(features, labelled: Sequence[int], labels: Sequence[int]):
    """The TAR baseline's logistic regression, scores of every row (None while one class only).

    scikit-learn's LogisticRegression(solver="liblinear") with its defaults (C 1.0, L2,
    intercept, no class weights; random_state 0): TARexp's call (Yang, Lewis & Frieder's
    TAR framework), trained on the decided rows of `features` (`bm25_features`).
    Scores are its decision function (the order of its probabilities).
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    y = np.asarray(labels, dtype=np.int8)
    if len(y) == 0 or y.min() == y.max():
        return None
    lr = LogisticRegression(solver="liblinear", C=1.0, random_state=0)
    lr.fit(features[np.asarray(labelled, dtype=np.int64)], y)
    return np.asarray(features @ lr.coef_.ravel()).ravel() + float(lr.intercept_[0])


def mean_ranks(*scores):
    """Minus the mean rank of each row over score vectors (rank 1 = highest; ties averaged).

    Higher is better, so the result sorts like a score: the 1:1 rank fusion.
    """
    import numpy as np
    from scipy.stats import rankdata
    ranks = [rankdata(-np.asarray(s, dtype=np.float64), method="average") for s in scores]
    return -sum(ranks) / len(ranks)


def fuse_u4_tar_scores(blocks, labelled: Sequence[int], labels: Sequence[int],
                       settings: ModelSettings = ELAS_U4):
    """ELAS u4 and the TAR baseline fused 1:1 by mean rank (None while one class only).

    blocks: (ELAS u4's TF-IDF matrix, `bm25_features`' matrix), rows in the same order.
    """
    model = train_model(blocks[0], labelled, labels, settings)
    if model is None:
        return None
    return mean_ranks(score(blocks[0], model), tar_lr_scores(blocks[1], labelled, labels))

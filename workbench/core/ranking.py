"""Relevance ranking for prioritised screening: features, a model, scores (pure; no file I/O).

The baseline is a copy of ASReview 2's default model ("ELAS u4"): TF-IDF on
title + abstract (word uni- and bigrams, sublinear tf, max_df 0.95), a linear
SVM (C 0.11, squared hinge) whose relevant records carry 9.8 times the total
weight of the irrelevant ones, highest score first, retrained after every
decision. `MODELS` names the settings the workbench offers; `DEFAULT_MODEL`
is the one a reviewer gets (see README: what was kept, and why).

scikit-learn and scipy are imported inside the functions that use them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ModelSettings:
    """What a model is made of; every field is data, so settings key the feature cache.

    Attributes:
        name: the name shown to a person and written to the export.
        word_ngrams: word n-gram range of the TF-IDF features.
        char_ngrams: character n-gram range (char_wb) added to the word features;
            (0, 0) for none.
        max_df: drop terms in more than this fraction of the studies.
        min_df: drop terms in fewer studies than this.
        c: the SVM's regularisation C.
        ratio: total weight of the relevant studies / total weight of the irrelevant.
        char_weight: scale of the character block against the word block.
        dual: the SVM solver: "auto" (scikit-learn's choice, as ASReview uses it) or
            "dual" (liblinear's dual coordinate descent: the same model, found 2-3x
            faster when there are fewer decisions than features).
        combine: "stack" (one SVM on the word and character blocks in one matrix) or
            "ensemble" (one SVM per block, their scores z-scored and averaged; the
            features are a tuple of blocks, see `build_model_features`).
            "nbsvm": one SVM on the word TF-IDF scaled by the naive Bayes log-count
            ratio of the decisions (Wang & Manning 2012); "fusion_nb": the SVM's ranking
            fused with a multinomial naive Bayes ranking (reciprocal rank fusion). Both
            use the default's features (core/ranking_models.py). "bmi_lr": the
            pairwise logistic regression of Cormack & Grossman's BMI/AutoTAR (Sofia-ML's
            ROC loop, lambda 0.0001) on the default's features; it has no C or ratio.
        switch_after: with "ensemble": 0 uses the ensemble from the start; N > 0 uses
            the word SVM alone until the first run of N irrelevant decisions in a row,
            then the ensemble (model switching once the first model stalls).
    """

    name: str = "elas_u4"
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (0, 0)
    max_df: float = 0.95
    min_df: int = 1
    c: float = 0.11
    ratio: float = 9.8
    char_weight: float = 1.0
    dual: str = "auto"
    combine: str = "stack"
    switch_after: int = 0

    def feature_key(self) -> dict:
        """Return the settings that change the features (for the cache key)."""
        key = {"word_ngrams": list(self.word_ngrams), "char_ngrams": list(self.char_ngrams),
               "max_df": self.max_df, "min_df": self.min_df, "char_weight": self.char_weight}
        if self.combine == "ensemble":      # the others use one matrix: ELAS u4's key
            key["combine"] = self.combine
        return key

    def describe(self) -> str:
        """Return a one-line description for the export and the methods section."""
        if self.combine == "ensemble":
            start = (f"word SVM alone until {self.switch_after} irrelevant in a row, then "
                     if self.switch_after else "")
            return (f"{self.name}: {start}a score ensemble of two linear SVMs (C={self.c}, "
                    f"squared hinge, relevant weighted {self.ratio}x), one on TF-IDF word "
                    f"{self.word_ngrams[0]}-{self.word_ngrams[1]}-grams, one on char "
                    f"{self.char_ngrams[0]}-{self.char_ngrams[1]}-grams (sublinear tf, "
                    f"max_df {self.max_df}); scores z-scored and averaged; retrained after "
                    "every decision")
        if self.combine == "nbsvm":
            return (f"{self.name}: TF-IDF word {self.word_ngrams[0]}-{self.word_ngrams[1]}-grams "
                    f"(sublinear tf, max_df {self.max_df}) scaled by the naive Bayes log-count "
                    f"ratio of the decisions (NBSVM), linear SVM C={self.c} (squared hinge), "
                    f"relevant weighted {self.ratio}x, retrained after every decision")
        if self.combine == "fusion_nb":
            return (f"{self.name}: reciprocal rank fusion (k=60) of a linear SVM (C={self.c}, "
                    f"squared hinge, relevant weighted {self.ratio}x) and multinomial naive "
                    f"Bayes (alpha 3.822), both on TF-IDF word {self.word_ngrams[0]}-"
                    f"{self.word_ngrams[1]}-grams (sublinear tf, max_df {self.max_df}); "
                    "retrained after every decision")
        if self.combine == "bmi_lr":
            return (f"{self.name}: logistic regression on the score differences of every "
                    "(relevant, irrelevant) pair of decisions, L2 lambda 0.0001 (BMI/AutoTAR's "
                    "Sofia-ML learner's objective, solved by L-BFGS), on TF-IDF word "
                    f"{self.word_ngrams[0]}-{self.word_ngrams[1]}-grams (sublinear tf, "
                    f"max_df {self.max_df}); retrained after every decision")
        chars = (f" + char {self.char_ngrams[0]}-{self.char_ngrams[1]}-grams"
                 if self.char_ngrams[1] else "")
        return (f"{self.name}: TF-IDF word {self.word_ngrams[0]}-{self.word_ngrams[1]}-grams"
                f"{chars} (sublinear tf, max_df {self.max_df}), linear SVM C={self.c} "
                f"(squared hinge), relevant weighted {self.ratio}x, retrained after every "
                "decision")


#: ASReview 2's default, copied from its published settings. The SVM is solved in the dual
#: (what scikit-learn's "auto" picks here, 2-3x faster when asked directly): replays give
#: ASReview 2.2's screening order record for record (README: what it measures).
ELAS_U4 = ModelSettings(dual="dual")
#: ELAS u4 plus character 3-5-grams (within words). Better work saved on the two sets it was
#: tried on (README: what it measures), but 5-10x the features: not yet the default.
ELAS_CHAR = ModelSettings(name="elas_char", char_ngrams=(3, 5), dual="dual")
#: ELAS u4's word SVM and an SVM on char 3-5-grams alone, scores z-scored and averaged
#: (measured against ELAS u4 on held-aside variants: README, what it measures).
ENS_CHAR = ModelSettings(name="ens_char", char_ngrams=(3, 5), dual="dual", combine="ensemble")
#: ELAS u4 until the first run of 50 irrelevant decisions (the hint's run), then ens_char.
SWITCH50 = replace(ENS_CHAR, name="switch50", switch_after=50)
#: ELAS u4 on features scaled by the naive Bayes log-count ratio (NBSVM, alpha 1).
NBSVM = ModelSettings(name="nbsvm", dual="dual", combine="nbsvm")
#: ELAS u4's SVM and multinomial naive Bayes, fused by rank.
FUSION_NB = ModelSettings(name="fusion_nb", dual="dual", combine="fusion_nb")
#: BMI/AutoTAR's pairwise logistic regression on ELAS u4's features.
BMI_LR = ModelSettings(name="bmi_lr", combine="bmi_lr")
#: The models a review can use, by name (only the default is offered in the app: the others
#: are for `workbench simulate`, and their features are not a single cached matrix).
MODELS: dict[str, ModelSettings] = {"elas_u4": ELAS_U4, "elas_char": ELAS_CHAR,
                                    "ens_char": ENS_CHAR, "switch50": SWITCH50,
                                    "nbsvm": NBSVM, "fusion_nb": FUSION_NB, "bmi_lr": BMI_LR}
#: The model used when the codebook names none.
DEFAULT_MODEL = "elas_u4"


def model_settings(name: str | None = None) -> ModelSettings:
    """Return the settings of a model by name (None: the default).

    Raises:
        KeyError: no model of that name (the message lists the names).
    """
    name = name or DEFAULT_MODEL
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r} (models: {', '.join(MODELS)})")
    return MODELS[name]


def study_text(title: str, abstract: str) -> str:
    """Return the text a model reads for one study: title and abstract."""
    return f"{title or ''} {abstract or ''}".strip()


def build_features(texts: Sequence[str], settings: ModelSettings = ELAS_U4,
                   progress: Progress | None = None,
                   cancel: threading.Event | None = None):
    """Turn study texts into a TF-IDF matrix (rows in the order of `texts`).

    Args:
        texts: one text per study (see `study_text`).
        settings: the model settings (n-gram ranges, max_df).
        progress: called with (steps done, steps in all).
        cancel: set it to stop; InterruptedError is raised then.

    Returns:
        A scipy CSR matrix of float32, one row per text, rows L2-normalised.
    """
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    steps = 2 if settings.char_ngrams[1] else 1
    texts = list(texts)
    if progress:
        progress(0, steps)
    n = len(texts)
    if n == 0:
        return sp.csr_matrix((0, 0), dtype=np.float32)
    # max_df as a fraction of a tiny corpus can drop every term; keep it usable.
    max_df = settings.max_df if n > 2 else 1.0
    if settings.word_ngrams in ((1, 1), (1, 2)):
        blocks = [_word_tfidf(texts, settings.word_ngrams[1], max_df, settings.min_df)]
    else:
        word = TfidfVectorizer(ngram_range=settings.word_ngrams, sublinear_tf=True,
                               max_df=max_df, min_df=settings.min_df, dtype=np.float32)
        blocks = [_fit(word, texts)]
    if progress:
        progress(1, steps)
    if cancel is not None and cancel.is_set():
        raise InterruptedError("building the features was cancelled")
    if settings.char_ngrams[1]:
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=settings.char_ngrams,
                                sublinear_tf=True, max_df=max_df, min_df=settings.min_df,
                                dtype=np.float32)
        block = _fit(chars, texts)
        blocks.append(block * np.float32(settings.char_weight))
        if progress:
            progress(2, steps)
    if len(blocks) == 1:
        return blocks[0].tocsr()
    matrix = sp.hstack(blocks, format="csr", dtype=np.float32)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms).dot(matrix), dtype=np.float32)


#: scikit-learn's default token: two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _word_tfidf(texts: list[str], ngram_max: int, max_df: float, min_df: int):
    """TF-IDF of word 1-grams (and 2-grams): equal, bit for bit, to scikit-learn's vectorizer.

    The same matrix as TfidfVectorizer(ngram_range=(1, ngram_max), sublinear_tf=True,
    max_df, min_df, dtype=float32).fit_transform(texts), built about 5x faster:
    only tokenising and the unigram vocabulary run in Python; bigrams, counts and
    the vocabulary's order are numpy array operations. The counts are laid out
    as scikit-learn lays them out (columns in alphabetical order of the terms,
    entries in each row in order of the terms' first appearance), then its own
    TfidfTransformer weighs and normalises them. tests/core/test_ranking.py checks
    the equality on a real set.
    """
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    vocabulary: dict[str, int] = {}
    add = vocabulary.setdefault
    ids: list[int] = []
    lengths = np.empty(len(texts), dtype=np.int64)
    for d, text in enumerate(texts):
        tokens = _TOKEN.findall(text.lower())
        lengths[d] = len(tokens)
        ids.extend([add(t, len(vocabulary)) for t in tokens])
    n_uni = len(vocabulary)
    if n_uni == 0:
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)
    uni = np.asarray(ids, dtype=np.int64)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    local = np.arange(len(uni), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths,
                                                            lengths)
    # position of each term in scikit-learn's stream: a document's unigrams, then its bigrams
    stream = lengths + np.maximum(lengths - 1, 0) if ngram_max > 1 else lengths
    start = np.cumsum(stream) - stream
    _, first_uni = np.unique(uni, return_index=True)       # ids are given in first-seen order
    first = [(start[doc] + local)[first_uni]]
    features, rows = [uni], [doc]
    if ngram_max > 1:
        pair = doc[:-1] == doc[1:]
        keys = uni[:-1][pair] * n_uni + uni[1:][pair]
        bigrams, first_bi, inverse = np.unique(keys, return_index=True, return_inverse=True)
        bi_doc = doc[:-1][pair]
        first.append((start[bi_doc] + lengths[bi_doc] + local[:-1][pair])[first_bi])
        features.append(n_uni + inverse.ravel())
        rows.append(bi_doc)
    else:
        bigrams = np.empty(0, dtype=np.int64)
    first_all = np.concatenate(first)
    seen = np.empty(len(first_all), dtype=np.int64)          # feature -> first-seen rank
    seen[np.argsort(first_all, kind="stable")] = np.arange(len(first_all))
    n_features = len(first_all)
    # counts per (document, term), entries of a row in first-seen order of the terms
    cells = np.concatenate(rows) * n_features + seen[np.concatenate(features)]
    cells, counts = np.unique(cells, return_counts=True)
    row = cells // n_features
    col = cells % n_features
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(texts)), out=indptr[1:])
    # drop terms by document frequency (max_df as a fraction, min_df as a count)
    df = np.bincount(col, minlength=n_features)
    high = max_df * len(texts) if isinstance(max_df, float) else max_df
    keep_term = (df <= high) & (df >= min_df)
    if not keep_term.any():
        raise ValueError("After pruning, no terms remain.")
    keep = keep_term[col]
    row, col, counts = row[keep], col[keep], counts[keep]
    np.cumsum(np.bincount(row, minlength=len(texts)), out=indptr[1:])
    # alphabetical order of the terms: a bigram "a b" sorts as the pair (a, b), and a
    # unigram "a" just before every bigram that starts with it (tokens hold no space)
    names = list(vocabulary)
    alpha_uni = np.empty(n_uni, dtype=np.int64)
    alpha_uni[np.asarray(sorted(range(n_uni), key=names.__getitem__), dtype=np.int64)] = \
        np.arange(n_uni)
    sort_key = np.concatenate([alpha_uni * (n_uni + 1),
                               alpha_uni[bigrams // n_uni] * (n_uni + 1)
                               + alpha_uni[bigrams % n_uni] + 1])
    by_seen = np.empty(n_features, dtype=np.int64)
    by_seen[seen] = sort_key
    kept_seen = np.flatnonzero(keep_term)
    alphabetical = np.empty(n_features, dtype=np.int64)
    alphabetical[kept_seen[np.argsort(by_seen[kept_seen], kind="stable")]] = \
        np.arange(len(kept_seen))
    index_type = np.int32 if len(col) < 2 ** 31 else np.int64
    counts_matrix = sp.csr_matrix(
        (counts.astype(np.float32), alphabetical[col].astype(index_type),
         indptr.astype(index_type)), shape=(len(texts), len(kept_seen)))
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts_matrix)


def _fit(vectorizer, texts: list[str]):
    """Fit a vectorizer; a corpus with no usable term gives an all-zero column."""
    import numpy as np
    import scipy.sparse as sp
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:          # empty vocabulary (no text at all)
        return sp.csr_matrix((len(texts), 1), dtype=np.float32)


def sample_weights(labels, ratio: float):
    """Return per-study weights so relevant studies carry `ratio` x the irrelevant total weight.

    Within each class every study has the same weight; the weights add up to
    the number of studies, as scikit-learn's "balanced" weights do.
    """
    import numpy as np
    labels = np.asarray(labels)
    n = len(labels)
    n_rel = int(labels.sum())
    n_irr = n - n_rel
    weights = np.empty(n, dtype=np.float64)
    if n_rel == 0 or n_irr == 0:
        weights.fill(1.0)
        return weights
    # totals: relevant = ratio * irrelevant, and relevant + irrelevant = n
    total_irr = n / (1.0 + ratio)
    weights[labels == 1] = ratio * total_irr / n_rel
    weights[labels == 0] = total_irr / n_irr
    return weights


@dataclass(frozen=True)
class LinearModel:
    """A trained linear model: score = features . coef + intercept."""

    coef: object          # numpy float32 vector, one weight per feature
    intercept: float


def train_model(features, labelled: Sequence[int], labels: Sequence[int],
                settings: ModelSettings = ELAS_U4) -> LinearModel | None:
    """Train the SVM on the studies decided so far.

    Args:
        features: the CSR matrix from `build_features`.
        labelled: row numbers of the decided studies.
        labels: 1 (relevant) or 0 (irrelevant) for each row of `labelled`.
        settings: C and the class weight ratio.

    Returns:
        The model, or None while the decisions hold only one class.
    """
    import numpy as np
    from sklearn.svm import LinearSVC
    y = np.asarray(labels, dtype=np.int8)
    if len(y) == 0 or y.min() == y.max():
        return None
    weights = sample_weights(y, settings.ratio)
    if settings.dual == "dual":
        # The same fit as LinearSVC(...).fit(features[labelled].astype(float64), ...), on
        # the decided rows kept between retrains and only the columns they use (see
        # _TrainingRows): liblinear does the same arithmetic in the same order, so the
        # coefficients are equal bit for bit (tests/core/test_ranking.py checks it).
        x, columns = _training_rows(features, labelled)
        svm = LinearSVC(C=settings.c, loss="squared_hinge", dual=True, random_state=0)
        with _FIT_LOCK:
            svm.fit(x, y, sample_weight=weights)
        coef = np.zeros(features.shape[1], dtype=np.float32)
        coef[columns] = svm.coef_.ravel()[:len(columns)]
        return LinearModel(coef, float(svm.intercept_[0]))
    x = features[np.asarray(labelled, dtype=np.int64)]
    svm = LinearSVC(C=settings.c, loss="squared_hinge", dual="auto", random_state=0)
    with _FIT_LOCK:
        svm.fit(x, y, sample_weight=weights)
    return LinearModel(svm.coef_.ravel().astype(np.float32), float(svm.intercept_[0]))


class _TrainingRows:
    """The decided rows of one feature matrix, ready for liblinear, grown between retrains.

    What LinearSVC trains on when given features[labelled].astype(float64): scipy's
    astype sorts each row's entries by column, and liblinear sums a row's entries
    in stored order. Here the rows are made the same way (float64), but the
    columns are renumbered to those the decided rows use (numbered as rows bring
    them in): a smaller weight vector, the same sums in the same order. A retrain
    after one more decision appends one row instead of slicing, sorting and
    converting every decided row again. Arrays handed out are never written
    again (appends go past their end; a rebuild makes new arrays), so a fit can
    run while another thread appends.
    """

    def __init__(self, features) -> None:
        import weakref

        import numpy as np
        self.features = weakref.ref(features)
        self.rows = np.empty(0, dtype=np.int64)
        self.data = np.empty(0, dtype=np.float64)
        self.indices = np.empty(0, dtype=np.int32)
        self.indptr = np.zeros(1, dtype=np.int32)
        self.label = np.full(features.shape[1], -1, dtype=np.int32)   # column -> new number
        self.columns = np.empty(0, dtype=np.int64)                    # new number -> column

    def shared(self, features, rows) -> int:
        """How many of `rows` (of `features`) start as the rows kept start (-1: other matrix)."""
        import numpy as np
        if self.features() is not features:
            return -1
        m = min(len(rows), len(self.rows))
        differ = np.flatnonzero(rows[:m] != self.rows[:m])
        return int(differ[0]) if len(differ) else m

    def first(self, k: int) -> _TrainingRows:
        """Return a copy that keeps only the first k rows (new arrays: these stay as they are)."""
        other = _TrainingRows.__new__(_TrainingRows)
        nnz = int(self.indptr[k])
        other.features, other.label, other.columns = self.features, self.label, self.columns
        other.rows = self.rows[:k].copy()
        other.data, other.indices = self.data[:nnz].copy(), self.indices[:nnz].copy()
        other.indptr = self.indptr[:k + 1].copy()
        return other

    def append(self, features, rows) -> None:
        """Add the rows after the ones kept (rows: all decided rows, in order)."""
        import numpy as np
        new = rows[len(self.rows):]
        if len(new) == 0:
            return
        block = features[new].astype(np.float64)     # exactly what the plain call fits on
        seen = np.zeros(features.shape[1], dtype=bool)
        seen[block.indices] = True
        fresh = np.flatnonzero(seen & (self.label < 0))
        if len(fresh):
            label = self.label.copy()
            label[fresh] = np.arange(len(self.columns), len(self.columns) + len(fresh),
                                     dtype=np.int32)
            self.label = label
            self.columns = np.concatenate([self.columns, fresh])
        nnz = int(self.indptr[len(self.rows)])
        self.data = _grow(self.data, nnz, block.data)
        self.indices = _grow(self.indices, nnz, self.label[block.indices])
        self.indptr = _grow(self.indptr, len(self.rows) + 1,
                            (nnz + block.indptr[1:]).astype(np.int32))
        self.rows = np.concatenate([self.rows, new])

    def matrix(self):
        """Return (CSR of the rows kept, float64, renumbered columns; column numbers)."""
        import scipy.sparse as sp
        k, nnz = len(self.rows), int(self.indptr[len(self.rows)])
        width = max(len(self.columns), 1)     # no column used at all: one empty column
        x = sp.csr_matrix((self.data[:nnz], self.indices[:nnz], self.indptr[:k + 1]),
                          shape=(k, width), copy=False)
        return x, self.columns.copy()


def _grow(buffer, used: int, values):
    """Return buffer with values written after its first `used` items (a new array if full)."""
    import numpy as np
    end = used + len(values)
    if end > len(buffer):
        bigger = np.empty(max(end, 2 * len(buffer)), dtype=buffer.dtype)
        bigger[:used] = buffer[:used]
        buffer = bigger
    buffer[used:end] = values
    return buffer


#: One liblinear fit at a time: its random generator (which visits the records in a
#: seeded random order) is one for the whole process, so two fits at once, on two
#: threads, would draw from each other's sequence and give models that depend on timing.
_FIT_LOCK = threading.Lock()
#: Decided rows kept between retrains: a few (a reviewer's, a replay's), last used last. A
#: retrain starts from the one that shares the longest start with its decided rows.
_KEPT: list[_TrainingRows] = []
_KEPT_LOCK = threading.Lock()
_KEEP = 4


def _training_rows(features, labelled):
    """Return (features[labelled] as liblinear reads it, columns it uses); see _TrainingRows."""
    import numpy as np
    rows = np.asarray(labelled, dtype=np.int64)
    with _KEPT_LOCK:
        shared, kept = max(((k.shared(features, rows), k) for k in _KEPT),
                           key=lambda pair: pair[0], default=(-1, None))
        if kept is None or shared <= 0:
            kept = _TrainingRows(features)
        elif shared < len(kept.rows):      # an undo, a changed order, other extra rows
            kept = kept.first(shared)
        else:
            _KEPT.remove(kept)
        _KEPT.append(kept)
        del _KEPT[:-_KEEP]
        kept.append(features, rows)
        return kept.matrix()


def score(features, model: LinearModel):
    """Return the relevance score of every row (higher: more likely relevant)."""
    import numpy as np
    return np.asarray(features @ model.coef).ravel() + np.float32(model.intercept)


def term_scores(texts: Sequence[str], terms: Sequence[str]):
    """Cold start: score each text by how many distinct include terms it contains.

    Used before the first relevant decision, when no model can be trained.
    Terms are matched as whole words, case-insensitively ("*" at the end
    matches any ending).
    """
    import numpy as np
    patterns = []
    for term in terms:
        term = term.strip().lower()
        if not term:
            continue
        stem = re.escape(term.rstrip("*"))
        patterns.append(re.compile(r"\b" + stem + (r"\w*" if term.endswith("*") else r"\b")))
    out = np.zeros(len(texts), dtype=np.float32)
    if not patterns:
        return out
    for i, text in enumerate(texts):
        lowered = text.lower()
        out[i] = sum(1 for p in patterns if p.search(lowered))
    return out


def with_name(settings: ModelSettings, name: str, **changes) -> ModelSettings:
    """Return a copy of settings under a new name with some fields changed."""
    return replace(settings, name=name, **changes)


"""Agreement statistics: undefined cases, labels, bootstrap, input handling, reference checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.core.agreement.measures import (DEFAULT_SEED, agreement_table, code_presence, cohen_kappa,
                                      fleiss_kappa, gwet_ac1, krippendorff_alpha,
                                      krippendorff_label, landis_koch_label, masi_alpha,
                                      masi_distance, pabak, percent_agreement, prevalence,
                                      read_ratings, results_frame)

N = None
KRIPP_2011 = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
                       [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
                       [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
                       [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]], dtype=object).T


# --- undefined is never 0 or 1 -------------------------------------------------------------

def test_no_variation_is_undefined_not_one():
    same = [["include", "include"]] * 20
    for result in (krippendorff_alpha(same), cohen_kappa(same), fleiss_kappa(same * 1)):
        assert result.value is None
        assert "no variation" in result.reason
        assert result.label == "undefined"
        assert result.ci_low is None and result.ci_high is None
    assert percent_agreement(same).value == 1.0


def test_gwet_ac1_needs_two_categories_unless_the_scale_is_given():
    same = [["exclude", "exclude"]] * 10
    assert gwet_ac1(same).value is None
    assert "fewer than 2 categories" in gwet_ac1(same).reason
    assert gwet_ac1(same, categories=["include", "exclude"], n_resamples=0).value == 1.0


def test_fewer_than_two_pairable_units_is_undefined():
    one_pair = [[1, 2], [3, N], [N, 4]]
    result = krippendorff_alpha(one_pair)
    assert result.value is None
    assert "fewer than 2 pairable units" in result.reason
    assert result.n_units == 1
    nobody = [[1, N], [N, 2]]
    assert "no unit was rated by two or more coders" in percent_agreement(nobody).reason
    assert cohen_kappa(nobody).value is None


def test_cohen_needs_two_coders():
    result = cohen_kappa(KRIPP_2011)
    assert result.value is None and "exactly 2 coders" in result.reason


def test_fleiss_generalised_for_missing_ratings_matches_irrcac_and_says_which_units():
    """Gwet (2014) / irrCAC fleiss.kappa.raw on Krippendorff's data C: 0.7611693."""
    result = fleiss_kappa(KRIPP_2011, n_resamples=0)
    assert result.value == pytest.approx(0.7611693, abs=1e-7)
    assert result.n_units == 11  # units with two or more values
    assert "11 unit(s) with 2+ values" in result.note and "12 unit(s) with a value" in result.note
    complete = [row for row in KRIPP_2011 if all(v is not None for v in row)]
    assert fleiss_kappa(complete, n_resamples=0).note == ""  # Fleiss 1971: nothing to say


def test_interval_constant_values_undefined():
    result = krippendorff_alpha([[3.5, 3.5], [3.5, 3.5], [3.5, N]], "interval")
    assert result.value is None and "no variation" in result.reason


# --- labels --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, label", [
    (-0.01, "poor"), (0.0, "slight"), (0.20, "slight"), (0.21, "fair"), (0.40, "fair"),
    (0.41, "moderate"), (0.60, "moderate"), (0.61, "substantial"), (0.80, "substantial"),
    (0.81, "almost perfect"), (1.0, "almost perfect"), (None, "undefined")])
def test_landis_koch_bands(value, label):
    assert landis_koch_label(value) == label


@pytest.mark.parametrize("value, label", [
    (0.800, "reliable"), (0.95, "reliable"), (0.799, "tentative"), (0.667, "tentative"),
    (0.666, "unreliable"), (-0.2, "unreliable"), (None, "undefined")])
def test_krippendorff_bands(value, label):
    assert krippendorff_label(value) == label


# --- bootstrap -----------------------------------------------------------------------------

def _recomputed_ci(stat, matrix, n_resamples, seed, **kwargs):
    """The CI by brute force: recompute the statistic on each resampled matrix,
    drawing units exactly as the library does (one block for small matrices)."""
    matrix = np.asarray(matrix, dtype=object)
    n = len(matrix)
    draws = np.random.default_rng(seed).integers(0, n, size=(n_resamples, n), dtype=np.int64)
    # the scale (categories) is that of the full sample, as in the library
    values = [stat(matrix[d], n_resamples=0, **kwargs).value for d in draws]
    finite = np.array([v for v in values if v is not None], dtype=float)
    return np.percentile(finite, [2.5, 97.5])


@pytest.mark.parametrize("stat", [krippendorff_alpha, gwet_ac1, percent_agreement, pabak, fleiss_kappa])
def test_bootstrap_from_sufficient_statistics_equals_recomputation(stat):
    fast = stat(KRIPP_2011, n_resamples=300, seed=7)
    lo, hi = _recomputed_ci(stat, KRIPP_2011, 300, 7, categories=[1, 2, 3, 4, 5])
    assert fast.ci_low == pytest.approx(lo, abs=1e-9)
    assert fast.ci_high == pytest.approx(hi, abs=1e-9)
    assert fast.n_resamples == 300 and fast.seed == 7


def test_bootstrap_interval_for_ordinal_and_cohen_equals_recomputation():
    fast = krippendorff_alpha(KRIPP_2011, "ordinal", n_resamples=200, seed=3)
    lo, hi = _recomputed_ci(krippendorff_alpha, KRIPP_2011, 200, 3, level="ordinal")
    assert (fast.ci_low, fast.ci_high) == pytest.approx((lo, hi), abs=1e-9)
    two = KRIPP_2011[:, [1, 3]]
    fast = cohen_kappa(two, n_resamples=200, seed=3)
    lo, hi = _recomputed_ci(cohen_kappa, two, 200, 3)
    assert (fast.ci_low, fast.ci_high) == pytest.approx((lo, hi), abs=1e-9)


def test_pooled_pattern_bootstrap_matches_unit_draws():
    """Categorical data has few distinct unit rows; the bootstrap then draws counts per
    distinct row from a multinomial. Its distribution must match drawing units."""
    from workbench.core.agreement.result import _resample_sums
    from workbench.core.agreement.stats import krippendorff_alpha_spec

    rng = np.random.default_rng(4)
    truth = rng.integers(0, 3, 400)
    data = np.where(rng.random((400, 3)) < 0.7, truth[:, None], rng.integers(0, 3, (400, 3)))
    r = read_ratings(data.astype(float))
    spec = krippendorff_alpha_spec(r)
    pooled = _resample_sums(spec.unit_stats, 4000, 1, r.codes)
    drawn = _resample_sums(spec.unit_stats, 4000, 2, None)
    assert np.all(pooled[:, 0] == 400)  # every resample holds exactly n (pairable) units
    a, _ = spec.finish(pooled)
    b, _ = spec.finish(drawn)
    assert np.percentile(a, [2.5, 50, 97.5]) == pytest.approx(np.percentile(b, [2.5, 50, 97.5]), abs=0.01)
    assert a.std() == pytest.approx(b.std(), rel=0.1)


def test_chance_corrected_coefficients_need_two_units():
    one = [["include", "exclude"]]
    for stat in (gwet_ac1, pabak, krippendorff_alpha, cohen_kappa):
        result = stat(one)
        assert result.value is None and "fewer than 2" in result.reason
    assert percent_agreement(one).value == 0.0


def test_bootstrap_is_reproducible_and_recorded():
    rng = np.random.default_rng(0)
    data = rng.integers(0, 3, size=(200, 3))
    a = krippendorff_alpha(data)
    b = krippendorff_alpha(data)
    c = krippendorff_alpha(data, seed=DEFAULT_SEED + 1)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.seed == DEFAULT_SEED and a.n_resamples == 1000
    assert a.ci_low <= a.value <= a.ci_high
    none = krippendorff_alpha(data, n_resamples=0)
    assert none.ci_low is None and none.value == a.value


def test_table_shares_resamples_with_single_functions():
    table = {(r.name, r.category): r for r in agreement_table(KRIPP_2011, n_resamples=400, seed=11)}
    alone = krippendorff_alpha(KRIPP_2011, n_resamples=400, seed=11)
    assert table[("krippendorff_alpha", "")] == alone
    assert table[("gwet_ac1", "")] == gwet_ac1(KRIPP_2011, n_resamples=400, seed=11)
    assert set(table) >= {("percent_agreement", ""), ("fleiss_kappa", ""), ("pabak", ""),
                          ("prevalence", "1"), ("prevalence", "5")}


# --- tables, prevalence, input -------------------------------------------------------------

def test_agreement_table_by_level_and_frame():
    two = pd.DataFrame({"alice": ["include", "exclude", "exclude", "", "include"],
                        "bob": ["include", "exclude", "include", "exclude", None]},
                       index=["s1", "s2", "s3", "s4", "s5"])
    results = agreement_table(two, n_resamples=50)
    names = [r.name for r in results]
    assert names[:5] == ["percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "pabak"]
    assert all(r.n_units == 3 for r in results[:5])  # s4 and s5 have one value each
    frame = results_frame(results, digits=3)
    assert list(frame["name"]) == names
    assert frame.loc[frame["name"] == "percent_agreement", "value"].item() == pytest.approx(0.667)
    numeric = agreement_table([[1.5, 2.0], [3.0, 3.0], [10.0, 9.5]], "interval", n_resamples=0)
    assert [r.name for r in numeric] == ["percent_agreement", "krippendorff_alpha"]
    assert numeric[1].level == "interval"


def test_prevalence_shares_of_all_values():
    results = prevalence([["a", "a"], ["a", "b"], ["b", N]], n_resamples=0)
    assert [(r.category, r.value) for r in results] == [("a", pytest.approx(0.6)),
                                                        ("b", pytest.approx(0.4))]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"unit 1, coder 0: 'many' is not a number"):
        krippendorff_alpha([[1, 2], ["many", 3]], "interval")
    with pytest.raises(ValueError, match="negative"):
        krippendorff_alpha([[1, -2], [2, 3]], "ratio")
    with pytest.raises(ValueError, match=r"value 'maybe' is not one of the categories"):
        cohen_kappa([["include", "maybe"]], categories=["include", "exclude"])
    with pytest.raises(ValueError, match="unknown level"):
        krippendorff_alpha([[1, 2]], "cardinal")


def test_ordinal_uses_the_given_scale_order():
    scale = ["low", "mid", "high"]
    words = [["low", "mid"], ["mid", "mid"], ["high", "high"], ["low", "low"], ["high", "mid"]]
    numbers = [[{"low": 1, "mid": 2, "high": 3}[v] for v in row] for row in words]
    by_words = krippendorff_alpha(words, "ordinal", categories=scale, n_resamples=0).value
    assert by_words == pytest.approx(krippendorff_alpha(numbers, "ordinal", n_resamples=0).value)
    assert read_ratings(words, "ordinal", categories=scale).categories == tuple(scale)


# --- MASI ----------------------------------------------------------------------------------

def test_masi_distance_passonneau_2006():
    """MASI = Jaccard x monotonicity (1 equal, 2/3 subset, 1/3 overlap, 0 disjoint)."""
    assert masi_distance({"a", "b"}, {"b", "a"}) == 0.0
    assert masi_distance({"a"}, {"a", "b"}) == pytest.approx(1 - 0.5 * 2 / 3)
    assert masi_distance({"a", "b"}, {"a", "c"}) == pytest.approx(1 - (1 / 3) * (1 / 3))
    assert masi_distance({"a"}, {"b"}) == 1.0
    assert masi_distance(set(), set()) == 0.0


def test_masi_alpha_perfect_sets_empty_set_and_missing():
    perfect = [["a;b", "b;a"], ["c", ("c",)], [";", frozenset()], ["a", {"a"}], ["b;c", ""]]
    result = masi_alpha(perfect, n_resamples=0)
    assert result.value == 1.0
    assert result.n_units == 4  # "" is missing; ";" is the empty set, a real value
    partial = [["a;b", "a"], ["c", "c"], ["a", "b"], ["b;c", "b;c"], ["d", "d"]]
    disjoint = [["a;b", "c"], ["c", "c"], ["a", "b"], ["b;c", "b;c"], ["d", "d"]]
    assert masi_alpha(partial, n_resamples=0).value > masi_alpha(disjoint, n_resamples=0).value


def test_code_presence_splits_sets_per_code():
    frame = pd.DataFrame({"alice": ["a;b", "b", None], "bob": ["a", "", "c"]})
    per_code = code_presence(frame)
    assert sorted(per_code) == ["a", "b", "c"]
    assert per_code["a"]["alice"].tolist() == ["present", "absent", None]
    assert per_code["b"]["bob"].tolist() == ["absent", None, "absent"]


# --- reference implementation on random data (tests only) ----------------------------------

@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_reference_package_on_random_data(level):
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(42)
    for trial in range(8):
        data = rng.integers(1, 6, size=(60, 2 + trial % 4)).astype(float)
        data[rng.random(data.shape) < 0.25] = np.nan
        ours = krippendorff_alpha(data.astype(object), level, n_resamples=0).value
        theirs = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_masi_alpha_matches_reference_package_with_custom_metric():
    krippendorff = pytest.importorskip("krippendorff")
    rng = np.random.default_rng(5)
    codes = ["a", "b", "c", "d"]
    sets = [frozenset(c for c in codes if rng.random() < 0.4) for _ in range(300)]
    cells = [[sets[rng.integers(0, 300)] if rng.random() > 0.2 else None for _ in range(3)]
             for _ in range(80)]
    domain = sorted({s for row in cells for s in row if s is not None}, key=lambda s: sorted(s))
    index = {s: i for i, s in enumerate(domain)}
    numeric = np.array([[index[s] if s is not None else np.nan for s in row] for row in cells]).T
    dist = np.array([[masi_distance(a, b) for b in domain] for a in domain])

    def metric(v1, v2, i1, i2, n_v, dtype=np.float64):
        return dist[np.asarray(v1, dtype=int), np.asarray(v2, dtype=int)].astype(dtype)

    theirs = krippendorff.alpha(reliability_data=numeric, level_of_measurement=metric,
                                value_domain=list(range(len(domain))))
    assert masi_alpha(cells, n_resamples=0).value == pytest.approx(theirs, abs=1e-9)


def _naive_cohen(a, b):
    cats = sorted(set(a) | set(b))
    table = pd.crosstab(pd.Categorical(a, cats), pd.Categorical(b, cats), dropna=False).to_numpy()
    n = table.sum()
    po = np.trace(table) / n
    pe = (table.sum(0) * table.sum(1)).sum() / n ** 2
    return (po - pe) / (1 - pe)


def test_cohen_matches_contingency_table_computation_on_random_data():
    rng = np.random.default_rng(9)
    for _ in range(10):
        a = rng.integers(0, 4, 80)
        b = np.where(rng.random(80) < 0.6, a, rng.integers(0, 4, 80))
        assert cohen_kappa(np.column_stack([a, b]), n_resamples=0).value == pytest.approx(_naive_cohen(a, b))


def test_ordinal_with_too_many_values_gives_the_value_without_ci(monkeypatch):
    import workbench.core.agreement.result as agreement_module
    import workbench.core.agreement.stats as stats_module

    data = np.random.default_rng(0).integers(0, 40, (300, 3)).astype(float)
    full = krippendorff_alpha(data, "ordinal")
    monkeypatch.setattr(stats_module, "MAX_CELLS", 1000)
    monkeypatch.setattr(agreement_module, "MAX_CELLS", 1000)
    totals_only = krippendorff_alpha(data, "ordinal")
    assert totals_only.value == pytest.approx(full.value, abs=1e-12)
    assert full.ci_low is not None and totals_only.ci_low is None
    assert "no CI: too many distinct values" in totals_only.note


@pytest.mark.parametrize("level", ["masi", "nominal", "ordinal", "interval", "ratio"])
def test_a_variable_whose_rows_hold_no_value_is_undefined_not_an_error(level):
    """A group field nobody filled in: rows exist, every cell is missing."""
    empty = pd.DataFrame([[None, None], [None, None]], dtype=object)
    results = agreement_table(empty, level, n_resamples=10)
    alpha = next(r for r in results if r.name == "krippendorff_alpha")
    assert alpha.value is None and alpha.reason

"""Agreement statistics against published worked examples, to three decimals or better."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.core.agreement.measures import (cohen_kappa, fleiss_kappa, gwet_ac1, krippendorff_alpha,
                                      pabak, percent_agreement)

N = None

# Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg
# School for Communication, Departmental Papers 43, section C ("Nominal data,
# any number of observers, missing data"): observers A-D (rows) x units 1-12.
# The same table is irrCAC's `cac.raw4raters` (Gwet 2014) and the example in
# the tests of the `krippendorff` PyPI package.
KRIPP_2011 = pd.DataFrame(
    {"A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
     "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
     "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
     "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]},
    index=[f"unit{i}" for i in range(1, 13)])

# Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
# Psychological Bulletin 76(5), 378-382, Table 1: 30 patients, 6 psychiatrists,
# 5 diagnoses (1 depression, 2 personality disorder, 3 schizophrenia,
# 4 neurosis, 5 other). Raw form as in R's irr::diagnoses.
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5]])


def table_to_pairs(table: list[list[int]], labels: list) -> list[list]:
    """Expand a two-coder contingency table (rows: coder 1) into units x 2 rows."""
    rows = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            rows += [[labels[i], labels[j]]] * count
    return rows


def counts_to_raw(counts: list[list[int]]) -> np.ndarray:
    """Expand a subjects x categories count table into subjects x raters values."""
    return np.array([[k for k, c in enumerate(row) for _ in range(c)] for row in counts])


@pytest.mark.parametrize("level, expected", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_four_coders_with_missing(level, expected):
    """Krippendorff (2011) section C: nominal 0.743, interval 0.849; ordinal 0.815 and
    ratio 0.797 as reproduced by the `krippendorff` package's tests for the same data."""
    result = krippendorff_alpha(KRIPP_2011, level, n_resamples=0)
    assert round(result.value, 3) == expected
    assert result.n_units == 11  # unit 12 has a single value: unpairable, dropped
    assert result.n_coders == 4


def test_krippendorff_2011_nominal_exact_fraction():
    """The paper's nominal alpha, 1 - (n - 1) D_o / D_e with n = 40 pairable values, is 0.743421..."""
    assert krippendorff_alpha(KRIPP_2011, n_resamples=0).value == pytest.approx(0.7434210526, abs=1e-9)


def test_krippendorff_2011_binary_two_observers():
    """Krippendorff (2011) section A: binary data, two observers, 10 units, alpha = 0.095."""
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    result = krippendorff_alpha(np.array([a, b]).T, n_resamples=0)
    assert round(result.value, 3) == 0.095
    assert result.label == "unreliable"


def test_gwet_2014_raw4raters_irrcac():
    """Gwet (2014) / irrCAC vignette, cac.raw4raters (the Krippendorff table):
    percent agreement 0.8181818, AC1 0.77544 (pe 0.1903212), Brennan-Prediger 0.77273,
    Krippendorff's alpha 0.74342."""
    assert percent_agreement(KRIPP_2011, n_resamples=0).value == pytest.approx(0.8181818, abs=1e-7)
    assert gwet_ac1(KRIPP_2011, n_resamples=0).value == pytest.approx(0.77544, abs=1e-5)
    assert pabak(KRIPP_2011, n_resamples=0).value == pytest.approx(0.77273, abs=1e-5)
    assert krippendorff_alpha(KRIPP_2011, n_resamples=0).value == pytest.approx(0.74342, abs=1e-5)


def test_fleiss_1971_kappa():
    """Fleiss (1971), 30 patients x 6 raters: kappa = 0.430 (irr::kappam.fleiss 0.4302445)."""
    result = fleiss_kappa(FLEISS_1971, n_resamples=0)
    assert round(result.value, 3) == 0.430
    assert result.value == pytest.approx(0.4302445, abs=1e-7)
    assert result.label == "moderate"
    assert result.n_units == 30


def test_irrcac_distrib_6raters_first_15_patients():
    """irrCAC vignette, distrib.6raters (Fleiss 1971's first 15 patients):
    Fleiss 0.4139265, AC1 0.4448007, Krippendorff's alpha 0.4204384."""
    first = FLEISS_1971[:15]
    assert fleiss_kappa(first, n_resamples=0).value == pytest.approx(0.4139265, abs=1e-7)
    assert gwet_ac1(first, n_resamples=0).value == pytest.approx(0.4448007, abs=1e-7)
    assert krippendorff_alpha(first, n_resamples=0).value == pytest.approx(0.4204384, abs=1e-7)


def test_fleiss_wikipedia_fourteen_raters():
    """Fleiss' kappa article (Wikipedia) worked example: 10 subjects, 14 raters,
    5 categories, kappa = 0.210 (also statsmodels' test value)."""
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
              [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
              [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert round(fleiss_kappa(counts_to_raw(counts), n_resamples=0).value, 3) == 0.210


def test_irrcac_cont3x3abstractors():
    """irrCAC README, cont3x3abstractors (Gwet 2014): Cohen 0.7964094, AC1 0.8493305,
    Krippendorff 0.7972585, percent agreement 0.89."""
    rows = table_to_pairs([[13, 0, 0], [0, 20, 7], [0, 4, 56]], ["Ectopic", "AIU", "NIU"])
    assert cohen_kappa(rows, n_resamples=0).value == pytest.approx(0.7964094, abs=1e-7)
    assert gwet_ac1(rows, n_resamples=0).value == pytest.approx(0.8493305, abs=1e-7)
    assert krippendorff_alpha(rows, n_resamples=0).value == pytest.approx(0.7972585, abs=1e-7)
    assert percent_agreement(rows, n_resamples=0).value == pytest.approx(0.89)


def test_cohen_kappa_sas_example():
    """SAS PROC FREQ simple kappa example (as in statsmodels' tests): 3x3 table
    [[0,4,1],[0,8,0],[0,1,5]] gives kappa 0.4842."""
    rows = table_to_pairs([[0, 4, 1], [0, 8, 0], [0, 1, 5]], ["a", "b", "c"])
    assert cohen_kappa(rows, categories=["a", "b", "c"], n_resamples=0).value == pytest.approx(0.4842, abs=1e-4)


def test_cohen_kappa_textbook_yes_no():
    """Cohen's kappa article (Wikipedia): 50 proposals, yes/yes 20, yes/no 5,
    no/yes 10, no/no 15: po = 0.70, pe = 0.50, kappa = 0.40; PABAK = 2 po - 1 = 0.40."""
    rows = table_to_pairs([[20, 5], [10, 15]], ["yes", "no"])
    assert cohen_kappa(rows, n_resamples=0).value == pytest.approx(0.40)
    assert pabak(rows, n_resamples=0).value == pytest.approx(2 * 0.70 - 1)


def test_cohen_kappa_irr_anxiety():
    """R irr::kappa2(anxiety[, 2:3]) = -0.006289308 (20 subjects, ratings 1-6)."""
    anxiety = np.array([
        3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3, 3, 6, 4,
        6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4, 2, 1, 4, 4, 3, 2,
        1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]).reshape(20, 3, order="F")
    result = cohen_kappa(anxiety[:, 1:], n_resamples=0)
    assert result.value == pytest.approx(-0.006289308, abs=1e-9)
    assert result.label == "poor"


def test_pabak_is_kappa_at_balanced_prevalence():
    """PABAK (Byrt, Bishop & Carlin 1993) for two categories is 2 po - 1 whatever the
    marginals; with 90% of units in one category kappa collapses while PABAK does not."""
    rows = table_to_pairs([[85, 5], [5, 5]], ["exclude", "include"])
    kappa = cohen_kappa(rows, n_resamples=0).value
    result = pabak(rows, n_resamples=0).value
    assert result == pytest.approx(2 * 0.90 - 1)
    assert kappa == pytest.approx((0.90 - 0.82) / (1 - 0.82))
    assert result > kappa


def test_methods_sentence_with_one_reviewer_says_a_second_is_needed():
    from workbench.core.agreement.methods import screening_paragraph
    text = screening_paragraph(1, [])
    assert text == "One reviewer has screened so far; agreement needs a second reviewer."

"""The paragraph a methods section uses to report a stage's inter-coder agreement.

    "Two reviewers screened 2,019 records independently; agreement was 94.1%
    (Cohen's kappa 0.71, 95% CI 0.66-0.76)."

At a stage that assesses full texts (one that offers not_retrieved) the
sentence speaks of reports assessed for eligibility, as PRISMA 2020 does,
and says how many reports marked not retrieved were not counted.

Pure text from StatResults (workbench.core.agreement.measures); the review layer
hands each stage's results here, and the CLI, the app and the export print
the same words.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.core.agreement.result import StatResult

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_KAPPAS = {"cohen_kappa": "Cohen's kappa", "fleiss_kappa": "Fleiss' kappa"}


def count_words(n: int, capital: bool = False) -> str:
    """Return 'two' for 2 ('Two' with capital), digits from 11 on."""
    word = _WORDS[n] if 0 <= n < len(_WORDS) else f"{n:,}"
    return word[:1].upper() + word[1:] if capital else word


def _coef(value: float) -> str:
    """A coefficient as papers print it: two decimals, minus sign kept."""
    return f"{value:.2f}"


def _ci(r: StatResult) -> str:
    if r.ci_low is None or r.ci_high is None:
        return ""
    share = f"{r.confidence * 100:g}%"
    return f", {share} CI {_coef(r.ci_low)}-{_coef(r.ci_high)}"


def stat_phrase(name: str, r: StatResult | None) -> str:
    """'Cohen's kappa 0.71, 95% CI 0.66-0.76', or 'Cohen's kappa undefined (reason)'."""
    if r is None:
        return ""
    if not r.defined:
        return f"{name} undefined ({r.reason})" if r.reason else f"{name} undefined"
    return f"{name} {_coef(r.value)}{_ci(r)}"


def _find(stats: Sequence[StatResult], name: str) -> StatResult | None:
    return next((r for r in stats if r.name == name and not r.category), None)


def screening_paragraph(n_coders: int, stats: Sequence[StatResult], reports: bool = False,
                        not_retrieved: tuple[int, int] = (0, 0)) -> str:
    """Return the methods sentence for a screening stage's decision.

    Args:
        n_coders: the reviewers who screened at this stage.
        stats: the `decision` variable's StatResults.
        reports: the stage assesses reports (full text: it offers
            not_retrieved), not records: PRISMA 2020's words.
        not_retrieved: (reports every reviewer who decided them marked not
            retrieved, reports only some of them marked), which agreement
            left out (audit.drop_not_retrieved); said after the figures.

    Returns:
        E.g. "Two reviewers screened 2,019 records independently; agreement was 94.1% (Cohen's kappa 0.71, 95% CI
        0.66-0.76; Gwet's AC1 0.90, 95% CI 0.88-0.92, 3 categories)." At full
        text: "Two reviewers assessed 81 reports for eligibility
        independently; ..." and what was not counted.
    """
    pa = _find(stats, "percent_agreement")
    n = pa.n_units if pa is not None else 0
    who = f"{count_words(n_coders, True)} reviewer{'s' if n_coders != 1 else ''}"
    unit = "report" if reports else "record"
    fleiss = _find(stats, "fleiss_kappa")
    each = f" (each {unit} by two or more)" if n_coders > 2 and fleiss is not None \
        and fleiss.note else ""
    if n_coders < 2:
        return f"{who} has screened so far; agreement needs a second reviewer."
    did = "assessed" if reports else "screened"
    purpose = " for eligibility" if reports else ""
    head = f"{who} {did} {n:,} {unit}{'s' if n != 1 else ''}{purpose} independently{each}"
    left_out = not_retrieved_sentence(n_coders, not_retrieved)
    if pa is None or not pa.defined:
        return (f"{head}; no {unit} was {did} by two reviewers, so agreement is undefined."
                + left_out)
    parts = []
    for key, name in _KAPPAS.items():
        kappa = _find(stats, key)
        if kappa is not None:
            parts.append(stat_phrase(name, kappa))
    ac1 = _find(stats, "gwet_ac1")
    if ac1 is not None and ac1.defined:
        q = f", {ac1.q} categories" if ac1.q else ""
        parts.append(stat_phrase("Gwet's AC1", ac1) + q)
    inside = f" ({'; '.join(parts)})" if parts else ""
    return f"{head}; agreement was {pa.value * 100:.1f}%{inside}." + left_out


def not_retrieved_sentence(n_coders: int, not_retrieved: tuple[int, int]) -> str:
    """" Not counted: 74 reports both reviewers marked not retrieved, ..." ("" for none)."""
    every, some = not_retrieved
    if not every and not some:
        return ""

    def reports(n: int) -> str:
        return f"{n:,} report{'s' if n != 1 else ''}"

    two = n_coders == 2
    parts = []
    if every:
        parts.append(f"{reports(every)} {'both reviewers' if two else 'all their reviewers'} "
                     "marked not retrieved")
    if some:
        parts.append(f"{reports(some)} one reviewer marked not retrieved and the other assessed"
                     if two else f"{reports(some)} some reviewers marked not retrieved and others "
                     "assessed (their marks only)")
    return (f" Not counted: {', and '.join(parts)} (a report not retrieved is not assessed: "
            "PRISMA 2020 counts reports not retrieved apart from reports assessed for "
            "eligibility).")


def coding_paragraph(n_coders: int, n_studies: int,
                     variables: Sequence[tuple[str, Sequence[StatResult]]]) -> str:
    """Return the methods sentences for a coding stage.

    Args:
        n_coders: the reviewers who coded at this stage.
        n_studies: studies coded by two or more of them.
        variables: [(variable name, its StatResults)].

    Returns:
        E.g. "Two reviewers coded 45 studies independently;
        Krippendorff's alpha was 0.80 or above for 12 of 15 variables (range
        0.52 for field:x to 0.97 for code:y); 2 variables had no variation."
    """
    who = f"{count_words(n_coders, True)} reviewer{'s' if n_coders != 1 else ''}"
    head = (f"{who} coded {n_studies:,} "
            f"stud{'ies' if n_studies != 1 else 'y'} independently")
    alphas = []
    undefined = 0
    for name, stats in variables:
        alpha = _find(stats, "krippendorff_alpha")
        if alpha is None:
            continue
        if alpha.defined:
            alphas.append((alpha.value, name))
        else:
            undefined += 1
    if not alphas:
        return f"{head}; Krippendorff's alpha is undefined for every variable so far."
    alphas.sort()
    reliable = sum(1 for v, _ in alphas if v >= 0.800)
    total = len(alphas) + undefined
    low, high = alphas[0], alphas[-1]
    spread = (f" (range {_coef(low[0])} for {low[1]} to {_coef(high[0])} for {high[1]})"
              if len(alphas) > 1 else f" ({_coef(low[0])} for {low[1]})")
    text = (f"{head}; Krippendorff's alpha was 0.80 or above for {reliable} of {total} "
            f"variable{'s' if total != 1 else ''}{spread}")
    if undefined:
        text += (f"; {undefined} variable{'s' if undefined != 1 else ''} had no alpha "
                 "(no variation or too few units)")
    return text + "."
